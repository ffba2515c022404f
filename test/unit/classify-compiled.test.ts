// The lexicon tables compiled by `npm run lexicons` (lexicons.compiled.json), which the classifier and so
// every Lambda loads, must be the lexicons as they are now, and must classify every message exactly as
// tables compiled from the lexicons at run time do: same features, same evidence, same order, same result.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  COMPILED_LEXICON,
  extractFeatures,
  type FeatureSet,
} from '../../functions/core/classify/features.js';
import { classifyFeatures } from '../../functions/core/classify/index.js';
import {
  assertCompiledFrom,
  COMBINATIONS,
  compileLexicon,
  compileMatcher,
  LEXICON_FILES,
  lexiconFingerprint,
} from '../../functions/core/classify/lexicon.js';
import { LexiconMatcher } from '../../functions/core/classify/lexicon-matcher.js';
import { tokens } from '../../functions/core/classify/normalize.js';
import { parseMail } from '../../functions/core/parse.js';
import { CORPUS_ABSENT_NOTE, FIXTURE_SETS, messageFiles, PUBLIC_FIXTURES } from '../helpers/corpus.js';

const runtimeMatcher = compileMatcher();
const loadedMatcher = new LexiconMatcher(COMPILED_LEXICON);

/** A feature set with its maps as entry lists, so that a difference in order shows too. */
function ordered(features: FeatureSet) {
  return { values: [...features.values], evidence: [...features.evidence], words: [...features.words] };
}

describe('the compiled lexicon tables', () => {
  it('are the lexicons as they are now (after editing a lexicon: npm run lexicons)', () => {
    // Act
    const fresh = compileLexicon();

    // Assess
    expect(() => assertCompiledFrom(COMPILED_LEXICON)).not.toThrow();
    expect(COMPILED_LEXICON).toEqual(fresh);
  });

  it('are refused, naming the fix, once a lexicon changed after they were compiled', () => {
    // Prepare: one more term in the first concept of the first lexicon.
    const [first, ...rest] = LEXICON_FILES;
    const [concept, ...others] = first!.concepts;
    const edited = [
      {
        ...first!,
        concepts: [{ ...concept!, terms: { ...concept!.terms, en: ['brand new term'] } }, ...others],
      },
      ...rest,
    ];

    // Act + Assess
    expect(lexiconFingerprint(edited)).not.toBe(COMPILED_LEXICON.fingerprint);
    expect(() => assertCompiledFrom(COMPILED_LEXICON, edited)).toThrow(
      /compiled lexicon tables are stale .*npm run lexicons/,
    );
    expect(() => assertCompiledFrom(COMPILED_LEXICON, LEXICON_FILES, COMBINATIONS.slice(1))).toThrow(/stale/);
  });

  it('find in every concept example what tables compiled at run time find', () => {
    // Prepare
    const examples = LEXICON_FILES.flatMap((file) => file.concepts.flatMap((spec) => spec.examples));
    expect(examples.length).toBeGreaterThan(100);

    for (const example of examples) {
      // Act
      const words = tokens(example);

      // Assess
      expect([...loadedMatcher.match(words)], example).toEqual([...runtimeMatcher.match(words)]);
    }
  });
});

/**
 * The patterns a word matches as maps of the pattern texts find them (what the matcher built at every start
 * before its look-up tables were compiled): exact, prefixes by length, suffixes by length, each in id order,
 * then infixes by where they can start.
 */
function patternsByMaps(compiled: typeof COMPILED_LEXICON): (word: string) => number[] {
  const texts = compiled.patterns.split(' ');
  const maps = new Map<string, Map<string, number[]>>();
  texts.forEach((text, id) => {
    const kind = compiled.kinds[id]!;
    const map = maps.get(kind) ?? new Map<string, number[]>();
    maps.set(kind, map);
    map.set(text, [...(map.get(text) ?? []), id]);
  });
  const ids = (kind: string, text: string) => maps.get(kind)?.get(text) ?? [];
  const lengths = (kind: string) => [...(maps.get(kind)?.keys() ?? [])].map((text) => text.length);
  const prefixLengths = [...new Set(lengths('p'))].sort((a, b) => a - b);
  const suffixLengths = [...new Set(lengths('s'))].sort((a, b) => a - b);
  const infixes = texts.flatMap((text, id) => (compiled.kinds[id] === 'i' ? [{ text, id }] : []));
  return (word) => {
    const found = new Set<number>(ids('e', word));
    for (const length of prefixLengths) {
      if (length > word.length) break;
      for (const id of ids('p', word.slice(0, length))) found.add(id);
    }
    for (const length of suffixLengths) {
      if (length > word.length) break;
      for (const id of ids('s', word.slice(word.length - length))) found.add(id);
    }
    for (let index = 0; index < word.length; index++) {
      const char = word[index]!;
      if (word.indexOf(char) !== index) continue;
      for (const { text, id } of infixes) if (text[0] === char && word.includes(text, index)) found.add(id);
    }
    return [...found];
  };
}

describe('the compiled look-up tables (index)', () => {
  it('find for a word the patterns, in the order, that maps of the pattern texts find', () => {
    // Prepare: every pattern's text, the same with a letter before and after it, the examples' words, and
    // words that match nothing.
    const texts = COMPILED_LEXICON.patterns.split(' ');
    const exampleWords = LEXICON_FILES.flatMap((file) =>
      file.concepts.flatMap((spec) => spec.examples.flatMap((example) => tokens(example))),
    );
    const words = new Set([
      ...texts,
      ...texts.map((text) => `x${text}`),
      ...texts.map((text) => `${text}s`),
      ...exampleWords,
      '',
      'q',
      'zzzzqqqq',
    ]);
    expect(words.size).toBeGreaterThan(40_000);
    const byMaps = patternsByMaps(COMPILED_LEXICON);

    for (const word of words) {
      // Act + Assess
      expect([...loadedMatcher.patternsMatching(word)], word).toEqual(byMaps(word));
    }
  });

  it('are refused, naming the fix, when they do not fit the patterns', () => {
    // Prepare
    const { index, ...rest } = COMPILED_LEXICON;

    // Act + Assess
    expect(() => new LexiconMatcher({ ...rest, index: '' })).toThrow(/npm run lexicons/);
    expect(
      () => new LexiconMatcher({ ...rest, kinds: `${rest.kinds}e`, patterns: `${rest.patterns} x`, index }),
    ).toThrow(/npm run lexicons/);
  });
});

describe.each(FIXTURE_SETS)('classification with the compiled tables over %s', (name, dir, present) => {
  it.runIf(present)(
    'equals classification with tables compiled at run time, message by message',
    async () => {
      // Prepare
      const files = messageFiles(dir, dir === PUBLIC_FIXTURES);
      expect(files.length).toBeGreaterThan(0);
      const context = { functionalAddress: 'EUinternational@stockholm.se' };

      for (const file of files) {
        const mail = await parseMail(readFileSync(file));

        // Act
        const loaded = extractFeatures(mail, context);
        const runtime = extractFeatures(mail, context, runtimeMatcher, COMBINATIONS);

        // Assess
        expect(ordered(loaded), file).toEqual(ordered(runtime));
        expect(classifyFeatures(loaded), file).toEqual(classifyFeatures(runtime));
      }
    },
    120_000,
  );

  it.runIf(!present)(`${name}: ${CORPUS_ABSENT_NOTE}`, () => {
    expect(CORPUS_ABSENT_NOTE).toContain('absent');
  });
});
