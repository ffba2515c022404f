// lambda-shims --> iconv-lite for the Lambda bundle (infra/bundling.ts aliases the package to this file):
// the API libmime calls (getCodec, decode, encode, encodingExists, getDecoder, getEncoder), with
// iconv-lite's own single-byte and Unicode codecs.
// Japanese, Korean, Chinese and Big5 keep iconv-lite's own codec and tables, so they decode byte for
// byte as iconv-lite does, invalid bytes included (TextDecoder writes U+FFFD for a Shift_JIS or EUC-JP
// byte iconv-lite drops, in about a quarter of random buffers); ICU's euc-kr lacks the Unified Hangul Code extension Windows mail uses; ICU's big5
// is code page 950, where iconv-lite reads `big5` as Big5-HKSCS (5,088 Hong Kong characters ICU
// turns into private-use code points or U+FFFD); ICU's gbk maps 83 characters (the euro sign at
// A2E3 among them) and invalid bytes differently.
// Those tables are not in the bundle: each is read from its file beside the bundle when a codec first needs
// it (iconv-lite-tables.ts). Should a file be missing (a deployment without them), that charset is decoded
// by TextDecoder instead, close to iconv-lite but not byte for byte, with one warning per charset in the log:
// a message is never lost to it. An error here would not be safe: libmime's decode() would fall back to
// UTF-8 (mojibake), and its decode stream, which mailparser reads bodies through, would fail the whole parse.
// Encoding to one of these charsets (nothing in the router does) throws the missing-file error instead.
// Buffer and TextDecoder are Node's globals (the same classes as node:buffer's and node:util's): an ESM import of
// those modules builds their whole namespace at init, which loads the parts of util nothing here uses.
import {
  bomHandling,
  type Codec,
  type CodecConstructor,
  type Decoder,
  dbcsCodec,
  type EncodingDefinition,
  type EncodingModule,
  internal,
  sbcsCodec,
  sbcsData,
  sbcsDataGenerated,
  utf7,
  utf16,
  utf32,
} from './iconv-lite-modules.js';
import { type IconvTableName, loadIconvTable } from './iconv-lite-tables.js';

interface DecodeOptions {
  stripBOM?: boolean | (() => void);
}

const { _dbcs: IconvDoubleByteCodec } = dbcsCodec;
const iconvDoubleByteDecoder: Codec['decoder'] = IconvDoubleByteCodec.prototype.decoder;

/**
 * The one decoder class of every double-byte codec, as in iconv-lite: libmime recognises a
 * double-byte charset by `getCodec(name).decoder === getCodec('gbk').decoder` and then cuts
 * streamed input where no character can be split.
 */
class DoubleByteDecoder implements Decoder {
  private readonly inner: Decoder | InstanceType<typeof TextDecoder>;
  constructor(options: unknown, codec: Codec) {
    const iconvCodec = codec as IconvTableCodec;
    const tables = iconvCodec.tablesIfAvailable();
    this.inner = tables
      ? new iconvDoubleByteDecoder(options, tables)
      : new TextDecoder(iconvCodec.textDecoderLabel);
  }
  write(bytes: Uint8Array): string {
    return this.inner instanceof TextDecoder
      ? this.inner.decode(bytes, { stream: true })
      : this.inner.write(bytes);
  }
  end(): string | undefined {
    return this.inner instanceof TextDecoder ? this.inner.decode() || undefined : this.inner.end();
  }
}

/**
 * iconv-lite's own double-byte codec, built on first use, its decoder swapped for the shared class
 * above. Building one reads its table files and fills its tables (~25 ms for GBK), and libmime asks for
 * the GBK codec at import only to compare decoder classes.
 */
class IconvTableCodec implements Codec {
  readonly decoder: Codec['decoder'] = DoubleByteDecoder;
  /** The WHATWG name TextDecoder reads this charset by, should its table files be missing. */
  readonly textDecoderLabel: string;
  private built: Codec | undefined;
  private unavailable = false;

  constructor(
    private readonly options: Record<string, unknown>,
    private readonly iconv: unknown,
  ) {
    this.textDecoderLabel = String(options.textDecoderLabel);
  }

  /** The codec with its tables, which iconv-lite's decoder and encoder read; throws if a table file is missing. */
  get tables(): Codec {
    this.built ??= new (IconvDoubleByteCodec as unknown as CodecConstructor)(this.options, this.iconv);
    return this.built;
  }

  /** The codec with its tables, or undefined (warned once, not retried) if they cannot be read. */
  tablesIfAvailable(): Codec | undefined {
    if (this.unavailable) return undefined;
    try {
      return this.tables;
    } catch (error) {
      this.unavailable = true;
      console.warn(
        `iconv-lite stand-in: the tables of '${String(this.options.encodingName)}' cannot be read (${(error as Error).message.split('\n')[0]}); decoding it with TextDecoder('${this.textDecoderLabel}') instead`,
      );
      return undefined;
    }
  }

  get encoder(): Codec['encoder'] {
    const codec = this;
    return class {
      constructor(options: unknown) {
        // biome-ignore lint/correctness/noConstructorReturn: the encoder is iconv-lite's own, made on the built codec
        return new codec.tables.encoder(options, codec.tables);
      }
    } as unknown as Codec['encoder'];
  }
}

const table = (name: IconvTableName) => loadIconvTable(name) as unknown[];
const gbkTable = () => table('cp936').concat(table('gbk-added'));

/**
 * iconv-lite's double-byte names (encodings/dbcs-data.js), mapped to what reads them here. The
 * `_iconvTable` entries are dbcs-data.js's own definitions, with the tables read from beside the bundle,
 * and the TextDecoder name to read the charset by without them.
 */
const DOUBLE_BYTE: EncodingModule = {
  _iconvTable: IconvTableCodec as unknown as CodecConstructor,
  shiftjis: {
    type: '_iconvTable',
    table: () => table('shiftjis'),
    encodeAdd: { '\u00a5': 0x5c, '\u203e': 0x7e },
    encodeSkipVals: [{ from: 0xed40, to: 0xf940 }],
    textDecoderLabel: 'shift_jis',
  },
  ...aliases('shiftjis', [
    'csshiftjis',
    'mskanji',
    'sjis',
    'windows31j',
    'ms31j',
    'xsjis',
    'windows932',
    'ms932',
    '932',
    'cp932',
  ]),
  eucjp: {
    type: '_iconvTable',
    table: () => table('eucjp'),
    encodeAdd: { '\u00a5': 0x5c, '\u203e': 0x7e },
    textDecoderLabel: 'euc-jp',
  },
  cp936: { type: '_iconvTable', table: () => table('cp936'), textDecoderLabel: 'gbk' },
  ...aliases('cp936', [
    'gb2312',
    'gb231280',
    'gb23121980',
    'csgb2312',
    'csiso58gb231280',
    'euccn',
    'windows936',
    'ms936',
    '936',
  ]),
  gbk: { type: '_iconvTable', table: gbkTable, textDecoderLabel: 'gbk' },
  ...aliases('gbk', ['xgbk', 'isoir58']),
  gb18030: {
    type: '_iconvTable',
    table: gbkTable,
    gb18030: () => loadIconvTable('gb18030-ranges'),
    encodeSkipVals: [0x80],
    encodeAdd: { '€': 0xa2e3 },
    textDecoderLabel: 'gb18030',
  },
  chinese: 'gb18030',
  cp949: { type: '_iconvTable', table: () => table('cp949'), textDecoderLabel: 'euc-kr' },
  ...aliases('cp949', [
    'windows949',
    'ms949',
    '949',
    'cseuckr',
    'csksc56011987',
    'euckr',
    'isoir149',
    'korean',
    'ksc56011987',
    'ksc56011989',
    'ksc5601',
  ]),
  cp950: { type: '_iconvTable', table: () => table('cp950'), textDecoderLabel: 'big5' },
  ...aliases('cp950', ['windows950', 'ms950', '950']),
  big5hkscs: {
    type: '_iconvTable',
    table: () => table('cp950').concat(table('big5-added')),
    textDecoderLabel: 'big5',
    // Characters both in HKSCS and in plain Big5 (or twice in Big5) encode to the plain / last code, as in iconv-lite.
    encodeSkipVals: [
      0x8e69, 0x8e6f, 0x8e7e, 0x8eab, 0x8eb4, 0x8ecd, 0x8ed0, 0x8f57, 0x8f69, 0x8f6e, 0x8fcb, 0x8ffe, 0x906d,
      0x907a, 0x90c4, 0x90dc, 0x90f1, 0x91bf, 0x92af, 0x92b0, 0x92b1, 0x92b2, 0x92d1, 0x9447, 0x94ca, 0x95d9,
      0x96fc, 0x9975, 0x9b76, 0x9b78, 0x9b7b, 0x9bc6, 0x9bde, 0x9bec, 0x9bf6, 0x9c42, 0x9c53, 0x9c62, 0x9c68,
      0x9c6b, 0x9c77, 0x9cbc, 0x9cbd, 0x9cd0, 0x9d57, 0x9d5a, 0x9dc4, 0x9def, 0x9dfb, 0x9ea9, 0x9eef, 0x9efd,
      0x9f60, 0x9fcb, 0xa077, 0xa0dc, 0xa0df, 0x8fcc, 0x92c8, 0x9644, 0x96ed, 0xa2a4, 0xa2a5, 0xa2a7, 0xa2a6,
      0xa2cc, 0xa2ce,
    ],
  },
  ...aliases('big5hkscs', ['big5', 'cnbig5', 'csbig5', 'xxbig5']),
};

function aliases(target: string, names: string[]): EncodingModule {
  return Object.fromEntries(names.map((name) => [name, target]));
}

/** Every name iconv-lite knows, in the order iconv-lite merges its modules (later ones win). */
const ENCODINGS: Record<string, EncodingDefinition> = Object.assign(
  Object.create(null),
  internal,
  utf32,
  utf16,
  utf7,
  sbcsCodec,
  sbcsData,
  sbcsDataGenerated,
  DOUBLE_BYTE,
);

const codecCache = new Map<string, Codec>();

/** iconv-lite's name resolution: punctuation and a trailing year ignored, aliases followed, one codec per encoding. */
function getCodec(encoding: string): Codec {
  let name = `${encoding}`.toLowerCase().replace(/:\d{4}$|[^0-9a-z]/g, '');
  const options: Record<string, unknown> = {};
  for (;;) {
    const cached = codecCache.get(name);
    if (cached) return cached;
    const definition = Object.hasOwn(ENCODINGS, name) ? ENCODINGS[name] : undefined;
    if (typeof definition === 'string') {
      name = definition;
    } else if (typeof definition === 'object') {
      Object.assign(options, definition);
      options.encodingName ??= name;
      name = String(definition.type);
    } else if (typeof definition === 'function') {
      options.encodingName ??= name;
      const codec = new definition(options, iconv);
      codecCache.set(String(options.encodingName), codec);
      return codec;
    } else {
      throw new Error(`Encoding not recognized: '${encoding}' (searched as: '${name}')`);
    }
  }
}

function getDecoder(encoding: string, options?: DecodeOptions): Decoder {
  const codec = getCodec(encoding);
  const decoder = new codec.decoder(options, codec);
  return codec.bomAware && options?.stripBOM !== false ? new bomHandling.StripBOM(decoder, options) : decoder;
}

function getEncoder(encoding: string, options?: { addBOM?: boolean }) {
  const codec = getCodec(encoding);
  const encoder = new codec.encoder(options, codec);
  return codec.bomAware && options?.addBOM ? new bomHandling.PrependBOM(encoder, options) : encoder;
}

function decode(bytes: Uint8Array | string, encoding: string, options?: DecodeOptions): string {
  // iconv-lite reads a string as binary (and warns once, as it does)
  if (typeof bytes === 'string') {
    if (!iconv.skipDecodeWarning) {
      console.error(
        'Iconv-lite warning: decode()-ing strings is deprecated. Refer to https://github.com/ashtuchkin/iconv-lite/wiki/Use-Buffers-when-decoding',
      );
      iconv.skipDecodeWarning = true;
    }
    bytes = Buffer.from(bytes, 'binary');
  }
  const decoder = getDecoder(encoding, options);
  const text = decoder.write(bytes);
  const trail = decoder.end();
  return trail ? text + trail : text;
}

function encode(text: string, encoding: string, options?: { addBOM?: boolean }): Buffer {
  const encoder = getEncoder(encoding, options);
  const bytes = encoder.write(`${text || ''}`);
  const trail = encoder.end();
  return trail && trail.length > 0 ? Buffer.concat([bytes, trail]) : bytes;
}

function encodingExists(encoding: string): boolean {
  try {
    getCodec(encoding);
    return true;
  } catch {
    return false;
  }
}

const iconv = {
  defaultCharUnicode: '\ufffd',
  defaultCharSingleByte: '?',
  skipDecodeWarning: false,
  getCodec,
  getDecoder,
  getEncoder,
  decode,
  encode,
  encodingExists,
  toEncoding: encode,
  fromEncoding: decode,
};

export { decode, encode, encodingExists, getCodec, getDecoder, getEncoder };
export default iconv;
