// pipeline --> (acknowledge) --> routing states, RoutingLog, MailSender: step 11 of DESIGN.md. After a
// person's message was forwarded, its authenticated sender gets one acknowledgement (issue #14). Whether
// one is due was decided with the record (functions/core/acknowledgement.ts); here it passes the
// per-period slot, the gate `due -> sending` and the send, under the same claim discipline as the
// forward. It never fails the message: the message is forwarded, and what is left undone stays `due`
// for the next delivery or reconcile.
import { createHmac } from 'node:crypto';
import {
  acknowledgementMessage,
  acknowledgementSettingsFor,
  writtenInSwedish,
} from '../core/acknowledgement.js';
import { asciiAddress } from '../core/header-block.js';
import type { InboundMail } from '../core/types.js';
import { type PipelineDeps, redact } from './pipeline.js';
import type { AcknowledgementStatus, RoutingRecord } from './ports.js';
import {
  acknowledgementDue,
  acknowledgementFailed,
  markAcknowledged,
  serviceAnswered,
  skipAcknowledgement,
  startAcknowledgement,
} from './routing-states.js';

export interface AcknowledgementInput {
  /** The message's record, `forwarded`, with its acknowledgement `due`. */
  record: RoutingRecord;
  functionalAddress: string;
  mail: InboundMail;
  headerFields: readonly { lowerName: string; value: string }[];
  loopMarker: string;
}

/**
 * Sends the acknowledgement if it is still due; resolves to where this delivery left it (`undefined`
 * when there was nothing to do). Each move is conditional, so two deliveries at once send one.
 */
export async function acknowledge(
  deps: PipelineDeps,
  input: AcknowledgementInput,
): Promise<AcknowledgementStatus | undefined> {
  const { record } = input;
  if (!acknowledgementDue(record)) return undefined;
  const id = record.id;
  try {
    const settings = acknowledgementSettingsFor(deps.config, input.functionalAddress);
    const to = asciiAddress(input.mail.from?.address ?? '');
    if (!to) {
      await skipAcknowledgement(deps.log, id, 'sender address not known', deps.now());
      return 'skipped';
    }
    const now = deps.now();
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const slotTaken = await deps.log.reserveAcknowledgement(
      slotKey(deps.loopSecret, to, input.functionalAddress),
      id,
      nowSeconds,
      nowSeconds + settings.periodHours * 3600,
    );
    if (!slotTaken) {
      await skipAcknowledgement(
        deps.log,
        id,
        `one went to this sender for this address within ${settings.periodHours} h`,
        deps.now(),
      );
      return 'skipped';
    }
    const raw = acknowledgementMessage({
      settings,
      functionalAddress: input.functionalAddress,
      to,
      routingId: id,
      loopMarker: input.loopMarker,
      date: now,
      subject: input.mail.subject,
      headerFields: input.headerFields,
      swedishFirst: writtenInSwedish(input.mail.subject, input.mail.text),
    });
    if (!(await startAcknowledgement(deps.log, id, deps.now()))) return undefined;
    let sesMessageId: string;
    try {
      ({ messageId: sesMessageId } = await deps.sender.send({
        from: settings.from,
        recipients: [to],
        raw,
        routingId: id,
        kind: 'acknowledgement',
      }));
    } catch (error) {
      const outcome = failureOutcome(error);
      const message = redactedMessage(error);
      await acknowledgementFailed(deps.log, id, message, outcome, deps.now());
      deps.logger.warn('acknowledgement not sent', { id, outcome, error: message });
      return outcome === 'retry' ? 'due' : outcome === 'refused' ? 'refused' : 'sending';
    }
    await markAcknowledged(deps.log, id, sesMessageId, deps.now());
    deps.logger.info('acknowledgement sent', { id, sesMessageId });
    return 'sent';
  } catch (error) {
    // A log write failed: whatever state the acknowledgement is in stays, and says what is left to do.
    deps.logger.warn('acknowledgement step failed', { id, error: redactedMessage(error) });
    return undefined;
  }
}

/**
 * The slot of one sender at one functional address. A keyed hash: the log holds no addresses, and a
 * plain hash of an address is easily reversed. Its own prefix and input, apart from the rate limit's.
 */
function slotKey(secret: string, sender: string, functionalAddress: string): string {
  return createHmac('sha256', secret)
    .update(`acknowledgement\n${sender.toLowerCase()}\n${functionalAddress.toLowerCase()}`)
    .digest('hex')
    .slice(0, 32);
}

/** SES answered: throttling and server errors pass (`retry`), any other refusal is final. No answer: unknown. */
function failureOutcome(error: unknown): 'retry' | 'refused' | 'unanswered' {
  if (!serviceAnswered(error)) return 'unanswered';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
  const name = (error as { name?: string }).name ?? '';
  return status === 429 || status >= 500 || /throttl|toomanyrequests/i.test(name) ? 'retry' : 'refused';
}

function redactedMessage(error: unknown): string {
  return redact(error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 300);
}
