// core (pure) --> classify: the lexicon matcher, loaded from the compiled tables (lexicons.compiled.json).
// The tables are compiled from the reviewer-editable lexicons (lexicon.ts, compileLexicon) when the
// lexicons change (`npm run lexicons`), not when a Lambda starts: loading them builds nothing but a small map
// of the few infix patterns; the look-up tables (hash tables of the words, where each entry ends) come
// compiled too (`index`), with no folding and no term syntax to read.
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
  /** At least one of these fires too; the strongest counts. */
  any?: string[];
  /** None of these may fire: the combination reads a boundary only where the other side's own purpose is absent. */
  none?: string[];
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
  /**
   * The look-up tables over `patterns` and `anchored`, computed when the tables are compiled (indexPatterns)
   * so that a Lambda does not split 16,000 words and fill maps with them at every start: 32-bit integers,
   * little-endian, in base 64 (see PatternIndex for their order).
   */
  index: string;
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
  /** The patterns' folded texts, in id order, separated by spaces (CompiledLexicon.patterns). */
  private readonly patterns: string;
  private readonly index: PatternIndex;
  /** Word parts by their first character: a word is scanned only for the parts that can start in it. */
  private readonly infix = new Map<string, Array<[string, number]>>();
  /**
   * Each pattern's phrases as compiled (`anchored`), read the first time the pattern matches a word: the
   * text as loaded, and where each pattern's entry ends in it (`index.anchoredEnds`).
   */
  private readonly anchored: string;
  /**
   * Per pattern, once read: plain-word phrases in a trie of their words' patterns (each position walks
   * it as far as the following words allow, instead of checking every phrase that starts with the same
   * word: Chinese and Japanese terms are runs of single characters, many sharing the first one), and
   * the phrases with a negated word, looked for where their first plain word matches.
   */
  private readonly read: Array<Anchored | undefined> = [];
  private readonly conceptIds: string[];
  private readonly kinds: string;
  private readonly patternsOfWord = new Map<string, ReadonlySet<number>>();
  /** Scratch space for patternsMatching: the hashes of the word's prefixes of each prefix length. */
  private readonly prefixHashes: number[] = [];

  constructor(compiled: CompiledLexicon) {
    this.patterns = compiled.patterns;
    this.kinds = compiled.kinds;
    this.index = decodeIndex(compiled.index, compiled.kinds.length);
    // Infix patterns are a few dozen: their map is built here, in id order.
    for (let id = this.kinds.indexOf('i'); id >= 0; id = this.kinds.indexOf('i', id + 1)) {
      const text = this.patternText(id);
      const list = this.infix.get(text[0]!) ?? [];
      list.push([text, id]);
      this.infix.set(text[0]!, list);
    }
    this.anchored = compiled.anchored;
    this.conceptIds = compiled.concepts.map((concept) => concept.id);
  }

  /** Pattern `id`'s folded text (as `patterns.split(' ')[id]` would give it). */
  private patternText(id: number): string {
    const start = id === 0 ? 0 : this.index.patternEnds[id - 1]! + 1;
    return this.patterns.slice(start, this.index.patternEnds[id]);
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
          phrase.text = joinTokens(phrase.elements.map((element) => this.patternText(element.pattern)));
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
    const ends = this.index.anchoredEnds;
    if (pattern >= ends.length) return '';
    const start = pattern === 0 ? 0 : ends[pattern - 1]! + 1;
    return this.anchored.slice(start, ends[pattern]);
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

  /**
   * The ids of the patterns `word` matches, in the order the matcher tries them: exact, then prefixes from
   * the shortest, then suffixes from the shortest (each in id order), then infixes by where they can start.
   */
  patternsMatching(word: string): Set<number> {
    const found = new Set<number>();
    const { exact, prefix, suffix, prefixLengths, suffixLengths } = this.index;
    // The forward hash of each prefix of the word, as it grows: a prefix pattern of length n is looked up
    // with the hash of the word's first n characters, the exact patterns with the whole word's.
    let hash = HASH_SEED;
    let next = 0;
    for (let length = 1; length <= word.length; length++) {
      hash = hashStep(hash, word.charCodeAt(length - 1));
      if (next < prefixLengths.length && prefixLengths[next] === length) {
        next++;
        // Collected below, after the exact patterns: only the hashes are kept here.
        this.prefixHashes[next - 1] = hash;
      }
    }
    this.addMatches(found, exact, hash, word, 0, word.length);
    for (let at = 0; at < next; at++) {
      this.addMatches(found, prefix, this.prefixHashes[at]!, word, 0, prefixLengths[at]!);
    }
    // Suffixes are hashed from the word's last character back.
    hash = HASH_SEED;
    next = 0;
    for (let length = 1; length <= word.length && next < suffixLengths.length; length++) {
      hash = hashStep(hash, word.charCodeAt(word.length - length));
      if (suffixLengths[next] === length) {
        next++;
        this.addMatches(found, suffix, hash, word, word.length - length, length);
      }
    }
    for (let index = 0; index < word.length; index++) {
      const char = word[index]!;
      if (word.indexOf(char) !== index) continue;
      for (const [part, id] of this.infix.get(char) ?? []) if (word.includes(part, index)) found.add(id);
    }
    return found;
  }

  /**
   * Adds to `found` every pattern in `table` whose text is `word`'s `length` characters from `start`, in
   * id order (the order they were entered in: linear probing keeps equal texts in that order).
   */
  private addMatches(
    found: Set<number>,
    table: Int32Array,
    hash: number,
    word: string,
    start: number,
    length: number,
  ): void {
    const mask = table.length - 1;
    if (mask < 0) return;
    for (let slot = slotOf(hash, mask); ; slot = (slot + 1) & mask) {
      const entry = table[slot]!;
      if (entry === 0) return;
      const id = entry - 1;
      if (this.textIs(id, word, start, length)) found.add(id);
    }
  }

  /** Whether pattern `id`'s text is `word`'s `length` characters from `start`. */
  private textIs(id: number, word: string, start: number, length: number): boolean {
    const ends = this.index.patternEnds;
    const from = id === 0 ? 0 : ends[id - 1]! + 1;
    if (ends[id]! - from !== length) return false;
    const patterns = this.patterns;
    for (let offset = 0; offset < length; offset++) {
      if (patterns.charCodeAt(from + offset) !== word.charCodeAt(start + offset)) return false;
    }
    return true;
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

/**
 * The look-up tables of a CompiledLexicon (`index`), as the matcher reads them. Each hash table holds
 * pattern ids + 1 (0: an empty slot), open addressing with linear probing, a power of two long (at most half
 * full); a pattern is entered under the hash of its text (hashText), a suffix pattern under the hash of its
 * text read backwards, in id order.
 */
export interface PatternIndex {
  /** Where each pattern's text ends in `patterns` (as `patterns.split(' ')` would cut it). */
  patternEnds: Int32Array;
  /** Where each pattern's entry ends in `anchored` (as `anchored.split(';')` would cut it). */
  anchoredEnds: Int32Array;
  exact: Int32Array;
  prefix: Int32Array;
  suffix: Int32Array;
  /** The lengths of the prefix patterns' texts, each once, shortest first; and of the suffix patterns'. */
  prefixLengths: Int32Array;
  suffixLengths: Int32Array;
}

/**
 * Bumped when the layout of `index` changes (the compiler's version changes with it, see lexicon.ts): the
 * format, then per part (PatternIndex's, in its order) its count and the bytes of each of its numbers, all
 * 32-bit little-endian; then the parts, little-endian, each starting at a multiple of four bytes. The
 * texts' and entries' ends are written as lengths (a byte, two): the file is read at every start.
 */
const INDEX_FORMAT = 1;
const INDEX_PARTS = 7;
const INDEX_HEADER_BYTES = 4 * (1 + 2 * INDEX_PARTS);

const HASH_SEED = 0x811c9dc5 | 0;

/** FNV-1a over UTF-16 code units: one step. */
function hashStep(hash: number, code: number): number {
  return Math.imul(hash ^ code, 0x01000193);
}

/** A hash's slot in a table of `mask` + 1 entries (the low bits, mixed with the high ones first). */
function slotOf(hash: number, mask: number): number {
  let mixed = hash ^ (hash >>> 16);
  mixed = Math.imul(mixed, 0x85ebca6b);
  return (mixed ^ (mixed >>> 13)) & mask;
}

/** The hash of `text`, forwards, or backwards from its last character (suffix patterns). */
export function hashText(text: string, backwards = false): number {
  let hash = HASH_SEED;
  for (let at = 0; at < text.length; at++) {
    hash = hashStep(hash, text.charCodeAt(backwards ? text.length - 1 - at : at));
  }
  return hash;
}

/**
 * The `index` of compiled tables: computed by `npm run lexicons` (compileLexicon), so that loading the
 * tables builds no map of 16,000 words. Deterministic: same patterns, same text.
 */
export function indexPatterns(kinds: string, patterns: string, anchored: string): string {
  const texts = kinds.length > 0 ? patterns.split(' ') : [];
  if (texts.length !== kinds.length) {
    throw new Error(`${texts.length} pattern texts for ${kinds.length} pattern kinds`);
  }
  const ofKind = (letter: string) => texts.flatMap((_text, id) => (kinds[id] === letter ? [id] : []));
  const lengths = (letter: string) =>
    [...new Set(ofKind(letter).map((id) => texts[id]!.length))].sort((a, b) => a - b);
  const parts: ArrayLike<number>[] = [
    texts.map((text) => text.length),
    anchored.split(';').map((entry) => entry.length),
    hashTable(ofKind('e'), texts, false),
    hashTable(ofKind('p'), texts, false),
    hashTable(ofKind('s'), texts, true),
    lengths('p'),
    lengths('s'),
  ];
  const widths = parts.map((part) => {
    const largest = Math.max(0, ...Array.from(part));
    return largest < 0x100 ? 1 : largest < 0x10000 ? 2 : 4;
  });
  const padded = (bytes: number) => Math.ceil(bytes / 4) * 4;
  const size = parts.reduce((sum, part, at) => sum + padded(part.length * widths[at]!), INDEX_HEADER_BYTES);
  const bytes = Buffer.alloc(size);
  bytes.writeInt32LE(INDEX_FORMAT, 0);
  let offset = INDEX_HEADER_BYTES;
  parts.forEach((part, at) => {
    const width = widths[at]!;
    bytes.writeInt32LE(part.length, 4 + 8 * at);
    bytes.writeInt32LE(width, 8 + 8 * at);
    for (let item = 0; item < part.length; item++)
      bytes.writeUIntLE(part[item]!, offset + item * width, width);
    offset += padded(part.length * width);
  });
  return bytes.toString('base64');
}

function hashTable(ids: number[], texts: string[], backwards: boolean): Int32Array {
  if (ids.length === 0) return new Int32Array(0);
  let size = 1;
  while (size < ids.length * 2) size *= 2;
  const table = new Int32Array(size);
  const mask = size - 1;
  for (const id of ids) {
    let slot = slotOf(hashText(texts[id]!, backwards), mask);
    while (table[slot] !== 0) slot = (slot + 1) & mask;
    table[slot] = id + 1;
  }
  return table;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Reads `index` (indexPatterns) for tables of `patternCount` patterns. */
function decodeIndex(index: string, patternCount: number): PatternIndex {
  const stale = () =>
    new Error(
      'the compiled lexicon tables have no index of this format for their patterns: run `npm run lexicons`',
    );
  const bytes = Buffer.from(typeof index === 'string' ? index : '', 'base64');
  if (bytes.length < INDEX_HEADER_BYTES || bytes.readInt32LE(0) !== INDEX_FORMAT) throw stale();
  // One copy into an aligned buffer of our own: every part is then a view of it, read as it was written.
  const own = new Uint8Array(bytes.length);
  own.set(bytes);
  const parts: Int32Array[] = [];
  let offset = INDEX_HEADER_BYTES;
  for (let at = 0; at < INDEX_PARTS; at++) {
    const count = bytes.readInt32LE(4 + 8 * at);
    const width = bytes.readInt32LE(8 + 8 * at);
    if (offset + count * width > own.length || ![1, 2, 4].includes(width)) throw stale();
    if (width === 1) parts.push(new Int32Array(own.subarray(offset, offset + count)));
    else if (!LITTLE_ENDIAN) {
      parts.push(
        Int32Array.from({ length: count }, (_, item) => bytes.readUIntLE(offset + item * width, width)),
      );
    } else if (width === 2) parts.push(new Int32Array(new Uint16Array(own.buffer, offset, count)));
    else parts.push(new Int32Array(own.buffer, offset, count));
    offset += Math.ceil((count * width) / 4) * 4;
  }
  const [textLengths, entryLengths, exact, prefix, suffix, prefixLengths, suffixLengths] = parts as [
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
  ];
  if (offset !== own.length || textLengths.length !== patternCount) throw stale();
  return {
    patternEnds: endsOf(textLengths),
    anchoredEnds: endsOf(entryLengths),
    exact,
    prefix,
    suffix,
    prefixLengths,
    suffixLengths,
  };
}

/** Where each of entries of these lengths ends, one separator after another (in place). */
function endsOf(lengths: Int32Array): Int32Array {
  let end = -1;
  for (let at = 0; at < lengths.length; at++) {
    end += lengths[at]! + 1;
    lengths[at] = end;
  }
  return lengths;
}
