// handler --> (pipeline) --> core & ports. The path of one message, DESIGN.md steps 3-10:
// read, parse, detect automated, classify, decide, log (once), forward (once), mark.
import { createHash } from 'node:crypto';
import type { RouterConfig } from '../config/schema.js';
import { type Analysis, analyze } from '../core/analyze.js';
import { forwardMessage } from '../core/forward-message.js';
import { isOwnLoopMarker, signLoopMarker } from '../core/loop-marker.js';
import type { Category } from '../core/types.js';
import {
  FINAL_STATUSES,
  type MailLocation,
  type MailSender,
  type MailStore,
  type RoutingLog,
  type RoutingRecord,
  type RoutingStatus,
} from './ports.js';
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
  /** HMAC key for the loop marker on forwards. */
  loopSecret: string;
  /** Log records expire (DynamoDB TTL) this many days after receipt; unset keeps them. */
  retentionDays?: number;
}

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
}

/** A failure at a named step, so the log and the batch response say where it broke. */
export class PipelineStepError extends Error {
  override name = 'PipelineStepError';
  constructor(
    readonly step: string,
    override readonly cause: unknown,
  ) {
    super(`${step} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

export async function routeMessage(deps: PipelineDeps, notification: SesNotification): Promise<RouteResult> {
  const id = notification.mail.messageId;
  const location: MailLocation = {
    bucket: notification.receipt.action.bucketName,
    key: notification.receipt.action.objectKey,
  };

  const earlier = await step('log-read', () => deps.log.get(id));
  if (earlier && isSettled(earlier.status)) return duplicateResult(earlier);

  const raw = await step('read', () => readMessage(deps.store, location));
  const functionalAddress = pickFunctionalAddress(deps.config, notification.receipt.recipients);
  const analysis = await step('analyze', () => analyze(raw, deps.config, functionalAddress));
  applyLoopProtection(analysis, deps);

  const record = buildRecord(deps, notification, analysis, functionalAddress, location, raw.length);
  const begun = await step('log-write', () => deps.log.begin(record));
  if (!begun.created && isSettled(begun.existing.status)) return duplicateResult(begun.existing);

  try {
    return await finish(deps, record, analysis, raw, functionalAddress);
  } catch (error) {
    const failed = error instanceof PipelineStepError ? error : new PipelineStepError('route', error);
    await markFailed(deps, id, failed);
    throw failed;
  }
}

async function finish(
  deps: PipelineDeps,
  record: RoutingRecord,
  analysis: Analysis,
  raw: Uint8Array,
  functionalAddress: string,
): Promise<RouteResult> {
  const { decision, classification } = analysis;
  const retryable: readonly RoutingStatus[] = ['received', 'failed'];

  if (decision.disposition !== 'forward') {
    const status: RoutingStatus = decision.disposition === 'suppress' ? 'suppressed' : 'quarantined';
    const moved = await step('log-mark', () =>
      deps.log.update(record.id, { status, updatedAt: deps.now().toISOString() }, retryable),
    );
    if (!moved) return duplicateResult(record);
    deps.logger.info('message routed', outcome(record.id, analysis, status));
    return result(record.id, analysis, status, false);
  }

  // Claiming the record before sending makes concurrent deliveries of the same notification race
  // on one conditional write: exactly one of them sends.
  const claimed = await step('log-claim', () =>
    deps.log.update(record.id, { status: 'sending', updatedAt: deps.now().toISOString() }, retryable),
  );
  if (!claimed) return duplicateResult(record);

  const forward = forwardMessage({
    raw,
    mail: analysis.mail,
    classification,
    decision,
    functionalAddress,
    routerSender: deps.config.routerSender,
    routingId: record.id,
    loopMarker: signLoopMarker(record.id, deps.loopSecret),
  });
  const sent = await step('send', () =>
    deps.sender.send({ from: deps.config.routerSender, recipients: decision.recipients, raw: forward }),
  );
  await step('log-mark', () =>
    deps.log.update(
      record.id,
      { status: 'forwarded', sesMessageId: sent.messageId, updatedAt: deps.now().toISOString() },
      ['sending'],
    ),
  );
  deps.logger.info('message routed', {
    ...outcome(record.id, analysis, 'forwarded'),
    sesMessageId: sent.messageId,
  });
  return { ...result(record.id, analysis, 'forwarded', false), sesMessageId: sent.messageId };
}

/** Mail that has passed through the router already, or too many hops, is never routed again. */
function applyLoopProtection(analysis: Analysis, deps: PipelineDeps): void {
  const { headers } = analysis.mail;
  const loopReasons: string[] = [];
  if (headers.mailrouteForwarded && isOwnLoopMarker(headers.mailrouteForwarded, deps.loopSecret)) {
    loopReasons.push('loop: carries our own X-Mailroute-Forwarded marker');
  }
  if (headers.receivedCount > deps.config.loopProtection.maxReceivedHeaders) {
    loopReasons.push(
      `loop: ${headers.receivedCount} Received headers (> ${deps.config.loopProtection.maxReceivedHeaders})`,
    );
  }
  if (loopReasons.length === 0 || analysis.decision.disposition === 'suppress') return;
  analysis.decision = {
    ...analysis.decision,
    disposition: 'quarantine',
    recipients: [],
    reasons: [...analysis.decision.reasons, ...loopReasons],
  };
}

async function readMessage(store: MailStore, location: MailLocation): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of await store.open(location)) chunks.push(chunk);
  return chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks);
}

/** The first recipient that is a configured functional address; SES rules only match those. */
export function pickFunctionalAddress(config: RouterConfig, recipients: string[]): string {
  const configured = new Map(
    config.functionalAddresses.map((entry) => [entry.address.toLowerCase(), entry.address]),
  );
  for (const recipient of recipients) {
    const match = configured.get(recipient.trim().toLowerCase());
    if (match) return match;
  }
  return recipients[0] ?? config.functionalAddresses[0]?.address ?? '';
}

function buildRecord(
  deps: PipelineDeps,
  notification: SesNotification,
  analysis: Analysis,
  functionalAddress: string,
  location: MailLocation,
  size: number,
): RoutingRecord {
  const now = deps.now();
  const { mail, classification, decision, automated } = analysis;
  const receivedAt = validIso(notification.mail.timestamp) ?? now.toISOString();
  const record: RoutingRecord = {
    id: notification.mail.messageId,
    receivedAt,
    functionalAddress,
    senderDomain: senderDomain(mail.from?.address ?? notification.mail.source),
    subjectSha256: createHash('sha256').update(mail.subject).digest('hex'),
    subjectLength: mail.subject.length,
    category: decision.category,
    confidence: classification.confidence,
    automated: automated.automated,
    reasons: [...classification.reasons, ...decision.reasons],
    recipients: decision.recipients,
    disposition: decision.disposition,
    status: 'received',
    bucket: location.bucket,
    key: location.key,
    size,
    updatedAt: now.toISOString(),
  };
  if (deps.retentionDays) {
    record.expiresAt = Math.floor(Date.parse(receivedAt) / 1000) + deps.retentionDays * 86_400;
  }
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

/** A record that is final, or being sent by another delivery of the same notification right now. */
function isSettled(status: RoutingStatus): boolean {
  return FINAL_STATUSES.includes(status) || status === 'sending';
}

async function markFailed(deps: PipelineDeps, id: string, error: PipelineStepError): Promise<void> {
  try {
    await deps.log.update(
      id,
      {
        status: 'failed',
        failedStep: error.step,
        error: error.message.slice(0, 500),
        updatedAt: deps.now().toISOString(),
      },
      ['received', 'sending', 'failed'],
    );
  } catch (logError) {
    deps.logger.error('could not mark the record failed', { id, error: (logError as Error).message });
  }
  deps.logger.error('routing failed', { id, step: error.step, error: error.message });
}

async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw error instanceof PipelineStepError ? error : new PipelineStepError(name, error);
  }
}

function outcome(id: string, analysis: Analysis, status: RoutingStatus): Record<string, unknown> {
  return {
    id,
    category: analysis.decision.category,
    confidence: analysis.classification.confidence,
    automated: analysis.automated.automated,
    disposition: analysis.decision.disposition,
    status,
    recipients: analysis.decision.recipients.length,
  };
}

function result(id: string, analysis: Analysis, status: RoutingStatus, duplicate: boolean): RouteResult {
  return {
    messageId: id,
    category: analysis.decision.category,
    confidence: analysis.classification.confidence,
    automated: analysis.automated.automated,
    reasons: [...analysis.classification.reasons, ...analysis.decision.reasons],
    disposition: analysis.decision.disposition,
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
