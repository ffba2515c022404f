// Promise 5 of issue #5, extended by issue #14: never a relay. Whatever addresses a message carries,
// and however they are dressed up, every forward goes only to configured group addresses; the one other
// send is an acknowledgement, to the original sender alone (its single From address), only when SES
// authenticated that sender, and only for a message that was forwarded.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouterConfig } from '../../functions/config/schema.js';
import { analyze } from '../../functions/core/analyze.js';
import { routeMessage } from '../../functions/route-mail/pipeline.js';
import { ROUTING_ID_TAG, SEND_KIND_TAG } from '../../functions/route-mail/routing-states.js';
import { CORPUS_ABSENT_NOTE, hasPublicFixtures, PUBLIC_FIXTURES } from '../helpers/corpus.js';
import { type Rig, sentFor, startRig } from '../helpers/pipeline-rig.js';

/** Address-confusion payloads: each tries to make a parser see a configured address where there is none. */
const CONFUSION = [
  '"x@stockholm.se x"@evil.example',
  '"internationella-enheten@stockholm.se" <attacker@evil.example>',
  '=?utf-8?Q?internationella-enheten=40stockholm.se?= <attacker@evil.example>',
  '=?utf-8?B?aW50ZXJuYXRpb25lbGxhLWVuaGV0ZW5Ac3RvY2tob2xtLnNl?= <attacker@evil.example>',
  'attacker@evil.example(internationella-enheten@stockholm.se)',
  'attacker(comment)@evil.example',
  'internationella-enheten@stockholm.se@evil.example',
  'attacker%internationella-enheten@stockholm.se@evil.example',
  'attacker@evil.example, internationella-enheten@stockholm.se',
  'undisclosed-recipients: attacker@evil.example, other@evil.example;',
  'attacker@[127.0.0.1]',
  '<attacker@evil.example>, <@relay.evil.example:victim@evil.example>',
  'attacker@evil.example\r\nBcc: victim@evil.example',
  '=?utf-8?Q?attacker@evil.example=0D=0ABcc:_victim@evil.example?=',
  '"\\"quoted\\"@evil.example" <attacker@evil.example>',
];

const ADDRESS_HEADERS = [
  'From',
  'Reply-To',
  'To',
  'Cc',
  'Bcc',
  'Sender',
  'Return-Path',
  'Resent-To',
  'Disposition-Notification-To',
];

const addressValue = fc.oneof(
  fc.constantFrom(...CONFUSION),
  fc.emailAddress(),
  fc
    .tuple(fc.string({ maxLength: 20 }), fc.emailAddress())
    .map(([name, address]) => `"${name}" <${address}>`),
);

const verdict = fc.constantFrom('PASS', 'FAIL', 'GRAY');
/** SES's authentication verdicts, in every combination: only DMARC PASS authenticates these senders. */
const authentication = fc.record({ dmarc: verdict, spf: verdict, dkim: verdict });

const hostileMessage = fc
  .record({
    headers: fc.array(fc.tuple(fc.constantFrom(...ADDRESS_HEADERS), addressValue), {
      minLength: 1,
      maxLength: 8,
    }),
    from: addressValue,
    subject: fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.constantFrom('Inbjudan till konferens', 'Horizon Europe partner search', 'State visit request'),
    ),
    body: fc.string({ maxLength: 300 }),
    nonce: fc.nat(),
  })
  .map(({ headers, from, subject, body, nonce }) =>
    Buffer.from(
      [
        `From: ${from}`,
        ...headers.map(([name, value]) => `${name}: ${value}`),
        `Subject: ${subject.replace(/[\r\n]/g, ' ')}`,
        `Message-ID: <relay-${nonce}@evil.example>`,
        '',
        body,
      ].join('\r\n'),
    ),
  );

function configuredGroups(config: RouterConfig): Set<string> {
  const groups = [
    ...config.functionalAddresses.flatMap((entry) => entry.triageGroup),
    ...Object.values(config.categories).flatMap((route) => ('group' in route ? route.group : [])),
  ];
  return new Set(groups.map((address) => address.toLowerCase()));
}

describe('never a relay', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig();
  });

  afterAll(async () => {
    await rig.close();
  });

  it('forwards generated hostile messages only to configured groups, and acknowledges only an authenticated sender', async () => {
    // The rate limit would hold most of a run of 120 from a few senders: not what is tested here.
    const deps = await rig.freshDeps({ configOverrides: { rateLimit: { perSenderPerHour: 100_000 } } });
    const groups = configuredGroups(deps.config);
    const sentBefore = rig.capture.sent.length;
    let acknowledged = 0;
    await fc.assert(
      fc.asyncProperty(hostileMessage, authentication, async (raw, verdicts) => {
        // Act
        const result = await routeMessage(
          deps,
          await deps.deliver(raw, {
            envelopeFrom: 'attacker@evil.example',
            receipt: {
              dmarcVerdict: { status: verdicts.dmarc },
              spfVerdict: { status: verdicts.spf },
              dkimVerdict: { status: verdicts.dkim },
            },
          }),
        );

        // Assess: an acknowledgement goes to the one From address of a forwarded, authenticated message.
        const acknowledgements = rig.capture.sent.filter(
          (email) =>
            email.tags[ROUTING_ID_TAG]?.[0] === result.messageId &&
            email.tags[SEND_KIND_TAG]?.[0] === 'acknowledgement',
        );
        expect(acknowledgements.length).toBeLessThanOrEqual(1);
        for (const email of acknowledgements) {
          acknowledged += 1;
          expect(result.status).toBe('forwarded');
          expect(verdicts.dmarc).toBe('PASS');
          const original = await simpleParser(raw);
          const from = original.from?.value ?? [];
          expect(from).toHaveLength(1);
          expect(email.recipients.map((address) => address.toLowerCase())).toEqual([
            (from[0]?.address ?? '').toLowerCase(),
          ]);
          const parsed = await simpleParser(email.raw);
          const to =
            parsed.to && !Array.isArray(parsed.to) ? parsed.to.value.map((entry) => entry.address ?? '') : [];
          expect(to.map((address) => address.toLowerCase())).toEqual(
            email.recipients.map((address) => address.toLowerCase()),
          );
          expect(parsed.cc).toBeUndefined();
          expect(parsed.bcc).toBeUndefined();
        }
        // SES's envelope (what SES really delivers to) and the To header staff see.
        for (const email of sentFor(rig.capture, result.messageId)) {
          expect(email.recipients.length).toBeGreaterThan(0);
          for (const recipient of email.recipients) expect(groups.has(recipient.toLowerCase())).toBe(true);
          const parsed = await simpleParser(email.raw);
          const to =
            parsed.to && !Array.isArray(parsed.to) ? parsed.to.value.map((entry) => entry.address ?? '') : [];
          for (const address of to) expect(groups.has(address.toLowerCase())).toBe(true);
          expect(parsed.cc).toBeUndefined();
          expect(parsed.bcc).toBeUndefined();
        }
        for (const recipient of result.forwardedTo) expect(groups.has(recipient.toLowerCase())).toBe(true);
      }),
      { numRuns: 120 },
    );
    // Not vacuous: most generated messages were really sent, and some senders were acknowledged.
    expect(rig.capture.sent.length - sentBefore).toBeGreaterThan(60);
    expect(acknowledged).toBeGreaterThan(0);
    const forwards = rig.capture.sent.filter((email) => email.tags[SEND_KIND_TAG]?.[0] !== 'acknowledgement');
    expect(forwards.flatMap((email) => email.recipients).some((r) => r.endsWith('evil.example'))).toBe(false);
  });

  it.runIf(hasPublicFixtures)('decides only configured groups for every public fixture', async () => {
    const deps = await rig.freshDeps();
    const groups = configuredGroups(deps.config);
    for (const file of listFiles(PUBLIC_FIXTURES)) {
      const raw = readFileSync(file);
      const analysis = await analyze(raw, deps.config, 'EUinternational@stockholm.se').catch(() => undefined);
      if (!analysis) continue;
      for (const recipient of analysis.decision.recipients)
        expect(groups.has(recipient.toLowerCase()), file).toBe(true);
    }
  });

  it.runIf(!hasPublicFixtures)(CORPUS_ABSENT_NOTE, () => {
    expect(hasPublicFixtures).toBe(false);
  });
});

function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .flatMap((path) => (statSync(path).isDirectory() ? listFiles(path) : path.endsWith('.md') ? [] : [path]));
}
