// bench --> (run): `npm run bench [-- --json] [-- --only=2KB,30MB] [-- --quick] [-- --latency-only | --cold-only |
// --memory-only [--memory-runs=N]]` (`-- --help` says what each does).
// mailroute's Lambda handler against aws-lambda-ses-forwarder's, same messages, same stubbed AWS
// clients: CPU and memory with AWS answering at once, then wall time with AWS's latency modelled
// (bench/latency-model.ts); then the cold start of the built bundle. Progress on stderr, the table on stdout, and with --json the figures
// as one JSON object on the last line.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAMBDA_NODE_OPTIONS } from '../infra/bundling.js';
import { type ColdStart, measureColdStart, summariseColdStart } from './cold-start.js';
import { AWS_LATENCY, describeModel } from './latency-model.js';
import { SIZE_CLASSES, type SizeClass } from './messages.js';
import { median, quantile, round } from './stats.js';
import type { LatencyResult, RssResult, TimeResult } from './worker.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(REPO_ROOT, 'bench', '.out');
const MB = 1024 * 1024;
/** Fresh processes per contender and size that measure peak memory (the highest counts); small messages need one. */
const rssRuns = (bytes: number) => (bytes >= MB ? 3 : 1);
const IMPORT_RUNS = 7;
/** The first message of each cold start: the most common kind, a small plain-text letter. */
const COLD_START_MESSAGE = SIZE_CLASSES.find((size) => size.name === '2KB')!;
/** Timed invocations per contender with modelled latency: each waits on AWS for 0.2-2 s, and waits vary little. */
const latencyIterations = (size: SizeClass) => Math.max(5, Math.min(15, Math.ceil(size.iterations / 5)));

/** Wall ms per message (median) with AWS's latency modelled, and mailroute's over the forwarder's. */
interface LatencyFigures {
  mailroute_ms: number;
  forwarder_ms: number;
  ratio: number;
  mailroute_p90_ms: number;
  forwarder_p90_ms: number;
}

interface SizeFigures {
  message_mb: number;
  mailroute_ms: number;
  mailroute_p90_ms: number;
  forwarder_ms: number;
  forwarder_p90_ms: number;
  ratio: number;
  mailroute_rss_mb: number;
  forwarder_rss_mb: number;
  parse_ms: number;
  classify_ms: number;
  iterations: number;
  /** CPU ms per message (median), in total and inside each service's SDK calls. */
  mailroute_cpu_ms: Record<string, number>;
  forwarder_cpu_ms: Record<string, number>;
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
/** Only the wall times with modelled latency: no CPU, memory or cold start (for work on the latency path). */
const latencyOnly = args.includes('--latency-only');
/** Only the cold start: bundle, what ships beside it, import and import + first message (for work on cold start). */
const coldOnly = args.includes('--cold-only');
/** Only peak memory, in `--memory-runs` fresh processes per contender and size (for work on memory). */
const memoryOnly = args.includes('--memory-only');
const memoryRuns = Number(
  args.find((arg) => arg.startsWith('--memory-runs='))?.slice('--memory-runs='.length),
);
const only = args
  .find((arg) => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');

function progress(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

function runWorker<T>(workerArgs: string[]): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const child = fork(
      join(REPO_ROOT, 'bin/run-ts.js'),
      [join(REPO_ROOT, 'bench/worker.ts'), ...workerArgs],
      {
        cwd: REPO_ROOT,
        execArgv: ['--expose-gc'],
        // Both contenders log to stdout, as in Lambda; here it goes nowhere instead of into the table.
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      },
    );
    let result: T | undefined;
    child.on('message', (message) => {
      result = message as T;
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      result !== undefined ? resolvePromise(result) : reject(new Error(`worker exited with ${code}`)),
    );
  });
}

async function measureSize(size: SizeClass, file: string, bytes: number, index: number, total: number) {
  const iterations = quick ? Math.max(3, Math.ceil(size.iterations / 5)) : size.iterations;
  const label = `[${index + 1}/${total}] ${size.name} (${(bytes / MB).toFixed(2)} MB)`;
  progress(`${label}: timing, ${iterations} x 2 handler invocations, alternating`);
  const timing = await runWorker<TimeResult>(['time', file, String(iterations)]);
  progress(`${label}: peak memory, ${rssRuns(bytes)} fresh process(es) for each contender`);
  const memory = await measureMemory(file, rssRuns(bytes));
  const mailrouteMs = median(timing.mailroute);
  const forwarderMs = median(timing.forwarder);
  const figures: SizeFigures = {
    message_mb: round(bytes / MB, 3),
    mailroute_ms: round(mailrouteMs),
    mailroute_p90_ms: round(quantile(timing.mailroute, 0.9)),
    forwarder_ms: round(forwarderMs),
    forwarder_p90_ms: round(quantile(timing.forwarder, 0.9)),
    ratio: round(mailrouteMs / forwarderMs, 3),
    // The highest of the runs: memory must fit every message, not the typical one.
    mailroute_rss_mb: round(Math.max(...memory.mailroute), 1),
    forwarder_rss_mb: round(Math.max(...memory.forwarder), 1),
    parse_ms: round(median(timing.parse), 3),
    classify_ms: round(median(timing.classify), 3),
    iterations,
    mailroute_cpu_ms: roundAll(timing.cpu.mailroute),
    forwarder_cpu_ms: roundAll(timing.cpu.forwarder),
  };
  progress(
    `${label}: mailroute ${figures.mailroute_ms} ms, forwarder ${figures.forwarder_ms} ms, ratio ${figures.ratio}; ` +
      `peak RSS growth ${figures.mailroute_rss_mb} vs ${figures.forwarder_rss_mb} MB`,
  );
  return figures;
}

/** Peak RSS growth in MB of one invocation, in `runs` fresh processes for each contender. */
async function measureMemory(
  file: string,
  runs: number,
): Promise<{ mailroute: number[]; forwarder: number[] }> {
  const growth = { mailroute: [] as number[], forwarder: [] as number[] };
  for (let run = 0; run < runs; run++) {
    for (const who of ['mailroute', 'forwarder'] as const) {
      growth[who].push(
        ...(await runWorker<RssResult>(['rss', file, '1', who])).growth.map((bytes) => bytes / MB),
      );
    }
  }
  return growth;
}

/** `--memory-only`: peak RSS growth per size, median and highest of the runs, in MB and in times the message. */
async function memoryOnlyRun(selected: SizeClass[]): Promise<void> {
  const runs = Number.isInteger(memoryRuns) && memoryRuns > 0 ? memoryRuns : 5;
  const memory: Record<string, Record<string, number>> = {};
  const lines = [
    '| size | MB | mailroute peak RSS growth MB, median / highest (x size) | forwarder (x size) |',
    '| --- | ---: | ---: | ---: |',
  ];
  for (const size of selected) {
    const message = size.build();
    const file = join(OUT, 'messages', `${size.name}.eml`);
    writeFileSync(file, message);
    progress(`${size.name}: peak memory, ${runs} fresh processes for each contender, alternating`);
    const growth = await measureMemory(file, runs);
    const mb = message.length / MB;
    const figures = (values: number[]) => ({ median: median(values), highest: Math.max(...values) });
    const ours = figures(growth.mailroute);
    const theirs = figures(growth.forwarder);
    memory[size.name] = {
      message_mb: round(mb, 3),
      mailroute_rss_mb: round(ours.median, 1),
      mailroute_rss_highest_mb: round(ours.highest, 1),
      mailroute_x: round(ours.median / mb, 2),
      forwarder_rss_mb: round(theirs.median, 1),
      forwarder_x: round(theirs.median / mb, 2),
      runs,
    };
    const times = (value: number) => (mb >= 1 ? ` (${(value / mb).toFixed(2)}x)` : '');
    lines.push(
      `| ${size.name} | ${mb.toFixed(2)} | ${ours.median.toFixed(1)} / ${ours.highest.toFixed(1)}${times(ours.median)} | ` +
        `${theirs.median.toFixed(1)}${times(theirs.median)} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\nmachine: ${JSON.stringify(machine())}\n`);
  if (json)
    process.stdout.write(
      `${JSON.stringify({ memory, machine: machine(), date: new Date().toISOString() })}\n`,
    );
}

const USAGE = `npm run bench [-- OPTIONS]: mailroute's handler against aws-lambda-ses-forwarder's (README, Performance)
  --json               the figures as one JSON object on the last line
  --only=2KB,30MB      some size classes only
  --quick              fewer iterations
  --latency-only       only the wall times with AWS's latency modelled
  --cold-only          only the cold start (bundle, import, import + first message)
  --memory-only        only the peak RSS growth of one invocation, per contender and size
  --memory-runs=N      fresh processes per contender and size for --memory-only (default 5)
`;

async function measureLatency(size: SizeClass, file: string, index: number, total: number) {
  const iterations = quick ? 3 : latencyIterations(size);
  const label = `[${index + 1}/${total}] ${size.name}`;
  progress(`${label}: wall time with modelled AWS latency, ${iterations} x 2 invocations, alternating`);
  const timing = await runWorker<LatencyResult>(['latency', file, String(iterations)]);
  const mailrouteMs = median(timing.mailroute);
  const forwarderMs = median(timing.forwarder);
  const figures: LatencyFigures = {
    mailroute_ms: round(mailrouteMs, 1),
    forwarder_ms: round(forwarderMs, 1),
    ratio: round(mailrouteMs / forwarderMs, 3),
    mailroute_p90_ms: round(quantile(timing.mailroute, 0.9), 1),
    forwarder_p90_ms: round(quantile(timing.forwarder, 0.9), 1),
  };
  progress(
    `${label}: with latency mailroute ${figures.mailroute_ms} ms, forwarder ${figures.forwarder_ms} ms, ratio ${figures.ratio}`,
  );
  return figures;
}

function latencyTable(latency: Record<string, LatencyFigures>): string {
  return [
    '| size | mailroute wall ms with AWS latency (median / p90) | forwarder wall ms (median / p90) | ratio |',
    '| --- | ---: | ---: | ---: |',
    ...Object.entries(latency).map(
      ([name, figures]) =>
        `| ${name} | ${figures.mailroute_ms.toFixed(1)} / ${figures.mailroute_p90_ms.toFixed(1)} | ` +
        `${figures.forwarder_ms.toFixed(1)} / ${figures.forwarder_p90_ms.toFixed(1)} | ${figures.ratio.toFixed(2)} |`,
    ),
  ].join('\n');
}

function roundAll(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, round(value)]));
}

function pad(text: string | number, width: number): string {
  return String(text).padStart(width);
}

function table(sizes: Record<string, SizeFigures>, cold: ReturnType<typeof summariseColdStart>): string {
  const lines = [
    '| size | MB | mailroute ms (median / p90) | forwarder ms (median / p90) | ratio | mailroute peak RSS MB (x size) | forwarder peak RSS MB (x size) | parse ms | classify ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [name, figures] of Object.entries(sizes)) {
    const times = (mid: number, p90: number) => `${mid.toFixed(2)} / ${p90.toFixed(2)}`;
    const rss = (value: number) => `${value.toFixed(1)} (${(value / figures.message_mb).toFixed(1)}x)`;
    lines.push(
      `| ${name} | ${figures.message_mb.toFixed(2)} | ${times(figures.mailroute_ms, figures.mailroute_p90_ms)} | ` +
        `${times(figures.forwarder_ms, figures.forwarder_p90_ms)} | ${figures.ratio.toFixed(2)} | ` +
        `${rss(figures.mailroute_rss_mb)} | ${rss(figures.forwarder_rss_mb)} | ${figures.parse_ms.toFixed(2)} | ` +
        `${figures.classify_ms.toFixed(3)} |`,
    );
  }
  const cpu = (values: Record<string, number>) =>
    `${values.total?.toFixed(2)} (${Object.entries(values)
      .filter(([key]) => key !== 'total' && key !== 'calls')
      .map(([key, value]) => `${key} ${value.toFixed(2)}`)
      .join(', ')}; ${values.calls} calls)`;
  lines.push(
    '',
    '| size | mailroute CPU ms per message (inside SDK calls) | forwarder CPU ms per message (inside SDK calls) |',
    '| --- | --- | --- |',
    ...Object.entries(sizes).map(
      ([name, figures]) =>
        `| ${name} | ${cpu(figures.mailroute_cpu_ms)} | ${cpu(figures.forwarder_cpu_ms)} |`,
    ),
  );
  lines.push('', coldTable(cold));
  return lines.join('\n');
}

function coldTable(cold: ReturnType<typeof summariseColdStart>): string {
  const ratio = (ours: number, theirs: number) => (ours / theirs).toFixed(2);
  return [
    '| cold start | bundle bytes | beside it: read at init / on first use | import ms (median) | import + first 2 KB message ms (median) |',
    '| --- | ---: | ---: | ---: | ---: |',
    `| mailroute (built as by CDK, minified, run with ${LAMBDA_NODE_OPTIONS}) | ${pad(cold.bundleBytes, 9)} | ` +
      `${cold.tablesBytes} / ${cold.onFirstUseBytes} | ${cold.importMs.toFixed(1)} | ${cold.firstMessageMs.toFixed(1)} |`,
    `| forwarder (from node_modules, as published) | - | - | ${cold.forwarderImportMs.toFixed(1)} | ${cold.forwarderFirstMessageMs.toFixed(1)} |`,
    `| forwarder (bundled the same way) | ${pad(cold.forwarderBundleBytes, 9)} | - | ${cold.forwarderBundledImportMs.toFixed(1)} | - |`,
    `| ratio, mailroute / forwarder from node_modules | | | ${ratio(cold.importMs, cold.forwarderImportMs)} | ${ratio(cold.firstMessageMs, cold.forwarderFirstMessageMs)} |`,
    `| CPU ms of the process, mailroute / forwarder from node_modules | | | ${cold.importCpuMs.toFixed(1)} / ${cold.forwarderImportCpuMs.toFixed(1)} (${ratio(cold.importCpuMs, cold.forwarderImportCpuMs)}) | ${cold.firstMessageCpuMs.toFixed(1)} / ${cold.forwarderFirstMessageCpuMs.toFixed(1)} (${ratio(cold.firstMessageCpuMs, cold.forwarderFirstMessageCpuMs)}) |`,
  ].join('\n');
}

/** The cold start in the JSON: the figures as before, plus what ships beside the bundle and the first message. */
function coldFigures(cold: ReturnType<typeof summariseColdStart>) {
  return {
    bundle_bytes: cold.bundleBytes,
    beside_bundle_bytes: { read_at_init: cold.tablesBytes, read_on_first_use: cold.onFirstUseBytes },
    ...contest('import', cold.importMs, cold.forwarderImportMs),
    ...contest('first_message', cold.firstMessageMs, cold.forwarderFirstMessageMs),
    cpu: {
      ...contest('import', cold.importCpuMs, cold.forwarderImportCpuMs),
      ...contest('first_message', cold.firstMessageCpuMs, cold.forwarderFirstMessageCpuMs),
    },
    forwarder_bundle_bytes: cold.forwarderBundleBytes,
    forwarder_bundled_import_ms: round(cold.forwarderBundledImportMs, 1),
  };
}

/** `<name>_ms`, `forwarder_<name>_ms` and `<name>_ratio` (mailroute's over the forwarder's). */
function contest(name: string, ours: number, theirs: number): Record<string, number> {
  return {
    [`${name}_ms`]: round(ours, 1),
    [`forwarder_${name}_ms`]: round(theirs, 1),
    [`${name}_ratio`]: round(ours / theirs, 3),
  };
}

function machine() {
  return {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? 'unknown',
    memory_gb: round(totalmem() / 1024 ** 3, 1),
    free_gb: round(freemem() / 1024 ** 3, 1),
    load_average: loadavg().map((value) => round(value)),
    node: process.version,
  };
}

async function main(): Promise<void> {
  if (args.includes('--help')) {
    process.stdout.write(USAGE);
    return;
  }
  const started = Date.now();
  const selected = coldOnly ? [] : SIZE_CLASSES.filter((size) => !only || only.includes(size.name));
  mkdirSync(join(OUT, 'messages'), { recursive: true });
  if (memoryOnly) return memoryOnlyRun(selected);
  const sizes: Record<string, SizeFigures> = {};
  const latency: Record<string, LatencyFigures> = {};
  for (const [index, size] of selected.entries()) {
    const message = size.build();
    const file = join(OUT, 'messages', `${size.name}.eml`);
    writeFileSync(file, message);
    if (!latencyOnly)
      sizes[size.name] = await measureSize(size, file, message.length, index, selected.length);
    latency[size.name] = await measureLatency(size, file, index, selected.length);
  }
  if (latencyOnly) {
    process.stdout.write(`${latencyTable(latency)}\n\nmachine: ${JSON.stringify(machine())}\n`);
    if (json) {
      const figures = { latency, latency_model: describeModel(AWS_LATENCY), machine: machine() };
      process.stdout.write(`${JSON.stringify({ ...figures, date: new Date().toISOString() })}\n`);
    }
    return;
  }
  const runs = quick ? 3 : IMPORT_RUNS;
  progress(
    `cold start: building the Lambda bundle; ${runs} fresh processes each: import, and import + first message`,
  );
  const coldMessage = COLD_START_MESSAGE.build();
  const coldRaw: ColdStart = await measureColdStart(REPO_ROOT, join(OUT, 'bundle'), runs, coldMessage);
  const cold = summariseColdStart(coldRaw);
  progress(`done in ${Math.round((Date.now() - started) / 1000)} s`);
  if (coldOnly) {
    process.stdout.write(`${coldTable(cold)}\n\nmachine: ${JSON.stringify(machine())}\n`);
    if (json)
      process.stdout.write(
        `${JSON.stringify({ ...coldFigures(cold), machine: machine(), date: new Date().toISOString() })}\n`,
      );
    return;
  }

  process.stdout.write(`${table(sizes, cold)}\n\n${latencyTable(latency)}\n`);
  process.stdout.write(
    `\nmachine: ${JSON.stringify(machine())}\nlargest bundle inputs: ${coldRaw.largestInputs
      .slice(0, 6)
      .map((input) => `${input.path} ${Math.round(input.bytes / 1024)} KB`)
      .join(', ')}\n`,
  );
  if (json) {
    const figures = {
      sizes,
      ...coldFigures(cold),
      latency,
      latency_model: describeModel(AWS_LATENCY),
      machine: machine(),
      date: new Date().toISOString(),
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
  process.exit(1);
});
