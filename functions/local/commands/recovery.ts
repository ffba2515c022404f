// operator --> (`mailroute replay | reconcile | release | resend`) --> the local stack or the AWS
// queues: the commands that bring back messages the router has not finished (issues #5, #11).
import { parseArgs } from 'node:util';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { reconcile, redriveNotification, unfinishedCount } from '../../reconcile/reconcile.js';
import { routeMessage } from '../../route-mail/pipeline.js';
import type { RoutingRecord } from '../../route-mail/ports.js';
import { reopenForResend } from '../../route-mail/routing-states.js';
import type { SesNotification } from '../../route-mail/ses-notification.js';
import { linesForPeople } from '../for-people.js';
import type { LocalRouter } from '../local-router.js';

/** The local router on the data folder, opened by cli.ts (through a running stack, or on its own). */
export type OpenRouter = () => Promise<{ router: LocalRouter; close(): Promise<void> }>;

export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** `out` is JSON lines for machines; `err` is for people, without control characters. */
const consoleIo: CommandIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(linesForPeople(line)),
};

/** Sends one notification through the same handler SQS would invoke; rejects if it reports a failure. */
function redrive(router: LocalRouter, notification: SesNotification): Promise<void> {
  return router.redrive(notification);
}

function notificationOf(router: LocalRouter, record: RoutingRecord): SesNotification {
  return redriveNotification(
    router.deps.config,
    { bucket: record.bucket, key: record.key },
    record.id,
    record,
    new Date(record.receivedAt),
  );
}

/**
 * `mailroute replay`: re-drives every record in `failed` (locally these are what SQS would have put in
 * the DLQ). `mailroute replay --dlq URL --to URL`: moves the messages of an AWS dead-letter queue back
 * to the router's queue, each deleted from the DLQ only after it was sent on.
 */
export async function replayCommand(
  args: string[],
  open: OpenRouter,
  io = consoleIo,
  sqs?: SQSClient,
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { dlq: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
  });
  if (values.dlq || values.to) {
    if (!values.dlq || !values.to) throw new Error('replay --dlq needs --to QUEUE_URL as well');
    const moved = await replayDeadLetters(values.dlq, values.to, sqs);
    io.err(`${moved} message${moved === 1 ? '' : 's'} moved from the DLQ back to ${values.to}`);
    return 0;
  }
  const { router, close } = await open();
  let failed = 0;
  try {
    const records = await router.deps.log.list({ status: 'failed' });
    for (const record of records) {
      try {
        await redrive(router, notificationOf(router, record));
        const after = await router.deps.log.get(record.id);
        io.out(JSON.stringify({ messageId: record.id, replayed: true, status: after?.status }));
      } catch (error) {
        failed += 1;
        io.out(JSON.stringify({ messageId: record.id, replayed: false, error: (error as Error).message }));
      }
    }
    io.err(
      `${records.length} failed record${records.length === 1 ? '' : 's'} replayed, ${failed} failed again`,
    );
  } finally {
    await close();
  }
  return failed > 0 ? 1 : 0;
}

/** Moves every message of `dlqUrl` to `targetUrl`; returns how many. */
export async function replayDeadLetters(
  dlqUrl: string,
  targetUrl: string,
  client?: SQSClient,
): Promise<number> {
  const { SQSClient, ReceiveMessageCommand, SendMessageCommand, DeleteMessageCommand } = await import(
    '@aws-sdk/client-sqs'
  );
  const sqs = client ?? new SQSClient({});
  let moved = 0;
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 60,
      }),
    );
    if (Messages.length === 0) return moved;
    for (const message of Messages) {
      if (message.Body === undefined || !message.ReceiptHandle) continue;
      await sqs.send(new SendMessageCommand({ QueueUrl: targetUrl, MessageBody: message.Body }));
      // Deleted only once sent on: a crash in between leaves a copy in both, and the router's
      // exactly-once record makes the second delivery a no-op.
      await sqs.send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: message.ReceiptHandle }));
      moved += 1;
    }
  }
}

/**
 * `mailroute reconcile`: finishes stored messages without a final record (routes what never went out,
 * sends again what is `sending` without a Send event for the grace period); prints what it found.
 */
export async function reconcileCommand(args: string[], open: OpenRouter, io = consoleIo): Promise<number> {
  const { values } = parseArgs({ args, options: { 'grace-minutes': { type: 'string' } }, strict: true });
  const { router, close } = await open();
  try {
    const config = { ...router.deps.config };
    if (values['grace-minutes'] !== undefined) {
      const grace = Number(values['grace-minutes']);
      if (!Number.isInteger(grace) || grace < 0)
        throw new Error('--grace-minutes must be a whole number >= 0');
      config.reconcile = { ...config.reconcile, graceMinutes: grace };
    }
    const report = await reconcile({
      config,
      store: router.store,
      log: router.deps.log,
      now: router.deps.now,
      redrive: (notification) => redrive(router, notification),
    });
    io.out(JSON.stringify(report));
    const unfinished = unfinishedCount(report);
    // The local stand-in for the CloudWatch alarm on ReconcileUnfinished.
    if (unfinished > 0)
      io.err(`ALARM: reconcile found ${unfinished} unfinished message${unfinished === 1 ? '' : 's'}`);
    return report.errors.length > 0 ? 1 : 0;
  } finally {
    await close();
  }
}

/** `mailroute release ID`: routes a quarantined message after all (verdicts, loops and rate limit waived). */
export async function releaseCommand(args: string[], open: OpenRouter, io = consoleIo): Promise<number> {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  if (positionals.length === 0)
    throw new Error('release needs the id of a quarantined message (mailroute log --status quarantined)');
  const { router, close } = await open();
  let failed = 0;
  try {
    for (const id of positionals) {
      const record = await findRecord(router, id);
      if (!record) {
        failed += 1;
        io.out(JSON.stringify({ messageId: id, released: false, error: 'no such message' }));
        continue;
      }
      if (record.status !== 'quarantined') {
        failed += 1;
        io.out(
          JSON.stringify({ messageId: record.id, released: false, error: `status is ${record.status}` }),
        );
        continue;
      }
      const result = await routeMessage(router.deps, notificationOf(router, record), { release: true });
      io.out(JSON.stringify({ released: true, ...result }));
    }
  } finally {
    await close();
  }
  return failed > 0 ? 1 : 0;
}

/**
 * `mailroute resend [--force] ID`: sends a message again. For what is still ambiguous: `sending` (the
 * SES call was made, no Send event came), `claimed`, `failed` or `received`. A send SES confirmed
 * (`forwarded`) goes again only with `--force`: a person decided the group must get it once more.
 */
export async function resendCommand(args: string[], open: OpenRouter, io = consoleIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { force: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length === 0) throw new Error('resend needs the id of a message (mailroute log)');
  const force = values.force === true;
  const { router, close } = await open();
  let failed = 0;
  const refuse = (messageId: string, error: string) => {
    failed += 1;
    io.out(JSON.stringify({ messageId, resent: false, error }));
  };
  try {
    for (const id of positionals) {
      const record = await findRecord(router, id, ['sending', 'claimed', 'failed', 'forwarded', 'received']);
      if (!record) {
        refuse(id, 'no such message');
        continue;
      }
      if (record.status === 'forwarded' && !force) {
        refuse(
          record.id,
          `SES confirmed the send (${record.sesMessageId ?? 'no id'}); --force sends it again`,
        );
        continue;
      }
      if (record.status === 'quarantined' || record.status === 'suppressed') {
        refuse(
          record.id,
          `status is ${record.status}: nothing was sent (mailroute release routes a quarantined one)`,
        );
        continue;
      }
      const now = router.deps.now();
      if (
        (record.status === 'sending' || record.status === 'forwarded') &&
        !(await reopenForResend(router.deps.log, record, now, { force }))
      ) {
        refuse(record.id, 'the record changed meanwhile; look again with mailroute log');
        continue;
      }
      try {
        await redrive(router, notificationOf(router, record));
        const after = await router.deps.log.get(record.id);
        io.out(
          JSON.stringify({
            messageId: record.id,
            resent: true,
            status: after?.status,
            sesMessageId: after?.sesMessageId,
          }),
        );
      } catch (error) {
        refuse(record.id, (error as Error).message);
      }
    }
  } finally {
    await close();
  }
  return failed > 0 ? 1 : 0;
}

/** By full id, or by the 12-character prefix `mailroute log` prints when it is unambiguous. */
async function findRecord(
  router: LocalRouter,
  id: string,
  statuses: RoutingRecord['status'][] = ['quarantined'],
): Promise<RoutingRecord | undefined> {
  const exact = await router.deps.log.get(id);
  if (exact) return exact;
  if (id.length < 8) return undefined;
  const matches: RoutingRecord[] = [];
  for (const status of statuses) {
    matches.push(...(await router.deps.log.list({ status })).filter((record) => record.id.startsWith(id)));
  }
  return matches.length === 1 ? matches[0] : undefined;
}
