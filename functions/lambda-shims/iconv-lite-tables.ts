// lambda-shims --> iconv-lite's double-byte tables (Japanese, Chinese, Korean, Big5), for iconv-lite.ts: read
// from files on first use instead of bundled. They are ~450 KB of the bundle as \uXXXX escapes and only mail
// in a legacy East Asian charset needs them. The router function ships these files beside the bundle
// (infra/constructs/router-function.ts, ICONV_TABLE_FILES), in node_modules next to index.mjs.
import { createRequire } from 'node:module';

/** Each table iconv-lite.ts reads, by the module path it is required by (relative to node_modules). */
export const ICONV_TABLES = {
  shiftjis: 'iconv-lite/encodings/tables/shiftjis.json',
  eucjp: 'iconv-lite/encodings/tables/eucjp.json',
  cp936: 'iconv-lite/encodings/tables/cp936.json',
  'gbk-added': 'iconv-lite/encodings/tables/gbk-added.json',
  'gb18030-ranges': 'iconv-lite/encodings/tables/gb18030-ranges.json',
  cp949: 'iconv-lite/encodings/tables/cp949.json',
  cp950: 'iconv-lite/encodings/tables/cp950.json',
  'big5-added': 'iconv-lite/encodings/tables/big5-added.json',
} as const;

export type IconvTableName = keyof typeof ICONV_TABLES;

// A require of our own, not the free `require` esbuild follows: the path stays a run-time lookup, from the
// folder of this file in the source (the repository's node_modules) and of index.mjs in the bundle.
const requireAtRunTime = createRequire(import.meta.url);

/**
 * The table, parsed once (Node caches it as iconv-lite's own require does). Throws MODULE_NOT_FOUND when
 * the file is not there; iconv-lite.ts then decodes that charset with TextDecoder instead.
 */
export function loadIconvTable(name: IconvTableName): unknown {
  return requireAtRunTime(ICONV_TABLES[name]);
}
