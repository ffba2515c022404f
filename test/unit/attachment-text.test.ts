import { describe, expect, it } from 'vitest';
import { extractAttachmentText } from '../../functions/core/attachment-text.js';
import { pdf } from '../helpers/pdf.js';

describe('extractAttachmentText', () => {
  it('reads the text of a PDF letter', async () => {
    // Prepare
    const content = pdf(['NOTE VERBALE', 'The Minister wishes to pay a courtesy call on the Mayor.']);

    // Act
    const result = await extractAttachmentText({
      filename: 'NV_2026.pdf',
      contentType: 'application/pdf',
      content,
    });

    // Assess
    expect(result?.source).toBe('pdf');
    expect(result?.filename).toBe('NV_2026.pdf');
    expect(result?.text).toContain('NOTE VERBALE');
    expect(result?.text).toContain('courtesy call on the Mayor');
  });

  it('does not detach or change the bytes it was given', async () => {
    const content = pdf(['Invitation']);
    const copy = new Uint8Array(content);

    await extractAttachmentText({ filename: 'a.pdf', contentType: 'application/pdf', content });

    expect(content).toEqual(copy);
  });

  it('gives up quietly on a damaged PDF', async () => {
    const content = new TextEncoder().encode('%PDF-1.7\nthis is not really a pdf\n%%EOF');

    const result = await extractAttachmentText({
      filename: 'broken.pdf',
      contentType: 'application/pdf',
      content,
    });

    expect(result).toBeUndefined();
  });

  it('reads UTF-8 and legacy windows-1252 text files', async () => {
    const utf8 = new TextEncoder().encode('\uFEFFFörfrågan om artighetsbesök\r\n');
    const legacy = new Uint8Array([0x46, 0xf6, 0x72, 0x66, 0x72, 0xe5, 0x67, 0x61, 0x6e, 0x20, 0x80]);

    const fromUtf8 = await extractAttachmentText({
      filename: 'nv.txt',
      contentType: 'text/plain',
      content: utf8,
    });
    const fromLegacy = await extractAttachmentText({
      filename: 'nv.txt',
      contentType: 'text/plain',
      content: legacy,
    });

    expect(fromUtf8).toEqual({
      source: 'text-attachment',
      filename: 'nv.txt',
      text: 'Förfrågan om artighetsbesök',
    });
    expect(fromLegacy?.text).toBe('Förfrågan €');
  });

  it('turns an HTML attachment into text', async () => {
    const content = new TextEncoder().encode(
      '<html><style>p{}</style><p>Invitation&nbsp;to&nbsp;speak</p><p>Forum</p>',
    );

    const result = await extractAttachmentText({ filename: 'card.html', contentType: 'text/html', content });

    expect(result?.text).toBe('Invitation to speak\nForum');
  });

  it('leaves alone what a person would not read as text, and what is too large', async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const large = new Uint8Array(5 * 1024 * 1024).fill(0x41);

    expect(
      await extractAttachmentText({ filename: 'a.xlsx', contentType: 'application/zip', content: bytes }),
    ).toBeUndefined();
    expect(
      await extractAttachmentText({ filename: 'x.ics', contentType: 'text/calendar', content: bytes }),
    ).toBeUndefined();
    expect(
      await extractAttachmentText({ filename: 'big.txt', contentType: 'text/plain', content: large }),
    ).toBeUndefined();
    expect(
      await extractAttachmentText({
        filename: 'empty.txt',
        contentType: 'text/plain',
        content: new Uint8Array(),
      }),
    ).toBeUndefined();
  });

  it('keeps at most maxChars of text', async () => {
    const content = new TextEncoder().encode('word '.repeat(10_000));

    const result = await extractAttachmentText(
      { filename: 'long.txt', contentType: 'text/plain', content },
      { maxInputBytes: 1_000_000, maxChars: 100, maxPdfPages: 1, pdfTimeoutMs: 1000 },
    );

    expect(result?.text.length).toBeLessThanOrEqual(100);
  });

  it('reads only the first pages of a long PDF', async () => {
    const content = pdf(['Page one: invitation to speak'], ['Page two: practical details']);

    const result = await extractAttachmentText(
      { filename: 'letter.pdf', contentType: 'application/pdf', content },
      { maxInputBytes: 1_000_000, maxChars: 1000, maxPdfPages: 1, pdfTimeoutMs: 4000 },
    );

    expect(result?.text).toContain('Page one');
    expect(result?.text).not.toContain('Page two');
  });
});
