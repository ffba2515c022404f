// Promise 6 of issue #5: no header injection. Whatever the decoded values of a message hold (CR, LF,
// NUL, encoded-word tricks, endless lines), the forward and the router's own notices re-parse to exactly
// the headers the router meant to write: no more, no fewer.
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { parseRouterConfig } from '../../functions/config/schema.js';
import { forwardMessage } from '../../functions/core/forward-message.js';
import { splitMessage } from '../../functions/core/header-block.js';
import { NO_AUTOMATION_HEADERS } from '../../functions/core/inbound-mail.js';
import { oversizeNotice, textOnlyForward, unreadableNotice } from '../../functions/core/notice-message.js';
import type { InboundMail, MailAddress, RoutingDecision } from '../../functions/core/types.js';

const config = parseRouterConfig({});

/** Strings built to break header syntax: line breaks, NUL, colons, encoded words, very long runs. */
const hostile = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc
    .array(
      fc.constantFrom(
        '\r',
        '\n',
        '\r\n',
        '\0',
        ':',
        'Bcc: victim@evil.example',
        ' ',
        '\t',
        '=?utf-8?Q?',
        '?=',
        '"',
        '<',
        '>',
        ',',
        ';',
        'å',
        '😀',
        'x',
      ),
      {
        maxLength: 40,
      },
    )
    .map((parts) => parts.join('')),
  fc.nat({ max: 20_000 }).map((length) => 'y'.repeat(length)),
  fc.constant('hi\r\nBcc: victim@evil.example\r\n\r\nbody'),
  fc.constant('=?utf-8?Q?hi=0D=0ABcc:_victim@evil.example?='),
);

const hostileAddress: fc.Arbitrary<MailAddress> = fc.record({
  name: hostile,
  address: fc.oneof(fc.emailAddress(), hostile, fc.constant('x@stockholm.se\r\nBcc: victim@evil.example')),
});

const hostileMail: fc.Arbitrary<InboundMail> = fc.record({
  from: fc.option(hostileAddress, { nil: undefined }),
  replyTo: fc.array(hostileAddress, { maxLength: 3 }),
  to: fc.array(hostileAddress, { maxLength: 3 }),
  cc: fc.array(hostileAddress, { maxLength: 3 }),
  subject: hostile,
  date: fc.constant(undefined),
  messageId: fc.constant(undefined),
  inReplyTo: fc.constant(undefined),
  text: hostile,
  attachments: fc.array(
    fc.record({ filename: hostile, contentType: fc.constant('application/pdf'), size: fc.nat() }),
    { maxLength: 3 },
  ),
  calendars: fc.constant([]),
  attachedTexts: fc.constant([]),
  headers: fc.constant({ ...NO_AUTOMATION_HEADERS }),
  parseWarnings: fc.constant([]),
});

const ORIGINAL = Buffer.from(
  'From: someone@example.org\r\nTo: EUinternational@stockholm.se\r\nSubject: x\r\nDate: Mon, 20 Apr 2026 10:00:00 +0200\r\n' +
    'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbody\r\n',
);

const decision: RoutingDecision = {
  category: 'eu_matter',
  disposition: 'forward',
  recipients: ['internationella-enheten@stockholm.se'],
  subjectTag: '[EU]',
  reasons: [],
};

/** Header names of a produced message, by the router's own splitter and by mailparser: they must agree. */
async function headerNames(message: Uint8Array): Promise<{ ours: string[]; mailparser: string[] }> {
  const ours = splitMessage(message).fields.map((field) => field.lowerName);
  const parsed = await simpleParser(Buffer.from(message));
  return { ours, mailparser: parsed.headerLines.map((line) => line.key) };
}

function assertWellFormed(message: Uint8Array): void {
  const { fields } = splitMessage(message);
  for (const field of fields) {
    // Every line ends in CRLF inside the block: no bare CR or LF, no NUL, nothing over RFC 5322's 998.
    for (const line of field.raw.split('\r\n')) {
      expect(line).not.toMatch(/[\r\n\0]/);
      expect(line.length).toBeLessThanOrEqual(998);
    }
  }
}

describe('forward and notice headers under hostile values', () => {
  it('the forward has exactly the intended headers', async () => {
    await fc.assert(
      fc.asyncProperty(hostileMail, fc.array(hostile, { maxLength: 2 }), async (mail, warnings) => {
        // Act
        const forward = forwardMessage({
          raw: ORIGINAL,
          mail,
          classification: { category: 'eu_matter', confidence: 0.9, reasons: ['subject:"x"'] },
          decision,
          functionalAddress: 'EUinternational@stockholm.se',
          routerSender: config.routerSender,
          routingId: 'id-1',
          loopMarker: 'v1 id-1 abc',
          warnings,
        });

        // Assess: our headers (some only when there is something to write), then the kept originals.
        const { ours, mailparser } = await headerNames(forward);
        const optional = new Set([
          'reply-to',
          'x-original-from',
          'x-original-to',
          'x-original-cc',
          'x-mailroute-reasons',
        ]);
        const expected = [
          'from',
          'reply-to',
          'x-original-from',
          'to',
          'subject',
          'x-original-to',
          'x-original-cc',
          'x-mailroute-id',
          'x-mailroute-category',
          'x-mailroute-confidence',
          'x-mailroute-reasons',
          ...warnings
            .filter((warning) => warning.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim())
            .map(() => 'x-mailroute-warning'),
          'x-mailroute-forwarded',
          'auto-submitted',
          'date',
          'mime-version',
          'content-type',
        ];
        expect(ours.filter((name) => !optional.has(name))).toEqual(
          expected.filter((name) => !optional.has(name)),
        );
        expect(ours.every((name) => expected.includes(name))).toBe(true);
        expect(mailparser).toEqual(ours);
        expect(ours.filter((name) => name === 'to')).toHaveLength(1);
        expect(ours).not.toContain('bcc');
        expect(ours).not.toContain('cc');
        assertWellFormed(forward);
      }),
      { numRuns: 150 },
    );
  });

  it('the router-written notices have exactly the intended headers', async () => {
    await fc.assert(
      fc.asyncProperty(hostileMail, hostile, async (mail, problem) => {
        // Prepare
        const headers = {
          recipients: ['triage-euinternational@stockholm.se'],
          subjectTag: '[Triage]',
          subject: mail.subject,
          replyTo: mail.from,
          functionalAddress: 'EUinternational@stockholm.se',
          routerSender: config.routerSender,
          routingId: 'id-2',
          loopMarker: 'v1 id-2 abc',
          date: new Date('2026-04-20T10:00:00Z'),
          reasons: [problem],
          warnings: [problem],
        };

        // Act
        const notices = [
          unreadableNotice({ ...headers, raw: ORIGINAL, problem }),
          oversizeNotice({ ...headers, size: 1, link: problem, linkExpiresAt: undefined }),
          textOnlyForward({ ...headers, text: mail.text, attachments: mail.attachments }),
        ];

        // Assess
        for (const notice of notices) {
          const { ours, mailparser } = await headerNames(notice);
          const allowed = new Set([
            'from',
            'reply-to',
            'to',
            'subject',
            'date',
            'mime-version',
            'content-type',
            'content-transfer-encoding',
            'x-mailroute-id',
            'x-mailroute-reasons',
            'x-mailroute-warning',
            'x-mailroute-forwarded',
            'auto-submitted',
          ]);
          expect(ours.every((name) => allowed.has(name))).toBe(true);
          const once = ours.filter((name) => name !== 'x-mailroute-warning');
          expect(new Set(once).size).toBe(once.length);
          expect(mailparser).toEqual(ours);
          assertWellFormed(notice);
        }
      }),
      { numRuns: 100 },
    );
  });
});
