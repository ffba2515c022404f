// Promise 1 of issue #5: the same notification, however often and however concurrently delivered,
// gives one routing record and one send; a crash after the send does not send again on retry.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ROUTER_CONFIG } from '../../functions/config/schema.js';
import { createHandler } from '../../functions/route-mail/handler.js';
import { routeMessage } from '../../functions/route-mail/pipeline.js';
import type { RoutingLog } from '../../functions/route-mail/ports.js';
import {
  Fault,
  faultyLog,
  faultyStore,
  plainMessage,
  type Rig,
  sentFor,
  sqsEvent,
  startRig,
  timeoutError,
} from '../helpers/pipeline-rig.js';

describe('routeMessage exactly once (dynalite + SES capture server)', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig();
  });

  afterAll(async () => {
    await rig.close();
  });

  it('routes a notification delivered twice in a row once: one record, one send', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const notification = await deps.deliver(plainMessage());

    // Act
    const first = await routeMessage(deps, notification);
    const second = await routeMessage(deps, notification);

    // Assess
    expect(first).toMatchObject({ status: 'forwarded', duplicate: false });
    expect(second).toMatchObject({ status: 'forwarded', duplicate: true, sesMessageId: first.sesMessageId });
    expect(sentFor(rig.capture, first.messageId)).toHaveLength(1);
    expect(await deps.log.list({})).toHaveLength(1);
  });

  it('routes ten concurrent deliveries of one notification once', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const notification = await deps.deliver(plainMessage());

    // Act
    const results = await Promise.all(Array.from({ length: 10 }, () => deps.handle(sqsEvent(notification))));

    // Assess
    expect(results.every((result) => result.batchItemFailures.length === 0)).toBe(true);
    expect(sentFor(rig.capture, notification.mail.messageId)).toHaveLength(1);
    const records = await deps.log.list({});
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ status: 'forwarded' });
  });

  it('does not send again when it crashed after the send and before the record was marked', async () => {
    // Prepare: the update to `forwarded` times out once, as if the function died right after SES took it.
    const deps = await rig.freshDeps();
    const notification = await deps.deliver(plainMessage());
    const crash = new Fault(1, timeoutError);
    const crashingLog: RoutingLog = faultyLog(
      deps.log,
      crash,
      ['update'],
      (_method, args) => (args[1] as { status?: string }).status === 'forwarded',
    );
    const crashing = { ...deps, log: crashingLog, handle: createHandler({ ...deps, log: crashingLog }) };

    // Act: SQS delivers, the handler reports the failure, SQS delivers again.
    const first = await crashing.handle(sqsEvent(notification));
    const retry = await crashing.handle(sqsEvent(notification));

    // Assess
    expect(crash.spent).toBe(true);
    expect(first.batchItemFailures).toHaveLength(1);
    expect(retry.batchItemFailures).toHaveLength(0);
    expect(sentFor(rig.capture, notification.mail.messageId)).toHaveLength(1);
  });

  it('leaves the record in sending (not failed) when the mark after a send fails, so no retry resends', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const notification = await deps.deliver(plainMessage());
    const crash = new Fault(1, timeoutError);
    const crashing = {
      ...deps,
      log: faultyLog(
        deps.log,
        crash,
        ['update'],
        (_method, args) => (args[1] as { status?: string }).status === 'forwarded',
      ),
    };

    // Act
    const failed = await routeMessage(crashing, notification).catch((error: Error) => error);
    const retries = [await routeMessage(crashing, notification), await routeMessage(deps, notification)];

    // Assess
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toMatch(/log-mark-after-send/);
    expect(await deps.log.get(notification.mail.messageId)).toMatchObject({ status: 'sending' });
    expect(retries.every((result) => result.duplicate)).toBe(true);
    expect(sentFor(rig.capture, notification.mail.messageId)).toHaveLength(1);
  });

  it('leaves a record in sending alone when a later delivery fails before writing: no retry resends', async () => {
    // Prepare: an earlier delivery claimed the send and died (record `sending`); the next one cannot
    // read the stored message. There is no log read before the write any more, so this is the case
    // where a failure must not take someone else's `sending` to `failed`.
    const deps = await rig.freshDeps();
    const notification = await deps.deliver(plainMessage());
    const crash = new Fault(1, timeoutError);
    const crashing = {
      ...deps,
      log: faultyLog(
        deps.log,
        crash,
        ['update'],
        (_method, args) => (args[1] as { status?: string }).status === 'forwarded',
      ),
    };
    await routeMessage(crashing, notification).catch(() => undefined);
    const unreadable = { ...deps, store: faultyStore(deps.store, new Fault(3, timeoutError)) };

    // Act
    const failedRead = await routeMessage(unreadable, notification).catch((error: Error) => error);
    const retry = await routeMessage(deps, notification);

    // Assess
    expect(crash.spent).toBe(true);
    expect(failedRead).toMatchObject({ status: 'sending', duplicate: true });
    expect(retry).toMatchObject({ status: 'sending', duplicate: true });
    expect(await deps.log.get(notification.mail.messageId)).toMatchObject({ status: 'sending' });
    expect(sentFor(rig.capture, notification.mail.messageId)).toHaveLength(1);
  });
  it("routes a message to two functional addresses as sent to the same one, whichever receipt rule's notification comes first", async () => {
    // Prepare: one message, two rules (one per address), two notifications with the same SES message id
    const [first, second] = DEFAULT_ROUTER_CONFIG.functionalAddresses.map((entry) => entry.address);
    const routedAs = async (order: 'first-rule-first' | 'second-rule-first') => {
      const deps = await rig.freshDeps();
      const raw = plainMessage({ extraHeaders: `Cc: ${second}\r\n` });
      const byRule = await Promise.all(
        [first, second].map(async (to) => {
          const notification = await deps.deliver(raw, { to });
          notification.mail.destination = [first as string, second as string];
          return notification;
        }),
      );
      const ordered = order === 'first-rule-first' ? byRule : [...byRule].reverse();
      for (const notification of ordered) await routeMessage(deps, notification);
      return (await deps.log.get(byRule[0]?.mail.messageId ?? ''))?.functionalAddress;
    };

    // Act
    const either = [await routedAs('first-rule-first'), await routedAs('second-rule-first')];

    // Assess: the first of the two as addressed, not the rule that won the race
    expect(either).toEqual([first, first]);
  });
});
