// Promise 4 of issue #5: no loops. Our own signed marker, too many Received headers and automated mail
// are never forwarded; a forged marker does not get mail dropped; a flood from one sender is held.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLoopMarker } from '../../functions/core/loop-marker.js';
import { routeMessage } from '../../functions/route-mail/pipeline.js';
import { LOOP_SECRET, plainMessage, type Rig, sentFor, startRig } from '../helpers/pipeline-rig.js';

describe('routeMessage loop protection and rate limit', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig();
  });

  afterAll(async () => {
    await rig.close();
  });

  it('quarantines a forward of ours that comes back, with the reason', async () => {
    // Prepare: route a message, then feed the forward SES captured back in as new mail.
    const deps = await rig.freshDeps();
    const original = await routeMessage(deps, await deps.deliver(plainMessage()));
    const forward = sentFor(rig.capture, original.messageId)[0]?.raw;
    if (!forward) throw new Error('the original was not forwarded');

    // Act
    const back = await routeMessage(deps, await deps.deliver(forward));

    // Assess
    expect(back).toMatchObject({ disposition: 'quarantine', status: 'quarantined', forwardedTo: [] });
    expect(back.reasons).toContain('loop: carries our own X-Mailroute-Forwarded marker');
    expect(sentFor(rig.capture, back.messageId)).toHaveLength(0);
    expect(await deps.log.list({ status: 'quarantined' })).toHaveLength(1);
  });

  it('finds our marker even when a forged one is placed before it', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const marker = signLoopMarker('some-earlier-id', LOOP_SECRET);
    const raw = plainMessage({
      extraHeaders: `X-Mailroute-Forwarded: v1 fake ${'0'.repeat(64)}\r\nX-Mailroute-Forwarded: ${marker}\r\n`,
    });

    // Act
    const result = await routeMessage(deps, await deps.deliver(raw));

    // Assess
    expect(result.status).toBe('quarantined');
  });

  it('routes mail whose marker is forged (wrong key) or replayed with another id', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const forged = signLoopMarker('abc', 'an-outsiders-guess-at-the-key');
    const genuine = signLoopMarker('abc', LOOP_SECRET).split(' ');
    const tampered = `${genuine[0]} xyz ${genuine[2]}`;

    // Act
    const results = await Promise.all(
      [forged, tampered].map(async (marker) =>
        routeMessage(
          deps,
          await deps.deliver(plainMessage({ extraHeaders: `X-Mailroute-Forwarded: ${marker}\r\n` })),
        ),
      ),
    );

    // Assess
    for (const result of results) {
      expect(result.status).toBe('forwarded');
      expect(sentFor(rig.capture, result.messageId)).toHaveLength(1);
    }
  });

  it('quarantines a message with more Received headers than configured, and routes one at the limit', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const received = (count: number) =>
      Array.from(
        { length: count },
        (_, hop) => `Received: from hop${hop}.example.org by mx.example.org\r\n`,
      ).join('');

    // Act
    const over = await routeMessage(deps, await deps.deliver(plainMessage({ extraHeaders: received(31) })));
    const at = await routeMessage(deps, await deps.deliver(plainMessage({ extraHeaders: received(30) })));

    // Assess
    expect(over.status).toBe('quarantined');
    expect(over.reasons).toContain('loop: 31 Received headers (> 30)');
    expect(at.status).toBe('forwarded');
  });

  it('never forwards automated mail', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const raw = plainMessage({
      subject: 'Automatic reply: away',
      extraHeaders: 'Auto-Submitted: auto-replied\r\n',
    });

    // Act
    const result = await routeMessage(deps, await deps.deliver(raw));

    // Assess
    expect(result).toMatchObject({ automated: true, status: 'suppressed', forwardedTo: [] });
    expect(sentFor(rig.capture, result.messageId)).toHaveLength(0);
  });

  it('quarantines a sender past the hourly limit, counts each message once, and leaves other senders alone', async () => {
    // Prepare
    const deps = await rig.freshDeps({ configOverrides: { rateLimit: { perSenderPerHour: 3 } } });
    const flood = Array.from({ length: 5 }, () => plainMessage({ from: 'Flood <flood@example.org>' }));
    const notifications = await Promise.all(flood.map((raw) => deps.deliver(raw)));

    // Act: the first message twice (a duplicate delivery must not count twice), then the rest.
    const results = [];
    results.push(await routeMessage(deps, notifications[0] as (typeof notifications)[number]));
    results.push(await routeMessage(deps, notifications[0] as (typeof notifications)[number]));
    for (const notification of notifications.slice(1)) results.push(await routeMessage(deps, notification));
    const other = await routeMessage(deps, await deps.deliver(plainMessage({ from: 'calm@example.org' })));

    // Assess
    expect(results.map((result) => result.status)).toEqual([
      'forwarded',
      'forwarded',
      'forwarded',
      'forwarded',
      'quarantined',
      'quarantined',
    ]);
    expect(results[4]?.reasons).toContain('rate limit: message 4 from this sender this hour (> 3)');
    expect(other.status).toBe('forwarded');
    const stored = JSON.stringify(await deps.log.list({}));
    expect(stored).not.toContain('flood@example.org');
  });
  it('never quarantines an authenticated sender because of unauthenticated mail claiming its name', async () => {
    // Prepare: three forgeries "from" an embassy (SPF and DMARC fail: sent from elsewhere), then its real message
    const deps = await rig.freshDeps({ configOverrides: { rateLimit: { perSenderPerHour: 3 } } });
    const embassy = 'Embassy of Finland <sanomat.tok@formin.fi>';
    const forged = {
      envelopeFrom: 'bulk@spoofer.example',
      receipt: { spfVerdict: { status: 'FAIL' }, dmarcVerdict: { status: 'FAIL' }, dmarcPolicy: 'none' },
    };

    // Act
    const forgeries = [];
    for (let n = 0; n < 4; n++)
      forgeries.push(await routeMessage(deps, await deps.deliver(plainMessage({ from: embassy }), forged)));
    const real = await routeMessage(
      deps,
      await deps.deliver(plainMessage({ from: embassy }), { envelopeFrom: 'bounce@formin.fi' }),
    );

    // Assess: the forgeries count against themselves (the fourth is held); the real message goes out
    expect(forgeries.map((result) => result.status)).toEqual([
      'forwarded',
      'forwarded',
      'forwarded',
      'quarantined',
    ]);
    expect(real.status).toBe('forwarded');
  });

  it('counts mail whose From is not authenticated by the envelope sender SPF authenticated', async () => {
    // Prepare: one SPF-authenticated envelope sender writing under four different From names (DMARC not aligned)
    const deps = await rig.freshDeps({ configOverrides: { rateLimit: { perSenderPerHour: 3 } } });
    const viaSpf = {
      envelopeFrom: 'list@relay.example',
      receipt: { dmarcVerdict: { status: 'FAIL' }, dmarcPolicy: 'none' },
    };

    // Act
    const results = [];
    for (let n = 0; n < 4; n++)
      results.push(
        await routeMessage(
          deps,
          await deps.deliver(plainMessage({ from: `person${n}@elsewhere.example` }), viaSpf),
        ),
      );

    // Assess
    expect(results.map((result) => result.status)).toEqual([
      'forwarded',
      'forwarded',
      'forwarded',
      'quarantined',
    ]);
  });
});
