// infra --> (Lambda bundling): the one set of esbuild options for mailroute's functions, read by the CDK
// construct (infra/constructs/mailroute-function.ts) and by the cold-start bench, so both build the same bundle.
import { type BuildOptions, type BuildResult, build } from 'esbuild';

/** Bare package names swapped for smaller stand-ins in the bundle only (tests and tools use the real ones). */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  // No iconv-lite streams or dbcs-data.js; Japanese, Korean, Chinese and Big5 keep iconv-lite's tables,
  // read on first use from files shipped beside the bundle (ICONV_TABLE_FILES in infra/constructs/router-function.ts):
  // functions/lambda-shims/iconv-lite.ts.
  'iconv-lite': './functions/lambda-shims/iconv-lite.ts',
  // mailparser imports libmime as ESM, mailsplit requires it as CommonJS: one copy instead of two.
  libmime: './node_modules/libmime/dist/cjs/libmime.js',
  // The same for libbase64: mime-slim imports it, mailsplit requires it.
  libbase64: './node_modules/libbase64/dist/cjs/libbase64.js',
  // mailparser's linkifier, built on first use instead of at import (~30 ms): functions/lambda-shims/linkify-it.ts.
  'linkify-it': './functions/lambda-shims/linkify-it.ts',
};

/**
 * What NodejsFunction passes to esbuild for our functions: ESM for node22, minified, UTF-8, with
 * source maps, every dependency bundled. Alias paths are relative to the repository root, which is the
 * working directory of both esbuild runs.
 */
export const LAMBDA_BUILD = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  sourcemap: true,
  // The map without the sources' text: stack traces still name our files and lines. Node reads and parses the
  // whole map when it loads the bundle (--enable-source-maps, LAMBDA_NODE_OPTIONS): with the sources in it
  // the map is 5.4 MB and that read cost ~130 ms of every cold start (measured, 9 alternating imports).
  sourcesContent: false,
  mainFields: ['module', 'main'],
  // Non-ASCII text as \uXXXX escapes (esbuild's default), not UTF-8: 200 KB larger, but an all-ASCII
  // file is read and compiled as one-byte text. Measured, 15 alternating fresh imports: UTF-8 1.75 MB,
  // 317.5 ms; ASCII 1.95 MB, 284.7 ms. Cold start is what a sender waits for; the bytes are not.
  charset: 'ascii',
  // CommonJS dependencies (mailparser and friends) call require(); ESM has none unless we make one.
  banner: {
    js: "import{createRequire as __mrRequire}from'node:module';const require=__mrRequire(import.meta.url);",
  },
  alias: BUNDLE_ALIASES,
} as const satisfies BuildOptions;

/**
 * How a Lambda's bundle is written (LAMBDA_BUILD, and these): `index.mjs`, and beside it, in `chunks/`, the
 * code that only some invocations import, each `await import()` of the bundled code in a file of its own,
 * loaded when it is imported. What the handler imports statically, and all our own code, stays in
 * `index.mjs` (or in a chunk it imports at once, for code both need), so `import.meta.url` of the code
 * that reads the tables beside the bundle is still `index.mjs`'s. What goes to chunks today is the AWS SDK's:
 * the credential providers a Lambda does not reach (it has its credentials in its environment; they stay
 * there for a function that has not), their STS, SSO and sign-in clients, the event-stream codec and a
 * browser user-agent parser. In one file, V8 compiled them at every cold start (~120 KB), and the process
 * provider's `import ... from 'node:child_process'`, hoisted to the top of the bundle, loaded
 * child_process (~5 ms) before the first line of the handler ran.
 */
export const LAMBDA_SPLIT = {
  splitting: true,
  entryNames: 'index',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
} as const satisfies BuildOptions;

/**
 * Bundles `entry` (relative to the repository root) into `outdir` as every mailroute Lambda is bundled:
 * LAMBDA_BUILD, split (LAMBDA_SPLIT). The CDK construct runs it after NodejsFunction's own build
 * (infra/bundle-lambda.ts), which esbuild cannot split (it writes one `--outfile`); the bench runs it too.
 */
export function bundleLambda(
  repoRoot: string,
  entry: string,
  outdir: string,
  options: BuildOptions = {},
): Promise<BuildResult> {
  return build({
    ...LAMBDA_BUILD,
    ...LAMBDA_SPLIT,
    logLevel: 'error',
    absWorkingDir: repoRoot,
    entryPoints: [entry],
    outdir,
    ...options,
  });
}

/** NODE_OPTIONS of every mailroute Lambda: stack traces through the source map. The bench imports with it too. */
export const LAMBDA_NODE_OPTIONS = '--enable-source-maps';

/** The aliases as esbuild command-line arguments, the way NodejsFunction's `esbuildArgs` takes them. */
export function aliasArgs(aliases: Readonly<Record<string, string>> = BUNDLE_ALIASES): {
  '--alias': string[];
} {
  return { '--alias': Object.entries(aliases).map(([name, target]) => `${name}=${target}`) };
}
