// operator --> (`mailroute show | reroute | corrections | status | console`, and `log` with --stack)
// --> an operator backend: the local data folder or an AWS stack. The recovery commands: recovery.ts.
import type { OperatorBackend } from '../../operate/backend.js';
import type { MessageDetail } from '../../operate/inspect.js';
import type { RerouteTarget } from '../../operate/reroute.js';
import type { RoutingRecord } from '../../route-mail/ports.js';
import { CommandUsageError, consoleIo, type OpenBackend, parse, using } from './operator-command.js';

// --- show -------------------------------------------------------------------------------------

export async function showCommand(args: string[], open: OpenBackend, io = consoleIo): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' } });
  if (positionals.length !== 1) throw new CommandUsageError('show takes one message id');
  const [{ resolveRecord }, { inspectMessage }] = await Promise.all([
    import('../../operate/backend.js'),
    import('../../operate/inspect.js'),
  ]);
  return using(open, async (backend) => {
    const record = await resolveRecord(backend.deps, positionals[0] as string);
    const detail = await inspectMessage(backend.deps, record);
    if (values.json === true) io.out(JSON.stringify(detail));
    else io.out(formatDetail(detail));
    return 0;
  });
}

export function formatDetail(detail: MessageDetail): string {
  const { record } = detail;
  const lines = [
    `id            ${record.id}`,
    `received      ${record.receivedAt}   to ${record.functionalAddress}`,
    `from          ${shownValue(detail.from)}`,
    `subject       ${shownValue(detail.subject)}`,
    `category      ${record.category}  confidence ${record.confidence.toFixed(2)}${record.automated ? '  automated' : ''}`,
    `status        ${record.status}  (${record.disposition})${record.failedStep ? `  failed at ${record.failedStep}: ${record.error ?? ''}` : ''}`,
    `recipients    ${record.recipients.join(', ') || '-'}`,
    `verdicts      ${
      Object.entries(record.verdicts ?? {})
        .map(([name, value]) => `${name} ${value}`)
        .join(', ') || '-'
    }`,
    'reasons',
    ...record.reasons.map((reason) => `  ${reason}`),
  ];
  for (const correction of record.corrections ?? []) {
    lines.push(
      `corrected     ${correction.at} by ${correction.by}: ${correction.from.category} (${correction.from.recipients.join(', ') || correction.from.status}) -> ${correction.to.category} (${correction.to.recipients.join(', ')})`,
    );
  }
  for (const event of record.history ?? []) {
    lines.push(
      `history       ${event.at} ${event.action} by ${event.by}, was ${event.status}: ${event.reasons.join('; ')}`,
    );
  }
  if (detail.unreadable) lines.push(`stored message: ${detail.unreadable}`);
  if (detail.forwardHeaders) lines.push('', 'forward header block', detail.forwardHeaders);
  return lines.join('\n');
}

/** A value read from the stored message: none read, or none there (a message without that header). */
function shownValue(value: string | undefined): string {
  if (value === undefined) return '(not readable)';
  return value === '' ? '(none)' : value;
}

// --- reroute ----------------------------------------------------------------------------------

export async function rerouteCommand(args: string[], open: OpenBackend, io = consoleIo): Promise<number> {
  const { values, positionals } = parse(args, {
    category: { type: 'string' },
    group: { type: 'string' },
    by: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length !== 1) throw new CommandUsageError('reroute takes one message id');
  if ((values.category === undefined) === (values.group === undefined)) {
    throw new CommandUsageError('reroute needs --category C or --group ADDRESS (one of them)');
  }
  const target = (
    values.category !== undefined ? { category: values.category } : { group: values.group }
  ) as RerouteTarget;
  const [{ resolveRecord }, { rerouteMessage }] = await Promise.all([
    import('../../operate/backend.js'),
    import('../../operate/reroute.js'),
  ]);
  return using(
    open,
    async (backend) => {
      const record = await resolveRecord(backend.deps, positionals[0] as string);
      const by = values.by ?? (await backend.operator());
      const { correction, record: after } = await rerouteMessage(backend.deps, record, target, by);
      if (values.json === true)
        io.out(JSON.stringify({ messageId: after.id, correction, status: after.status }));
      else {
        io.out(
          `${after.id.slice(0, 12)}  ${correction.from.category} -> ${correction.to.category}  sent to ${correction.to.recipients.join(', ')}  (by ${by})`,
        );
      }
      return 0;
    },
    true,
  );
}

// --- corrections ------------------------------------------------------------------------------

export async function correctionsCommand(args: string[], open: OpenBackend, io = consoleIo): Promise<number> {
  const { values, positionals } = parse(args, { since: { type: 'string' } });
  const [action, dir, ...extra] = positionals;
  if (action !== 'export' || !dir || extra.length > 0) {
    throw new CommandUsageError('usage: mailroute corrections export DIR [--since 30d]');
  }
  const [{ exportCorrections }, { sinceTime }] = await Promise.all([
    import('../../operate/corrections.js'),
    import('../../operate/since.js'),
  ]);
  let since: string | undefined;
  try {
    since = values.since ? sinceTime(values.since, new Date()) : undefined;
  } catch (error) {
    throw new CommandUsageError(`--since ${(error as Error).message}`);
  }
  return using(open, async (backend) => {
    const report = await exportCorrections(backend.deps, dir, since);
    for (const label of report.written) io.out(`${label.file}  ${label.category}  ${label.note}`);
    for (const missing of report.missing) io.err(`missing ${missing.id}: ${missing.error}`);
    io.err(
      `${report.written.length} corrected message${report.written.length === 1 ? '' : 's'} written to ${dir}; train with: npm run train -- ${dir}`,
    );
    return report.missing.length > 0 ? 1 : 0;
  });
}

// --- status -----------------------------------------------------------------------------------

export async function statusCommand(args: string[], open: OpenBackend, io = consoleIo): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' } });
  if (positionals.length > 0) throw new CommandUsageError('status takes no arguments');
  const { statusReport, formatStatus } = await import('../../operate/status.js');
  return using(open, async (backend) => {
    const report = statusReport(
      backend.kind,
      backend.description,
      backend.deps.now(),
      await backend.statusChecks(),
    );
    io.out(values.json === true ? JSON.stringify(report, null, 2) : formatStatus(report));
    return report.needsAction ? 1 : 0;
  });
}

// --- console ----------------------------------------------------------------------------------

export async function consoleCommand(
  args: string[],
  open: OpenBackend,
  defaultPort: number,
  io = consoleIo,
): Promise<number> {
  const { values, positionals } = parse(args, { port: { type: 'string' } });
  if (positionals.length > 0) throw new CommandUsageError('console takes no arguments');
  const port = values.port === undefined ? defaultPort : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new CommandUsageError('--port must be a port number');
  const { startConsole } = await import('../../console/server.js');
  const backend = await open({ needsLoopSecret: true });
  const running = await startConsole({ backend, port }).catch(async (error: NodeJS.ErrnoException) => {
    await backend.close();
    if (error.code === 'EADDRINUSE') {
      throw new Error(
        `port ${port} is in use (is npm start running its console already?); set MAILROUTE_CONSOLE_PORT or --port`,
      );
    }
    throw error;
  });
  io.out(`mailroute console on ${running.url}  (${backend.description}); Ctrl-C stops`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await running.close();
  await backend.close();
  return 0;
}

/** The log in AWS mode: the same query on the stack's table. */
export async function readBackendLog(
  open: OpenBackend,
  query: Parameters<OperatorBackend['deps']['log']['list']>[0],
): Promise<RoutingRecord[]> {
  return using(open, (backend) => backend.deps.log.list(query));
}
