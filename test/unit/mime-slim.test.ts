import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bytesPerCharacter,
  type DeferredPart,
  readDeferred,
  slimForParsing,
} from '../../functions/core/mime-slim.js';
import { parseMail, parseMailWhole } from '../../functions/core/parse.js';

const LIMITS = { maxTextCharacters: 250, maxReadableBytes: 10_000, maxDepth: 10 };
const readable = (type: string, filename: string) => type === 'application/pdf' || filename.endsWith('.pdf');

function base64Lines(content: Buffer, width = 76): string {
  const encoded = content.toString('base64');
  const lines: string[] = [];
  for (let index = 0; index < encoded.length; index += width) lines.push(encoded.slice(index, index + width));
  return lines.join('\r\n');
}

function mixed(parts: string[], boundary = 'b1'): Buffer {
  return Buffer.from(
    `From: a@example.org\r\nTo: EUinternational@stockholm.se\r\nSubject: Bilagor\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n` +
      parts.map((part) => `--${boundary}\r\n${part}\r\n`).join('') +
      `--${boundary}--\r\n`,
    'latin1',
  );
}

const NOTE = 'Content-Type: text/plain; charset=utf-8\r\n\r\nSe bifogad fil.';

function attachment(content: Buffer, name = 'bilder.zip', type = 'application/zip', width = 76): string {
  return `Content-Type: ${type}; name="${name}"\r\nContent-Disposition: attachment; filename="${name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(content, width)}`;
}

describe('slimForParsing', () => {
  it('leaves out the body of an attachment nobody reads, keeping its headers and its real size', async () => {
    // Prepare
    const zip = Buffer.alloc(200_000, 7);
    const raw = mixed([NOTE, attachment(zip)]);

    // Act
    const slim = slimForParsing(raw, LIMITS, readable);
    const mail = await parseMail(slim.bytes);

    // Assess
    expect(slim.bytes.length).toBeLessThan(1000);
    expect(mail.attachments).toEqual([
      { filename: 'bilder.zip', contentType: 'application/zip', size: zip.length },
    ]);
    expect(mail.text).toContain('Se bifogad fil.');
  });

  it('counts the decoded size of base64 exactly, whatever the padding and line width', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 4, max: 40 }), (size, quads) => {
        const raw = mixed([
          NOTE,
          attachment(Buffer.alloc(size, 1), 'a.bin', 'application/octet-stream', quads * 4),
        ]);
        const text = Buffer.from(slimForParsing(raw, LIMITS, readable).bytes).toString('latin1');
        expect(text).toContain(`X-Mailroute-Original-Size: ${size}\r\n`);
      }),
    );
  });

  it('defers a base64 PDF when asked: cut from what is parsed, readable from the original bytes', () => {
    // Prepare
    const letter = Buffer.from('%PDF-1.4 a letter about a visit of the Minister', 'latin1');
    const raw = mixed([NOTE, attachment(letter, 'brev.pdf', 'application/pdf', 20)]);

    // Act
    const slim = slimForParsing(raw, LIMITS, readable, readable);

    // Assess
    const parsed = Buffer.from(slim.bytes).toString('latin1');
    expect(parsed).not.toContain(letter.toString('base64').slice(0, 20));
    expect(parsed).toContain('X-Mailroute-Deferred-Part: 0\r\n');
    expect(slim.deferred).toHaveLength(1);
    expect(slim.deferred[0]).toMatchObject({ contentType: 'application/pdf', filename: 'brev.pdf' });
    expect(readDeferred(raw, slim.deferred[0] as DeferredPart)).toEqual(letter);
  });

  it('leaves a PDF to the parser when it is not base64 or is too large to read', () => {
    const quotedPrintable = `Content-Type: application/pdf; name="brev.pdf"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n%PDF-1.4 brev`;
    const large = attachment(Buffer.alloc(LIMITS.maxReadableBytes, 3), 'stor.pdf', 'application/pdf');

    const slim = slimForParsing(mixed([NOTE, quotedPrintable, large]), LIMITS, readable, readable);

    expect(slim.deferred).toEqual([]);
    expect(Buffer.from(slim.bytes).toString('latin1')).toContain('%PDF-1.4 brev');
  });

  it('keeps a part a person would read, such as a PDF letter, as it is', () => {
    const raw = mixed([NOTE, attachment(Buffer.alloc(3000, 2), 'brev.pdf', 'application/pdf')]);

    const slim = slimForParsing(raw, LIMITS, readable);

    expect(slim.bytes).toBe(raw);
  });

  it('cuts a long text body once it holds the text budget and says so', async () => {
    // Prepare
    const lines = Array.from({ length: 200 }, (_, index) => `rad ${index} om konferensen i Bryssel`);
    const raw = Buffer.from(
      `From: a@example.org\r\nSubject: Lång text\r\n\r\n${lines.join('\r\n')}\r\n`,
      'latin1',
    );

    // Act
    const slim = slimForParsing(raw, LIMITS, readable);
    const mail = await parseMail(slim.bytes);

    // Assess
    expect(slim.textTruncated).toBe(true);
    // No charset: mailparser reads it as UTF-8, at most 3 bytes a character.
    expect(slim.bytes.length).toBe(raw.indexOf('\r\n\r\n') + 4 + 3 * LIMITS.maxTextCharacters);
    const keptLines = mail.text.trim().split('\n').slice(0, -1);
    expect(keptLines.length).toBeGreaterThan(10);
    expect(keptLines.every((line, index) => line === lines[index])).toBe(true);
  });

  it('reads as many bytes of text as its charset may take for the characters kept', async () => {
    // Prepare
    const text = 'Inbjudan till konferensen om hållbara städer i Stockholm. '.repeat(40);
    const message = (charset: string, content: Buffer) =>
      Buffer.concat([
        Buffer.from(
          `From: a@example.org\r\nSubject: Lång text\r\nContent-Type: text/plain${charset}\r\n\r\n`,
        ),
        content,
      ]);
    const cases = [
      { charset: '', content: Buffer.from(text, 'utf8'), perCharacter: 3 },
      { charset: '; charset="UTF-8"', content: Buffer.from(text, 'utf8'), perCharacter: 3 },
      { charset: '; charset=us-ascii', content: Buffer.from(text, 'latin1'), perCharacter: 3 },
      { charset: '; charset=iso-8859-1', content: Buffer.from(text, 'latin1'), perCharacter: 4 },
      { charset: '; charset=utf-16le', content: Buffer.from(text, 'utf16le'), perCharacter: 4 },
    ];

    for (const { charset, content, perCharacter } of cases) {
      // Act
      const raw = message(charset, content);
      const slim = slimForParsing(raw, LIMITS, readable);
      const mail = await parseMail(slim.bytes);

      // Assess
      expect(bytesPerCharacter(charset.replace(/^; charset="?|"$/g, ''))).toBe(perCharacter);
      expect(slim.bytes.length).toBe(raw.indexOf('\r\n\r\n') + 4 + perCharacter * LIMITS.maxTextCharacters);
      // However wide its characters, the opening read holds more than the characters kept, and they
      // are the whole text's.
      const whole = await parseMailWhole(raw);
      expect(mail.text.length).toBeGreaterThan(LIMITS.maxTextCharacters);
      expect(mail.text.slice(0, LIMITS.maxTextCharacters)).toBe(
        whole.text.slice(0, LIMITS.maxTextCharacters),
      );
    }
  });

  it('keeps the opening of a long text written on one line, as minified HTML is', async () => {
    const html = `<html><body>${'<p>Inbjudan till mottagning i Stadshuset.</p>'.repeat(100)}</body></html>`;
    const raw = Buffer.from(
      `From: a@example.org\r\nSubject: En rad\r\nContent-Type: text/html\r\n\r\n${html}`,
      'latin1',
    );

    const slim = slimForParsing(raw, LIMITS, readable);
    const mail = await parseMail(slim.bytes);

    expect(slim.textTruncated).toBe(true);
    expect(mail.text).toContain('Inbjudan till mottagning i Stadshuset.');
  });

  it('empties an HTML alternative, which never becomes the text, and keeps the plain one', async () => {
    const raw = Buffer.from(
      'From: a@example.org\r\nSubject: Alt\r\nContent-Type: multipart/alternative; boundary=alt\r\n\r\n' +
        '--alt\r\nContent-Type: text/plain\r\n\r\nInbjudan till mottagning.\r\n' +
        `--alt\r\nContent-Type: text/html\r\n\r\n<p>${'Inbjudan till mottagning. '.repeat(50)}</p>\r\n--alt--\r\n`,
      'latin1',
    );

    const slim = slimForParsing(raw, LIMITS, readable);
    const [slimmed, original] = [await parseMail(slim.bytes), await parseMail(raw)];

    expect(slim.bytes.length).toBeLessThan(raw.length - 1000);
    expect(slimmed.text).toBe(original.text);
  });

  it('finds attachments in nested multiparts and leaves the structure for the parser intact', async () => {
    const inner = `Content-Type: multipart/related; boundary="inner"\r\n\r\n--inner\r\n${NOTE}\r\n--inner\r\n${attachment(Buffer.alloc(50_000, 3), 'logo.png', 'image/png')}\r\n--inner--`;
    const raw = mixed([inner, attachment(Buffer.alloc(40_000, 4))], 'outer');

    const [slimmed, original] = [
      await parseMail(slimForParsing(raw, LIMITS, readable).bytes),
      await parseMail(raw),
    ];

    expect(slimmed).toEqual(original);
  });

  it('lets parseMail still read a small octet-stream attachment, which mailparser types by its name', async () => {
    // Prepare: a .htm letter sent as application/octet-stream; mailparser calls it text/html.
    const letter = Buffer.from('<p>Inbjudan till mottagning i Stadshuset</p>');
    const raw = mixed([NOTE, attachment(letter, 'brev.htm', 'application/octet-stream')]);

    // Act
    const mail = await parseMail(raw);

    // Assess
    expect(mail.attachedTexts.map((entry) => entry.text).join(' ')).toContain('Inbjudan till mottagning');
  });

  it.each([
    ['qp', 'quoted-printable', 'Abwesenheitsnotiz: Ich bin bis zum 3. M=C3=A4rz nicht im B=C3=BCro.'],
    [
      'Quoted_Printable',
      'quoted-printable',
      'Abwesenheitsnotiz: Ich bin bis zum 3. M=C3=A4rz nicht im =\r\nB=C3=BCro.',
    ],
    [
      'base-64',
      'base64',
      Buffer.from('Abwesenheitsnotiz: Ich bin bis zum 3. März nicht im Büro.').toString('base64'),
    ],
  ])('decodes a text part whose transfer encoding is written %s, as %s', async (written, _meant, body) => {
    // Prepare
    const raw = mixed([
      `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: ${written}\r\n\r\n${body}`,
    ]);

    // Act
    const mail = await parseMail(raw);

    // Assess
    expect(mail.text).toContain('Ich bin bis zum 3. März nicht im Büro.');
  });

  it('leaves a transfer encoding it does not know as it is written', async () => {
    const raw = mixed(['Content-Type: text/plain\r\nContent-Transfer-Encoding: x-gzip64\r\n\r\nH4sIAAAA']);

    expect(slimForParsing(raw, LIMITS, readable).bytes).toBe(raw);
    expect((await parseMail(raw)).text).toContain('H4sIAAAA');
  });

  it('leaves a message it is unsure about to the parser unchanged', () => {
    const noBoundary = Buffer.from(
      `Subject: x\r\nContent-Type: multipart/mixed\r\n\r\n--x\r\n${attachment(Buffer.alloc(20_000))}\r\n--x--\r\n`,
      'latin1',
    );
    const missingDelimiters = mixed([]).subarray(0, 120);

    const twoTypes = mixed([
      NOTE,
      attachment(Buffer.alloc(20_000)).replace('Content-Type', 'Content-Type: text/plain\r\nContent-Type'),
    ]);

    expect(slimForParsing(noBoundary, LIMITS, readable).bytes).toBe(noBoundary);
    expect(slimForParsing(twoTypes, LIMITS, readable).bytes).toBe(twoTypes);
    expect(slimForParsing(missingDelimiters, LIMITS, readable).bytes).toBe(missingDelimiters);
  });
});
