// bench --> (cold start): the Lambda bundle built as the CDK NodejsFunction builds it (the options
// both take from infra/bundling.ts), its size, and how long a fresh `node` takes to import it,
// beside the forwarder, imported from node_modules as it is published and bundled the same way.
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { LAMBDA_BUILD } from '../infra/bundling.js';
import { median } from './stats.js';

export interface ColdStart {
  bundleBytes: number;
  importMs: number[];
  forwarderImportMs: number[];
  forwarderBundleBytes: number;
  forwarderBundledImportMs: number[];
  /** The largest inputs of mailroute's bundle, for whoever wants to make it smaller. */
  largestInputs: { path: string; bytes: number }[];
}

export async function measureColdStart(repoRoot: string, outDir: string, runs: number): Promise<ColdStart> {
  const ours = join(outDir, 'route-mail', 'index.mjs');
  const theirs = join(outDir, 'forwarder', 'index.cjs');
  mkdirSync(join(outDir, 'route-mail'), { recursive: true });
  mkdirSync(join(outDir, 'forwarder'), { recursive: true });
  const built = await build({
    ...LAMBDA_BUILD,
    logLevel: 'error',
    metafile: true,
    absWorkingDir: repoRoot,
    entryPoints: [join(repoRoot, 'functions/route-mail/handler.ts')],
    outfile: ours,
  });
  // The forwarder is CommonJS: bundled as CommonJS, as a CDK user of it would.
  await build({
    ...LAMBDA_BUILD,
    logLevel: 'error',
    absWorkingDir: repoRoot,
    format: 'cjs',
    banner: {},
    entryPoints: [join(repoRoot, 'node_modules/aws-lambda-ses-forwarder/index.js')],
    outfile: theirs,
  });
  const output = Object.values(built.metafile?.outputs ?? {}).find((entry) => entry.entryPoint);
  const largestInputs = Object.entries(output?.inputs ?? {})
    .map(([path, input]) => ({ path, bytes: input.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 12);

  const result: ColdStart = {
    bundleBytes: statSync(ours).size,
    importMs: [],
    forwarderImportMs: [],
    forwarderBundleBytes: statSync(theirs).size,
    forwarderBundledImportMs: [],
    largestInputs,
  };
  // Alternated, so that a busy moment of the machine does not fall on one contender only.
  for (let run = 0; run < runs; run++) {
    result.importMs.push(importTime(pathToFileURL(ours).href, repoRoot));
    result.forwarderImportMs.push(importTime('aws-lambda-ses-forwarder', repoRoot));
    result.forwarderBundledImportMs.push(importTime(pathToFileURL(theirs).href, repoRoot));
  }
  return result;
}

/** Milliseconds from the start of `import()` to its end, in a fresh node process. */
function importTime(specifier: string, cwd: string): number {
  const script =
    'const start = performance.now(); await import(process.env.BENCH_IMPORT); ' +
    'process.stderr.write("import-ms " + (performance.now() - start) + "\\n"); process.exit(0);';
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd,
    env: { ...process.env, BENCH_IMPORT: specifier },
    encoding: 'utf8',
  });
  const match = /import-ms ([\d.]+)/.exec(child.stderr);
  if (!match) throw new Error(`importing ${specifier} failed: ${child.stderr.slice(0, 500)}`);
  return Number(match[1]);
}

export function summariseColdStart(cold: ColdStart) {
  return {
    bundleBytes: cold.bundleBytes,
    importMs: median(cold.importMs),
    forwarderImportMs: median(cold.forwarderImportMs),
    forwarderBundleBytes: cold.forwarderBundleBytes,
    forwarderBundledImportMs: median(cold.forwarderBundledImportMs),
  };
}
