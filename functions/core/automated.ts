// core (pure): InboundMail --> is this mail written by a machine? Step 5 of DESIGN.md.
// Automated mail is logged but never forwarded or answered: forwarding it to staff is noise, and
// answering it is how mail loops start (RFC 3834).
import { fold } from './classify/normalize.js';
import type { AutomatedVerdict, InboundMail } from './types.js';

/**
 * Subject openings that auto-responders and delivery reports write, by language. Matched at the
 * start of the subject after case and diacritic folding, so "Réponse automatique" and
 * "reponse automatique" both hit. Only phrases a person would not open a subject with.
 */
const AUTOMATED_SUBJECT_OPENINGS: Record<string, string[]> = {
  sv: [
    'autosvar',
    'automatiskt svar',
    'franvaro',
    'franvarande',
    'det gick inte att leverera',
    'olevererbart',
  ],
  en: [
    'automatic reply',
    'auto reply',
    'auto-reply',
    'autoreply',
    'auto response',
    'automatic response',
    'out of office',
    'out of the office',
    'away from the office',
    'undeliverable:',
    'undelivered mail returned to sender',
    'delivery status notification',
    'mail delivery failed',
    'delivery failure',
    'returned mail:',
    'delayed mail',
    'warning: delayed',
  ],
  de: ['abwesenheitsnotiz', 'automatische antwort', 'unzustellbar', 'nicht zustellbar'],
  fr: ['reponse automatique', "message d'absence", 'absence du bureau', 'non remis'],
  fi: ['automaattinen vastaus', 'poissaoloilmoitus', 'lomavastaaja', 'ei toimitettu'],
  da: ['automatisk svar', 'fravaersbesked', 'ikke til stede', 'kunne ikke leveres'],
  no: ['automatisk svar', 'fravaersmelding', 'ikke pa kontoret', 'kan ikke leveres'],
  nl: ['automatisch antwoord', 'afwezigheidsbericht', 'onbestelbaar'],
  es: ['respuesta automatica', 'fuera de la oficina', 'ausencia de la oficina', 'no se puede entregar'],
  pt: ['resposta automatica', 'ausencia do escritorio'],
  it: ['risposta automatica', 'fuori sede', "fuori dall'ufficio", 'non recapitabile'],
  pl: ['automatyczna odpowiedz', 'odpowiedz automatyczna', 'poza biurem', 'nieobecnosc', 'niedostarczone'],
  et: ['automaatne vastus', 'kontorist eemal', 'kontorist valjas'],
  lv: ['automatiska atbilde'],
  lt: ['automatinis atsakymas'],
  uk: ['автоматична відповідь', 'автовідповідь', 'немає в офісі', 'не доставлено'],
  ru: ['автоматический ответ', 'автоответ', 'не доставлено'],
};

const SUBJECT_OPENINGS = Object.entries(AUTOMATED_SUBJECT_OPENINGS).flatMap(([language, phrases]) =>
  phrases.map((phrase) => ({ language, phrase: foldForMatching(phrase) })),
);

const MACHINE_SENDER_LOCAL_PARTS = /^(mailer-daemon|postmaster|mail-daemon|maildelivery|mailerdaemon)$/i;

export function detectAutomated(mail: InboundMail): AutomatedVerdict {
  const reasons: string[] = [];
  const { headers } = mail;

  const autoSubmitted = headers.autoSubmitted.toLowerCase();
  // RFC 3834: any value but "no" marks a machine-generated message.
  if (autoSubmitted && !/^no\b/.test(autoSubmitted))
    reasons.push(`header:auto-submitted=${firstWord(autoSubmitted)}`);
  if (headers.xAutoreply) reasons.push('header:x-autoreply');
  if (headers.xAutorespond) reasons.push('header:x-autorespond');
  // Precedence: bulk/list alone marks newsletters, which people write and staff may need; only the
  // responder values are decisive.
  if (/^(auto_reply|auto-reply|autoreply|junk)$/i.test(headers.precedence)) {
    reasons.push(`header:precedence=${headers.precedence.toLowerCase()}`);
  }

  const reportType = /^multipart\/report\b.*report-type="?([a-z-]+)/.exec(headers.contentType)?.[1];
  if (reportType === 'delivery-status') reasons.push('mime:delivery-status-report');
  if (reportType === 'disposition-notification') reasons.push('mime:read-receipt');

  const senderLocalPart = (mail.from?.address ?? '').split('@')[0] ?? '';
  if (MACHINE_SENDER_LOCAL_PARTS.test(senderLocalPart))
    reasons.push(`sender:${senderLocalPart.toLowerCase()}`);
  if (/^<\s*>$/.test(headers.returnPath.trim())) reasons.push('header:return-path=<>');

  const subject = foldForMatching(mail.subject);
  const opening = SUBJECT_OPENINGS.find(({ phrase }) => subject.startsWith(phrase));
  if (opening) reasons.push(`subject:"${opening.phrase}" (${opening.language})`);

  return { automated: reasons.length > 0, reasons };
}

function firstWord(value: string): string {
  return value.split(/[\s;(]/)[0] ?? value;
}

/** The classifier's folding (case, diacritics, ø/æ/ł/ß), with white space made single: phrases match in it. */
export function foldForMatching(text: string): string {
  return fold(text).replace(/\s+/g, ' ').trim();
}
