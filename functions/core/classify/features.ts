// core (pure) --> classify: an InboundMail read the way a person reads it, turned into named
// features (lexicon concepts and a few structural facts) with the evidence for each.
import type { InboundMail } from '../types.js';
import { COMBINATIONS, type Combination, LexiconMatcher } from './lexicon.js';
import { fold, tokens } from './normalize.js';
import { segmentBody } from './segment.js';

/** Where a piece of text came from, and how much a match there counts (a match in quoted history counts less). */
export const SOURCE_WEIGHTS = {
  subject: 1,
  body: 1,
  ics: 1,
  pdf: 0.9,
  attachment: 0.9,
  'attachment-name': 0.9,
  forwarded: 0.85,
  quoted: 0.7,
  // Who writes ("Embassy of Japan", "Office of the Governor") hints at level, but the text decides.
  sender: 0.5,
} as const;
export type Source = keyof typeof SOURCE_WEIGHTS;

export interface FeatureSet {
  /**
   * Feature name -> strength: the weight of the strongest source it was found in (0..1), raised
   * by up to half when further distinct phrases of the same concept corroborate it.
   */
  values: Map<string, number>;
  /** Feature name -> the evidence a person can check, e.g. `subject:"inbjudan"`. */
  evidence: Map<string, string>;
}

const REPLY_PREFIX = /^\s*((re|sv|aw|vs|odp|res|rif|r|vá|ответ|відп)\s*(\[\d+\])?\s*:\s*)+/i;
const FORWARD_PREFIX = /^\s*((fw|fwd|vb|wg|tr|rv|i|pd|doorst|edasi|videresend)\s*:\s*)+/i;

const defaultMatcher = new LexiconMatcher();
/** Each further distinct phrase of a concept adds this much, up to MAX_CORROBORATING phrases. */
const CORROBORATION_STEP = 0.25;
const MAX_CORROBORATING = 2;

export function extractFeatures(
  mail: InboundMail,
  context: { functionalAddress: string },
  matcher: LexiconMatcher = defaultMatcher,
  combinations: Combination[] = COMBINATIONS,
): FeatureSet {
  const values = new Map<string, number>();
  const evidence = new Map<string, string>();
  const note = (feature: string, strength: number, proof: string) => {
    if ((values.get(feature) ?? 0) >= strength) return;
    values.set(feature, strength);
    evidence.set(feature, proof);
  };

  const phrases = new Map<string, Set<string>>();
  for (const [source, text, camelCase] of readableTexts(mail)) {
    const words = tokens(text, { camelCase });
    for (const [concept, matched] of matcher.match(words)) {
      note(concept, SOURCE_WEIGHTS[source], `${source}:"${matched[0]}"`);
      const seen = phrases.get(concept) ?? new Set<string>();
      for (const phrase of matched) seen.add(phrase);
      phrases.set(concept, seen);
    }
  }
  for (const [concept, seen] of phrases) {
    const corroboration = 1 + CORROBORATION_STEP * Math.min(MAX_CORROBORATING, seen.size - 1);
    values.set(concept, (values.get(concept) ?? 0) * corroboration);
  }
  for (const combination of combinations) {
    const parts = combination.all.map((concept) => values.get(concept) ?? 0);
    const strength = Math.min(...parts);
    if (strength > 0) {
      values.set(combination.id, Math.min(1, strength));
      evidence.set(combination.id, combination.all.map((concept) => evidence.get(concept)).join(' + '));
    }
  }

  if (mail.calendars.some((calendar) => calendar.method.toUpperCase() === 'REQUEST')) {
    note('ics:METHOD:REQUEST', 1, 'ics:METHOD:REQUEST');
  }
  const subject = mail.subject;
  if (REPLY_PREFIX.test(subject)) note('thread:reply', 1, 'thread:reply');
  if (FORWARD_PREFIX.test(subject)) note('thread:forward', 1, 'thread:forward');
  const mailbox = fold(context.functionalAddress.split('@')[0] ?? '').replace(/[^a-z0-9]+/g, '-');
  if (mailbox) note(`address:${mailbox}`, 1, `address:${mailbox}`);
  return { values, evidence };
}

/** Every text a person would read, tagged with where it came from. */
function readableTexts(mail: InboundMail): Array<[Source, string, boolean]> {
  const texts: Array<[Source, string, boolean]> = [];
  const subject = mail.subject.replace(REPLY_PREFIX, '').replace(FORWARD_PREFIX, '');
  texts.push(['subject', subject, false]);
  if (mail.from?.name) texts.push(['sender', mail.from.name, false]);
  const { fresh, quoted } = segmentBody(mail.text);
  texts.push(['body', fresh, false]);
  if (quoted) texts.push(['quoted', quoted, false]);
  for (const calendar of mail.calendars) {
    texts.push([
      'ics',
      [calendar.summary, calendar.description, calendar.location, calendar.organizer].join('\n'),
      false,
    ]);
  }
  const names = mail.attachments.map((attachment) => attachment.filename.replace(/\.[a-z0-9]{1,5}$/i, ''));
  if (names.length > 0) texts.push(['attachment-name', names.join('\n'), true]);
  for (const attached of mail.attachedTexts) {
    if (attached.source === 'forwarded-message') {
      const parts = segmentBody(attached.text);
      texts.push(['forwarded', `${parts.fresh}\n${parts.quoted}`, false]);
    } else {
      texts.push([attached.source === 'pdf' ? 'pdf' : 'attachment', attached.text, false]);
    }
  }
  return texts;
}
