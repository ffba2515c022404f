// staff (CLI or console) --> (reroute) --> core & ports: a person says a message belonged to another
// group. It is delivered there, as the router would have forwarded it, and the correction is kept on
// the record (from, to, who, when), where `mailroute corrections export` finds it for training.
import type { RouterConfig } from '../config/schema.js';
import { type Analysis, analyze } from '../core/analyze.js';
import { triageGroupFor } from '../core/decide.js';
import { forwardParts } from '../core/forward-message.js';
import { signLoopMarker } from '../core/loop-marker.js';
import { notMailOf } from '../core/not-mail.js';
import { type NoticeHeaders, oversizeNotice, textOnlyForward } from '../core/notice-message.js';
import { CATEGORIES, type Category, type RoutingDecision } from '../core/types.js';
import { judgeVerdicts } from '../core/verdicts.js';
import { locateOriginal, type PipelineDeps, redact } from '../route-mail/pipeline.js';
import type { RouteCorrection, RoutingRecord, RoutingStatus } from '../route-mail/ports.js';
import { serviceAnswered, startSend } from '../route-mail/routing-states.js';
import { readStored } from './backend.js';

/** Where staff want the message: a category (its group), or one configured group address. */
export type RerouteTarget = { category: Category } | { group: string };

/**
 * Statuses a message can be rerouted from: delivered (to the wrong group), suppressed as automated
 * (wrongly), or held in quarantine (a person decides where it goes). Not while it is being sent or
 * before it was routed at all (`replay` and `reconcile` are for those).
 */
export const REROUTABLE: readonly RoutingStatus[] = ['forwarded', 'suppressed', 'quarantined'];

export class RerouteError extends Error {
  override name = 'RerouteError';
}

/**
 * The category and recipients a target means. A group must be one the configuration names (a category
 * group or a triage group): the router never sends to an address a person typed, as it never sends to
 * one a message carried.
 */
export function resolveTarget(
  config: RouterConfig,
  functionalAddress: string,
  target: RerouteTarget,
): { category: Category; recipients: string[] } {
  if ('category' in target) {
    if (!CATEGORIES.includes(target.category)) {
      throw new RerouteError(`category must be one of ${CATEGORIES.join(', ')}`);
    }
    return { category: target.category, recipients: groupOf(config, functionalAddress, target.category) };
  }
  const wanted = target.group.trim().toLowerCase();
  for (const category of CATEGORIES) {
    if (category === 'other') continue;
    const group = config.categories[category].group;
    if (group.some((address) => address.toLowerCase() === wanted)) return { category, recipients: group };
  }
  for (const entry of config.functionalAddresses) {
    if (entry.triageGroup.some((address) => address.toLowerCase() === wanted)) {
      return { category: 'other', recipients: entry.triageGroup };
    }
  }
  throw new RerouteError(
    `${target.group} is not a configured group; use one of ${configuredGroups(config).join(', ')}`,
  );
}

export function configuredGroups(config: RouterConfig): string[] {
  const groups = [
    ...CATEGORIES.flatMap((category) => (category === 'other' ? [] : config.categories[category].group)),
    ...config.functionalAddresses.flatMap((entry) => entry.triageGroup),
  ];
  return [...new Set(groups)];
}

function groupOf(config: RouterConfig, functionalAddress: string, category: Category): string[] {
  return category === 'other' ? triageGroupFor(config, functionalAddress) : config.categories[category].group;
}

export interface RerouteResult {
  record: RoutingRecord;
  correction: RouteCorrection;
}

/**
 * Delivers the stored message to the target group and records the correction. The record is claimed
 * (`sending`, conditional on the status it had) before the send, so two people rerouting at once send
 * once; a send that fails puts the record back as it was.
 */
export async function rerouteMessage(
  deps: PipelineDeps,
  record: RoutingRecord,
  target: RerouteTarget,
  by: string,
): Promise<RerouteResult> {
  if (!REROUTABLE.includes(record.status)) {
    throw new RerouteError(
      `message ${record.id.slice(0, 12)} is ${record.status}; only ${REROUTABLE.join(', ')} messages can be rerouted`,
    );
  }
  const to = resolveTarget(deps.config, record.functionalAddress, target);
  if (
    record.status === 'forwarded' &&
    to.category === record.category &&
    sameAddresses(to.recipients, record.recipients)
  ) {
    throw new RerouteError(`message ${record.id.slice(0, 12)} already went to ${to.recipients.join(', ')}`);
  }
  const raw = await readStored(deps, record);
  const analysis = await analyze(raw, deps.config, record.functionalAddress).catch(() => undefined);
  const now = deps.now().toISOString();
  const correction: RouteCorrection = {
    at: now,
    by,
    from: { category: record.category, recipients: record.recipients, status: record.status },
    to,
  };

  // Built before the claim: a message that cannot be composed leaves the record untouched.
  let outgoing = composeCorrected(deps, record, raw, analysis, to, correction);
  let disposition = 'forward';
  const limit = deps.config.limits.maxForwardBytes;
  if (outgoing.length > limit) {
    outgoing = oversizeNotice({
      ...noticeHeaders(deps, record, analysis, to, correction),
      size: raw.length,
      limit,
      original: await locateOriginal(deps.store, { bucket: record.bucket, key: record.key }),
    });
    disposition = 'forwarded_as_notice';
  }

  // Reopened (`claimed`: nothing sent), then through the one gate every send passes (routing-states.ts).
  const changed = () => new RerouteError(`message ${record.id.slice(0, 12)} changed meanwhile; look again`);
  if (!(await deps.log.update(record.id, { status: 'claimed', updatedAt: now }, [record.status])))
    throw changed();
  const claimed: RoutingRecord = { ...record, status: 'claimed' };
  if (!(await startSend(deps.log, claimed, disposition, deps.now()))) throw changed();

  let sesMessageId: string;
  try {
    ({ messageId: sesMessageId } = await deps.sender.send({
      from: deps.config.routerSender,
      recipients: to.recipients,
      raw: outgoing,
      routingId: record.id,
    }));
  } catch (error) {
    // Back as it was, whatever the error: left in `sending`, reconcile would send the message again to
    // the group the router chose, which staff just said is wrong.
    await deps.log.update(
      record.id,
      {
        status: record.status,
        disposition: record.disposition,
        sendStartedAt: undefined,
        updatedAt: deps.now().toISOString(),
      },
      ['sending'],
    );
    const outcome = serviceAnswered(error)
      ? 'nothing was sent'
      : 'SES did not answer: it may have sent it (check the group before trying again)';
    throw new RerouteError(`reroute failed, ${outcome}: ${redact((error as Error).message)}`);
  }

  correction.sesMessageId = sesMessageId;
  const corrections = [...(record.corrections ?? []), correction];
  const changes = {
    status: 'forwarded' as const,
    category: to.category,
    recipients: to.recipients,
    disposition,
    sesMessageId,
    confirmedAt: deps.now().toISOString(),
    corrections,
    sendStartedAt: undefined,
    updatedAt: deps.now().toISOString(),
  };
  // Sent: a failed mark leaves `sending`, which reconcile reports and nothing re-sends.
  await deps.log.update(record.id, changes, ['sending']);
  deps.logger.info('message rerouted by staff', {
    id: record.id,
    from: correction.from.category,
    to: to.category,
    recipients: to.recipients.length,
  });
  return { record: { ...record, ...changes }, correction };
}

/** The reason staff see on the forward and operators in the log. */
function correctionReason(correction: RouteCorrection): string {
  return `corrected by ${correction.by}: ${correction.from.category} -> ${correction.to.category}`;
}

function correctedDecision(
  deps: PipelineDeps,
  record: RoutingRecord,
  analysis: Analysis | undefined,
  to: { category: Category; recipients: string[] },
  correction: RouteCorrection | undefined,
): RoutingDecision {
  return {
    category: to.category,
    disposition: 'forward',
    recipients: to.recipients,
    subjectTag: deps.config.categories[to.category].tag,
    reasons: [
      ...(analysis?.decision.reasons ?? []),
      // Bytes that are no mail at all say so wherever they go (the pipeline adds this, not the analysis).
      ...notMailOf(record.reasons),
      ...(correction ? [correctionReason(correction)] : []),
    ],
  };
}

/**
 * The forward to the corrected group: the original rewritten as the router rewrites it, or, after a
 * virus verdict or for a message the parser cannot read, the router's own text-only note.
 */
function composeCorrected(
  deps: PipelineDeps,
  record: RoutingRecord,
  raw: Uint8Array,
  analysis: Analysis | undefined,
  to: { category: Category; recipients: string[] },
  correction: RouteCorrection,
): Uint8Array {
  const verdict = judgeVerdicts(record.verdicts);
  if (analysis && !verdict.dropAttachments) {
    const { header, body } = forwardParts(forwardInput(deps, record, raw, analysis, to, correction));
    return Buffer.concat([header, body]);
  }
  return textOnlyForward({
    ...noticeHeaders(deps, record, analysis, to, correction),
    text: analysis?.mail.text ?? '(the message could not be read; ask an operator for the stored original)',
    attachments: analysis?.mail.attachments ?? [],
  });
}

function forwardInput(
  deps: PipelineDeps,
  record: RoutingRecord,
  raw: Uint8Array,
  analysis: Analysis,
  to: { category: Category; recipients: string[] },
  correction: RouteCorrection | undefined,
) {
  return {
    raw,
    mail: analysis.mail,
    classification: analysis.classification,
    decision: correctedDecision(deps, record, analysis, to, correction),
    functionalAddress: record.functionalAddress,
    routerSender: deps.config.routerSender,
    routingId: record.id,
    loopMarker: signLoopMarker(record.id, deps.loopSecret),
    warnings: judgeVerdicts(record.verdicts).warnings,
  };
}

function noticeHeaders(
  deps: PipelineDeps,
  record: RoutingRecord,
  analysis: Analysis | undefined,
  to: { category: Category; recipients: string[] },
  correction: RouteCorrection,
): NoticeHeaders {
  return {
    recipients: to.recipients,
    subjectTag: deps.config.categories[to.category].tag,
    subject: analysis?.mail.subject ?? '',
    replyTo: analysis ? (analysis.mail.replyTo[0] ?? analysis.mail.from) : undefined,
    functionalAddress: record.functionalAddress,
    routerSender: deps.config.routerSender,
    routingId: record.id,
    loopMarker: signLoopMarker(record.id, deps.loopSecret),
    date: deps.now(),
    reasons: [...record.reasons, correctionReason(correction)],
    warnings: judgeVerdicts(record.verdicts).warnings,
  };
}

/**
 * The header block of the forward as the record describes it (the group and category it has now),
 * rebuilt from the stored message: what staff received, for `show` and the console. Empty when the
 * message cannot be parsed (it went out as a note with the original attached).
 */
export function forwardHeaderPreview(
  deps: PipelineDeps,
  record: RoutingRecord,
  raw: Uint8Array,
  analysis: Analysis,
): string {
  const { header } = forwardParts(
    forwardInput(
      deps,
      record,
      raw,
      analysis,
      { category: record.category, recipients: record.recipients },
      record.corrections?.at(-1),
    ),
  );
  return header.toString('latin1').trimEnd();
}

function sameAddresses(a: string[], b: string[]): boolean {
  const normal = (list: string[]) =>
    list
      .map((address) => address.toLowerCase())
      .sort()
      .join(',');
  return normal(a) === normal(b);
}
