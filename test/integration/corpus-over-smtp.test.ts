import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../../functions/core/parse.js';
import { functionalAddressOf } from '../../functions/local/recipients.js';
import { CORPUS_ABSENT_NOTE, DEV_CORPUS, hasDevCorpus, readLabels } from '../helpers/corpus.js';
import { isAcknowledgement } from '../helpers/pipeline-rig.js';
import { startTestStack, type TestStack } from './local-stack.js';

describe.runIf(hasDevCorpus)('mailroute local stack with the dev corpus over SMTP', () => {
  let env: TestStack;

  beforeAll(async () => {
    env = await startTestStack();
  });

  afterAll(async () => {
    await env?.close();
  });

  it('logs all 120 messages and forwards exactly the ones people wrote, each to a group with a tag', async () => {
    // Prepare
    const labels = readLabels();
    const tags = [...Object.values(env.config.categories).map((route) => route.tag)];

    // Act
    for (const label of labels) {
      const raw = readFileSync(join(DEV_CORPUS, label.file));
      const to = functionalAddressOf(env.config, await parseMail(raw));
      await env.smtp.sendMail({ envelope: { from: 'sender@example.org', to: [to] }, raw });
    }

    // Assess
    expect(env.outcomes).toHaveLength(labels.length);
    const failed = env.outcomes.filter((outcome) => !outcome.ok);
    expect(failed).toEqual([]);
    const records = await env.stack.router.deps.log.list({});
    expect(records).toHaveLength(120);
    const suppressedFiles = labels.filter((_, index) => {
      const outcome = env.outcomes[index];
      return outcome?.ok && outcome.result.status === 'suppressed';
    });
    expect(suppressedFiles.map((label) => label.file)).toEqual(
      labels.filter((label) => label.automated).map((label) => label.file),
    );
    expect(records.filter((record) => record.status === 'forwarded')).toHaveLength(108);
    // Acknowledgements to the senders (issue #14) are counted apart: one per sender and address a day.
    const forwards = env.capture.sent.filter((email) => !isAcknowledgement(email.raw));
    expect(forwards).toHaveLength(108);
    for (const forward of forwards) {
      expect(forward.recipients.length).toBeGreaterThan(0);
      expect(forward.recipients.every((address) => address.endsWith('@stockholm.se'))).toBe(true);
      const { subject } = await simpleParser(forward.raw);
      expect(tags.some((tag) => subject?.startsWith(`${tag} `))).toBe(true);
    }
  }, 180_000);
});

describe.runIf(!hasDevCorpus)('mailroute local stack with the dev corpus (absent)', () => {
  it('needs ../shared/corpus/dev', () => {
    expect(CORPUS_ABSENT_NOTE).toContain('absent');
  });
});
