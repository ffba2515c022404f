import { readFileSync } from 'node:fs';
import { tokens } from '../../functions/core/classify/normalize.js';

/**
 * The everyday words of a language (test/fixtures/frequent-words/<language>.txt, one a line), each
 * folded into its tokens: one for most words, one per character for Chinese and Japanese.
 */
export function frequentWords(language: string): string[][] {
  const file = new URL(`../fixtures/frequent-words/${language}.txt`, import.meta.url);
  const lines = readFileSync(file, 'utf8').split('\n');
  const words = new Map<string, string[]>();
  for (const line of lines) {
    const folded = tokens(line);
    if (folded.length > 0) words.set(folded.join(' '), folded);
  }
  return [...words.values()];
}
