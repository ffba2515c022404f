// lambda-shims --> iconv-lite for the Lambda bundle (infra/bundling.ts aliases the package to this file):
// the API libmime calls (getCodec, decode, encode, encodingExists, getDecoder, getEncoder), with
// iconv-lite's own single-byte and Unicode codecs, and the double-byte charsets decoded by Node's
// TextDecoder (full ICU) instead of iconv-lite's tables, which were a fifth of the bundle.
// Korean (code page 949) keeps iconv-lite's table: ICU's euc-kr lacks the Unified Hangul Code
// extension Windows mail uses, and reads those syllables wrongly.
import { Buffer } from 'node:buffer';
import { TextDecoder } from 'node:util';
import {
  bomHandling,
  type Codec,
  type CodecConstructor,
  type Decoder,
  dbcsCodec,
  type EncodingDefinition,
  type EncodingModule,
  internal,
  koreanTable,
  sbcsCodec,
  sbcsData,
  sbcsDataGenerated,
  utf7,
  utf16,
  utf32,
} from './iconv-lite-modules.js';

interface DecodeOptions {
  stripBOM?: boolean | (() => void);
}

/** A double-byte charset read by TextDecoder; `label` is its WHATWG name. */
class TextDecoderCodec implements Codec {
  readonly label: string;
  readonly encodingName: string;
  constructor(options: Record<string, unknown>) {
    this.label = String(options.label);
    this.encodingName = String(options.encodingName);
  }
  get encoder(): Codec['encoder'] {
    const name = this.encodingName;
    return class {
      constructor() {
        throw new Error(`Encoding to '${name}' is not part of the Lambda bundle`);
      }
    } as unknown as Codec['encoder'];
  }
  get decoder(): Codec['decoder'] {
    return DoubleByteDecoder;
  }
}

const { _dbcs: IconvDoubleByteCodec } = dbcsCodec;
const iconvDoubleByteDecoder: Codec['decoder'] = IconvDoubleByteCodec.prototype.decoder;

/**
 * The one decoder class of every double-byte codec, as in iconv-lite: libmime recognises a
 * double-byte charset by `getCodec(name).decoder === getCodec('gbk').decoder` and then cuts
 * streamed input where no character can be split.
 */
class DoubleByteDecoder implements Decoder {
  private readonly inner: Decoder | TextDecoder;
  constructor(options: unknown, codec: Codec) {
    this.inner =
      codec instanceof TextDecoderCodec
        ? new TextDecoder(codec.label)
        : new iconvDoubleByteDecoder(options, codec);
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

/** iconv-lite's own double-byte codec, its decoder swapped for the shared class above. */
class KoreanCodec extends (IconvDoubleByteCodec as unknown as new (
  options: Record<string, unknown>,
  iconv: unknown,
) => Codec) {
  constructor(options: Record<string, unknown>, iconv: unknown) {
    super({ ...options, table: () => koreanTable }, iconv);
    this.decoder = DoubleByteDecoder;
  }
}

const textDecoded = (label: string) => ({ type: '_textDecoder', label });

/** iconv-lite's double-byte names (encodings/dbcs-data.js), mapped to what reads them here. */
const DOUBLE_BYTE: EncodingModule = {
  _textDecoder: TextDecoderCodec as unknown as CodecConstructor,
  _korean: KoreanCodec as unknown as CodecConstructor,
  shiftjis: textDecoded('shift_jis'),
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
  eucjp: textDecoded('euc-jp'),
  cp936: textDecoded('gbk'),
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
  gbk: textDecoded('gbk'),
  ...aliases('gbk', ['xgbk', 'isoir58']),
  gb18030: textDecoded('gb18030'),
  chinese: 'gb18030',
  cp949: { type: '_korean' },
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
  cp950: textDecoded('big5'),
  ...aliases('cp950', ['windows950', 'ms950', '950']),
  big5hkscs: textDecoded('big5'),
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
