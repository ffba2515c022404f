// core (pure) --> classify: the reviewer-editable lexicons (lexicons/*.json) compiled into one matcher.
//
// Term syntax, written in natural spelling (case and diacritics are folded on load):
//   word      the whole word                      "inbjudan"
//   stem*     a word starting with stem          "inbjud*"  -> inbjuder, inbjudna
//   *end      a word ending with end (compounds)  "*besök"   -> statsbesök
//   *part*    a word containing part              "*ansökan*" -> eu-projektansökan
//   !word     any word but this one (in phrases)  "mayor of !stockholm"
//   a b*      consecutive words                   "courtesy call*"
// Chinese and Japanese terms are written as they are ("表敬訪問", "邀请"): each Han or kana character
// is a token (normalize.ts), so such a term matches as the run of its characters anywhere in a
// sentence, with no wildcard. "!城 市长" is 市长 (mayor) not preceded by 城 (城市长期: city, long-term).

import type { Category } from '../types.js';
import combinations from './lexicons/combinations.json' with { type: 'json' };
import eu from './lexicons/eu_matter.json' with { type: 'json' };
import invitation from './lexicons/invitation.json' with { type: 'json' };
import neutral from './lexicons/neutral.json' with { type: 'json' };
import other from './lexicons/other.json' with { type: 'json' };
import protocol from './lexicons/protocol_visit.json' with { type: 'json' };
import { fold, joinTokens, tokenize } from './normalize.js';

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
  /** The words it matches, when they are always the same (whole words, none negated). */
  text?: string;
}

interface TrieNode {
  next: Map<number, TrieNode>;
  /** Phrases whose last word ends here. */
  ends: Phrase[];
}

function newTrieNode(): TrieNode {
  return { next: new Map(), ends: [] };
}

/** Finds which concepts' terms occur in a list of folded tokens. */
export class LexiconMatcher {
  private readonly patternIds = new Map<string, number>();
  private readonly exact = new Map<string, number[]>();
  private readonly prefix = new Map<string, number[]>();
  private readonly suffix = new Map<string, number[]>();
  /** Word parts by their first character: a word is scanned only for the parts that can start in it. */
  private readonly infix = new Map<string, Array<[string, number]>>();
  private prefixLengths: number[] = [];
  private suffixLengths: number[] = [];
  /** Phrases with a negated word, looked for where their first plain word matches. */
  private readonly phrasesByAnchor = new Map<number, Phrase[]>();
  /**
   * Phrases of plain words in a trie of their words' patterns: each position walks it as far as
   * the following words allow, instead of checking every phrase that starts with the same word
   * (Chinese and Japanese terms are runs of single characters, many sharing the first one).
   */
  private readonly trie: TrieNode = newTrieNode();

  constructor(files: LexiconFile[] = LEXICON_FILES) {
    const prefixLengths = new Set<number>();
    const suffixLengths = new Set<number>();
    for (const file of files) {
      for (const spec of file.concepts) {
        for (const term of Object.values(spec.terms).flat()) {
          const phrase = this.compilePhrase(spec.id, term, prefixLengths, suffixLengths);
          if (!phrase) continue;
          if (phrase.elements.every((element) => !element.negated)) {
            this.addToTrie(phrase);
            continue;
          }
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
    const record = (phrase: Phrase, start: number) => {
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
      this.walkTrie(this.trie, words, position, 0, patternsOf, record);
      for (const pattern of patterns) {
        for (const phrase of this.phrasesByAnchor.get(pattern) ?? []) {
          const start = position - phrase.anchor;
          if (this.phraseMatchesAt(phrase, words, start, patternsOf)) record(phrase, start);
        }
      }
    }
    return hits;
  }

  private addToTrie(phrase: Phrase) {
    let node = this.trie;
    for (const { pattern } of phrase.elements) {
      let child = node.next.get(pattern);
      if (!child) {
        child = newTrieNode();
        node.next.set(pattern, child);
      }
      node = child;
    }
    node.ends.push(phrase);
  }

  /** Every plain-word phrase that starts at `start`, found by following the words through the trie. */
  private walkTrie(
    node: TrieNode,
    words: string[],
    start: number,
    offset: number,
    patternsOf: (word: string) => Set<number>,
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
    for (let index = 0; index < word.length; index++) {
      const char = word[index]!;
      if (word.indexOf(char) !== index) continue;
      for (const [part, id] of this.infix.get(char) ?? []) if (word.includes(part, index)) found.add(id);
    }
    return found;
  }

  private compilePhrase(
    concept: string,
    term: string,
    prefixLengths: Set<number>,
    suffixLengths: Set<number>,
  ): Phrase | undefined {
    const elements: PhraseElement[] = [];
    /** The words of a phrase made of whole words only, which then always reads the same. */
    const wholeWords: string[] = [];
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
        if (kind === 'exact' && !negated) wholeWords.push(part);
      });
    }
    const anchor = elements.findIndex((element) => !element.negated);
    if (anchor < 0) return undefined;
    const fixed = wholeWords.length === elements.length;
    return { concept, elements, anchor, ...(fixed ? { text: joinTokens(wholeWords) } : {}) };
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
    } else {
      const list = this.infix.get(text[0]!) ?? [];
      list.push([text, id]);
      this.infix.set(text[0]!, list);
    }
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
