// core (pure): raw message --> the smaller message that parsing needs. Classification reads the headers,
// the text parts (within a budget) and a few small attachments a person would read; it never needs the
// bytes of a zip or a photo. A scan over the raw bytes finds the MIME parts and cuts the bodies that
// no step reads, so mailparser decodes kilobytes instead of megabytes. Forwarding never sees this:
// it works on the original bytes.

export interface SlimLimits {
  /** Encoded bytes kept of one text part; the classifier reads only the opening of a long text. */
  maxTextPartBytes: number;
  /** Encoded bytes of all text parts together. */
  maxTotalTextBytes: number;
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
    scan.part(0, raw.length, 0, false);
  } catch (error) {
    if (error instanceof UnsureStructure) return untouched;
    throw error;
  }
  if (scan.cuts.length === 0) return untouched;
  return { bytes: assemble(raw, scan.cuts), textTruncated: scan.textTruncated, deferred: scan.deferred };
}

/** The decoded content of a deferred attachment: Node's base64 decoder skips the line breaks. */
export function readDeferred(raw: Uint8Array, part: DeferredPart): Buffer {
  return Buffer.from(latin1(raw, part.start, part.end), 'base64');
}

class UnsureStructure extends Error {}

class Scan {
  readonly cuts: Cut[] = [];
  readonly deferred: DeferredPart[] = [];
  textTruncated = false;
  private textBytes = 0;
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
  part(start: number, end: number, depth: number, inAlternative: boolean): void {
    if (depth > this.limits.maxDepth) throw new UnsureStructure();
    const separator = headerEnd(this.raw, start, end);
    if (!separator) return;
    const headers = readPartHeaders(latin1(this.raw, start, separator.headerEnd));
    const bodyStart = separator.bodyStart;
    const type = headers.contentType || 'text/plain';

    if (type.startsWith('multipart/')) {
      if (!headers.boundary) throw new UnsureStructure();
      this.multipart(
        headers.boundary,
        bodyStart,
        end,
        depth,
        inAlternative || type === 'multipart/alternative',
      );
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
      const kept = this.textAllowance(bodyStart, end, headers.encoding);
      if (kept < bodyLength) {
        this.textTruncated = true;
        this.cut(bodyStart + kept, end, start, headers.encoding, false);
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
  ): void {
    const delimiters = findDelimiters(this.raw, boundary, start, end);
    if (delimiters.length === 0) throw new UnsureStructure();
    for (let index = 0; index < delimiters.length; index++) {
      const delimiter = delimiters[index];
      if (!delimiter || delimiter.closing) break;
      const next = delimiters[index + 1];
      this.part(delimiter.lineEnd, next ? next.start : end, depth + 1, inAlternative);
    }
  }

  /** Bytes of a text body [start, end) that stay: up to the budget, ending at a line end. */
  private textAllowance(start: number, end: number, encoding: string): number {
    const allowance = Math.min(
      end - start,
      this.limits.maxTextPartBytes,
      Math.max(0, this.limits.maxTotalTextBytes - this.textBytes),
    );
    let kept = allowance;
    if (allowance < end - start) {
      const lineEnd = this.raw.lastIndexOf(LF, start + allowance - 1);
      kept =
        lineEnd > start
          ? lineEnd - start - (this.raw[lineEnd - 1] === CR ? 1 : 0)
          : this.insideLine(start, allowance, encoding);
    }
    this.textBytes += kept;
    return kept;
  }

  /**
   * A cut inside one long line (minified HTML, say): never inside a quoted-printable escape or a
   * base64 quantum. A UTF-8 character cut in two only spoils the last character, past the budget.
   */
  private insideLine(start: number, allowance: number, encoding: string): number {
    if (encoding === 'base64') return allowance - (allowance % 4);
    let kept = allowance;
    if (encoding === 'quoted-printable') {
      if (this.raw[start + kept - 1] === 0x3d) kept -= 1;
      else if (this.raw[start + kept - 2] === 0x3d) kept -= 2;
    }
    return kept;
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
 * Delimiter lines `--boundary` and `--boundary--` in [start, end), as RFC 2046 and mailsplit read
 * them: at the start of a line, followed only by optional white space.
 */
function findDelimiters(raw: Buffer, boundary: string, start: number, end: number): Delimiter[] {
  const marker = Buffer.from(`--${boundary}`, 'latin1');
  const found: Delimiter[] = [];
  let index = start;
  while (index < end) {
    const at = raw.indexOf(marker, index);
    if (at < 0 || at >= end) break;
    index = at + marker.length;
    if (at !== start && raw[at - 1] !== LF) continue;
    let cursor = at + marker.length;
    let closing = false;
    if (raw[cursor] === 0x2d && raw[cursor + 1] === 0x2d) {
      closing = true;
      cursor += 2;
    }
    while (cursor < end && (raw[cursor] === 0x20 || raw[cursor] === 0x09)) cursor++;
    if (cursor < end && raw[cursor] !== CR && raw[cursor] !== LF) continue;
    const lineEnd = raw[cursor] === CR && raw[cursor + 1] === LF ? cursor + 2 : Math.min(cursor + 1, end);
    const lineStart = at === start ? at : at - (at >= 2 && raw[at - 2] === CR ? 2 : 1);
    found.push({ start: Math.max(lineStart, start), lineEnd, closing });
    if (closing) break;
  }
  return found;
}

function latin1(raw: Uint8Array, start: number, end: number): string {
  return Buffer.from(raw.buffer, raw.byteOffset + start, end - start).toString('latin1');
}

const STRUCTURAL = new Set(['content-type', 'content-transfer-encoding', 'content-disposition']);

/** Content-Type, its boundary, the transfer encoding and the file name of one part. */
function readPartHeaders(block: string): PartHeaders {
  const fields = new Map<string, string>();
  for (const field of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = field.indexOf(':');
    if (colon <= 0) continue;
    const name = field.slice(0, colon).trim().toLowerCase();
    // Two of a header that decides the structure: which one a parser believes is anyone's guess.
    if (fields.has(name) && STRUCTURAL.has(name)) throw new UnsureStructure();
    if (!fields.has(name)) fields.set(name, field.slice(colon + 1).trim());
  }
  const contentType = splitHeaderValue(fields.get('content-type') ?? '');
  const disposition = splitHeaderValue(fields.get('content-disposition') ?? '');
  return {
    contentType: contentType.value,
    boundary: contentType.params.get('boundary'),
    encoding: (fields.get('content-transfer-encoding') ?? '').toLowerCase(),
    filename: disposition.params.get('filename') ?? contentType.params.get('name') ?? '',
    disposition: disposition.value,
  };
}

/** `value; name=param; ...` with quoted parameters, RFC 2231 continuations and encoded words decoded enough to read a name. */
function splitHeaderValue(header: string): { value: string; params: Map<string, string> } {
  const pieces: string[] = [];
  let current = '';
  let quoted = false;
  for (let index = 0; index < header.length; index++) {
    const char = header[index];
    if (char === '\\' && quoted) {
      current += header[++index] ?? '';
      continue;
    }
    if (char === '"') quoted = !quoted;
    else if (char === ';' && !quoted) {
      pieces.push(current);
      current = '';
    } else current += char;
  }
  pieces.push(current);
  const params = new Map<string, string>();
  const continued = new Map<string, string[]>();
  for (const piece of pieces.slice(1)) {
    const equals = piece.indexOf('=');
    if (equals <= 0) continue;
    const key = piece.slice(0, equals).trim().toLowerCase();
    const value = piece.slice(equals + 1).trim();
    const extended = /^([^*]+)\*(?:(\d+)\*?)?$/.exec(key);
    if (extended?.[1]) {
      const list = continued.get(extended[1]) ?? [];
      list[Number(extended[2] ?? 0)] = value.replace(/^[^']*'[^']*'/, '');
      continued.set(extended[1], list);
    } else {
      params.set(key, decodeWords(value));
    }
  }
  for (const [key, list] of continued) {
    if (!params.has(key)) params.set(key, safeDecodeUri(list.join('')));
  }
  return { value: (pieces[0] ?? '').trim().toLowerCase(), params };
}

function safeDecodeUri(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** RFC 2047 encoded words, enough to see a file name's extension (which is ASCII in any charset). */
function decodeWords(value: string): string {
  return value.replace(/=\?[^?]+\?([bBqQ])\?([^?]*)\?=/g, (_, kind: string, text: string) =>
    kind.toLowerCase() === 'b'
      ? Buffer.from(text, 'base64').toString('latin1')
      : text
          .replace(/_/g, ' ')
          .replace(/=([0-9a-fA-F]{2})/g, (__, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
  );
}

/**
 * The decoded size of a body [start, end): exact for base64 (characters of its alphabet x 3/4, which
 * also accounts for padding), the encoded length otherwise.
 */
function decodedSize(raw: Uint8Array, start: number, end: number, encoding: string): number {
  if (encoding !== 'base64') return end - start;
  return Math.floor((base64Characters(raw, start, end) * 3) / 4);
}

/**
 * Encoders write base64 in lines of one length, so whole lines are counted by their length with one
 * check of the line break each; the last full line (it may end in padding) and the rest are counted
 * character by character, and so is a body whose lines are irregular from the first one on.
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
  return (fullLines - 1) * lineLength + countBase64(raw, lineStart - stride, end);
}

function countBase64(raw: Uint8Array, start: number, end: number): number {
  let characters = 0;
  for (let index = start; index < end; index++) {
    const byte = raw[index] ?? 0;
    if (
      (byte >= 0x41 && byte <= 0x5a) ||
      (byte >= 0x61 && byte <= 0x7a) ||
      (byte >= 0x30 && byte <= 0x39) ||
      byte === 0x2b ||
      byte === 0x2f
    )
      characters++;
  }
  return characters;
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
