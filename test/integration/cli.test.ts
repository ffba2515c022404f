import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/corpus.js';
import { PIXEL_PNG } from '../helpers/not-mail.js';
import { isAcknowledgement } from '../helpers/pipeline-rig.js';

const FIXTURES = join(REPO_ROOT, 'test/fixtures/mail');
const fixture = (name: string) => join(FIXTURES, name);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  lines: Record<string, unknown>[];
}

function mailroute(args: string[], dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/mailroute.js', ...args],
      { cwd: REPO_ROOT, env: { ...process.env, MAILROUTE_DATA_DIR: dataDir, ...env }, timeout: 100_000 },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: number }).code ?? 1) : 0;
        const lines = args.includes('--json')
          ? stdout
              .split('\n')
              .filter((line) => line.trim())
              .map((line) => JSON.parse(line) as Record<string, unknown>)
          : [];
        resolve({ code, stdout, stderr, lines });
      },
    );
  });
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

// Each case spawns `mailroute` processes; on a busy machine a spawn can take seconds.
const SPAWNING = { timeout: 120_000 };

describe('mailroute CLI', SPAWNING, () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mailroute-cli-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('classify reads message files in subfolders and leaves labels, notes and hidden files alone', async () => {
    // Prepare
    const tree = join(dataDir, 'tree');
    await mkdir(join(tree, 'nested'), { recursive: true });
    const message = readFileSync(fixture('plain-invitation.eml'));
    await writeFile(join(tree, 'a.eml'), message);
    await writeFile(join(tree, 'nested', 'b.raw'), message);
    await writeFile(join(tree, 'nested', 'no-extension'), message);
    await writeFile(join(tree, 'labels.jsonl'), '{}\n');
    await writeFile(join(tree, 'SOURCES.md'), '# sources\n');
    await writeFile(join(tree, '.hidden.eml'), message);

    // Act
    const run = await mailroute(['classify', '--json', tree], join(dataDir, 'classify-tree'));

    // Assess
    expect(run.lines.map((line) => line.file)).toEqual([
      join(tree, 'a.eml'),
      join(tree, 'nested', 'b.raw'),
      join(tree, 'nested', 'no-extension'),
    ]);
  });

  it('classify --json prints one well-formed line per .eml in a folder, without side effects', async () => {
    // Prepare
    const emptyDataDir = join(dataDir, 'classify-only');

    // Act
    const run = await mailroute(['classify', '--json', FIXTURES], emptyDataDir);

    // Assess
    expect(run.code).toBe(0);
    expect(run.lines.map((line) => [line.file, line.category, line.automated])).toEqual([
      [fixture('automated-out-of-office.eml'), 'other', true],
      [fixture('html-only-eu-call.eml'), 'eu_matter', false],
      [fixture('multipart-protocol-visit.eml'), 'protocol_visit', false],
      [fixture('plain-invitation.eml'), 'invitation', false],
    ]);
    for (const line of run.lines) {
      expect(line.confidence).toBeGreaterThanOrEqual(0);
      expect(line.confidence).toBeLessThanOrEqual(1);
      expect(Array.isArray(line.reasons) && line.reasons.every((reason) => typeof reason === 'string')).toBe(
        true,
      );
    }
    expect(existsSync(emptyDataDir)).toBe(false);
  });

  it('gives an unreadable file a line with error and goes on with the rest', async () => {
    // Prepare
    const missing = join(dataDir, 'missing.eml');

    // Act
    const run = await mailroute(['classify', '--json', missing, fixture('plain-invitation.eml')], dataDir);

    // Assess
    expect(run.code).toBe(1);
    expect(run.lines).toHaveLength(2);
    expect(run.lines[0]).toMatchObject({ file: missing, error: expect.stringContaining('ENOENT') });
    expect(run.lines[1]).toMatchObject({ file: fixture('plain-invitation.eml'), category: 'invitation' });
  });

  it('classify without --json prints an aligned table, one row per file', async () => {
    // Act
    const run = await mailroute(
      ['classify', fixture('plain-invitation.eml'), fixture('html-only-eu-call.eml')],
      dataDir,
    );

    // Assess
    const rows = run.stdout.trimEnd().split('\n');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^FILE\s+CATEGORY\s+CONF/);
    const categoryColumn = rows[0]?.indexOf('CATEGORY');
    expect(rows[1]?.slice(categoryColumn).startsWith('invitation')).toBe(true);
    expect(rows[2]?.slice(categoryColumn).startsWith('eu_matter')).toBe(true);
  });

  it('prints no control character from a message to a person: an escape sequence in a header cannot clear or hide the table', async () => {
    // Prepare: a header value with ESC [2J (clear), ESC [H (home), ESC [8m (hidden text), a C1 CSI and a bidi override
    const folder = await mkdtemp(join(tmpdir(), 'mailroute-escape-'));
    const file = join(folder, 'auto-\u001b[31mname.eml');
    await writeFile(
      file,
      'From: x@example.org\r\nTo: protocol@stockholm.se\r\nSubject: Hej\r\n' +
        'Auto-Submitted: auto-\u001b[2J\u001b[H\u001b[8m\u009b2J\u202e\r\n\r\nHej.\r\n',
    );

    try {
      // Act
      const table = await mailroute(['classify', file], dataDir);
      const json = await mailroute(['classify', '--json', file], dataDir);

      // Assess
      expect(table.code).toBe(0);
      const controls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
      expect(table.stdout).not.toMatch(controls);
      expect(table.stderr).not.toMatch(controls);
      expect(table.stdout).toContain('auto-');
      // Machines still get the exact value, escaped by JSON.
      expect(JSON.stringify(json.lines[0]?.reasons)).toContain('\\u001b[2j');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('route logs and forwards a file once; routing it again answers duplicate', async () => {
    // Prepare
    const file = fixture('multipart-protocol-visit.eml');
    const routeDir = join(dataDir, 'route');

    // Act
    const first = await mailroute(['route', '--json', file], routeDir);
    const second = await mailroute(['route', '--json', file], routeDir);

    // Assess
    const expected = {
      file,
      messageId: sha256(file),
      category: 'protocol_visit',
      disposition: 'forward',
      forwardedTo: ['protokollsenheten@stockholm.se'],
    };
    expect(first.lines).toEqual([
      expect.objectContaining({ ...expected, duplicate: false, automated: false }),
    ]);
    expect(second.lines).toEqual([expect.objectContaining({ ...expected, duplicate: true })]);
    const sent = await Promise.all(
      (await readdir(join(routeDir, 'sent'))).map((name) => readFile(join(routeDir, 'sent', name))),
    );
    expect(sent.filter((raw) => !isAcknowledgement(raw))).toHaveLength(1);
    // The sender's acknowledgement (issue #14), once.
    expect(sent.filter((raw) => isAcknowledgement(raw))).toHaveLength(1);
  });

  it('log reads what route wrote, filtered by category and time', async () => {
    // Prepare
    const logDir = join(dataDir, 'log');
    await mailroute(
      ['route', '--json', fixture('plain-invitation.eml'), fixture('automated-out-of-office.eml')],
      logDir,
    );

    // Act
    const all = await mailroute(['log', '--json'], logDir);
    const invitations = await mailroute(
      ['log', '--json', '--category', 'invitation', '--since', '1h'],
      logDir,
    );
    const future = await mailroute(['log', '--json', '--since', '2999-01-01'], logDir);

    // Assess
    expect(all.lines.map((record) => record.status).sort()).toEqual(['forwarded', 'suppressed']);
    expect(invitations.lines).toEqual([
      expect.objectContaining({ id: sha256(fixture('plain-invitation.eml')), category: 'invitation' }),
    ]);
    expect(future.lines).toEqual([]);
  });

  it('decides with the configuration file named by MAILROUTE_CONFIG, and names a bad key in it', async () => {
    // Prepare
    const good = join(dataDir, 'config.json');
    const bad = join(dataDir, 'bad-config.json');
    await writeFile(
      good,
      JSON.stringify({ categories: { invitation: { group: ['events@stockholm.se'], tag: '[Event]' } } }),
    );
    await writeFile(bad, JSON.stringify({ confidenceThreshold: 7 }));

    // Act
    const configured = await mailroute(['classify', '--json', fixture('plain-invitation.eml')], dataDir, {
      MAILROUTE_CONFIG: good,
    });
    const rejected = await mailroute(['classify', '--json', fixture('plain-invitation.eml')], dataDir, {
      MAILROUTE_CONFIG: bad,
    });

    // Assess
    expect(configured.lines).toEqual([
      expect.objectContaining({ category: 'invitation', recipients: ['events@stockholm.se'] }),
    ]);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toContain('confidenceThreshold');
  });

  it('rejects an unknown command and a --to that is not a functional address with usage errors', async () => {
    // Act
    const unknown = await mailroute(['frobnicate'], dataDir);
    const badTo = await mailroute(
      ['classify', '--to', 'x@example.org', fixture('plain-invitation.eml')],
      dataDir,
    );

    // Assess
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command');
    expect(badTo.code).toBe(2);
    expect(badTo.stderr).toContain('not a configured functional address');
  });
});

describe('mailroute serve', SPAWNING, () => {
  let dataDir: string;
  let serve: ChildProcess;
  let output = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mailroute-serve-'));
    serve = spawn(process.execPath, ['bin/mailroute.js', 'serve'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        MAILROUTE_DATA_DIR: dataDir,
        MAILROUTE_SMTP_PORT: '0',
        MAILROUTE_SES_PORT: '0',
        MAILROUTE_DYNAMODB_PORT: '0',
      },
    });
    serve.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    serve.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await waitFor(
      () => output.includes('Ctrl-C stops'),
      60_000,
      () => output,
    );
  }, 90_000);

  afterAll(async () => {
    if (serve.exitCode === null) serve.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('takes mail over SMTP, shows it in log from a second process, and stops cleanly on SIGINT', async () => {
    // Prepare
    const info = JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8')) as {
      smtp: { host: string; port: number };
      inbox: string;
    };
    const transport = nodemailer.createTransport({
      host: info.smtp.host,
      port: info.smtp.port,
      ignoreTLS: true,
    });
    const raw = readFileSync(fixture('html-only-eu-call.eml'));

    // Act
    await transport.sendMail({
      envelope: { from: 'partners@eu-projects.example', to: ['EUinternational@stockholm.se'] },
      raw,
    });
    const log = await mailroute(['log', '--json'], dataDir);
    const routed = await mailroute(['route', '--json', fixture('plain-invitation.eml')], dataDir);
    // An SMTP client can send any bytes as a message: an image is held, and serve says so.
    await transport.sendMail({
      envelope: { from: 'scanner@example.org', to: ['EUinternational@stockholm.se'] },
      raw: PIXEL_PNG,
    });
    await waitFor(
      () => output.includes('not recognisable as mail'),
      30_000,
      () => output,
    );
    const held = await mailroute(['log', '--json', '--status', 'quarantined'], dataDir);
    const inbox = (await (await fetch(`${info.inbox}store`)).json()) as { emails: { subject: string }[] };
    serve.kill('SIGINT');
    const exitCode = await new Promise<number | null>((resolve) =>
      serve.once('exit', (code) => resolve(code)),
    );

    // Assess
    expect(log.lines).toEqual([
      expect.objectContaining({ id: sha256(fixture('html-only-eu-call.eml')), status: 'forwarded' }),
    ]);
    expect(routed.lines).toEqual([expect.objectContaining({ category: 'invitation', duplicate: false })]);
    expect(held.lines).toEqual([
      expect.objectContaining({
        status: 'quarantined',
        recipients: [],
        reasons: expect.arrayContaining(['not-mail:no-headers', 'not-mail:binary']),
      }),
    ]);
    expect(output).toMatch(
      /warning: not recognisable as mail \(not-mail:no-headers, not-mail:binary\): quarantined; mailroute release \w{12} forwards it/,
    );
    const subjects = inbox.emails.map((email) => email.subject);
    expect(
      subjects
        .filter((subject) => subject.startsWith('['))
        .map((subject) => subject.split(' ')[0])
        .sort(),
    ).toEqual(['[EU]', '[Inbjudan]']);
    // Acknowledgements to the senders show in the web inbox too.
    expect(subjects.some((subject) => subject.includes('Mottagningsbekräftelse'))).toBe(true);
    expect(output).toMatch(
      /EUinternational@stockholm.se {2}eu_matter [\d.]+ {2}forwarded -> internationella-enheten/,
    );
    expect(exitCode).toBe(0);
    expect(existsSync(join(dataDir, 'stack.json'))).toBe(false);
  });
});

async function waitFor(condition: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out; output so far:\n${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
