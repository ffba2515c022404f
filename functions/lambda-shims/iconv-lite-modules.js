// lambda-shims --> iconv-lite's own codec modules, for iconv-lite.ts. They are imported by path, not by
// package name, because the Lambda bundle aliases the name `iconv-lite` (and every path under it) to
// iconv-lite.ts. The double-byte data module (dbcs-data.js) is left out on purpose: it would bring every
// double-byte table. The Japanese ones are not used (TextDecoder reads those charsets); the others are read
// from files on first use (iconv-lite-tables.ts), not bundled.

export { default as dbcsCodec } from '../../node_modules/iconv-lite/encodings/dbcs-codec.js';
export { default as internal } from '../../node_modules/iconv-lite/encodings/internal.js';
export { default as sbcsCodec } from '../../node_modules/iconv-lite/encodings/sbcs-codec.js';
export { default as sbcsData } from '../../node_modules/iconv-lite/encodings/sbcs-data.js';
export { default as sbcsDataGenerated } from '../../node_modules/iconv-lite/encodings/sbcs-data-generated.js';
export { default as utf7 } from '../../node_modules/iconv-lite/encodings/utf7.js';
export { default as utf16 } from '../../node_modules/iconv-lite/encodings/utf16.js';
export { default as utf32 } from '../../node_modules/iconv-lite/encodings/utf32.js';
export { default as bomHandling } from '../../node_modules/iconv-lite/lib/bom-handling.js';
