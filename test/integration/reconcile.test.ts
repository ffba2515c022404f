// Promise 3 of issue #5: no silent loss. Reconcile walks the store, re-drives every message without a
// final record after the grace period, sends again what SES never confirmed (issue #11), and publishes
// the count as the EMF metric the alarm watches.
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { confirmSendEvent } from '../../functions/confirm-send/confirm.js';
import { sesSendEvent } from '../../functions/confirm-send/send-event.js';
import type { CapturedEmail } from '../../functions/local/ses-capture-server.js';
import { runReconcile } from '../../functions/reconcile/handler.js';
import type { ReconcileDeps } from '../../functions/reconcile/reconcile.js';
import { routeMessage } from '../../functions/route-mail/pipeline.js';
import {
  Fault,
  faultyLog,
  faultySender,
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
  async function runWithMetrics(deps: ReconcileDeps, logLevel: 'ERROR' | 'DEBUG' = 'ERROR') {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const metrics = new Metrics({ namespace: 'Mailroute', serviceName: 'mailroute' });
    const logger = new Logger({ serviceName: 'mailroute', logLevel });
    try {
      const run = await runReconcile(deps, metrics, logger);
      metrics.publishStoredMetrics();
      const logs = written
        .flatMap((chunk) => chunk.split('\n'))
        .filter((line) => line.startsWith('{') && !line.includes('_aws'))
        .map((line) => JSON.parse(line) as { level: string; message: string; keys?: string[] });
      return { run, emf: written.flatMap(parseEmf), logs };
    } finally {
      spy.mockRestore();
    }
  }

  it('re-drives lost and failed messages once, sends again what SES never confirmed, and leaves the rest alone', async () => {
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
    // SES took it, the router died before its mark, and SES's Send event came: confirmed, not sent again.
    const confirmed = await deps.deliver(plainMessage({ subject: 'crashed after the send' }));
    await routeMessage(
      {
        ...deps,
        log: faultyLog(deps.log, new Fault(1, timeoutError), ['update'], (_m, args) => {
          return (args[1] as { status?: string }).status === 'forwarded';
        }),
      },
      confirmed,
    ).catch(() => undefined);
    const [taken] = sentFor(rig.capture, confirmed.mail.messageId);
    await confirmSendEvent(deps, sendEventOf(taken));
    // The SES call got no answer and SES never took it: no Send event, so it is sent again.
    const neverTaken = await deps.deliver(plainMessage({ subject: 'timed out before SES' }));
    await routeMessage(
      { ...deps, sender: faultySender(deps.sender, new Fault(1, timeoutError)) },
      neverTaken,
    ).catch(() => undefined);
    const leftSending = await deps.log.get(neverTaken.mail.messageId);
    const young = await deps.deliver(plainMessage({ subject: 'still in flight' }));
    const inFuture = new Date(Date.now() + 45 * 60_000);
    await utimes(storePath(deps, young.receipt.action.objectKey), inFuture, inFuture);
    const sentBefore = rig.capture.sent.length;

    // Act
    const first = await runWithMetrics(reconcileDeps(deps, 60));
    const second = await runWithMetrics(reconcileDeps(deps, 60));

    // Assess
    expect(new Set(first.run.report.redriven)).toEqual(new Set([lost.mail.messageId, failed.mail.messageId]));
    expect(leftSending).toMatchObject({ status: 'sending', failedStep: 'send-unanswered' });
    expect(first.run.report.resent).toEqual([neverTaken.mail.messageId]);
    expect(await deps.log.get(confirmed.mail.messageId)).toMatchObject({
      status: 'forwarded',
      sesMessageId: taken?.messageId,
    });
    expect(await deps.log.get(neverTaken.mail.messageId)).toMatchObject({
      status: 'forwarded',
      sendAttempts: 2,
    });
    expect(await deps.log.get(lost.mail.messageId)).toMatchObject({ status: 'forwarded' });
    expect(await deps.log.get(failed.mail.messageId)).toMatchObject({ status: 'forwarded' });
    expect(await deps.log.get(young.mail.messageId)).toBeUndefined();
    expect(rig.capture.sent.length - sentBefore).toBe(3);
    for (const id of [lost, failed, done, confirmed, neverTaken].map((n) => n.mail.messageId)) {
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
      value: 0,
      namespace: 'Mailroute',
      service: 'mailroute',
    });
  });

  it("leaves SES's setup object alone: no re-drive, no record, no send, no alarm, one debug line", async () => {
    // Prepare: what SES writes under a rule's prefix when the rule is created, beside a routed message.
    const deps = await rig.freshDeps();
    await routeMessage(deps, await deps.deliver(plainMessage()));
    const setupKey = 'inbound/euinternational@stockholm.se/AMAZON_SES_SETUP_NOTIFICATION';
    await deps.store.put(setupKey, Buffer.from('Amazon SES setup notification: write permission check.\r\n'));
    const sentBefore = rig.capture.sent.length;

    // Act
    const { run, emf, logs } = await runWithMetrics(reconcileDeps(deps, 60), 'DEBUG');

    // Assess
    expect(run.report).toMatchObject({ checked: 1, redriven: [], resent: [], errors: [] });
    expect(run.report.setupObjects).toEqual([setupKey]);
    expect(await deps.log.get('AMAZON_SES_SETUP_NOTIFICATION')).toBeUndefined();
    expect(rig.capture.sent.length).toBe(sentBefore);
    expect(emf).toContainEqual(expect.objectContaining({ metric: 'ReconcileUnfinished', value: 0 }));
    const mentions = logs.filter((line) => JSON.stringify(line).includes('AMAZON_SES_SETUP_NOTIFICATION'));
    expect(mentions).toEqual([expect.objectContaining({ level: 'DEBUG', keys: [setupKey] })]);
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

function sendEventOf(email: CapturedEmail | undefined) {
  if (!email) throw new Error('no send captured');
  return sesSendEvent({
    sesMessageId: email.messageId,
    at: email.at,
    from: email.from,
    recipients: email.recipients,
    tags: email.tags,
  });
}

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
