// The bundle's stand-in for iconv-lite (functions/lambda-shims/iconv-lite.ts) against the real package:
// the same names, the same single-byte, Unicode, Japanese, Korean, Chinese (GBK family) and Big5
// (Big5-HKSCS) decoding byte for byte, invalid bytes included.

import { TextDecoder } from 'node:util';
import real from 'iconv-lite';
import { describe, expect, it, vi } from 'vitest';
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

/** The double-byte codecs the stand-in runs with iconv-lite's own tables, and a few names of each. */
const EXACT: Record<string, string[]> = {
  shiftjis: ['Shift_JIS', 'windows-31j', 'cp932', 'x-sjis'],
  eucjp: ['EUC-JP'],
  cp949: ['ks_c_5601-1987', 'EUC-KR', 'windows-949'],
  cp936: ['GB2312', 'EUC-CN', 'CP936'],
  gbk: ['GBK', 'x-gbk'],
  gb18030: ['GB18030', 'chinese'],
  cp950: ['CP950', 'windows-950'],
  big5hkscs: ['Big5', 'Big5-HKSCS', 'x-x-big5', 'csBig5', 'cn-big5'],
};

/** Hong Kong (HKSCS) characters, astral ones and a two-code-point one among them, and the bytes iconv-lite gives them. */
const HKSCS_TEXT = '𧉧䏰𡩣綕𨮹嫑龗𤅡𨤍Ê̄ê̌香港特別行政區';

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

  it.each(Object.entries(EXACT))(
    'decodes %s as iconv-lite does under each of its names, invalid bytes included',
    (encoding, names) => {
      for (const name of [encoding, ...names]) expect(real.getCodec(name).encodingName, name).toBe(encoding);
      const bytes = randomBytes(2);
      for (let sample = 0; sample < 500; sample++) {
        const input = bytes(1 + (sample % 40));
        const name = names[sample % names.length] ?? encoding;
        expect(shim.decode(input, name), `${name} ${input.toString('hex')}`).toBe(real.decode(input, name));
      }
      for (let lead = 0x80; lead <= 0xff; lead++) {
        for (let trail = 0; trail <= 0xff; trail++) {
          const input = Buffer.from([lead, trail]);
          expect(shim.decode(input, encoding), input.toString('hex')).toBe(real.decode(input, encoding));
        }
      }
    },
  );

  it('decodes the Hong Kong (HKSCS) characters of Big5 as iconv-lite does, which reads `big5` as Big5-HKSCS', () => {
    const hkscs = real.encode(HKSCS_TEXT, 'big5');
    expect(real.decode(hkscs, 'big5')).toBe(HKSCS_TEXT);
    for (const name of EXACT.big5hkscs ?? []) expect(shim.decode(hkscs, name), name).toBe(HKSCS_TEXT);
    // Every character of the HKSCS table, lead bytes 0x87 to 0xA0 and 0xC6 to 0xFE
    let characters = 0;
    for (const [input, text] of doubleByteCharacters('big5hkscs')) {
      expect(shim.decode(input, 'big5'), input.toString('hex')).toBe(text);
      characters++;
    }
    expect(characters).toBeGreaterThan(13_000 + 5_000);
  });

  it('decodes the GBK euro sign and the GBK additions as iconv-lite does', () => {
    for (const name of ['gbk', 'gb18030']) expect(shim.decode(Buffer.from([0xa2, 0xe3]), name)).toBe('€');
    expect(shim.decode(Buffer.from([0xa8, 0xbc, 0x80]), 'gbk')).toBe(
      real.decode(Buffer.from([0xa8, 0xbc, 0x80]), 'gbk'),
    );
    const fourByte = real.encode('𠀀\u0080', 'gb18030');
    expect(shim.decode(fourByte, 'gb18030')).toBe('𠀀\u0080');
  });

  it('encodes the double-byte charsets that keep iconv-lite tables as iconv-lite does', () => {
    const text = `${HKSCS_TEXT} 邀请函 € 초청장 ḿ`;
    for (const encoding of Object.keys(EXACT))
      expect(shim.encode(text, encoding).equals(real.encode(text, encoding)), encoding).toBe(true);
  });

  it.each(['shiftjis', 'eucjp'])('reads every character of %s as iconv-lite does', (encoding) => {
    for (const [input, text] of doubleByteCharacters(encoding))
      expect(shim.decode(input, encoding)).toBe(text);
  });

  it('reads the three-byte JIS X 0212 characters of EUC-JP as iconv-lite does', () => {
    for (let second = 0xa1; second <= 0xfe; second++) {
      for (let third = 0xa1; third <= 0xfe; third += 7) {
        const input = Buffer.from([0x8f, second, third]);
        const text = real.decode(input, 'eucjp');
        if (!text.includes('\ufffd')) expect(shim.decode(input, 'eucjp')).toBe(text);
      }
    }
  });

  it('streams the charsets with iconv-lite tables as iconv-lite does', () => {
    const bytes = randomBytes(4);
    for (const encoding of Object.keys(EXACT)) {
      for (let sample = 0; sample < 50; sample++) {
        const input = bytes(64);
        const streamed = (iconv: {
          getDecoder(encoding: string): { write(bytes: Buffer): string; end(): string | undefined };
        }) => {
          const decoder = iconv.getDecoder(encoding);
          return [
            decoder.write(input.subarray(0, 17)),
            decoder.write(input.subarray(17)),
            decoder.end(),
          ].join('');
        };
        expect(streamed(shim), encoding).toBe(streamed(real));
      }
    }
  });

  it('shares one decoder class among the double-byte charsets, as libmime expects of iconv-lite', () => {
    const gbk = shim.getCodec('gbk');
    for (const encoding of DOUBLE_BYTE) expect(shim.getCodec(encoding).decoder).toBe(gbk.decoder);
    expect(shim.getCodec('utf-16').decoder).not.toBe(gbk.decoder);
    expect(shim.getCodec('UTF-16')).toBe(shim.getCodec('utf16'));
  });

  it('decodes a charset whose table files are missing with TextDecoder, warns once, and refuses to encode it', async () => {
    // Prepare: a fresh stand-in whose table files cannot be found, as in a deployment without them.
    vi.resetModules();
    vi.doMock('../../functions/lambda-shims/iconv-lite-tables.js', () => ({
      loadIconvTable: (name: string) => {
        throw Object.assign(new Error(`Cannot find module 'iconv-lite/encodings/tables/${name}.json'`), {
          code: 'MODULE_NOT_FOUND',
        });
      },
    }));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const { default: withoutTables } = await import('../../functions/lambda-shims/iconv-lite.js');
      const bytes = randomBytes(5);
      const labels = {
        shiftjis: 'shift_jis',
        eucjp: 'euc-jp',
        cp936: 'gbk',
        gbk: 'gbk',
        gb18030: 'gb18030',
        cp949: 'euc-kr',
        cp950: 'big5',
        big5hkscs: 'big5',
      };

      // Act and assess
      for (const [encoding, label] of Object.entries(labels)) {
        for (let sample = 0; sample < 20; sample++) {
          const input = bytes(1 + sample);
          expect(withoutTables.decode(input, encoding), encoding).toBe(new TextDecoder(label).decode(input));
        }
        expect(() => withoutTables.encode('邀请函', encoding), encoding).toThrow(/Cannot find module/);
      }
      // Still the shared double-byte decoder class, so libmime still cuts streamed input safely.
      expect(withoutTables.getCodec('big5').decoder).toBe(withoutTables.getCodec('gbk').decoder);
      expect(warn).toHaveBeenCalledTimes(Object.keys(labels).length);
    } finally {
      vi.doUnmock('../../functions/lambda-shims/iconv-lite-tables.js');
      vi.restoreAllMocks();
    }
  });
});
