// core (pure) --> classify: the lexicon matcher, loaded from the compiled tables (lexicons.compiled.json).
// The tables are compiled from the reviewer-editable lexicons (lexicon.ts, compileLexicon) when the
// lexicons change (`npm run lexicons`), not when a Lambda starts: loading them only splits a few strings
// and fills the look-up maps, with no folding and no term syntax to read.
import type { Category } from '../types.js';
import { NEGATION_REACH, NEGATORS } from './negation.js';
import { joinTokens } from './normalize.js';

export interface Concept {
  id: string;
  priors: Partial<Record<Category, number>>;
}

/** A feature that holds when all of its concepts were found, e.g. an invitation addressed to a politician. */
export interface Combination {
  id: string;
  all: string[];
  weights: Partial<Record<Category, number>>;
}

/**
 * The lexicons as the matcher uses them. Pattern ids, the phrase order and everything else that decides
 * which phrase is found first are those of compiling the lexicons at run time, so both classify alike
 * (test/unit/classify-compiled.test.ts).
 */
export interface CompiledLexicon {
  /** What the tables were compiled from: lexicon.ts's lexiconFingerprint of the sources and the compiler. */
  fingerprint: string;
  /** Every lexicon concept in file order, then one per combination: the concepts the model knows. */
  concepts: Concept[];
  combinations: Combination[];
  /** One letter per pattern id: `e`xact word, `p`refix (`stem*`), `s`uffix (`*end`), `i`nfix (`*part*`). */
  kinds: string;
  /** Each pattern's folded text, in id order, separated by spaces (a folded token never holds one). */
  patterns: string;
  /**
   * For each pattern, in id order and separated by `;`, the phrases looked for where it matches (their
   * first word that is not negated), in compile order and separated by `|`. A phrase is its concept's
   * index in `concepts` in base 36, followed, unless the phrase is that one word alone, by `:` and its
   * words: pattern ids in base 36, `!` before a negated one, separated by spaces.
   */
  anchored: string;
}

/** Distinct phrases kept per concept: enough to count corroboration, bounded for long mail. */
const MAX_PHRASES_PER_CONCEPT = 8;
/**
 * Words whose patterns a matcher remembers across messages (a warm Lambda reads the same words again
 * and again); past this many it starts over, which bounds the memory to a few megabytes.
 */
const MAX_REMEMBERED_WORDS = 50_000;
/** Shared by every word that matches no pattern, most words: never changed. */
const NO_PATTERNS: ReadonlySet<number> = new Set();

export type PatternKind = 'exact' | 'prefix' | 'suffix' | 'infix';

export const KIND_LETTERS: Record<PatternKind, string> = { exact: 'e', prefix: 'p', suffix: 's', infix: 'i' };

export interface PhraseElement {
  /** Index into the matcher's single-word patterns. */
  pattern: number;
  negated: boolean;
}

export interface Phrase {
  concept: string;
  elements: PhraseElement[];
  /** First element that is not negated: the phrase is looked for where it matches. */
  anchor: number;
  /** The words it matches, when they are always the same (whole words, none negated). */
  text?: string;
}

interface TrieNode {
  next: Map<number, TrieNode>;
  /** Phrases whose last word ends here. */
  ends: Phrase[];
}

/** Whether a negating word stands within NEGATION_REACH words before `start`. */
function negatedAt(words: readonly string[], start: number): boolean {
  for (let back = 1; back <= NEGATION_REACH && start - back >= 0; back++) {
    if (NEGATORS.has(words[start - back]!)) return true;
  }
  return false;
}

function newTrieNode(): TrieNode {
  return { next: new Map(), ends: [] };
}

/** What one pattern's entry of `anchored` holds, once read. */
interface Anchored {
  /** The plain-word phrases that start with this pattern, as the trie below the root. */
  trie: TrieNode;
  /** The phrases with a negated word whose first plain word is this pattern. */
  negated: Phrase[];
}

/** Finds which concepts' terms occur in a list of folded tokens. */
export class LexiconMatcher {
  // A pattern id, or the ids when several patterns have the same text (rare): one array fewer per pattern
  // to allocate when a Lambda starts (13,000 patterns).
  private readonly exact = new Map<string, PatternIds>();
  private readonly prefix = new Map<string, PatternIds>();
  private readonly suffix = new Map<string, PatternIds>();
  /** Word parts by their first character: a word is scanned only for the parts that can start in it. */
  private readonly infix = new Map<string, Array<[string, number]>>();
  private readonly prefixLengths: number[];
  private readonly suffixLengths: number[];
  /**
   * Each pattern's phrases as compiled (`anchored`), read the first time the pattern matches a word: the
   * text as loaded, and where each pattern's entry ends in it (not split into 13,000 strings at start).
   */
  private readonly anchored: string;
  private readonly anchoredEnds: Int32Array;
  /**
   * Per pattern, once read: plain-word phrases in a trie of their words' patterns (each position walks
   * it as far as the following words allow, instead of checking every phrase that starts with the same
   * word: Chinese and Japanese terms are runs of single characters, many sharing the first one), and
   * the phrases with a negated word, looked for where their first plain word matches.
   */
  private readonly read: Array<Anchored | undefined> = [];
  private readonly conceptIds: string[];
  private readonly texts: string[];
  private readonly kinds: string;
  private readonly patternsOfWord = new Map<string, ReadonlySet<number>>();

  constructor(compiled: CompiledLexicon) {
    const prefixLengths = new Set<number>();
    const suffixLengths = new Set<number>();
    const texts = compiled.patterns.length > 0 ? compiled.patterns.split(' ') : [];
    texts.forEach((text, id) => {
      const kind = compiled.kinds[id];
      if (kind === 'e') push(this.exact, text, id);
      else if (kind === 'p') {
        push(this.prefix, text, id);
        prefixLengths.add(text.length);
      } else if (kind === 's') {
        push(this.suffix, text, id);
        suffixLengths.add(text.length);
      } else {
        const list = this.infix.get(text[0]!) ?? [];
        list.push([text, id]);
        this.infix.set(text[0]!, list);
      }
    });
    this.prefixLengths = [...prefixLengths].sort((a, b) => a - b);
    this.suffixLengths = [...suffixLengths].sort((a, b) => a - b);
    this.anchored = compiled.anchored;
    this.anchoredEnds = entryEnds(compiled.anchored, ';');
    this.conceptIds = compiled.concepts.map((concept) => concept.id);
    this.texts = texts;
    this.kinds = compiled.kinds;
  }

  /** Concept id -> the distinct phrases that matched, in order of first appearance. */
  match(words: readonly string[]): Map<string, string[]> {
    const patternsOf = (word: string) => this.patternsOf(word);
    const hits = new Map<string, string[]>();
    const record = (phrase: Phrase, start: number) => {
      if (negatedAt(words, start)) return;
      const list = hits.get(phrase.concept) ?? [];
      hits.set(phrase.concept, list);
      if (list.length >= MAX_PHRASES_PER_CONCEPT) return;
      const end = Math.min(words.length, start + phrase.elements.length);
      const text = phrase.text ?? joinTokens(words.slice(Math.max(0, start), end));
      if (!list.includes(text)) list.push(text);
    };
    for (let position = 0; position < words.length; position++) {
      const patterns = patternsOf(words[position]!);
      if (patterns.size === 0) continue;
      // Plain-word phrases from here first, then those with a negated word, as when compiled at run time.
      for (const pattern of patterns) {
        const { trie } = this.anchoredAt(pattern);
        for (const phrase of trie.ends) record(phrase, position);
        if (trie.next.size > 0) this.walkTrie(trie, words, position, 1, patternsOf, record);
      }
      for (const pattern of patterns) {
        for (const phrase of this.anchoredAt(pattern).negated) {
          const start = position - phrase.anchor;
          if (this.phraseMatchesAt(phrase, words, start, patternsOf)) record(phrase, start);
        }
      }
    }
    return hits;
  }

  /** Every plain-word phrase that starts at `start`, found by following the words through the trie. */
  private walkTrie(
    node: TrieNode,
    words: readonly string[],
    start: number,
    offset: number,
    patternsOf: (word: string) => ReadonlySet<number>,
    record: (phrase: Phrase, start: number) => void,
  ) {
    const word = words[start + offset];
    if (word === undefined) return;
    for (const pattern of patternsOf(word)) {
      const child = node.next.get(pattern);
      if (!child) continue;
      for (const phrase of child.ends) record(phrase, start);
      if (child.next.size > 0) this.walkTrie(child, words, start, offset + 1, patternsOf, record);
    }
  }

  private anchoredAt(pattern: number): Anchored {
    let anchored = this.read[pattern];
    if (!anchored) {
      anchored = { trie: newTrieNode(), negated: [] };
      for (const phrase of decodePhrases(this.anchoredEntry(pattern), pattern, this.conceptIds)) {
        if (phrase.elements.some((element) => element.negated)) {
          anchored.negated.push(phrase);
          continue;
        }
        // Whole words only: the phrase always reads the same.
        if (phrase.elements.every((element) => this.kinds[element.pattern] === 'e')) {
          phrase.text = joinTokens(phrase.elements.map((element) => this.texts[element.pattern]!));
        }
        let node = anchored.trie;
        for (const element of phrase.elements.slice(1)) {
          let child = node.next.get(element.pattern);
          if (!child) {
            child = newTrieNode();
            node.next.set(element.pattern, child);
          }
          node = child;
        }
        node.ends.push(phrase);
      }
      this.read[pattern] = anchored;
    }
    return anchored;
  }

  /** Pattern `pattern`'s entry of `anchored` (as `anchored.split(';')[pattern] ?? ''` would give it). */
  private anchoredEntry(pattern: number): string {
    if (pattern >= this.anchoredEnds.length) return '';
    const start = pattern === 0 ? 0 : this.anchoredEnds[pattern - 1]! + 1;
    return this.anchored.slice(start, this.anchoredEnds[pattern]);
  }

  private phraseMatchesAt(
    phrase: Phrase,
    words: readonly string[],
    start: number,
    patternsOf: (word: string) => ReadonlySet<number>,
  ): boolean {
    return phrase.elements.every((element, offset) => {
      const word = words[start + offset];
      if (word === undefined) return element.negated;
      const matches = patternsOf(word).has(element.pattern);
      return element.negated ? !matches : matches;
    });
  }

  private patternsOf(word: string): ReadonlySet<number> {
    let found = this.patternsOfWord.get(word);
    if (!found) {
      const matching = this.patternsMatching(word);
      found = matching.size > 0 ? matching : NO_PATTERNS;
      if (this.patternsOfWord.size >= MAX_REMEMBERED_WORDS) this.patternsOfWord.clear();
      this.patternsOfWord.set(word, found);
    }
    return found;
  }

  private patternsMatching(word: string): Set<number> {
    const found = new Set<number>();
    addIds(found, this.exact.get(word));
    for (const length of this.prefixLengths) {
      if (length > word.length) break;
      addIds(found, this.prefix.get(word.slice(0, length)));
    }
    for (const length of this.suffixLengths) {
      if (length > word.length) break;
      addIds(found, this.suffix.get(word.slice(word.length - length)));
    }
    for (let index = 0; index < word.length; index++) {
      const char = word[index]!;
      if (word.indexOf(char) !== index) continue;
      for (const [part, id] of this.infix.get(char) ?? []) if (word.includes(part, index)) found.add(id);
    }
    return found;
  }
}

/** One pattern's entry of `anchored`, read (see CompiledLexicon). */
function decodePhrases(encoded: string, pattern: number, conceptIds: string[]): Phrase[] {
  if (encoded.length === 0) return [];
  return encoded.split('|').map((phrase) => {
    const colon = phrase.indexOf(':');
    if (colon < 0) {
      return {
        concept: conceptIds[Number.parseInt(phrase, 36)]!,
        elements: [{ pattern, negated: false }],
        anchor: 0,
      };
    }
    const elements = phrase
      .slice(colon + 1)
      .split(' ')
      .map((word) => {
        const negated = word.startsWith('!');
        return { pattern: Number.parseInt(negated ? word.slice(1) : word, 36), negated };
      });
    const concept = conceptIds[Number.parseInt(phrase.slice(0, colon), 36)]!;
    return { concept, elements, anchor: elements.findIndex((element) => !element.negated) };
  });
}

/** The `anchored` entry of compiled phrases, grouped by the pattern each is looked for at. */
export function encodePhrases(
  patternCount: number,
  phrases: ReadonlyArray<{ conceptIndex: number; elements: PhraseElement[] }>,
): string {
  const byAnchor: string[][] = Array.from({ length: patternCount }, () => []);
  for (const { conceptIndex, elements } of phrases) {
    const anchor = elements.find((element) => !element.negated);
    if (!anchor) continue;
    const concept = conceptIndex.toString(36);
    const alone = elements.length === 1;
    const words = elements.map(({ pattern, negated }) => `${negated ? '!' : ''}${pattern.toString(36)}`);
    byAnchor[anchor.pattern]!.push(alone ? concept : `${concept}:${words.join(' ')}`);
  }
  return byAnchor.map((entries) => entries.join('|')).join(';');
}

type PatternIds = number | number[];

function push(map: Map<string, PatternIds>, key: string, id: number) {
  const found = map.get(key);
  if (found === undefined) map.set(key, id);
  else if (typeof found === 'number') map.set(key, [found, id]);
  else found.push(id);
}

function addIds(found: Set<number>, ids: PatternIds | undefined) {
  if (ids === undefined) return;
  if (typeof ids === 'number') found.add(ids);
  else for (const id of ids) found.add(id);
}

/** Where each `separator`-separated entry of `text` ends, as `text.split(separator)` would cut it. */
function entryEnds(text: string, separator: string): Int32Array {
  let count = 1;
  for (let at = text.indexOf(separator); at >= 0; at = text.indexOf(separator, at + 1)) count++;
  const ends = new Int32Array(count);
  let entry = 0;
  for (let at = text.indexOf(separator); at >= 0; at = text.indexOf(separator, at + 1)) ends[entry++] = at;
  ends[entry] = text.length;
  return ends;
}
