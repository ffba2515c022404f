// The bundle's stand-in for iconv-lite (functions/lambda-shims/iconv-lite.ts) against the real package:
// the same names, the same single-byte and Unicode decoding byte for byte, and the double-byte
// charsets the same for every character iconv-lite reads, but for the differences listed here.
import real from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import shim from '../../functions/lambda-shims/iconv-lite.js';

const DOUBLE_BYTE = ['shiftjis', 'eucjp', 'cp936', 'gbk', 'gb18030', 'cp949', 'cp950', 'big5hkscs'];

/** A reproducible byte source, so that a failure can be replayed. */
function randomBytes(seed: number) {
  let state = seed;
  return (length: number) =>
    Buffer.from(
      Array.from({ length }, () => {
        state = (state * 1103515245 + 12345) % 2147483648;
        return state % 256;
      }),
    );
}

/** Every name iconv-lite resolves, from its own table. */
function realNames(): string[] {
  real.getCodec('utf8');
  return Object.keys((real as unknown as { encodings: Record<string, unknown> }).encodings).filter(
    (name) => !name.startsWith('_'),
  );
}

/** Each two-byte sequence that iconv-lite reads as one character, with that character. */
function doubleByteCharacters(encoding: string): Array<[Buffer, string]> {
  const characters: Array<[Buffer, string]> = [];
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      const bytes = Buffer.from([lead, trail]);
      const text = real.decode(bytes, encoding);
      if ([...text].length === 1 && text !== '\ufffd') characters.push([bytes, text]);
    }
  }
  return characters;
}

const PRIVATE_USE = /[\uE000-\uF8FF]/;

describe('the iconv-lite stand-in of the Lambda bundle', () => {
  it('knows exactly the names iconv-lite knows', () => {
    const names = [
      ...realNames(),
      'UTF-8',
      'Shift_JIS',
      'ks_c_5601-1987',
      'iso-2022-jp',
      'x-unknown',
      '__proto__',
    ];
    for (const name of names) expect(shim.encodingExists(name), name).toBe(real.encodingExists(name));
  });

  it('decodes every single-byte and Unicode charset as iconv-lite does, invalid bytes included', () => {
    const bytes = randomBytes(1);
    const singleByte = realNames().filter((name) => !DOUBLE_BYTE.includes(real.getCodec(name).encodingName));
    expect(singleByte.length).toBeGreaterThan(200);
    for (const name of singleByte) {
      for (let sample = 0; sample < 20; sample++) {
        const input = bytes(1 + (sample % 40));
        expect(shim.decode(input, name), `${name} ${input.toString('hex')}`).toBe(real.decode(input, name));
      }
    }
  });

  it('decodes Korean (code page 949) as iconv-lite does, invalid bytes included', () => {
    const bytes = randomBytes(2);
    for (let sample = 0; sample < 500; sample++) {
      const input = bytes(1 + (sample % 40));
      expect(shim.decode(input, 'ks_c_5601-1987')).toBe(real.decode(input, 'ks_c_5601-1987'));
    }
    for (const [input, text] of doubleByteCharacters('cp949')) expect(shim.decode(input, 'cp949')).toBe(text);
  });

  it.each(['shiftjis', 'eucjp', 'cp936', 'cp950'])(
    'reads every character of %s as iconv-lite does',
    (encoding) => {
      for (const [input, text] of doubleByteCharacters(encoding))
        expect(shim.decode(input, encoding)).toBe(text);
    },
  );

  it('reads the three-byte JIS X 0212 characters of EUC-JP as iconv-lite does', () => {
    for (let second = 0xa1; second <= 0xfe; second++) {
      for (let third = 0xa1; third <= 0xfe; third += 7) {
        const input = Buffer.from([0x8f, second, third]);
        const text = real.decode(input, 'eucjp');
        if (!text.includes('\ufffd')) expect(shim.decode(input, 'eucjp')).toBe(text);
      }
    }
  });

  it.each(['gbk', 'gb18030', 'big5hkscs'])(
    'differs from iconv-lite on %s only where one of them gives a private-use or no character',
    (encoding) => {
      // ICU and iconv-lite map a few GBK/GB18030 code points and the Hong Kong (HKSCS) additions to
      // Big5 differently: one gives a standard character where the other gives a private-use one.
      // Big5 F9FE is the one vendor variant: HKSCS's halfwidth black square, code page 950's shade.
      for (const [input, text] of doubleByteCharacters(encoding)) {
        const decoded = shim.decode(input, encoding);
        if (decoded === text) continue;
        const vendorVariant = input.toString('hex') === 'f9fe' && text === '\uffed' && decoded === '\u2593';
        const explained =
          vendorVariant || PRIVATE_USE.test(text) || PRIVATE_USE.test(decoded) || decoded === '\ufffd';
        expect(explained, `${input.toString('hex')}: ${text} / ${decoded}`).toBe(true);
      }
    },
  );

  it('gives the same text streamed in pieces as decoded whole, and never throws on invalid bytes', () => {
    // Not code page 949: that is iconv-lite's own decoder, whose streaming libmime works around.
    const bytes = randomBytes(3);
    for (const encoding of DOUBLE_BYTE.filter((name) => name !== 'cp949')) {
      for (let sample = 0; sample < 50; sample++) {
        const input = bytes(64);
        const whole = shim.decode(input, encoding);
        const decoder = shim.getDecoder(encoding);
        const streamed = [
          decoder.write(input.subarray(0, 17)),
          decoder.write(input.subarray(17)),
          decoder.end(),
        ];
        expect(streamed.join(''), encoding).toBe(whole);
      }
    }
  });

  it('shares one decoder class among the double-byte charsets, as libmime expects of iconv-lite', () => {
    const gbk = shim.getCodec('gbk');
    for (const encoding of DOUBLE_BYTE) expect(shim.getCodec(encoding).decoder).toBe(gbk.decoder);
    expect(shim.getCodec('utf-16').decoder).not.toBe(gbk.decoder);
    expect(shim.getCodec('UTF-16')).toBe(shim.getCodec('utf16'));
  });
});
