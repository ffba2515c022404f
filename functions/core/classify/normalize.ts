// core (pure) --> classify: text folded the same way for lexicon terms and for mail, so that
// "Inbjudan", "INBJUDAN" and "inbjudan" match, and "Bürgermeister" matches "Burgermeister".

/** Letters that NFKD does not decompose but that people type both ways. */
const EXTRA_FOLDS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  ø: 'o',
  œ: 'oe',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
  ʼ: "'",
  '’': "'",
  // Arabic: taa marbuta and alef maqsura are written both ways at a word's end ("دعوة"/"دعوه"),
  // tatweel only stretches a word, alef wasla is an alef; Persian yeh and kaf appear in Arabic mail.
  ة: 'ه',
  ى: 'ي',
  ـ: '',
  ٱ: 'ا',
  ی: 'ي',
  ک: 'ك',
};
const EXTRA_FOLD_PATTERN = new RegExp(`[${Object.keys(EXTRA_FOLDS).join('')}]`, 'g');

/**
 * Hangul syllables and kana stay whole: decomposed, "대사" (ambassador) would be a prefix of
 * "대상" (target) and "ガ" would lose its voicing mark. Everything else is decomposed (NFKD) so
 * that diacritics can be dropped and full-width letters read as ASCII.
 */
const DECOMPOSED_RUN = /[^\u3040-\u3098\u309b-\u30ff\uac00-\ud7a3]+/g;

/** Lower-cases and strips diacritics: "Förfrågan" -> "forfragan", "Ł" -> "l", "й" -> "и", "أ" -> "ا". */
export function fold(text: string): string {
  return text
    .toLowerCase()
    .replace(DECOMPOSED_RUN, (run) => run.normalize('NFKD').replace(/\p{M}+/gu, ''))
    .replace(EXTRA_FOLD_PATTERN, (letter) => EXTRA_FOLDS[letter] ?? letter);
}

/**
 * Chinese and Japanese are written without spaces: each Han or kana character is a token of its
 * own, and a term written in them ("表敬訪問") matches as the run of its characters, wherever it
 * stands in a sentence. Exact lookups of single characters keep that as cheap as European words.
 */
const IDEOGRAPHIC = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}]/u;
const IDEOGRAPHIC_SPLIT = /([\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}])/u;

/** Whether a token is one Han or kana character. */
export function isIdeographic(token: string): boolean {
  return token.length === 1 && IDEOGRAPHIC.test(token);
}

/** Splits folded text into word tokens; hyphens and punctuation separate ("eu-projekt" -> eu, projekt). */
export function tokenize(folded: string): string[] {
  return folded
    .split(/[^\p{L}\p{N}+]+/u)
    .flatMap((token) => (IDEOGRAPHIC.test(token) ? token.split(IDEOGRAPHIC_SPLIT) : [token]))
    .filter((token) => token.length > 0 && token !== '+');
}

/**
 * How many words a text holds: its tokens, with a Han or kana character counted as half a word
 * (a written Chinese or Japanese word is about two characters), so that word-count limits read
 * "承知しました" about as they read "Noted, thanks".
 */
export function wordCount(text: string): number {
  return countWords(tokens(text));
}

/** `wordCount` of a text already cut into tokens. */
export function countWords(words: readonly string[]): number {
  let count = 0;
  for (const word of words) count += isIdeographic(word) ? 0.5 : 1;
  return Math.ceil(count);
}

/** Tokens joined back for a person to read: words with spaces, Han and kana characters without. */
export function joinTokens(words: string[]): string {
  let text = '';
  words.forEach((word, index) => {
    if (index > 0 && !(isIdeographic(word) && isIdeographic(words[index - 1]!))) text += ' ';
    text += word;
  });
  return text;
}

/**
 * Each UTF-16 unit folded once: a letter's folded form, or a space for anything that separates
 * words; a Han or kana character stands between two spaces, a token of its own.
 */
const FOLDED_UNITS: Array<string | undefined> = [];
const WORD_UNIT = /[\p{L}\p{N}+]/u;

function foldUnit(code: number): string {
  let folded = FOLDED_UNITS[code];
  if (folded === undefined) {
    folded = [...fold(String.fromCharCode(code))]
      .map((char) => (!WORD_UNIT.test(char) ? ' ' : IDEOGRAPHIC.test(char) ? ` ${char} ` : char))
      .join('');
    FOLDED_UNITS[code] = folded;
  }
  return folded;
}

/**
 * Folds and tokenises in one pass, the same as `tokenize(fold(text))` but several times faster
 * on long mail; file names also split at camelCase ("LetterOfInvitation_2026").
 */
export function tokens(text: string, options: { camelCase?: boolean } = {}): string[] {
  const source = options.camelCase ? text.replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2') : text;
  const words: string[] = [];
  let current = '';
  const flush = () => {
    if (current.length > 0 && current !== '+') words.push(current);
    current = '';
  };
  for (let index = 0; index < source.length; index++) {
    const code = source.charCodeAt(index);
    // Surrogate pairs (emoji, rare scripts) never carry routing evidence: they separate words.
    const folded = code >= 0xd800 && code <= 0xdfff ? ' ' : (FOLDED_UNITS[code] ?? foldUnit(code));
    if (folded.length === 1) {
      if (folded === ' ') flush();
      else current += folded;
      continue;
    }
    for (const char of folded) {
      if (char === ' ') flush();
      else current += char;
    }
  }
  flush();
  return words;
}
