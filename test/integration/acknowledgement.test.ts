// Issue #14: external senders hear back. On dynalite and the SES capture server: a person's invitation
// gives one forward to its group and one acknowledgement to its authenticated sender; automated mail,
// list mail, quarantined mail, an unauthenticated sender and a second message within the period give
// none; retries, concurrent deliveries, SES errors and reconcile never send one twice.
import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmSendEvent } from '../../functions/confirm-send/confirm.js';
import { sesSendEvent } from '../../functions/confirm-send/send-event.js';
import type { CapturedEmail } from '../../functions/local/ses-capture-server.js';
import { reconcile } from '../../functions/reconcile/reconcile.js';
import { routeMessage } from '../../functions/route-mail/pipeline.js';
import type { RoutingRecord } from '../../functions/route-mail/ports.js';
import { ROUTING_ID_TAG, reopenForResend, SEND_KIND_TAG } from '../../functions/route-mail/routing-states.js';
import { messageWithAttachment } from '../helpers/mime.js';
import {
  Fault,
  faultyLog,
  plainMessage,
  type Rig,
  sentFor,
  serviceError,
  startRig,
  timeoutError,
} from '../helpers/pipeline-rig.js';

const INVITATION_SV = {
  subject: 'Inbjudan till borgarrådet: Nordiskt stadsforum i Göteborg',
  body: 'Hej! Vi vill gärna bjuda in finansborgarrådet att tala på Nordiskt stadsforum den 12 mars. Med vänliga hälsningar, Anna',
};
const INVITATION_EN = {
  subject: 'Invitation for the Mayor to speak at the Eurocities conference',
  body: 'Dear Sir or Madam, we would like to invite the Mayor of Stockholm to give the opening speech at our conference on 12 March. Kind regards, Anna',
};

/** The acknowledgements the capture server took for one routing id. */
function acknowledgementsFor(rig: Rig, routingId: string): CapturedEmail[] {
  return rig.capture.sent.filter(
    (email) =>
      email.tags[ROUTING_ID_TAG]?.[0] === routingId && email.tags[SEND_KIND_TAG]?.[0] === 'acknowledgement',
  );
}

describe('the acknowledgement to the sender', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig();
  });

  afterAll(async () => {
    await rig.close();
  });

  it('gives a Swedish invitation one forward to its group and one acknowledgement to its sender, Swedish first', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const raw = plainMessage({
      ...INVITATION_SV,
      extraHeaders: 'References: <earlier@example.org>\r\n',
    });

    // Act
    const result = await routeMessage(deps, await deps.deliver(raw));

    // Assess: the forward.
    expect(result.status).toBe('forwarded');
    const forwards = sentFor(rig.capture, result.messageId);
    expect(forwards).toHaveLength(1);
    expect(forwards[0]?.recipients).toEqual(deps.config.categories.invitation.group);
    // The acknowledgement: to the sender only, from the no-reply address, through the same tags.
    const acknowledgements = acknowledgementsFor(rig, result.messageId);
    expect(acknowledgements).toHaveLength(1);
    const [sent] = acknowledgements as [CapturedEmail];
    expect(sent.recipients).toEqual(['anna.svensson@example.org']);
    expect(sent.from).toBe('no-reply@stockholm.se');
    const parsed = await simpleParser(sent.raw);
    const originalId = /Message-ID: (<[^>]+>)/.exec(raw.toString())?.[1];
    expect(parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(parsed.inReplyTo).toBe(originalId);
    expect(parsed.references).toEqual(['<earlier@example.org>', originalId]);
    expect(parsed.subject).toBe(`Mottagningsbekräftelse / Acknowledgement: ${INVITATION_SV.subject}`);
    expect(parsed.from?.value).toEqual([
      { name: 'EUinternational@stockholm.se', address: 'no-reply@stockholm.se' },
    ]);
    expect(parsed.replyTo?.value.map((entry) => entry.address)).toEqual(['EUinternational@stockholm.se']);
    expect(parsed.attachments).toEqual([]);
    const text = parsed.text ?? '';
    expect(text.indexOf('Svenska')).toBeLessThan(text.indexOf('English'));
    expect(text).toContain(`referensen ${result.messageId.slice(0, 12)}`);
    expect(text).toContain('Allmän handling');
    expect(text).toContain('Public records');
    expect(text).not.toContain('finansborgarrådet');
    // The record says so, with SES's message id.
    const record = await deps.log.get(result.messageId);
    expect(record).toMatchObject({ acknowledgement: 'sent', acknowledgementSesMessageId: sent.messageId });
    expect(result.acknowledgement).toBe('sent');
  });

  it('writes English first for a message in English', async () => {
    // Prepare
    const deps = await rig.freshDeps();

    // Act
    const result = await routeMessage(deps, await deps.deliver(plainMessage(INVITATION_EN)));

    // Assess
    const [sent] = acknowledgementsFor(rig, result.messageId);
    const parsed = await simpleParser(sent?.raw ?? Buffer.alloc(0));
    expect(parsed.subject).toBe(`Acknowledgement / Mottagningsbekräftelse: ${INVITATION_EN.subject}`);
    expect((parsed.text ?? '').indexOf('English')).toBeLessThan((parsed.text ?? '').indexOf('Svenska'));
  });

  it.each([
    ['an auto-reply', { extraHeaders: 'Auto-Submitted: auto-replied\r\n' }, {}, 'suppressed'],
    ['a list message', { extraHeaders: 'List-Id: <eurocities.lists.example.org>\r\n' }, {}, 'forwarded'],
    ['bulk mail', { extraHeaders: 'Precedence: bulk\r\n' }, {}, 'forwarded'],
    ['a no-reply sender', { from: 'Newsletter <no-reply@example.org>' }, {}, 'forwarded'],
    ['spam (quarantined)', {}, { spamVerdict: { status: 'FAIL' } }, 'quarantined'],
    [
      'DMARC FAIL',
      {},
      { dmarcVerdict: { status: 'FAIL' }, dmarcPolicy: 'none', spfVerdict: { status: 'FAIL' } },
      'forwarded',
    ],
    [
      'SPF and DKIM for another domain',
      { extraHeaders: 'DKIM-Signature: v=1; d=mailer.example.net; s=x; b=abc\r\n' },
      { dmarcVerdict: { status: 'GRAY' } },
      'forwarded',
    ],
  ])('sends nothing to the sender of %s', async (_name, message, receipt, status) => {
    // Prepare
    const deps = await rig.freshDeps();

    // Act
    const result = await routeMessage(
      deps,
      await deps.deliver(plainMessage({ ...INVITATION_EN, ...message }), { receipt }),
    );

    // Assess
    expect(result.status).toBe(status);
    expect(acknowledgementsFor(rig, result.messageId)).toEqual([]);
    const record = await deps.log.get(result.messageId);
    expect(record?.acknowledgement).toBe('skipped');
    expect(record?.acknowledgementReason).toBeTruthy();
  });

  it('answers SPF and DKIM both passing for the sender’s own domain when DMARC is not known', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const raw = plainMessage({
      ...INVITATION_EN,
      extraHeaders: 'DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=sel; b=abc\r\n',
    });

    // Act
    const result = await routeMessage(
      deps,
      await deps.deliver(raw, {
        envelopeFrom: 'bounces@example.org',
        receipt: { dmarcVerdict: { status: 'GRAY' } },
      }),
    );

    // Assess
    expect(acknowledgementsFor(rig, result.messageId)).toHaveLength(1);
  });

  it('sends one per sender and address in the period, counted atomically, and again after it', async () => {
    // Prepare
    let now = new Date('2026-12-02T09:00:00Z');
    const deps = await rig.freshDeps({ now: () => now });
    const messages = Array.from({ length: 4 }, (_, index) =>
      plainMessage({ ...INVITATION_EN, subject: `${INVITATION_EN.subject} (${index})` }),
    );

    // Act: four messages at once, then one at another address, then one a day later.
    const first = await Promise.all(messages.map(async (raw) => routeMessage(deps, await deps.deliver(raw))));
    const elsewhere = await routeMessage(
      deps,
      await deps.deliver(plainMessage(INVITATION_EN), { to: 'protocol@stockholm.se' }),
    );
    now = new Date('2026-12-03T09:30:00Z');
    const nextDay = await routeMessage(deps, await deps.deliver(plainMessage(INVITATION_EN)));

    // Assess
    expect(first.map((result) => result.status)).toEqual([
      'forwarded',
      'forwarded',
      'forwarded',
      'forwarded',
    ]);
    expect(first.flatMap((result) => acknowledgementsFor(rig, result.messageId))).toHaveLength(1);
    const records = await Promise.all(first.map((result) => deps.log.get(result.messageId)));
    expect(records.filter((record) => record?.acknowledgement === 'skipped')).toHaveLength(3);
    expect(records.find((record) => record?.acknowledgement === 'skipped')?.acknowledgementReason).toMatch(
      /24 h/,
    );
    expect(acknowledgementsFor(rig, elsewhere.messageId)).toHaveLength(1);
    expect(acknowledgementsFor(rig, nextDay.messageId)).toHaveLength(1);
  });

  it('never sends one twice: a repeated delivery, five at once, and a forced resend of the forward', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const notification = await deps.deliver(plainMessage(INVITATION_EN));

    // Act
    await routeMessage(deps, notification);
    await routeMessage(deps, notification);
    await Promise.all(Array.from({ length: 5 }, () => routeMessage(deps, notification)));
    const forwarded = (await deps.log.get(notification.mail.messageId)) as RoutingRecord;
    const reopened = await reopenForResend(deps.log, forwarded, new Date(), { force: true });
    const resent = await routeMessage(deps, notification);

    // Assess: the forward went twice (forced), the acknowledgement once.
    expect(reopened).toBe(true);
    expect(resent.status).toBe('forwarded');
    expect(sentFor(rig.capture, notification.mail.messageId)).toHaveLength(2);
    expect(acknowledgementsFor(rig, notification.mail.messageId)).toHaveLength(1);
    expect((await deps.log.get(notification.mail.messageId))?.acknowledgement).toBe('sent');
  });

  it('leaves it due after SES asked to retry, and the retry sends it once', async () => {
    // Prepare: SES answers 503 once, to the acknowledgement (the forward went through first). The
    // message is stored through `base`: `deps` shares its store and log.
    const base = await rig.freshDeps();
    const fault = new Fault(1, () => serviceError('ServiceUnavailable', 503));
    const deps = await rig.freshDeps({
      log: base.log,
      store: base.store,
      sender: {
        send: async (mail) => {
          if (mail.kind === 'acknowledgement') fault.fire();
          return base.sender.send(mail);
        },
      },
    });
    const notification = await base.deliver(plainMessage(INVITATION_EN));

    // Act
    const first = await routeMessage(deps, notification);
    const afterFailure = await deps.log.get(notification.mail.messageId);
    const retry = await routeMessage(deps, notification);

    // Assess
    expect(first).toMatchObject({ status: 'forwarded', acknowledgement: 'due' });
    expect(afterFailure?.acknowledgement).toBe('due');
    expect(retry).toMatchObject({ duplicate: true, acknowledgement: 'sent' });
    expect(acknowledgementsFor(rig, notification.mail.messageId)).toHaveLength(1);
    expect(sentFor(rig.capture, notification.mail.messageId)).toHaveLength(1);
  });

  it('never sends again one whose SES call got no answer, not on retry nor by reconcile', async () => {
    // Prepare
    const base = await rig.freshDeps();
    const deps = await rig.freshDeps({
      log: base.log,
      store: base.store,
      sender: {
        send: async (mail) => {
          if (mail.kind === 'acknowledgement') throw timeoutError();
          return base.sender.send(mail);
        },
      },
    });
    const notification = await base.deliver(plainMessage(INVITATION_EN));

    // Act
    const first = await routeMessage(deps, notification);
    await routeMessage(base, notification);
    const report = await reconcile({
      config: { ...deps.config, reconcile: { ...deps.config.reconcile, graceMinutes: 1 } },
      store: deps.store,
      log: deps.log,
      now: () => new Date(Date.now() + 3_600_000),
      redrive: async (redriven) => {
        await routeMessage(base, redriven);
      },
    });

    // Assess
    expect(first.acknowledgement).toBe('sending');
    expect(report.acknowledged).toEqual([]);
    expect(acknowledgementsFor(rig, notification.mail.messageId)).toEqual([]);
    expect((await deps.log.get(notification.mail.messageId))?.acknowledgement).toBe('sending');
  });

  it('sends by reconcile one left due by a crash between the forward and the acknowledgement', async () => {
    // Prepare: the slot write fails once (the router died there, as far as the record can tell).
    const base = await rig.freshDeps();
    const deps = await rig.freshDeps({
      store: base.store,
      log: faultyLog(base.log, new Fault(1, () => serviceError('InternalServerError', 500)), [
        'reserveAcknowledgement',
      ]),
    });
    const notification = await base.deliver(plainMessage(INVITATION_EN));

    // Act
    const first = await routeMessage(deps, notification);
    const report = await reconcile({
      config: { ...deps.config, reconcile: { ...deps.config.reconcile, graceMinutes: 1 } },
      store: deps.store,
      log: deps.log,
      now: () => new Date(Date.now() + 3_600_000),
      redrive: async (redriven) => {
        await routeMessage(deps, redriven);
      },
    });
    const again = await reconcile({
      config: { ...deps.config, reconcile: { ...deps.config.reconcile, graceMinutes: 1 } },
      store: deps.store,
      log: deps.log,
      now: () => new Date(Date.now() + 3_600_000),
      redrive: async (redriven) => {
        await routeMessage(deps, redriven);
      },
    });

    // Assess
    expect(first.status).toBe('forwarded');
    expect(first.acknowledgement).toBeUndefined();
    expect(report.acknowledged).toEqual([notification.mail.messageId]);
    expect(again.acknowledged).toEqual([]);
    expect(acknowledgementsFor(rig, notification.mail.messageId)).toHaveLength(1);
    expect(sentFor(rig.capture, notification.mail.messageId)).toHaveLength(1);
  });

  it('keeps an acknowledgement’s Send event apart from the forward’s', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const result = await routeMessage(deps, await deps.deliver(plainMessage(INVITATION_EN)));
    const [acknowledgement] = acknowledgementsFor(rig, result.messageId);
    const before = await deps.log.get(result.messageId);

    // Act
    const outcome = await confirmSendEvent(
      deps,
      sesSendEvent({
        sesMessageId: acknowledgement?.messageId ?? '',
        at: new Date(),
        from: acknowledgement?.from,
        recipients: acknowledgement?.recipients ?? [],
        tags: acknowledgement?.tags ?? {},
      }),
    );

    // Assess: the forward's SES id is untouched; no "second send" of the message.
    expect(outcome).toBe('already');
    const after = await deps.log.get(result.messageId);
    expect(after?.sesMessageId).toBe(before?.sesMessageId);
    expect(after?.acknowledgementSesMessageId).toBe(acknowledgement?.messageId);
  });

  it('sends none for an address whose acknowledgements are off', async () => {
    // Prepare
    const deps = await rig.freshDeps({
      configOverrides: {
        functionalAddresses: [
          {
            address: 'EUinternational@stockholm.se',
            triageGroup: ['triage-euinternational@stockholm.se'],
            acknowledgement: { enabled: false },
          },
        ],
      },
    });

    // Act
    const result = await routeMessage(deps, await deps.deliver(plainMessage(INVITATION_EN)));

    // Assess
    expect(result.status).toBe('forwarded');
    expect(acknowledgementsFor(rig, result.messageId)).toEqual([]);
    expect((await deps.log.get(result.messageId))?.acknowledgementReason).toBe(
      'acknowledgements are off for this address',
    );
  });

  it('forwards a large message written over by its own base64, byte for byte, and then acknowledges it', async () => {
    // Prepare: 1.5 MB with a zip, large enough that the SES request is written over the message
    const raw = messageWithAttachment({
      id: `in-place-${process.pid}`,
      content: randomBytes(1_100_000),
      from: 'Anna Svensson <anna.svensson@example.org>',
      subject: INVITATION_SV.subject,
      body: INVITATION_SV.body,
      contentType: 'application/zip',
      filename: 'bilder.zip',
    });
    const writtenInPlace: boolean[] = [];
    const base = await rig.freshDeps();
    const deps = await rig.freshDeps({
      sender: {
        send: (mail) =>
          base.sender.send({
            ...mail,
            ...(mail.base64InPlace
              ? {
                  base64InPlace: (before: Uint8Array, after: Uint8Array) => {
                    const framed = mail.base64InPlace?.(before, after);
                    writtenInPlace.push(framed !== undefined);
                    return framed;
                  },
                }
              : {}),
          }),
      },
    });

    // Act
    const result = await routeMessage(deps, await deps.deliver(raw));

    // Assess: the forward carries the original body unchanged, sent from the message's own memory;
    // the acknowledgement, built after it, is whole
    expect(result).toMatchObject({ status: 'forwarded', acknowledgement: 'sent' });
    const [forward] = sentFor(rig.capture, result.messageId);
    const bodyOf = (bytes: Buffer) => bytes.subarray(bytes.indexOf('\r\n\r\n'));
    expect(forward && bodyOf(forward.raw).equals(bodyOf(raw))).toBe(true);
    expect(writtenInPlace).toEqual([true]);
    const [acknowledgement] = acknowledgementsFor(rig, result.messageId);
    const parsed = await simpleParser(acknowledgement?.raw ?? Buffer.alloc(0));
    expect(parsed.subject).toBe(`Mottagningsbekräftelse / Acknowledgement: ${INVITATION_SV.subject}`);
  });
});
