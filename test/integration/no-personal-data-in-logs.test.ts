// Promise 10 of issue #5: no personal data in logs. The corpus goes through the handler with the real
// Powertools Logger (as wired in Lambda), including failures and retries, and everything it writes is
// searched for the subjects, body text and full addresses of the corpus.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHandler, powertoolsPipelineLogger } from '../../functions/route-mail/handler.js';
import { CORPUS_ABSENT_NOTE, DEV_CORPUS, hasDevCorpus } from '../helpers/corpus.js';
import { Fault, faultySender, type Rig, serviceError, sqsEvent, startRig } from '../helpers/pipeline-rig.js';

/** What a corpus message holds that must never reach a log: subject, body lines, full addresses. */
async function secretsOf(raw: Buffer): Promise<string[]> {
  const parsed = await simpleParser(raw);
  const addresses = [parsed.from, parsed.to, parsed.cc, parsed.replyTo]
    .flatMap((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]))
    .flatMap((object) => object.value)
    .map((entry) => entry.address ?? '')
    .filter((address) => address.includes('@') && !address.toLowerCase().endsWith('@stockholm.se'));
  const subject = (parsed.subject ?? '').trim();
  const bodyLines = (parsed.text ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length >= 25);
  return [...addresses, ...(subject.length >= 8 ? [subject] : []), ...bodyLines.slice(0, 20)];
}

describe('logs of a corpus run', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig();
  });

  afterAll(async () => {
    await rig.close();
    vi.restoreAllMocks();
  });

  it.runIf(hasDevCorpus)(
    'hold no subject, body text or full address from the corpus',
    { timeout: 180_000 },
    async () => {
      // Prepare: DEBUG, so nothing is hidden by the level; SES fails the first sends, so error paths log too.
      const files = readdirSync(DEV_CORPUS)
        .filter((name) => name.endsWith('.eml'))
        .sort();
      const raws = files.map((name) => readFileSync(join(DEV_CORPUS, name)));
      const written: string[] = [];
      const capture = (chunk: string | Uint8Array) => {
        written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return true;
      };
      const deps = await rig.freshDeps();
      const powertools = new Logger({ serviceName: 'mailroute', logLevel: 'DEBUG' });
      const handle = createHandler({
        ...deps,
        logger: powertoolsPipelineLogger(powertools),
        sender: faultySender(
          deps.sender,
          new Fault(10, () => serviceError('Throttling', 400, 'Rate exceeded')),
        ),
      });
      const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(capture);

      // Act
      try {
        for (const raw of raws) {
          const event = sqsEvent(await deps.deliver(raw));
          const { batchItemFailures } = await handle(event);
          if (batchItemFailures.length > 0) await handle(event);
        }
      } finally {
        stdout.mockRestore();
        stderr.mockRestore();
      }

      // Assess
      const output = written.join('');
      const lines = output.split('\n').filter((line) => line.trim());
      expect(lines.length).toBeGreaterThanOrEqual(raws.length);
      expect(lines.some((line) => JSON.parse(line).level === 'ERROR')).toBe(true);
      const leaks: string[] = [];
      for (const [index, raw] of raws.entries()) {
        for (const secret of await secretsOf(raw)) {
          if (output.includes(secret)) leaks.push(`${files[index]}: ${secret.slice(0, 60)}`);
        }
      }
      expect(leaks).toEqual([]);
    },
  );

  it.runIf(!hasDevCorpus)(CORPUS_ABSENT_NOTE, () => {
    expect(hasDevCorpus).toBe(false);
  });
});
