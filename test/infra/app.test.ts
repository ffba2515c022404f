import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/paths.js';

const run = promisify(execFile);

describe('infra/app.ts (the cdk.json app)', () => {
  it('stops with exit code 1 and one line per bad key, no stack trace, on a bad configuration', async () => {
    // Prepare: the CDK CLI hands context to the app in CDK_CONTEXT_JSON.
    const context = { mailroute: '{"retentionDays":0,"tlsPolicy":"Never"}' };

    // Act
    const failure = await run(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'infra/app.ts')], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, CDK_CONTEXT_JSON: JSON.stringify(context) },
      timeout: 60_000,
    }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );

    // Assess
    expect(failure?.code).toBe(1);
    expect(failure?.stderr.trim().split('\n')).toEqual([
      'mailroute configuration is invalid:',
      expect.stringMatching(/^mailroute\.retentionDays: /),
      expect.stringMatching(/^mailroute\.tlsPolicy: /),
    ]);
  });
});
