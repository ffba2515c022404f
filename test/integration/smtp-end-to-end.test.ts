import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localMessageId } from '../../functions/local/local-router.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { isAcknowledgement } from '../helpers/pipeline-rig.js';
import { startTestStack, type TestStack } from './local-stack.js';

/** Every byte value, so any re-encoding or line-ending change on the way would show. */
const attachment = Buffer.from(Array.from({ length: 256 * 64 }, (_, index) => index % 256));

const invitation = {
  from: 'Anna Berg <anna.berg@example.org>',
  to: 'EUinternational@stockholm.se',
  subject: 'Invitation: keynote by the Mayor of Stockholm at the Nordic Cities Summit 2027',
  text: [
    'Dear Sir or Madam,',
    '',
    'On behalf of the organising committee we have the honour to invite the Mayor of Stockholm',
    'to deliver the opening keynote at the Nordic Cities Summit 2027 in Copenhagen on 3-4 March 2027.',
    '',
    'Kind regards,',
    'Anna Berg',
  ].join('\n'),
  attachments: [{ filename: 'programme.bin', content: attachment, contentType: 'application/octet-stream' }],
};

describe('mailroute local stack, SMTP to forward', () => {
  let env: TestStack;

  beforeAll(async () => {
    env = await startTestStack();
  });

  afterAll(async () => {
    await env.close();
  });

  it('logs an SMTP message and forwards it to the category group with tag, Reply-To and the attachment intact', async () => {
    // Prepare
    const sentBefore = env.capture.sent.length;

    // Act
    await env.smtp.sendMail(invitation);

    // Assess: one forward, and one acknowledgement to the sender (PASS on loopback, see local-verdicts.ts).
    const sends = env.capture.sent.slice(sentBefore);
    const forwards = sends.filter((email) => !isAcknowledgement(email.raw));
    expect(forwards).toHaveLength(1);
    const acknowledgements = sends.filter((email) => isAcknowledgement(email.raw));
    expect(acknowledgements.map((email) => email.recipients)).toEqual([['anna.berg@example.org']]);
    const acknowledgement = await simpleParser(acknowledgements[0]?.raw ?? Buffer.alloc(0));
    expect(acknowledgement.headers.get('auto-submitted')).toBe('auto-replied');
    expect(acknowledgement.subject).toMatch(/^(Mottagningsbekräftelse|Acknowledgement) \/ /);
    const [forward] = forwards;
    expect(forward?.recipients).toEqual(env.config.categories.invitation.group);
    expect(forward?.from).toBe(env.config.routerSender);
    const received = await simpleParser(forward?.raw ?? Buffer.alloc(0));
    expect(received.subject).toBe(`${env.config.categories.invitation.tag} ${invitation.subject}`);
    expect(received.replyTo?.value.map((address) => address.address)).toEqual(['anna.berg@example.org']);
    expect(received.from?.value[0]?.address).toBe(env.config.routerSender);
    expect(received.attachments).toHaveLength(1);
    expect(received.attachments[0]?.filename).toBe('programme.bin');
    expect(Buffer.compare(received.attachments[0]?.content ?? Buffer.alloc(0), attachment)).toBe(0);

    const outcome = env.outcomes.at(-1);
    expect(outcome?.ok).toBe(true);
    const id = outcome?.ok ? outcome.result.messageId : '';
    const record = await env.stack.router.deps.log.get(id);
    expect(record).toMatchObject({
      status: 'forwarded',
      category: 'invitation',
      functionalAddress: 'EUinternational@stockholm.se',
      senderDomain: 'example.org',
      recipients: env.config.categories.invitation.group,
      confirmedAt: expect.any(String),
    });
    // The SES stand-in kept the send as one raw file, named by the SES message id on the record.
    const sentFiles = readdirSync(env.stack.sentDir).filter((name) =>
      name.endsWith(`-${record?.sesMessageId}.eml`),
    );
    expect(sentFiles).toHaveLength(1);
    const sentRaw = readFileSync(join(env.stack.sentDir, sentFiles[0] ?? ''));
    expect(sentRaw.includes(`X-Mailroute-Id: ${id}`)).toBe(true);
    expect(
      sentRaw
        .subarray(sentRaw.indexOf('\r\n\r\n'))
        .equals(forward?.raw.subarray(forward.raw.indexOf('\r\n\r\n')) ?? Buffer.alloc(0)),
    ).toBe(true);
    // The log is operational data: no subject text, no body, no full sender address.
    const logged = JSON.stringify(record);
    expect(logged).not.toContain('Nordic Cities');
    expect(logged).not.toContain('anna.berg');
  });

  it('stores the raw bytes as received, under the functional address and their SHA-256', async () => {
    // Prepare
    const raw = readFileSync(join(REPO_ROOT, 'test/fixtures/mail/multipart-protocol-visit.eml'));

    // Act
    await env.smtp.sendMail({ envelope: { from: 'x@embassy.example', to: ['protocol@stockholm.se'] }, raw });

    // Assess
    const outcome = env.outcomes.at(-1);
    expect(outcome?.location).toEqual({
      bucket: 'mail',
      key: `inbound/protocol@stockholm.se/${localMessageId(raw)}`,
    });
    const chunks: Uint8Array[] = [];
    const stored = await env.stack.router.store.open(outcome?.location ?? { bucket: '', key: '' });
    for await (const chunk of stored.content) {
      chunks.push(chunk);
    }
    expect(Buffer.concat(chunks).equals(raw)).toBe(true);
  });

  it('routes the same bytes once however often they arrive', async () => {
    // Prepare
    const raw = readFileSync(join(REPO_ROOT, 'test/fixtures/mail/html-only-eu-call.eml'));
    const envelope = { from: 'partners@eu-projects.example', to: ['EUinternational@stockholm.se'] };
    const sentBefore = env.capture.sent.length;

    // Act
    await env.smtp.sendMail({ envelope, raw });
    await env.smtp.sendMail({ envelope, raw });

    // Assess
    const [first, second] = env.outcomes.slice(-2);
    expect(first?.ok && first.result.duplicate).toBe(false);
    expect(second?.ok && second.result.duplicate).toBe(true);
    const forwards = env.capture.sent.slice(sentBefore).filter((email) => !isAcknowledgement(email.raw));
    expect(forwards).toHaveLength(1);
    expect(forwards[0]?.recipients).toEqual(env.config.categories.eu_matter.group);
  });

  it('routes a message sent to two functional addresses once, as the first of them', async () => {
    // Prepare
    const raw = readFileSync(join(REPO_ROOT, 'test/fixtures/mail/plain-invitation.eml'));
    const sentBefore = env.capture.sent.length;

    // Act
    await env.smtp.sendMail({
      envelope: {
        from: 'anna.berg@example.org',
        to: ['kommunstyrelsen@stockholm.se', 'EUinternational@stockholm.se'],
      },
      raw,
    });

    // Assess
    expect(env.capture.sent.slice(sentBefore).filter((email) => !isAcknowledgement(email.raw))).toHaveLength(
      1,
    );
    const outcome = env.outcomes.at(-1);
    const record = await env.stack.router.deps.log.get(outcome?.ok ? outcome.result.messageId : '');
    expect(record?.functionalAddress).toBe('kommunstyrelsen@stockholm.se');
  });

  it('logs automated mail and forwards nothing', async () => {
    // Prepare
    const raw = readFileSync(join(REPO_ROOT, 'test/fixtures/mail/automated-out-of-office.eml'));
    const sentBefore = env.capture.sent.length;

    // Act
    await env.smtp.sendMail({ envelope: { from: '', to: ['kommunstyrelsen@stockholm.se'] }, raw });

    // Assess
    expect(env.capture.sent.length).toBe(sentBefore);
    const outcome = env.outcomes.at(-1);
    expect(outcome?.ok && outcome.result).toMatchObject({
      automated: true,
      status: 'suppressed',
      forwardedTo: [],
    });
  });

  it('refuses recipients that are not configured functional addresses with 550', async () => {
    // Prepare
    const accepted = env.outcomes.length;

    // Act
    const sending = env.smtp.sendMail({ ...invitation, to: 'someone@elsewhere.example' });

    // Assess
    await expect(sending).rejects.toMatchObject({ responseCode: 550 });
    expect(env.outcomes.length).toBe(accepted);
  });
});
