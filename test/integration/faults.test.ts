// Promise 2 of issue #5: a fault in any adapter leaves the stored original in place, a record naming the
// failed step, a batch item failure for SQS to retry; a later retry completes exactly once; and what
// exhausted its retries is re-driven by `mailroute replay`.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbRoutingLog } from '../../functions/adapters/dynamodb-routing-log.js';
import { localDynamoClient } from '../../functions/local/aws-clients.js';
import { replayCommand } from '../../functions/local/commands/recovery.js';
import { reconcile } from '../../functions/reconcile/reconcile.js';
import { createHandler } from '../../functions/route-mail/handler.js';
import type { PipelineDeps } from '../../functions/route-mail/pipeline.js';
import {
  Fault,
  faultyLog,
  faultySender,
  faultyStore,
  operatorBackendOf,
  plainMessage,
  type Rig,
  type RigDeps,
  sentFor,
  serviceError,
  sqsEvent,
  startRig,
  timeoutError,
} from '../helpers/pipeline-rig.js';

interface FaultCase {
  name: string;
  /** The step the record (or, when the log itself is down, the log line) names. */
  step: string;
  inject(deps: RigDeps, fault: Fault): Partial<PipelineDeps>;
  make(): Error;
}

const CASES: FaultCase[] = [
  {
    name: 'DynamoDB throttling on the first write',
    step: 'log-write',
    make: () => serviceError('ProvisionedThroughputExceededException', 400),
    inject: (deps, fault) => ({ log: faultyLog(deps.log, fault, ['begin']) }),
  },
  {
    // A new message's first write is the claim of the send: the record is put directly in `claimed`.
    name: 'DynamoDB throttling on the write that claims the send',
    step: 'log-write',
    make: () => serviceError('ThrottlingException', 400),
    inject: (deps, fault) => ({
      log: faultyLog(
        deps.log,
        fault,
        ['begin'],
        (_m, args) => (args[0] as { status?: string }).status === 'claimed',
      ),
    }),
  },
  {
    name: 'SES throttling',
    step: 'send',
    make: () => serviceError('TooManyRequestsException', 429, 'Maximum sending rate exceeded.'),
    inject: (deps, fault) => ({ sender: faultySender(deps.sender, fault) }),
  },
  {
    name: 'SES 5xx',
    step: 'send',
    make: () => serviceError('InternalFailure', 500),
    inject: (deps, fault) => ({ sender: faultySender(deps.sender, fault) }),
  },
  {
    name: 'S3 read failure',
    step: 'read',
    make: () => serviceError('InternalError', 500, 'We encountered an internal error. Please try again.'),
    inject: (deps, fault) => ({ store: faultyStore(deps.store, fault) }),
  },
  {
    name: 'a timeout reading the message',
    step: 'read',
    make: timeoutError,
    inject: (deps, fault) => ({ store: faultyStore(deps.store, fault) }),
  },
];

describe('routeMessage under injected faults', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig();
  });

  afterAll(async () => {
    await rig.close();
  });

  for (const faultCase of CASES) {
    it(`keeps the message, records step ${faultCase.step} and completes once on retry: ${faultCase.name}`, async () => {
      // Prepare
      const deps = await rig.freshDeps();
      const raw = plainMessage();
      const notification = await deps.deliver(raw);
      const fault = new Fault(1, faultCase.make);
      const faulty = { ...deps, ...faultCase.inject(deps, fault) };
      const handle = createHandler(faulty);
      const event = sqsEvent(notification);

      // Act
      const first = await handle(event);
      const afterFailure = await deps.log.get(notification.mail.messageId);
      const stored = await readStored(deps, notification.receipt.action.objectKey);
      const retry = await handle(event);
      const again = await handle(event);

      // Assess
      expect(fault.spent).toBe(true);
      expect(first.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
      expect(afterFailure).toMatchObject({ status: 'failed', failedStep: faultCase.step });
      expect(stored.equals(raw)).toBe(true);
      expect(retry.batchItemFailures).toEqual([]);
      expect(again.batchItemFailures).toEqual([]);
      const final = await deps.log.get(notification.mail.messageId);
      expect(final).toMatchObject({ status: 'forwarded' });
      expect(final?.failedStep).toBeUndefined();
      expect(sentFor(rig.capture, notification.mail.messageId)).toHaveLength(1);
    });
  }

  it('leaves a send that timed out in sending: no retry sends it, reconcile sends it once SES never confirmed it', async () => {
    // Prepare: the SES call gets no answer; it may or may not have reached SES (here it did not).
    const deps = await rig.freshDeps();
    const notification = await deps.deliver(plainMessage());
    const fault = new Fault(1, timeoutError);
    const handle = createHandler({ ...deps, sender: faultySender(deps.sender, fault) });
    const event = sqsEvent(notification);

    // Act
    const first = await handle(event);
    const retry = await handle(event);
    const afterRetry = await deps.log.get(notification.mail.messageId);
    const report = await reconcile({
      config: deps.config,
      store: deps.store,
      log: deps.log,
      now: () => new Date(Date.now() + 60 * 60_000),
      redrive: async (again) => {
        await deps.handle(sqsEvent(again));
      },
    });

    // Assess
    expect(first.batchItemFailures).toHaveLength(1);
    expect(retry.batchItemFailures).toEqual([]);
    expect(afterRetry).toMatchObject({ status: 'sending', failedStep: 'send-unanswered' });
    expect(report.resent).toEqual([notification.mail.messageId]);
    expect(await deps.log.get(notification.mail.messageId)).toMatchObject({ status: 'forwarded' });
    expect(sentFor(rig.capture, notification.mail.messageId)).toHaveLength(1);
  });

  it('records step log-claim when the claim of an earlier failed attempt is throttled, then completes once', async () => {
    // Prepare: a first attempt fails reading S3 (record `failed`); the next one's claim is throttled.
    const deps = await rig.freshDeps();
    const notification = await deps.deliver(plainMessage());
    const event = sqsEvent(notification);
    const readFault = new Fault(1, timeoutError);
    const claimFault = new Fault(1, () => serviceError('ThrottlingException', 400));
    const claimingLog = faultyLog(
      deps.log,
      claimFault,
      ['update'],
      (_m, args) => (args[1] as { status?: string }).status === 'claimed',
    );

    // Act
    const first = await createHandler({ ...deps, store: faultyStore(deps.store, readFault) })(event);
    const second = await createHandler({ ...deps, log: claimingLog })(event);
    const afterClaimFailure = await deps.log.get(notification.mail.messageId);
    const third = await deps.handle(event);
    const fourth = await deps.handle(event);

    // Assess
    expect(readFault.spent).toBe(true);
    expect(claimFault.spent).toBe(true);
    expect(first.batchItemFailures).toHaveLength(1);
    expect(second.batchItemFailures).toHaveLength(1);
    expect(afterClaimFailure).toMatchObject({ status: 'failed', failedStep: 'log-claim' });
    expect(third.batchItemFailures).toEqual([]);
    expect(fourth.batchItemFailures).toEqual([]);
    expect(await deps.log.get(notification.mail.messageId)).toMatchObject({ status: 'forwarded' });
    expect(sentFor(rig.capture, notification.mail.messageId)).toHaveLength(1);
  });

  it('reports a batch item failure and logs the step when DynamoDB is unreachable, then completes once', async () => {
    // Prepare: a client pointed at a port nothing listens on.
    const deps = await rig.freshDeps();
    const notification = await deps.deliver(plainMessage());
    const closed = await localDynamoClient('http://127.0.0.1:9');
    const unreachable = { ...deps, log: new DynamoDbRoutingLog(closed, 'unreachable') };
    const event = sqsEvent(notification);

    // Act
    const first = await createHandler(unreachable)(event);
    const retry = await deps.handle(event);
    closed.destroy();

    // Assess
    expect(first.batchItemFailures).toHaveLength(1);
    expect(deps.logger.lines).toContainEqual(
      expect.objectContaining({ level: 'error', attributes: expect.objectContaining({ step: 'log-write' }) }),
    );
    expect(retry.batchItemFailures).toEqual([]);
    expect(sentFor(rig.capture, notification.mail.messageId)).toHaveLength(1);
  });

  it('re-drives what exhausted its retries with mailroute replay, exactly once', async () => {
    // Prepare: SES down for the whole retry budget (maxReceiveCount 5), so SQS would dead-letter it.
    const deps = await rig.freshDeps();
    const notification = await deps.deliver(plainMessage());
    const outage = new Fault(5, () => serviceError('ServiceUnavailable', 503));
    const handle = createHandler({ ...deps, sender: faultySender(deps.sender, outage) });
    for (let attempt = 0; attempt < 5; attempt += 1) await handle(sqsEvent(notification));
    const dead = await deps.log.list({ status: 'failed' });
    const lines: string[] = [];
    const open = async () => operatorBackendOf(deps);
    const io = { out: (line: string) => lines.push(line), err: () => undefined };

    // Act
    const code = await replayCommand(['--json'], open, io);
    const second = await replayCommand(['--json'], open, io);

    // Assess
    expect(dead.map((record) => record.id)).toEqual([notification.mail.messageId]);
    expect(code).toBe(0);
    expect(second).toBe(0);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { messageId: notification.mail.messageId, replayed: true, status: 'forwarded' },
    ]);
    expect(sentFor(rig.capture, notification.mail.messageId)).toHaveLength(1);
  });
});

async function readStored(deps: RigDeps, key: string): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of (await deps.store.open({ bucket: 'mail', key })).content) chunks.push(chunk);
  return Buffer.concat(chunks);
}
