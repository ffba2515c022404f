// Issue #15: the per-sender rate count runs beside the gate `claimed -> sending` instead of before it,
// one DynamoDB round trip less per message. On dynalite: the count stays one per message whatever the
// race or the crash, a message over the limit is still never sent, and a delivery steps back from the
// gate only from its own send attempt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoutingTable, DynamoDbRoutingLog } from '../../functions/adapters/dynamodb-routing-log.js';
import { PipelineStepError, routeMessage } from '../../functions/route-mail/pipeline.js';
import type { RoutingRecord } from '../../functions/route-mail/ports.js';
import {
  holdBeforeSend,
  reopenForResend,
  resolutionOf,
  startSend,
} from '../../functions/route-mail/routing-states.js';
import {
  plainMessage,
  type Rig,
  type RigDeps,
  sentFor,
  serviceError,
  startRig,
} from '../helpers/pipeline-rig.js';

const FLOOD_SENDER = 'Flood <flood@example.org>';

/** A routing log on dynalite whose next rate count does something else first (fails, or never answers). */
class CountingLog extends DynamoDbRoutingLog {
  nextCount: ((count: () => Promise<number>) => Promise<number>) | undefined;

  override async countArrival(key: string, expiresAt: number): Promise<number> {
    const next = this.nextCount;
    this.nextCount = undefined;
    const count = () => super.countArrival(key, expiresAt);
    return next ? next(count) : count();
  }
}

describe('the rate count beside the gate', () => {
  let rig: Rig;
  let tables = 0;

  beforeAll(async () => {
    rig = await startRig();
  });

  afterAll(async () => {
    await rig.close();
  });

  async function depsWithLimit(limit: number): Promise<RigDeps & { log: CountingLog }> {
    tables += 1;
    const table = `beside-gate-${process.pid}-${tables}`;
    await createRoutingTable(rig.dynamo, table);
    const log = new CountingLog(rig.dynamo, table);
    return (await rig.freshDeps({
      log,
      configOverrides: { rateLimit: { perSenderPerHour: limit } },
    })) as RigDeps & { log: CountingLog };
  }

  async function waitForStatus(deps: RigDeps, id: string, status: RoutingRecord['status']) {
    for (let attempt = 0; attempt < 200; attempt++) {
      const record = await deps.log.get(id);
      if (record?.status === status) return record;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`record ${id} never reached ${status}`);
  }

  it('counts a message once when two deliveries race for its claim: the one that loses the put counts nothing', async () => {
    // Prepare: a limit of one, so a second count of the first message would hold the next one as message 3.
    const deps = await depsWithLimit(1);
    const first = await deps.deliver(plainMessage({ from: FLOOD_SENDER }));

    // Act
    const raced = await Promise.all([routeMessage(deps, first), routeMessage(deps, first)]);
    const next = await routeMessage(deps, await deps.deliver(plainMessage({ from: FLOOD_SENDER })));

    // Assess
    expect(raced.filter((routed) => !routed.duplicate)).toHaveLength(1);
    expect(sentFor(rig.capture, first.mail.messageId)).toHaveLength(1);
    expect(next.status).toBe('quarantined');
    expect(next.reasons).toContain('rate limit: message 2 from this sender this hour (> 1)');
  });

  it('holds a message over the limit back after taking the gate: quarantined, SES never called, no send attempt left', async () => {
    // Prepare
    const deps = await depsWithLimit(1);
    await routeMessage(deps, await deps.deliver(plainMessage({ from: FLOOD_SENDER })));
    const second = await deps.deliver(plainMessage({ from: FLOOD_SENDER }));

    // Act
    const routed = await routeMessage(deps, second);

    // Assess
    expect(routed).toMatchObject({ status: 'quarantined', disposition: 'quarantine', forwardedTo: [] });
    expect(sentFor(rig.capture, second.mail.messageId)).toHaveLength(0);
    const record = await deps.log.get(second.mail.messageId);
    expect(record).toMatchObject({
      status: 'quarantined',
      disposition: 'quarantine',
      recipients: [],
      acknowledgement: 'skipped',
    });
    expect(record?.sendStartedAt).toBeUndefined();
    expect(record?.sendAttempts).toBeUndefined();
  });

  it('steps back from the gate when the count fails: failed, nothing sent, and the retry forwards it once', async () => {
    // Prepare
    const deps = await depsWithLimit(30);
    const notification = await deps.deliver(plainMessage({ from: FLOOD_SENDER }));
    deps.log.nextCount = async () => {
      throw serviceError('ProvisionedThroughputExceededException', 400);
    };

    // Act
    const failure = await routeMessage(deps, notification).catch((error: unknown) => error);
    const afterFailure = await deps.log.get(notification.mail.messageId);
    const retried = await routeMessage(deps, notification);

    // Assess
    expect(failure).toBeInstanceOf(PipelineStepError);
    expect((failure as PipelineStepError).step).toBe('rate-count');
    expect(afterFailure).toMatchObject({ status: 'failed', failedStep: 'rate-count' });
    expect(afterFailure?.sendStartedAt).toBeUndefined();
    expect(afterFailure?.sendAttempts).toBeUndefined();
    expect(retried).toMatchObject({ status: 'forwarded', duplicate: false });
    expect(sentFor(rig.capture, notification.mail.messageId)).toHaveLength(1);
    expect((await deps.log.get(notification.mail.messageId))?.sendAttempts).toBe(1);
  });

  it('a crash after the gate and the count, before SES: sending, nothing sent, no retry sends it, reconcile sends it once, counted once', async () => {
    // Prepare: the count lands, then its answer never comes: the delivery stops there as if the process died.
    const deps = await depsWithLimit(1);
    const notification = await deps.deliver(plainMessage({ from: FLOOD_SENDER }));
    const id = notification.mail.messageId;
    deps.log.nextCount = async (count) => {
      await count();
      return new Promise<number>(() => {});
    };

    // Act
    void routeMessage(deps, notification);
    const stranded = await waitForStatus(deps, id, 'sending');
    const retried = await routeMessage(deps, notification);
    const windowLater = new Date(Date.parse(stranded.sendStartedAt ?? '') + 31 * 60_000);
    const resolution = resolutionOf(await deps.log.get(id), windowLater, 30);
    const reopened = await reopenForResend(deps.log, stranded, windowLater);
    const resent = await routeMessage(deps, notification);
    const next = await routeMessage(deps, await deps.deliver(plainMessage({ from: FLOOD_SENDER })));

    // Assess
    expect(retried).toMatchObject({ status: 'sending', duplicate: true });
    expect(resolution).toBe('resend');
    expect(reopened).toBe(true);
    expect(resent).toMatchObject({ status: 'forwarded', duplicate: false });
    expect(sentFor(rig.capture, id)).toHaveLength(1);
    expect(next.reasons).toContain('rate limit: message 2 from this sender this hour (> 1)');
  });

  it('never steps back from a send attempt that is not its own', async () => {
    // Prepare: this delivery took the gate (attempt 2), its send was reopened (an operator's resend),
    // and another delivery took the gate again (attempt 3) before this one acted on its count.
    const deps = await depsWithLimit(30);
    const routed = await routeMessage(deps, await deps.deliver(plainMessage()));
    const forwarded = (await deps.log.get(routed.messageId)) as RoutingRecord;
    await reopenForResend(deps.log, forwarded, new Date(), { force: true });
    const mine = (await deps.log.get(routed.messageId)) as RoutingRecord;
    await startSend(deps.log, mine, 'forward', new Date());
    await reopenForResend(deps.log, mine, new Date());
    const theirs = (await deps.log.get(routed.messageId)) as RoutingRecord;
    await startSend(deps.log, theirs, 'forward', new Date());

    // Act
    const held = await holdBeforeSend(
      deps.log,
      mine,
      { disposition: 'quarantine', recipients: [], reasons: ['rate limit'] },
      new Date(),
    );

    // Assess
    expect([mine.sendAttempts, theirs.sendAttempts]).toEqual([2, 3]);
    expect(held).toBe(false);
    expect(await deps.log.get(routed.messageId)).toMatchObject({ status: 'sending', sendAttempts: 3 });
  });
});
