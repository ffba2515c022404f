// operator (CLI in AWS mode, console) --> (release) --> pipeline: a quarantined message routed after all,
// with the quarantine it ended kept in the record's history (its reasons would otherwise be overwritten).
import { notificationForRecord } from '../reconcile/reconcile.js';
import { type PipelineDeps, type RouteResult, routeMessage } from '../route-mail/pipeline.js';
import type { RecordEvent, RoutingRecord } from '../route-mail/ports.js';

export class ReleaseError extends Error {
  override name = 'ReleaseError';
}

export async function releaseMessage(
  deps: PipelineDeps,
  record: RoutingRecord,
  by: string,
): Promise<RouteResult> {
  if (record.status !== 'quarantined') {
    throw new ReleaseError(`message ${record.id.slice(0, 12)} is ${record.status}, not quarantined`);
  }
  const held: RecordEvent = {
    at: deps.now().toISOString(),
    by,
    action: 'release',
    status: record.status,
    reasons: record.reasons,
  };
  const notification = notificationForRecord(deps.config, record);
  const result = await routeMessage(deps, notification, { release: true });
  await deps.log.update(record.id, {
    status: result.status,
    history: [...(record.history ?? []), held],
    updatedAt: deps.now().toISOString(),
  });
  return result;
}
