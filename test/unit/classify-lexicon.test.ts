import { describe, expect, it } from 'vitest';
import {
  COMBINATIONS,
  compileMatcher,
  concepts,
  LEXICON_FILES,
  type LexiconFile,
} from '../../functions/core/classify/lexicon.js';
import { NEGATORS_OF } from '../../functions/core/classify/negation.js';
import { isIdeographic, joinTokens, tokens } from '../../functions/core/classify/normalize.js';
import { CATEGORIES } from '../../functions/core/types.js';
import { frequentWords } from '../helpers/frequent-words.js';

const matcher = compileMatcher();
const specs = LEXICON_FILES.flatMap((file) => file.concepts.map((spec) => ({ file: file.category, spec })));

/**
 * The 24 official EU languages, Norwegian, Icelandic and Ukrainian, and the languages embassies
 * and partner cities beyond Europe write in: Japanese, Chinese, Korean, Arabic, Turkish, Russian.
 */
const LANGUAGES = [
  'bg',
  'hr',
  'cs',
  'da',
  'nl',
  'en',
  'et',
  'fi',
  'fr',
  'de',
  'el',
  'hu',
  'ga',
  'it',
  'lv',
  'lt',
  'mt',
  'pl',
  'pt',
  'ro',
  'sk',
  'sl',
  'es',
  'sv',
  'no',
  'is',
  'uk',
  'ja',
  'zh',
  'ko',
  'ar',
  'tr',
  'ru',
];

/** The lexicons with only one language's terms: what that language's own words may fire. */
function onlyLanguage(language: string): LexiconFile[] {
  return LEXICON_FILES.map((file) => ({
    ...file,
    concepts: file.concepts.map((spec) => ({ ...spec, terms: { [language]: spec.terms[language] ?? [] } })),
  }));
}

/** A matcher that knows one term of one concept: what that term alone fires on. */
function matcherOfOneTerm(concept: string, language: string, term: string) {
  return compileMatcher([
    {
      category: 'neutral',
      concepts: [{ id: concept, about: term, terms: { [language]: [term] }, examples: [] }],
    },
  ]);
}

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

  it('gives no term to concepts of two categories, but the words that name both', () => {
    // Prepare: gifts are a visit's logistics and a seller's goods; a Finnish "hakuilmoitus" announces a
    // job as well as a funding call. A term added to a second category besides these is a slip (the
    // diplomats' "introductory call" once read as a sales phrase).
    const namingBoth = new Set(['nl:relatiegeschenk*', 'lv:suvenīr*', 'lt:suvenyr*', 'fi:hakuilmoitu*']);
    const categoriesOf = new Map<string, Set<string>>();
    for (const { file, spec } of specs.filter(({ file }) =>
      (CATEGORIES as readonly string[]).includes(file),
    )) {
      for (const [language, terms] of Object.entries(spec.terms)) {
        for (const term of terms ?? []) {
          const key = `${language}:${term.toLowerCase()}`;
          categoriesOf.set(key, (categoriesOf.get(key) ?? new Set()).add(file));
        }
      }
    }

    // Act
    const inTwo = [...categoriesOf]
      .filter(([key, categories]) => categories.size > 1 && !namingBoth.has(key))
      .map(([key]) => key);

    // Assess
    expect(inTwo).toEqual([]);
  });

  it('covers the languages the city receives mail in for every concept', () => {
    for (const { spec } of specs) {
      for (const language of LANGUAGES) {
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

  it("lets no frequent word of one language fire a concept through another language's term", () => {
    // Folding makes cross-language twins: French "thèse" is English "these", Portuguese "eu" is "I".
    // Prepare
    const own = new Map(LANGUAGES.map((language) => [language, compileMatcher(onlyLanguage(language))]));
    const offences: string[] = [];

    for (const language of LANGUAGES) {
      for (const word of frequentWords(language)) {
        // Act
        const ownConcepts = new Set(own.get(language)!.match(word).keys());
        for (const [other, otherMatcher] of own) {
          if (other === language) continue;
          for (const concept of otherMatcher.match(word).keys()) {
            if (!ownConcepts.has(concept))
              offences.push(`${language} "${joinTokens(word)}" fires ${concept} through ${other}`);
          }
        }
      }
    }

    // Assess
    expect(offences).toEqual([]);
  });

  it("lets no negating word of one language be another language's everyday word that does not negate", () => {
    // Latvian "no" is "from" and Swedish "sin" is "his": as negators they would drop real evidence.
    // Prepare
    const offences: string[] = [];

    for (const language of LANGUAGES) {
      const ownNegators = new Set(NEGATORS_OF[language] ?? []);
      // Act
      for (const word of frequentWords(language)) {
        if (word.length !== 1 || ownNegators.has(word[0]!)) continue;
        for (const [other, negators] of Object.entries(NEGATORS_OF)) {
          if (other !== language && negators.includes(word[0]!))
            offences.push(`${other} negator "${word[0]}" is an everyday ${language} word`);
        }
      }
    }

    // Assess
    expect(offences).toEqual([]);
  });

  it('keeps short stems and word parts from swallowing everyday words of any language', () => {
    // "мер*" (mayor) would read Ukrainian "мережа" (network) as a mayor.
    // Prepare
    const everyday = LANGUAGES.flatMap((language) =>
      frequentWords(language).map((word) => ({ language, word })),
    );
    const shortWildcards = specs.flatMap(({ spec }) =>
      Object.entries(spec.terms).flatMap(([language, terms]) =>
        terms
          .filter((term) => !/\s/.test(term.trim()) && term.includes('*'))
          .filter((term) => tokens(term).join('').length <= 4)
          .map((term) => ({ concept: spec.id, language, term })),
      ),
    );
    const swallowed: string[] = [];

    for (const { concept, language, term } of shortWildcards) {
      const probe = matcherOfOneTerm(concept, language, term);
      // Act
      for (const { language: wordLanguage, word } of everyday) {
        if (probe.match(word).has(concept))
          swallowed.push(`${language} "${term}" swallows ${wordLanguage} "${joinTokens(word)}"`);
      }
    }

    // Assess
    expect(shortWildcards.length).toBeGreaterThan(0);
    expect(swallowed).toEqual([]);
  });

  it('keeps Chinese and Japanese terms from reading across the words of an everyday compound', () => {
    // A Han or kana term matches wherever its characters stand: "市长" (mayor) must not read the
    // everyday "城市长期" (the city, long-term) as a mayor. At the start of a longer word it is the
    // same word inflected or compounded ("学生们", students), so only a match further in offends.
    // Prepare
    const everyday = LANGUAGES.flatMap((language) =>
      frequentWords(language)
        .filter((word) => word.length > 1 && word.every(isIdeographic))
        .map((word) => ({ language, word })),
    );
    const ideographicTerms = specs.flatMap(({ spec }) =>
      Object.entries(spec.terms).flatMap(([language, terms]) =>
        terms
          .filter((term) => tokens(term).some(isIdeographic))
          .map((term) => ({ concept: spec.id, language, term })),
      ),
    );
    const inside: string[] = [];

    for (const { concept, language, term } of ideographicTerms) {
      const probe = matcherOfOneTerm(concept, language, term);
      const own = tokens(term).join(' ');
      // Act
      for (const { language: wordLanguage, word } of everyday) {
        const further = probe.match(word).has(concept) && probe.match(word.slice(1)).has(concept);
        if (word.join(' ') !== own && further)
          inside.push(`${language} "${term}" fires inside ${wordLanguage} "${joinTokens(word)}"`);
      }
    }

    // Assess
    expect(everyday.length).toBeGreaterThan(100);
    expect(inside).toEqual([]);
  });

  it("reads everyday sentences whose words fold into other languages' terms without firing any concept", () => {
    // Each sentence holds a word that once fired a concept through another language's term or a short stem.
    const everyday = [
      'Eu gostaria de saber se o presente email foi recebido. Obrigado pela atenção.',
      'Eu am fost acolo ieri și am văzut prețul.',
      "J'ai eu ces informations en premier lieu.",
      'These results gave us a clear view; our partners will turn to the next stage.',
      'A la vez, el sabor de la comida me dio ganas de dar una vuelta por la estación.',
      'Die Bewerbung der Stadt als Kulturhauptstadt hat uns viel Arbeit gekostet.',
      'Käyntiosoite: Mannerheimintie 1, Helsinki. Millä tapaa voin auttaa? Suuri osa ihmisistä.',
      'Tas lielā mērā ir atkarīgs no laika.',
      'Þau boða til fundar á morgun.',
      'В голяма мера мерките помогнаха.',
      'Мережа та мета нашої роботи.',
      'Nasz partner z Włoch przyjechał na stację.',
      'La stazione è vicina; prendo nota del prezzo.',
      // Rabat is Morocco's capital as well as a Danish and Polish discount.
      'Le train partira de Rabat demain.',
    ];

    for (const sentence of everyday) {
      // Act
      const fired = [...matcher.match(tokens(sentence)).keys()];

      // Assess
      expect(fired, sentence).toEqual([]);
    }
  });

  it('reads a ministry as an office of officials, not as its minister', () => {
    // Level decides: a ministry's officials on a study visit are not a minister's visit, so a
    // minister's stem must not reach the ministry's name in any language.
    const ministries = [
      'the Ministry of Local Government',
      'three ministries',
      'Bundesministerium für Wohnen',
      'des Staatsministeriums',
      'Vides aizsardzības un reģionālās attīstības ministrija',
      'ministrijas ierēdņi',
      'Ministerul Dezvoltării',
      'Υπουργείο Εσωτερικών',
      'του Υπουργείου Υποδομών',
      'a Belügyminisztérium munkatársai',
      'Külügyminisztérium',
      'Çevre ve Şehircilik Bakanlığı',
    ];

    for (const name of ministries) {
      // Act
      const fired = [...matcher.match(tokens(name)).keys()];

      // Assess
      expect(fired, name).not.toContain('minister_head_of_state');
    }
  });

  it('builds combinations only from concepts that exist', () => {
    const ids = new Set(specs.map(({ spec }) => spec.id));

    for (const combination of COMBINATIONS) {
      expect(combination.all.length + (combination.any ? 1 : 0)).toBeGreaterThan(1);
      const named = [...combination.all, ...(combination.any ?? []), ...(combination.none ?? [])];
      for (const part of named) expect(ids.has(part), `${combination.id}: ${part}`).toBe(true);
    }
  });
});

describe('LexiconMatcher (compiled at run time)', () => {
  const file = (terms: string[]) => [
    {
      category: 'invitation' as const,
      concepts: [{ id: 'probe', about: 'test concept', weight: 1, terms: { en: terms }, examples: [] }],
    },
  ];
  const fires = (terms: string[], text: string) =>
    compileMatcher(file(terms)).match(tokens(text)).has('probe');

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
      expect.arrayContaining(['eu_programme', 'funding_call']),
    );
    expect(compound('Inför delegationsbesöket')).toEqual(
      expect.arrayContaining(['visit_request', 'delegation']),
    );
    expect(compound('statsbesöket från Portugal')).toContain('state_or_official_visit');
  });

  it('finds Chinese and Japanese terms inside a sentence written without spaces', () => {
    expect(fires(['表敬訪問'], '札幌市長よりストックホルム市長への表敬訪問のお願い')).toBe(true);
    expect(fires(['表敬訪問'], '表敬の訪問')).toBe(false);
    expect(fires(['!城 市长 !期'], '我们邀请斯德哥尔摩市长出席')).toBe(true);
    expect(fires(['!城 市长 !期'], '城市长期发展规划')).toBe(false);
  });

  it('reads Arabic words with their article and prefixed prepositions', () => {
    expect(fires(['*سفارة'], 'والسفارة تدعوكم')).toBe(true);
    expect(fires(['*دعوت*'], 'تتشرف بدعوتكم')).toBe(true);
    expect(fires(['*رئيس بلدية !*ستوكهولم !*ستوكهولم'], 'رئيس بلدية مدينة ستوكهولم')).toBe(false);
    expect(fires(['*رئيس بلدية !*ستوكهولم !*ستوكهولم'], 'يرغب رئيس بلدية دبي في الزيارة')).toBe(true);
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
    const hits = compileMatcher(file(['panel*', 'keynote'])).match(tokens('A keynote, a panel and panels'));

    expect(hits.get('probe')).toEqual(['keynote', 'panel', 'panels']);
  });
});
