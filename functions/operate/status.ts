// operator (`mailroute status`, the console's header) --> (status) --> what in a deployment needs a person:
// the routing log's unfinished and held messages on either backend; SES receiving and sending, the
// dead-letter queue, alarms and the last reconcile run in AWS.
import type { ReconcileReport } from '../reconcile/reconcile.js';
import type { PipelineDeps } from '../route-mail/pipeline.js';

export interface StatusCheck {
  /** Stable key, e.g. `routing.failed`, `ses.receiptRules`. */
  name: string;
  /** False when a person should act. */
  ok: boolean;
  /** One line for people. */
  summary: string;
  /** What to do about it, when not ok. */
  action?: string;
  details?: Record<string, unknown>;
}

export interface StatusReport {
  backend: 'local' | 'aws';
  description: string;
  checkedAt: string;
  needsAction: boolean;
  checks: StatusCheck[];
}

export function statusReport(
  backend: StatusReport['backend'],
  description: string,
  checkedAt: Date,
  checks: StatusCheck[],
): StatusReport {
  return {
    backend,
    description,
    checkedAt: checkedAt.toISOString(),
    needsAction: checks.some((check) => !check.ok),
    checks,
  };
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** The routing log's own view, the same on both backends. */
export async function routingLogChecks(deps: PipelineDeps): Promise<StatusCheck[]> {
  const [failed, quarantined, sending] = await Promise.all([
    deps.log.list({ status: 'failed' }),
    deps.log.list({ status: 'quarantined' }),
    deps.log.list({ status: 'sending' }),
  ]);
  const graceEnd = deps.now().getTime() - deps.config.reconcile.graceMinutes * 60_000;
  const stuck = sending.filter((record) => Date.parse(record.sendStartedAt ?? record.updatedAt) <= graceEnd);
  const ids = (records: { id: string }[]) => records.slice(0, 20).map((record) => record.id);
  return [
    {
      name: 'routing.failed',
      ok: failed.length === 0,
      summary: `${plural(failed.length, 'message')} failed and not yet re-driven`,
      action:
        failed.length > 0 ? 'mailroute replay (after fixing the cause in `mailroute show ID`)' : undefined,
      details: { count: failed.length, ids: ids(failed) },
    },
    {
      name: 'routing.quarantined',
      ok: quarantined.length === 0,
      summary: `${plural(quarantined.length, 'message')} held in quarantine`,
      action:
        quarantined.length > 0
          ? 'look at each (mailroute log --status quarantined), then mailroute release ID or reroute ID'
          : undefined,
      details: { count: quarantined.length, ids: ids(quarantined) },
    },
    {
      name: 'routing.unconfirmedSends',
      ok: stuck.length === 0,
      summary: `${plural(stuck.length, 'message')} left in sending past ${deps.config.reconcile.graceMinutes} min`,
      action:
        stuck.length > 0
          ? 'no Send event from SES: reconcile sends them again (mailroute reconcile, or its schedule)'
          : undefined,
      details: { count: stuck.length, ids: ids(stuck) },
    },
  ];
}

/** A reconcile run's findings as a check (a dry run locally, the last run's metric in AWS). */
export function reconcileCheck(
  report: Pick<ReconcileReport, 'redriven' | 'errors'>,
  when: string,
): StatusCheck {
  const unfinished = report.redriven.length + report.errors.length;
  return {
    name: 'reconcile.unfinished',
    ok: unfinished === 0,
    summary: `${plural(unfinished, 'stored message')} without a final record (${when})`,
    action: unfinished > 0 ? 'mailroute reconcile' : undefined,
    details: { count: unfinished, ids: report.redriven.slice(0, 20) },
  };
}

/** The report as an aligned table for people. */
export function formatStatus(report: StatusReport): string {
  const rows = report.checks.map((check) => [check.ok ? 'ok' : 'ACTION', check.name, check.summary]);
  const widths = [6, Math.max(5, ...rows.map((row) => (row[1] ?? '').length))];
  const lines = [`${report.description}`, ''];
  for (const [state, name, summary] of rows) {
    lines.push(`${(state ?? '').padEnd(widths[0] ?? 0)}  ${(name ?? '').padEnd(widths[1] ?? 0)}  ${summary}`);
  }
  const actions = report.checks.filter((check) => !check.ok && check.action);
  if (actions.length > 0) {
    lines.push('', 'to do:');
    for (const check of actions) lines.push(`  ${check.name}: ${check.action}`);
  }
  return lines.join('\n');
}
