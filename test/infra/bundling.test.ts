// The esbuild options of the Lambda bundle (infra/bundling.ts): what its aliases take out of the
// bundle, and that the parser built with them, with iconv-lite's double-byte tables beside it as the router
// function ships them, reads mail in East Asian charsets as the unbundled one does (Big5 with Hong Kong
// characters, which iconv-lite reads as Big5-HKSCS, included); and, without those files, still reads it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import iconv from 'iconv-lite';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseMail } from '../../functions/core/parse.js';
import { LAMBDA_BUILD } from '../../infra/bundling.js';
import { sideLoadCommands } from '../../infra/constructs/mailroute-function.js';
import {
  ICONV_TABLE_FILES,
  ROUTER_ENTRY,
  SHIPPED_TABLE_PATHS,
} from '../../infra/constructs/router-function.js';
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
  // A second folder, not under the first: there the bundle finds no tables.
  const outdirWithoutTables = mkdtempSync(join(tmpdir(), 'mailroute-bundling-no-tables-'));
  let metafile: Metafile;
  let bundledParseMail: typeof parseMail;
  let bundledParseMailWithoutTables: typeof parseMail;

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
    // The tables beside the bundle, as the router function's asset has them (same list, same commands).
    for (const command of sideLoadCommands(ICONV_TABLE_FILES, outdir))
      execFileSync('/bin/sh', ['-c', command]);
    ({ parseMail: bundledParseMail } = await import(pathToFileURL(outfile).href));
    for (const file of ['parse.mjs', 'parse.mjs.map'])
      copyFileSync(join(outdir, file), join(outdirWithoutTables, file));
    ({ parseMail: bundledParseMailWithoutTables } = await import(
      pathToFileURL(join(outdirWithoutTables, 'parse.mjs')).href
    ));
  }, 60_000);
  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
    rmSync(outdirWithoutTables, { recursive: true, force: true });
  });
  afterEach(() => vi.restoreAllMocks());

  it('leave out every iconv-lite double-byte table, and bundle libmime and libbase64 once', () => {
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.filter((path) => path.includes('iconv-lite/encodings/tables/'))).toEqual([]);
    expect(inputs.filter((path) => path.includes('iconv-lite/encodings/dbcs-data'))).toEqual([]);
    for (const file of ICONV_TABLE_FILES)
      expect(existsSync(join(outdir, 'node_modules', file)), file).toBe(true);
    expect(inputs.filter((path) => /libmime\/dist\/\w+\/libmime\.js$/.test(path))).toHaveLength(1);
    expect(inputs.filter((path) => /libbase64\/dist\/\w+\/libbase64\.js$/.test(path))).toHaveLength(1);
    expect(inputs).toContain('functions/lambda-shims/iconv-lite.ts');
  });

  it.each(MESSAGES)('read a %s message as the unbundled parser does', async (charset, subject, body) => {
    const raw = messageIn(charset, subject, body);
    const bundled = await bundledParseMail(raw);
    expect(bundled.subject).toBe(subject);
    expect(bundled.text.trim()).toBe(body);
    expect(bundled).toEqual(await parseMail(raw));
  });

  it.each([
    ['GBK', 'gbk', MESSAGES[1]],
    ['Big5', 'big5hkscs', MESSAGES[3]],
    ['EUC-KR', 'cp949', ['EUC-KR', '초청장: 도시 포럼', '스톡홀름 시장님을 서울 국제 포럼에 초대합니다.']],
  ] as const)(
    'read a %s message with TextDecoder, and warn once, when the tables are missing',
    async (_, codec, [charset, subject, body]) => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      for (let time = 0; time < 2; time++) {
        const parsed = await bundledParseMailWithoutTables(messageIn(charset, subject, body));
        expect(parsed.subject).toBe(subject);
        expect(parsed.text.trim()).toBe(body);
      }
      const warnings = warn.mock.calls.map(([message]) => String(message));
      expect(warnings.filter((message) => message.includes(`'${codec}'`))).toHaveLength(1);
      expect(warnings.join('\n')).toContain('decoding it with TextDecoder');
    },
  );
});

describe("the router's bundle", () => {
  it('holds neither zod nor the lexicon sources nor the build-time tables (checked, compiled, beside it), nor SDK commands it never sends', async () => {
    // Act
    const built = await build({
      ...LAMBDA_BUILD,
      absWorkingDir: REPO_ROOT,
      entryPoints: [join(REPO_ROOT, ROUTER_ENTRY)],
      outfile: join(tmpdir(), 'mailroute-router-never-written.mjs'),
      write: false,
      metafile: true,
      logLevel: 'error',
    });

    // Assess
    const inputs = Object.keys(built.metafile.inputs);
    expect(inputs.filter((path) => path.includes('node_modules/zod/'))).toEqual([]);
    expect(inputs.filter((path) => path.includes('classify/lexicons/'))).toEqual([]);
    // Read as JSON from beside the bundle (SHIPPED_TABLE_PATHS), not compiled by V8 as part of it.
    for (const table of SHIPPED_TABLE_PATHS) expect(inputs).not.toContain(table);
    expect(inputs).not.toContain('functions/core/automated-phrases.ts');
    // The SDK clients imported by name: not every command of each, nor its aggregated client.
    const output = Object.values(built.metafile.outputs).find((entry) => entry.entryPoint);
    const bundled = Object.entries(output?.inputs ?? {})
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path);
    for (const aggregated of [
      'client-s3/dist-es/S3.js',
      'client-sesv2/dist-es/SESv2.js',
      'client-dynamodb/dist-es/DynamoDB.js',
    ])
      expect(bundled).not.toContain(`node_modules/@aws-sdk/${aggregated}`);
    expect(bundled.filter((path) => path.includes('client-s3/dist-es/commands/')).length).toBeLessThan(5);
    expect(inputs).toContain('functions/config/checked-config.ts');
    expect(inputs).not.toContain('functions/config/schema.ts');
  }, 60_000);
});
