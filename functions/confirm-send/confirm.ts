// handler (AWS) or the local SES stand-in --> (confirm) --> routing states: SES's Send event marks the
// routing record of the send `forwarded`, even when the router died between the SES call and its mark.
import type { PipelineLogger } from '../route-mail/pipeline.js';
import type { RoutingLog } from '../route-mail/ports.js';
import { type ConfirmOutcome, confirmAcknowledgement, confirmSend } from '../route-mail/routing-states.js';
import { confirmationOf } from './send-event.js';

export interface ConfirmDeps {
  log: RoutingLog;
  now: () => Date;
  logger: PipelineLogger;
}

/** Applies one Send event; resolves to what it did (`untagged` for a send that is not the router's). */
export async function confirmSendEvent(
  deps: ConfirmDeps,
  event: unknown,
): Promise<ConfirmOutcome | 'untagged'> {
  const confirmation = confirmationOf(event);
  if (!confirmation) {
    deps.logger.warn('send event without a routing id: not ours, nothing to confirm');
    return 'untagged';
  }
  const outcome =
    confirmation.kind === 'acknowledgement'
      ? await confirmAcknowledgement(deps.log, confirmation, deps.now())
      : await confirmSend(deps.log, confirmation, deps.now());
  // Ids only: routing ids and SES message ids are no personal data.
  const attributes = {
    id: confirmation.routingId,
    sesMessageId: confirmation.sesMessageId,
    kind: confirmation.kind ?? 'forward',
    outcome,
  };
  if (outcome === 'another-send') deps.logger.error('a second send of one message was confirmed', attributes);
  else if (outcome === 'unknown') deps.logger.warn('send event for a record that cannot take it', attributes);
  else deps.logger.info('send confirmed', attributes);
  return outcome;
}
