// local (CLI) --> a message file as SES would hand it to the router. Files on disk carry storage
// conventions that never travel over SMTP: an mbox separator line (RFC 4155 "From sender date"), a
// UTF-8 byte order mark from an editor, classic Mac CR-only line ends. Read as they are, their first
// line is no header, so the whole header block became body and the forward lost its MIME structure.
// SES receives what an SMTP client sends and puts its own trace headers (Received, X-SES-...) in front.

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const LF = 0x0a;
const CR = 0x0d;

/**
 * The message in a file, as it would arrive through SES:
 * - a UTF-8 byte order mark is dropped (no SMTP client sends one);
 * - a file with CR line ends and no LF at all gets CRLF (SMTP allows no other line end);
 * - an mbox `From ` separator line is dropped (it is the mailbox's, not the message's);
 * - a first line that is not a header field (indented, or with no field name and colon) would continue
 *   the trace header SES puts in front of it, and is dropped with its continuation lines as it would
 *   be there; an empty first line stays (a message without headers, all body, there as here).
 * A file that is none of these is returned as it is (the same buffer).
 */
export function messageFromFile(file: Buffer): Buffer {
  let bytes = file;
  if (bytes.subarray(0, 3).equals(BOM)) bytes = bytes.subarray(3);
  if (!bytes.includes(LF) && bytes.includes(CR))
    bytes = Buffer.from(bytes.toString('latin1').replace(/\r/g, '\r\n'), 'latin1');
  if (isMboxSeparator(firstLine(bytes))) bytes = bytes.subarray(lineEnd(bytes, 0));
  if (continuesTraceHeader(firstLine(bytes))) {
    let next = lineEnd(bytes, 0);
    while (bytes[next] === 0x20 || bytes[next] === 0x09) next = lineEnd(bytes, next);
    bytes = bytes.subarray(next);
  }
  return bytes;
}

function lineEnd(bytes: Buffer, from: number): number {
  const at = bytes.indexOf(LF, from);
  return at < 0 ? bytes.length : at + 1;
}

function firstLine(bytes: Buffer): string {
  return bytes.subarray(0, lineEnd(bytes, 0)).toString('latin1');
}

/** A non-empty line that is no `name:` field: after SES's own headers it would continue the last of them. */
function continuesTraceHeader(line: string): boolean {
  return !/^\r?\n?$/.test(line) && !/^[!-9;-~]+[ \t]*:/.test(line);
}

/** `From sender date` (RFC 4155), never a `From:` header (with or without white space before the colon). */
function isMboxSeparator(line: string): boolean {
  return /^From [^\r\n]*\r?\n?$/.test(line) && !/^From[ \t]*:/.test(line);
}
