import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_USAGE } from '../../functions/local/commands/usage.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { PIXEL_PNG, PROSE } from '../helpers/not-mail.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: 100_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

const mailroute = (args: string[], dataDir: string) =>
  run(process.execPath, ['bin/mailroute.js', ...args], {
    MAILROUTE_DATA_DIR: dataDir,
    MAILROUTE_OPERATOR: 'cli-test',
  });

describe('mailroute operator commands', { timeout: 180_000 }, () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mailroute-cli-operate-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('every command answers --help with its own usage, and --version', async () => {
    // Prepare
    const commands = Object.keys(COMMAND_USAGE);

    // Act
    const helps: Run[] = [];
    for (let index = 0; index < commands.length; index += 4) {
      helps.push(
        ...(await Promise.all(
          commands.slice(index, index + 4).map((command) => mailroute([command, '--help'], dataDir)),
        )),
      );
    }
    const version = await mailroute(['--version'], dataDir);

    // Assess
    expect(commands).toEqual(
      expect.arrayContaining([
        'serve',
        'classify',
        'route',
        'log',
        'show',
        'release',
        'reroute',
        'corrections',
        'status',
        'console',
        'replay',
        'reconcile',
      ]),
    );
    helps.forEach((help, index) => {
      expect(help.code, help.stderr).toBe(0);
      expect(help.stdout).toContain(`usage: mailroute ${commands[index]}`);
    });
    const { version: expected } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(version.stdout).toContain(`mailroute ${expected}`);
  });

  it('routes the examples, reroutes one by a short id, exports it for training, and reports the local stack', async () => {
    // Prepare
    const exportDir = join(dataDir, 'corrections');
    const routed = await mailroute(['route', '--json', 'examples'], dataDir);
    const first = JSON.parse(routed.stdout.split('\n')[0] ?? '{}') as { messageId: string; category: string };

    // Act
    const reroute = await mailroute(
      ['reroute', first.messageId.slice(0, 10), '--category', 'other', '--json'],
      dataDir,
    );
    const exported = await mailroute(['corrections', 'export', exportDir], dataDir);
    const status = await mailroute(['status', '--json'], dataDir);
    const log = await mailroute(['log'], dataDir);

    // Assess
    expect(routed.code, routed.stderr).toBe(0);
    expect(reroute.code, reroute.stderr).toBe(0);
    expect(JSON.parse(reroute.stdout)).toMatchObject({
      messageId: first.messageId,
      correction: { by: 'cli-test', from: { category: first.category }, to: { category: 'other' } },
    });
    expect(exported.code, exported.stderr).toBe(0);
    expect(readFileSync(join(exportDir, 'labels.jsonl'), 'utf8')).toContain(
      `"file":"${first.messageId}.eml","category":"other"`,
    );
    expect(status.code, status.stderr).toBe(0);
    const report = JSON.parse(status.stdout) as {
      backend: string;
      needsAction: boolean;
      checks: { name: string }[];
    };
    expect(report.backend).toBe('local');
    expect(report.needsAction).toBe(false);
    expect(report.checks.map((check) => check.name)).toContain('routing.quarantined');
    expect(log.stdout).toMatch(/other\*/);
    expect(log.stdout.split('\n')[0]).toMatch(/AUTO .* REASONS$/);
  });

  it('warns on stderr about files that are not mail, logs them quarantined with the reason, and release keeps that history', async () => {
    // Prepare
    const ownData = await mkdtemp(join(tmpdir(), 'mailroute-not-mail-'));
    const image = join(ownData, 'scan.png');
    const letter = join(ownData, 'letter.txt');
    await writeFile(image, PIXEL_PNG);
    await writeFile(letter, PROSE);
    try {
      // Act
      const classified = await mailroute(['classify', '--json', image], ownData);
      const routed = await mailroute(['route', image, letter, 'examples/01-invitation.eml'], ownData);
      const held = await mailroute(['log', '--json', '--status', 'quarantined'], ownData);
      const ids = held.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { id: string; reasons: string[] });
      const imageId = ids.find((record) => record.reasons.includes('not-mail:binary'))?.id ?? 'none';
      const released = await mailroute(['release', imageId.slice(0, 9)], ownData);
      const shown = await mailroute(['show', imageId.slice(0, 9)], ownData);
      const resent = await mailroute(['resend', imageId.slice(0, 9)], ownData);
      const reconciled = await mailroute(['reconcile', '--grace-minutes', '0'], ownData);

      // Assess
      expect(classified.code, classified.stderr).toBe(0);
      expect(JSON.parse(classified.stdout)).toMatchObject({
        disposition: 'quarantine',
        recipients: [],
        reasons: expect.arrayContaining(['not-mail:no-headers', 'not-mail:binary']),
      });
      expect(classified.stderr).toContain(
        `warning: ${image} is not recognisable as mail (not-mail:no-headers, not-mail:binary)`,
      );
      expect(routed.code, routed.stderr).toBe(0);
      expect(routed.stderr).toMatch(
        new RegExp(`warning: ${image} is not recognisable as mail .*: quarantined, not forwarded`),
      );
      expect(routed.stderr).toContain(`warning: ${letter} is not recognisable as mail (not-mail:no-headers)`);
      expect(routed.stderr).not.toContain('01-invitation.eml is not');
      expect(ids).toHaveLength(2);
      expect(released.code, released.stderr).toBe(0);
      expect(released.stdout.split('\n')[0]).toMatch(/^ID +OUTCOME +STATUS +DETAIL$/);
      expect(released.stdout).toMatch(
        new RegExp(`^${imageId.slice(0, 12)} +released +forwarded +to triage-`, 'm'),
      );
      expect(released.stderr).toContain('1 message released by cli-test');
      expect(shown.stdout).toMatch(
        /^history +\S+ release by cli-test, was quarantined: .*not-mail:no-headers; not-mail:binary$/m,
      );
      expect(resent.code).toBe(1);
      expect(resent.stdout).toMatch(
        new RegExp(`^${imageId.slice(0, 12)} +not resent +SES confirmed the send`, 'm'),
      );
      expect(reconciled.code, reconciled.stderr).toBe(0);
      expect(reconciled.stdout).toBe('');
      expect(reconciled.stderr).toMatch(/^checked 3: re-driven 0, sent again 0/);
    } finally {
      await rm(ownData, { recursive: true, force: true });
    }
  });

  it('classify --json piped into head ends quietly', async () => {
    // Act
    const piped = await run('sh', ['-c', 'node bin/mailroute.js classify --json examples | head -1'], {});

    // Assess
    expect(piped.code).toBe(0);
    expect(JSON.parse(piped.stdout)).toHaveProperty('category');
    expect(piped.stderr).not.toMatch(/EPIPE|at .*\(/);
  });
});
