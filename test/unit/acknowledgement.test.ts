import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_ROUTER_CONFIG, parseRouterConfig } from '../../functions/config/schema.js';
import {
  type AcknowledgementCase,
  acknowledgementDecision,
  acknowledgementMessage,
  acknowledgementSettingsFor,
  noReplyAddresses,
  senderAuthentication,
  writtenInSwedish,
} from '../../functions/core/acknowledgement.js';
import { rawHeaders } from '../../functions/core/loop-check.js';

const PASS = { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' };

function personCase(overrides: Partial<AcknowledgementCase> = {}): AcknowledgementCase {
  return {
    enabled: true,
    disposition: 'forward',
    unreadable: false,
    released: false,
    automated: { automated: false, reasons: [] },
    from: { name: 'Anna', address: 'anna@example.org' },
    headerFields: [{ lowerName: 'from', value: '"Anna @ home" <anna@example.org> (anna@x)' }],
    verdicts: PASS,
    envelopeSender: 'anna@example.org',
    ownAddresses: ['EUinternational@stockholm.se', 'mailroute@stockholm.se'],
    ...overrides,
  };
}

const field = (name: string, value: string) => ({ lowerName: name.toLowerCase(), value });

describe('acknowledgementDecision', () => {
  it('answers an authenticated person whose message was forwarded', () => {
    // Act
    const decision = acknowledgementDecision(personCase());

    // Assess
    expect(decision).toEqual({ send: true, to: 'anna@example.org' });
  });

  it.each<[string, Partial<AcknowledgementCase>, RegExp]>([
    ['off for the address', { enabled: false }, /off/],
    ['released from quarantine', { released: true }, /released/],
    ['quarantined', { disposition: 'quarantine' }, /not forwarded/],
    ['suppressed', { disposition: 'suppress' }, /not forwarded/],
    ['unreadable', { unreadable: true, disposition: 'forwarded_as_notice' }, /unreadable/],
    ['automated', { automated: { automated: true, reasons: ['x'] } }, /automated/],
    ['maybe automated', { automated: { automated: false, reasons: [], doubts: ['subject'] } }, /automated/],
    [
      'Auto-Submitted',
      { headerFields: [field('From', 'a'), field('Auto-Submitted', 'auto-generated')] },
      /Auto-Submitted/,
    ],
    ['List-Id', { headerFields: [field('From', 'a'), field('List-Id', '<l.example.org>')] }, /list mail/],
    [
      'List-Unsubscribe',
      { headerFields: [field('From', 'a'), field('List-Unsubscribe', '<mailto:x>')] },
      /list mail/,
    ],
    ['Precedence: list', { headerFields: [field('From', 'a'), field('Precedence', 'list')] }, /Precedence/],
    ['Precedence: junk', { headerFields: [field('From', 'a'), field('Precedence', 'junk')] }, /Precedence/],
    [
      'X-Auto-Response-Suppress',
      { headerFields: [field('From', 'a'), field('X-Auto-Response-Suppress', 'OOF, AutoReply')] },
      /no auto-reply/,
    ],
    ['a null Return-Path', { headerFields: [field('From', 'a'), field('Return-Path', '<>')] }, /bounce/],
    ['no-reply', { from: { name: '', address: 'no-reply@example.org' } }, /no-reply/],
    ['noreply', { from: { name: '', address: 'NoReply@example.org' } }, /no-reply/],
    ['mailer-daemon', { from: { name: '', address: 'MAILER-DAEMON@example.org' } }, /no-reply/],
    ['a list owner', { from: { name: '', address: 'eurocities-owner@lists.example.org' } }, /no-reply/],
    ['no sender', { from: undefined }, /cannot be written/],
    ['a non-ASCII local part', { from: { name: '', address: 'åsa@example.org' } }, /cannot be written/],
    ['one of ours', { from: { name: '', address: 'mailroute@stockholm.se' } }, /own addresses/],
    ['two From headers', { headerFields: [field('From', 'a'), field('From', 'b')] }, /exactly one From/],
    [
      'two From addresses',
      { headerFields: [field('From', 'anna@example.org, eve@evil.example')] },
      /exactly one From/,
    ],
    ['DMARC FAIL', { verdicts: { ...PASS, dmarc: 'FAIL', spf: 'FAIL' } }, /not authenticated: DMARC FAIL/],
    ['no verdicts', { verdicts: {} }, /not authenticated/],
  ])('answers nothing when %s', (_name, overrides, reason) => {
    // Act
    const decision = acknowledgementDecision(personCase(overrides));

    // Assess
    expect(decision.send).toBe(false);
    expect(decision.send === false && decision.reason).toMatch(reason);
  });
});

describe('senderAuthentication', () => {
  const noDmarc = { ...PASS, dmarc: 'GRAY' };
  const signed = (domain: string) => [field('DKIM-Signature', `v=1; a=rsa-sha256; d=${domain}; s=s1; b=x`)];

  it.each<[string, string, ReturnType<typeof field>[], boolean]>([
    ['the sender’s own envelope and signature', 'anna@example.org', signed('example.org'), true],
    ['a subdomain sender of the signing domain', 'anna@example.org', signed('example.org'), true],
    ['an envelope of another domain', 'bounce@mailer.example.net', signed('example.org'), false],
    ['a signature of another domain', 'anna@example.org', signed('mailer.example.net'), false],
    [
      'one signature of another domain beside the sender’s',
      'anna@example.org',
      [...signed('example.org'), ...signed('example.net')],
      false,
    ],
    ['no signature at all', 'anna@example.org', [], false],
    ['an empty envelope (a re-drive)', '', signed('example.org'), false],
  ])('SPF and DKIM PASS without DMARC: %s', (_name, envelope, fields, ok) => {
    // Act
    const outcome = senderAuthentication(noDmarc, 'anna@example.org', envelope, fields);

    // Assess
    expect(outcome.ok).toBe(ok);
  });

  it('takes DMARC PASS on its own, and SPF or DKIM FAIL never', () => {
    // Act
    const dmarc = senderAuthentication({ dmarc: 'PASS', spf: 'FAIL', dkim: 'FAIL' }, 'a@example.org', '', []);
    const spfFail = senderAuthentication(
      { ...noDmarc, spf: 'FAIL' },
      'a@example.org',
      'a@example.org',
      signed('example.org'),
    );

    // Assess
    expect(dmarc).toEqual({ ok: true, via: 'dmarc' });
    expect(spfFail.ok).toBe(false);
  });
});

describe('writtenInSwedish', () => {
  it.each([
    [
      'Inbjudan till konferens',
      'Hej! Vi vill gärna bjuda in borgarrådet till vår konferens. Med vänliga hälsningar',
      true,
    ],
    ['Invitation', 'Dear Mayor, we would like to invite you to our conference. Kind regards', false],
    [
      'Invitation to Stockholm',
      'Dear all, please find the programme attached.\n\nFrån: Anna\nSkickat: idag\nÄmne: och så vidare är det här',
      false,
    ],
    ['Kutsu', 'Hyvä vastaanottaja, kutsumme teidät konferenssiin.', false],
  ])('%s: %s', (subject, text, swedish) => {
    // Act & Assess
    expect(writtenInSwedish(subject, text)).toBe(swedish);
  });
});

describe('acknowledgementMessage', () => {
  const settings = acknowledgementSettingsFor(DEFAULT_ROUTER_CONFIG, 'protocol@stockholm.se');
  const original = Buffer.from(
    'From: Anna <anna@example.org>\r\nSubject: x\r\nMessage-ID: <m1@example.org>\r\nReferences: <a@x.org>\r\n <b@x.org> junk\r\n\r\nSecret body text\r\n',
  );

  function build(subject: string) {
    return acknowledgementMessage({
      settings,
      functionalAddress: 'protocol@stockholm.se',
      to: 'anna@example.org',
      routingId: 'abcdef0123456789abcdef',
      loopMarker: 'v1 abcdef0123456789abcdef 00',
      date: new Date('2026-12-02T10:00:00Z'),
      subject,
      headerFields: rawHeaders(original).fields,
      swedishFirst: false,
    });
  }

  it('keeps a hostile subject inside the Subject header and writes no line over 998', async () => {
    // Prepare
    const hostile = 'Hello\r\nBcc: victim@evil.example\r\n\r\nbody';

    // Act
    const raw = build(hostile);
    const parsed = await simpleParser(Buffer.from(raw));

    // Assess
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.to && !Array.isArray(parsed.to) && parsed.to.value.map((entry) => entry.address)).toEqual([
      'anna@example.org',
    ]);
    expect(parsed.subject).toBe(
      'Acknowledgement / Mottagningsbekräftelse: Hello Bcc: victim@evil.example body',
    );
    expect(
      Math.max(
        ...Buffer.from(raw)
          .toString('utf8')
          .split('\r\n')
          .map((line) => Buffer.byteLength(line)),
      ),
    ).toBeLessThan(998);
  });

  it('refers to the original by its ids only, with the reference and links, and says from whom', async () => {
    // Act
    const parsed = await simpleParser(Buffer.from(build('Visit of the Governor')));

    // Assess
    expect(parsed.inReplyTo).toBe('<m1@example.org>');
    expect(parsed.references).toEqual(['<a@x.org>', '<b@x.org>', '<m1@example.org>']);
    expect(parsed.from?.value).toEqual([{ name: 'protocol@stockholm.se', address: 'no-reply@stockholm.se' }]);
    expect(parsed.headers.get('x-auto-response-suppress')).toBe('All');
    expect(parsed.text).toContain('abcdef012345');
    expect(parsed.text).toContain('https://start.stockholm/om-webbplatsen/personuppgifter-och-dataskydd/');
    expect(parsed.text).toContain('protocol@stockholm.se');
    expect(parsed.text).not.toContain('Secret body text');
  });
});

describe('acknowledgement configuration', () => {
  it('gives every address the common texts, with its own overrides and switch', () => {
    // Act
    const config = parseRouterConfig({
      functionalAddresses: [
        { address: 'protocol@stockholm.se', triageGroup: ['t@stockholm.se'] },
        {
          address: 'kommunstyrelsen@ks.stockholm.se',
          triageGroup: ['t@stockholm.se'],
          acknowledgement: { enabled: false, sv: { expectedAnswer: 'Du får svar inom tio arbetsdagar.' } },
        },
      ],
    });
    const own = acknowledgementSettingsFor(config, 'kommunstyrelsen@ks.stockholm.se');

    // Assess
    expect(acknowledgementSettingsFor(config, 'protocol@stockholm.se').enabled).toBe(true);
    expect(own).toMatchObject({ enabled: false, from: 'no-reply@ks.stockholm.se' });
    expect(own.sv.expectedAnswer).toBe('Du får svar inom tio arbetsdagar.');
    expect(own.sv.greeting).toBe('Hej!');
    expect(noReplyAddresses(config)).toEqual(['no-reply@stockholm.se', 'no-reply@ks.stockholm.se']);
  });

  it.each([
    [{ acknowledgement: { sv: { received: 'Tack, {namn}!' } } }, 'acknowledgement.sv.received'],
    [
      { acknowledgement: { en: { links: [{ label: 'x', url: 'http://insecure.example' }] } } },
      'acknowledgement.en.links.0.url',
    ],
    [{ acknowledgement: { en: { subject: 'Re: thanks' } } }, 'acknowledgement.en.subject'],
    [{ acknowledgement: { periodHours: 0 } }, 'acknowledgement.periodHours'],
    [{ acknowledgement: { fromLocalPart: 'no reply' } }, 'acknowledgement.fromLocalPart'],
    [
      {
        functionalAddresses: [
          {
            address: 'a@stockholm.se',
            triageGroup: ['t@stockholm.se'],
            acknowledgement: { sv: { greeting: 'two\nlines' } },
          },
        ],
      },
      'functionalAddresses.0.acknowledgement.sv.greeting',
    ],
  ])('refuses %j naming the key', (overrides, key) => {
    // Act & Assess
    expect(() => parseRouterConfig(overrides)).toThrow(ConfigError);
    expect(() => parseRouterConfig(overrides)).toThrow(new RegExp(`${key.replaceAll('.', '\\.')}: `));
  });
});
