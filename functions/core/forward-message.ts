// core (pure): raw message + decision --> the message staff receive. Step 9 of DESIGN.md.
// Only the header block is rewritten; the body and attachments are the original bytes.
import {
  encodeHeaderValue,
  formatAddress,
  forwardableField,
  isInternationalAddress,
  joinAddresses,
  splitMessage,
} from './header-block.js';
import type { Classification, InboundMail, RoutingDecision } from './types.js';

export interface ForwardInput {
  raw: Uint8Array;
  mail: InboundMail;
  classification: Classification;
  decision: RoutingDecision;
  /** The functional address it was sent to, shown in From as "Name via address". */
  functionalAddress: string;
  /** The router's verified SES identity. */
  routerSender: string;
  /** The routing log id, so staff and operators can find the record. */
  routingId: string;
  /** Value of X-Mailroute-Forwarded: the signed loop marker. */
  loopMarker: string;
  /** Warnings to show staff, e.g. an SES verdict that was not PASS. */
  warnings?: string[];
}

/**
 * Headers removed from the original, each with its reason. Everything not listed is kept as it
 * was (Received, Date, MIME headers, In-Reply-To, References, ...), unless SES could not take it as
 * it is (8-bit, a bare CR, a line over 998): see `forwardableField`.
 */
const REMOVED_HEADERS: Record<string, string> = {
  from: 'rewritten: SES sends only as the verified router identity',
  'reply-to': 'rewritten: points at the original sender so a reply reaches them',
  to: 'rewritten: the group addresses; the original goes to X-Original-To',
  cc: 'kept as X-Original-Cc only: the original Cc must never become recipients again',
  bcc: 'never forwarded: it would disclose blind recipients',
  'resent-bcc':
    'never forwarded: it discloses the blind recipients of a resend, as Bcc does (RFC 5322 3.6.6)',
  'delivered-to':
    "the sender's delivery trace: it names internal mailboxes, and a group's server that finds its own address in it refuses the message as a loop",
  subject: 'rewritten with the category tag',
  sender: 'would contradict the rewritten From',
  'return-path': 'SES sets its own; a copied one makes bounces go to the original sender',
  'dkim-signature': 'SES refuses a duplicate, and the signature is broken anyway once From changes',
  'message-id': 'SES assigns its own; reusing the original can make SES or the recipient drop it',
  'auto-submitted': 'replaced by auto-forwarded',
  'disposition-notification-to': 'a staff read receipt must not go to the outside sender',
  'return-receipt-to': 'a staff read receipt must not go to the outside sender',
  'x-original-to': 'replaced by ours: an outsider could otherwise forge it',
  'x-original-cc': 'replaced by ours: an outsider could otherwise forge it',
  'x-original-from': 'replaced by ours: an outsider could otherwise forge it',
};

/** Our own headers are removed from the original before ours are added: a sender could forge them. */
const OWN_HEADER_PREFIX = 'x-mailroute-';

export function forwardMessage(input: ForwardInput): Uint8Array {
  const { header, body } = forwardParts(input);
  return Buffer.concat([header, body]);
}

/**
 * The forward in two pieces: the new header block (with the blank line that ends it) and the body,
 * a view of `input.raw`, not a copy. A caller that owns the memory before the body can join them
 * without copying the body (see route-mail/message-buffer.ts).
 */
export function forwardParts(input: ForwardInput): { header: Buffer; body: Uint8Array } {
  const { fields, body } = splitMessage(input.raw);
  const kept = fields.filter(
    (field) => !(field.lowerName in REMOVED_HEADERS) && !field.lowerName.startsWith(OWN_HEADER_PREFIX),
  );
  const added = buildHeaders(input);
  const forwardable = kept.map(forwardableField).filter((raw): raw is string => raw !== undefined);
  const headerText = [...added, ...forwardable].join('\r\n');
  return { header: Buffer.from(`${headerText}\r\n\r\n`, 'latin1'), body };
}

function buildHeaders(input: ForwardInput): string[] {
  const { mail, decision, classification } = input;
  const headers: string[] = [];
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined && value !== '') headers.push(`${name}: ${value}`);
  };

  const senderName = mail.from?.name || mail.from?.address || 'Unknown sender';
  add(
    'From',
    formatAddress(`${senderName} via ${input.functionalAddress}`, input.routerSender, 'From'.length),
  );

  const replyTargets = mail.replyTo.length > 0 ? mail.replyTo : mail.from ? [mail.from] : [];
  add('Reply-To', addressHeader(replyTargets, 'Reply-To'));
  // A non-ASCII local part (SMTPUTF8) has no 7-bit form, so no Reply-To: staff find the address here.
  const unwritable = replyTargets.filter((entry) => isInternationalAddress(entry.address));
  if (unwritable.length > 0) {
    add(
      'X-Original-From',
      encodeHeaderValue(
        `${unwritable.map((entry) => entry.address).join(', ')} (not plain ASCII: reply by hand)`,
        'X-Original-From'.length,
      ),
    );
  }
  add('To', joinAddresses(decision.recipients.map((address) => `<${address}>`)));
  add('Subject', encodeHeaderValue(taggedSubject(decision.subjectTag, mail.subject), 'Subject'.length));
  add('X-Original-To', addressHeader(mail.to, 'X-Original-To'));
  add('X-Original-Cc', addressHeader(mail.cc, 'X-Original-Cc'));
  add('X-Mailroute-Id', encodeHeaderValue(input.routingId, 'X-Mailroute-Id'.length));
  add('X-Mailroute-Category', decision.category);
  add('X-Mailroute-Confidence', classification.confidence.toFixed(2));
  add(
    'X-Mailroute-Reasons',
    encodeHeaderValue(
      shortReasons([...classification.reasons, ...decision.reasons]),
      'X-Mailroute-Reasons'.length,
    ),
  );
  for (const warning of input.warnings ?? []) {
    add('X-Mailroute-Warning', encodeHeaderValue(warning, 'X-Mailroute-Warning'.length));
  }
  add('X-Mailroute-Forwarded', encodeHeaderValue(input.loopMarker, 'X-Mailroute-Forwarded'.length));
  add('Auto-Submitted', 'auto-forwarded');
  return headers;
}

function addressHeader(addresses: InboundMail['to'], name: string): string | undefined {
  const formatted = addresses
    .map((entry) => formatAddress(entry.name, entry.address, name.length))
    .filter((value): value is string => value !== undefined);
  return formatted.length > 0 ? joinAddresses(formatted) : undefined;
}

/** Tag + subject, without a second tag when a reply already carries it ("Re: [EU] ..."). */
export function taggedSubject(tag: string, subject: string): string {
  const original = subject.trim();
  if (original.toLowerCase().includes(tag.toLowerCase())) return original;
  return original ? `${tag} ${original}` : tag;
}

/** The classifier's evidence, short enough for a header a person reads in their mail client. */
export function shortReasons(reasons: string[], maxLength = 300): string {
  let out = '';
  for (const reason of reasons) {
    const next = out ? `${out}; ${reason}` : reason;
    if (next.length > maxLength) return out ? `${out}; ...` : `${reason.slice(0, maxLength)}...`;
    out = next;
  }
  return out;
}
