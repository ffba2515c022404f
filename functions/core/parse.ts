// core (pure): raw bytes --> InboundMail. Step 4 of DESIGN.md: headers, text, HTML->text,
// attachment names, calendar parts, and the text of attachments a person would read.
import { htmlToText } from 'html-to-text';
import {
  type AddressObject,
  type AttachmentStream,
  type HeaderLines,
  type Headers,
  MailParser,
  type MessageText,
} from 'mailparser';
import { extractAttachmentText, isPdfAttachment } from './attachment-text.js';
import { parseCalendar } from './calendar.js';
import {
  DEFERRED_PART_HEADER,
  type DeferredPart,
  ORIGINAL_SIZE_HEADER,
  readDeferred,
  type SlimLimits,
  slimForParsing,
} from './mime-slim.js';
import { repairMisdecodedText } from './mojibake.js';
import type { AttachedText, AttachmentInfo, CalendarInfo, InboundMail, MailAddress } from './types.js';

export interface ParseLimits {
  /** Attachments larger than this are counted and named, never buffered. */
  maxBufferedAttachmentBytes: number;
  /** HTML longer than this is not converted to text (mailparser's converter is superlinear). */
  maxHtmlLength: number;
  /** Text kept for classification; the rest is not needed to decide a route. */
  maxTextLength: number;
  /** How deep forwarded messages (message/rfc822 attachments) are opened. */
  maxForwardDepth: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = {
  maxBufferedAttachmentBytes: 5 * 1024 * 1024,
  maxHtmlLength: 2 * 1024 * 1024,
  maxTextLength: 256 * 1024,
  maxForwardDepth: 2,
};

/** Parser failure that the pipeline turns into a "could not be read automatically" triage. */
export class MailParseError extends Error {
  override name = 'MailParseError';
}

interface CollectedAttachment {
  info: AttachmentInfo;
  content: Buffer | undefined;
  /** Index of its body in the slimming scan's deferred parts: the content is not here. */
  deferredPart: number | undefined;
}

/**
 * Parses a raw RFC 5322 message. Never returns partial garbage silently: what could not be read
 * is listed in `parseWarnings`; a message mailparser cannot read at all rejects with MailParseError.
 */
export async function parseMail(
  raw: Uint8Array,
  limits: ParseLimits = DEFAULT_PARSE_LIMITS,
): Promise<InboundMail> {
  return (await parseMailInStages(raw, limits)).withPdfText();
}

/**
 * A parsed message whose PDF attachments are not read yet. Reading a PDF costs more than all the
 * rest of a message (pdf.js), and most messages say in their own words what they are about.
 */
export interface StagedMail {
  /** Everything but the text of PDF attachments (their names and sizes are there). */
  mail: InboundMail;
  /** How many PDF attachments `withPdfText` would open. */
  unreadPdfs: number;
  /** The same mail with the PDFs' text in `attachedTexts`, in attachment order. */
  withPdfText(): Promise<InboundMail>;
}

export async function parseMailInStages(
  raw: Uint8Array,
  limits: ParseLimits = DEFAULT_PARSE_LIMITS,
): Promise<StagedMail> {
  return parseAtDepth(raw, limits, 0, 'lean');
}

/**
 * The same parse with mailparser reading the whole message, nothing cut: the reference the lean
 * parse is held to (`test/unit/lean-parse-differential.test.ts`). Slower on large messages.
 */
export async function parseMailWhole(
  raw: Uint8Array,
  limits: ParseLimits = DEFAULT_PARSE_LIMITS,
): Promise<InboundMail> {
  return (await parseAtDepth(raw, limits, 0, 'whole')).withPdfText();
}

/**
 * `lean`: mailparser sees the slimmed message; `lean-whole-text`: the same with no text cut;
 * `whole`: the original, as a plain mailparser parse.
 */
type ParseMode = 'lean' | 'lean-whole-text' | 'whole';

/**
 * What the parser reads of a message: text up to the budget above, and no attachment body that would
 * not be buffered anyway. With `wholeText`, every text part whole.
 */
function slimLimits(limits: ParseLimits, wholeText: boolean): SlimLimits {
  return {
    // One character more than is kept, so that a text cut at the budget is seen to be longer.
    maxTextCharacters: wholeText ? Number.POSITIVE_INFINITY : limits.maxTextLength + 1,
    // Base64 with line breaks is 4/3 x 78/76 of the content.
    maxReadableBytes: Math.ceil(limits.maxBufferedAttachmentBytes * 1.4),
    maxDepth: 30,
  };
}

async function parseAtDepth(
  raw: Uint8Array,
  limits: ParseLimits,
  depth: number,
  mode: ParseMode,
): Promise<StagedMail> {
  const slim =
    mode === 'whole'
      ? { bytes: raw, textTruncated: false, deferred: [] }
      : slimForParsing(raw, slimLimits(limits, mode === 'lean-whole-text'), mayBeRead, isPdfAttachment);
  const { headers, headerLines, text, attachments } = await runMailParser(slim.bytes, limits);
  if (slim.textTruncated && (text.text ?? '').length <= limits.maxTextLength) {
    // The cut text came out shorter than the text kept (HTML, or text that shrinks as it is decoded,
    // such as format=flowed): read it again whole, so that the opening is what a whole parse reads.
    return parseAtDepth(raw, limits, depth, 'lean-whole-text');
  }
  const parseWarnings: string[] = [];
  if (text.textConversionError) parseWarnings.push(`html-not-converted: ${text.textConversionError.message}`);

  let body = text.text ? text.text : htmlAsText(text, limits, parseWarnings);
  const repaired = repairMisdecodedText(body);
  if (repaired !== body) {
    body = repaired;
    parseWarnings.push('text-charset-repaired');
  }
  if (body.length > limits.maxTextLength || slim.textTruncated) {
    body = body.slice(0, limits.maxTextLength);
    parseWarnings.push(`text-truncated-to:${limits.maxTextLength}`);
  }

  const calendars: CalendarInfo[] = [];
  /** In attachment order; a PDF holds its place until it is read. */
  const attachedTexts: (AttachedText | PendingPdf)[] = [];
  for (const { info, content, deferredPart } of attachments) {
    if (!content) continue;
    if (isCalendar(info)) {
      const calendar = parseCalendar(content.toString('utf8'));
      if (calendar) calendars.push(calendar);
    } else if (info.contentType === 'message/rfc822') {
      if (depth < limits.maxForwardDepth) {
        attachedTexts.push(await forwardedText(content, info.filename, limits, depth, mode));
      }
    } else if (isPdfAttachment(info.contentType, info.filename)) {
      const part = deferredPart === undefined ? content : slim.deferred[deferredPart];
      if (part) attachedTexts.push({ pendingPdf: { ...info, content: part } });
    } else {
      const extracted = await extractAttachmentText({ ...info, content });
      if (extracted) attachedTexts.push(extracted);
    }
  }

  const mail: InboundMail = {
    from: firstAddress(headers.get('from')),
    replyTo: addressList(headers.get('reply-to')),
    to: addressList(headers.get('to')),
    cc: addressList(headers.get('cc')),
    subject: repairMisdecodedText(stringHeader(headers, 'subject')),
    date: isoDate(headers.get('date')),
    messageId: stringHeader(headers, 'message-id') || undefined,
    inReplyTo: stringHeader(headers, 'in-reply-to') || undefined,
    text: body,
    attachments: attachments.map((a) => a.info),
    calendars,
    attachedTexts: attachedTexts.filter(isRead),
    headers: {
      autoSubmitted: stringHeader(headers, 'auto-submitted'),
      precedence: stringHeader(headers, 'precedence'),
      xAutoreply: stringHeader(headers, 'x-autoreply'),
      xAutorespond: stringHeader(headers, 'x-autorespond'),
      returnPath: rawHeaderValue(headerLines, 'return-path'),
      contentType: contentTypeHeader(headers),
      listAdministrivia: stringHeader(headers, 'x-list-administrivia'),
      // mailparser folds List-* headers into one 'list' object; presence is what counts here.
      listId: rawHeaderValue(headerLines, 'list-id'),
      xAutoResponseSuppress: stringHeader(headers, 'x-auto-response-suppress'),
      xMsExchangeInboxRulesLoop: stringHeader(headers, 'x-ms-exchange-inbox-rules-loop'),
      xRicevuta: stringHeader(headers, 'x-ricevuta'),
    },
    parseWarnings,
  };
  const unreadPdfs = attachedTexts.length - mail.attachedTexts.length;
  return {
    mail,
    unreadPdfs,
    withPdfText: async () => {
      if (unreadPdfs === 0) return mail;
      const read: AttachedText[] = [];
      for (const entry of attachedTexts) {
        const text = isRead(entry) ? entry : await readPdf(raw, entry.pendingPdf);
        if (text) read.push(text);
      }
      return { ...mail, attachedTexts: read };
    },
  };
}

interface PendingPdf {
  /** The bytes from the parser, or where they are in the original message. */
  pendingPdf: AttachmentInfo & { content: Buffer | DeferredPart };
}

function readPdf(raw: Uint8Array, { content, ...info }: PendingPdf['pendingPdf']) {
  return extractAttachmentText({
    ...info,
    content: Buffer.isBuffer(content) ? content : readDeferred(raw, content),
  });
}

function isRead(entry: AttachedText | PendingPdf): entry is AttachedText {
  return !('pendingPdf' in entry);
}

async function forwardedText(
  content: Buffer,
  filename: string,
  limits: ParseLimits,
  depth: number,
  mode: ParseMode,
): Promise<AttachedText> {
  try {
    const inner = await (await parseAtDepth(content, limits, depth + 1, mode)).withPdfText();
    const lines = [`Subject: ${inner.subject}`, `From: ${inner.from?.name ?? ''}`, inner.text];
    for (const nested of inner.attachedTexts) lines.push(nested.text);
    return { source: 'forwarded-message', filename, text: lines.join('\n') };
  } catch {
    return { source: 'forwarded-message', filename, text: '' };
  }
}

function runMailParser(
  raw: Uint8Array,
  limits: ParseLimits,
): Promise<{
  headers: Headers;
  headerLines: HeaderLines;
  text: MessageText;
  attachments: CollectedAttachment[];
}> {
  return new Promise((resolve, reject) => {
    const parser = new MailParser({
      skipImageLinks: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      checksumAlgo: false,
      maxHtmlLengthToParse: limits.maxHtmlLength,
    });
    let headers: Headers = new Map();
    let headerLines: HeaderLines = [];
    let text: MessageText = { type: 'text' };
    const attachments: CollectedAttachment[] = [];
    const pending: Promise<void>[] = [];

    parser.on('headers', (parsed: Headers) => {
      headers = parsed;
    });
    parser.on('headerLines', (lines: HeaderLines) => {
      headerLines = lines;
    });
    parser.on('data', (data: AttachmentStream | MessageText) => {
      if (data.type === 'text') {
        text = data;
        return;
      }
      pending.push(collectAttachment(data, limits).then((collected) => void attachments.push(collected)));
    });
    parser.on('error', (error: Error) => reject(new MailParseError(error.message)));
    parser.on('end', () => {
      Promise.all(pending).then(() => resolve({ headers, headerLines, text, attachments }), reject);
    });
    // The whole message is in memory: written in one piece, as the one-chunk stream piped before did,
    // without a stream and a pipe of its own around it.
    try {
      parser.end(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength));
    } catch (error) {
      reject(new MailParseError((error as Error).message));
    }
  });
}

/**
 * mailparser turns HTML into text only for a root HTML part or one beside a text part: an HTML-only
 * body inside multipart/mixed (beside a PDF or an .ics, as many clients send it) comes back with no
 * text at all. The same conversion, with the same limits, where mailparser skipped it.
 */
/** mailparser's own bound on HTML nesting for the conversion. */
const MAX_HTML_NESTING_DEPTH = 1000;

function htmlAsText(text: MessageText, limits: ParseLimits, parseWarnings: string[]): string {
  const html = typeof text.html === 'string' ? text.html : '';
  if (!html.trim()) return text.text ?? '';
  if (html.length > limits.maxHtmlLength) {
    parseWarnings.push(`html-not-converted: HTML too long for parsing ${html.length} bytes`);
    return '';
  }
  try {
    return htmlToText(html, { limits: { maxDepth: MAX_HTML_NESTING_DEPTH } });
  } catch (error) {
    parseWarnings.push(`html-not-converted: ${(error as Error).message}`);
    return '';
  }
}

/** Reads an attachment stream, keeping the bytes only when a person would read them and they are small. */
function collectAttachment(attachment: AttachmentStream, limits: ParseLimits): Promise<CollectedAttachment> {
  const contentType = (attachment.contentType ?? 'application/octet-stream').toLowerCase();
  const filename = attachment.filename ?? '';
  const keep = isWorthReading(contentType, filename);
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise((resolve) => {
    const finish = () => {
      attachment.release?.();
      const kept = keep && size <= limits.maxBufferedAttachmentBytes ? Buffer.concat(chunks) : undefined;
      resolve({
        info: { filename, contentType, size: headerNumber(attachment, ORIGINAL_SIZE_HEADER) ?? size },
        content: kept,
        deferredPart: headerNumber(attachment, DEFERRED_PART_HEADER),
      });
    };
    attachment.content.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (keep && size <= limits.maxBufferedAttachmentBytes) chunks.push(chunk);
      else chunks.length = 0;
    });
    attachment.content.once('end', finish);
    attachment.content.once('error', finish);
  });
}

/**
 * Attachments the slimming scan must leave to the parser: those it buffers, and any
 * application/octet-stream, whose type mailparser guesses from the file name (a .htm is text/html).
 */
function mayBeRead(contentType: string, filename: string): boolean {
  return contentType === 'application/octet-stream' || isWorthReading(contentType, filename);
}

/** What the slimming scan recorded in a part's header block (an original size, a deferred part). */
function headerNumber(attachment: AttachmentStream, name: string): number | undefined {
  const value = attachment.headers.get(name);
  const number = typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isSafeInteger(number) && number >= 0 ? number : undefined;
}

function isWorthReading(contentType: string, filename: string): boolean {
  const name = filename.toLowerCase();
  return (
    contentType.startsWith('text/') ||
    contentType === 'application/pdf' ||
    contentType === 'message/rfc822' ||
    contentType === 'application/ics' ||
    /\.(pdf|txt|ics|eml|md|csv)$/.test(name)
  );
}

function isCalendar(info: AttachmentInfo): boolean {
  return (
    info.contentType === 'text/calendar' ||
    info.contentType === 'application/ics' ||
    info.filename.toLowerCase().endsWith('.ics')
  );
}

type HeaderValue = ReturnType<Headers['get']>;

function stringHeader(headers: Headers, key: string): string {
  const value = headers.get(key);
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value.trim();
  if (Array.isArray(value)) return value.map(String).join(', ').trim();
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && 'value' in value && typeof value.value === 'string')
    return value.value.trim();
  if (typeof value === 'object' && 'text' in value && typeof value.text === 'string')
    return value.text.trim();
  return String(value).trim();
}

/** The undecoded value of the first header with this name: `<>` must stay `<>`, not an empty address. */
function rawHeaderValue(lines: HeaderLines, key: string): string {
  const line = lines.find((entry) => entry.key === key)?.line ?? '';
  return line.slice(line.indexOf(':') + 1).trim();
}

function contentTypeHeader(headers: Headers): string {
  const value = headers.get('content-type');
  if (!value || typeof value !== 'object' || !('value' in value)) return 'text/plain';
  const params = 'params' in value && value.params ? value.params : {};
  const paramText = Object.entries(params)
    .map(([name, paramValue]) => `; ${name.toLowerCase()}=${String(paramValue).toLowerCase()}`)
    .join('');
  return `${String(value.value).toLowerCase()}${paramText}`;
}

function isoDate(value: HeaderValue): string | undefined {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : undefined;
}

function isAddressObject(value: unknown): value is AddressObject {
  return typeof value === 'object' && value !== null && 'value' in value && Array.isArray(value.value);
}

function addressList(value: HeaderValue): MailAddress[] {
  const objects = (Array.isArray(value) ? value : [value]).filter(isAddressObject);
  const out: MailAddress[] = [];
  const visit = (entries: AddressObject['value']) => {
    for (const entry of entries) {
      if (entry.group) visit(entry.group);
      else out.push({ name: entry.name ?? '', address: normaliseAddress(entry.address ?? '') });
    }
  };
  for (const object of objects) visit(object.value);
  return out;
}

function firstAddress(value: HeaderValue): MailAddress | undefined {
  return addressList(value)[0];
}

/** Lower-cases the domain only: the local part is case-sensitive by the RFC, if rarely in practice. */
export function normaliseAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return address.trim();
  return `${address.slice(0, at).trim()}@${address
    .slice(at + 1)
    .trim()
    .toLowerCase()}`;
}
