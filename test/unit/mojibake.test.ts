// Text decoded with the wrong charset (UTF-8 labelled Latin-1 or windows-1252, windows-1252 labelled
// ISO-8859-x): repaired for reading, and nothing else touched.
import { describe, expect, it } from 'vitest';
import { repairMisdecodedText } from '../../functions/core/mojibake.js';
import { parseMail } from '../../functions/core/parse.js';

/** What a reader shows when UTF-8 bytes are decoded as `label`. */
function misread(text: string, label: 'latin1' | 'windows-1252'): string {
  return new TextDecoder(label).decode(new TextEncoder().encode(text));
}

describe('repairMisdecodedText', () => {
  it('reads the C1 controls of windows-1252 text labelled ISO-8859-x as the dash and quotes the sender typed', () => {
    // Prepare: what a decoder makes of windows-1252's en dash and curly quotes under an ISO-8859-15 label.
    const decoded = 'Absence du bureau \u0096 Re: Partenariat \u0093Lyon\u0094';

    // Act
    const repaired = repairMisdecodedText(decoded);

    // Assess
    expect(repaired).toBe('Absence du bureau – Re: Partenariat “Lyon”');
  });

  it.each([
    ['latin1', 'Hej borgmästaren! Förra gången stängdes gatan av.'],
    ['windows-1252', 'Bonjour, l’équipe du protocole – merci « beaucoup »'],
    ['windows-1252', 'Szanowni Państwo, dziękujemy za zaproszenie do ratusza'],
  ] as const)('gives back UTF-8 text misread as %s', (label, original) => {
    // Prepare
    const garbled = misread(original, label);
    expect(garbled).not.toBe(original);

    // Act
    const repaired = repairMisdecodedText(garbled);

    // Assess
    expect(repaired).toBe(original);
  });

  it.each([
    ['genuine Latin-1 text', 'Café à Malmö, Ärende om besöket'],
    ['plain ASCII', 'Invitation to the summit'],
    ['one odd sequence only', 'Ãlvaro writes about the visit'],
    ['characters outside one byte', 'Ã¤ and Ã¶ beside Ω are not one misread text'],
    ['sequences that are not UTF-8', 'Ã¤Ã x'],
  ])('leaves %s as it is', (_name, text) => {
    // Act
    const repaired = repairMisdecodedText(text);

    // Assess
    expect(repaired).toBe(text);
  });

  it('repairs the body and subject that parseMail reads from a message labelled iso-8859-1', async () => {
    // Prepare: the body's bytes are UTF-8, the label says Latin-1.
    const body = 'Hej borgmästaren!\nVi som bor på Kungsholmen vill veta vad som gäller vid statsbesöket.\n';
    const raw = Buffer.concat([
      Buffer.from(
        'From: Gunnar <gunnar@example.se>\r\nTo: kommunstyrelsen@stockholm.se\r\n' +
          'Subject: =?iso-8859-1?Q?Till_borgm=C3=A4staren_ang=C3=A5ende_avst=C3=A4ngda_gator?=\r\n' +
          'Date: Wed, 02 Dec 2026 10:00:00 +0100\r\nMessage-ID: <m1@example.se>\r\nMIME-Version: 1.0\r\n' +
          'Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n',
      ),
      Buffer.from(body, 'utf8'),
    ]);

    // Act
    const mail = await parseMail(raw);

    // Assess
    expect(mail.text.trim()).toBe(body.trim());
    expect(mail.subject).toBe('Till borgmästaren angående avstängda gator');
    expect(mail.parseWarnings).toContain('text-charset-repaired');
  });

  it('leaves a genuine iso-8859-1 message as mailparser decodes it', async () => {
    // Prepare
    const raw = Buffer.concat([
      Buffer.from(
        'From: a@example.se\r\nTo: protocol@stockholm.se\r\nSubject: Besök\r\nMIME-Version: 1.0\r\n' +
          'Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n',
      ),
      Buffer.from('Ambassadören önskar ett besök hos borgmästaren.\r\n', 'latin1'),
    ]);

    // Act
    const mail = await parseMail(raw);

    // Assess
    expect(mail.text.trim()).toBe('Ambassadören önskar ett besök hos borgmästaren.');
    expect(mail.parseWarnings).not.toContain('text-charset-repaired');
  });

  it('repairs the subject of a windows-1252 responder labelled iso-8859-15, so its opening is read', async () => {
    // Prepare
    const raw = Buffer.from(
      'From: claire@example.fr\r\nTo: EUinternational@stockholm.se\r\n' +
        'Subject: =?iso-8859-15?Q?Absence_du_bureau_=96_Re:_Partenariat_Lyon?=\r\nMIME-Version: 1.0\r\n' +
        'Content-Type: text/plain; charset=utf-8\r\n\r\nBonjour\r\n',
    );

    // Act
    const mail = await parseMail(raw);

    // Assess
    expect(mail.subject).toBe('Absence du bureau – Re: Partenariat Lyon');
  });
});
