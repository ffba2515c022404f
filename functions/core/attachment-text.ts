// core (pure) --> the text a person would read in an attachment: a small text file or a PDF letter.
// Invitations and notes verbales often arrive as the attachment alone, with a one-line cover note.
import type { AttachedText } from './types.js';

export interface AttachmentTextLimits {
  /** Larger attachments are not opened: a letter is small, a 40 MB PDF is a brochure or a scan. */
  maxInputBytes: number;
  /** Text kept per attachment; the opening of a letter says what it is about. */
  maxChars: number;
  /** PDF pages read; the request is on the first pages. */
  maxPdfPages: number;
  /** Wall time allowed for one PDF before it is abandoned. */
  pdfTimeoutMs: number;
}

export const DEFAULT_ATTACHMENT_TEXT_LIMITS: AttachmentTextLimits = {
  maxInputBytes: 4 * 1024 * 1024,
  maxChars: 20_000,
  maxPdfPages: 8,
  pdfTimeoutMs: 4_000,
};

export interface AttachmentInput {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

/**
 * Extracts readable text from a small text attachment or a PDF. Returns undefined for anything
 * else, for attachments over the limits, and for PDFs that cannot be read in time: the caller
 * still has the file name, and a failed extraction must never fail the message.
 */
export async function extractAttachmentText(
  attachment: AttachmentInput,
  limits: AttachmentTextLimits = DEFAULT_ATTACHMENT_TEXT_LIMITS,
): Promise<AttachedText | undefined> {
  const kind = attachmentKind(attachment.contentType, attachment.filename);
  if (!kind || attachment.content.byteLength === 0 || attachment.content.byteLength > limits.maxInputBytes) {
    return undefined;
  }
  const text =
    kind === 'pdf'
      ? await pdfText(attachment.content, limits)
      : plainText(attachment.content, kind === 'html', limits.maxChars);
  const cleaned = text
    ?.replace(/[ \t\f\v\u00a0]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (!cleaned) return undefined;
  return {
    source: kind === 'pdf' ? 'pdf' : 'text-attachment',
    filename: attachment.filename,
    text: cleaned.slice(0, limits.maxChars),
  };
}

type AttachmentKind = 'text' | 'html' | 'pdf';

/** A PDF by its type or its name: mail clients often send PDFs as application/octet-stream. */
export function isPdfAttachment(contentType: string, filename: string): boolean {
  const type = contentType.toLowerCase().split(';')[0]?.trim() ?? '';
  return type === 'application/pdf' || filename.toLowerCase().endsWith('.pdf');
}

function attachmentKind(contentType: string, filename: string): AttachmentKind | undefined {
  const type = contentType.toLowerCase().split(';')[0]?.trim() ?? '';
  const name = filename.toLowerCase();
  if (isPdfAttachment(contentType, filename)) return 'pdf';
  // Calendars are read by the calendar parser; the rest of text/* is what a person would open.
  if (type === 'text/calendar' || name.endsWith('.ics')) return undefined;
  if (type === 'text/html' || /\.html?$/.test(name)) return 'html';
  if (type.startsWith('text/') || /\.(txt|md|csv)$/.test(name)) return 'text';
  return undefined;
}

function plainText(content: Uint8Array, isHtml: boolean, maxChars: number): string {
  // A letter has its point in the opening; decoding more than a few times maxChars is wasted work.
  const head = content.subarray(0, maxChars * 4);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(head);
  } catch {
    // Not UTF-8 (or cut inside a character): windows-1252 reads every byte and is the usual legacy charset.
    text = decodeWindows1252(head);
  }
  text = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  return isHtml ? htmlToText(text) : text;
}

/** Windows-1252 differs from Latin-1 only in 0x80-0x9F; Node without full ICU decodes it as Latin-1. */
const WINDOWS_1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) {
    text += byte >= 0x80 && byte <= 0x9f ? WINDOWS_1252_HIGH[byte - 0x80] : String.fromCharCode(byte);
  }
  return text;
}

function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<(br|\/p|\/div|\/li|\/tr|\/h\d)[^>]*>/gi, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)));
}

/**
 * A variable, not a literal, so that esbuild leaves pdf.js out of the Lambda bundle (370 KB that
 * every cold start would compile): it cannot run from inside a bundle anyway, since it loads its
 * worker as a file of its own. The function ships pdfjs-dist beside the bundle instead.
 */
const PDFJS_MODULE = 'pdfjs-dist/legacy/build/pdf.mjs';

interface TextItemLike {
  str?: string;
  hasEOL?: boolean;
}

async function pdfText(content: Uint8Array, limits: AttachmentTextLimits): Promise<string | undefined> {
  // Loaded on first use so that a Lambda cold start without PDFs does not pay for pdf.js.
  let pdfjs: typeof import('pdfjs-dist/legacy/build/pdf.mjs');
  try {
    pdfjs = await import(PDFJS_MODULE);
  } catch {
    // A deployment without pdf.js still routes the message, on its text and the file name.
    return undefined;
  }
  const task = pdfjs.getDocument({
    // pdf.js transfers (detaches) the buffer it is given: pass a copy, never the caller's bytes.
    data: new Uint8Array(content),
    // Never run code from the document or compile code for fonts; no network, no fonts from the system.
    isEvalSupported: false,
    enableXfa: false,
    disableFontFace: true,
    useSystemFonts: false,
    disableAutoFetch: true,
    disableStream: true,
    stopAtErrors: false,
    verbosity: 0,
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), limits.pdfTimeoutMs);
  });
  const read = (async () => {
    const document = await task.promise;
    const pages = Math.min(document.numPages, limits.maxPdfPages);
    let text = '';
    for (let number = 1; number <= pages && text.length < limits.maxChars; number++) {
      const page = await document.getPage(number);
      const textContent = await page.getTextContent();
      for (const item of textContent.items as TextItemLike[]) {
        text += item.str ?? '';
        text += item.hasEOL ? '\n' : ' ';
      }
      text += '\n';
      page.cleanup();
    }
    return text;
  })().catch(() => undefined);
  try {
    return await Promise.race([read, timeout]);
  } finally {
    clearTimeout(timer);
    await task.destroy().catch(() => undefined);
  }
}
