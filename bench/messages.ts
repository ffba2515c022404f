// bench --> (messages): the size classes of the benchmark, generated the same way on every run.
// Deterministic (a seeded generator, no clock), so two runs and two machines measure the same bytes.

export interface SizeClass {
  /** Short name used in the table and in the JSON keys. */
  name: string;
  description: string;
  /** Timed handler invocations per contender; fewer for the big ones to keep the run short. */
  iterations: number;
  build(): Buffer;
}

const WORDS = (
  'stockholms stad bjuder in till konferens om hållbara städer och samarbete inom europeiska unionen ' +
  'delegationen från ambassaden önskar ett protokollärt besök hos kommunstyrelsens ordförande nästa ' +
  'vår programmet omfattar möten med förvaltningarna där vi gärna presenterar projektet för finansborgarrådet ' +
  'svar önskas senast fredag med vänlig hälsning internationella enheten ärendet gäller även bilagan'
).split(' ');

/** xorshift32: cheap, seeded, and the same everywhere. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

/** Swedish-looking prose of about `chars` characters, in lines a mail client would write. */
export function swedishText(chars: number, seed = 7): string {
  const next = random(seed);
  const lines: string[] = [];
  let line = '';
  let total = 0;
  let sentenceStart = true;
  while (total < chars) {
    let word = WORDS[next() % WORDS.length] ?? 'och';
    if (sentenceStart) word = word.charAt(0).toUpperCase() + word.slice(1);
    sentenceStart = next() % 12 === 0;
    if (sentenceStart) word += '.';
    if (line.length + word.length + 1 > 72) {
      lines.push(line);
      total += line.length + 1;
      line = '';
      if (next() % 6 === 0) {
        lines.push('');
        total += 1;
      }
    }
    line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.join('\n');
}

/** Quoted-printable (RFC 2045) of UTF-8 text, CRLF line ends, soft breaks at 76. */
export function quotedPrintable(text: string): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    let encoded = '';
    let current = '';
    for (const byte of Buffer.from(line, 'utf8')) {
      const token =
        (byte >= 33 && byte <= 126 && byte !== 61) || byte === 32
          ? String.fromCharCode(byte)
          : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      if (current.length + token.length > 75) {
        encoded += `${current}=\r\n`;
        current = '';
      }
      current += token;
    }
    if (current.endsWith(' ')) current = `${current.slice(0, -1)}=20`;
    out.push(encoded + current);
  }
  return out.join('\r\n');
}

/** Pseudo-random bytes: incompressible, like a zip or a JPEG. */
export function randomBytes(size: number, seed: number): Buffer {
  const next = random(seed);
  const words = new Uint32Array(Math.ceil(size / 4));
  for (let index = 0; index < words.length; index++) words[index] = next();
  return Buffer.from(words.buffer, 0, size);
}

function base64Lines(bytes: Uint8Array): string {
  const encoded = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  const lines: string[] = [];
  for (let index = 0; index < encoded.length; index += 76) lines.push(encoded.slice(index, index + 76));
  return lines.join('\r\n');
}

/**
 * A small but valid PDF: one page that says what the letter is about, and an unused binary stream
 * (a scanned logo, say) that makes up the size. pdf.js reads the text without decoding the image.
 */
export function pdfLetter(size: number): Buffer {
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let length = 0;
  const push = (chunk: string | Buffer) => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    parts.push(bytes);
    length += bytes.length;
  };
  const object = (body: string | Buffer[], number: number) => {
    offsets[number] = length;
    push(`${number} 0 obj\n`);
    if (typeof body === 'string') push(body);
    else for (const piece of body) push(piece);
    push('\nendobj\n');
  };
  const content =
    'BT /F1 12 Tf 72 720 Td (Inbjudan till konferens om hallbara stader, Bryssel 12 juni) Tj ' +
    '0 -18 Td (Vi har aran att bjuda in finansborgarradet att tala vid var konferens.) Tj ET';
  const image = randomBytes(Math.max(0, size - 1200), 99);
  push('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n');
  object('<< /Type /Catalog /Pages 2 0 R >>', 1);
  object('<< /Type /Pages /Kids [3 0 R] /Count 1 >>', 2);
  object(
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> /XObject << /Im1 6 0 R >> >> /Contents 5 0 R >>',
    3,
  );
  object('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>', 4);
  object(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`, 5);
  object(
    [
      Buffer.from(
        `<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length ${image.length} >>\nstream\n`,
        'latin1',
      ),
      image,
      Buffer.from('\nendstream', 'latin1'),
    ],
    6,
  );
  const xref = length;
  const entries = offsets.slice(1).map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`);
  push(`xref\n0 ${offsets.length}\n0000000000 65535 f \n${entries.join('')}`);
  push(`trailer\n<< /Size ${offsets.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return Buffer.concat(parts);
}

/** The header block of a message that came in through SES from a real mail system. */
function headerBlock(subject: string, contentType: string, extra: string[] = []): string {
  const encodedSubject = `=?UTF-8?B?${Buffer.from(subject, 'utf8').toString('base64')}?=`;
  return [
    'Return-Path: <ingrid.akesson@example.org>',
    'Received: from mail.example.org (mail.example.org [192.0.2.10])\r\n by inbound-smtp.eu-west-1.amazonaws.com with SMTP id bench0001\r\n for EUinternational@stockholm.se; Mon, 04 May 2026 09:11:02 +0000 (UTC)',
    'Received: from [10.0.0.5] (unknown [198.51.100.7])\r\n by mail.example.org (Postfix) with ESMTPSA id 4Q1;\r\n Mon, 04 May 2026 11:11:00 +0200 (CEST)',
    'DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=mail;\r\n t=1777885860; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n h=From:To:Subject:Date:Message-ID;\r\n b=Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFy\r\n ZmF1eGJhenF1dXhmb29iYXJmb29iYXJmb29iYXJmb29iYXJmb29iYXJmb29iYXI=',
    'From: =?UTF-8?Q?Ingrid_=C3=85kesson?= <ingrid.akesson@example.org>',
    'To: EUinternational@stockholm.se',
    `Subject: ${encodedSubject}`,
    'Date: Mon, 04 May 2026 11:11:00 +0200',
    'Message-ID: <bench-0001@example.org>',
    'MIME-Version: 1.0',
    ...extra,
    `Content-Type: ${contentType}`,
  ].join('\r\n');
}

function plain(textBytes: number): Buffer {
  // Long bodies repeat one encoded block: encoding 10 MB char by char would dominate the run.
  const block = quotedPrintable(swedishText(Math.min(textBytes, 256 * 1024)));
  const body = `${block}\r\n`.repeat(Math.max(1, Math.round(textBytes / 256 / 1024))).trimEnd();
  return Buffer.from(
    `${headerBlock('Inbjudan till konferens om städer', 'text/plain; charset=utf-8', ['Content-Transfer-Encoding: quoted-printable'])}\r\n\r\n${body}\r\n`,
    'latin1',
  );
}

function alternative(textBytes: number): Buffer {
  const text = swedishText(textBytes / 2, 11);
  const html = `<html><body>${text
    .split('\n\n')
    .map((paragraph) => `<p>${paragraph.replace(/\n/g, ' ')}</p>`)
    .join('\n')}</body></html>`;
  const boundary = '----=_Part_alt_0001';
  return Buffer.from(
    [
      headerBlock('Protokollärt besök från ambassaden', `multipart/alternative; boundary="${boundary}"`),
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      quotedPrintable(text),
      `--${boundary}`,
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      quotedPrintable(html),
      `--${boundary}--`,
      '',
    ].join('\r\n'),
    'latin1',
  );
}

/** A cover note and one base64 attachment, the whole message about `totalBytes` long. */
function withAttachment(totalBytes: number, filename: string, contentType: string, content?: Buffer): Buffer {
  const boundary = '----=_Part_mixed_0002';
  const note = quotedPrintable(swedishText(1500, 13));
  const attachmentBytes = content ?? randomBytes(Math.floor(((totalBytes - 3000) * 3) / 4 / 1.027), 42);
  return Buffer.from(
    [
      headerBlock('Inbjudan: program och bilagor', `multipart/mixed; boundary="${boundary}"`),
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      note,
      `--${boundary}`,
      `Content-Type: ${contentType}; name="${filename}"`,
      `Content-Disposition: attachment; filename="${filename}"`,
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(attachmentBytes),
      `--${boundary}--`,
      '',
    ].join('\r\n'),
    'latin1',
  );
}

const MB = 1024 * 1024;

export const SIZE_CLASSES: SizeClass[] = [
  { name: '2KB', description: '2 KB plain text', iterations: 300, build: () => plain(1400) },
  {
    name: '20KB',
    description: '20 KB multipart/alternative, Swedish QP text + HTML',
    iterations: 200,
    build: () => alternative(17_000),
  },
  {
    name: '300KB',
    description: '300 KB with a PDF letter',
    iterations: 80,
    build: () => withAttachment(0, 'inbjudan.pdf', 'application/pdf', pdfLetter(220 * 1024)),
  },
  {
    name: '5MB',
    description: '5 MB attachment',
    iterations: 25,
    build: () => withAttachment(5 * MB, 'bilder.zip', 'application/zip'),
  },
  {
    name: '9.5MB',
    description: '9.5 MB attachment',
    iterations: 15,
    build: () => withAttachment(9.5 * MB, 'bilder.zip', 'application/zip'),
  },
  {
    name: '30MB',
    description: '30 MB attachment',
    iterations: 9,
    build: () => withAttachment(30 * MB, 'bilder.zip', 'application/zip'),
  },
  { name: '10MB-text', description: '10 MB text body', iterations: 7, build: () => plain(10 * MB * 0.8) },
];
