// handler --> (pipeline) --> core & ports. The path of one message, DESIGN.md steps 3-11:
// read, parse, detect automated, classify, decide, hold back (loops, verdicts, floods), log (once),
// forward (once), mark, acknowledge to the sender (once). Every failure leaves the stored original in place and a record that says
// which step broke; the caller reports the record as a batch item failure so SQS retries it.
import { createHash, createHmac } from 'node:crypto';
import { findFunctionalAddress } from '../config/router-config.js';
import type { RouterConfig } from '../config/schema.js';
import {
  type AcknowledgementDecision,
  acknowledgementDecision,
  acknowledgementSettingsFor,
} from '../core/acknowledgement.js';
import { type Analysis, analyze } from '../core/analyze.js';
import { triageGroupFor } from '../core/decide.js';
import { forwardParts } from '../core/forward-message.js';
import { emptyInboundMail } from '../core/inbound-mail.js';
import { loopReasons, type RawHeaderSummary, rawHeaders, returnedMailReasons } from '../core/loop-check.js';
import { signLoopMarker } from '../core/loop-marker.js';
import { notMailReasons } from '../core/not-mail.js';
import {
  type NoticeHeaders,
  oversizeNotice,
  type StoredOriginalAccess,
  textOnlyForward,
  unreadableNotice,
} from '../core/notice-message.js';
import type { Category } from '../core/types.js';
import {
  judgeVerdicts,
  rateLimitIdentity,
  type SesVerdicts,
  type VerdictOutcome,
  verdictsFromReceipt,
  verdictsFromStoredHeaders,
} from '../core/verdicts.js';
import { acknowledge } from './acknowledge.js';
import { MessageBuffer } from './message-buffer.js';
import type {
  AcknowledgementStatus,
  MailLocation,
  MailSender,
  MailStore,
  RoutingLog,
  RoutingRecord,
  RoutingStatus,
} from './ports.js';
import {
  acknowledgementStarted,
  claimableStatuses,
  holdBeforeSend,
  isSettled,
  markForwarded,
  sendFailed,
  serviceAnswered,
  startSend,
  stepBackFromSend,
} from './routing-states.js';
import type { SesNotification } from './ses-notification.js';

/** Log lines carry ids and outcomes only, never subjects, bodies or addresses. */
export interface PipelineLogger {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

export interface PipelineDeps {
  config: RouterConfig;
  store: MailStore;
  log: RoutingLog;
  sender: MailSender;
  now: () => Date;
  logger: PipelineLogger;
  /** HMAC key for the loop marker on forwards (and for the sender hash of the rate limit). */
  loopSecret: string;
  /** Log records expire (DynamoDB TTL) this many days after receipt; unset keeps them. */
  retentionDays?: number;
}

export interface RouteOptions {
  /** A person released a quarantined message: verdicts, loops and the rate limit do not hold it again. */
  release?: boolean;
}

/**
 * What happened to the message: `forward` (the original, rewritten), `forwarded_as_notice` (a note
 * written by the router: the unread original attached, or a link to one too large to send),
 * `suppress` (automated: logged only), `quarantine` (held for a person).
 */
export type FinalDisposition = 'forward' | 'forwarded_as_notice' | 'suppress' | 'quarantine';
export const DISPOSITIONS: readonly FinalDisposition[] = [
  'forward',
  'forwarded_as_notice',
  'suppress',
  'quarantine',
];

export interface RouteResult {
  messageId: string;
  category: Category;
  confidence: number;
  automated: boolean;
  reasons: string[];
  disposition: string;
  status: RoutingStatus;
  forwardedTo: string[];
  duplicate: boolean;
  sesMessageId?: string;
  /** What this delivery did with the acknowledgement to the sender; absent when nothing. */
  acknowledgement?: AcknowledgementStatus;
}

/** A failure at a named step, so the log and the batch response say where it broke. */
export class PipelineStepError extends Error {
  override name = 'PipelineStepError';
  constructor(
    readonly step: string,
    override readonly cause: unknown,
  ) {
    super(`${step} failed: ${redact(cause instanceof Error ? cause.message : String(cause))}`);
  }
}

/** Everything decided about one message before anything is written. */
interface Plan {
  analysis: Analysis;
  /** Set when the parser threw or ran out of time: staff get the original attached to a note. */
  unreadable: string | undefined;
  verdict: VerdictOutcome;
  verdicts: SesVerdicts;
  disposition: FinalDisposition;
  /** Whether the sender is to get an acknowledgement once the message is forwarded (issue #14). */
  acknowledgement: AcknowledgementDecision;
}

export async function routeMessage(
  deps: PipelineDeps,
  notification: SesNotification,
  options: RouteOptions = {},
): Promise<RouteResult> {
  const id = notification.mail.messageId;
  const location: MailLocation = {
    bucket: notification.receipt.action.bucketName,
    key: notification.receipt.action.objectKey,
  };
  const functionalAddress = pickFunctionalAddress(deps.config, [
    ...notification.mail.destination,
    ...notification.receipt.recipients,
  ]);

  // No read of the log first: the one conditional write below finds a duplicate as surely, and a
  // duplicate delivery (rare) only costs a read of the stored message.
  let record: RoutingRecord | undefined;
  /** Where this delivery stands: nothing written yet, or it holds the record (`claimed`). */
  let phase: 'before-write' | 'writing' | 'owner' = 'before-write';
  try {
    const message = await step('read', async () => MessageBuffer.read(await deps.store.open(location)));
    const raw = message.raw;
    const headers = rawHeaders(raw);
    let release = options.release === true;
    let plan = await step('analyze', () =>
      makePlan(deps, notification, raw, headers, functionalAddress, release),
    );
    record = buildRecord(deps, notification, plan, functionalAddress, location, raw.length, release);

    phase = 'writing';
    let written = await step('log-write', () => writeOnce(deps, record as RoutingRecord, release));
    if (written === 'released') {
      // A person released it earlier and that attempt did not finish: judged again as released.
      release = true;
      plan = await step('analyze', () =>
        makePlan(deps, notification, raw, headers, functionalAddress, release),
      );
      record = buildRecord(deps, notification, plan, functionalAddress, location, raw.length, release);
      written = await step('log-claim', () => claim(deps, record as RoutingRecord, release));
    }
    if (written !== 'created' && written !== 'resumed') {
      return await acknowledgeSender(
        deps,
        written,
        duplicateResult(written),
        plan,
        functionalAddress,
        headers,
      );
    }
    phase = 'owner';

    if (record.status !== 'claimed') {
      deps.logger.info('message routed', outcome(record.id, plan, record.status));
      return result(record.id, plan, record.status, false);
    }
    // Counted only by the delivery that created the record, once its put won: see countSender.
    const counted =
      written === 'created' && !release ? countSender(deps, senderOf(plan, notification)) : undefined;
    const routed = await send(deps, record, plan, message, functionalAddress, location, counted);
    return await acknowledgeSender(deps, record, routed, plan, functionalAddress, headers);
  } catch (error) {
    const failed = error instanceof PipelineStepError ? error : new PipelineStepError('route', error);
    if (phase === 'before-write') {
      // The stored message may be gone (expired) after it was routed: a settled record answers that.
      const earlier = await deps.log.get(id).catch(() => undefined);
      if (earlier && isSettled(earlier.status)) return duplicateResult(earlier);
    }
    await markFailed(
      deps,
      record ?? skeletonRecord(deps, notification, functionalAddress, location),
      failed,
      phase === 'owner',
    );
    throw failed;
  }
}

/** Steps 4-7 plus the checks that may hold a message back. Pure apart from the parse time budget. */
async function makePlan(
  deps: PipelineDeps,
  notification: SesNotification,
  raw: Uint8Array,
  headers: RawHeaderSummary,
  functionalAddress: string,
  release: boolean,
): Promise<Plan> {
  let analysis: Analysis;
  let unreadable: string | undefined;
  try {
    analysis = await withinBudget(
      analyze(raw, deps.config, functionalAddress),
      deps.config.limits.parseTimeoutMs,
    );
  } catch (error) {
    // The parser threw or ran out of time: the message is still mail to a public authority.
    unreadable = redact(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    analysis = unreadableAnalysis(deps.config, functionalAddress, unreadable);
  }

  const fromReceipt = verdictsFromReceipt(notification.receipt);
  const verdicts =
    Object.keys(fromReceipt).length > 0 ? fromReceipt : verdictsFromStoredHeaders(headers.fields);
  const verdict = judgeVerdicts(verdicts);
  const plan: Plan = {
    analysis,
    unreadable,
    verdict,
    verdicts,
    disposition: 'forward',
    acknowledgement: { send: false, reason: 'not decided' },
  };

  // Bytes that are no mail at all (an image, an empty message) are held, not sent to triage as mail.
  // Released, they still say so: on the record and in the forward's X-Mailroute-Reasons.
  const notMail = notMailReasons(raw);
  if (release && notMail.length > 0) {
    plan.analysis.decision = {
      ...plan.analysis.decision,
      reasons: [...plan.analysis.decision.reasons, ...notMail],
    };
  }
  if (!release) {
    const holds = [
      ...notMail,
      ...loopReasons(headers, {
        loopSecret: deps.loopSecret,
        maxReceivedHeaders: deps.config.loopProtection.maxReceivedHeaders,
      }),
      ...returnedMailReasons(headers, raw, unreadable ? undefined : analysis.mail, {
        loopSecret: deps.loopSecret,
        ...ownMailOf(deps.config),
      }),
      ...(verdict.action === 'quarantine' ? verdict.reasons : []),
    ];
    if (holds.length > 0) quarantine(plan, holds);
  }
  plan.disposition = dispositionOf(plan);
  plan.acknowledgement = acknowledgementDecision({
    enabled: acknowledgementSettingsFor(deps.config, functionalAddress).enabled,
    disposition: plan.disposition,
    unreadable: unreadable !== undefined,
    released: release,
    automated: analysis.automated,
    from: analysis.mail.from,
    headerFields: headers.fields,
    verdicts,
    envelopeSender: notification.mail.source,
    ownAddresses: [deps.config.routerSender, ...Object.values(ownMailOf(deps.config)).flat()],
  });
  return plan;
}

/** What marks mail as the router's own in the configuration: its sender, addresses, groups and tags. */
function ownMailOf(config: RouterConfig) {
  const { invitation, protocol_visit, eu_matter, other } = config.categories;
  return {
    routerSender: config.routerSender,
    functionalAddresses: config.functionalAddresses.map((entry) => entry.address),
    groupAddresses: [
      ...invitation.group,
      ...protocol_visit.group,
      ...eu_matter.group,
      ...config.functionalAddresses.flatMap((entry) => entry.triageGroup),
    ],
    subjectTags: [invitation.tag, protocol_visit.tag, eu_matter.tag, other.tag],
  };
}

/** The evidence shown to staff and kept in the log: the classifier's, then the decision's. */
function allReasons(analysis: Analysis): string[] {
  return [...analysis.classification.reasons, ...analysis.decision.reasons];
}

function dispositionOf(plan: Plan): FinalDisposition {
  const { disposition } = plan.analysis.decision;
  if (disposition === 'suppress' || disposition === 'quarantine') return disposition;
  return plan.unreadable ? 'forwarded_as_notice' : 'forward';
}

function quarantine(plan: Plan, reasons: string[]): void {
  plan.analysis.decision = {
    ...plan.analysis.decision,
    disposition: 'quarantine',
    recipients: [],
    reasons: [...plan.analysis.decision.reasons, ...reasons],
  };
  plan.disposition = 'quarantine';
}

/**
 * Writes the record once, with one conditional put, already in the state this delivery moves it to:
 * `claimed` for a forward; `suppressed` or `quarantined` directly. The put succeeds for exactly one
 * delivery. A retry or a concurrent delivery finds the record: a settled one (`sending` or final) is a
 * duplicate; one nothing was sent from (`received`, `claimed`, `failed`, or `quarantined` on release)
 * is claimed again with a conditional update. Two deliveries may both hold `claimed`: only one of them
 * wins `claimed -> sending` (routing-states.ts), so only one sends. `released` means a person released
 * the record and this delivery did not know: the caller judges the message again as released.
 */
async function writeOnce(
  deps: PipelineDeps,
  record: RoutingRecord,
  release: boolean,
): Promise<'created' | 'resumed' | 'released' | RoutingRecord> {
  const begun = await deps.log.begin(record);
  if (begun.created) return 'created';
  const { existing } = begun;
  if (!release && existing.released === true && claimableStatuses(true).includes(existing.status)) {
    return 'released';
  }
  if (!claimableStatuses(release).includes(existing.status)) return existing;
  // Attempts count across deliveries: a resend shows as the second.
  record.sendAttempts = existing.sendAttempts;
  // A resend of a message whose sender was already answered (or may have been) never answers again.
  if (acknowledgementStarted(existing)) {
    delete record.acknowledgement;
    delete record.acknowledgementReason;
  }
  return claim(deps, record, release);
}

/** Moves an unfinished record to this delivery's state, if it is still unfinished. */
async function claim(
  deps: PipelineDeps,
  record: RoutingRecord,
  release: boolean,
): Promise<'resumed' | RoutingRecord> {
  const { id, ...fields } = record;
  // An earlier attempt's failure is history once a new attempt runs: cleared, not carried along.
  const moved = await step('log-claim', () =>
    deps.log.update(id, { ...fields, failedStep: undefined, error: undefined }, claimableStatuses(release)),
  );
  if (moved) return 'resumed';
  return (await deps.log.get(id)) ?? record;
}

/** What the per-sender count answered: the new count, or why there is none. */
type SenderCount = { count: number } | { error: unknown };

/**
 * Per-sender flood limit, step one: counts the message (one atomic ADD) and returns the answer to
 * come. It runs beside the gate `claimed -> sending` (see `send`), so the message waits for one
 * DynamoDB round trip instead of two. Never rejects: a failure is an answer, acted on after the gate.
 *
 * Why beside the gate and not beside the claim (the put). A count sent with the put would be made
 * before the put's outcome is known: a delivery that loses the put (a duplicate) would have to take
 * its count back with a second write, and a crash after the count landed but before the put did
 * would leave the sender counted once more than it sent, for the rest of the hour; the retry counts
 * again. Both err against the sender: their next messages could be held back for mail they never
 * sent twice. After the put, only the delivery that created the record counts, exactly as before;
 * what moves is only where the count's answer is waited for.
 */
function countSender(deps: PipelineDeps, sender: string): Promise<SenderCount> | undefined {
  const countArrival = deps.log.countArrival?.bind(deps.log);
  if (!countArrival) return undefined;
  const now = deps.now();
  const hour = now.toISOString().slice(0, 13);
  // Keyed hash: the log must not hold addresses, and a plain hash of an address is easily reversed.
  const senderKey = createHmac('sha256', deps.loopSecret)
    .update(sender.toLowerCase())
    .digest('hex')
    .slice(0, 32);
  return countArrival(`rate#${senderKey}#${hour}`, Math.floor(now.getTime() / 1000) + 2 * 3600).then(
    (count) => ({ count }),
    (error: unknown) => ({ error }),
  );
}

/**
 * Per-sender flood limit, step two: true when the count is over the limit; the plan and the record
 * then say quarantine.
 */
function overRateLimit(deps: PipelineDeps, plan: Plan, record: RoutingRecord, count: number): boolean {
  const limit = deps.config.rateLimit.perSenderPerHour;
  if (count <= limit) return false;
  quarantine(plan, [`rate limit: message ${count} from this sender this hour (> ${limit})`]);
  record.disposition = 'quarantine';
  record.recipients = [];
  record.reasons = allReasons(plan.analysis);
  return true;
}

/**
 * The gate is this delivery's and SES was not called: the rate count holds the message back after
 * all (`sending -> quarantined`), or failed (`sending -> failed`, so the retry may send). If even that
 * write fails, the record stays `sending`, which is safe: reconcile sends it after the window.
 */
async function stepBack(
  deps: PipelineDeps,
  record: RoutingRecord,
  plan: Plan,
  counted: SenderCount,
): Promise<RouteResult> {
  if ('error' in counted) {
    const failed = new PipelineStepError('rate-count', counted.error);
    await stepBackFromSend(deps.log, record, failed, deps.now()).catch((logError: unknown) => {
      deps.logger.error('could not step back from the send', {
        id: record.id,
        error: redact((logError as Error).message),
      });
    });
    throw failed;
  }
  const held = { disposition: plan.disposition, recipients: [], reasons: record.reasons };
  const moved = await step('log-mark', () => holdBeforeSend(deps.log, record, held, deps.now()));
  if (!moved) return duplicateResult((await deps.log.get(record.id)) ?? record);
  deps.logger.info('message routed', outcome(record.id, plan, 'quarantined'));
  return result(record.id, plan, 'quarantined', false);
}

/**
 * The record is this delivery's, in `claimed`. The send passes the gate `claimed -> sending` (one
 * delivery wins it) and carries the record id to SES, whose Send event confirms the record even if
 * this delivery dies after the call. A crash before the gate leaves `claimed` (sent by the next
 * delivery); after it, `sending`, which no retry sends again: the Send event settles it, or reconcile
 * sends it again once the window passed without one. The rate count (`counted`, when this delivery
 * counts) runs beside the forward's composing and the gate; the SES call waits for its answer.
 */
async function send(
  deps: PipelineDeps,
  record: RoutingRecord,
  plan: Plan,
  message: MessageBuffer,
  functionalAddress: string,
  location: MailLocation,
  counted: Promise<SenderCount> | undefined,
): Promise<RouteResult> {
  const { analysis } = plan;
  const { decision } = analysis;

  const loopMarker = signLoopMarker(record.id, deps.loopSecret);
  let outgoing: Uint8Array;
  try {
    outgoing = compose(deps, plan, message, functionalAddress, record.id, loopMarker);
  } catch (error) {
    // A message that breaks the forward builder still reaches a person, as an unread original.
    plan.unreadable = redact(`forward could not be built: ${(error as Error).message}`);
    plan.disposition = 'forwarded_as_notice';
    outgoing = compose(deps, plan, message, functionalAddress, record.id, loopMarker);
  }
  let disposition = plan.disposition;
  const limit = deps.config.limits.maxForwardBytes;
  if (outgoing.length > limit) {
    const original = await step('locate', () => locateOriginal(deps.store, location));
    outgoing = oversizeNotice({
      ...noticeHeaders(deps, plan, functionalAddress, record.id, loopMarker),
      reasons: [...record.reasons, `oversize: ${outgoing.length} bytes > ${limit}`],
      size: outgoing.length,
      limit,
      original,
      ...(deps.retentionDays ? { keptDays: deps.retentionDays } : {}),
    });
    disposition = 'forwarded_as_notice';
  }
  const [started, count] = await Promise.all([
    step('log-send', () => startSend(deps.log, record, disposition, deps.now())),
    counted,
  ]);
  // Lost the gate: another delivery of the same record sends it (this one's count stands: it created the record).
  if (!started) return duplicateResult((await deps.log.get(record.id)) ?? record);
  if (count && ('error' in count || overRateLimit(deps, plan, record, count.count))) {
    return stepBack(deps, record, plan, count);
  }
  let sent: { messageId: string };
  const raw = outgoing;
  try {
    sent = await deps.sender.send({
      from: deps.config.routerSender,
      recipients: decision.recipients,
      raw,
      // Nothing reads the message after the send: its memory may carry the request.
      base64InPlace: (before, after) => message.base64InPlace(raw, before, after),
      routingId: record.id,
    });
  } catch (error) {
    const answered = serviceAnswered(error);
    const failed = new PipelineStepError(answered ? 'send' : 'send-unanswered', error);
    await sendFailed(deps.log, record.id, failed, answered, deps.now()).catch((logError: unknown) => {
      deps.logger.error('could not note the failed send', {
        id: record.id,
        error: redact((logError as Error).message),
      });
    });
    throw failed;
  }
  try {
    await markForwarded(deps.log, record.id, sent.messageId, deps.now());
  } catch (error) {
    // Sent, but not marked: the record stays `sending`, so no retry sends it again.
    throw new PipelineStepError('log-mark-after-send', error);
  }
  deps.logger.info('message routed', {
    ...outcome(record.id, plan, 'forwarded'),
    disposition,
    sesMessageId: sent.messageId,
  });
  return { ...result(record.id, plan, 'forwarded', false), disposition, sesMessageId: sent.messageId };
}

/**
 * Step 11: the sender of a forwarded message hears back, once (functions/route-mail/acknowledge.ts).
 * Also on a delivery that finds the message already forwarded with its acknowledgement still due (a
 * retry after a crash between the forward and the acknowledgement, or reconcile).
 */
async function acknowledgeSender(
  deps: PipelineDeps,
  record: RoutingRecord,
  routed: RouteResult,
  plan: Plan,
  functionalAddress: string,
  headers: RawHeaderSummary,
): Promise<RouteResult> {
  if (routed.status !== 'forwarded' || record.acknowledgement !== 'due' || plan.unreadable !== undefined) {
    return routed;
  }
  const acknowledgement = await acknowledge(deps, {
    record: { ...record, status: 'forwarded' },
    functionalAddress: record.functionalAddress || functionalAddress,
    mail: plan.analysis.mail,
    headerFields: headers.fields,
    loopMarker: signLoopMarker(record.id, deps.loopSecret),
  });
  return acknowledgement ? { ...routed, acknowledgement } : routed;
}

/**
 * The bytes staff receive: the rewritten original, a text-only copy after a virus, or the unreadable
 * note. The rewritten original is written into the message buffer: its header block is gone after.
 */
function compose(
  deps: PipelineDeps,
  plan: Plan,
  message: MessageBuffer,
  functionalAddress: string,
  routingId: string,
  loopMarker: string,
): Uint8Array {
  const { raw } = message;
  const { analysis, verdict } = plan;
  if (plan.unreadable !== undefined) {
    return unreadableNotice({
      ...noticeHeaders(deps, plan, functionalAddress, routingId, loopMarker),
      raw,
      problem: plan.unreadable,
    });
  }
  if (verdict.dropAttachments) {
    return textOnlyForward({
      ...noticeHeaders(deps, plan, functionalAddress, routingId, loopMarker),
      text: analysis.mail.text,
      attachments: analysis.mail.attachments,
    });
  }
  const { header, body } = forwardParts({
    raw,
    mail: analysis.mail,
    classification: analysis.classification,
    decision: analysis.decision,
    functionalAddress,
    routerSender: deps.config.routerSender,
    routingId,
    loopMarker,
    warnings: verdict.warnings,
  });
  return message.joinBeforeBody(header, body);
}

function noticeHeaders(
  deps: PipelineDeps,
  plan: Plan,
  functionalAddress: string,
  routingId: string,
  loopMarker: string,
): NoticeHeaders {
  const { mail, decision } = plan.analysis;
  return {
    recipients: decision.recipients,
    subjectTag: decision.subjectTag,
    subject: mail.subject,
    replyTo: mail.replyTo[0] ?? mail.from,
    functionalAddress,
    routerSender: deps.config.routerSender,
    routingId,
    loopMarker,
    date: deps.now(),
    reasons: allReasons(plan.analysis),
    warnings: plan.verdict.warnings,
  };
}

/** Where staff find a stored original that was too large to forward (an oversize notice names it). */
export async function locateOriginal(
  store: MailStore,
  location: MailLocation,
): Promise<StoredOriginalAccess> {
  if (store.locate) return store.locate(location);
  return { location: `s3://${location.bucket}/${location.key}` };
}

/**
 * Rejects once `ms` have passed. The parse itself cannot be interrupted (the message just stops
 * waiting for it), and it may hold the event loop past the timer: a parse that finished late is over
 * budget all the same, so the outcome does not depend on when the timer got to run.
 */
async function withinBudget<T>(work: Promise<T>, ms: number): Promise<T> {
  const started = performance.now();
  const exceeded = () => new Error(`parse budget of ${ms} ms exceeded`);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(exceeded()), ms);
  });
  try {
    const result = await Promise.race([work, timeout]);
    if (performance.now() - started > ms) throw exceeded();
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/** What the router knows of a message the parser could not read: nothing but where it came in. */
function unreadableAnalysis(config: RouterConfig, functionalAddress: string, problem: string): Analysis {
  const mail = emptyInboundMail({ parseWarnings: [problem] });
  return {
    mail,
    automated: { automated: false, reasons: [] },
    classification: { category: 'other', confidence: 0, reasons: [] },
    decision: {
      category: 'other',
      disposition: 'forward',
      recipients: triageGroupFor(config, functionalAddress),
      subjectTag: config.categories.other.tag,
      reasons: [`unreadable: ${problem.slice(0, 200)}`],
    },
  };
}

/**
 * The first recipient that is a configured functional address. The pipeline passes `mail.destination`
 * first: a message to two of them comes as two notifications (one per receipt rule, the same message
 * id, each naming only its own rule's recipient in `receipt.recipients`), and both carry the same
 * `mail.destination`, so both choose the same address and the triage group does not depend on which
 * notification claims the record first.
 */
export function pickFunctionalAddress(config: RouterConfig, recipients: string[]): string {
  // SES names the address it received at (the receiving subdomain); the router speaks of the public one.
  for (const recipient of recipients) {
    const match = findFunctionalAddress(config, recipient);
    if (match) return match.address;
  }
  return recipients[0] ?? config.functionalAddresses[0]?.address ?? '';
}

/** The rate limit's sender: what SES authenticated (core/verdicts.ts), not the forgeable From alone. */
function senderOf(plan: Plan, notification: SesNotification): string {
  return rateLimitIdentity(plan.analysis.mail.from?.address, notification.mail.source, plan.verdicts);
}

function buildRecord(
  deps: PipelineDeps,
  notification: SesNotification,
  plan: Plan,
  functionalAddress: string,
  location: MailLocation,
  size: number,
  release: boolean,
): RoutingRecord {
  const { mail, classification, decision, automated } = plan.analysis;
  const record: RoutingRecord = {
    ...skeletonRecord(deps, notification, functionalAddress, location),
    senderDomain: senderDomain(senderOf(plan, notification)),
    subjectSha256: createHash('sha256').update(mail.subject).digest('hex'),
    subjectLength: mail.subject.length,
    category: decision.category,
    confidence: classification.confidence,
    automated: automated.automated,
    reasons: allReasons(plan.analysis),
    recipients: decision.recipients,
    disposition: plan.disposition,
    status: 'received',
    size,
    verdicts: plan.verdicts,
  };
  if (release) record.released = true;
  if (plan.acknowledgement.send) record.acknowledgement = 'due';
  else {
    record.acknowledgement = 'skipped';
    record.acknowledgementReason = plan.acknowledgement.reason;
  }
  // Written directly in the state this delivery moves it to (see writeOnce).
  if (plan.disposition === 'suppress') record.status = 'suppressed';
  else if (plan.disposition === 'quarantine') record.status = 'quarantined';
  else record.status = 'claimed';
  return record;
}

/** What is known before the message is read: enough to log a failure at any step. */
function skeletonRecord(
  deps: PipelineDeps,
  notification: SesNotification,
  functionalAddress: string,
  location: MailLocation,
): RoutingRecord {
  const now = deps.now();
  const receivedAt = validIso(notification.mail.timestamp) ?? now.toISOString();
  const record: RoutingRecord = {
    id: notification.mail.messageId,
    receivedAt,
    functionalAddress,
    senderDomain: senderDomain(notification.mail.source),
    subjectSha256: '',
    subjectLength: 0,
    category: 'other',
    confidence: 0,
    automated: false,
    reasons: [],
    recipients: [],
    disposition: 'pending',
    status: 'received',
    bucket: location.bucket,
    key: location.key,
    size: 0,
    updatedAt: now.toISOString(),
  };
  if (deps.retentionDays) {
    record.expiresAt = Math.floor(Date.parse(receivedAt) / 1000) + deps.retentionDays * 86_400;
  }
  // Kept even when the record is written before the message could be read (created as failed): only
  // the notification carries SPF, DKIM and DMARC, and re-drives are judged on what the record keeps.
  const verdicts = verdictsFromReceipt(notification.receipt);
  if (Object.keys(verdicts).length > 0) record.verdicts = verdicts;
  return record;
}

function senderDomain(address: string): string {
  const at = address.lastIndexOf('@');
  return at >= 0 ? address.slice(at + 1).toLowerCase() : '';
}

function validIso(value: string): string | undefined {
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/**
 * Marks the record failed with the step that broke. If the failure came before the record was
 * written (the message could not be read), the record is created as failed: the log always says.
 */
async function markFailed(
  deps: PipelineDeps,
  record: RoutingRecord,
  error: PipelineStepError,
  owner: boolean,
): Promise<void> {
  const failure = {
    status: 'failed' as const,
    failedStep: error.step,
    error: error.message.slice(0, 500),
    updatedAt: deps.now().toISOString(),
  };
  if (error.step === 'log-mark-after-send' || error.step === 'send-unanswered' || error.step === 'send') {
    // The SES call was made: its outcome is already noted on the record (routing-states.ts sendFailed).
    deps.logger.error('routing failed', { id: record.id, step: error.step, error: error.message });
    return;
  }
  try {
    // Nothing was sent: only `claimed` this delivery holds (or an unfinished earlier state) becomes
    // `failed`. A `sending` record is never touched here: its SES call may have gone through.
    const from: RoutingStatus[] = owner ? ['received', 'claimed', 'failed'] : ['received', 'failed'];
    const moved = await deps.log.update(record.id, failure, from);
    if (!moved) await deps.log.begin({ ...record, ...failure });
  } catch (logError) {
    deps.logger.error('could not mark the record failed', {
      id: record.id,
      error: redact((logError as Error).message),
    });
  }
  deps.logger.error('routing failed', { id: record.id, step: error.step, error: error.message });
}

async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw error instanceof PipelineStepError ? error : new PipelineStepError(name, error);
  }
}

/** Error texts from parsers and services can quote a header: no address survives into a log line. */
export function redact(text: string): string {
  return text
    .replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g, '<address>')
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .slice(0, 1000);
}

function outcome(id: string, plan: Plan, status: RoutingStatus): Record<string, unknown> {
  return {
    id,
    category: plan.analysis.decision.category,
    confidence: plan.analysis.classification.confidence,
    automated: plan.analysis.automated.automated,
    disposition: plan.disposition,
    status,
    recipients: plan.analysis.decision.recipients.length,
    unreadable: plan.unreadable !== undefined,
    verdictWarnings: plan.verdict.warnings.length,
  };
}

function result(id: string, plan: Plan, status: RoutingStatus, duplicate: boolean): RouteResult {
  const { analysis } = plan;
  return {
    messageId: id,
    category: analysis.decision.category,
    confidence: analysis.classification.confidence,
    automated: analysis.automated.automated,
    reasons: allReasons(analysis),
    disposition: plan.disposition,
    status,
    forwardedTo: status === 'forwarded' ? analysis.decision.recipients : [],
    duplicate,
  };
}

function duplicateResult(record: RoutingRecord): RouteResult {
  const result: RouteResult = {
    messageId: record.id,
    category: record.category,
    confidence: record.confidence,
    automated: record.automated,
    reasons: record.reasons,
    disposition: record.disposition,
    status: record.status,
    forwardedTo: record.status === 'forwarded' ? record.recipients : [],
    duplicate: true,
  };
  if (record.sesMessageId) result.sesMessageId = record.sesMessageId;
  return result;
}
