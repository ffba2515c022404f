// lambda-shims --> iconv-lite's own codec modules, for iconv-lite.ts. They are imported by path, not by
// package name, because the Lambda bundle aliases the name `iconv-lite` (and every path under it) to
// iconv-lite.ts. The double-byte data module (dbcs-data.js) is left out on purpose: it would bring the Japanese
// tables, which the alias drops.

export { default as dbcsCodec } from '../../node_modules/iconv-lite/encodings/dbcs-codec.js';
export { default as internal } from '../../node_modules/iconv-lite/encodings/internal.js';
export { default as sbcsCodec } from '../../node_modules/iconv-lite/encodings/sbcs-codec.js';
export { default as sbcsData } from '../../node_modules/iconv-lite/encodings/sbcs-data.js';
export { default as sbcsDataGenerated } from '../../node_modules/iconv-lite/encodings/sbcs-data-generated.js';
export { default as big5AddedTable } from '../../node_modules/iconv-lite/encodings/tables/big5-added.json' with {
  type: 'json',
};
export { default as cp936Table } from '../../node_modules/iconv-lite/encodings/tables/cp936.json' with {
  type: 'json',
};
// The double-byte tables of the charsets read exactly as iconv-lite reads them (iconv-lite.ts says which).
export { default as koreanTable } from '../../node_modules/iconv-lite/encodings/tables/cp949.json' with {
  type: 'json',
};
export { default as cp950Table } from '../../node_modules/iconv-lite/encodings/tables/cp950.json' with {
  type: 'json',
};
export { default as gb18030Ranges } from '../../node_modules/iconv-lite/encodings/tables/gb18030-ranges.json' with {
  type: 'json',
};
export { default as gbkAddedTable } from '../../node_modules/iconv-lite/encodings/tables/gbk-added.json' with {
  type: 'json',
};
export { default as utf7 } from '../../node_modules/iconv-lite/encodings/utf7.js';
export { default as utf16 } from '../../node_modules/iconv-lite/encodings/utf16.js';
export { default as utf32 } from '../../node_modules/iconv-lite/encodings/utf32.js';
export { default as bomHandling } from '../../node_modules/iconv-lite/lib/bom-handling.js';
