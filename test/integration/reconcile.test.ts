// Promise 3 of issue #5: no silent loss. Reconcile walks the store, re-drives every message without a
// final record after the grace period, reports sends it cannot confirm, and publishes the count as the
// EMF metric the alarm watches.
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runReconcile } from '../../functions/reconcile/handler.js';
import type { ReconcileDeps } from '../../functions/reconcile/reconcile.js';
import { routeMessage } from '../../functions/route-mail/pipeline.js';
import {
  Fault,
  faultyLog,
  faultyStore,
  plainMessage,
  type Rig,
  type RigDeps,
  sentFor,
  serviceError,
  sqsEvent,
  startRig,
  timeoutError,
} from '../helpers/pipeline-rig.js';

describe('reconcile', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig();
  });

  afterAll(async () => {
    await rig.close();
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  function reconcileDeps(deps: RigDeps, minutesLater: number): ReconcileDeps {
    return {
      config: deps.config,
      store: deps.store,
      log: deps.log,
      now: () => new Date(Date.now() + minutesLater * 60_000),
      redrive: async (notification) => {
        const { batchItemFailures } = await deps.handle(sqsEvent(notification));
        if (batchItemFailures.length > 0) throw new Error('re-drive failed');
      },
    };
  }

  /** Runs reconcile with the real Powertools Metrics and returns what it wrote to stdout as EMF. */
  async function runWithMetrics(deps: ReconcileDeps) {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const metrics = new Metrics({ namespace: 'Mailroute', serviceName: 'mailroute' });
    const logger = new Logger({ serviceName: 'mailroute', logLevel: 'ERROR' });
    try {
      const run = await runReconcile(deps, metrics, logger);
      metrics.publishStoredMetrics();
      return { run, emf: written.flatMap(parseEmf) };
    } finally {
      spy.mockRestore();
    }
  }

  it('re-drives lost and failed messages once, reports unconfirmed sends, and leaves the rest alone', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const lost = await deps.deliver(plainMessage({ subject: 'notification never arrived' }));
    const failed = await deps.deliver(plainMessage({ subject: 'failed every retry' }));
    await routeMessage(
      { ...deps, store: faultyStore(deps.store, new Fault(1, () => serviceError('InternalError', 500))) },
      failed,
    ).catch(() => undefined);
    const done = await deps.deliver(plainMessage({ subject: 'routed normally' }));
    await routeMessage(deps, done);
    const unconfirmed = await deps.deliver(plainMessage({ subject: 'crashed after the send' }));
    await routeMessage(
      {
        ...deps,
        log: faultyLog(deps.log, new Fault(1, timeoutError), ['update'], (_m, args) => {
          return (args[1] as { status?: string }).status === 'forwarded';
        }),
      },
      unconfirmed,
    ).catch(() => undefined);
    const young = await deps.deliver(plainMessage({ subject: 'still in flight' }));
    const inFuture = new Date(Date.now() + 45 * 60_000);
    await utimes(storePath(deps, young.receipt.action.objectKey), inFuture, inFuture);
    const sentBefore = rig.capture.sent.length;

    // Act
    const first = await runWithMetrics(reconcileDeps(deps, 60));
    const second = await runWithMetrics(reconcileDeps(deps, 60));

    // Assess
    expect(new Set(first.run.report.redriven)).toEqual(new Set([lost.mail.messageId, failed.mail.messageId]));
    expect(first.run.report.unconfirmed).toEqual([unconfirmed.mail.messageId]);
    expect(await deps.log.get(lost.mail.messageId)).toMatchObject({ status: 'forwarded' });
    expect(await deps.log.get(failed.mail.messageId)).toMatchObject({ status: 'forwarded' });
    expect(await deps.log.get(young.mail.messageId)).toBeUndefined();
    expect(rig.capture.sent.length - sentBefore).toBe(2);
    for (const id of [lost, failed, done, unconfirmed].map((n) => n.mail.messageId)) {
      expect(sentFor(rig.capture, id)).toHaveLength(1);
    }
    expect(first.emf).toContainEqual({
      metric: 'ReconcileUnfinished',
      value: 3,
      namespace: 'Mailroute',
      service: 'mailroute',
    });
    expect(second.run.report.redriven).toEqual([]);
    expect(second.emf).toContainEqual({
      metric: 'ReconcileUnfinished',
      value: 1,
      namespace: 'Mailroute',
      service: 'mailroute',
    });
  });

  it("keeps the first delivery's verdicts when the stored message could never be read, and judges the re-drive on them", async () => {
    // Prepare: DMARC failed with policy reject (a direct route quarantines that); the S3 read fails on all five receives
    const deps = await rig.freshDeps();
    const notification = await deps.deliver(plainMessage({ subject: 'spoofed request' }), {
      receipt: { dmarcVerdict: { status: 'FAIL' }, dmarcPolicy: 'reject' },
    });
    const unreadable = {
      ...deps,
      store: faultyStore(deps.store, new Fault(5, () => serviceError('InternalError', 500))),
    };
    for (let receive = 0; receive < 5; receive++)
      await routeMessage(unreadable, notification).catch(() => undefined);
    const afterFailures = await deps.log.get(notification.mail.messageId);

    // Act
    const run = await runWithMetrics(reconcileDeps(deps, 60));

    // Assess
    expect(afterFailures).toMatchObject({
      status: 'failed',
      verdicts: { dmarc: 'FAIL', dmarcPolicy: 'reject' },
    });
    expect(run.run.report.redriven).toEqual([notification.mail.messageId]);
    expect(await deps.log.get(notification.mail.messageId)).toMatchObject({ status: 'quarantined' });
    expect(sentFor(rig.capture, notification.mail.messageId)).toHaveLength(0);
  });

  it('publishes zero when every stored message is final', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    await routeMessage(deps, await deps.deliver(plainMessage()));

    // Act
    const { run, emf } = await runWithMetrics(reconcileDeps(deps, 60));

    // Assess
    expect(run.report.checked).toBe(1);
    expect(run.unfinished).toBe(0);
    expect(emf).toContainEqual({
      metric: 'ReconcileUnfinished',
      value: 0,
      namespace: 'Mailroute',
      service: 'mailroute',
    });
  });
});

function storePath(deps: RigDeps, key: string): string {
  // The folder store keeps bucket `mail` under its root; its root is private, so locate a file through it.
  return join((deps.store as unknown as { root: string }).root, 'mail', key);
}

interface EmfMetric {
  metric: string;
  value: unknown;
  namespace: string;
  service: unknown;
}

function parseEmf(text: string): EmfMetric[] {
  const out: EmfMetric[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes('_aws')) continue;
    const blob = JSON.parse(line) as {
      _aws: { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] };
      service?: unknown;
      [key: string]: unknown;
    };
    for (const directive of blob._aws.CloudWatchMetrics) {
      for (const metric of directive.Metrics) {
        out.push({
          metric: metric.Name,
          value: blob[metric.Name],
          namespace: directive.Namespace,
          service: blob.service,
        });
      }
    }
  }
  return out;
}
