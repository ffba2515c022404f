import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import {
  oversizeNotice,
  textOnlyForward,
  UNREADABLE_NOTE,
  unreadableNotice,
} from '../../functions/core/notice-message.js';

const headers = {
  recipients: ['triage-protocol@stockholm.se'],
  subjectTag: '[Triage]',
  subject: 'Besök',
  replyTo: { name: 'Ambassad', address: 'info@embassy.example' },
  functionalAddress: 'protocol@stockholm.se',
  routerSender: 'mailroute@stockholm.se',
  routingId: 'abc123',
  loopMarker: 'v1 abc123 00',
  date: new Date('2026-04-20T10:00:00Z'),
  reasons: ['unreadable: MailParseError: Max header size for a MIME node exceeded'],
};

describe('unreadableNotice', () => {
  it('attaches the original byte for byte, whatever bytes it holds', async () => {
    // Prepare: NUL, bare CR, high bytes and no line ends: nothing an SMTP hop would carry as text.
    const raw = Buffer.from([0, 13, 255, 10, 10, 13, 0x41, 0x3a, 0x20, 0x80, 0x2d, 0x2d]);

    // Act
    const notice = unreadableNotice({ ...headers, raw, problem: 'parser threw' });

    // Assess
    const parsed = await simpleParser(Buffer.from(notice));
    expect(parsed.text).toContain(UNREADABLE_NOTE);
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]?.filename).toBe('original.eml');
    expect(parsed.attachments[0]?.content.equals(raw)).toBe(true);
    expect(parsed.subject).toBe('[Triage] Besök');
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.text : '').toBe('triage-protocol@stockholm.se');
  });

  it('is the same bytes for the same input (no clock, no randomness in the core)', () => {
    const raw = Buffer.from('From: x\r\n\r\nbody');
    const first = Buffer.from(unreadableNotice({ ...headers, raw, problem: 'p' }));
    const second = Buffer.from(unreadableNotice({ ...headers, raw, problem: 'p' }));
    expect(first.equals(second)).toBe(true);
  });
});

describe('oversizeNotice', () => {
  const original = {
    location: 's3://mail-bucket/inbound/protocol@stockholm.se/abc123',
    consoleLink:
      'https://eu-west-1.console.aws.amazon.com/s3/object/mail-bucket?region=eu-west-1&prefix=inbound%2Fprotocol%40stockholm.se%2Fabc123',
    command:
      'aws s3 cp "s3://mail-bucket/inbound/protocol@stockholm.se/abc123" original.eml --region eu-west-1',
  };

  it('names the stored original, the routing id and how long it is kept, and nothing of the original', async () => {
    // Act
    const notice = oversizeNotice({
      ...headers,
      size: 45_000_000,
      limit: 39_934_464,
      original,
      keptDays: 365,
    });

    // Assess
    const parsed = await simpleParser(Buffer.from(notice));
    expect(parsed.text).toContain('45000000 bytes; the limit is 39934464');
    expect(parsed.text).toContain(`Routing id: ${headers.routingId}`);
    expect(parsed.text).toContain(`Stored as: ${original.location}`);
    expect(parsed.text).toContain(original.consoleLink);
    expect(parsed.text).toContain(original.command);
    expect(parsed.text).toContain('kept for 365 days after it arrived');
    expect(parsed.attachments).toEqual([]);
  });

  it('carries no bearer link: nothing signed, nothing that expires', async () => {
    // Act
    const notice = Buffer.from(oversizeNotice({ ...headers, size: 45_000_000, limit: 39_934_464, original }));

    // Assess
    const text = notice.toString('utf8');
    expect(text).not.toMatch(/X-Amz-(Signature|Credential|Security-Token|Expires)/i);
    expect(text).not.toMatch(/expires|works until/i);
  });

  it('says only where the file is when the store has no console or command (the local folder)', async () => {
    // Act
    const notice = oversizeNotice({
      ...headers,
      size: 70_000,
      limit: 65_536,
      original: { location: '/srv/mailroute/mail/inbound/x/abc' },
    });

    // Assess
    const parsed = await simpleParser(Buffer.from(notice));
    expect(parsed.text).toContain('Stored as: /srv/mailroute/mail/inbound/x/abc');
    expect(parsed.text).not.toContain('kept for');
  });
});

describe('textOnlyForward', () => {
  it('keeps the text and names the removed attachments', async () => {
    const forward = textOnlyForward({
      ...headers,
      text: 'Please receive our delegation.',
      attachments: [{ filename: 'programme.pdf', contentType: 'application/pdf', size: 1000 }],
    });
    const parsed = await simpleParser(Buffer.from(forward));
    expect(parsed.text).toContain('Please receive our delegation.');
    expect(parsed.text).toContain('- programme.pdf (application/pdf, 1000 bytes)');
    expect(parsed.attachments).toEqual([]);
  });
});
