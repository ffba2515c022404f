import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import libmime from 'libmime';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { parseRouterConfig } from '../../functions/config/schema.js';
import { decide } from '../../functions/core/decide.js';
import { forwardMessage, shortReasons, taggedSubject } from '../../functions/core/forward-message.js';
import { splitMessage } from '../../functions/core/header-block.js';
import { parseMail } from '../../functions/core/parse.js';
import type { Classification } from '../../functions/core/types.js';
import { fixture, REPO_ROOT } from '../helpers/corpus.js';

const config = parseRouterConfig({});
const invitation: Classification = {
  category: 'invitation',
  confidence: 0.93,
  reasons: ['subject:"inbjudan"', 'body:"bjuda in"'],
};

async function forwardOf(
  raw: Uint8Array,
  classification = invitation,
  functionalAddress = 'protocol@stockholm.se',
) {
  const mail = await parseMail(raw);
  const decision = decide(
    { classification, automated: { automated: false, reasons: [] }, functionalAddress },
    config,
  );
  return forwardMessage({
    raw,
    mail,
    classification,
    decision,
    functionalAddress,
    routerSender: config.routerSender,
    routingId: 'abc123',
    loopMarker: 'v1 abc123 0000',
  });
}

describe('forwardMessage', () => {
  it('matches the golden forward of a multipart invitation with an attachment', async () => {
    // Prepare
    const goldenPath = join(REPO_ROOT, 'test/fixtures/core/invitation-with-attachment.forwarded.eml');

    // Act
    const forwarded = Buffer.from(await forwardOf(fixture('core/invitation-with-attachment.eml')));

    // Assess: regenerate with UPDATE_GOLDEN=1 after a deliberate change, and review the diff.
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(goldenPath, forwarded);
    expect(existsSync(goldenPath)).toBe(true);
    expect(forwarded.toString('latin1')).toBe(readFileSync(goldenPath).toString('latin1'));
  });

  it('keeps the body and attachment bytes exactly as they were', async () => {
    const raw = fixture('core/invitation-with-attachment.eml');

    const forwarded = await forwardOf(raw);

    expect(Buffer.from(splitMessage(forwarded).body).equals(Buffer.from(splitMessage(raw).body))).toBe(true);
    const reparsed = await simpleParser(Buffer.from(forwarded));
    const original = await simpleParser(raw);
    expect(reparsed.attachments[0]?.content.equals(original.attachments[0]?.content ?? Buffer.alloc(1))).toBe(
      true,
    );
  });

  it('rewrites From, sets Reply-To to the original Reply-To, To to the group and tags the subject', async () => {
    const reparsed = await simpleParser(
      Buffer.from(await forwardOf(fixture('core/invitation-with-attachment.eml'))),
    );

    expect(reparsed.from?.value).toEqual([
      { name: 'Ingrid Åkesson via protocol@stockholm.se', address: 'mailroute@stockholm.se' },
    ]);
    expect(reparsed.replyTo?.value).toEqual([{ name: 'Events Office', address: 'events@example.org' }]);
    expect(reparsed.to).toMatchObject({ value: [{ address: 'internationella-beredningen@stockholm.se' }] });
    expect(reparsed.subject).toBe('[Inbjudan] Inbjudan till konferens om städer');
    expect(reparsed.cc).toBeUndefined();
    expect(reparsed.headers.get('x-original-to')).toBeDefined();
    expect(reparsed.headers.get('x-mailroute-category')).toBe('invitation');
    expect(reparsed.headers.get('x-mailroute-confidence')).toBe('0.93');
    expect(reparsed.headers.get('x-mailroute-id')).toBe('abc123');
    expect(reparsed.headers.get('auto-submitted')).toBe('auto-forwarded');
  });

  it('removes DKIM-Signature, Return-Path, Sender, Message-ID, read-receipt requests and forged X-Mailroute headers', async () => {
    const forwarded = Buffer.from(await forwardOf(fixture('core/invitation-with-attachment.eml')));
    const names = splitMessage(forwarded).fields.map((field) => field.lowerName);

    for (const removed of [
      'dkim-signature',
      'return-path',
      'sender',
      'message-id',
      'disposition-notification-to',
      'cc',
    ]) {
      expect(names).not.toContain(removed);
    }
    expect(names.filter((name) => name === 'x-mailroute-category')).toHaveLength(1);
    expect(names).toContain('received');
    expect(names).toContain('content-type');
  });

  it('uses the From address as Reply-To when there is no Reply-To', async () => {
    const raw = Buffer.from(
      'From: Jan <jan@example.com>\r\nTo: protocol@stockholm.se\r\nSubject: Hi\r\n\r\nBody',
    );

    const reparsed = await simpleParser(Buffer.from(await forwardOf(raw)));

    expect(reparsed.replyTo?.value).toEqual([{ name: 'Jan', address: 'jan@example.com' }]);
  });

  it('keeps a message with LF-only lines and no final newline to its last byte', async () => {
    const raw = fixture('core/lf-only-no-final-newline.eml');

    const forwarded = Buffer.from(await forwardOf(raw));

    expect(forwarded.toString('latin1').endsWith('\r\n\r\nBody line one\nBody line two')).toBe(true);
  });

  it('writes a header block even for a message that is only body', async () => {
    const raw = Buffer.from('just some text\r\nwith no headers at all\r\n');

    const forwarded = Buffer.from(await forwardOf(raw));
    const reparsed = await simpleParser(forwarded);

    expect(reparsed.subject).toBe('[Inbjudan]');
    expect(reparsed.text).toContain('with no headers at all');
  });

  it('never lets a decoded CR, LF or NUL start a new header', async () => {
    const raw = Buffer.from(
      'From: =?utf-8?Q?Evil=0D=0ABcc:_victim@example.com?= <evil@example.com>\r\nTo: protocol@stockholm.se\r\nSubject: =?utf-8?Q?hi=0D=0ABcc:_victim@example.com=00?=\r\n\r\nBody',
    );

    const forwarded = Buffer.from(await forwardOf(raw));
    const reparsed = await simpleParser(forwarded);

    expect(reparsed.bcc).toBeUndefined();
    expect(reparsed.headers.has('bcc')).toBe(false);
    expect(reparsed.subject).toBe('[Inbjudan] hi Bcc: victim@example.com');
  });
});

describe('taggedSubject', () => {
  it('leaves out Resent-Bcc and Delivered-To, and writes every kept header as SES takes it: 7-bit, no bare CR, lines of 998 or less', async () => {
    // Prepare: header lines SES (no SMTPUTF8, lines of 1,000 with CRLF) could refuse on every retry
    const longReferences = Array.from(
      { length: 60 },
      (_, n) => `<message-${n}-abcdefghij@mail.example.org>`,
    ).join(' ');
    const longToken = `x${'y'.repeat(1200)}`;
    const raw = Buffer.concat([
      Buffer.from(
        [
          'From: Anna <anna@example.org>',
          'To: protocol@stockholm.se',
          'Subject: Inbjudan',
          'Resent-Bcc: hidden@example.org',
          'Resent-From: desk@example.org',
          'Delivered-To: protocol@stockholm.se',
          'X-Note: before\rafter',
          `References: ${longReferences}`,
          `X-Long-Token: ${longToken}`,
          `Received: from host (${longToken})`,
          'Content-Type: text/plain; charset=utf-8',
          '',
        ].join('\r\n'),
        'latin1',
      ),
      Buffer.from(
        'X-Organisation: Ambassade de Finlande, Comit\u00e9\r\nKeywords: \u00e5\u00e4\u00f6\r\n',
        'utf8',
      ),
      Buffer.from('Received: from h\u00f6st by mx\r\n', 'utf8'),
      Buffer.from('\r\nHej, vi bjuder in borgarr\u00e5det.\r\n', 'utf8'),
    ]);

    // Act
    const forwarded = Buffer.from(await forwardOf(raw));

    // Assess
    const header = forwarded.subarray(0, forwarded.indexOf('\r\n\r\n') + 2).toString('latin1');
    const names = splitMessage(forwarded).fields.map((field) => field.lowerName);
    expect(names).not.toContain('resent-bcc');
    expect(names).not.toContain('delivered-to');
    expect(names).toContain('resent-from');
    expect(header).toMatch(/^[\t\r\n\x20-\x7e]*$/);
    expect(header.replace(/\r\n/g, '')).not.toContain('\r');
    for (const line of header.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
    const parsed = await simpleParser(forwarded);
    expect(parsed.headers.get('x-note')).toBe('before after');
    expect(libmime.decodeWords(String(parsed.headers.get('x-organisation')))).toBe(
      'Ambassade de Finlande, Comit\u00e9',
    );
    expect(libmime.decodeWords(String(parsed.headers.get('x-long-token'))).replace(/\s/g, '')).toBe(
      longToken,
    );
    expect(libmime.decodeWords(String(parsed.headers.get('keywords')))).toBe('\u00e5\u00e4\u00f6');
    expect((parsed.headers.get('references') as string[]).length).toBe(60);
    // A structured field that cannot be written in 7-bit or folded is left out rather than bent.
    expect(parsed.headers.get('received')).toBeUndefined();
    expect(forwarded.subarray(forwarded.indexOf('\r\n\r\n') + 4)).toEqual(
      raw.subarray(raw.indexOf('\r\n\r\n') + 4),
    );
  });

  it('re-encodes an 8-bit file name of the top-level MIME headers with RFC 2231, so the attachment keeps its name', async () => {
    // Prepare: a single-part message whose body is the attachment
    const raw = Buffer.from(
      'From: a@example.org\r\nTo: protocol@stockholm.se\r\nSubject: Brev\r\nMIME-Version: 1.0\r\n' +
        'Content-Type: application/pdf; name="Inbjudan \u00e5r 2026.pdf"\r\nContent-Disposition: attachment; filename="Inbjudan \u00e5r 2026.pdf"\r\n' +
        'Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n',
      'utf8',
    );

    // Act
    const forwarded = Buffer.from(await forwardOf(raw));

    // Assess
    const header = forwarded.subarray(0, forwarded.indexOf('\r\n\r\n')).toString('latin1');
    expect(header).toMatch(/^[\t\r\n\x20-\x7e]*$/);
    const parsed = await simpleParser(forwarded);
    expect(parsed.attachments.map((attachment) => attachment.filename)).toEqual([
      'Inbjudan \u00e5r 2026.pdf',
    ]);
  });

  it('adds the tag once, and not again on a reply that carries it', () => {
    expect(taggedSubject('[EU]', 'Partner search')).toBe('[EU] Partner search');
    expect(taggedSubject('[EU]', 'Re: [EU] Partner search')).toBe('Re: [EU] Partner search');
    expect(taggedSubject('[Triage]', '')).toBe('[Triage]');
  });
});

describe('shortReasons', () => {
  it('joins reasons and cuts them at a readable length', () => {
    expect(shortReasons(['a', 'b'])).toBe('a; b');
    expect(shortReasons(['x'.repeat(10), 'y'.repeat(10)], 15)).toBe('xxxxxxxxxx; ...');
  });
});
