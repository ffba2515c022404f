// pipeline, confirm, reconcile, operators --> (routing states) --> RoutingLog: the life of one routing
// record, and the only place that moves it between states. Each move is one conditional write, so
// concurrent deliveries, SES's Send event, reconcile and an operator can never both win one.
//
//   (none) --put--> claimed --start send--> sending --mark / Send event--> forwarded
//   (none) --put--> suppressed | quarantined
//   sending (this delivery's attempt, before its SES call) --held back--> quarantined
//                                                           --rate count failed--> failed
//   received | claimed | failed --claim--> claimed           (another delivery, a retry, reconcile)
//   sending (no Send event within the window) --reopen--> claimed      (reconcile, `mailroute resend`)
//   forwarded --reopen with force--> claimed                           (`mailroute resend --force`)
//
// `claimed` means no send was attempted: sending from it is always safe. `sending` means the SES call
// was made or is about to be: SES may have taken the message, and only SES's Send event (tagged with
// the record id) or a window without one settles which. The gate is taken while the per-sender rate
// count is still on its way (the two calls run side by side, pipeline.ts); the delivery that took it
// and has not called SES may still step back from it, by its own send attempt's number, and nobody
// else may: a crash in between leaves `sending`, which is safe (reconcile sends it after the window).
//
// The acknowledgement to the sender (issue #14) has its own state on the same record, moved the same
// way, once the record is `forwarded`:
//
//   (written with the record) due | skipped
//   due --slot taken by another message--> skipped
//   due --start--> sending --mark / Send event--> sent
//   sending --SES answered: retry later--> due          sending --SES refused it--> refused
//
// Unlike a forward, an acknowledgement left `sending` is never sent again: nothing can prove SES did
// not take it, and a missing receipt is better than two.
import {
  type AcknowledgementStatus,
  FINAL_STATUSES,
  type RoutingLog,
  type RoutingRecord,
  type RoutingStatus,
} from './ports.js';

/** The SES message tag that carries the routing record id through SES to the Send event. */
export const ROUTING_ID_TAG = 'mailroute-id';
/** The SES message tag that says what a send is (`SendKind`): an acknowledgement's Send event is not the forward's. */
export const SEND_KIND_TAG = 'mailroute-kind';

/** Statuses from which a delivery may take a message over to route it: nothing was sent from them. */
export function claimableStatuses(release: boolean): RoutingStatus[] {
  const unsent: RoutingStatus[] = ['received', 'claimed', 'failed'];
  return release ? [...unsent, 'quarantined'] : unsent;
}

/** A record that needs no more work, or is being sent (or was, unconfirmed) by someone. */
export function isSettled(status: RoutingStatus): boolean {
  return FINAL_STATUSES.includes(status) || status === 'sending';
}

/**
 * `claimed -> sending`, just before the SES call: the one gate every send passes, so of any number of
 * deliveries holding `claimed` exactly one sends. False when another won (or the record moved on).
 */
export async function startSend(
  log: RoutingLog,
  record: RoutingRecord,
  disposition: string,
  now: Date,
): Promise<boolean> {
  const at = now.toISOString();
  const attempts = (record.sendAttempts ?? 0) + 1;
  const moved = await log.update(
    record.id,
    { status: 'sending', disposition, sendStartedAt: at, sendAttempts: attempts, updatedAt: at },
    ['claimed'],
  );
  if (moved) {
    record.status = 'sending';
    record.disposition = disposition;
    record.sendStartedAt = at;
    record.sendAttempts = attempts;
  }
  return moved;
}

/**
 * `sending -> quarantined`, by the delivery that took the gate, before its SES call: the rate count that
 * ran beside the gate holds the message back. Conditional on this delivery's send attempt, so a
 * `sending` that reconcile or an operator reopened and another delivery took since is never touched.
 * False when the record moved on.
 */
export async function holdBeforeSend(
  log: RoutingLog,
  record: RoutingRecord,
  held: Pick<RoutingRecord, 'disposition' | 'recipients' | 'reasons'>,
  now: Date,
): Promise<boolean> {
  const moved = await log.update(
    record.id,
    {
      ...held,
      status: 'quarantined',
      ...sendNotStarted(record),
      acknowledgement: 'skipped',
      acknowledgementReason: 'not forwarded (quarantine)',
      updatedAt: now.toISOString(),
    },
    ['sending'],
    record.sendAttempts,
  );
  if (moved) {
    Object.assign(record, held, { status: 'quarantined' }, sendNotStarted(record));
  }
  return moved;
}

/**
 * `sending -> failed`, by the delivery that took the gate, before its SES call, when the step beside it
 * (the rate count) failed: nothing was sent, so the retry may send. Conditional like `holdBeforeSend`.
 */
export async function stepBackFromSend(
  log: RoutingLog,
  record: RoutingRecord,
  error: { step: string; message: string },
  now: Date,
): Promise<boolean> {
  const moved = await log.update(
    record.id,
    {
      status: 'failed',
      ...sendNotStarted(record),
      failedStep: error.step,
      error: error.message.slice(0, 500),
      updatedAt: now.toISOString(),
    },
    ['sending'],
    record.sendAttempts,
  );
  if (moved) Object.assign(record, { status: 'failed' }, sendNotStarted(record));
  return moved;
}

/** The send fields as they were before `startSend`: no send was begun after all. */
function sendNotStarted(record: RoutingRecord): Pick<RoutingRecord, 'sendStartedAt' | 'sendAttempts'> {
  const before = (record.sendAttempts ?? 1) - 1;
  return { sendStartedAt: undefined, sendAttempts: before > 0 ? before : undefined };
}

/**
 * The SES call answered with an error: SES did not take the message, so the record goes to `failed`
 * and the retry sends. A call that got no answer (a timeout, a dropped connection) may have been
 * taken: the record stays `sending`, noting the error, for the Send event or the window to settle.
 */
export async function sendFailed(
  log: RoutingLog,
  id: string,
  error: { step: string; message: string },
  answered: boolean,
  now: Date,
): Promise<void> {
  const noted = {
    failedStep: error.step,
    error: error.message.slice(0, 500),
    updatedAt: now.toISOString(),
  };
  if (answered) await log.update(id, { ...noted, status: 'failed', sendStartedAt: undefined }, ['sending']);
  else await log.update(id, { ...noted, status: 'sending' }, ['sending']);
}

/** True when the service answered the call with an error (so it did not take the request). */
export function serviceAnswered(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
  return typeof status === 'number' && status >= 400;
}

/** The router's own mark after SES answered: `sending -> forwarded`. False when the Send event came first. */
export async function markForwarded(
  log: RoutingLog,
  id: string,
  sesMessageId: string,
  now: Date,
): Promise<boolean> {
  const at = now.toISOString();
  return log.update(
    id,
    {
      status: 'forwarded',
      sesMessageId,
      confirmedAt: at,
      updatedAt: at,
      failedStep: undefined,
      error: undefined,
    },
    ['sending'],
  );
}

/** What SES's Send event says: SES took message `sesMessageId` for routing record `routingId`. */
export interface SendConfirmation {
  routingId: string;
  sesMessageId: string;
  /** When SES took it. */
  at: string;
  /** The forward, or the acknowledgement to the sender (the `mailroute-kind` tag; absent means forward). */
  kind?: 'forward' | 'acknowledgement';
}

export type ConfirmOutcome =
  /** The record was not final, and now is `forwarded` with this SES message id. */
  | 'confirmed'
  /** Already `forwarded` with this SES message id (the router's own mark, or an event delivered twice). */
  | 'already'
  /** Already `forwarded` by another send: the message went out more than once (logged for operators). */
  | 'another-send'
  /** No such record, or one in a state no send comes from (suppressed, quarantined). */
  | 'unknown';

/**
 * Applies SES's Send event. SES took the message, so the record is `forwarded` whatever unfinished
 * state it is in: `sending` (the router died after the call, or its call timed out), `failed` (an
 * error after SES had taken it), `claimed` (a resend is about to go: this stops it).
 */
export async function confirmSend(
  log: RoutingLog,
  confirmation: SendConfirmation,
  now: Date,
): Promise<ConfirmOutcome> {
  const moved = await log.update(
    confirmation.routingId,
    {
      status: 'forwarded',
      sesMessageId: confirmation.sesMessageId,
      confirmedAt: confirmation.at,
      updatedAt: now.toISOString(),
      failedStep: undefined,
      error: undefined,
    },
    ['received', 'claimed', 'sending', 'failed'],
  );
  if (moved) return 'confirmed';
  const record = await log.get(confirmation.routingId);
  if (record?.status !== 'forwarded') return 'unknown';
  return record.sesMessageId === confirmation.sesMessageId ? 'already' : 'another-send';
}

/** `due -> skipped`: another message from the same sender took this period's acknowledgement. */
export async function skipAcknowledgement(
  log: RoutingLog,
  id: string,
  reason: string,
  now: Date,
): Promise<boolean> {
  return log.updateAcknowledgement(
    id,
    { acknowledgement: 'skipped', acknowledgementReason: reason, updatedAt: now.toISOString() },
    ['due'],
  );
}

/** `due -> sending`, just before the SES call: of any number of deliveries, exactly one sends it. */
export async function startAcknowledgement(log: RoutingLog, id: string, now: Date): Promise<boolean> {
  const at = now.toISOString();
  return log.updateAcknowledgement(
    id,
    { acknowledgement: 'sending', acknowledgementStartedAt: at, updatedAt: at },
    ['due'],
  );
}

/**
 * The acknowledgement's SES call failed. `retry`: SES answered with a passing error (throttling, 5xx),
 * so it did not take it: `due` again, for the next delivery or reconcile. `refused`: SES answered that
 * it will not send it (e.g. an address it suppresses): final. `unanswered`: it may have been taken:
 * stays `sending`, with the error noted, and is never sent again.
 */
export async function acknowledgementFailed(
  log: RoutingLog,
  id: string,
  message: string,
  outcome: 'retry' | 'refused' | 'unanswered',
  now: Date,
): Promise<void> {
  const status: AcknowledgementStatus =
    outcome === 'retry' ? 'due' : outcome === 'refused' ? 'refused' : 'sending';
  await log.updateAcknowledgement(
    id,
    { acknowledgement: status, acknowledgementReason: message.slice(0, 300), updatedAt: now.toISOString() },
    ['sending'],
  );
}

/** The router's own mark after SES answered: `sending -> sent`. False when the Send event came first. */
export async function markAcknowledged(
  log: RoutingLog,
  id: string,
  sesMessageId: string,
  now: Date,
): Promise<boolean> {
  return log.updateAcknowledgement(
    id,
    {
      acknowledgement: 'sent',
      acknowledgementSesMessageId: sesMessageId,
      acknowledgementReason: undefined,
      updatedAt: now.toISOString(),
    },
    ['sending'],
  );
}

/** Applies SES's Send event of an acknowledgement: SES took it, so it is `sent` whatever its state was. */
export async function confirmAcknowledgement(
  log: RoutingLog,
  confirmation: SendConfirmation,
  now: Date,
): Promise<ConfirmOutcome> {
  const moved = await log.updateAcknowledgement(
    confirmation.routingId,
    {
      acknowledgement: 'sent',
      acknowledgementSesMessageId: confirmation.sesMessageId,
      acknowledgementReason: undefined,
      updatedAt: now.toISOString(),
    },
    ['due', 'sending'],
  );
  if (moved) return 'confirmed';
  const record = await log.get(confirmation.routingId);
  if (record?.acknowledgement !== 'sent') return 'unknown';
  return record.acknowledgementSesMessageId === confirmation.sesMessageId ? 'already' : 'another-send';
}

/** A delivery that finds this record must still try its acknowledgement: forwarded, and one is due. */
export function acknowledgementDue(record: RoutingRecord): boolean {
  return record.status === 'forwarded' && record.acknowledgement === 'due';
}

/** Acknowledgement fields a new claim must not overwrite: one was attempted or sent for this record. */
export function acknowledgementStarted(record: RoutingRecord): boolean {
  return (
    record.acknowledgement === 'sending' ||
    record.acknowledgement === 'sent' ||
    record.acknowledgement === 'refused'
  );
}

/** What reconcile does with a stored message, given its record. */
export type Resolution =
  /** Final: nothing to do. */
  | 'done'
  /** Forwarded, and its acknowledgement is `due` (provably unsent): the next delivery sends it. */
  | 'acknowledge'
  /** Never routed, or stopped before any send (`received`, `claimed`, `failed`): route it. */
  | 'route'
  /** `sending` without a Send event for longer than the window: SES did not take it; send again. */
  | 'resend'
  /** `sending`, still inside the window: the Send event may yet come. */
  | 'wait';

export function resolutionOf(
  record: RoutingRecord | undefined,
  now: Date,
  windowMinutes: number,
): Resolution {
  if (!record) return 'route';
  if (acknowledgementDue(record)) return 'acknowledge';
  if (FINAL_STATUSES.includes(record.status)) return 'done';
  if (record.status !== 'sending') return 'route';
  const since = Date.parse(record.sendStartedAt ?? record.updatedAt);
  if (Number.isNaN(since)) return 'resend';
  return since <= now.getTime() - windowMinutes * 60_000 ? 'resend' : 'wait';
}

/**
 * `sending -> claimed` (or, with `force`, a confirmed `forwarded -> claimed`): the next delivery of the
 * message sends it again. Used by reconcile after the window, and by `mailroute resend`. False when
 * the record was not in a state it may be reopened from (e.g. a Send event confirmed it meanwhile).
 */
export async function reopenForResend(
  log: RoutingLog,
  record: RoutingRecord,
  now: Date,
  options: { force?: boolean } = {},
): Promise<boolean> {
  const from: RoutingStatus[] = options.force ? ['sending', 'forwarded'] : ['sending'];
  return log.update(
    record.id,
    {
      status: 'claimed',
      sendStartedAt: undefined,
      sesMessageId: undefined,
      confirmedAt: undefined,
      updatedAt: now.toISOString(),
    },
    from,
  );
}
