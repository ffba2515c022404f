// Test helper: where the shared corpus is, and reading its labels. The corpus lives outside the
// repo (../shared); a clone elsewhere has none, and tests that need it say so instead of failing.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEV_CORPUS = resolve(REPO_ROOT, '../shared/corpus/dev');
export const PUBLIC_FIXTURES = resolve(REPO_ROOT, '../shared/corpus/public-fixtures');
export const hasDevCorpus = existsSync(join(DEV_CORPUS, 'labels.jsonl'));
export const hasPublicFixtures = existsSync(PUBLIC_FIXTURES);
export const CORPUS_ABSENT_NOTE = '../shared/corpus is absent in this clone: corpus checks do not run';

export interface CorpusLabel {
  file: string;
  category: string;
  automated: boolean;
  language: string;
  difficulty: string;
  note: string;
}

export function readLabels(dir = DEV_CORPUS): CorpusLabel[] {
  return readFileSync(join(dir, 'labels.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as CorpusLabel);
}

export function fixture(name: string): Buffer {
  return readFileSync(join(REPO_ROOT, 'test/fixtures', name));
}

/** Every message file under `dir`: `.eml`, and in the public fixtures every file but the notes (`.md`). */
export function messageFiles(dir: string, everyFile: boolean): string[] {
  const found: string[] = [];
  const visit = (folder: string) => {
    for (const entry of readdirSync(folder).sort()) {
      const path = join(folder, entry);
      if (statSync(path).isDirectory()) visit(path);
      else if (everyFile ? !entry.endsWith('.md') : entry.endsWith('.eml')) found.push(path);
    }
  };
  visit(dir);
  return found;
}

/** The message sets tests read every message of: name, folder, and whether it is present in this clone. */
export const FIXTURE_SETS: [string, string, boolean][] = [
  ['test/fixtures', join(REPO_ROOT, 'test/fixtures'), true],
  ['../shared/corpus/public-fixtures', PUBLIC_FIXTURES, hasPublicFixtures],
  ['../shared/corpus/dev', DEV_CORPUS, hasDevCorpus],
];
