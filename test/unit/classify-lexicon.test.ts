import { describe, expect, it } from 'vitest';
import {
  COMBINATIONS,
  concepts,
  LEXICON_FILES,
  LexiconMatcher,
} from '../../functions/core/classify/lexicon.js';
import { tokens } from '../../functions/core/classify/normalize.js';
import { CATEGORIES } from '../../functions/core/types.js';

const matcher = new LexiconMatcher();
const specs = LEXICON_FILES.flatMap((file) => file.concepts.map((spec) => ({ file: file.category, spec })));

describe('lexicons', () => {
  it.each(specs.map(({ file, spec }) => [`${file}/${spec.id}`, spec] as const))(
    '%s fires on each of its examples',
    (_name, spec) => {
      // Prepare
      expect(spec.examples.length).toBeGreaterThan(0);

      for (const example of spec.examples) {
        // Act
        const hits = matcher.match(tokens(example));

        // Assess
        expect(hits.has(spec.id), `"${example}" should fire ${spec.id}`).toBe(true);
      }
    },
  );

  it('gives every concept a unique id, an explanation and a category it pushes toward', () => {
    const ids = concepts().map((concept) => concept.id);

    expect(new Set(ids).size).toBe(ids.length);
    for (const { spec } of specs) {
      expect(spec.about.length, spec.id).toBeGreaterThan(20);
      expect(Object.keys(spec.terms).length, spec.id).toBeGreaterThan(0);
    }
    for (const concept of concepts()) {
      const pushes = Object.entries(concept.priors).filter(([, weight]) => (weight ?? 0) > 0);
      expect(pushes.length, concept.id).toBeGreaterThan(0);
      for (const [category] of pushes) expect(CATEGORIES).toContain(category);
    }
  });

  it('covers the languages the city receives mail in for every concept', () => {
    const languages = ['sv', 'en', 'de', 'fr', 'fi', 'da', 'no', 'es', 'it', 'pl', 'et', 'uk'];

    for (const { spec } of specs) {
      for (const language of languages) {
        expect(spec.terms[language]?.length ?? 0, `${spec.id} has no ${language} terms`).toBeGreaterThan(0);
      }
    }
  });

  it('does not let everyday words fire a concept that decides on its own', () => {
    // Words shared with ordinary language once sent EU mail to triage or visits to the wrong group.
    const everyday = [
      'We will resume the negotiations in May; in my opinion the amendment to the contract is fine.',
      'Vi har planer för hösten och delar gärna god praktik; direktiv från ledningen kommer.',
      'Dobre praktyki miast; buenas prácticas; the flagship project gave good results.',
      'Unsere Planer prüfen das Postfach; la candidature de la ville; une enquête.',
    ];
    const decisive = new Set(specs.filter(({ spec }) => (spec.weight ?? 0) >= 2).map(({ spec }) => spec.id));

    for (const sentence of everyday) {
      const fired = [...matcher.match(tokens(sentence)).keys()].filter((id) => decisive.has(id));
      expect(fired, sentence).toEqual([]);
    }
  });

  it('builds combinations only from concepts that exist', () => {
    const ids = new Set(specs.map(({ spec }) => spec.id));

    for (const combination of COMBINATIONS) {
      expect(combination.all.length).toBeGreaterThan(1);
      for (const part of combination.all) expect(ids.has(part), `${combination.id}: ${part}`).toBe(true);
    }
  });
});

describe('LexiconMatcher', () => {
  const file = (terms: string[]) => [
    {
      category: 'invitation' as const,
      concepts: [{ id: 'probe', about: 'test concept', weight: 1, terms: { en: terms }, examples: [] }],
    },
  ];
  const fires = (terms: string[], text: string) =>
    new LexiconMatcher(file(terms)).match(tokens(text)).has('probe');

  it('matches whole words, stems, compound endings and parts', () => {
    expect(fires(['inbjudan'], 'En inbjudan till er')).toBe(true);
    expect(fires(['inbjudan'], 'inbjudningar')).toBe(false);
    expect(fires(['inbjud*'], 'vi inbjuder')).toBe(true);
    expect(fires(['*besök'], 'inför statsbesöket')).toBe(false);
    expect(fires(['*besök'], 'delegationsbesök')).toBe(true);
    expect(fires(['*ansökan*'], 'EU-projektansökans')).toBe(true);
  });

  it('reads Swedish compounds through the real lexicons', () => {
    const compound = (text: string) => [...matcher.match(tokens(text)).keys()];

    expect(compound('Angående vår EU-projektansökan')).toEqual(
      expect.arrayContaining(['eu_general', 'funding_call']),
    );
    expect(compound('Inför delegationsbesöket')).toEqual(
      expect.arrayContaining(['visit_request', 'delegation']),
    );
    expect(compound('statsbesöket från Portugal')).toContain('state_or_official_visit');
  });

  it('folds case and diacritics on both sides', () => {
    expect(fires(['Bürgermeister'], 'BURGERMEISTER')).toBe(true);
    expect(fires(['forfragan'], 'Förfrågan om möte')).toBe(true);
  });

  it('matches phrases word by word and honours negated words', () => {
    expect(fires(['courtesy call*'], 'to pay a courtesy call on')).toBe(true);
    expect(fires(['courtesy call*'], 'a courtesy visit, call us')).toBe(false);
    expect(fires(['mayor of !stockholm'], 'the Mayor of Yokohama')).toBe(true);
    expect(fires(['mayor of !stockholm'], 'the Mayor of Stockholm')).toBe(false);
  });

  it('reports each distinct phrase that matched', () => {
    const hits = new LexiconMatcher(file(['panel*', 'keynote'])).match(
      tokens('A keynote, a panel and panels'),
    );

    expect(hits.get('probe')).toEqual(['keynote', 'panel', 'panels']);
  });
});
