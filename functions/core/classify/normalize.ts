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
};
const EXTRA_FOLD_PATTERN = new RegExp(`[${Object.keys(EXTRA_FOLDS).join('')}]`, 'g');

/** Lower-cases and strips diacritics: "Förfrågan" -> "forfragan", "Ł" -> "l", "й" -> "и". */
export function fold(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(EXTRA_FOLD_PATTERN, (letter) => EXTRA_FOLDS[letter] ?? letter);
}

/** Splits folded text into word tokens; hyphens and punctuation separate ("eu-projekt" -> eu, projekt). */
export function tokenize(folded: string): string[] {
  return folded.split(/[^\p{L}\p{N}+]+/u).filter((token) => token.length > 0 && token !== '+');
}

/** Folds and tokenises; file names also split at camelCase and underscores ("LetterOfInvitation_2026"). */
export function tokens(text: string, options: { camelCase?: boolean } = {}): string[] {
  const spaced = options.camelCase ? text.replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2') : text;
  return tokenize(fold(spaced));
}
