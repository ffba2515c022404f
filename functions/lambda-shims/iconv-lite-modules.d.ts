// lambda-shims --> the types of iconv-lite-modules.js: iconv-lite's codec modules, as iconv-lite.ts uses them.

/** One entry of an iconv-lite encodings module: a codec constructor, an alias, or an alias with options. */
export type EncodingDefinition = string | Record<string, unknown> | CodecConstructor;
export type EncodingModule = Record<string, EncodingDefinition>;

export interface Decoder {
  write(bytes: Uint8Array): string;
  end(): string | undefined;
}
export interface Encoder {
  write(text: string): Buffer;
  end(): Buffer | undefined;
}
export interface Codec {
  encoder: new (options: unknown, codec: Codec) => Encoder;
  decoder: new (options: unknown, codec: Codec) => Decoder;
  bomAware?: boolean;
}
export type CodecConstructor = new (options: Record<string, unknown>, iconv: unknown) => Codec;

export declare const bomHandling: {
  StripBOM: new (decoder: Decoder, options: unknown) => Decoder;
  PrependBOM: new (encoder: Encoder, options: unknown) => Encoder;
};
export declare const dbcsCodec: { _dbcs: CodecConstructor };
export declare const internal: EncodingModule;
export declare const sbcsCodec: EncodingModule;
export declare const sbcsData: EncodingModule;
export declare const sbcsDataGenerated: EncodingModule;
export declare const utf16: EncodingModule;
export declare const utf32: EncodingModule;
export declare const utf7: EncodingModule;
