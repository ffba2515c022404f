// core (pure): the messages the router writes itself instead of a forward (step 9 of DESIGN.md, when
// the original cannot go out as is): a note with the unread original attached, a notice that names
// an original too large to send, and a forward stripped of attachments after a virus verdict.
import { createHash } from 'node:crypto';
import { shortReasons, taggedSubject } from './forward-message.js';
import { encodeHeaderValue, formatAddress, joinAddresses } from './header-block.js';
import type { AttachmentInfo, MailAddress } from './types.js';

export interface NoticeHeaders {
  /** Group addresses from the decision: the only recipients there are. */
  recipients: string[];
  subjectTag: string;
  /** The original subject if known; only ever written encoded. */
  subject: string;
  /** Who a reply should reach: the original sender, when known and a plain address. */
  replyTo: MailAddress | undefined;
  functionalAddress: string;
  routerSender: string;
  routingId: string;
  loopMarker: string;
  /** RFC 5322 date of the notice (the core has no clock: the caller passes it). */
  date: Date;
  reasons: string[];
  warnings?: string[];
}

export const UNREADABLE_NOTE = 'This message could not be read automatically.';

/**
 * A short note with the original attached byte for byte. The original goes as
 * `application/octet-stream` named `original.eml` in base64, not as `message/rfc822`: RFC 2046 allows
 * only 7bit/8bit/binary for message/rfc822, and an unreadable original may hold NUL bytes, bare CRs
 * or endless lines that no SMTP hop carries intact. Mail clients open `.eml` attachments by name.
 */
export function unreadableNotice(input: NoticeHeaders & { raw: Uint8Array; problem: string }): Uint8Array {
  const note = [
    UNREADABLE_NOTE,
    '',
    `It arrived at ${input.functionalAddress} and is attached unchanged as original.eml (${input.raw.length} bytes).`,
    'Please open the attachment and handle the message by hand.',
    '',
    `Routing id: ${input.routingId}`,
    `Problem: ${oneLine(input.problem).slice(0, 300)}`,
  ].join('\r\n');
  const boundary = boundaryFor(input.routingId, input.raw);
  const body = [
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    note,
    `--${boundary}`,
    'Content-Type: application/octet-stream; name="original.eml"',
    'Content-Disposition: attachment; filename="original.eml"',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(input.raw),
    `--${boundary}--`,
    '',
  ].join('\r\n');
  return assemble(input, `multipart/mixed; boundary="${boundary}"`, body);
}

/**
 * How a person reaches a stored original with their own access. Never a bearer link: a presigned URL
 * dies with the signing Lambda's temporary credentials (hours, not the days it was signed for), and
 * while it lives it hands personal data to whoever holds the mail.
 */
export interface StoredOriginalAccess {
  /** Where it is: the S3 URI (`s3://bucket/key`), locally the file path. */
  location: string;
  /** A page that opens it for someone signed in with access to the store (the S3 console), if any. */
  consoleLink?: string;
  /** A command that downloads it with the reader's own credentials (AWS CLI), if any. */
  command?: string;
}

/**
 * A notice in place of a forward too large for SES. It names the stored original and the routing
 * record; fetching it takes the staff member's own sign-in, so it works as long as the original is kept.
 */
export function oversizeNotice(
  input: NoticeHeaders & {
    /** Bytes of the forward that did not fit. */
    size: number;
    /** The configured limit it passed (`limits.maxForwardBytes`). */
    limit: number;
    original: StoredOriginalAccess;
    /** Days the store keeps the original after it arrived (the retention), when known. */
    keptDays?: number;
  },
): Uint8Array {
  const { original } = input;
  const kept = input.keptDays ? ` and kept for ${input.keptDays} days after it arrived` : '';
  const lines = [
    `This message is too large to forward by e-mail (${input.size} bytes; the limit is ${input.limit}).`,
    '',
    `It arrived at ${input.functionalAddress} and is stored unchanged${kept}.`,
    `Routing id: ${input.routingId}`,
    `Stored as: ${oneLine(original.location)}`,
    '',
    'Nothing in this notice opens it without your own sign-in. With access to stored mail, open it in',
    'the AWS console or download it with your own credentials:',
    '',
  ];
  if (original.consoleLink) lines.push(oneLine(original.consoleLink), '');
  if (original.command) lines.push(oneLine(original.command), '');
  lines.push('Without that access, ask an operator for the routing id above.');
  return assemble(input, 'text/plain; charset=utf-8', lines.join('\r\n'), '8bit');
}

/**
 * The forward after a virus verdict, released by a person: the readable text only, and the names of
 * the attachments that were left out. Never the original MIME structure: the virus may sit anywhere.
 */
export function textOnlyForward(
  input: NoticeHeaders & { text: string; attachments: AttachmentInfo[] },
): Uint8Array {
  const removed = input.attachments.map(
    (attachment) =>
      `- ${oneLine(attachment.filename || '(unnamed)')} (${attachment.contentType}, ${attachment.size} bytes)`,
  );
  const lines = [
    'SES found a virus in this message. It is forwarded as text only; its attachments were removed.',
    ...(removed.length > 0 ? ['', 'Removed attachments:', ...removed] : []),
    '',
    '-----',
    '',
    input.text,
  ];
  // base64: the text is whatever the sender wrote, line lengths and all.
  return assemble(
    input,
    'text/plain; charset=utf-8',
    base64Lines(Buffer.from(lines.join('\r\n'), 'utf8')),
    'base64',
  );
}

function assemble(input: NoticeHeaders, contentType: string, body: string, encoding?: string): Uint8Array {
  const headers: string[] = [];
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined && value !== '') headers.push(`${name}: ${value}`);
  };
  add('From', formatAddress(`mailroute via ${input.functionalAddress}`, input.routerSender, 'From'.length));
  if (input.replyTo)
    add('Reply-To', formatAddress(input.replyTo.name, input.replyTo.address, 'Reply-To'.length));
  add('To', joinAddresses(input.recipients.map((address) => `<${address}>`)));
  add('Subject', encodeHeaderValue(taggedSubject(input.subjectTag, input.subject), 'Subject'.length));
  add('Date', input.date.toUTCString().replace('GMT', '+0000'));
  add('MIME-Version', '1.0');
  add('Content-Type', contentType);
  if (encoding) add('Content-Transfer-Encoding', encoding);
  add('X-Mailroute-Id', encodeHeaderValue(input.routingId, 'X-Mailroute-Id'.length));
  add('X-Mailroute-Reasons', encodeHeaderValue(shortReasons(input.reasons), 'X-Mailroute-Reasons'.length));
  for (const warning of input.warnings ?? []) {
    add('X-Mailroute-Warning', encodeHeaderValue(warning, 'X-Mailroute-Warning'.length));
  }
  add('X-Mailroute-Forwarded', encodeHeaderValue(input.loopMarker, 'X-Mailroute-Forwarded'.length));
  add('Auto-Submitted', 'auto-forwarded');
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}`, 'utf8');
}

/** Deterministic (the core has no randomness) and never inside base64 text: base64 has no `_` or `.`. */
function boundaryFor(routingId: string, raw: Uint8Array): string {
  const digest = createHash('sha256').update(routingId).update(raw).digest('hex').slice(0, 32);
  return `_mailroute.${digest}_`;
}

function base64Lines(raw: Uint8Array): string {
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
  const lines: string[] = [];
  for (let index = 0; index < text.length; index += 76) lines.push(text.slice(index, index + 76));
  return lines.join('\r\n');
}

/** Values from outside (a problem text, a file name, a link) never carry a line break into the body. */
function oneLine(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}
