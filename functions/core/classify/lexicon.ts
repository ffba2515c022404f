// core (pure) --> classify: the reviewer-editable lexicons (lexicons/*.json) compiled into one matcher.
//
// Term syntax, written in natural spelling (case and diacritics are folded on load):
//   word      the whole word                      "inbjudan"
//   stem*     a word starting with stem          "inbjud*"  -> inbjuder, inbjudna
//   *end      a word ending with end (compounds)  "*besök"   -> statsbesök
//   *part*    a word containing part              "*ansökan*" -> eu-projektansökan
//   !word     any word but this one (in phrases)  "mayor of !stockholm"
//   a b*      consecutive words                   "courtesy call*"

import type { Category } from '../types.js';
import combinations from './lexicons/combinations.json' with { type: 'json' };
import eu from './lexicons/eu_matter.json' with { type: 'json' };
import invitation from './lexicons/invitation.json' with { type: 'json' };
import neutral from './lexicons/neutral.json' with { type: 'json' };
import other from './lexicons/other.json' with { type: 'json' };
import protocol from './lexicons/protocol_visit.json' with { type: 'json' };
import { fold, tokenize } from './normalize.js';

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

export interface Concept {
  id: string;
  priors: Partial<Record<Category, number>>;
}

/** A feature that holds when all of its concepts were found, e.g. an invitation addressed to a politician. */
export interface Combination {
  id: string;
  about: string;
  all: string[];
  weights: Partial<Record<Category, number>>;
}

export const COMBINATIONS: Combination[] = (combinations as { combinations: Combination[] }).combinations;

export function concepts(
  files: LexiconFile[] = LEXICON_FILES,
  combined: Combination[] = COMBINATIONS,
): Concept[] {
  const fromCombinations = combined.map((combination) => ({
    id: combination.id,
    priors: combination.weights,
  }));
  return [...lexiconConcepts(files), ...fromCombinations];
}

function lexiconConcepts(files: LexiconFile[]): Concept[] {
  return files.flatMap((file) =>
    file.concepts.map((spec) => ({
      id: spec.id,
      priors: spec.weights ?? (file.category === 'neutral' ? {} : { [file.category]: spec.weight ?? 1 }),
    })),
  );
}

/** Distinct phrases kept per concept: enough to count corroboration, bounded for long mail. */
const MAX_PHRASES_PER_CONCEPT = 8;

type TokenKind = 'exact' | 'prefix' | 'suffix' | 'infix';

interface PhraseElement {
  /** Index into the matcher's single-word patterns. */
  pattern: number;
  negated: boolean;
}

interface Phrase {
  concept: string;
  elements: PhraseElement[];
  /** First element that is not negated: the phrase is looked for where it matches. */
  anchor: number;
}

/** Finds which concepts' terms occur in a list of folded tokens. */
export class LexiconMatcher {
  private readonly patternIds = new Map<string, number>();
  private readonly exact = new Map<string, number[]>();
  private readonly prefix = new Map<string, number[]>();
  private readonly suffix = new Map<string, number[]>();
  private readonly infix: Array<[string, number]> = [];
  private prefixLengths: number[] = [];
  private suffixLengths: number[] = [];
  private readonly phrasesByAnchor = new Map<number, Phrase[]>();

  constructor(files: LexiconFile[] = LEXICON_FILES) {
    const prefixLengths = new Set<number>();
    const suffixLengths = new Set<number>();
    for (const file of files) {
      for (const spec of file.concepts) {
        for (const term of Object.values(spec.terms).flat()) {
          const phrase = this.compilePhrase(spec.id, term, prefixLengths, suffixLengths);
          if (!phrase) continue;
          const anchorPattern = phrase.elements[phrase.anchor]!.pattern;
          const list = this.phrasesByAnchor.get(anchorPattern) ?? [];
          list.push(phrase);
          this.phrasesByAnchor.set(anchorPattern, list);
        }
      }
    }
    this.prefixLengths = [...prefixLengths].sort((a, b) => a - b);
    this.suffixLengths = [...suffixLengths].sort((a, b) => a - b);
  }

  /** Concept id -> the distinct phrases that matched, in order of first appearance. */
  match(words: string[]): Map<string, string[]> {
    const cache = new Map<string, Set<number>>();
    const patternsOf = (word: string): Set<number> => {
      let found = cache.get(word);
      if (!found) {
        found = this.patternsMatching(word);
        cache.set(word, found);
      }
      return found;
    };
    const hits = new Map<string, string[]>();
    for (let position = 0; position < words.length; position++) {
      for (const pattern of patternsOf(words[position]!)) {
        for (const phrase of this.phrasesByAnchor.get(pattern) ?? []) {
          const start = position - phrase.anchor;
          if (!this.phraseMatchesAt(phrase, words, start, patternsOf)) continue;
          const end = Math.min(words.length, start + phrase.elements.length);
          const text = words.slice(Math.max(0, start), end).join(' ');
          const list = hits.get(phrase.concept) ?? [];
          if (!list.includes(text) && list.length < MAX_PHRASES_PER_CONCEPT) list.push(text);
          hits.set(phrase.concept, list);
        }
      }
    }
    return hits;
  }

  private phraseMatchesAt(
    phrase: Phrase,
    words: string[],
    start: number,
    patternsOf: (word: string) => Set<number>,
  ): boolean {
    return phrase.elements.every((element, offset) => {
      const word = words[start + offset];
      if (word === undefined) return element.negated;
      const matches = patternsOf(word).has(element.pattern);
      return element.negated ? !matches : matches;
    });
  }

  private patternsMatching(word: string): Set<number> {
    const found = new Set<number>();
    for (const id of this.exact.get(word) ?? []) found.add(id);
    for (const length of this.prefixLengths) {
      if (length > word.length) break;
      for (const id of this.prefix.get(word.slice(0, length)) ?? []) found.add(id);
    }
    for (const length of this.suffixLengths) {
      if (length > word.length) break;
      for (const id of this.suffix.get(word.slice(word.length - length)) ?? []) found.add(id);
    }
    for (const [part, id] of this.infix) if (word.includes(part)) found.add(id);
    return found;
  }

  private compilePhrase(
    concept: string,
    term: string,
    prefixLengths: Set<number>,
    suffixLengths: Set<number>,
  ): Phrase | undefined {
    const elements: PhraseElement[] = [];
    for (const raw of term.trim().split(/\s+/)) {
      const negated = raw.startsWith('!');
      const body = negated ? raw.slice(1) : raw;
      const leading = body.startsWith('*');
      const trailing = body.endsWith('*') && body.length > 1;
      // Each written word may fold into several tokens ("eu-projekt*" -> eu, projekt*).
      const parts = foldedParts(body.replace(/^\*|\*$/g, ''));
      parts.forEach((part, index) => {
        const first = index === 0;
        const last = index === parts.length - 1;
        const kind: TokenKind =
          first && leading && last && trailing
            ? 'infix'
            : first && leading
              ? 'suffix'
              : last && trailing
                ? 'prefix'
                : 'exact';
        elements.push({ pattern: this.patternId(kind, part, prefixLengths, suffixLengths), negated });
      });
    }
    const anchor = elements.findIndex((element) => !element.negated);
    if (anchor < 0) return undefined;
    return { concept, elements, anchor };
  }

  private patternId(kind: TokenKind, text: string, prefixLengths: Set<number>, suffixLengths: Set<number>) {
    const key = `${kind}:${text}`;
    const known = this.patternIds.get(key);
    if (known !== undefined) return known;
    const id = this.patternIds.size;
    this.patternIds.set(key, id);
    if (kind === 'exact') push(this.exact, text, id);
    else if (kind === 'prefix') {
      push(this.prefix, text, id);
      prefixLengths.add(text.length);
    } else if (kind === 'suffix') {
      push(this.suffix, text, id);
      suffixLengths.add(text.length);
    } else this.infix.push([text, id]);
    return id;
  }
}

/** Most terms are plain lower-case ASCII, already folded and one token: folding them is most of a compile. */
const FOLDED_WORD = /^[a-z0-9]+$/;

function foldedParts(word: string): string[] {
  return FOLDED_WORD.test(word) ? [word] : tokenize(fold(word));
}

function push(map: Map<string, number[]>, key: string, id: number) {
  const list = map.get(key) ?? [];
  list.push(id);
  map.set(key, list);
}
