// core (pure) --> classify: where the new text of a reply turns from the thread's matter to one of its
// own ("Thanks, the report is submitted. I am also writing because our Mayor …", "Tack för svaret om
// Interreg-projektet. En annan sak: …"). What comes before the turn acknowledges the thread and counts
// as its history (features.ts); what follows is the matter the reply brings.
import { tokens } from './normalize.js';

/**
 * The words that open another matter, by language. Only phrases that cannot continue the same matter:
 * not "moreover" or "also" ("par ailleurs", "además"), which add to it.
 */
export const TOPIC_SHIFTS: Readonly<Record<string, readonly string[]>> = {
  sv: [
    'en annan sak',
    'en sak till som',
    'en helt annan sak',
    'något helt annat',
    'medan jag har dig',
    'i ett annat ärende',
    'apropå något annat',
  ],
  en: [
    'on a different note',
    'on another note',
    'on a separate note',
    'on another matter',
    'on a different matter',
    'on a separate matter',
    'i am also writing because',
    'i am also writing to',
    "i'm also writing because",
    'while i have you',
    'something completely different',
  ],
  de: [
    'eine andere sache',
    'noch etwas ganz anderes',
    'in einer anderen angelegenheit',
    'zu einem anderen thema',
  ],
  fr: ['une autre chose', 'sur un tout autre sujet', 'sur un autre sujet', 'dans un autre registre'],
  nl: ['iets heel anders', 'een andere kwestie', 'over iets anders', 'een ander onderwerp'],
  da: ['en anden sag', 'noget helt andet', 'i en anden sag'],
  no: ['en annen sak', 'noe helt annet', 'i en annen sak'],
  fi: ['toinen asia', 'aivan toisesta asiasta', 'toisesta asiasta'],
  es: ['otro asunto', 'en otro orden de cosas', 'cambiando de tema'],
  it: ['un altra questione', 'su un altro tema', 'cambiando argomento'],
  pt: ['outro assunto', 'mudando de assunto', 'noutro assunto'],
  pl: ['inna sprawa', 'w innej sprawie', 'zmieniając temat'],
  et: ['teine asi', 'teisest teemast'],
  lv: ['cits jautājums', 'citā jautājumā'],
  lt: ['kitas klausimas', 'kitu klausimu'],
  el: ['άλλο θέμα', 'σε άλλο θέμα'],
  bg: ['друг въпрос', 'по друг въпрос'],
  cs: ['jiná věc', 'v jiné věci'],
  sk: ['iná vec', 'v inej veci'],
  hu: ['egy másik ügy', 'másik ügyben'],
  ro: ['altă chestiune', 'într-o altă chestiune', 'schimbând subiectul'],
  hr: ['druga stvar', 'u drugoj stvari'],
  sl: ['druga zadeva', 'v drugi zadevi'],
  is: ['annað mál', 'í öðru máli'],
  mt: ['kwistjoni oħra', 'ħaġa oħra'],
  ga: ['ábhar eile', 'rud eile'],
  uk: ['інше питання', 'з іншого питання'],
  ru: ['другой вопрос', 'по другому вопросу'],
  ja: ['別件'],
  zh: ['另一件事', '另外一件事'],
  ko: ['다른 건으로', '별건으로'],
  ar: ['موضوع آخر', 'أمر آخر'],
  tr: ['başka bir konu', 'başka bir konuda'],
};

const SHIFTS_BY_FIRST_WORD = new Map<string, string[][]>();
for (const phrase of Object.values(TOPIC_SHIFTS).flat()) {
  const words = tokens(phrase);
  const first = words[0];
  if (!first) continue;
  const known = SHIFTS_BY_FIRST_WORD.get(first) ?? [];
  known.push(words);
  SHIFTS_BY_FIRST_WORD.set(first, known);
}

/** The index of the first word of the new text's turn to another matter, or -1 when it has none. */
export function topicShiftAt(words: readonly string[]): number {
  for (let index = 1; index < words.length; index++) {
    const candidates = SHIFTS_BY_FIRST_WORD.get(words[index] ?? '');
    if (!candidates) continue;
    if (candidates.some((phrase) => phrase.every((word, offset) => words[index + offset] === word)))
      return index;
  }
  return -1;
}
