// core (pure) --> classify: words that negate the phrase right after them. "Vi trenger ingen
// mottakelse" asks for no reception; "ohne Einladung" invites nobody: a lexicon phrase read right
// after one of these is not evidence of what it names. Folded forms (normalize.ts). A word that is an
// everyday word of another lexicon language is listed only where it negates there too
// (test/unit/classify-lexicon.test.ts): not "no" (Latvian "from", Portuguese "in the"), "sin" (Swedish
// "his"), "utan" (Hungarian "after"; Swedish "but" in "inte X utan Y"), "fara" (Icelandic "go").
// Japanese and Korean deny at a clause's end instead: withoutDeniedClauses.
/** The negating words of each language (the test that they mean nothing else elsewhere reads them per language). */
export const NEGATORS_OF: Readonly<Record<string, readonly string[]>> = {
  en: ['not', 'without', 'never', 'nor'],
  sv: ['ingen', 'inget', 'inga', 'inte', 'ej', 'aldrig'],
  no: ['ikke', 'ikkje', 'uten', 'aldri', 'ingen'],
  da: ['ikke', 'uden', 'aldrig', 'ingen'],
  de: ['kein', 'keine', 'keinen', 'keinem', 'keiner', 'nicht', 'ohne', 'niemals', 'nie'],
  nl: ['geen', 'niet', 'zonder', 'nooit'],
  fr: ['pas', 'sans', 'aucun', 'aucune', 'jamais', 'non'],
  es: ['ningun', 'ninguna', 'nunca'],
  it: ['non', 'senza', 'nessun', 'nessuna', 'nessuno'],
  pt: ['nao', 'nenhum', 'nenhuma', 'nunca', 'nem'],
  pl: ['nie', 'bez', 'zadnego', 'zadnej', 'zadnych'],
  cs: ['bez', 'zadne', 'zadny', 'zadnou'],
  sk: ['nie', 'bez', 'ziadne', 'ziadny', 'ziadnu'],
  lv: ['bez'],
  fi: ['ilman'],
  hu: ['nem', 'nincs', 'nelkul'],
  ro: ['niciun', 'nicio'],
  hr: ['bez', 'nema', 'nikakav', 'nikakve'],
  el: ['δεν', 'χωρις', 'μην'],
  bg: ['не', 'без', 'никакви'],
  ru: ['не', 'без', 'никаких'],
  uk: ['не', 'без', 'жодних'],
};

export const NEGATORS: ReadonlySet<string> = new Set(Object.values(NEGATORS_OF).flat());

/**
 * How many words before a phrase a negating word negates it. Two ("no official reception") was
 * measured and lost: it also read "utan kostnad, ingen bindning"-style sales phrases as negated.
 */
export const NEGATION_REACH = 1;

/**
 * Japanese and Korean deny at a clause's end: "議員や市長は参加いたしません" (no councillor or mayor
 * takes part), "市長や議員の訪問ではなく、…" (not a visit of the mayor or councillors, but …),
 * "시장이나 의원은 포함되지 않습니다". The clause's words are not evidence of what they name. Their polite
 * requests are negative questions ("お受けいただけませんか", "…ないでしょうか"): a clause that ends in a
 * question is no denial, and neither is one that goes on after the negative.
 */
const DENIED_CLAUSE_END =
  /(?:ません|ない|ではなく|でなく|않습니다|않습니다만|않으며|않고|없습니다|없으며|아닙니다|아니라|아니고)(?:が|ので|ため|し|けれど(?:も)?)?$/u;
/** Where a clause of these languages ends: their stops and commas, a line's end. */
const CLAUSE_BOUNDARY = /(?<=[。、！？!?,，.\n])/u;
/** What may follow a clause's last word: its stop, a closing bracket ("…ございません）"), spaces. */
const CLAUSE_END_MARKS = /[\s。、,，.\n)）」』】]+$/u;
/** Only a text written partly in kana or Hangul can hold such a clause. */
const DENIAL_SCRIPT = /[\p{Script=Hiragana}\p{Script=Hangul}]/u;

/** The text without its Japanese or Korean clauses that deny what they name. */
export function withoutDeniedClauses(text: string): string {
  if (!DENIAL_SCRIPT.test(text)) return text;
  return text
    .split(CLAUSE_BOUNDARY)
    .map((clause) => (DENIED_CLAUSE_END.test(clause.replace(CLAUSE_END_MARKS, '')) ? '\n' : clause))
    .join('');
}
