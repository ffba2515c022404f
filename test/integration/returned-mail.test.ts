// Issue #11: loops through people's mailboxes. One of our forwards that a group mailbox sends back to a
// functional address (as a new FW:/VB: message quoting it, or with it attached, without our marker
// header) is held, as is anything from the router's own sender; a person re-sending a message is not.
// Also: a sender with an internationalised domain keeps Reply-To; a non-ASCII local part does not.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitMessage } from '../../functions/core/header-block.js';
import { routeMessage } from '../../functions/route-mail/pipeline.js';
import { plainMessage, type Rig, type RigDeps, sentFor, startRig } from '../helpers/pipeline-rig.js';

const GROUP = 'internationella-enheten@stockholm.se';

/** The quoted header block each client writes above a forwarded message. */
const QUOTE_STYLES: Record<
  string,
  (from: string, subject: string) => { subject: string; body: string; html?: boolean }
> = {
  'Outlook (en)': (from, subject) => ({
    subject: `FW: ${subject}`,
    body: `Please see below.\r\n\r\n________________________________\r\nFrom: ${from}\r\nSent: Tuesday, December 1, 2026 10:12 AM\r\nTo: Internationella enheten <${GROUP}>\r\nSubject: ${subject}\r\n\r\nHello, I have a question about EU funding.\r\n`,
  }),
  'Outlook (sv)': (from, subject) => ({
    subject: `VB: ${subject}`,
    body: `Se nedan.\r\n\r\n________________________________\r\nFrån: ${from}\r\nSkickat: den 1 december 2026 10:12\r\nTill: Internationella enheten <${GROUP}>\r\nÄmne: ${subject}\r\n\r\nHej, jag har en fråga.\r\n`,
  }),
  'Exchange (sv, HTML only)': (from, subject) => ({
    subject: `VB: ${subject}`,
    html: true,
    body: `<html><body><p>Vidarebefordrar.</p><hr><div><b>Fr&aring;n:</b> ${from.replace(/</g, '&lt;').replace(/>/g, '&gt;')}<br><b>Skickat:</b> den 1 december 2026 10:12<br><b>Till:</b> ${GROUP}<br><b>&Auml;mne:</b> ${subject}</div><p>Hej, jag har en fr&aring;ga.</p></body></html>\r\n`,
  }),
  'Exchange (en, HTML only)': (from, subject) => ({
    subject: `FW: ${subject}`,
    html: true,
    body: `<html><body><p>Forwarding.</p><hr><div><b>From:</b> ${from.replace(/</g, '&lt;').replace(/>/g, '&gt;')}<br><b>Sent:</b> Tuesday, December 1, 2026 10:12 AM<br><b>To:</b> ${GROUP}<br><b>Subject:</b> ${subject}</div><p>Hello.</p></body></html>\r\n`,
  }),
  Gmail: (from, subject) => ({
    subject: `Fwd: ${subject}`,
    body: `---------- Forwarded message ---------\r\nFrom: ${from}\r\nDate: Tue, 1 Dec 2026 at 10:12\r\nSubject: ${subject}\r\nTo: <${GROUP}>\r\n\r\n\r\nHello, I have a question.\r\n`,
  }),
  'Apple Mail': (from, subject) => ({
    subject: `Fwd: ${subject}`,
    body: `\r\n\r\nBegin forwarded message:\r\n\r\nFrom: ${from}\r\nSubject: ${subject}\r\nDate: 1 December 2026 at 10:12:00 CET\r\nTo: ${GROUP}\r\n\r\nHello, I have a question.\r\n`,
  }),
};

describe("mail of ours that comes back through people's mailboxes", () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig();
  });

  afterAll(async () => {
    await rig.close();
  });

  /** Routes an ordinary EU question and returns the forward SES took, with its From and Subject. */
  async function oneForward(deps: RigDeps) {
    const original = await routeMessage(
      deps,
      await deps.deliver(
        plainMessage({
          subject: 'EU funding for a city project',
          body: 'Hello, we want to apply for Horizon Europe funding with the city of Stockholm.',
        }),
      ),
    );
    const raw = sentFor(rig.capture, original.messageId)[0]?.raw;
    if (!raw) throw new Error('the original was not forwarded');
    const parsed = await simpleParser(raw);
    const from = `${parsed.from?.value[0]?.name} <${parsed.from?.value[0]?.address}>`;
    return { raw, from, subject: parsed.subject ?? '' };
  }

  function message(from: string, subject: string, body: string, html = false, extra = ''): Buffer {
    return Buffer.from(
      `From: ${from}\r\nTo: EUinternational@stockholm.se\r\nSubject: ${subject}\r\nMessage-ID: <${Math.random()}@stockholm.se>\r\n${extra}MIME-Version: 1.0\r\nContent-Type: text/${html ? 'html' : 'plain'}; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${body}`,
    );
  }

  for (const [style, quote] of Object.entries(QUOTE_STYLES)) {
    it(`quarantines our forward quoted by a group mailbox, ${style} style, with no marker header`, async () => {
      // Prepare
      const deps = await rig.freshDeps();
      const forward = await oneForward(deps);
      const returned = quote(forward.from, forward.subject);

      // Act
      const back = await routeMessage(
        deps,
        await deps.deliver(
          message(`Internationella enheten <${GROUP}>`, returned.subject, returned.body, returned.html),
        ),
      );

      // Assess
      expect(forward.subject).toMatch(/^\[EU\] /);
      expect(back).toMatchObject({ status: 'quarantined', forwardedTo: [] });
      expect(back.reasons).toContain('loop: a group mailbox sent back one of our forwards (quoted)');
      expect(sentFor(rig.capture, back.messageId)).toHaveLength(0);
    });
  }

  it('quarantines our forward attached by a group mailbox (message/rfc822)', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const forward = await oneForward(deps);
    const boundary = 'b-attached-forward';
    const raw = Buffer.concat([
      Buffer.from(
        `From: ${GROUP}\r\nTo: EUinternational@stockholm.se\r\nSubject: FW: ${forward.subject}\r\nMessage-ID: <attached@stockholm.se>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the attached message.\r\n--${boundary}\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename="forward.eml"\r\n\r\n`,
      ),
      forward.raw,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);

    // Act
    const back = await routeMessage(deps, await deps.deliver(raw));

    // Assess
    expect(back).toMatchObject({ status: 'quarantined' });
    expect(back.reasons).toContain('loop: a group mailbox sent back one of our forwards (attached)');
  });

  for (const header of ['From', 'Sender', 'Return-Path']) {
    it(`quarantines mail whose ${header} is the router's own sender (a gateway stripped our headers)`, async () => {
      // Prepare
      const deps = await rig.freshDeps();
      const ours = `"Anna via EUinternational@stockholm.se" <${deps.config.routerSender}>`;
      const raw =
        header === 'From'
          ? plainMessage({ from: ours })
          : plainMessage({ extraHeaders: `${header}: <${deps.config.routerSender}>\r\n` });

      // Act
      const back = await routeMessage(deps, await deps.deliver(raw));

      // Assess
      expect(back).toMatchObject({ status: 'quarantined' });
      expect(back.reasons).toContain(`loop: ${header.toLowerCase()} is the router's own sender`);
    });
  }

  it('routes a forward a person sends from their own mailbox (re-routing by hand), and group mail that quotes nothing of ours', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const forward = await oneForward(deps);
    const returned = QUOTE_STYLES['Outlook (en)']?.(forward.from, forward.subject);
    if (!returned) throw new Error('no style');

    // Act
    const byPerson = await routeMessage(
      deps,
      await deps.deliver(message('Eva Ek <eva.ek@stockholm.se>', returned.subject, returned.body)),
    );
    const newFromGroup = await routeMessage(
      deps,
      await deps.deliver(
        message(
          `Internationella enheten <${GROUP}>`,
          '[EU] Horizon Europe call opens',
          'Hello, a new EU funding call for city projects opens in May.\r\n',
        ),
      ),
    );

    // Assess
    expect(byPerson.status).toBe('forwarded');
    expect(byPerson.reasons.filter((reason) => reason.startsWith('loop:'))).toEqual([]);
    expect(newFromGroup.status).toBe('forwarded');
  });

  it('keeps Reply-To for a sender with an internationalised domain, in its IDNA form', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const raw = plainMessage({ from: 'Åsa Öberg <asa@göteborg-eu.example>' });

    // Act
    const routed = await routeMessage(deps, await deps.deliver(raw));

    // Assess
    const sent = sentFor(rig.capture, routed.messageId)[0]?.raw ?? Buffer.alloc(0);
    const headers = splitMessage(sent).fields.map((field) => field.raw);
    expect(headers.find((line) => line.startsWith('Reply-To:'))).toMatch(
      /<asa@xn--gteborg-eu-[a-z0-9]+\.example>$/,
    );
    const parsed = await simpleParser(sent);
    expect(parsed.replyTo?.value[0]?.address).toMatch(
      /^asa@(göteborg-eu|xn--gteborg-eu-[a-z0-9]+)\.example$/,
    );
  });

  it('leaves Reply-To out for a non-ASCII local part (SMTPUTF8) and names the address for staff instead', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const raw = plainMessage({ from: 'Jörg Müller <jörg@example.de>' });

    // Act
    const routed = await routeMessage(deps, await deps.deliver(raw));

    // Assess
    const sent = sentFor(rig.capture, routed.messageId)[0]?.raw ?? Buffer.alloc(0);
    const parsed = await simpleParser(sent);
    expect(routed.status).toBe('forwarded');
    expect(parsed.replyTo).toBeUndefined();
    const shown = String(parsed.headers.get('x-original-from')).replace(
      /=\?UTF-8\?B\?([^?]*)\?=\s*/g,
      (_, base64: string) => Buffer.from(base64, 'base64').toString('utf8'),
    );
    expect(shown).toBe('jörg@example.de (not plain ASCII: reply by hand)');
    expect(
      /[^\x00-\x7f]/.test(
        splitMessage(sent)
          .fields.map((field) => field.raw)
          .join('\n'),
      ),
    ).toBe(false);
  });
});
