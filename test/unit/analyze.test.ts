import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUTER_CONFIG } from '../../functions/config/schema.js';
import { analyze, PDF_SKIP_CONFIDENCE } from '../../functions/core/analyze.js';
import { parseMail, parseMailInStages } from '../../functions/core/parse.js';
import { messageWithAttachment } from '../helpers/mime.js';
import { pdf } from '../helpers/pdf.js';

const FUNCTIONAL_ADDRESS = 'protocol@stockholm.se';

const VISIT_LETTER = pdf([
  'Note Verbale No. 112/2026',
  'The Embassy of the Republic of Korea presents its compliments to the City of Stockholm',
  'and has the honour to request a courtesy call on the Mayor by His Excellency the Minister',
  'of the Interior and Safety, accompanied by a delegation of eight, on 14 October 2026.',
]);

function withPdf(subject: string, text: string, letter: Uint8Array): Buffer {
  return messageWithAttachment({
    content: letter,
    from: 'Embassy <chancery@embassy.example>',
    to: FUNCTIONAL_ADDRESS,
    subject,
    body: text,
    contentType: 'application/pdf',
    filename: 'note-verbale.pdf',
  });
}

describe('parseMailInStages', () => {
  it('leaves PDFs unread until asked, and then reads them as parseMail does', async () => {
    // Prepare
    const raw = withPdf('Note verbale', 'Please find attached our note verbale.', VISIT_LETTER);

    // Act
    const staged = await parseMailInStages(raw);
    const read = await staged.withPdfText();

    // Assess
    expect(staged.unreadPdfs).toBe(1);
    expect(staged.mail.attachedTexts).toEqual([]);
    expect(staged.mail.attachments).toEqual([
      { filename: 'note-verbale.pdf', contentType: 'application/pdf', size: VISIT_LETTER.byteLength },
    ]);
    expect(read.attachedTexts.map((attached) => attached.source)).toEqual(['pdf']);
    expect(read.attachedTexts[0]?.text).toContain('courtesy call on the Mayor');
    expect(read).toEqual(await parseMail(raw));
  });
});

describe('analyze', () => {
  it('reads the PDF when the cover note does not say what the message is about', async () => {
    const raw = withPdf('Note verbale', 'Please find attached our note verbale.', VISIT_LETTER);

    const analysis = await analyze(raw, DEFAULT_ROUTER_CONFIG, FUNCTIONAL_ADDRESS);

    expect(analysis.classification.category).toBe('protocol_visit');
    expect(analysis.classification.reasons.some((reason) => reason.startsWith('pdf:'))).toBe(true);
  });

  it('leaves the PDF unread when the message text settles the route with confidence', async () => {
    // Prepare: the letter would add nothing the text does not say.
    const text =
      'Dear Protocol Office, the Embassy of the Republic of Korea kindly requests a courtesy call on ' +
      'the Mayor of Stockholm by His Excellency the Minister of the Interior and Safety and a delegation ' +
      'of eight during an official visit to Stockholm on 14 October 2026. The note verbale is attached.';
    const raw = withPdf('Request for a courtesy call: official visit of the Minister', text, VISIT_LETTER);

    // Act
    const analysis = await analyze(raw, DEFAULT_ROUTER_CONFIG, FUNCTIONAL_ADDRESS);

    // Assess
    expect(analysis.classification.category).toBe('protocol_visit');
    expect(analysis.classification.confidence).toBeGreaterThanOrEqual(PDF_SKIP_CONFIDENCE);
    expect(analysis.mail.attachedTexts).toEqual([]);
  });
});
