// core (pure): a forwarded person's message --> whether its sender gets an acknowledgement, and the
// acknowledgement itself (issue #14). An acknowledgement goes only to a sender SES authenticated, only
// for a person's message that was forwarded, and says in Swedish and English that the message arrived,
// with a reference, the notes on public records and personal data, and nothing of the original body.
// RFC 3834 throughout: `Auto-Submitted: auto-replied`, In-Reply-To/References to the original, and
// never an answer to automated or list mail (that is how auto-reply loops and backscatter start).
import { createHash } from 'node:crypto';
import { findFunctionalAddress } from '../config/router-config.js';
import type { AcknowledgementTexts, RouterConfig } from '../config/schema.js';
import { segmentBody } from './classify/segment.js';
import { asciiAddress, encodeHeaderValue, formatAddress, isSafeAddress } from './header-block.js';
import type { AutomatedVerdict, MailAddress } from './types.js';
import type { SesVerdicts } from './verdicts.js';

/** The settings that hold for one functional address: the common ones with that address's overrides. */
export interface AcknowledgementSettings {
  enabled: boolean;
  periodHours: number;
  /** The no-reply sender: `<fromLocalPart>@<the functional address's domain>`. */
  from: string;
  sv: AcknowledgementTexts;
  en: AcknowledgementTexts;
}

export function acknowledgementSettingsFor(
  config: RouterConfig,
  functionalAddress: string,
): AcknowledgementSettings {
  const common = config.acknowledgement;
  const own = findFunctionalAddress(config, functionalAddress)?.acknowledgement;
  return {
    enabled: own?.enabled ?? common.enabled,
    periodHours: common.periodHours,
    from: noReplyAddress(config, functionalAddress),
    sv: { ...common.sv, ...own?.sv },
    en: { ...common.en, ...own?.en },
  };
}

/** The address acknowledgements for this functional address come from. */
export function noReplyAddress(config: RouterConfig, functionalAddress: string): string {
  const domain = functionalAddress.slice(functionalAddress.lastIndexOf('@') + 1).toLowerCase();
  return `${config.acknowledgement.fromLocalPart}@${domain}`;
}

/** Every no-reply sender the configuration can produce, one per functional address domain (for IAM). */
export function noReplyAddresses(config: RouterConfig): string[] {
  return [...new Set(config.functionalAddresses.map((entry) => noReplyAddress(config, entry.address)))];
}

export interface AcknowledgementCase {
  enabled: boolean;
  /** The pipeline's disposition: only `forward` and `forwarded_as_notice` reached a person. */
  disposition: string;
  /** The parser could not read the message: its sender is not known well enough to answer. */
  unreadable: boolean;
  /** Released from quarantine by a person: quarantined mail is never answered. */
  released: boolean;
  automated: AutomatedVerdict;
  from: MailAddress | undefined;
  /** The raw header fields, unfolded and undecoded (loop-check.ts rawHeaders). */
  headerFields: readonly { lowerName: string; value: string }[];
  verdicts: SesVerdicts;
  /** SMTP MAIL FROM as SES saw it; empty for a bounce, or for a re-drive without SES's notification. */
  envelopeSender: string;
  /** The router's own addresses (functional addresses, groups, its sender): never answered. */
  ownAddresses: readonly string[];
}

export type AcknowledgementDecision = { send: true; to: string } | { send: false; reason: string };

/**
 * Whether the sender of a forwarded message gets an acknowledgement. The first rule that says no
 * gives the reason kept on the routing record. The per-period limit is not here: it needs a counter.
 */
export function acknowledgementDecision(input: AcknowledgementCase): AcknowledgementDecision {
  const no = (reason: string): AcknowledgementDecision => ({ send: false, reason });
  if (!input.enabled) return no('acknowledgements are off for this address');
  if (input.released) return no('released from quarantine');
  if (input.disposition !== 'forward' && input.disposition !== 'forwarded_as_notice') {
    return no(`not forwarded (${input.disposition})`);
  }
  if (input.unreadable) return no('unreadable: sender not known');
  if (input.automated.automated || (input.automated.doubts?.length ?? 0) > 0) return no('automated mail');
  const machine = machineHeader(input.headerFields);
  if (machine) return no(machine);
  const address = input.from?.address ?? '';
  const to = asciiAddress(address);
  if (!to || !isSafeAddress(to)) return no('sender address cannot be written in a header');
  if (isNoReplyAddress(to)) return no('no-reply or mailer sender');
  const own = new Set(input.ownAddresses.map((entry) => entry.toLowerCase()));
  if (own.has(to.toLowerCase())) return no('sender is one of the router’s own addresses');
  const fromHeaders = input.headerFields.filter((field) => field.lowerName === 'from');
  if (fromHeaders.length !== 1 || addressCount(fromHeaders[0]?.value ?? '') !== 1) {
    return no('not exactly one From address');
  }
  const authenticated = senderAuthentication(input.verdicts, to, input.envelopeSender, input.headerFields);
  if (!authenticated.ok) return no(authenticated.reason);
  return { send: true, to };
}

/** Addresses in a raw From value: `@` signs outside quoted strings and comments (more never passes). */
function addressCount(value: string): number {
  const bare = value.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\([^()]*\)/g, '');
  return (bare.match(/@/g) ?? []).length;
}

/** RFC 3834 and list conventions: headers that say a machine or a list sent it, or asks for no answer. */
function machineHeader(fields: AcknowledgementCase['headerFields']): string | undefined {
  for (const { lowerName, value } of fields) {
    const lower = value.trim().toLowerCase();
    if (lowerName === 'auto-submitted' && lower !== 'no' && lower !== '')
      return `Auto-Submitted: ${short(lower)}`;
    if (lowerName === 'list-id' || lowerName === 'list-unsubscribe' || lowerName === 'list-post') {
      return `list mail (${lowerName})`;
    }
    if (lowerName === 'precedence' && /^(bulk|list|junk|auto_reply)\b/.test(lower)) {
      return `Precedence: ${short(lower)}`;
    }
    if (lowerName === 'x-autoreply' || lowerName === 'x-autorespond') return `${lowerName} present`;
    // Exchange's request not to be auto-answered (MS-OXCMAIL): `All`, or `OOF`/`AutoReply` among others.
    if (lowerName === 'x-auto-response-suppress' && /\b(all|autoreply|oof)\b/.test(lower)) {
      return 'X-Auto-Response-Suppress asks for no auto-reply';
    }
    if (lowerName === 'return-path' && /^<\s*>$/.test(lower)) return 'null Return-Path (a bounce)';
  }
  return undefined;
}

const NO_REPLY_LOCAL_PART =
  /^(no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer[-_.]?daemon|postmaster|bounces?|.+-bounces?|.+-owner|owner-.+|.+-request|listserv|majordomo|mailman|sympa|auto[-_.]?reply|autoresponder|notifications?|noreply[-_.].*|no[-_.]?reply[-_.].*)(\+.*)?$/i;

/** A sender nobody reads, or a list manager: an answer to it is at best lost and at worst a loop. */
export function isNoReplyAddress(address: string): boolean {
  return NO_REPLY_LOCAL_PART.test(address.slice(0, address.lastIndexOf('@')));
}

/**
 * SES authenticated the sender's address only if DMARC passed (it checks the From domain, aligned),
 * or SPF and DKIM both passed for the From domain. SES's SPF and DKIM verdicts do not name the domain
 * they are for, so the second way also needs the envelope sender in the From domain (or the From
 * domain a subdomain of it: whoever can pass SPF for a parent owns the child) and every DKIM signature
 * signed by the From domain or a parent of it: then whichever signature passed was the sender's.
 */
export function senderAuthentication(
  verdicts: SesVerdicts,
  fromAddress: string,
  envelopeSender: string,
  headerFields: AcknowledgementCase['headerFields'],
): { ok: true; via: 'dmarc' | 'spf+dkim' } | { ok: false; reason: string } {
  const status = (value: string | undefined) => (value ?? 'MISSING').trim().toUpperCase();
  if (status(verdicts.dmarc) === 'PASS') return { ok: true, via: 'dmarc' };
  const summary = `DMARC ${status(verdicts.dmarc)}, SPF ${status(verdicts.spf)}, DKIM ${status(verdicts.dkim)}`;
  const refused = (why: string) => ({
    ok: false as const,
    reason: `sender not authenticated: ${summary}${why}`,
  });
  if (status(verdicts.spf) !== 'PASS' || status(verdicts.dkim) !== 'PASS') return refused('');
  const fromDomain = domainOf(fromAddress);
  if (!withinDomain(fromDomain, domainOf(envelopeSender))) return refused(' (SPF for another domain)');
  const signers = headerFields
    .filter((field) => field.lowerName === 'dkim-signature')
    .map((field) => /(?:^|;)\s*d\s*=\s*([^;\s]+)/i.exec(field.value)?.[1]?.toLowerCase() ?? '');
  if (signers.length === 0 || !signers.every((signer) => withinDomain(fromDomain, signer))) {
    return refused(' (DKIM for another domain)');
  }
  return { ok: true, via: 'spf+dkim' };
}

function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at >= 0
    ? address
        .slice(at + 1)
        .trim()
        .toLowerCase()
        .replace(/>$/, '')
    : '';
}

/** True when `domain` is `parent` or a subdomain of it. */
function withinDomain(domain: string, parent: string): boolean {
  return parent !== '' && (domain === parent || domain.endsWith(`.${parent}`));
}

/** The short reference the sender quotes and staff look up: the start of the routing id, as `mailroute log` prints it. */
export function acknowledgementReference(routingId: string): string {
  return routingId.replace(/[^A-Za-z0-9]/g, '').slice(0, 12);
}

const SWEDISH_WORDS = new Set(
  'och att är inte jag vi ni för med till på av som det den har kan om hej tack vänliga hälsningar mvh också eller skulle vill gärna angående inbjudan'.split(
    ' ',
  ),
);
const ENGLISH_WORDS = new Set(
  'the and to of is for we you with dear regards please would like this that are our your from be on have will'.split(
    ' ',
  ),
);

/**
 * Whether the sender wrote in Swedish: at least one Swedish word, and Swedish words (with a half point
 * for each word with å, ä or ö) outnumber English ones in the subject and the new text. Finnish or
 * German with ä and ö but no Swedish word is not Swedish.
 */
export function writtenInSwedish(subject: string, text: string): boolean {
  const fresh = segmentBody(text).fresh.slice(0, 4000);
  const words = `${subject} ${fresh}`.toLowerCase().match(/[a-zåäöéü]+/g) ?? [];
  let swedishWords = 0;
  let swedishLetters = 0;
  let english = 0;
  for (const word of words) {
    if (SWEDISH_WORDS.has(word)) swedishWords += 1;
    else if (ENGLISH_WORDS.has(word)) english += 1;
    if (/[åäö]/.test(word)) swedishLetters += 0.5;
  }
  return swedishWords > 0 && swedishWords + swedishLetters > english;
}

export interface AcknowledgementMessageInput {
  settings: AcknowledgementSettings;
  functionalAddress: string;
  /** The authenticated sender (acknowledgementDecision's `to`). */
  to: string;
  routingId: string;
  /** The router's signed loop marker: an acknowledgement that comes back in is recognised as ours. */
  loopMarker: string;
  /** The core has no clock: the caller passes the date. */
  date: Date;
  /** The original subject, decoded; only ever written encoded. */
  subject: string;
  /** The original's raw header fields, for its Message-ID and References. */
  headerFields: AcknowledgementCase['headerFields'];
  swedishFirst: boolean;
}

/** The acknowledgement: one text/plain part, Swedish and English, no attachment, no quote of the original. */
export function acknowledgementMessage(input: AcknowledgementMessageInput): Uint8Array {
  const { settings } = input;
  const languages = input.swedishFirst ? [settings.sv, settings.en] : [settings.en, settings.sv];
  const fill = (text: string) =>
    text
      .replaceAll('{address}', input.functionalAddress)
      .replaceAll('{reference}', acknowledgementReference(input.routingId));
  const sections = languages.map((texts) => {
    const paragraphs = [
      texts.greeting,
      texts.received,
      texts.reference,
      ...(texts.expectedAnswer ? [texts.expectedAnswer] : []),
      texts.publicRecords,
      texts.personalData,
    ].map((paragraph) => wrap(fill(paragraph)));
    const links = texts.links.map((link) => `${fill(link.label)}:\r\n${link.url}`);
    return [
      texts.heading,
      '',
      paragraphs.join('\r\n\r\n'),
      ...(links.length > 0 ? ['', links.join('\r\n\r\n')] : []),
      '',
      wrap(fill(texts.automatic)),
      '',
      texts.signature.join('\r\n'),
    ].join('\r\n');
  });
  const body = `${sections.join(`\r\n\r\n${'-'.repeat(60)}\r\n\r\n`)}\r\n`;

  const originalId = messageIds(input.headerFields, 'message-id')[0];
  const references = [
    ...messageIds(input.headerFields, 'references').slice(-10),
    ...(originalId ? [originalId] : []),
  ];
  const label = languages.map((texts) => texts.subject).join(' / ');
  const subject = input.subject.trim() ? `${label}: ${input.subject.trim().slice(0, 200)}` : label;
  const fromDomain = domainOf(settings.from);

  const headers: string[] = [];
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined && value !== '') headers.push(`${name}: ${value}`);
  };
  add('From', formatAddress(input.functionalAddress, settings.from, 'From'.length));
  add('Reply-To', formatAddress('', input.functionalAddress, 'Reply-To'.length));
  add('To', formatAddress('', input.to, 'To'.length));
  add('Subject', encodeHeaderValue(subject, 'Subject'.length));
  add('Date', input.date.toUTCString().replace('GMT', '+0000'));
  add(
    'Message-ID',
    `<ack.${createHash('sha256').update(input.routingId).digest('hex').slice(0, 32)}@${fromDomain}>`,
  );
  if (originalId) add('In-Reply-To', originalId);
  if (references.length > 0) add('References', references.join('\r\n '));
  // RFC 3834: an automatic answer, which no responder answers in turn.
  add('Auto-Submitted', 'auto-replied');
  // Exchange and Outlook: no out-of-office or other automatic answer to this message.
  add('X-Auto-Response-Suppress', 'All');
  add('MIME-Version', '1.0');
  add('Content-Type', 'text/plain; charset=utf-8; format=fixed');
  add('Content-Transfer-Encoding', '8bit');
  add('Content-Language', input.swedishFirst ? 'sv, en' : 'en, sv');
  add(
    'X-Mailroute-Acknowledgement',
    encodeHeaderValue(input.routingId, 'X-Mailroute-Acknowledgement'.length),
  );
  add('X-Mailroute-Forwarded', encodeHeaderValue(input.loopMarker, 'X-Mailroute-Forwarded'.length));
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}`, 'utf8');
}

/** Message ids (`<...@...>`) in the first header of that name; anything else in it is dropped. */
function messageIds(fields: AcknowledgementCase['headerFields'], lowerName: string): string[] {
  const field = fields.find((entry) => entry.lowerName === lowerName);
  return (field?.value.match(/<[!-;=?-~]{1,250}@[!-;=?-~]{1,250}>/g) ?? []).slice(0, 50);
}

/** Paragraphs wrapped at 72 columns, so that every client shows them alike. */
function wrap(paragraph: string): string {
  const lines: string[] = [];
  let current = '';
  for (const word of paragraph.split(/\s+/)) {
    if (current && current.length + 1 + word.length > 72) {
      lines.push(current);
      current = word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  if (current) lines.push(current);
  return lines.join('\r\n');
}

function short(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?').slice(0, 40);
}
