// core (pure): the raw header block of a message, as bytes, and safe header-value encoding.
// The forward rewrites headers on the raw bytes so that the body and attachments go through
// untouched: no decode/re-encode of MIME parts, no charset damage, one copy of the message.
import { domainToASCII } from 'node:url';
import libmime from 'libmime';

/** One header field exactly as it stood, folding included, in latin1 so every byte maps to one char. */
export interface RawHeaderField {
  name: string;
  lowerName: string;
  /** `Name: value` with its folded continuation lines, without the final line break. */
  raw: string;
}

export interface SplitMessage {
  fields: RawHeaderField[];
  /** The message from the first body byte on (after the blank line), untouched. */
  body: Uint8Array;
  /** True when the message had no header/body separator (headers only, or body only). */
  missingSeparator: boolean;
}

const FIELD_NAME = /^[!-9;-~]+$/;

/** Splits a raw message at the first empty line. A message whose first line is no header is all body. */
export function splitMessage(raw: Uint8Array): SplitMessage {
  const separator = findHeaderEnd(raw);
  const headerEnd = separator?.headerEnd ?? raw.length;
  const headerText = Buffer.from(raw.buffer, raw.byteOffset, headerEnd).toString('latin1');
  const lines = headerText.split(/\r?\n/);
  const fields: RawHeaderField[] = [];
  for (const line of lines) {
    if (line === '') continue;
    const last = fields.at(-1);
    if ((line.startsWith(' ') || line.startsWith('\t')) && last) {
      last.raw += `\r\n${line}`;
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trimEnd() : '';
    if (!FIELD_NAME.test(name)) {
      if (fields.length === 0) {
        // The first line is not a header: there is no header block, everything is body.
        return { fields: [], body: raw, missingSeparator: true };
      }
      // A broken line inside the header block: keep it with the previous field, indented, so that
      // it can never turn into a header of its own.
      if (last) last.raw += `\r\n ${line}`;
      continue;
    }
    fields.push({ name, lowerName: name.toLowerCase(), raw: line });
  }
  const bodyStart = separator?.bodyStart ?? raw.length;
  return {
    fields,
    body: raw.subarray(bodyStart),
    missingSeparator: separator === undefined,
  };
}

function findHeaderEnd(raw: Uint8Array): { headerEnd: number; bodyStart: number } | undefined {
  const LF = 0x0a;
  const CR = 0x0d;
  let index = raw.indexOf(LF);
  while (index >= 0) {
    const next = raw[index + 1];
    if (next === LF) return { headerEnd: index + 1, bodyStart: index + 2 };
    if (next === CR && raw[index + 2] === LF) return { headerEnd: index + 1, bodyStart: index + 3 };
    index = raw.indexOf(LF, index + 1);
  }
  return undefined;
}

/** The unfolded value of a raw field, still undecoded (encoded-words stay as they are). */
export function rawFieldValue(field: RawHeaderField): string {
  return field.raw
    .slice(field.raw.indexOf(':') + 1)
    .replace(/\r?\n[ \t]/g, ' ')
    .trim();
}

/** RFC 5322 2.1.1, and SES: a line of at most 1,000 characters with its CRLF. */
const MAX_HEADER_LINE = 998;

/** Fields whose whole value is text, where RFC 2047 encoded-words may stand (RFC 5322 3.6.5, RFC 2045 8). */
const UNSTRUCTURED = new Set(['comments', 'keywords', 'content-description', 'organization', 'thread-topic']);

/** MIME fields with parameters: an 8-bit file name is written again with RFC 2231 (libmime). */
const PARAMETERISED = new Set(['content-type', 'content-disposition']);

/** C0 controls but TAB, LF and CR (a CR is bare, and replaced, only when no LF follows it), and DEL. */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/**
 * A kept header field as it can go out through SES, or undefined when it cannot without changing what
 * it says. SES takes no SMTPUTF8 (so no RFC 6532 8-bit header values) and no line over 1,000
 * characters with its CRLF, and a bare CR or NUL may make it refuse the message on every retry:
 * - control characters (bare CR, NUL, the rest of C0 but TAB) become spaces;
 * - a line over 998 characters is folded at its white space, which unfolding removes again;
 * - an 8-bit value is decoded (UTF-8, else Latin-1) and written again in 7-bit: as RFC 2047 encoded
 *   words in a text field (Comments, Keywords, Content-Description, X-...), with RFC 2231 parameters
 *   in Content-Type and Content-Disposition (the file name of a single-part message stays readable);
 * - a structured field (Received, References, List-*, ...) that is 8-bit or cannot be folded is left
 *   out: its syntax allows no encoded words, and it only informs (the original stays in the store).
 * A field that needs none of this is kept byte for byte.
 */
export function forwardableField(field: RawHeaderField): string | undefined {
  const raw = field.raw.replace(CONTROL_CHARACTERS, ' ').replace(/\r(?!\n)/g, ' ');
  const text = UNSTRUCTURED.has(field.lowerName) || field.lowerName.startsWith('x-');
  if (/[^\x00-\x7f]/.test(raw)) {
    const value = decodeEightBit(raw.slice(raw.indexOf(':') + 1))
      .replace(/\r?\n[ \t]/g, ' ')
      .trim();
    if (text) return `${field.name}: ${encodeHeaderValue(value, field.name.length)}`;
    if (PARAMETERISED.has(field.lowerName)) {
      const rebuilt = libmime.buildHeaderValue(libmime.parseHeaderValue(value));
      return refold(libmime.foldLines(`${field.name}: ${rebuilt}`, MAX_LINE).replace(/\r?\n/g, '\r\n'));
    }
    return undefined;
  }
  const folded = refold(raw);
  if (folded !== undefined || !text) return folded;
  return `${field.name}: ${encodeHeaderValue(rawFieldValue({ ...field, raw }), field.name.length)}`;
}

/** Header bytes (as latin1 text) read as UTF-8 when they are UTF-8, else as Latin-1. */
function decodeEightBit(latin1Text: string): string {
  const bytes = Buffer.from(latin1Text, 'latin1');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return latin1Text;
  }
}

/**
 * The field with every line of at most 998 characters, folded before white space that is followed by
 * more text (so no line is white space alone); undefined when a line has no such place.
 */
function refold(raw: string): string | undefined {
  const lines: string[] = [];
  for (let line of raw.split('\r\n')) {
    while (line.length > MAX_HEADER_LINE) {
      let at = MAX_HEADER_LINE;
      while (
        at > 0 &&
        !(
          /[ \t]/.test(line[at] ?? '') &&
          /[^ \t]/.test(line[at + 1] ?? '') &&
          /[^ \t]/.test(line[at - 1] ?? '')
        )
      )
        at--;
      if (at === 0) return undefined;
      lines.push(line.slice(0, at));
      line = line.slice(at);
    }
    lines.push(line);
  }
  return lines.join('\r\n');
}

const MAX_LINE = 76;
const ENCODED_WORD_OVERHEAD = '=?UTF-8?B??='.length;

/**
 * Makes any string safe as an unstructured header value: control characters (CR, LF, NUL and the
 * rest of C0) become spaces, so a decoded value can never start a header of its own; non-ASCII
 * text becomes RFC 2047 encoded-words; long values are folded. Returns the value only (no name).
 */
export function encodeHeaderValue(value: string, nameLength: number): string {
  const clean = value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (/^[\x20-\x7e]*$/.test(clean) && !/=\?/.test(clean)) return foldAscii(clean, nameLength);
  return encodeWords(clean, nameLength);
}

function foldAscii(value: string, nameLength: number): string {
  const words = value.split(' ');
  const lines: string[] = [];
  let current = '';
  let budget = MAX_LINE - nameLength - 2;
  for (const word of words) {
    const candidate = current ? `${current} ${word}` : word;
    if (candidate.length > budget && current) {
      lines.push(current);
      current = word;
      budget = MAX_LINE - 1;
    } else {
      current = candidate;
    }
  }
  lines.push(current);
  // A single word longer than a line is allowed by RFC 5322 (up to 998); longer ones get encoded.
  if (lines.some((line) => line.length > 900)) return encodeWords(value, nameLength);
  return lines.join('\r\n ');
}

/** Base64 encoded-words of at most 75 characters, split on whole characters (never inside one). */
function encodeWords(value: string, nameLength: number): string {
  const words: string[] = [];
  let chunk = '';
  // The chunk's UTF-8 length, counted as it grows (not measured again for every character it takes).
  let chunkBytes = 0;
  let budget = MAX_LINE - nameLength - 2;
  for (const char of value) {
    const charBytes = utf8Length(char);
    if (base64Length(chunkBytes + charBytes) + ENCODED_WORD_OVERHEAD > budget && chunk) {
      words.push(toEncodedWord(chunk));
      chunk = char;
      chunkBytes = charBytes;
      budget = MAX_LINE - 1;
    } else {
      chunk += char;
      chunkBytes += charBytes;
    }
  }
  if (chunk || words.length === 0) words.push(toEncodedWord(chunk));
  return words.join('\r\n ');
}

/**
 * The UTF-8 length of one character as `for...of` yields it (a code point, or a lone surrogate, which
 * UTF-8 writes as U+FFFD): a chunk's length is the sum of its characters' lengths, since `for...of`
 * never leaves two surrogates apart that would pair up once joined.
 */
function utf8Length(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
}

function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

function toEncodedWord(text: string): string {
  return `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

const MAX_QUOTED_NAME = 200;

const SAFE_ADDRESS =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** An addr-spec we are willing to write into a header: dot-atom local part, plain domain. */
export function isSafeAddress(address: string): boolean {
  return address.length <= 254 && SAFE_ADDRESS.test(address);
}

/**
 * The address as a header may carry it in 7-bit mail: an internationalised domain in its IDNA form
 * (`asa@göteborg-eu.example` -> `asa@xn--gteborg-eu-hcb.example`). Undefined for a local part that is
 * not ASCII: it has no 7-bit form (that needs SMTPUTF8, which the router does not send: SES's raw
 * send takes 7-bit headers) and RFC 2047 may not encode an addr-spec.
 */
export function asciiAddress(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  if (at <= 0) return undefined;
  const local = address.slice(0, at);
  if (!/^[!-~]+$/.test(local)) return undefined;
  const domain = address.slice(at + 1);
  const asciiDomain = /^[!-~]+$/.test(domain) ? domain : domainToASCII(domain.normalize('NFC'));
  return asciiDomain ? `${local}@${asciiDomain}` : undefined;
}

/** An address that is well formed but has a non-ASCII local part (SMTPUTF8): no 7-bit header can carry it. */
export function isInternationalAddress(address: string): boolean {
  const at = address.lastIndexOf('@');
  if (at <= 0) return false;
  const local = address.slice(0, at);
  const domainForm = asciiAddress(`x@${address.slice(at + 1)}`);
  return (
    /[^\x00-\x7f]/.test(local) &&
    !/[\s\x00-\x1f\x7f<>()[\]\\,;:@"]/.test(local) &&
    domainForm !== undefined &&
    isSafeAddress(domainForm)
  );
}

/**
 * `"Display Name" <address>` with the name quoted or encoded, and the domain in its IDNA form.
 * Returns undefined for an address that is not a plain addr-spec: writing it could smuggle syntax
 * into the header.
 */
export function formatAddress(name: string, rawAddress: string, nameLength: number): string | undefined {
  const address = asciiAddress(rawAddress);
  if (address === undefined || !isSafeAddress(address)) return undefined;
  const cleanName = name.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (!cleanName) return `<${address}>`;
  // A quoted name cannot be folded: a long one is encoded instead, so no line passes RFC 5322's 998.
  const displayName =
    /^[\x20-\x7e]*$/.test(cleanName) && cleanName.length <= MAX_QUOTED_NAME
      ? `"${cleanName.replace(/["\\]/g, '\\$&')}"`
      : encodeWords(cleanName, nameLength);
  return `${displayName} <${address}>`;
}

/** Joins already-formatted addresses into a header value, one per folded line when there are several. */
export function joinAddresses(formatted: string[]): string {
  return formatted.join(',\r\n ');
}
