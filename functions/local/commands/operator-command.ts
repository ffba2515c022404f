// operator --> (one `mailroute` command on an operator backend) --> what every such command shares:
// how it opens the backend, parses its options, and prints (a table for people, JSON lines with --json).
import { parseArgs } from 'node:util';
import type { OperatorBackend } from '../../operate/backend.js';
import { linesForPeople } from '../for-people.js';
import { type Column, printTable } from '../table.js';

/** Opens the backend the command works on (cli.ts decides: `--stack` or the local data folder). */
export type OpenBackend = (options?: { needsLoopSecret?: boolean }) => Promise<OperatorBackend>;

export interface CommandIo {
  /** The command's result: table rows for people, or JSON lines. */
  out: (line: string) => void;
  /** Summaries, warnings and alarms for people. */
  err: (line: string) => void;
}

/** Control characters are shown as U+FFFD on stderr; stdout is either a table (which does the same) or JSON. */
export const consoleIo: CommandIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(linesForPeople(line)),
};

export class CommandUsageError extends Error {
  override name = 'CommandUsageError';
}

export function parse<T extends NonNullable<Parameters<typeof parseArgs>[0]>['options']>(
  args: string[],
  options: T,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CommandUsageError((error as Error).message);
  }
}

/** Opens the backend, runs, and closes it however the run ends. */
export async function using<T>(
  open: OpenBackend,
  run: (backend: OperatorBackend) => Promise<T>,
  needsLoopSecret = false,
): Promise<T> {
  const backend = await open({ needsLoopSecret });
  try {
    return await run(backend);
  } finally {
    await backend.close();
  }
}

/**
 * The one way results are printed: with `--json` each result as it is, one JSON object a line (the
 * shape scripts rely on); otherwise a table of `row(result)` for people.
 */
export function printResults<T>(
  io: CommandIo,
  json: boolean,
  results: T[],
  columns: Column[],
  row: (result: T) => Record<string, string>,
): void {
  if (json) {
    for (const result of results) io.out(JSON.stringify(result));
    return;
  }
  if (results.length > 0) printTable(results.map(row), columns, io.out);
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
