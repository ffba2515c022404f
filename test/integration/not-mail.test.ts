// Issue 12 (rough edges): bytes that are no mail at all (an image, an empty message, prose without a
// header) are held in a logged quarantine that says why, not forwarded to triage as if someone had
// written them; `mailroute release` forwards them after all, and the record keeps the quarantine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitMessage } from '../../functions/core/header-block.js';
import { releaseCommand } from '../../functions/local/commands/recovery.js';
import { type RouteResult, routeMessage } from '../../functions/route-mail/pipeline.js';
import { PIXEL_PNG, PROSE } from '../helpers/not-mail.js';
import { operatorBackendOf, type Rig, sentFor, startRig } from '../helpers/pipeline-rig.js';

describe('a message that is not mail', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig();
  });

  afterAll(async () => {
    await rig.close();
  });

  it('is quarantined with a not-mail reason and nothing is sent: an image, an empty message, prose', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const inputs = { image: PIXEL_PNG, empty: Buffer.alloc(0), prose: PROSE };

    // Act
    const results: Record<string, RouteResult> = {};
    for (const [name, raw] of Object.entries(inputs)) {
      results[name] = await routeMessage(deps, await deps.deliver(raw));
    }

    // Assess
    const reasonsOf = (name: string) =>
      results[name]?.reasons.filter((reason) => reason.startsWith('not-mail:'));
    expect(reasonsOf('image')).toEqual(['not-mail:no-headers', 'not-mail:binary']);
    expect(reasonsOf('empty')).toEqual(['not-mail:empty']);
    expect(reasonsOf('prose')).toEqual(['not-mail:no-headers']);
    for (const result of Object.values(results)) {
      expect(result).toMatchObject({ status: 'quarantined', disposition: 'quarantine', forwardedTo: [] });
      expect(sentFor(rig.capture, result.messageId)).toEqual([]);
      expect((await deps.log.get(result.messageId))?.reasons).toEqual(result.reasons);
    }
  });

  it('released, it goes to triage saying it is not mail, and the record keeps the quarantine, who and when', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const held = await routeMessage(deps, await deps.deliver(PIXEL_PNG));
    const out: string[] = [];
    const err: string[] = [];

    // Act
    const code = await releaseCommand([held.messageId.slice(0, 10)], async () => operatorBackendOf(deps), {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    });

    // Assess
    expect(code).toBe(0);
    const triage = deps.config.functionalAddresses[0]?.triageGroup ?? [];
    expect(out).toEqual([
      expect.stringMatching(/^ID {12}OUTCOME {3}STATUS {5}DETAIL$/),
      `${held.messageId.slice(0, 12)}  released  forwarded  to ${triage.join(', ')}`,
    ]);
    expect(err).toEqual(['1 message released by test-operator']);
    const after = (await deps.log.get(held.messageId)) ?? expect.fail('no record');
    expect(after.status).toBe('forwarded');
    expect(after.reasons).toContain('not-mail:binary');
    expect(after.history).toEqual([
      {
        at: expect.any(String),
        by: 'test-operator',
        action: 'release',
        status: 'quarantined',
        reasons: held.reasons,
      },
    ]);
    const [forward] = sentFor(rig.capture, held.messageId);
    expect(forward?.recipients).toEqual(triage);
    const reasonsHeader = splitMessage(forward?.raw ?? Buffer.alloc(0)).fields.find(
      (field) => field.lowerName === 'x-mailroute-reasons',
    );
    expect(reasonsHeader?.raw).toContain('not-mail:no-headers');
  });
});
