// core (pure): raw message --> the smaller message that parsing needs. Classification reads the headers,
// the text parts (within a budget) and a few small attachments a person would read; it never needs the
// bytes of a zip or a photo. A scan over the raw bytes finds the MIME parts and cuts the bodies that
// no step reads, so mailparser decodes kilobytes instead of megabytes. Forwarding never sees this:
// it works on the original bytes.
//
// The scan reads the structure as mailparser's splitter (mailsplit) reads it, and where it cannot be
// sure of that it hands over the original: each part's header block goes through mailsplit's own
// MimeNode (content type with comments, the type guessed from a file name, `filename || name`), the
// delimiter lines are those mailsplit accepts, an inline message/rfc822 is opened as mailsplit opens
// it, and sizes are counted as libbase64 decodes. `test/unit/lean-parse-differential.test.ts` holds
// the result to a plain mailparser parse of the whole message.
import { MimeNode } from '@zone-eu/mailsplit';
import { decode as decodeBase64 } from 'libbase64';

export interface SlimLimits {
  /**
   * Characters (UTF-16 units) of text the parser must still produce, all text parts together; the
   * classifier reads only the opening of a long text. Each text part is read for as many decoded
   * bytes as its charset may take for them (`bytesPerCharacter`); what follows is cut, and text parts
   * after the budget are cut whole.
   */
  maxTextCharacters: number;
  /** Parts a person would read (PDF, forwarded message, calendar) are kept up to this size. */
  maxReadableBytes: number;
  /** Deeper nesting is left to the parser as it is. */
  maxDepth: number;
}

export interface SlimResult {
  /** The message to parse: the original when nothing was cut. */
  bytes: Uint8Array;
  /** True when a text part was cut at the text budget. */
  textTruncated: boolean;
  /** Attachments cut from `bytes` that may be read later, straight from the original bytes. */
  deferred: DeferredPart[];
}

/** A base64 attachment body [start, end) of the original, left undecoded until someone reads it. */
export interface DeferredPart {
  contentType: string;
  filename: string;
  start: number;
  end: number;
}

/** Which attachments to leave undecoded, for the caller to read later, if at all. */
export type DeferTest = (contentType: string, filename: string) => boolean;

/**
 * Header added to a part whose body was cut, carrying the size of the original (decoded) content:
 * the attachment list shows real sizes. A sender can write it too; it then lies only about a size.
 */
export const ORIGINAL_SIZE_HEADER = 'x-mailroute-original-size';

/** Header added to a deferred part: its index in `SlimResult.deferred`. */
export const DEFERRED_PART_HEADER = 'x-mailroute-deferred-part';

/** Decides, per leaf part, whether its content is needed; the same rule the parser uses to buffer. */
export type ReadableTest = (contentType: string, filename: string) => boolean;

interface Cut {
  /** Bytes [start, end) of the original are left out. */
  start: number;
  end: number;
  /** Text put in their place, before the cut. */
  insert?: string;
}

interface PartHeaders {
  contentType: string;
  boundary: string | undefined;
  encoding: string;
  filename: string;
  disposition: string;
  /** The `charset` parameter as written, or '' without one. */
  charset: string;
  /** True when the transfer encoding was written in a form of its name that mailsplit does not know. */
  encodingMisnamed: boolean;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Returns a message with the same structure and headers as `raw`, in which leaf bodies that parsing
 * does not read are empty and long text bodies end at the budget. Returns `raw` itself when there is
 * nothing to cut or the structure is not one this scan is sure about: the parser then sees it all.
 */
export function slimForParsing(
  raw: Uint8Array,
  limits: SlimLimits,
  isReadable: ReadableTest,
  defer: DeferTest = () => false,
): SlimResult {
  const scan = new Scan(raw, limits, isReadable, defer);
  const untouched = { bytes: raw, textTruncated: false, deferred: [] };
  try {
    scan.part(0, raw.length, 0, false, []);
  } catch (error) {
    if (error instanceof UnsureStructure) return untouched;
    throw error;
  }
  if (scan.cuts.length === 0) return untouched;
  return { bytes: assemble(raw, scan.cuts), textTruncated: scan.textTruncated, deferred: scan.deferred };
}

/**
 * The decoded content of a deferred attachment, as mailparser's base64 decoder (libbase64's Decoder)
 * gives it: everything outside the alphabet dropped, each `=`-padded segment decoded on its own.
 */
export function readDeferred(raw: Uint8Array, part: DeferredPart): Buffer {
  return decodeBase64(latin1(raw, part.start, part.end).replace(/[^a-zA-Z0-9+/=]/g, ''));
}

class UnsureStructure extends Error {}

class Scan {
  readonly cuts: Cut[] = [];
  readonly deferred: DeferredPart[] = [];
  textTruncated = false;
  /** Characters the text read so far holds at least (its decoded bytes over bytesPerCharacter). */
  private textCharacters = 0;
  private readonly raw: Buffer;

  constructor(
    raw: Uint8Array,
    private readonly limits: SlimLimits,
    private readonly isReadable: ReadableTest,
    private readonly defer: DeferTest,
  ) {
    this.raw = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  }

  /** One MIME part in [start, end): its header block, then its body. */
  part(start: number, end: number, depth: number, inAlternative: boolean, boundaries: string[]): void {
    if (depth > this.limits.maxDepth) throw new UnsureStructure();
    const separator = headerEnd(this.raw, start, end);
    if (!separator) return;
    const headers = readPartHeaders(this.raw.subarray(start, separator.headerEnd));
    if (headers.encodingMisnamed) {
      // mailsplit believes the first of two, and passes a name it does not know through undecoded.
      this.cuts.push({ start, end: start, insert: `Content-Transfer-Encoding: ${headers.encoding}\r\n` });
    }
    const bodyStart = separator.bodyStart;
    const type = headers.contentType;

    if (type.startsWith('multipart/')) {
      if (!headers.boundary || boundaries.includes(headers.boundary)) throw new UnsureStructure();
      this.multipart(
        headers.boundary,
        bodyStart,
        end,
        depth,
        inAlternative || type === 'multipart/alternative',
        [...boundaries, headers.boundary],
      );
      return;
    }
    if (isEmbeddedMessage(headers)) {
      // mailsplit opens it as a message of its own: its parts are the message's parts, its text is text.
      this.part(bodyStart, end, depth + 1, inAlternative, boundaries);
      return;
    }
    const bodyLength = end - bodyStart;
    if (bodyLength <= 0) return;

    if (isInlineText(type, headers.disposition)) {
      if (type === 'text/html' && inAlternative) {
        // mailparser never turns an HTML alternative into text: its bytes are read for nothing.
        this.cut(bodyStart, end, start, headers.encoding, false);
        return;
      }
      const kept = this.textAllowance(bodyStart, end, headers.encoding, headers.charset);
      if (kept < end) {
        this.textTruncated = true;
        this.cut(kept, end, start, headers.encoding, false);
      }
      return;
    }
    const readable = this.isReadable(type, headers.filename) && bodyLength <= this.limits.maxReadableBytes;
    if (readable && headers.encoding === 'base64' && this.defer(type, headers.filename)) {
      this.cuts.push({ start, end: start, insert: `X-Mailroute-Deferred-Part: ${this.deferred.length}\r\n` });
      this.deferred.push({ contentType: type, filename: headers.filename, start: bodyStart, end });
    } else if (readable) {
      // Kept whole when the parser may read it, so that it decides exactly as before.
      return;
    }
    this.cut(bodyStart, end, start, headers.encoding, true);
  }

  /** The children between the delimiter lines of `boundary` in [start, end). */
  private multipart(
    boundary: string,
    start: number,
    end: number,
    depth: number,
    inAlternative: boolean,
    boundaries: string[],
  ): void {
    const delimiters = findDelimiters(this.raw, boundary, start, end);
    // A closing delimiter first does not end the multipart for mailsplit (it reads on): unsure.
    if (delimiters.length === 0 || delimiters[0]?.closing) throw new UnsureStructure();
    for (let index = 0; index < delimiters.length; index++) {
      const delimiter = delimiters[index];
      if (!delimiter || delimiter.closing) break;
      const next = delimiters[index + 1];
      const partEnd = next ? next.start : end;
      if (delimiter.lineEnd < partEnd)
        this.part(delimiter.lineEnd, partEnd, depth + 1, inAlternative, boundaries);
    }
  }

  /**
   * Where a text body [start, end) is cut: after the bytes that decode to what is left of the text
   * budget (never inside a quoted-printable escape or a base64 quantum), or `end` when all of it fits.
   * A UTF-8 character cut in two only spoils the last character, past the budget.
   */
  private textAllowance(start: number, end: number, encoding: string, charset: string): number {
    const perCharacter = bytesPerCharacter(charset);
    const left = Math.max(0, this.limits.maxTextCharacters - this.textCharacters);
    const { position, decoded } = decodedPrefix(
      this.raw,
      start,
      end,
      encoding,
      Math.ceil(left * perCharacter),
    );
    this.textCharacters += decoded / perCharacter;
    return position;
  }

  /** Leaves out [start, end); with `recordSize`, the part's header block says how big it really was. */
  private cut(start: number, end: number, partStart: number, encoding: string, recordSize: boolean): void {
    if (end <= start) return;
    if (recordSize) {
      const size = decodedSize(this.raw, start, end, encoding);
      this.cuts.push({ start: partStart, end: partStart, insert: `X-Mailroute-Original-Size: ${size}\r\n` });
    }
    this.cuts.push({ start, end });
  }
}

/**
 * What mailparser reads as the message text rather than an attachment: plain text, HTML and delivery
 * status, unless the disposition says otherwise (anything but `inline` counts as attachment).
 */
function isInlineText(type: string, disposition: string): boolean {
  const textType = type === 'text/plain' || type === 'text/html' || type === 'message/delivery-status';
  return textType && (disposition === '' || disposition === 'inline');
}

/** The blank line that ends a header block starting at `start`, CRLF or bare LF. */
export function headerEnd(
  raw: Uint8Array,
  start: number,
  end: number,
): { headerEnd: number; bodyStart: number } | undefined {
  // A part that starts with its blank line has no headers at all.
  if (raw[start] === LF) return { headerEnd: start, bodyStart: start + 1 };
  if (raw[start] === CR && raw[start + 1] === LF) return { headerEnd: start, bodyStart: start + 2 };
  let index = raw.indexOf(LF, start);
  while (index >= 0 && index < end) {
    const next = raw[index + 1];
    if (next === LF) return { headerEnd: index + 1, bodyStart: Math.min(index + 2, end) };
    if (next === CR && raw[index + 2] === LF)
      return { headerEnd: index + 1, bodyStart: Math.min(index + 3, end) };
    index = raw.indexOf(LF, index + 1);
  }
  return undefined;
}

interface Delimiter {
  /** Where the line break before the delimiter line starts (it belongs to the delimiter). */
  start: number;
  /** First byte after the delimiter line. */
  lineEnd: number;
  closing: boolean;
}

/**
 * Delimiter lines `--boundary` and `--boundary--` in [start, end), as mailsplit reads them: at the
 * start of a line, followed only by white space and a line end (a run of CRs before the LF counts, the
 * trace of a CR-to-CRLF conversion done twice); only the closing one may end the input without a line
 * end. A line that mailsplit might read otherwise (`--boundary` after a lone CR, an overlong run of
 * white space) makes the scan unsure.
 */
function findDelimiters(raw: Buffer, boundary: string, start: number, end: number): Delimiter[] {
  const marker = Buffer.from(`--${boundary}`, 'latin1');
  const found: Delimiter[] = [];
  let index = start;
  while (index < end) {
    const at = raw.indexOf(marker, index);
    if (at < 0 || at >= end) break;
    index = at + marker.length;
    if (at !== start && raw[at - 1] !== LF) {
      if (raw[at - 1] === CR && (at - 1 === start || raw[at - 2] === LF)) throw new UnsureStructure();
      continue;
    }
    const line = delimiterLine(raw, at + marker.length);
    if (!line) continue;
    if (line.end - at - marker.length > MAX_DELIMITER_SUFFIX) throw new UnsureStructure();
    const lineStart = at === start ? at : at - (at >= 2 && raw[at - 2] === CR ? 2 : 1);
    found.push({ start: Math.max(lineStart, start), lineEnd: line.end, closing: line.closing });
    if (line.closing) break;
  }
  return found;
}

/** What mailsplit lets follow a boundary on its line: `--`, white space and the line end (RFC 5322's 998). */
const MAX_DELIMITER_SUFFIX = 2 + 998 + 2;

/** The rest of a line that starts with `--boundary`, from `cursor`: a delimiter line, or undefined. */
function delimiterLine(raw: Buffer, from: number): { end: number; closing: boolean } | undefined {
  let cursor = from;
  const closing = raw[cursor] === 0x2d && raw[cursor + 1] === 0x2d;
  if (closing) cursor += 2;
  while (cursor < raw.length && (raw[cursor] === 0x20 || raw[cursor] === 0x09)) cursor++;
  if (cursor === raw.length) return closing ? { end: cursor, closing } : undefined;
  while (cursor < raw.length && raw[cursor] === CR) cursor++;
  if (cursor === raw.length) return { end: cursor, closing };
  return raw[cursor] === LF ? { end: cursor + 1, closing } : undefined;
}

function latin1(raw: Uint8Array, start: number, end: number): string {
  return Buffer.from(raw.buffer, raw.byteOffset + start, end - start).toString('latin1');
}

const STRUCTURAL = ['content-type', 'content-transfer-encoding', 'content-disposition'];

/**
 * Content type, boundary, transfer encoding, disposition and file name of one part, read by mailsplit's
 * own MimeNode: the same comments stripped, the same type guessed from a file name when Content-Type is
 * missing, the same `filename || name`.
 */
function readPartHeaders(block: Buffer): PartHeaders {
  const node = new MimeNode(false);
  node.addHeaderChunk(block);
  node.parseHeaders();
  const headers = node.headers;
  // Two of a header that decides the structure: mailsplit believes the first, another reader may not.
  if (headers && STRUCTURAL.some((name) => headers.get(name).length > 1)) throw new UnsureStructure();
  const written = node.encoding || '';
  const encoding = canonicalEncoding(written);
  return {
    contentType: node.contentType || 'text/plain',
    boundary: node._boundary ? node._boundary.toString('latin1') : undefined,
    encoding,
    encodingMisnamed: encoding !== written,
    filename: node.filename || '',
    disposition: node.disposition || '',
    charset: node.charset || '',
  };
}

/**
 * The transfer encoding a sender meant by a name RFC 2045 does not give (`qp`, `Quoted_Printable`,
 * `base-64`): some scripts and old clients write these, and their text would otherwise reach the
 * classifier still encoded. Any other name is returned as written.
 */
function canonicalEncoding(written: string): string {
  const letters = written.replace(/[^a-z0-9]/g, '');
  if (letters === 'qp' || letters === 'quotedprintable') return 'quoted-printable';
  if (letters === 'base64') return 'base64';
  return written;
}

/**
 * The most decoded bytes one character (UTF-16 unit) of a text part can take, so that its opening of
 * `n x bytesPerCharacter` bytes holds at least n characters. mailparser reads a part without a charset,
 * or in ASCII or UTF-8, as UTF-8 itself (`Buffer#toString`): at most 3 bytes a unit (a 4-byte
 * character is two units; a bad byte becomes one U+FFFD; CR LF becomes one LF). Any other charset may
 * take up to 4 (UTF-32, GB18030). Text that comes out shorter all the same (HTML, format=flowed) is
 * read again whole by the caller (parse.ts).
 */
export function bytesPerCharacter(charset: string): number {
  const name = charset.toLowerCase().replace(/[^a-z0-9]+/g, '');
  return name === '' || name === 'ascii' || name === 'usascii' || name === 'utf8' ? 3 : 4;
}

/** An inline message/rfc822 that mailsplit reads as a message of its own rather than as an attachment. */
function isEmbeddedMessage(headers: PartHeaders): boolean {
  return (
    headers.contentType === 'message/rfc822' &&
    ['', '7bit', '8bit', 'binary'].includes(headers.encoding) &&
    headers.disposition === 'inline'
  );
}

/** The decoded size of a body [start, end), as mailparser's decoders count it. */
function decodedSize(raw: Uint8Array, start: number, end: number, encoding: string): number {
  if (encoding === 'base64') return base64DecodedSize(raw, start, end);
  if (encoding === 'quoted-printable') return decodedPrefix(raw, start, end, encoding, end - start).decoded;
  return end - start;
}

/**
 * libbase64's count: every `=` ends a segment, and a segment of n characters of the alphabet decodes
 * to floor(3n / 4) bytes. Segments are found with indexOf; their characters are counted by line length.
 */
function base64DecodedSize(raw: Uint8Array, start: number, end: number): number {
  let size = 0;
  let segmentStart = start;
  while (segmentStart < end) {
    let pad = raw.indexOf(0x3d, segmentStart);
    if (pad < 0 || pad > end) pad = end;
    size += Math.floor((base64Characters(raw, segmentStart, pad) * 3) / 4);
    segmentStart = pad + 1;
  }
  return size;
}

/**
 * Encoders write base64 in lines of one length, so whole lines are counted by their length with one
 * check of the line break each; the last full line and the rest are counted character by character,
 * and so is a body whose lines are irregular from the first one on.
 */
function base64Characters(raw: Uint8Array, start: number, end: number): number {
  const firstBreak = raw.indexOf(LF, start);
  if (firstBreak < 0 || firstBreak >= end) return countBase64(raw, start, end);
  const crlf = firstBreak > start && raw[firstBreak - 1] === CR;
  const lineLength = firstBreak - start - (crlf ? 1 : 0);
  const stride = lineLength + (crlf ? 2 : 1);
  if (lineLength <= 0) return countBase64(raw, start, end);
  let lineStart = start;
  let fullLines = 0;
  while (lineStart + stride <= end) {
    const breakAt = lineStart + lineLength;
    if (crlf ? raw[breakAt] !== CR || raw[breakAt + 1] !== LF : raw[breakAt] !== LF) break;
    fullLines++;
    lineStart += stride;
  }
  if (fullLines === 0) return countBase64(raw, start, end);
  return (
    (fullLines - 1) * countBase64(raw, start, start + lineLength) + countBase64(raw, lineStart - stride, end)
  );
}

function isBase64Character(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    (byte >= 0x30 && byte <= 0x39) ||
    byte === 0x2b ||
    byte === 0x2f
  );
}

function countBase64(raw: Uint8Array, start: number, end: number): number {
  let characters = 0;
  for (let index = start; index < end; index++) if (isBase64Character(raw[index] ?? 0)) characters++;
  return characters;
}

function isHex(byte: number | undefined): boolean {
  return (
    byte !== undefined && ((byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66))
  );
}

/**
 * The shortest opening of a body [start, end) that decodes to at least `wanted` bytes, ending where a
 * decoder can stop (after a whole quoted-printable escape or soft line break, a whole base64 quantum),
 * and how many bytes it decodes to. Walks only as far as it needs.
 */
function decodedPrefix(
  raw: Uint8Array,
  start: number,
  end: number,
  encoding: string,
  wanted: number,
): { position: number; decoded: number } {
  if (encoding === 'base64') {
    let closed = 0;
    let characters = 0;
    let index = start;
    for (; index < end; index++) {
      if (closed + Math.floor((characters * 3) / 4) >= wanted && characters % 4 === 0) break;
      const byte = raw[index] ?? 0;
      if (byte === 0x3d) {
        closed += Math.floor((characters * 3) / 4);
        characters = 0;
      } else if (isBase64Character(byte)) characters++;
    }
    return { position: index, decoded: closed + Math.floor((characters * 3) / 4) };
  }
  if (encoding === 'quoted-printable') {
    let decoded = 0;
    let index = start;
    while (index < end && decoded < wanted) {
      if (raw[index] !== 0x3d) {
        decoded++;
        index++;
      } else if (isHex(raw[index + 1]) && isHex(raw[index + 2])) {
        decoded++;
        index += 3;
      } else {
        // A soft line break (`=` and the line end, perhaps after white space) decodes to nothing.
        let next = index + 1;
        while (raw[next] === 0x20 || raw[next] === 0x09) next++;
        if (raw[next] === CR) next++;
        if (raw[next] === LF) index = next + 1;
        else {
          decoded++;
          index++;
        }
      }
    }
    return { position: Math.min(index, end), decoded };
  }
  const position = Math.min(end, start + wanted);
  return { position, decoded: position - start };
}

/** The original with the cuts applied: one allocation of the final size. */
function assemble(raw: Uint8Array, cuts: Cut[]): Uint8Array {
  const ordered = [...cuts].sort((a, b) => a.start - b.start || a.end - b.end);
  const pieces: Uint8Array[] = [];
  let position = 0;
  for (const cut of ordered) {
    if (cut.start < position) continue;
    pieces.push(raw.subarray(position, cut.start));
    if (cut.insert) pieces.push(Buffer.from(cut.insert, 'latin1'));
    position = cut.end;
  }
  pieces.push(raw.subarray(position));
  return Buffer.concat(pieces);
}
