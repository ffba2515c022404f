// core (pure) --> automated: the phrase tables a reviewer edits (automated-phrases.ts) compiled into what the
// detector (automated.ts) looks up: folded keys, and each subject opening's first word and regular expression
// source. `npm run lexicons` writes them to automated-phrases.compiled.json, so that no Lambda folds some
// 2,200 phrases at every cold start, nor carries the tables in its bundle (shipped-table.ts).
import type * as PhraseTables from './automated-phrases.js';
import type { AutoReplyBodyKind, PhraseTable } from './automated-phrases.js';
import { fold, isIdeographic, tokens } from './classify/normalize.js';

/** What kind of machine a cue points at; evidence only adds up within one kind. */
export type MachineKind = 'auto-reply' | 'calendar-reply' | 'list-notice';

export interface Opening {
  kind: MachineKind;
  language: string;
  /** The phrase, folded (foldForMatching). */
  phrase: string;
  /** The regular expression that finds it at the start of a folded subject, at a word boundary. */
  source: string;
  /** A word people also open their own subjects with ("Absence", "Fravær"): only a responder's body confirms it. */
  everyday: boolean;
}

/** A phrase and how it is found in a text key. */
export interface BodyPhrase {
  key: string;
  /** Its first word: a text without it cannot hold the phrase (a cheap test before the search). */
  firstWord: string;
  /** Chinese, Japanese and Korean run words together: their phrases are found inside the run. */
  inRun: boolean;
}

export interface CompiledAutomatedPhrases {
  /** Subject openings by their first word (FIRST_WORD); within one word, longer phrases first. */
  openingsByFirstWord: Record<string, Opening[]>;
  /** Away and holiday words that, alone or joined, may be a responder's whole subject ("Semester"). */
  awaySubjectWords: string[];
  /** How a responder ends a subject that names the absent person first ("… is out of the office."). */
  awaySubjectEndings: SubjectEnding[];
  listNoticeSubjects: string[];
  listNoticeBodies: string[];
  calendarReplyBodies: string[];
  autoReplyBodies: Array<{ kind: AutoReplyBodyKind; phrases: BodyPhrase[] }>;
  /** A letter written despite its writer's absence says one of these ("but wanted to confirm"). */
  concessions: BodyPhrase[];
  /** A service desk's or registry's word that it took the message in ("your request has been registered"). */
  receiptAcknowledgements: BodyPhrase[];
  /** A decline's request to move the meeting ("¿Podemos moverla al jueves?"). */
  rescheduleRequests: BodyPhrase[];
  /** "Until" written before a date, as token lists ("till och med" -> ["till", "och", "med"]). */
  untilBeforeADate: string[][];
  /** "Until" written after a date, as token lists ("asti", "a kadar" -> ["a", "kadar"]). */
  untilAfterADate: string[][];
  /** Month names' first letters, folded ("aug", "ιαν", "月"). */
  months: string[];
}

/** Where `npm run lexicons` writes the compiled phrases: beside automated.ts, which reads them. */
export const COMPILED_AUTOMATED_PHRASES_FILE = 'functions/core/automated-phrases.compiled.json';

/** Scripts written without spaces between words (Han, kana, Hangul run particles onto the word). */
export const RUN_SCRIPTS = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** The word a subject or an opening starts with, as the classifier's tokens cut it. */
export const FIRST_WORD = /^[\p{L}\p{N}+]+/u;

export function compileAutomatedPhrases(tables: typeof PhraseTables): CompiledAutomatedPhrases {
  // Longer phrases first, so that "out of office autoreply" is named rather than "out of office".
  const openingList: Opening[] = [
    ...openings('auto-reply', tables.AUTO_REPLY_SUBJECT_OPENINGS),
    ...openings('auto-reply', tables.NON_DELIVERY_SUBJECT_OPENINGS),
    ...openings('auto-reply', tables.AWAY_SUBJECT_OPENINGS, { everyday: true }),
    ...openings('calendar-reply', tables.CALENDAR_REPLY_SUBJECT_OPENINGS),
  ].sort((a, b) => b.phrase.length - a.phrase.length);
  const openingsByFirstWord: Record<string, Opening[]> = {};
  for (const opening of openingList) {
    const first = FIRST_WORD.exec(opening.phrase)?.[0] ?? '';
    if (!Object.hasOwn(openingsByFirstWord, first)) openingsByFirstWord[first] = [];
    openingsByFirstWord[first]!.push(opening);
  }
  const awaySubjectWords = [tables.AWAY_SUBJECT_OPENINGS, tables.HOLIDAY_SUBJECTS].flatMap((table) =>
    Object.values(table).flat().map(foldForMatching),
  );
  return {
    openingsByFirstWord,
    awaySubjectWords: [...new Set(awaySubjectWords)].sort(),
    awaySubjectEndings: Object.values(tables.AWAY_SUBJECT_ENDINGS).flat().map(subjectEnding),
    listNoticeSubjects: tables.LIST_NOTICE_SUBJECT_PHRASES.map(textKey),
    listNoticeBodies: tables.LIST_NOTICE_BODY_PHRASES.map(textKey),
    calendarReplyBodies: tables.CALENDAR_REPLY_BODY_PHRASES.map(textKey),
    autoReplyBodies: Object.entries(tables.AUTO_REPLY_BODY_PHRASES).map(([kind, table]) => ({
      kind: kind as AutoReplyBodyKind,
      phrases: uniquePhrases(Object.entries(table).flatMap(withInvertedSubject)).map(bodyPhrase),
    })),
    concessions: Object.values(tables.CONCESSIONS).flat().map(bodyPhrase),
    receiptAcknowledgements: Object.values(tables.RECEIPT_ACKNOWLEDGEMENTS).flat().map(bodyPhrase),
    rescheduleRequests: Object.values(tables.RESCHEDULE_REQUESTS).flat().map(bodyPhrase),
    untilBeforeADate: uniqueTokenLists(tables.UNTIL_BEFORE_A_DATE),
    untilAfterADate: uniqueTokenLists(tables.UNTIL_AFTER_A_DATE),
    months: shortestPrefixes(Object.values(tables.MONTHS).flat().map(foldForMatching)),
  };
}

/** Throws when the compiled phrases are not those of the tables: they must be written again. */
export function assertAutomatedPhrasesCompiled(
  compiled: CompiledAutomatedPhrases,
  tables: typeof PhraseTables,
): void {
  if (JSON.stringify(compiled) !== JSON.stringify(compileAutomatedPhrases(tables))) {
    throw new Error(
      `the compiled automated-mail phrases are stale: run \`npm run lexicons\` and commit ${COMPILED_AUTOMATED_PHRASES_FILE}`,
    );
  }
}

/** Folded words joined by single spaces and framed by spaces, so phrases match whole words only. */
export function textKey(text: string): string {
  return ` ${tokens(text).join(' ')} `;
}

/** The classifier's folding (case, diacritics, ø/æ/ł/ß), with white space made single: phrases match in it. */
export function foldForMatching(text: string): string {
  return fold(text).replace(/\s+/g, ' ').trim();
}

/**
 * A subject's ending as a text key; Chinese, Japanese and Korean run the name onto the label
 * ("山田太郎は不在です"), so theirs is compared with the spaces of the key taken out.
 */
export interface SubjectEnding {
  key: string;
  inRun: boolean;
}

function subjectEnding(phrase: string): SubjectEnding {
  const inRun = RUN_SCRIPTS.test(phrase);
  return { key: inRun ? textKey(phrase).replace(/ /g, '') : textKey(phrase), inRun };
}

/**
 * Subject pronouns of the languages that put the verb second: after a time or a place the subject
 * follows its verb ("Ab Montag bin ich im Urlaub", "I vecka 33 är jag ledig", "Gäller det projektet
 * kan du vända dig till"), so a phrase written "ich bin im urlaub" is also read "bin ich im urlaub".
 */
const VERB_SECOND_SUBJECTS: Readonly<Record<string, ReadonlySet<string>>> = {
  sv: new Set(['jag', 'vi', 'du', 'ni']),
  no: new Set(['jeg', 'vi', 'du', 'dere']),
  da: new Set(['jeg', 'vi', 'du', 'i']),
  de: new Set(['ich', 'wir', 'sie', 'du']),
  nl: new Set(['ik', 'wij', 'we', 'u', 'je', 'jij']),
  is: new Set(['ég', 'við', 'þú']),
};

/** A language's phrases, with the verb-second order added where the language has it. */
function withInvertedSubject([language, phrases]: [string, readonly string[]]): string[] {
  const subjects = VERB_SECOND_SUBJECTS[language];
  if (!subjects) return [...phrases];
  return phrases.flatMap((phrase) => {
    const [subject, verb, ...rest] = phrase.split(' ');
    if (subject === undefined || verb === undefined || !subjects.has(subject)) return [phrase];
    return [phrase, [verb, subject, ...rest].join(' ')];
  });
}

/** Month names are read as prefixes: "fevrier" adds nothing beside "fev", so only the shortest stay. */
function shortestPrefixes(words: string[]): string[] {
  const unique = [...new Set(words)].sort();
  return unique.filter((word) => !unique.some((other) => other !== word && word.startsWith(other)));
}

function uniquePhrases(phrases: string[]): string[] {
  return [...new Set(phrases)];
}

function uniqueTokenLists(table: PhraseTable): string[][] {
  const lists = new Map(
    Object.values(table)
      .flat()
      .map((phrase) => [textKey(phrase), tokens(phrase)]),
  );
  return [...lists.values()].filter((list) => list.length > 0);
}

function bodyPhrase(phrase: string): BodyPhrase {
  const key = textKey(phrase);
  const inRun = RUN_SCRIPTS.test(phrase);
  return { key: inRun ? key.trim() : key, firstWord: key.trim().split(' ')[0] ?? '', inRun };
}

function openings(kind: MachineKind, table: PhraseTable, { everyday = false } = {}): Opening[] {
  return Object.entries(table).flatMap(([language, phrases]) =>
    phrases.map((phrase) => {
      const words = tokens(phrase);
      // Han and kana characters are tokens of their own but are written without spaces between them.
      const source = words
        .map((word, index) => {
          const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          if (index === 0) return escaped;
          const joined = isIdeographic(word) && isIdeographic(words[index - 1] ?? '');
          return `${joined ? '[^\\p{L}\\p{N}]*' : '[^\\p{L}\\p{N}]+'}${escaped}`;
        })
        .join('');
      return {
        kind,
        language,
        phrase: foldForMatching(phrase),
        source: `^${source}(?![\\p{L}\\p{N}])`,
        everyday,
      };
    }),
  );
}
