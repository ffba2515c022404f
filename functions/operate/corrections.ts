// staff corrections --> (export) --> a labelled corpus: each corrected message as `<id>.eml` beside a
// `labels.jsonl` line in the format scripts/classify-corpus.ts reads, so `npm run train -- DIR` learns
// from what staff decided.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Category } from '../core/types.js';
import type { PipelineDeps } from '../route-mail/pipeline.js';
import type { RoutingRecord } from '../route-mail/ports.js';
import { readStored } from './backend.js';

/** One line of labels.jsonl, as `npm run eval` and `npm run train` read it. */
export interface ExportedLabel {
  file: string;
  category: Category;
  automated: boolean;
  /** The log keeps no language; `und` (ISO 639-2: undetermined) until a person fills it in. */
  language: string;
  /** The router got it wrong, so it is a hard case by definition. */
  difficulty: 'hard';
  note: string;
}

export interface ExportReport {
  written: ExportedLabel[];
  /** Corrected messages whose stored original is gone (expired) or unreadable. */
  missing: { id: string; error: string }[];
}

export async function exportCorrections(
  deps: Pick<PipelineDeps, 'log' | 'store'>,
  dir: string,
  since?: string,
): Promise<ExportReport> {
  const corrected = (await deps.log.list(since ? { since } : {})).filter(
    (record) => (record.corrections?.length ?? 0) > 0,
  );
  await mkdir(dir, { recursive: true });
  const report: ExportReport = { written: [], missing: [] };
  for (const record of corrected) {
    let raw: Buffer;
    try {
      raw = await readStored(deps, record);
    } catch (error) {
      report.missing.push({ id: record.id, error: (error as Error).message });
      continue;
    }
    const file = `${safeFileName(record.id)}.eml`;
    await writeFile(join(dir, file), raw);
    report.written.push(labelOf(record, file));
  }
  await mergeLabels(dir, report.written);
  return report;
}

function labelOf(record: RoutingRecord, file: string): ExportedLabel {
  const corrections = record.corrections ?? [];
  const first = corrections[0];
  const last = corrections.at(-1);
  const category = last?.to.category ?? record.category;
  return {
    file,
    category,
    automated: false,
    language: 'und',
    difficulty: 'hard',
    note: `staff correction on ${last?.at.slice(0, 10) ?? ''}: router said ${first?.from.category ?? '?'}${first?.from.status === 'suppressed' ? ' (automated)' : ''}, staff ${category}`,
  };
}

/** Keeps labels of other files already in the folder; a file exported again gets its new label. */
async function mergeLabels(dir: string, labels: ExportedLabel[]): Promise<void> {
  const path = join(dir, 'labels.jsonl');
  let existing: string[] = [];
  try {
    existing = (await readFile(path, 'utf8')).split('\n').filter((line) => line.trim());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const fresh = new Set(labels.map((label) => label.file));
  const kept = existing.filter((line) => {
    try {
      return !fresh.has((JSON.parse(line) as { file?: string }).file ?? '');
    } catch {
      return true;
    }
  });
  const lines = [...kept, ...labels.map((label) => JSON.stringify(label))];
  await writeFile(path, lines.length > 0 ? `${lines.join('\n')}\n` : '');
}

/** SES message ids are file-name safe already; anything else is replaced. */
function safeFileName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
}
