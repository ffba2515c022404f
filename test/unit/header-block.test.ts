import { describe, expect, it } from 'vitest';
import {
  encodeHeaderValue,
  formatAddress,
  rawFieldValue,
  splitMessage,
} from '../../functions/core/header-block.js';

describe('splitMessage', () => {
  it('splits CRLF headers from the body and keeps folded lines with their field', () => {
    const raw = Buffer.from('Subject: a\r\n b\r\nTo: x@example.com\r\n\r\nbody\r\n');

    const { fields, body, missingSeparator } = splitMessage(raw);

    expect(fields.map((field) => field.name)).toEqual(['Subject', 'To']);
    expect(rawFieldValue(fields[0]!)).toBe('a b');
    expect(Buffer.from(body).toString()).toBe('body\r\n');
    expect(missingSeparator).toBe(false);
  });

  it('treats a message whose first line is no header as all body', () => {
    const raw = Buffer.from('hello there\r\n\r\nmore');

    const { fields, body } = splitMessage(raw);

    expect(fields).toEqual([]);
    expect(Buffer.from(body).toString()).toBe('hello there\r\n\r\nmore');
  });

  it('keeps a broken line inside the header block attached to the field before it', () => {
    const { fields } = splitMessage(
      Buffer.from('Subject: a\r\nthis is not a header\r\nTo: b@example.com\r\n\r\n'),
    );

    expect(fields.map((field) => field.name)).toEqual(['Subject', 'To']);
    expect(fields[0]?.raw).toBe('Subject: a\r\n this is not a header');
  });

  it('reads a header-only message with no blank line', () => {
    const { fields, body, missingSeparator } = splitMessage(Buffer.from('Subject: only\r\n'));

    expect(fields).toHaveLength(1);
    expect(body.length).toBe(0);
    expect(missingSeparator).toBe(true);
  });
});

describe('encodeHeaderValue', () => {
  it('turns CR, LF and NUL into spaces so no new header can start', () => {
    expect(encodeHeaderValue('a\r\nBcc: x@example.com\0', 7)).toBe('a Bcc: x@example.com');
  });

  it('encodes non-ASCII text as UTF-8 encoded-words of at most 75 characters', () => {
    const encoded = encodeHeaderValue('Protokollärt besök '.repeat(10), 7);

    for (const line of encoded.split('\r\n ')) {
      expect(line.length).toBeLessThanOrEqual(76);
      expect(line).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
    }
    const decoded = encoded
      .split('\r\n ')
      .map((word) => Buffer.from(word.slice(10, -2), 'base64').toString('utf8'))
      .join('');
    expect(decoded).toBe('Protokollärt besök '.repeat(10).trim());
  });

  it('folds long ASCII values at spaces', () => {
    const encoded = encodeHeaderValue('word '.repeat(40), 7);

    expect(encoded.split('\r\n ').every((line) => line.length <= 76)).toBe(true);
  });

  it('encodes text that merely looks like an encoded-word, so it is shown as written', () => {
    expect(encodeHeaderValue('=?utf-8?Q?x?=', 7)).toMatch(/^=\?UTF-8\?B\?/);
  });
});

describe('formatAddress', () => {
  it('quotes ASCII names and escapes quotes', () => {
    expect(formatAddress('A "B" C', 'a@example.com', 8)).toBe('"A \\"B\\" C" <a@example.com>');
  });

  it('refuses addresses that are not plain addr-specs', () => {
    expect(formatAddress('x', '"x@stockholm.se x"@evil.example', 8)).toBeUndefined();
    expect(formatAddress('x', 'a@b@example.com', 8)).toBeUndefined();
    expect(formatAddress('x', 'a@example.com>\r\nBcc: v@example.com', 8)).toBeUndefined();
  });
});
