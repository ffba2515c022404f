// core (pure) --> classify: the reviewer-editable lexicons (lexicons/*.json) and their compiler. The
// compiled tables (lexicons.compiled.json, written by `npm run lexicons`) are what the classifier loads;
// this file is read when they are compiled, by training and by tests, never by a Lambda.
//
// Term syntax, written in natural spelling (case and diacritics are folded when compiled):
//   word      the whole word                      "inbjudan"
//   stem*     a word starting with stem          "inbjud*"  -> inbjuder, inbjudna
//   *end      a word ending with end (compounds)  "*besök"   -> statsbesök
//   *part*    a word containing part              "*ansökan*" -> eu-projektansökan
//   !word     any word but this one (in phrases)  "mayor of !stockholm"
//   a b*      consecutive words                   "courtesy call*"

import { createHash } from 'node:crypto';
import type { Category } from '../types.js';
import {
  type Combination,
  type CompiledLexicon,
  type Concept,
  encodePhrases,
  indexPatterns,
  KIND_LETTERS,
  LexiconMatcher,
  type PatternKind,
  type PhraseElement,
} from './lexicon-matcher.js';
import combinations from './lexicons/combinations.json' with { type: 'json' };
import eu from './lexicons/eu_matter.json' with { type: 'json' };
import invitation from './lexicons/invitation.json' with { type: 'json' };
import neutral from './lexicons/neutral.json' with { type: 'json' };
import other from './lexicons/other.json' with { type: 'json' };
import protocol from './lexicons/protocol_visit.json' with { type: 'json' };
import { fold, tokenize } from './normalize.js';

export type { Combination, CompiledLexicon, Concept } from './lexicon-matcher.js';

/**
 * Bumped whenever compileLexicon changes what it writes for the same lexicons: the fingerprint then
 * changes too, and the compiled tables must be written again.
 */
const COMPILER_VERSION = 2;

export interface ConceptSpec {
  id: string;
  /** Why the concept exists, in the taxonomy's words. */
  about: string;
  /** Prior weight toward the file's category, used until a model is trained on it. */
  weight?: number;
  /** Prior weights toward several categories, for evidence that more than one category shares. */
  weights?: Partial<Record<Category, number>>;
  /** Terms per ISO 639-1 language code. */
  terms: Record<string, string[]>;
  /** Phrases the concept must fire on: a test keeps each term list honest. */
  examples: string[];
}

export interface LexiconFile {
  category: Category | 'neutral';
  concepts: ConceptSpec[];
}

export const LEXICON_FILES: LexiconFile[] = [
  invitation as LexiconFile,
  protocol as LexiconFile,
  eu as LexiconFile,
  other as LexiconFile,
  neutral as LexiconFile,
];

/** A combination as reviewers write it: with the reason it exists. */
export interface CombinationSpec extends Combination {
  about: string;
}

export const COMBINATIONS: CombinationSpec[] = (combinations as { combinations: CombinationSpec[] })
  .combinations;

export function concepts(
  files: readonly LexiconFile[] = LEXICON_FILES,
  combined: readonly Combination[] = COMBINATIONS,
): Concept[] {
  const fromCombinations = combined.map((combination) => ({
    id: combination.id,
    priors: combination.weights,
  }));
  return [...lexiconConcepts(files), ...fromCombinations];
}

function lexiconConcepts(files: readonly LexiconFile[]): Concept[] {
  return files.flatMap((file) =>
    file.concepts.map((spec) => ({
      id: spec.id,
      priors: spec.weights ?? (file.category === 'neutral' ? {} : { [file.category]: spec.weight ?? 1 }),
    })),
  );
}

/**
 * What the compiled tables are compiled from: the lexicons and combinations as parsed (so a change of
 * layout alone does not make the tables stale) and the compiler's version.
 */
export function lexiconFingerprint(
  files: readonly LexiconFile[] = LEXICON_FILES,
  combined: readonly Combination[] = COMBINATIONS,
): string {
  const source = JSON.stringify({ compiler: COMPILER_VERSION, files, combinations: combined });
  return createHash('sha256').update(source).digest('hex').slice(0, 16);
}

/**
 * The lexicons as the matcher loads them (lexicon-matcher.ts): each term folded and read into single-word
 * patterns, numbered in the order they first occur, and phrases over them. Only the reviewers' `about`
 * texts and examples stay behind.
 */
export function compileLexicon(
  files: readonly LexiconFile[] = LEXICON_FILES,
  combined: readonly Combination[] = COMBINATIONS,
): CompiledLexicon {
  const patternIds = new Map<string, number>();
  const kinds: string[] = [];
  const texts: string[] = [];
  const patternId = (kind: PatternKind, text: string): number => {
    const key = `${kind}:${text}`;
    let id = patternIds.get(key);
    if (id === undefined) {
      id = patternIds.size;
      patternIds.set(key, id);
      kinds.push(KIND_LETTERS[kind]);
      texts.push(text);
    }
    return id;
  };
  const phrases = files
    .flatMap((file) => file.concepts)
    .flatMap((spec, conceptIndex) =>
      Object.values(spec.terms)
        .flat()
        .map((term) => ({ conceptIndex, elements: compilePhrase(term, patternId) })),
    );
  const kindLetters = kinds.join('');
  const patternText = texts.join(' ');
  const anchored = encodePhrases(texts.length, phrases);
  return {
    fingerprint: lexiconFingerprint(files, combined),
    concepts: concepts(files, combined),
    combinations: combined.map(({ id, all, any, none, weights }) => ({ id, all, any, none, weights })),
    kinds: kindLetters,
    patterns: patternText,
    anchored,
    index: indexPatterns(kindLetters, patternText, anchored),
  };
}

/** A matcher compiled at run time, for lexicons other than the shipped ones (tests, reviewers' probes). */
export function compileMatcher(files: readonly LexiconFile[] = LEXICON_FILES): LexiconMatcher {
  return new LexiconMatcher(compileLexicon(files));
}

/** Throws when compiled tables were not compiled from these lexicons: they must be written again. */
export function assertCompiledFrom(
  compiled: Pick<CompiledLexicon, 'fingerprint'>,
  files: readonly LexiconFile[] = LEXICON_FILES,
  combined: readonly Combination[] = COMBINATIONS,
): void {
  const expected = lexiconFingerprint(files, combined);
  if (compiled.fingerprint !== expected) {
    throw new Error(
      `the compiled lexicon tables are stale (compiled from ${compiled.fingerprint}, the lexicons are ${expected}): run \`npm run lexicons\` and commit functions/core/classify/lexicons.compiled.json`,
    );
  }
}

/** One term's words as single-word patterns: each written word may fold into several ("eu-projekt*" -> eu, projekt*). */
function compilePhrase(
  term: string,
  patternId: (kind: PatternKind, text: string) => number,
): PhraseElement[] {
  const elements: PhraseElement[] = [];
  for (const raw of term.trim().split(/\s+/)) {
    const negated = raw.startsWith('!');
    const body = negated ? raw.slice(1) : raw;
    const leading = body.startsWith('*');
    const trailing = body.endsWith('*') && body.length > 1;
    const parts = foldedParts(body.replace(/^\*|\*$/g, ''));
    parts.forEach((part, index) => {
      const first = index === 0;
      const last = index === parts.length - 1;
      const kind: PatternKind =
        first && leading && last && trailing
          ? 'infix'
          : first && leading
            ? 'suffix'
            : last && trailing
              ? 'prefix'
              : 'exact';
      elements.push({ pattern: patternId(kind, part), negated });
    });
  }
  return elements;
}

/** Most terms are plain lower-case ASCII, already folded and one token: no need to fold them. */
const FOLDED_WORD = /^[a-z0-9]+$/;

function foldedParts(word: string): string[] {
  return FOLDED_WORD.test(word) ? [word] : tokenize(fold(word));
}
