import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readBody } from '../../functions/core/classify/body-reading.js';
import { withoutDeniedClauses } from '../../functions/core/classify/negation.js';
import {
  countWords,
  fold,
  joinTokens,
  tokenize,
  tokens,
  wordCount,
} from '../../functions/core/classify/normalize.js';
import { segmentBody } from '../../functions/core/classify/segment.js';
import { emptyInboundMail } from '../../functions/core/inbound-mail.js';

describe('fold', () => {
  it('lower-cases and strips diacritics across scripts', () => {
    expect(fold('Förfrågan ÅÄÖ')).toBe('forfragan aao');
    expect(fold('Straße Łódź Øresund Æble')).toBe('strasse lodz oresund aeble');
    expect(fold('Запрошення')).toBe('запрошення');
  });

  it('folds Arabic spelling variants: hamza on alef, taa marbuta, alef maqsura, tatweel, harakat', () => {
    expect(fold('أإآٱ')).toBe('اااا');
    expect(fold('دعوة')).toBe(fold('دعوه'));
    expect(fold('إلى')).toBe('الي');
    expect(fold('دعـــوة')).toBe('دعوه');
    expect(fold('دَعْوَة')).toBe('دعوه');
    expect(fold('مؤتمر')).toBe('موتمر');
  });

  it('keeps Hangul syllables and kana whole, with their voicing marks', () => {
    // Decomposed, "대사" (ambassador) would be a prefix of "대상" (target).
    expect(fold('대사관')).toBe('대사관');
    expect(fold('대상').startsWith(fold('대사'))).toBe(false);
    expect(fold('ガイド ビザ')).toBe('ガイド ビザ');
    expect(fold('ＥＵ補助金')).toBe('eu補助金');
  });
});

describe('tokens', () => {
  it('splits at punctuation and hyphens, keeping "+" in programme names', () => {
    expect(tokens('EU-projektansökan, ESF+ och Erasmus+!')).toEqual([
      'eu',
      'projektansokan',
      'esf+',
      'och',
      'erasmus+',
    ]);
  });

  it('makes each Han and kana character a token, and joins them back without spaces', () => {
    const words = tokens('札幌市長より表敬訪問のお願い（EU補助金）');

    expect(words.slice(0, 4)).toEqual(['札', '幌', '市', '長']);
    expect(words).toContain('eu');
    expect(joinTokens(['表', '敬', '訪', '問', 'eu', '補'])).toBe('表敬訪問 eu 補');
    expect(tokens('대사관에서 초대합니다')).toEqual(['대사관에서', '초대합니다']);
  });

  it('counts a Han or kana character as half a word', () => {
    expect(wordCount('承知しました')).toBe(3);
    expect(wordCount('Noted, thanks 了解')).toBe(3);
  });

  it('splits file names at camelCase and underscores when asked', () => {
    expect(tokens('LetterOfInvitation_Mayor-2026', { camelCase: true })).toEqual([
      'letter',
      'of',
      'invitation',
      'mayor',
      '2026',
    ]);
  });

  it('agrees with folding then tokenising, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii' }), fc.string({ unit: 'grapheme' }), (ascii, unicode) => {
        const text = `${ascii} ${unicode}`;
        const expected = tokenize(fold(text.replace(/[\uD800-\uDFFF]/g, ' ')));
        expect(tokens(text)).toEqual(expected);
      }),
    );
  });
});

describe('segmentBody', () => {
  it('separates a reply from the quoted history (Outlook, Swedish headers)', () => {
    const body = [
      'Tack, vi bekräftar tiden.',
      '',
      'Från: Karin Holm <karin.holm@stockholm.se>',
      'Skickat: den 28 april 2026 16:40',
      'Till: Triin Saar',
      'Ämne: Besök av premiärministern',
      '',
      'Finansborgarrådet tar gärna emot premiärministern.',
    ].join('\n');

    const { fresh, quoted } = segmentBody(body);

    expect(fresh).toBe('Tack, vi bekräftar tiden.');
    expect(quoted).toContain('tar gärna emot premiärministern');
  });

  it('takes one quoted line that ends the message as history, and keeps one in the middle of the text', () => {
    const trailing = segmentBody(
      'Jag fick bara ett automatiskt svar, så jag försöker igen. Vem kan jag prata med?\n\n' +
        'Bengt\n\n> Detta är ett automatiskt svar. Vi besvarar ditt meddelande så snart som möjligt.\n',
    );
    const inText = segmentBody('We expect\n> 50 guests at the reception\nand would welcome the Mayor.');

    expect(trailing.fresh).not.toContain('Detta är ett automatiskt svar');
    expect(trailing.quoted).toContain('Detta är ett automatiskt svar');
    expect(inText.fresh).toContain('50 guests');
    expect(inText.quoted).toBe('');
  });

  it('recognises "On ... wrote:" and ">" quoting', () => {
    const body =
      'Booked, thanks!\n\nOn 7 July 2026, at 10:14, Protocol wrote:\n> Guided tours are booked online.\n> Regards';

    const { fresh, quoted } = segmentBody(body);

    expect(fresh).toBe('Booked, thanks!');
    expect(quoted).toContain('Guided tours are booked online.');
    expect(quoted).not.toContain('>');
  });

  it.each([
    [
      'Dutch Outlook',
      [
        'Van: Pieter de Vries <p.devries@example.nl>',
        'Verzonden: dinsdag 3 maart 2027 10:12',
        'Aan: EU International',
        'Onderwerp: Interreg',
      ],
    ],
    [
      'Portuguese Outlook',
      [
        'De: Ana Costa <ana@example.pt>',
        'Enviado: 3 de março de 2027 10:12',
        'Para: EU International',
        'Assunto: Interreg',
      ],
    ],
    [
      'Czech Outlook',
      [
        'Od: Jan Novák <jan@example.cz>',
        'Odesláno: 3. března 2027 10:12',
        'Komu: EU International',
        'Předmět: Interreg',
      ],
    ],
    [
      'Hungarian Outlook',
      [
        'Feladó: Kovács Anna <anna@example.hu>',
        'Elküldve: 2027. március 3. 10:12',
        'Címzett: EU International',
        'Tárgy: Interreg',
      ],
    ],
    [
      'Greek Outlook',
      [
        'Από: Νίκος Παπαδόπουλος <n@example.gr>',
        'Στάλθηκε: Τρίτη, 3 Μαρτίου 2027 10:12',
        'Προς: EU International',
        'Θέμα: Interreg',
      ],
    ],
    [
      'Bulgarian Outlook',
      [
        'От: Иван Петров <ivan@example.bg>',
        'Изпратено: 3 март 2027 10:12',
        'До: EU International',
        'Относно: Interreg',
      ],
    ],
    [
      'Latvian Outlook',
      [
        'No: Anna Bērziņa <anna@example.lv>',
        'Nosūtīts: 2027. gada 3. martā 10:12',
        'Kam: EU International',
        'Tēma: Interreg',
      ],
    ],
    [
      'Romanian Outlook',
      [
        'De la: Ion Popescu <ion@example.ro>',
        'Trimis: 3 martie 2027 10:12',
        'Către: EU International',
        'Subiect: Interreg',
      ],
    ],
    ['Dutch Gmail', ['Op di 3 mrt 2027 om 10:12 schreef Pieter de Vries <p@example.nl>:']],
    ['Portuguese Gmail', ['Em ter., 3 de mar. de 2027 às 10:12, Ana Costa <ana@example.pt> escreveu:']],
    ['Czech Gmail', ['Dne út 3. 3. 2027 v 10:12 odesílatel Jan Novák <jan@example.cz> napsal:']],
    ['Hungarian Gmail', ['Anna Kovács <anna@example.hu> ezt írta (időpont: 2027. márc. 3., K 10:12):']],
    ['Icelandic Apple Mail', ['Þann 3. mar. 2027 kl. 10:12 skrifaði Jón Jónsson <jon@example.is>:']],
  ])('separates the new text from quoted history (%s)', (_client, header) => {
    // Prepare
    const body = [
      'Tack, vi återkommer.',
      '',
      ...header,
      '',
      'We seek partners for an Interreg project.',
    ].join('\n');

    // Act
    const { fresh, quoted } = segmentBody(body);

    // Assess
    expect(fresh).toBe('Tack, vi återkommer.');
    expect(quoted).toContain('We seek partners');
  });

  it('drops signatures after "-- ", mobile footers and legal disclaimers', () => {
    const body = [
      'Please find attached an invitation for the Mayor.',
      '',
      'This e-mail is confidential and intended solely for the addressee. If you have received this e-mail in error please notify the sender and delete it.',
      '',
      'Sent from my iPhone',
      '-- ',
      'Aoife Brennan | International Relations',
    ].join('\n');

    const { fresh } = segmentBody(body);

    expect(fresh).toBe('Please find attached an invitation for the Mayor.');
  });

  it('keeps a one-paragraph body that ends in small print, minus the small-print line', () => {
    const body =
      'The Minister asks to meet the Mayor on 14 April.\nThis message is confidential; if you received this in error, notify the sender.';

    const { fresh } = segmentBody(body);

    expect(fresh).toBe('The Minister asks to meet the Mayor on 14 April.');
  });
});

describe('readBody', () => {
  const body = [
    'Vi bjuder in till konferensen om hållbara städer.',
    '',
    'Den 3 maj 2026 skrev Ingrid Åkesson <ingrid@example.org>:',
    '> Tack för inbjudan.',
  ].join('\n');

  it('reads the body as segmentBody and tokens do, and counts its words as wordCount does', () => {
    // Prepare
    const mail = { ...emptyInboundMail(), text: body };
    // Act
    const reading = readBody(mail);
    // Assess
    const { fresh, quoted } = segmentBody(body);
    expect(reading).toEqual({ fresh, quoted, freshWords: tokens(fresh) });
    expect(countWords(reading.freshWords)).toBe(wordCount(fresh));
  });

  it('reads one message once: the automated check and the classifier share the reading', () => {
    // Prepare
    const mail = { ...emptyInboundMail(), text: body };
    const another = { ...mail };
    // Act
    const first = readBody(mail);
    // Assess
    expect(readBody(mail)).toBe(first);
    expect(readBody(another)).not.toBe(first);
    expect(readBody(another)).toEqual(first);
  });
});

describe('withoutDeniedClauses', () => {
  it.each([
    [
      'ja, ません',
      '視察団は職員6名で、市長や議員は同行いたしません。日程は5月を希望します。',
      '視察団は職員6名で、\n日程は5月を希望します。',
    ],
    ['ja, おりません', '首長や議員は含まれておりません。', '\n'],
    ['ja, in brackets', '人数：職員６名（市長・市議会議員の同行はございません）\n言語：英語', '\n言語：英語'],
    ['ja, ではなく', '市長や議員の訪問ではなく、職員による視察となります。', '\n職員による視察となります。'],
    ['ja, ないので', '議員は参加しないので、通訳は不要です。', '\n通訳は不要です。'],
    [
      'ko, 않습니다',
      '이번 방문단에는 시장이나 의원이 포함되지 않습니다. 일정은 5월입니다.',
      '\n 일정은 5월입니다.',
    ],
  ])('drops the clause that denies what it names (%s)', (_case, text, expected) => {
    // Act
    const undenied = withoutDeniedClauses(text);

    // Assess
    expect(undenied).toBe(expected);
  });

  it.each([
    ['ja, a polite request', '市長への表敬訪問をお受けいただけませんでしょうか。'],
    ['ja, a negative question', '市長にお会いできませんか？'],
    ['ja, the negative goes on', '市長は来られませんが副市長が参加します'],
    ['ko, a question', '시장님을 예방할 수 있지 않을까요?'],
    ['en, negation is read word by word elsewhere', 'The Mayor will not attend.'],
  ])('keeps a clause that asks or affirms (%s)', (_case, text) => {
    // Act
    const undenied = withoutDeniedClauses(text);

    // Assess
    expect(undenied).toBe(text);
  });
});
