// The esbuild options of the Lambda bundle (infra/bundling.ts): what its aliases take out of the
// bundle, and that the parser built with them reads mail in East Asian charsets as the unbundled one does
// (Big5 with Hong Kong characters, which iconv-lite reads as Big5-HKSCS, included).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../../functions/core/parse.js';
import { LAMBDA_BUILD } from '../../infra/bundling.js';
import { REPO_ROOT } from '../../infra/paths.js';

/** A plain-text message whose subject (an encoded word) and body are in `charset`. */
function messageIn(charset: string, subject: string, body: string): Uint8Array {
  const encodedSubject = `=?${charset}?B?${iconv.encode(subject, charset).toString('base64')}?=`;
  const head = [
    'From: sender@example.org',
    'To: EUinternational@stockholm.se',
    `Subject: ${encodedSubject}`,
    'MIME-Version: 1.0',
    `Content-Type: text/plain; charset=${charset}`,
    'Content-Transfer-Encoding: base64',
    '',
    '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(head), Buffer.from(iconv.encode(body, charset).toString('base64'))]);
}

const MESSAGES = [
  ['Shift_JIS', 'ストックホルム市への招待状', '市長様、東京での国際会議にご招待いたします。'],
  ['GBK', '邀请函：城市可持续发展论坛', '尊敬的市长，我们诚挚邀请您出席在北京举行的论坛。'],
  ['GB2312', '访问请求', '代表团希望于五月访问斯德哥尔摩市政厅。'],
  ['Big5', '訪問邀請', '台北市政府誠摯邀請貴市代表出席會議。'],
  // iconv-lite reads `big5` as Big5-HKSCS: Hong Kong characters, astral ones and a two-code-point one among them
  ['Big5', '香港特別行政區：𧉧䏰𡩣', '𨮹嫑龗𤅡𨤍 Ê̄ê̌ 香港特別行政區政府誠邀出席。'],
  ['Big5-HKSCS', '邀請：𡩣綕', '嫑龗𤅡𨤍 香港會議。'],
  ['GB18030', '预算：€5000', '欧元€与𠀀，ḿ。'],
  ['EUC-KR', '초청장: 도시 포럼', '스톡홀름 시장님을 서울 국제 포럼에 초대합니다. 똠방각하 뷁'],
  ['EUC-JP', '会議のご案内', '欧州連合の資金について説明会を開催します。'],
] as const;

describe('the Lambda bundle options', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'mailroute-bundling-'));
  let metafile: Metafile;
  let bundledParseMail: typeof parseMail;

  beforeAll(async () => {
    const outfile = join(outdir, 'parse.mjs');
    const built = await build({
      ...LAMBDA_BUILD,
      absWorkingDir: REPO_ROOT,
      entryPoints: [join(REPO_ROOT, 'functions/core/parse.ts')],
      outfile,
      metafile: true,
      logLevel: 'error',
    });
    metafile = built.metafile;
    ({ parseMail: bundledParseMail } = await import(pathToFileURL(outfile).href));
  }, 60_000);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('leave out iconv-lite Japanese tables only, and bundle libmime once', () => {
    const inputs = Object.keys(metafile.inputs);
    const tables = inputs.filter((path) => path.includes('iconv-lite/encodings/tables/'));
    expect(tables.map((path) => path.replace(/.*\//, '')).sort()).toEqual([
      'big5-added.json',
      'cp936.json',
      'cp949.json',
      'cp950.json',
      'gb18030-ranges.json',
      'gbk-added.json',
    ]);
    expect(inputs.filter((path) => /libmime\/dist\/\w+\/libmime\.js$/.test(path))).toHaveLength(1);
    expect(inputs).toContain('functions/lambda-shims/iconv-lite.ts');
  });

  it.each(MESSAGES)('read a %s message as the unbundled parser does', async (charset, subject, body) => {
    const raw = messageIn(charset, subject, body);
    const bundled = await bundledParseMail(raw);
    expect(bundled.subject).toBe(subject);
    expect(bundled.text.trim()).toBe(body);
    expect(bundled).toEqual(await parseMail(raw));
  });
});
