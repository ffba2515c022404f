// core (pure) --> classify: the learned complement to the lexicons. The words of a message and
// their five-letter stems ("delegation", "delegación" and "delegacija" share `deleg`) become
// features of the same logistic model, for the vocabulary that training selected: phrasings and
// languages no reviewer listed still carry what labelled mail taught.
import type { Category } from '../types.js';
import type { FeatureSet } from './features.js';

const WORD = 'w:';
const STEM = 's:';
const STEM_LENGTH = 5;
/** Shorter words are mostly function words; longer stems would not reach across languages. */
const MIN_WORD_LENGTH = 3;
const MIN_STEM_SOURCE_LENGTH = 6;
const DIGITS = /^\d+$/;

export function isTermFeature(feature: string): boolean {
  return feature.startsWith(WORD) || feature.startsWith(STEM);
}

/** The term features one folded word stands for. */
export function termsOf(word: string): string[] {
  if (word.length < MIN_WORD_LENGTH || DIGITS.test(word)) return [];
  const terms = [`${WORD}${word}`];
  if (word.length >= MIN_STEM_SOURCE_LENGTH) terms.push(`${STEM}${word.slice(0, STEM_LENGTH)}`);
  return terms;
}

/**
 * The message's features plus its term features within `vocabulary`, scaled so that a long
 * message and a short one weigh alike (unit length over the terms found).
 */
export function withTerms(features: FeatureSet, vocabulary: ReadonlySet<string>): Map<string, number> {
  if (vocabulary.size === 0) return features.values;
  const found = new Map<string, number>();
  for (const [word, weight] of features.words) {
    for (const term of termsOf(word)) {
      if (vocabulary.has(term) && (found.get(term) ?? 0) < weight) found.set(term, weight);
    }
  }
  const values = new Map(features.values);
  if (found.size === 0) return values;
  const scale = 1 / Math.sqrt(found.size);
  for (const [term, weight] of found) values.set(term, weight * scale);
  return values;
}

/** How a term feature reads in a reason: `word:"delegation"`, `stem:"deleg…"`. */
export function describeTerm(feature: string): string {
  return feature.startsWith(WORD)
    ? `word:"${feature.slice(WORD.length)}"`
    : `stem:"${feature.slice(STEM.length)}…"`;
}

export interface VocabularyOptions {
  /** A term must occur in at least this many training messages. */
  minMessages: number;
  /** The most informative terms kept. */
  size: number;
}

export const DEFAULT_VOCABULARY: VocabularyOptions = { minMessages: 3, size: 3000 };

/**
 * The terms that tell categories apart best in labelled messages (chi-square of term presence
 * against each category, the best category's score), ties broken by name: deterministic.
 */
export function selectVocabulary(
  examples: Array<{ category: Category; features: FeatureSet }>,
  options: VocabularyOptions = DEFAULT_VOCABULARY,
): string[] {
  const total = examples.length;
  if (total === 0 || options.size <= 0) return [];
  const perCategory = new Map<Category, number>();
  const counts = new Map<string, Map<Category, number>>();
  for (const { category, features } of examples) {
    perCategory.set(category, (perCategory.get(category) ?? 0) + 1);
    const terms = new Set<string>();
    for (const word of features.words.keys()) for (const term of termsOf(word)) terms.add(term);
    for (const term of terms) {
      const byCategory = counts.get(term) ?? new Map<Category, number>();
      byCategory.set(category, (byCategory.get(category) ?? 0) + 1);
      counts.set(term, byCategory);
    }
  }
  const scored: Array<[string, number]> = [];
  for (const [term, byCategory] of counts) {
    const containing = [...byCategory.values()].reduce((sum, count) => sum + count, 0);
    if (containing < options.minMessages || containing === total) continue;
    let best = 0;
    for (const [category, inCategory] of perCategory) {
      best = Math.max(best, chiSquare(byCategory.get(category) ?? 0, containing, inCategory, total));
    }
    scored.push([term, best]);
  }
  scored.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return scored
    .slice(0, options.size)
    .map(([term]) => term)
    .sort();
}

/** Chi-square of a 2x2 table: term present or not, category or not. */
function chiSquare(both: number, withTerm: number, inCategory: number, total: number): number {
  const a = both;
  const b = withTerm - both;
  const c = inCategory - both;
  const d = total - withTerm - inCategory + both;
  const denominator = (a + b) * (c + d) * (a + c) * (b + d);
  return denominator === 0 ? 0 : (total * (a * d - b * c) ** 2) / denominator;
}
