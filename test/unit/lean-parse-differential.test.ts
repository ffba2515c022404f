// The lean parse (mime-slim's cut copy, then mailparser) must read every message as plain mailparser
// reads the whole of it: the same text, attachments, attached texts, calendars, warnings and category.
// A generated family of messages built from the shapes that once diverged, then every fixture.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUTER_CONFIG } from '../../functions/config/schema.js';
import { analyzeParsed } from '../../functions/core/analyze.js';
import { slimForParsing } from '../../functions/core/mime-slim.js';
import { type ParseLimits, parseMail, parseMailWhole } from '../../functions/core/parse.js';
import { CORPUS_ABSENT_NOTE, FIXTURE_SETS, messageFiles, PUBLIC_FIXTURES } from '../helpers/corpus.js';
import { pdf } from '../helpers/pdf.js';

/** Small limits, so that the text budget and the size of what is read are crossed by small messages. */
const SMALL: ParseLimits = {
  maxBufferedAttachmentBytes: 20_000,
  maxHtmlLength: 200_000,
  maxTextLength: 2_000,
  maxForwardDepth: 2,
};

/** Roughly the scan's limits under SMALL, to see whether it cut a message at all. */
const SLIM_LIMITS = { maxTextCharacters: 2_001, maxReadableBytes: 28_000, maxDepth: 30 };

const ADDRESS = 'EUinternational@stockholm.se';

async function expectSameReading(raw: Buffer, limits?: ParseLimits): Promise<void> {
  const [leanResult, wholeResult] = await Promise.allSettled([
    parseMail(raw, limits),
    parseMailWhole(raw, limits),
  ]);
  if (leanResult.status === 'rejected' || wholeResult.status === 'rejected') {
    // A message mailparser cannot read must be one the lean parse cannot read either.
    expect(leanResult.status).toBe(wholeResult.status);
    return;
  }
  const [lean, whole] = [leanResult.value, wholeResult.value];
  expect(lean.text).toBe(whole.text);
  expect(lean.attachments).toEqual(whole.attachments);
  expect(lean.attachedTexts).toEqual(whole.attachedTexts);
  expect(lean.calendars).toEqual(whole.calendars);
  expect(lean.parseWarnings).toEqual(whole.parseWarnings);
  const category = (mail: typeof lean) => analyzeParsed(mail, DEFAULT_ROUTER_CONFIG, ADDRESS).classification;
  expect(category(lean)).toEqual(category(whole));
}

const LETTER =
  'Vi har aran att bjuda in borgarradet till konferensen om stadsutveckling i Bryssel den 14 maj.';

function base64Lines(content: Buffer, width = 76): string {
  const encoded = content.toString('base64');
  const lines: string[] = [];
  for (let index = 0; index < encoded.length; index += width) lines.push(encoded.slice(index, index + width));
  return lines.join('\r\n');
}

/** Base64 written in chunks each padded on its own, as some encoders write it. */
function paddedChunks(content: Buffer, chunk: number): string {
  const lines: string[] = [];
  for (let index = 0; index < content.length; index += chunk)
    lines.push(content.subarray(index, index + chunk).toString('base64'));
  return lines.join('\r\n');
}

function quotedPrintable(text: string): string {
  const encoded = [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      byte >= 0x21 && byte <= 0x7e && byte !== 0x3d
        ? String.fromCharCode(byte)
        : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
  const lines: string[] = [];
  for (let index = 0; index < encoded.length; ) {
    let end = Math.min(index + 72, encoded.length);
    if (encoded[end - 1] === '=') end -= 1;
    else if (encoded[end - 2] === '=') end -= 2;
    lines.push(encoded.slice(index, end));
    index = end;
  }
  return lines.join('=\r\n');
}

/** The part shapes: each one (a header block and a body) was read differently by the lean parse once. */
const PARTS: Record<string, (big: number) => string> = {
  commentedType: () => `Content-Type: (plain) text/plain; charset=utf-8\r\n\r\n${LETTER}`,
  paddedText: () =>
    `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${paddedChunks(Buffer.from(`${LETTER} `.repeat(3)), 10)}`,
  paddedZip: (big) =>
    `Content-Type: application/zip; name="a.zip"\r\nContent-Disposition: attachment; filename="a.zip"\r\nContent-Transfer-Encoding: base64\r\n\r\n${paddedChunks(Buffer.alloc(big, 9), 31)}`,
  paddedPdf: () =>
    `Content-Type: application/pdf; name="brev.pdf"\r\nContent-Disposition: attachment; filename="brev.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n${paddedChunks(Buffer.from(pdf(['Note verbale', 'The Embassy requests a courtesy call on the Mayor.'])), 40)}`,
  emptyFilename: () =>
    `Content-Type: application/x-letter; name="letter.txt"\r\nContent-Disposition: attachment; filename=""\r\n\r\n${LETTER}`,
  untypedInlineZip: (big) =>
    `Content-Disposition: inline; filename="bilder.zip"\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(Buffer.alloc(big, 5))}`,
  untypedInlineText: () => `Content-Disposition: inline; filename="note.txt"\r\n\r\n${LETTER}`,
  inlineForward: (big) =>
    `Content-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\nFrom: Mayor's office <office@example.org>\r\nSubject: Fwd: visit\r\nContent-Type: multipart/mixed; boundary="inner"\r\n\r\n--inner\r\nContent-Type: text/plain\r\n\r\n${LETTER}\r\n--inner\r\nContent-Type: image/png; name="p.png"\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(Buffer.alloc(big, 1))}\r\n--inner--`,
  attachedForward: () =>
    `Content-Type: message/rfc822; name="fwd.eml"\r\nContent-Disposition: attachment; filename="fwd.eml"\r\n\r\nFrom: a@example.org\r\nSubject: Inbjudan\r\n\r\n${LETTER}`,
  htmlAlternative: () =>
    `Content-Type: multipart/alternative; boundary="alt"\r\n\r\n--alt\r\nContent-Type: text/plain\r\n\r\n${LETTER}\r\n--alt\r\nContent-Type: text/html\r\n\r\n<p>${LETTER.repeat(40)}</p>\r\n--alt--`,
  quotedPrintableImage: (big) =>
    `Content-Type: image/gif; name="x.gif"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${quotedPrintable('\u00ff\u0001GIF'.repeat(big / 8))}`,
  longCyrillic: () =>
    `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${quotedPrintable('Приглашение мэру Стокгольма на конференцию. '.repeat(120))}`,
  longPlain: () => `Content-Type: text/plain\r\n\r\n${`${LETTER}\r\n`.repeat(200)}`,
  plainZip: (big) =>
    `Content-Type: application/zip; name="b.zip"\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(Buffer.alloc(big, 3))}`,
};

/** How the delimiter lines end: CRLF, with trailing white space, or with CR runs (a CR-to-CRLF conversion twice). */
const DELIMITER_ENDINGS = ['\r\n', ' \t\r\n', '\r\r\n'];

function message(parts: string[], delimiterEnding: string, lfOnly: boolean): Buffer {
  const head = `From: Anna <anna@example.org>\r\nTo: ${ADDRESS}\r\nSubject: Konferens\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="outer"\r\n\r\n`;
  const body = parts.map((part) => `--outer${delimiterEnding}${part}\r\n`).join('');
  const text = `${head}${body}--outer--${delimiterEnding}`;
  return Buffer.from(lfOnly ? text.replace(/\r\n/g, '\n') : text, 'utf8');
}

describe('the lean parse', () => {
  it.each(Object.keys(PARTS))('reads a message with a %s part as plain mailparser reads it', async (name) => {
    // Prepare: the part beside a short cover note, large enough to be cut under the small limits
    const shape = PARTS[name] as (big: number) => string;
    const raw = message(['Content-Type: text/plain\r\n\r\nSe bifogat.', shape(40_000)], '\r\n', false);

    // Act + Assess
    await expectSameReading(raw, SMALL);
  });

  it('reads a generated family of messages built from those parts as plain mailparser does', async () => {
    const names = Object.keys(PARTS);
    let slimmed = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(...DELIMITER_ENDINGS),
        fc.boolean(),
        fc.constantFrom(3_000, 40_000),
        async (chosen, ending, lfOnly, big) => {
          // Prepare
          const raw = message(
            chosen.map((name) => (PARTS[name] as (big: number) => string)(big)),
            ending,
            lfOnly,
          );

          // Act + Assess
          await expectSameReading(raw, SMALL);
          if (slimForParsing(raw, SLIM_LIMITS, () => false).bytes !== raw) slimmed++;
        },
      ),
      { numRuns: 60, seed: 16 },
    );
    // The lean parse really cut most of them: an equality reached by giving up would prove nothing.
    expect(slimmed).toBeGreaterThan(40);
  });

  it('reads a message whose only text is an inline forward of more than the readable size', async () => {
    // Prepare: under the default limits the forward is larger than anything read whole (7.3 MB)
    const raw = message([(PARTS.inlineForward as (big: number) => string)(7_000_000)], '\r\n', false);

    // Act
    const lean = await parseMail(raw);

    // Assess
    expect(lean.text).toContain(LETTER);
    await expectSameReading(raw);
  });
});

describe.each(FIXTURE_SETS)('the lean parse over %s', (name, dir, present) => {
  it.runIf(present)(
    'reads every message as plain mailparser reads it',
    async () => {
      // Prepare
      const files = messageFiles(dir, dir === PUBLIC_FIXTURES);
      expect(files.length).toBeGreaterThan(0);

      for (const file of files) {
        // Act + Assess
        await expectSameReading(readFileSync(file)).catch((error: Error) => {
          throw new Error(`${file}: ${error.message}`);
        });
      }
    },
    120_000,
  );

  it.runIf(!present)(`${name}: ${CORPUS_ABSENT_NOTE}`, () => {
    expect(CORPUS_ABSENT_NOTE).toContain('absent');
  });
});
