// operator (console, `mailroute resend`) --> (resend) --> routing states & the router: a message sent
// again, locally or in AWS: one left `sending`, `claimed`, `failed` or `received`; a send SES
// confirmed only when forced.
import { notificationForRecord } from '../reconcile/reconcile.js';
import type { RoutingRecord, RoutingStatus } from '../route-mail/ports.js';
import { reopenForResend } from '../route-mail/routing-states.js';
import type { OperatorBackend } from './backend.js';

export class ResendError extends Error {
  override name = 'ResendError';
}

export const RESENDABLE: readonly RoutingStatus[] = ['sending', 'claimed', 'failed', 'received', 'forwarded'];

/**
 * Reopens the record if a send was begun or confirmed, then hands it back to the router (in AWS the
 * queue: the router function sends it; locally the handler in this process).
 */
export async function resendMessage(
  backend: Pick<OperatorBackend, 'deps' | 'redrive'>,
  record: RoutingRecord,
  options: { force?: boolean } = {},
): Promise<void> {
  const { deps } = backend;
  if (!RESENDABLE.includes(record.status)) {
    throw new ResendError(
      `message ${record.id.slice(0, 12)} is ${record.status}: nothing was sent (release routes a quarantined one)`,
    );
  }
  if (record.status === 'forwarded' && !options.force) {
    throw new ResendError(
      `SES confirmed the send (${record.sesMessageId ?? 'no id'}); only a forced resend sends it again (--force, or the console's box)`,
    );
  }
  if (
    (record.status === 'sending' || record.status === 'forwarded') &&
    !(await reopenForResend(deps.log, record, deps.now(), { force: options.force }))
  ) {
    throw new ResendError(`message ${record.id.slice(0, 12)} changed meanwhile; look again`);
  }
  await backend.redrive(notificationForRecord(deps.config, record));
}
