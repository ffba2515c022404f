// bench --> (cold start): the Lambda bundle built as the CDK NodejsFunction builds it (the options
// both take from infra/bundling.ts), staged as the router function's asset is (the tables read at init
// beside it, the files read on first use in node_modules beside it, the checked configuration), its size
// and what ships beside it; then, in fresh `node` processes, alternating, how long importing it takes and
// how long importing it and handling a first message takes, beside the forwarder, imported from
// node_modules as it is published (and, import only, bundled the same way). The first message goes to AWS
// stubs over loopback HTTP (aws-http-stub.ts), the same for both: work moved from the import to the first
// message shows there, and is not a gain.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { checkedRouterConfigJson, parseRouterConfig } from '../functions/config/schema.js';
import { bundleLambda, LAMBDA_BUILD, LAMBDA_NODE_OPTIONS } from '../infra/bundling.js';
import {
  ICONV_TABLE_FILES,
  PDFJS_FILES,
  ROUTER_ENTRY,
  SHIPPED_TABLE_PATHS,
} from '../infra/constructs/router-function.js';
import { startAwsHttpStub } from './aws-http-stub.js';
import {
  BENCH_LOOP_SECRET,
  BENCH_ROUTER_CONFIG,
  FORWARDER_CONFIG,
  sesEvent,
  sqsEvent,
} from './contenders.js';
import { median } from './stats.js';

export interface ColdStart {
  /** `index.mjs` and the chunks it imports at once: what is read and compiled at init. */
  bundleBytes: number;
  /** Read at init from beside the bundle: the lexicons, the model, the automated-mail phrases. */
  tablesBytes: number;
  /**
   * Shipped beside the bundle, read only by mail that needs them: pdf.js, iconv-lite's double-byte tables; and
   * the bundle's chunks that only some invocations import (infra/bundling.ts, LAMBDA_SPLIT).
   */
  onFirstUseBytes: number;
  importMs: number[];
  /** Import and the first message, in one fresh process each. */
  firstMessageMs: number[];
  forwarderImportMs: number[];
  forwarderFirstMessageMs: number[];
  /** The same in CPU time of the process (all its threads): steadier than wall time on a shared machine. */
  importCpuMs: number[];
  firstMessageCpuMs: number[];
  forwarderImportCpuMs: number[];
  forwarderFirstMessageCpuMs: number[];
  forwarderBundleBytes: number;
  forwarderBundledImportMs: number[];
  /** The largest inputs of mailroute's bundle, for whoever wants to make it smaller. */
  largestInputs: { path: string; bytes: number }[];
}

export async function measureColdStart(
  repoRoot: string,
  outDir: string,
  runs: number,
  message: Buffer,
): Promise<ColdStart> {
  const assetDir = join(outDir, 'route-mail');
  const ours = join(assetDir, 'index.mjs');
  const theirs = join(outDir, 'forwarder', 'index.cjs');
  mkdirSync(assetDir, { recursive: true });
  mkdirSync(join(outDir, 'forwarder'), { recursive: true });
  // As the router function's asset is built: index.mjs and its chunks (infra/bundle-lambda.ts).
  rmSync(join(assetDir, 'chunks'), { recursive: true, force: true });
  const built = await bundleLambda(repoRoot, join(repoRoot, ROUTER_ENTRY), assetDir, { metafile: true });
  const outputs = built.metafile?.outputs ?? {};
  const atInit = new Set<string>();
  const loadAtInit = (path: string) => {
    if (atInit.has(path)) return;
    atInit.add(path);
    for (const chunk of outputs[path]?.imports ?? []) {
      if (chunk.kind === 'import-statement' && !chunk.external) loadAtInit(chunk.path);
    }
  };
  // Each chunk an `await import()` loads is an entry point too: index.mjs is the handler's.
  const entryOutput = Object.keys(outputs).find((path) => outputs[path]?.entryPoint === ROUTER_ENTRY);
  if (entryOutput) loadAtInit(entryOutput);
  const codeBytes = (init: boolean) =>
    Object.entries(outputs)
      .filter(([path]) => !path.endsWith('.map') && atInit.has(path) === init)
      .reduce((sum, [, output]) => sum + output.bytes, 0);
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
  const tablesBytes = stage(
    SHIPPED_TABLE_PATHS.map((path) => [join(repoRoot, path), join(assetDir, basename(path))]),
  );
  const onFirstUseBytes =
    codeBytes(false) +
    stage(
      [...PDFJS_FILES, ...ICONV_TABLE_FILES].map((file) => [
        join(repoRoot, 'node_modules', file),
        join(assetDir, 'node_modules', file),
      ]),
    );
  const configFile = join(assetDir, 'mailroute.config.json');
  writeFileSync(configFile, checkedRouterConfigJson(parseRouterConfig(BENCH_ROUTER_CONFIG)));

  const largestInputs = Object.entries(entryOutput ? (outputs[entryOutput]?.inputs ?? {}) : {})
    .map(([path, input]) => ({ path, bytes: input.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 12);

  const result: ColdStart = {
    bundleBytes: codeBytes(true),
    tablesBytes,
    onFirstUseBytes,
    importMs: [],
    firstMessageMs: [],
    forwarderImportMs: [],
    forwarderFirstMessageMs: [],
    importCpuMs: [],
    firstMessageCpuMs: [],
    forwarderImportCpuMs: [],
    forwarderFirstMessageCpuMs: [],
    forwarderBundleBytes: statSync(theirs).size,
    forwarderBundledImportMs: [],
    largestInputs,
  };
  const stub = await startAwsHttpStub(message, BENCH_LOOP_SECRET);
  const aws = {
    AWS_ENDPOINT_URL: stub.endpoint,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCHMARK',
    AWS_SECRET_ACCESS_KEY: 'bench-secret-key',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const mailroute: ColdRun = {
    specifier: pathToFileURL(ours).href,
    // As the router function runs it (infra/constructs/mailroute-function.ts).
    nodeOptions: [LAMBDA_NODE_OPTIONS],
    cwd: assetDir,
    env: {
      ...aws,
      LAMBDA_TASK_ROOT: assetDir,
      ROUTING_TABLE_NAME: 'mailroute-routing-log',
      MAIL_BUCKET_NAME: 'mailroute-inbound',
      MAILROUTE_LOOP_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:mailroute-loop-AbCdEf',
      MAILROUTE_RETENTION_DAYS: '365',
      BENCH_CONTENDER: 'mailroute',
      BENCH_EVENT: JSON.stringify(sqsEvent(message.length)),
    },
  };
  const forwarder: ColdRun = {
    specifier: 'aws-lambda-ses-forwarder',
    nodeOptions: [],
    cwd: repoRoot,
    env: {
      ...aws,
      BENCH_CONTENDER: 'forwarder',
      BENCH_EVENT: JSON.stringify(sesEvent()),
      BENCH_CONFIG: JSON.stringify(FORWARDER_CONFIG),
    },
  };
  try {
    // Alternated, so that a busy moment of the machine does not fall on one contender only.
    for (let run = 0; run < runs; run++) {
      const sentBefore = stub.sends();
      const ourRun = await coldRun(mailroute);
      const theirRun = await coldRun(forwarder);
      if (stub.sends() !== sentBefore + 2) throw new Error('a first message was not forwarded');
      result.importMs.push(ourRun.importMs);
      result.firstMessageMs.push(ourRun.totalMs);
      result.forwarderImportMs.push(theirRun.importMs);
      result.forwarderFirstMessageMs.push(theirRun.totalMs);
      result.importCpuMs.push(ourRun.importCpuMs);
      result.firstMessageCpuMs.push(ourRun.totalCpuMs);
      result.forwarderImportCpuMs.push(theirRun.importCpuMs);
      result.forwarderFirstMessageCpuMs.push(theirRun.totalCpuMs);
      const bundled = await coldRun({
        ...forwarder,
        specifier: pathToFileURL(theirs).href,
        importOnly: true,
      });
      result.forwarderBundledImportMs.push(bundled.importMs);
    }
  } finally {
    await stub.close();
  }
  return result;
}

/** Copies each [from, to], making folders, and returns the bytes copied. */
function stage(files: string[][]): number {
  let bytes = 0;
  for (const [from, to] of files) {
    mkdirSync(dirname(to!), { recursive: true });
    copyFileSync(from!, to!);
    bytes += statSync(to!).size;
  }
  return bytes;
}

interface ColdRun {
  specifier: string;
  nodeOptions: string[];
  cwd: string;
  env: Record<string, string>;
  /** Import only: the bundled forwarder, for reference. */
  importOnly?: boolean;
}

/**
 * In a fresh node process: milliseconds from the start of `import()` to its end, and to the end of the
 * first message (the handler's promise, or the forwarder's callback).
 */
const COLD_SCRIPT = `
const cpu = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1000; };
const start = performance.now();
const startCpu = cpu();
const module = await import(process.env.BENCH_IMPORT);
const imported = performance.now();
const importedCpu = cpu();
if (!process.env.BENCH_IMPORT_ONLY) {
  const event = JSON.parse(process.env.BENCH_EVENT);
  if (process.env.BENCH_CONTENDER === 'mailroute') {
    const result = await module.handler(event);
    if (result.batchItemFailures.length > 0) throw new Error('mailroute: the record failed');
  } else {
    const { handler } = module.default ?? module;
    const overrides = { config: JSON.parse(process.env.BENCH_CONFIG) };
    await new Promise((resolve, reject) => handler(event, {}, (error) => (error ? reject(error) : resolve()), overrides));
  }
}
const end = [performance.now() - start, cpu() - startCpu];
process.stderr.write('cold-ms ' + (imported - start) + ' ' + end[0] + ' ' + (importedCpu - startCpu) + ' ' + end[1] + '\\n');
process.exit(0);
`;

interface ColdTimes {
  importMs: number;
  totalMs: number;
  importCpuMs: number;
  totalCpuMs: number;
}

function coldRun(run: ColdRun): Promise<ColdTimes> {
  return new Promise((resolve, reject) => {
    // Not spawnSync: the AWS stub answers from this process's event loop.
    const child = spawn(process.execPath, [...run.nodeOptions, '--input-type=module', '-e', COLD_SCRIPT], {
      cwd: run.cwd,
      env: {
        PATH: process.env.PATH ?? '',
        ...run.env,
        BENCH_IMPORT: run.specifier,
        ...(run.importOnly ? { BENCH_IMPORT_ONLY: '1' } : {}),
      },
      // Both handlers log to stdout, as in Lambda; here it goes nowhere.
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', () => {
      const match = /cold-ms ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)/.exec(stderr);
      if (!match) reject(new Error(`cold start of ${run.specifier} failed: ${stderr.slice(0, 800)}`));
      else {
        const [importMs, totalMs, importCpuMs, totalCpuMs] = match.slice(1).map(Number) as [
          number,
          number,
          number,
          number,
        ];
        resolve({ importMs, totalMs, importCpuMs, totalCpuMs });
      }
    });
  });
}

export function summariseColdStart(cold: ColdStart) {
  return {
    bundleBytes: cold.bundleBytes,
    tablesBytes: cold.tablesBytes,
    onFirstUseBytes: cold.onFirstUseBytes,
    importMs: median(cold.importMs),
    firstMessageMs: median(cold.firstMessageMs),
    forwarderImportMs: median(cold.forwarderImportMs),
    forwarderFirstMessageMs: median(cold.forwarderFirstMessageMs),
    importCpuMs: median(cold.importCpuMs),
    firstMessageCpuMs: median(cold.firstMessageCpuMs),
    forwarderImportCpuMs: median(cold.forwarderImportCpuMs),
    forwarderFirstMessageCpuMs: median(cold.forwarderFirstMessageCpuMs),
    forwarderBundleBytes: cold.forwarderBundleBytes,
    forwarderBundledImportMs: median(cold.forwarderBundledImportMs),
  };
}
