// core (pure): raw bytes --> whether they are recognisable as mail at all. An SMTP client can send any
// bytes as DATA (a PNG, an empty message, a page of prose), and a file handed to `mailroute route` can
// be anything. The parser reads all of them as a message without headers and the classifier sends
// that to triage as if someone had written it. Such bytes are held for a person instead (a logged
// quarantine: nothing is lost, `mailroute release` forwards them after all). Read from the raw header
// block, as the loop checks are, so it holds for bytes the parser cannot read either.
import { splitMessage } from './header-block.js';

/** Every reason this check gives starts with this, so the CLI and console can tell it apart. */
export const NOT_MAIL = 'not-mail:';

/**
 * Fields a sender's mail program writes (RFC 5322 origination, destination, identification and
 * informational fields, MIME). Trace fields (Received, Return-Path) and X- fields do not count: SES
 * and relays put their own in front of whatever bytes they were given.
 */
const MESSAGE_FIELDS = new Set([
  'from',
  'sender',
  'reply-to',
  'to',
  'cc',
  'bcc',
  'subject',
  'date',
  'message-id',
  'in-reply-to',
  'references',
  'comments',
  'keywords',
  'resent-from',
  'resent-to',
  'resent-date',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
]);

/** How much of the start is looked at for binary content: enough for any file signature or text. */
const SAMPLE_BYTES = 4096;

/**
 * Reasons the bytes are not mail; empty when they are. `not-mail:empty` (nothing but white space),
 * `not-mail:no-headers` (not one message header field), with `not-mail:binary` when the bytes are not
 * text either (an image, an archive: NUL bytes or many control characters).
 */
export function notMailReasons(raw: Uint8Array): string[] {
  if (isBlank(raw)) return [`${NOT_MAIL}empty`];
  if (splitMessage(raw).fields.some((field) => MESSAGE_FIELDS.has(field.lowerName))) return [];
  return looksBinary(raw) ? [`${NOT_MAIL}no-headers`, `${NOT_MAIL}binary`] : [`${NOT_MAIL}no-headers`];
}

/** The not-mail reasons among a record's or a result's reasons. */
export function notMailOf(reasons: readonly string[]): string[] {
  return reasons.filter((reason) => reason.startsWith(NOT_MAIL));
}

function isBlank(raw: Uint8Array): boolean {
  return raw.every((byte) => byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === 0x0a);
}

/** A NUL byte, or more than one control character (other than TAB, LF, FF, CR, ESC) in ten. */
function looksBinary(raw: Uint8Array): boolean {
  const sample = raw.subarray(0, SAMPLE_BYTES);
  let controls = 0;
  for (const byte of sample) {
    if (byte === 0) return true;
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d && byte !== 0x1b)
      controls += 1;
  }
  return controls * 10 > sample.length;
}
