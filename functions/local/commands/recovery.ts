// operator --> (`mailroute replay | reconcile | release | resend`, locally and with --stack) --> an
// operator backend: the commands that bring back messages the router has not finished (issues #5, #11).
// One code path for both backends and for the console's actions (functions/operate): a table for
// people by default, with --json the JSON lines scripts read.
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { OperatorBackend } from '../../operate/backend.js';
import type { ReplayedRecord } from '../../operate/replay.js';
import type { ReconcileReport } from '../../reconcile/reconcile.js';
import type { RouteResult } from '../../route-mail/pipeline.js';
import type { RoutingRecord, RoutingStatus } from '../../route-mail/ports.js';
import type { Column } from '../table.js';
import {
  type CommandIo,
  CommandUsageError,
  consoleIo,
  type OpenBackend,
  parse,
  plural,
  printResults,
  using,
} from './operator-command.js';

/** Every recovery command prints one row per message in these columns. */
const OUTCOME_COLUMNS: Column[] = [
  { key: 'id', title: 'ID' },
  { key: 'outcome', title: 'OUTCOME' },
  { key: 'status', title: 'STATUS' },
  { key: 'detail', title: 'DETAIL' },
];

function outcomeRow(id: string, outcome: string, status: string | undefined, detail: string) {
  return { id: id.slice(0, 12), outcome, status: status ?? '', detail };
}

// --- replay -------------------------------------------------------------------------------------

/**
 * `mailroute replay`: what routing gave up on goes through the router again. Locally the `failed`
 * records are re-driven; with --stack the dead-letter queue goes back to the router queue;
 * `--dlq URL --to URL` moves any AWS queue to another without opening a backend.
 */
export async function replayCommand(
  args: string[],
  open: OpenBackend,
  io: CommandIo = consoleIo,
  sqs?: SQSClient,
): Promise<number> {
  const { values, positionals } = parse(args, {
    dlq: { type: 'string' },
    to: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new CommandUsageError('replay takes no message ids');
  const json = values.json === true;
  const { replayDeadLetters, replayFailed } = await import('../../operate/replay.js');
  const printMoved = (moved: number, queues?: { from: string; to: string }) => {
    if (json) io.out(JSON.stringify({ moved, ...queues }));
    else io.out(`${plural(moved, 'message')} moved from the DLQ back to ${queues?.to ?? 'the router queue'}`);
    return 0;
  };
  if (values.dlq !== undefined || values.to !== undefined) {
    if (!values.dlq || !values.to) throw new CommandUsageError('replay --dlq needs --to QUEUE_URL as well');
    return printMoved(await replayDeadLetters(values.dlq, values.to, sqs), {
      from: values.dlq,
      to: values.to,
    });
  }
  return using(open, async (backend) => {
    if (backend.replayDeadLetters) return printMoved(await backend.replayDeadLetters());
    const replayed = await replayFailed(backend);
    printResults(io, json, replayed, OUTCOME_COLUMNS, (entry: ReplayedRecord) =>
      outcomeRow(
        entry.messageId,
        entry.replayed ? 'replayed' : 'failed again',
        entry.status,
        entry.error ?? '',
      ),
    );
    const again = replayed.filter((entry) => !entry.replayed).length;
    io.err(`${plural(replayed.length, 'failed record')} replayed, ${again} failed again`);
    return again > 0 ? 1 : 0;
  });
}

// --- reconcile ----------------------------------------------------------------------------------

/**
 * `mailroute reconcile`: as the scheduled function does, now: routes stored messages without a final
 * record, sends again what is `sending` without a Send event for the grace period.
 */
export async function reconcileCommand(args: string[], open: OpenBackend, io = consoleIo): Promise<number> {
  const { values, positionals } = parse(args, {
    'grace-minutes': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new CommandUsageError('reconcile takes no arguments');
  const { reconcile, unfinishedCount } = await import('../../reconcile/reconcile.js');
  return using(open, async (backend) => {
    const config = { ...backend.deps.config };
    if (values['grace-minutes'] !== undefined) {
      const grace = Number(values['grace-minutes']);
      if (!Number.isInteger(grace) || grace < 0)
        throw new CommandUsageError('--grace-minutes must be a whole number >= 0');
      config.reconcile = { ...config.reconcile, graceMinutes: grace };
    }
    const report = await reconcile({ ...backend.deps, config, redrive: backend.redrive });
    if (values.json === true) io.out(JSON.stringify(report));
    else printResults(io, false, reconcileRows(report), OUTCOME_COLUMNS, (row) => row);
    io.err(
      `checked ${report.checked}: re-driven ${report.redriven.length}, sent again ${report.resent.length}, acknowledgements re-driven ${report.acknowledged.length}, errors ${report.errors.length}`,
    );
    const unfinished = unfinishedCount(report);
    // What the ReconcileUnfinished alarm says in AWS, said here too.
    if (unfinished > 0) io.err(`ALARM: reconcile found ${plural(unfinished, 'unfinished message')}`);
    return report.errors.length > 0 ? 1 : 0;
  });
}

function reconcileRows(report: ReconcileReport): Record<string, string>[] {
  return [
    ...report.redriven.map((id) => outcomeRow(id, 're-driven', undefined, 'stored, never finished')),
    ...report.resent.map((id) => outcomeRow(id, 'sent again', undefined, 'no Send event from SES')),
    ...report.acknowledged.map((id) =>
      outcomeRow(id, 'acknowledged', undefined, 'the acknowledgement was still due'),
    ),
    ...report.errors.map((error) => outcomeRow(error.id, 'error', undefined, error.error)),
  ];
}

// --- release ------------------------------------------------------------------------------------

type Released = ({ released: true } & RouteResult) | { messageId: string; released: false; error: string };

/**
 * `mailroute release ID...`: routes quarantined messages after all (verdicts, loops and rate limit
 * waived). The same operation as the console's Release: the quarantine it ends, and who released it
 * when, stay in the record's history (`mailroute show ID`).
 */
export async function releaseCommand(args: string[], open: OpenBackend, io = consoleIo): Promise<number> {
  const { values, positionals } = parse(args, { by: { type: 'string' }, json: { type: 'boolean' } });
  if (positionals.length === 0) {
    throw new CommandUsageError(
      'release needs the id of a quarantined message (mailroute log --status quarantined)',
    );
  }
  const { releaseMessage } = await import('../../operate/release.js');
  return using(
    open,
    async (backend) => {
      const by = values.by ?? (await backend.operator());
      const results = await eachMessage<Released>(
        backend,
        positionals,
        async (record) => ({ released: true, ...(await releaseMessage(backend.deps, record, by)) }),
        (messageId, error) => ({ messageId, released: false, error }),
      );
      printResults(io, values.json === true, results, OUTCOME_COLUMNS, (result) =>
        result.released
          ? outcomeRow(
              result.messageId,
              'released',
              result.status,
              result.forwardedTo.length > 0 ? `to ${result.forwardedTo.join(', ')}` : '',
            )
          : outcomeRow(result.messageId, 'not released', undefined, result.error),
      );
      return finish(io, results.length, results.filter((result) => !result.released).length, 'released', by);
    },
    true,
  );
}

// --- resend -------------------------------------------------------------------------------------

type Resent =
  | { messageId: string; resent: true; status?: RoutingStatus; sesMessageId?: string }
  | { messageId: string; resent: false; error: string };

/**
 * `mailroute resend [--force] ID...`: sends a message again, by the rules of functions/operate/resend.ts
 * (what is still ambiguous; a send SES confirmed only with --force). Locally the router sends it in
 * this process; with --stack it goes back to the router queue and the router function sends it.
 */
export async function resendCommand(args: string[], open: OpenBackend, io = consoleIo): Promise<number> {
  const { values, positionals } = parse(args, { force: { type: 'boolean' }, json: { type: 'boolean' } });
  if (positionals.length === 0)
    throw new CommandUsageError('resend needs the id of a message (mailroute log)');
  const { resendMessage } = await import('../../operate/resend.js');
  return using(open, async (backend) => {
    const results = await eachMessage<Resent>(
      backend,
      positionals,
      async (record) => {
        await resendMessage(backend, record, { force: values.force === true });
        const after = await backend.deps.log.get(record.id);
        return {
          messageId: record.id,
          resent: true,
          status: after?.status,
          sesMessageId: after?.sesMessageId,
        };
      },
      (messageId, error) => ({ messageId, resent: false, error }),
    );
    printResults(io, values.json === true, results, OUTCOME_COLUMNS, (result) =>
      result.resent
        ? outcomeRow(result.messageId, 'resent', result.status, resentDetail(backend, result.sesMessageId))
        : outcomeRow(result.messageId, 'not resent', undefined, result.error),
    );
    return finish(io, results.length, results.filter((result) => !result.resent).length, 'resent');
  });
}

/** In AWS the router function sends it from the queue, after this command has returned. */
function resentDetail(backend: Pick<OperatorBackend, 'kind'>, sesMessageId: string | undefined): string {
  if (backend.kind === 'aws') return 'handed back to the router queue';
  return sesMessageId ? `SES message id ${sesMessageId}` : '';
}

/**
 * Acts on each message the ids name, one after the other; a refusal is a result, not an abort, and
 * names the full id once it is known, as a success would.
 */
async function eachMessage<T>(
  backend: OperatorBackend,
  ids: string[],
  act: (record: RoutingRecord) => Promise<T>,
  refused: (messageId: string, error: string) => T,
): Promise<T[]> {
  const { resolveRecord } = await import('../../operate/backend.js');
  const results: T[] = [];
  for (const id of ids) {
    let messageId = id;
    try {
      const record = await resolveRecord(backend.deps, id);
      messageId = record.id;
      results.push(await act(record));
    } catch (error) {
      results.push(refused(messageId, (error as Error).message));
    }
  }
  return results;
}

/** The summary on stderr, and the exit status: 1 when any message was refused. */
function finish(io: CommandIo, total: number, refused: number, done: string, by?: string): number {
  io.err(
    `${plural(total - refused, 'message')} ${done}${by ? ` by ${by}` : ''}${refused > 0 ? `, ${refused} not` : ''}`,
  );
  return refused > 0 ? 1 : 0;
}
