// core (pure): InboundMail --> is this mail written by a machine? Step 5 of DESIGN.md.
// Automated mail is logged but never forwarded or answered: forwarding it to staff is noise, and
// answering it is how mail loops start (RFC 3834). A person's mail suppressed is the worst error the
// router can make (nobody ever reads it), so only what a machine alone writes decides: RFC 3834
// headers, a delivery or read report, a null return path, a calendar's own answer, a list manager's
// notice. Words a person may also write (a subject opening "Out of office", "Accepted:") count only
// together with other evidence, and when they stand alone a person looks at the message (triage).
import type { AutoReplyBodyKind } from './automated-phrases.js';
import {
  type BodyPhrase,
  type CompiledAutomatedPhrases,
  FIRST_WORD,
  foldForMatching,
  type MachineKind,
  type Opening,
  RUN_SCRIPTS,
  textKey,
} from './automated-tables.js';
import { readBody } from './classify/body-reading.js';
import { namesVisitOrEvent } from './classify/features.js';
import { countWords, fold, tokens, wordCount } from './classify/normalize.js';
import { readShippedTable } from './shipped-table.js';
import { isReplyOrForwardSubject, isReplySubject, REPLY_PREFIX } from './subject-prefixes.js';
import type { AutomatedVerdict, InboundMail } from './types.js';

interface SubjectCue {
  kind: MachineKind;
  language: string;
  phrase: string;
  /**
   * The opening is followed by nothing or by a separator ("Automatic reply: ...", "Delivery Status
   * Notification (Failure)"), as generators write it; not by more words of a sentence ("Out of office
   * hours reception for ...").
   */
  labelled: boolean;
  /**
   * The opening is followed only by the day the absence lasts until ("Absente jusqu'au 13 avril",
   * "Afwezig tot 8 december"): a responder's subject too when its body is a responder's.
   */
  untilADate: boolean;
  /** A word people also open their own subjects with ("Absence", "Fravær"): only a responder's body confirms it. */
  everyday: boolean;
}

/**
 * An auto-reply's body is short; a person's letter that happens to say "out of office", or pastes a
 * colleague's auto-reply, is not. The longest of the 183 responders the blind data's bodies decide has 80
 * words; a re-sent invitation that pasted one (batch 196) had 112.
 */
const MAX_AUTO_REPLY_WORDS = 100;
/** A body this short says nothing a person would route: "toto", an empty Outlook answer. */
const MAX_EMPTY_WORDS = 5;
/** An attendee's note from this long on may carry a request ("Accepted, but may I bring ..."). */
const MIN_CALENDAR_COMMENT_WORDS = 6;
/**
 * An attendee's answer to an invitation (RFC 5546): REPLY accepts or declines, COUNTER ("New Time
 * Proposed:") declines the time and offers another, which a short decline asking only to move the
 * meeting is too (answersInAFewWords).
 */
const ATTENDEE_ANSWERS = new Set(['REPLY', 'COUNTER']);
/**
 * How long an answer's note may be and still be the calendar's answer with a few words attached, and
 * what it may say. A no or a maybe commits to nothing a visit or event needs: a reason, a stand-in or a
 * wish to move the meeting ("Lo siento, ese día estoy en Bruselas. ¿Podemos moverla al jueves?") fits
 * in 30 words. A yes may bring what a visit needs ("La delegación será de cuatro personas, no necesitamos
 * intérprete."): only a line of ten words or fewer that asks nothing and names nothing of a visit or an
 * event ("Jag kommer, men kan behöva gå 15.30.", "Looking forward to it – I will dial in from
 * Brussels.") is the calendar's. In blind batches 1–570 every acceptance whose note is such a line is
 * labelled automated (those of 7–10 words, in batches 77, 547 and 552, were sent to a person before);
 * every acceptance labelled a person's has a note of 14 words or more ("A főpolgármester úr delegációja
 * 4 főből áll, tolmácsra nincs szükség …") or a typed letter that asks.
 */
const SHORT_ANSWER_NOTES: ReadonlyMap<string, { maxWords: number; fits: (note: string) => boolean }> =
  new Map([
    ['DECLINED', { maxWords: 30, fits: asksOnlyToMove }],
    ['TENTATIVE', { maxWords: 30, fits: asksOnlyToMove }],
    ['ACCEPTED', { maxWords: 10, fits: (note: string) => !asks(note) && !namesVisitOrEvent(note) }],
  ]);
/** Google Calendar writes an answer's whole body itself, in the guest's language; a guest's note is X-RESPONSE-COMMENT. */
const GOOGLE_CALENDAR = /\/\/google inc\/\/google calendar/i;
/** Question marks: Latin's, Spanish's opening one, CJK's full-width one, Arabic's (Greek's ";" also ends clauses). */
const QUESTION_MARK = /[?？¿؟]/;
/**
 * Where a sentence ends; a Spanish question's "¿" stays with the words it opens, and a date's ordinal
 * point ("til 15. januar?") ends nothing.
 */
const SENTENCE_END = /(?<=[!?。！？؟\n]|(?<!\d)\.)/;
/**
 * A calendar answer whose typed body is this long, not counting its restatement of the event, was
 * written by the attendee ("Thank you, I will attend. I will be accompanied by our Defence Attaché …",
 * 18 words). Over blind batches 1–276 no calendar's own body reached it once restatements were left out.
 */
const MIN_CALENDAR_BODY_WORDS = 15;

/**
 * The phrase tables of automated-phrases.ts as `npm run lexicons` compiled them (automated-tables.ts), read
 * as data from their file, not bundled as code (shipped-table.ts).
 */
export const COMPILED_AUTOMATED_PHRASES = readShippedTable(
  new URL('./automated-phrases.compiled.json', import.meta.url),
  'the compiled automated-mail phrases',
  'npm run lexicons',
) as CompiledAutomatedPhrases;
/** The openings by their first word: a subject is tried only against those that can match it. */
const OPENINGS_BY_FIRST_WORD = new Map(Object.entries(COMPILED_AUTOMATED_PHRASES.openingsByFirstWord));
const AWAY_SUBJECT_WORDS = new Set(COMPILED_AUTOMATED_PHRASES.awaySubjectWords);
const AWAY_SUBJECT_ENDINGS = COMPILED_AUTOMATED_PHRASES.awaySubjectEndings;
/**
 * Each opening's regular expression, compiled the first time a subject starting with its first word is
 * read: a Unicode pattern with `\p{L}` classes costs ~0.2 ms to build, and building all 555 at import
 * was a third of the Lambda's cold start.
 */
const OPENING_PATTERNS = new WeakMap<Opening, RegExp>();
const {
  listNoticeSubjects: LIST_NOTICE_SUBJECTS,
  listNoticeBodies: LIST_NOTICE_BODIES,
  calendarReplyBodies: CALENDAR_REPLY_BODIES,
  autoReplyBodies: AUTO_REPLY_BODIES,
  concessions: CONCESSIONS,
  receiptAcknowledgements: RECEIPT_ACKNOWLEDGEMENTS,
  rescheduleRequests: RESCHEDULE_REQUESTS,
  untilBeforeADate: UNTIL_BEFORE_A_DATE,
  untilAfterADate: UNTIL_AFTER_A_DATE,
  months: MONTHS,
} = COMPILED_AUTOMATED_PHRASES;

/**
 * How the word "automatic" begins in the 33 languages of the phrase tables ("automatisch", "auto-reply",
 * "autosvar", "automaattinen", "sjálfvirkt", "samodejno", "uathoibríoch", "автоматичен", "αυτόματη",
 * "تلقائي", "自動", "자동"), folded as the text key is (Arabic's hamza seat and Greek's accent drop).
 */
const AUTOMATIC_STEMS = [
  'automat',
  'automaat',
  'auto ?repl',
  'auto ?respon',
  'autosvar',
  'sjálfvirk',
  'samodejn',
  'avtomat',
  'awtomatik',
  'uathoibríoch',
  'otomatik',
  'автомат',
  'αυτόματ',
  '자동',
  'تلقائي',
];
const AUTOMATIC = new RegExp(` (${AUTOMATIC_STEMS.map(fold).join('|')})|自 [動动]`, 'u');

const MACHINE_SENDER_LOCAL_PARTS = /^(mailer-daemon|postmaster|mail-daemon|maildelivery|mailerdaemon)$/i;
/** Addresses a list manager sends its own notices from (Mailman, Sympa, Majordomo, LISTSERV). */
const LIST_MANAGER_LOCAL_PARTS =
  /^(owner-.+|.+-(owner|bounces|request)(\+.*)?|mailman|sympa|majordomo|listserv|listproc)$/i;
/** "noreply", and its translations a desk's address is written in ("ne-pas-repondre", "nao-responder"). */
const NO_REPLY_LOCAL_PARTS =
  /^(no-?reply|do-?not-?reply|ne-?pas-?repondre|nao-?responder|no-?responder|nicht-?antworten|svara-?inte|ikke-?svar|non-?rispondere|nie-?odpowiadaj|ei-?vastaa|noreply[-.+].*|.*[-.]no-?reply|auto-?reply)$/i;

export function detectAutomated(mail: InboundMail): AutomatedVerdict {
  const generated = generatedNotice(mail);
  const reasons = decisiveEvidence(mail, generated !== undefined);
  if (reasons.length > 0) return { automated: true, reasons: generated ? [generated, ...reasons] : reasons };
  const verdict = readAsResponder(mail, generated !== undefined);
  if (!generated) return verdict;
  // A machine's notice that also reads as an answer of its kind (a responder's subject, an away notice,
  // a calendar answer, a list's notice) is one; a notice that reads as nothing else may be a programme
  // portal's reminder of a report due: staff must see it, so it is not suppressed (decide.ts).
  if (verdict.automated) return { ...verdict, reasons: [generated, ...verdict.reasons] };
  if (verdict.doubts?.length) {
    const withoutAlone = verdict.doubts.map((reason) =>
      reason.endsWith(ALONE) ? reason.slice(0, -ALONE.length) : reason,
    );
    return { automated: true, reasons: [generated, ...withoutAlone] };
  }
  return doubt(`${generated}${ALONE}`, 'generated');
}

/** Ends a doubt's reason when its cue is the only machine-like thing in the message. */
const ALONE = ', nothing else automated';

/**
 * RFC 3834's `auto-generated` (and the older `auto-notified`): a machine's notice of its own, not an
 * answer to a message. Ticket updates and list notices carry it, and so do the reminders of the EU
 * programmes' portals ("partner report due 30 September"), which a unit must not miss.
 */
function generatedNotice(mail: InboundMail): string | undefined {
  const value = firstWord(mail.headers.autoSubmitted.toLowerCase());
  return value === 'auto-generated' || value === 'auto-notified'
    ? `header:auto-submitted=${value}`
    : undefined;
}

/** The verdict on a message without a header that decides alone: its subject, body and calendar. */
function readAsResponder(mail: InboundMail, generated: boolean): AutomatedVerdict {
  // The classifier reads the same body after this: split and tokenised once for both (body-reading.ts).
  const body = readBody(mail);
  const freshWords = countWords(body.freshWords);
  // The new text as one string for the phrase scans, joined only when a scan reads it (a long letter is
  // settled by its word count and subject alone).
  let joined: string | undefined;
  const freshKey = () => {
    joined ??= wordsKey(body.freshWords);
    return joined;
  };
  const cue = subjectCue(mail.subject);
  const responder = responderKinds(freshKey, noteLength(body.fresh, freshWords), body.fresh);
  // Each kind's evidence is gathered when a branch below reads it: most mail reads only the list notice's.
  const support = (kind: MachineKind) => supportingEvidence(mail, freshKey, freshWords, responder, kind);
  const answer = mail.calendars.find((calendar) => ATTENDEE_ANSWERS.has(calendar.method));

  if (answer) {
    const method = `calendar:method=${answer.method.toLowerCase()}`;
    const comment = attendeeComment(mail, body.fresh, freshKey, freshWords);
    if (!comment) return { automated: true, reasons: [method, ...support('calendar-reply')] };
    const shortAnswer = answersInAFewWords(mail, body.fresh, freshKey);
    if (shortAnswer) {
      return { automated: true, reasons: [method, `calendar:${shortAnswer} with a short note`] };
    }
    return doubt(`${method} with the attendee's words`, 'calendar');
  }

  const fromListManager = LIST_MANAGER_LOCAL_PARTS.test(senderLocalPart(mail));
  const listNoticeSubject = isListNoticeSubject(mail.subject);
  // Read below only from a list manager, under a list notice's subject or for a list-notice subject cue.
  const listNotice =
    fromListManager || listNoticeSubject || cue?.kind === 'list-notice' ? support('list-notice') : [];
  // A list manager's address that marks its message as its own notice (Sympa's "Confirm your
  // subscription to list …", a -request address's command report) is administrivia, whatever it says.
  if (fromListManager && (listNotice.length > 0 || generated)) {
    return { automated: true, reasons: ['sender:list-manager', ...listNotice] };
  }
  if (
    listNoticeSubject &&
    listNotice.some((reason) => reason !== 'subject:list-notice' && !reason.startsWith('header:precedence'))
  ) {
    return { automated: true, reasons: listNotice };
  }
  if (listNoticeSubject) {
    return doubt(`subject:list-notice${ALONE}`, 'list-notice');
  }

  // A service desk's or registry's acknowledgement ("Your request has been registered under
  // INC0847213", "Hemos recibido su consulta") comes under a subject of its own and may hold a question
  // of its FAQ; persons write "we have received your invitation" too, but not beside a machine's mark:
  // its header, the text naming itself automatic or saying nobody reads answers, a no-reply address.
  if (acknowledgesReceipt(freshKey, freshWords, isReplyOrForwardSubject(mail.subject) ? '' : mail.subject)) {
    const machineMarks = [
      ...(responder.includes('self') || responder.includes('no-reply') ? [responderReason(responder)] : []),
      ...(!responder.includes('self') && AUTOMATIC.test(freshKey()) ? ['body:names-itself-automatic'] : []),
      ...noReplySender(mail),
    ];
    if (generated || machineMarks.length > 0) {
      return { automated: true, reasons: [...machineMarks, 'body:receipt-acknowledgement'] };
    }
  }

  // Responders without headers often answer under the thread's own subject ("Odp: ...") or an
  // everyday one ("Afwezig tot 8 december"): a short body that calls itself automatic ("your
  // message will not be forwarded") and says more of a responder (away, back, who answers
  // meanwhile) decides, which a person's reply does not do. So does, in an answer to a message of
  // ours, saying "do not reply to this" (a registry's acknowledgement) or naming itself automatic
  // (a department's "Това е автоматичен отговор" over its reduced staffing) and asking nothing, or
  // opening with that name whatever it asks after ("Dit is een automatisch gegenereerd bericht." over
  // an FAQ's "Heeft u een vraag over subsidies?"): portals that deliver a letter say both too, but
  // under a subject of their own; a person may write "your message will not be forwarded to the Mayor
  // yet", but not "automatic", and may quote "this is an automatic reply" with a question, but does
  // not open their own letter with it.
  const saysMoreOfResponder = responder.some(
    (kind) => kind === 'absence' || kind === 'return' || kind === 'meanwhile',
  );
  // iCloud's and some servers' responders keep the subject as it was and answer only in their headers.
  const answers =
    isReplySubject(mail.subject) || (mail.inReplyTo !== undefined && !isReplyOrForwardSubject(mail.subject));
  const unanswerableAnswer = responder.includes('no-reply') && answers;
  // Read only when a branch below needs them: most replies are letters that settle nothing here.
  const answersWithoutAsking = () => answers && !asksSomething(body.fresh);
  const namesItselfAutomatic = () =>
    answers &&
    AUTOMATIC.test(freshKey()) &&
    (answersWithoutAsking() || opensNamingItselfAutomatic(body.fresh));
  if (responder.includes('self') && (saysMoreOfResponder || unanswerableAnswer || namesItselfAutomatic())) {
    const responderBody = responderReason(responder);
    const evidence = saysMoreOfResponder ? [responderBody] : ['subject:reply', responderBody];
    return { automated: true, reasons: cue ? [cueReasonOf(cue), ...evidence] : evidence };
  }
  const endsAbsence = () => freshWords <= MAX_UNTIL_NOTE_WORDS && saysUntilADate(body.freshWords);
  const awayNotice = awayNoticeVerdict(responder, answers, body.fresh, freshKey, endsAbsence);
  if (!cue) return awayNotice;
  const cueReason = cueReasonOf(cue);
  const cueSupport = cue.kind === 'list-notice' ? listNotice : support(cue.kind);
  const corroboration = cue.everyday
    ? cueSupport.filter((reason) => reason.startsWith('body:auto-reply'))
    : cueSupport;
  if ((cue.labelled || cue.untilADate) && corroboration.length > 0) {
    // "Frånvaro: Re: Slutrapport ESF+ …" over "Jag är på semester men såg ert mejl … Kan någon av er ta
    // det?": a person who labels their own letter as an absence and still writes; only the body backs
    // the label, and it asks or concedes, which no responder does.
    const onlyTheBodyBacksIt = corroboration.every((reason) => AWAY_BODY_REASON.test(reason));
    if (onlyTheBodyBacksIt && writesDespiteAbsence(body.fresh, freshKey)) {
      return doubt(`${cueReason} over ${corroboration.join(', ')}, asking or conceding`, 'subject');
    }
    return { automated: true, reasons: [cueReason, ...corroboration] };
  }
  // A labelled opening alone, or an unlabelled one over a responder's body: a person decides.
  if (cue.labelled) return doubt(`${cueReason}${ALONE}`, 'subject');
  if (corroboration.some((reason) => reason.startsWith('body:'))) {
    return doubt(`${cueReason} over ${corroboration.join(', ')}`, 'subject');
  }
  // A machine's own notice that opens with a failure's words as a sentence ("Nie udało się dostarczyć
  // wiadomości do grupy …"): the header says a machine wrote it, the subject says which kind.
  if (generated && !cue.everyday) return doubt(cueReason, 'subject');
  return awayNotice;
}

/**
 * A short new text that says only that its writer is away and when they are back or who answers
 * meanwhile, without calling itself automatic. As an answer that asks nothing and concedes nothing it
 * is a responder's: all 61 such notes in blind batches 1–204 were, and the two persons' letters there
 * that spoke of a holiday asked a question. A note that asks ("could we move it?"), concedes ("I am on
 * leave, but wanted to confirm that the Mayor arrives on 12 May") or is no answer was written by a
 * person despite the absence, or may have been: it says nothing of the thread it answers, so it is
 * not routed as the thread's topic, and a person of the triage group looks at it.
 */
function awayNoticeVerdict(
  responder: AutoReplyBodyKind[],
  answers: boolean,
  fresh: string,
  freshKey: () => string,
  endsAbsence: () => boolean,
): AutomatedVerdict {
  const says = (kind: AutoReplyBodyKind) => responder.includes(kind);
  // "Jestem poza biurem do 12.01.": the end date tells the return when no return phrase does. It serves
  // here only, for an answer's body: under a responder's own subject, "Jag är ledig till och med 12 maj"
  // is a person's one line as well (issue #16), and a person decides.
  const endDated = !says('return') && (says('absence') || says('meanwhile')) && endsAbsence();
  const returns = says('return') || endDated;
  const away = says('absence') && (returns || says('meanwhile'));
  // "Jeg har høstferie og er tilbake 5. januar. E-posten blir ikke videresendt.": an absence in words
  // the tables lack, told by its return and what happens meanwhile. Without the absence named, only
  // the plain notice is one; a letter that says as much and more is a person's, left to its group.
  const awayUnnamed = !says('absence') && returns && says('meanwhile');
  if (!away && !awayUnnamed) return { automated: false, reasons: [] };
  const notice = responderReason(endDated ? [...responder, 'end-date'] : responder, 'away-notice');
  if (answers && !writesDespiteAbsence(fresh, freshKey)) {
    return { automated: true, reasons: ['subject:reply', notice] };
  }
  return away ? doubt(notice, 'body') : { automated: false, reasons: [] };
}

/** A responder's body read without its naming itself automatic ("body:auto-reply(absence+return)"). */
const AWAY_BODY_REASON = /^body:auto-reply\((?![^)]*\bself\b)/;

/** A letter that asks something or concedes ("but wanted to confirm") was written despite the absence. */
function writesDespiteAbsence(fresh: string, freshKey: () => string): boolean {
  return asksSomething(fresh) || CONCESSIONS.some(phraseIn(freshKey()));
}

/** A desk's acknowledgement carries its reference and opening hours, rarely more than this. */
const MAX_RECEIPT_WORDS = 200;

/** Whether a short text, or the subject of its own it came under ("Bekräftelse: Vi har tagit emot ditt meddelande"), acknowledges receipt. */
function acknowledgesReceipt(freshKey: () => string, freshWords: number, ownSubject: string): boolean {
  if (freshWords > MAX_RECEIPT_WORDS) return false;
  // A desk writes its reference into the sentence ("Your request (48213) has been received").
  const withoutReferences = (key: string) => key.replace(REFERENCE_NUMBERS, '');
  return [freshKey(), textKey(ownSubject)].some((key) =>
    RECEIPT_ACKNOWLEDGEMENTS.some(phraseIn(withoutReferences(key))),
  );
}

/** A reference in a text key: any word with a digit in it ("48213", "inc0847213", "tvv 2025 118734"). */
const REFERENCE_NUMBERS = / (?=[\p{L}]*\d)[\p{L}\d]+(?= )/gu;

/** Not automated, but a person of the triage group should look; `from` says what the doubt rests on. */
function doubt(reason: string, from: NonNullable<AutomatedVerdict['doubtFrom']>): AutomatedVerdict {
  return { automated: false, reasons: [], doubts: [reason], doubtFrom: from };
}

function cueReasonOf(cue: SubjectCue): string {
  return `subject:"${cue.phrase}" (${cue.language})`;
}

/** What a short new text says of a responder's kinds (self, absence, return, meanwhile). */
function responderKinds(joinedWords: () => string, freshWords: number, fresh: string): AutoReplyBodyKind[] {
  if (freshWords > MAX_AUTO_REPLY_WORDS) return [];
  const says = phraseIn(joinedWords());
  const kinds = AUTO_REPLY_BODIES.filter(({ phrases }) => phrases.some(says)).map(({ kind }) => kind);
  if (!kinds.includes('self') && labelsItself(fresh)) kinds.unshift('self');
  return kinds;
}

/**
 * How long a note is when its translations are not counted. Responders without headers say their note
 * in two or three languages ("Táim as an oifig go dtí Dé Luain, 8 Meitheamh 2026 …", then "I am out of
 * the office until Monday 8 June 2026 …"), each short, together past the responder's limit. A
 * paragraph that announces the absence again and gives only numbers and addresses the text before it
 * already gave is the same note in another language; a person's paragraphs bring something new.
 */
function noteLength(fresh: string, freshWords: number): number {
  if (freshWords <= MAX_AUTO_REPLY_WORDS) return freshWords;
  const given = new Set<string>();
  let translated = 0;
  for (const paragraph of fresh.split(/\n\s*\n/)) {
    const invariants = paragraph.match(INVARIANTS) ?? [];
    const repeats = invariants.length > 0 && invariants.every((invariant) => given.has(invariant));
    if (repeats && ABSENCE_PHRASES.some(phraseIn(textKey(paragraph)))) translated += wordCount(paragraph);
    for (const invariant of invariants) given.add(invariant);
  }
  return freshWords - translated;
}

/** What a translation keeps as it was: e-mail addresses and numbers ("8", "2026", "091"). */
const INVARIANTS = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]+|\p{Nd}+/gu;

/**
 * An end date counts as a responder's return only in a note this short: persons write "I'm on leave
 * until 14 April, so short answer: yes, we still need the letter" too, at 80-100 words (three such
 * letters in blind batches 1-460 would have been suppressed at the responder's 100-word limit).
 */
const MAX_UNTIL_NOTE_WORDS = 40;

/** How many words may stand between an until-word and its date ("bis zum 12.", "hasta el 7 de enero"). */
const UNTIL_FILLER_WORDS = 2;

/**
 * Whether the words name an end date with an until-word ("kuni 7.8", "do 12. 8.", "until 7 Jan",
 * "20.7. asti", "1月7日まで"): how an away note tells its return when it does not say "I am back on".
 * A day needs its month beside it, so "till 15 personer" or "do 12 osób" is no date, nor is a phone
 * number ("till 08 508 ...").
 */
function saysUntilADate(words: readonly string[]): boolean {
  return words.some((_, index) => untilADateAt(words, index));
}

/** Whether an until-word and its date start at this word. */
function untilADateAt(words: readonly string[], index: number): boolean {
  if (endOfUntilBeforeADate(words, index) !== undefined) return true;
  for (const until of UNTIL_AFTER_A_DATE) {
    if (!startsAt(words, index, until)) continue;
    for (let start = Math.max(0, index - 3); start < index - 1; start++)
      if (dateAt(words, start)) return true;
  }
  // Korean runs the day onto its "until" ("7일까지").
  return /^\d{1,2}일까지$/u.test(words[index] ?? '');
}

/** Where an until-word at this word and the date it leads to end ("bis zum 12. 8." → after "8"). */
function endOfUntilBeforeADate(words: readonly string[], index: number): number | undefined {
  for (const until of UNTIL_BEFORE_A_DATE) {
    if (!startsAt(words, index, until)) continue;
    const after = index + until.length;
    for (let skip = 0; skip <= UNTIL_FILLER_WORDS; skip++) {
      const length = dateLengthAt(words, after + skip);
      if (length > 0) return after + skip + length;
      if (!isFiller(words[after + skip])) break;
    }
  }
  return undefined;
}

/**
 * Words that say only the day an absence lasts until, and perhaps its year or "inclus" ("jusqu'au 13
 * avril", "bis 13. April 2026"), not what the letter is about ("until 12 May - courtesy call request").
 */
function isOnlyAnEndDate(words: readonly string[]): boolean {
  const end = endOfUntilBeforeADate(words, 0);
  return end !== undefined && words.length - end <= MAX_WORDS_AFTER_AN_END_DATE;
}
const MAX_WORDS_AFTER_AN_END_DATE = 1;

function startsAt(words: readonly string[], index: number, phrase: readonly string[]): boolean {
  return phrase.every((word, offset) => words[index + offset] === word);
}

/** A day beside its month at this word: "12 8", "7 jan", "aug 7", "1 月", "3 de agosto". */
function dateAt(words: readonly string[], index: number): boolean {
  return dateLengthAt(words, index) > 0;
}

/** How many words the date at this word takes: 2, 3 with a word between day and month, 0 for none. */
function dateLengthAt(words: readonly string[], index: number): number {
  const [first, second, third] = [words[index], words[index + 1], words[index + 2]];
  if (first === undefined || second === undefined) return 0;
  if ((isDay(first) && isMonth(second)) || (isMonthName(first) && isDay(second))) return 2;
  return isDay(first) && MONTH_LINKS.has(second) && third !== undefined && isMonthName(third) ? 3 : 0;
}

/** The word some languages set between a day and its month ("3 de agosto", "7 of January"). */
const MONTH_LINKS = new Set(['de', 'of', 'ta', 'del']);

/** A number of one or two digits from 1 to `most`: a day (31) or a month (12) as dates write them. */
function numberUpTo(word: string, most: number): boolean {
  return /^\d{1,2}$/.test(word) && Number(word) >= 1 && Number(word) <= most;
}

function isDay(word: string): boolean {
  return numberUpTo(word, 31);
}

function isMonth(word: string): boolean {
  return numberUpTo(word, 12) || isMonthName(word);
}

function isMonthName(word: string): boolean {
  return !/\d/.test(word) && MONTHS.some((month) => word.startsWith(month));
}

/** An article or preposition between an until-word and its date ("zum", "el", "the", "dnia"). */
function isFiller(word: string | undefined): boolean {
  return word !== undefined && !/\d/.test(word) && word.length <= 4;
}

/** Whether a text key (textKey) holds a phrase: as whole words, or inside a Chinese, Japanese, Korean run. */
function phraseIn(key: string): (phrase: BodyPhrase) => boolean {
  const words = new Set(key.split(' '));
  const hasRun = RUN_SCRIPTS.test(key);
  return ({ key: phrase, firstWord, inRun }) =>
    inRun ? hasRun && key.includes(phrase) : words.has(firstWord) && key.includes(phrase);
}

/** How many of a text's first lines may hold its opening (a greeting may come first). */
const OPENING_LINES = 2;
/** The body phrases of one kind a responder says. */
function bodyPhrasesOf(kind: AutoReplyBodyKind): readonly BodyPhrase[] {
  return AUTO_REPLY_BODIES.find((body) => body.kind === kind)?.phrases ?? [];
}
/** What a responder says of itself ("this is an automatic reply"). */
const SELF_PHRASES = bodyPhrasesOf('self');
/** What a responder says of its writer's absence ("I am out of the office"). */
const ABSENCE_PHRASES = bodyPhrasesOf('absence');

/** One of the text's first lines begins with what a machine says of itself ("Dit is een automatisch …"). */
function opensNamingItselfAutomatic(fresh: string): boolean {
  const opening = fresh
    .split('\n')
    .map((line) => textKey(line))
    .filter((key) => key.trim() !== '')
    .slice(0, OPENING_LINES);
  return opening.some(
    (key) =>
      AUTOMATIC.test(key) &&
      SELF_PHRASES.some((phrase) => (phrase.inRun ? key.trim() : key).startsWith(phrase.key)),
  );
}

/** Longer lines are sentences ("Thank you for your automatic reply"), not a responder's label. */
const MAX_LABEL_LINE_LENGTH = 60;
let autoReplyLabels: ReadonlySet<string> | undefined;

/**
 * A line that is nothing but an auto-reply label, "(automatiskt svar)", "[Automatic reply]",
 * "Automatische Antwort": the responder names itself as surely as "this is an automatic reply" does.
 * The labels are the auto-reply subject openings (not the everyday away words), built on first use.
 */
function labelsItself(fresh: string): boolean {
  autoReplyLabels ??= new Set(
    [...OPENINGS_BY_FIRST_WORD.values()]
      .flat()
      .filter((opening) => opening.kind === 'auto-reply' && !opening.everyday)
      .map((opening) => textKey(opening.phrase).trim()),
  );
  const labels = autoReplyLabels;
  return fresh
    .split('\n')
    .some((line) => line.trim().length <= MAX_LABEL_LINE_LENGTH && labels.has(textKey(line).trim()));
}

function responderReason(
  kinds: readonly (AutoReplyBodyKind | 'end-date')[],
  what: 'auto-reply' | 'away-notice' = 'auto-reply',
): string {
  return `body:${what}(${kinds.join('+')})`;
}

/** What only a machine writes: each of these alone marks the message automated. */
function decisiveEvidence(mail: InboundMail, autoSubmittedIsNotice: boolean): string[] {
  const reasons: string[] = [];
  const { headers } = mail;

  const autoSubmitted = headers.autoSubmitted.toLowerCase();
  // RFC 3834: any value but "no" marks a machine's message; a notice of its own (generatedNotice)
  // decides only with more.
  if (autoSubmitted && !/^no\b/.test(autoSubmitted) && !autoSubmittedIsNotice)
    reasons.push(`header:auto-submitted=${firstWord(autoSubmitted)}`);
  if (headers.xAutoreply) reasons.push('header:x-autoreply');
  if (headers.xAutorespond) reasons.push('header:x-autorespond');
  // Precedence: bulk/list alone marks newsletters, which people write and staff may need; only the
  // responder values are decisive.
  if (/^(auto_reply|auto-reply|autoreply|junk)$/i.test(headers.precedence)) {
    reasons.push(`header:precedence=${headers.precedence.toLowerCase()}`);
  }
  // Mailman marks the notices it writes itself (held, rejected, reminders), never a member's post.
  if (/^yes\b/i.test(headers.listAdministrivia)) reasons.push('header:x-list-administrivia=yes');
  if (headers.xRicevuta) reasons.push(`header:x-ricevuta=${firstWord(headers.xRicevuta.toLowerCase())}`);

  const reportType = /^multipart\/report\b.*report-type="?([a-z-]+)/.exec(headers.contentType)?.[1];
  if (reportType === 'delivery-status') reasons.push('mime:delivery-status-report');
  if (reportType === 'disposition-notification') reasons.push('mime:read-receipt');

  const localPart = senderLocalPart(mail);
  if (MACHINE_SENDER_LOCAL_PARTS.test(localPart)) reasons.push(`sender:${localPart.toLowerCase()}`);
  // RFC 5321 4.5.5: the null reverse-path is for notifications, never for a person's mail.
  if (/^<\s*>$/.test(headers.returnPath.trim())) reasons.push('header:return-path=<>');
  return reasons;
}

/**
 * Evidence that is not decisive alone, for the kind of machine it points at. Read per kind, only when a
 * decision needs it: the calendar-answer phrases are thirty-odd scans of the whole new text.
 */
function supportingEvidence(
  mail: InboundMail,
  freshKey: () => string,
  freshWords: number,
  responder: AutoReplyBodyKind[],
  kind: MachineKind,
): string[] {
  if (kind === 'list-notice') {
    const list: string[] = [];
    if (mail.headers.listId) list.push('header:list-id');
    if (/^(bulk|list)$/i.test(mail.headers.precedence))
      list.push(`header:precedence=${mail.headers.precedence}`);
    if (isListNoticeSubject(mail.subject)) list.push('subject:list-notice');
    const key = freshKey();
    if (LIST_NOTICE_BODIES.some((phrase) => key.includes(phrase))) list.push('body:list-notice');
    return list;
  }
  const nearlyEmpty = freshWords <= MAX_EMPTY_WORDS && !hasDocuments(mail) ? ['body:empty'] : [];
  if (kind === 'auto-reply') {
    const autoReply = responder.includes('self') || responder.length >= 2 ? [responderReason(responder)] : [];
    return [...autoReply, ...nearlyEmpty, ...noReplySender(mail), ...exchangeResponderHeaders(mail)];
  }
  const key = freshKey();
  const calendar = isCalendarsOwnBody(mail, key) ? ['body:calendar-reply'] : [];
  return [...calendar, ...nearlyEmpty, ...noReplySender(mail)];
}

/** A sender whose address says nobody reads answers to it ("noreply@", "ne-pas-repondre@"). */
function noReplySender(mail: InboundMail): string[] {
  return NO_REPLY_LOCAL_PARTS.test(senderLocalPart(mail)) ? ['sender:no-reply'] : [];
}

/** Exchange's marks on what a responder or an inbox rule sent (AutomationHeaders). */
function exchangeResponderHeaders(mail: InboundMail): string[] {
  const { xAutoResponseSuppress, xMsExchangeInboxRulesLoop } = mail.headers;
  return [
    ...(xAutoResponseSuppress ? ['header:x-auto-response-suppress'] : []),
    ...(xMsExchangeInboxRulesLoop ? ['header:x-ms-exchange-inbox-rules-loop'] : []),
  ];
}

/** A list manager's subject ("Your message awaits moderator approval"), not a reply or forward of one. */
function isListNoticeSubject(subject: string): boolean {
  if (isReplyOrForwardSubject(subject)) return false;
  const subjectKey = textKey(subject);
  return LIST_NOTICE_SUBJECTS.some((phrase) => subjectKey.includes(phrase));
}

/**
 * A calendar's answer whose note is a line attached to it (SHORT_ANSWER_NOTES): the calendar's own
 * answer, which blind writers labelled automated in all 23 such declines of batches 1–324, all 4 such
 * tentative answers of batches 1–535 and every such acceptance of batches 1–570. A note that asks
 * anything else ("Could you send the agenda?") or is a letter of its own stays with a person.
 * Returns the answer's name ("declined", "tentative", "accepted") when it is one.
 */
function answersInAFewWords(mail: InboundMail, fresh: string, freshKey: () => string): string | undefined {
  const replies = mail.calendars.filter((calendar) => calendar.method === 'REPLY');
  const status = replies.find((calendar) =>
    SHORT_ANSWER_NOTES.has(calendar.attendeeStatus ?? ''),
  )?.attendeeStatus;
  const limits = SHORT_ANSWER_NOTES.get(status ?? '');
  if (!status || !limits) return undefined;
  const note = attendeeNote(replies);
  // Google Calendar's body is its own text around the note (guests, links with "?", "Forwarding this
  // invitation could allow …"): nobody typed it, so the note alone is what the attendee wrote.
  const typed = isCalendarsOwnBody(mail, freshKey()) ? '' : fresh;
  const fewWords =
    Math.max(wordCount(note), typed ? typedWords(mail, typed) : 0) <= limits.maxWords &&
    limits.fits(note) &&
    limits.fits(typed);
  return fewWords ? status.toLowerCase() : undefined;
}

/** Each question of a text asks to move the meeting; a text without questions asks nothing else either. */
function asksOnlyToMove(text: string): boolean {
  return questions(text).every((question) => RESCHEDULE_REQUESTS.some(phraseIn(textKey(question))));
}

/** A question asks for an answer, which no machine's answer does. */
function asks(text: string): boolean {
  return QUESTION_MARK.test(text);
}

/**
 * Whether a text asks anything: a question of one or two words is a heading ("Brådskande?", "Urgent?",
 * "Questions?") over what follows, not a question put to the reader.
 */
function asksSomething(text: string): boolean {
  return questions(text).some((question) => wordCount(question) > MAX_HEADING_QUESTION_WORDS);
}
const MAX_HEADING_QUESTION_WORDS = 2;

/** A text's sentences that ask. */
function questions(text: string): string[] {
  return text.split(SENTENCE_END).filter(asks);
}

/**
 * The attendee's own words on a calendar answer, if they say more than "Thanks": the calendar's
 * comment, or a body the attendee typed (Outlook's "edit the response"). Google Calendar's body is
 * its own text about the event, recognised by its phrases.
 */
function attendeeComment(
  mail: InboundMail,
  fresh: string,
  freshKey: () => string,
  freshWords: number,
): boolean {
  if (wordCount(attendeeNote(mail.calendars)) >= MIN_CALENDAR_COMMENT_WORDS) return true;
  return (
    !isCalendarsOwnBody(mail, freshKey()) &&
    freshWords >= MIN_CALENDAR_BODY_WORDS &&
    typedWords(mail, fresh) >= MIN_CALENDAR_BODY_WORDS
  );
}

/** The attendee's note on a calendar answer: the same answer often comes twice, inline and as invite.ics. */
function attendeeNote(calendars: InboundMail['calendars']): string {
  return [...new Set(calendars.map((calendar) => calendar.comment ?? ''))].join('\n');
}

/** A calendar answer's body the calendar wrote ("has declined this invitation", "heeft geweigerd"). */
function isCalendarsOwnBody(mail: InboundMail, key: string): boolean {
  return (
    CALENDAR_REPLY_BODIES.some((phrase) => key.includes(phrase)) ||
    mail.calendars.some(
      (calendar) => ATTENDEE_ANSWERS.has(calendar.method) && GOOGLE_CALENDAR.test(calendar.producer ?? ''),
    )
  );
}

/**
 * The words of a calendar answer's body beyond its restatement of the event: Outlook writes the answer's
 * subject and the event's "When: …" and "Where: …" lines (in the sender's language) above whatever the
 * attendee typed.
 */
function typedWords(mail: InboundMail, fresh: string): number {
  const event = [mail.subject, ...mail.calendars.flatMap(({ summary, location }) => [summary, location])]
    .map((text) => textKey(text).trim())
    .filter((key) => key !== '');
  const restatesEvent = (line: string) => {
    const key = textKey(line).trim();
    if (EVENT_LINE.test(line) && EVENT_TIME.test(line)) return true;
    // Outlook's unlabelled "dinsdag 18 november 2025 14:00-15:00" and its own "… has accepted this meeting."
    if (EVENT_SPAN.test(line) || CALENDAR_REPLY_BODIES.some((phrase) => key.includes(phrase.trim())))
      return true;
    return event.some(
      (eventKey) => key.includes(eventKey) && key.length <= eventKey.length + RESTATEMENT_SLACK,
    );
  };
  return fresh
    .split('\n')
    .filter((line) => !restatesEvent(line))
    .reduce((sum, line) => sum + wordCount(line), 0);
}

/** "When: Tuesday, 9 December 13:00", "Där: …", "Ort: …": a short label, then the event's time or place. */
const EVENT_LINE = /^\s*\p{L}[\p{L} ]{0,20}\s?[:：]\s/u;
/** The event's time span as a calendar client prints it ("14:00-15:00", "10.00–11.00"). */
const EVENT_SPAN = /\d{1,2}[:.]\d{2}\s*[-–]\s*\d{1,2}[:.]\d{2}/u;
/** The event's date with its year, or its time span, as a calendar client prints them. */
const EVENT_TIME = new RegExp(`\\b20\\d\\d\\b|${EVENT_SPAN.source}`, 'u');
/** A line that holds the event's title or place with a few more words ("Accepted: …", "Where: …"). */
const RESTATEMENT_SLACK = 24;

/**
 * The first machine opening of the subject, at a word boundary: "Frånvaroanmälan" is not "Frånvaro".
 * A bracket may frame it, as some responders write it ("[Auto-Reply] ...", "【自動返信】...").
 */
function subjectCue(subject: string): SubjectCue | undefined {
  const folded = foldForMatching(subject).replace(/^[[【「『<]\s*/u, '');
  const firstWord = FIRST_WORD.exec(folded)?.[0] ?? '';
  for (const opening of OPENINGS_BY_FIRST_WORD.get(firstWord) ?? []) {
    let pattern = OPENING_PATTERNS.get(opening);
    if (!pattern) {
      pattern = new RegExp(opening.source, 'u');
      OPENING_PATTERNS.set(opening, pattern);
    }
    const match = pattern.exec(folded);
    if (!match) continue;
    const rest = folded.slice(match[0].length).trimStart();
    const { kind, language, phrase, everyday } = opening;
    // "Lomalla 29.6.-26.7.: Re: …": some responders put the days of the absence between label and colon,
    // where a person's "Frånvarande 24/3–4/4 – men först: inbjudan …" goes on with a dash and a sentence.
    const afterDays = kind === 'auto-reply' ? rest.replace(LEADING_DAYS, '') : rest;
    return {
      kind,
      language,
      phrase,
      // "Absence du bureau Re: Partenariat …": some responders put the answered subject straight after.
      labelled: endsLabel(rest, LABEL_SEPARATOR) || (afterDays !== rest && endsLabel(afterDays, COLON)),
      untilADate: kind === 'auto-reply' && isOnlyAnEndDate(tokens(rest)),
      everyday,
    };
  }
  // "Richard Hall is out of the office.": Notes names the absent person first and labels at the end.
  const ending = awaySubjectEnding(subject);
  if (ending)
    return {
      kind: 'auto-reply',
      language: 'subject ending',
      phrase: ending,
      labelled: true,
      untilADate: false,
      everyday: false,
    };
  // "Semester", "Vuosiloma / Semester / Annual leave": a holiday's word is no opening, but may be the whole subject.
  if (isOnlyAwayWords(folded)) {
    return {
      kind: 'auto-reply',
      language: 'away words only',
      phrase: folded,
      labelled: true,
      untilADate: false,
      everyday: true,
    };
  }
  return undefined;
}

/** What may follow a responder's label: a separator, as generators write one. */
const LABEL_SEPARATOR = /^[:：([\-–—|/\]】」』>]/u;
const COLON = /^[:：]/u;

/** Whether what follows a label ends it: nothing, the separator, or the answered subject ("Re: …"). */
function endsLabel(after: string, separator: RegExp): boolean {
  return after === '' || separator.test(after) || REPLY_PREFIX.test(after);
}

/**
 * Days written in digits at the start of a subject's rest, alone or as a span ("29.6.-26.7.", "12/5 –
 * 20/5", "3.8.2026"): the absence's dates, which some responders put after their label.
 */
const LEADING_DAYS =
  /^\d{1,2}[./]\d{1,2}(?:[./](?:\d{2}|\d{4}))?\.?(?:\s*[-–—]\s*\d{1,2}[./]\d{1,2}(?:[./](?:\d{2}|\d{4}))?\.?)?\s*/u;

/** The responder's label a subject ends with after the absent person's name ("… est absent(e)."), if any. */
function awaySubjectEnding(subject: string): string | undefined {
  const key = textKey(subject);
  const run = key.replace(/ /g, '');
  return AWAY_SUBJECT_ENDINGS.find(({ key: ending, inRun }) =>
    inRun
      ? run.length > ending.length && run.endsWith(ending)
      : key.length > ending.length && key.endsWith(ending),
  )?.key.trim();
}

/** A subject of nothing but away and holiday words, one or several joined ("Vuosiloma / Semester"). */
function isOnlyAwayWords(folded: string): boolean {
  // A dash joins words only with spaces around it: "out-of-office" is one word of the table.
  const parts = folded.split(/\s*[/|,;]\s*|\s+[–—-]\s+/u).filter((part) => part !== '');
  return parts.length > 0 && parts.every((part) => AWAY_SUBJECT_WORDS.has(part));
}

function hasDocuments(mail: InboundMail): boolean {
  return mail.attachments.some(
    ({ contentType, filename }) =>
      !contentType.startsWith('image/') &&
      contentType !== 'text/calendar' &&
      contentType !== 'application/ics' &&
      !filename.toLowerCase().endsWith('.ics'),
  );
}

function senderLocalPart(mail: InboundMail): string {
  return (mail.from?.address ?? '').split('@')[0] ?? '';
}

/** Words already folded, joined by single spaces and framed by spaces, as `textKey` writes a text. */
function wordsKey(words: readonly string[]): string {
  return ` ${words.join(' ')} `;
}

function firstWord(value: string): string {
  return value.split(/[\s;(]/)[0] ?? value;
}
