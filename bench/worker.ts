// bench --> (worker): one size class in a fresh process, started by bench/run.ts with --expose-gc and
// an IPC channel. Timing alternates the two contenders on the same bytes, without and then with the
// modelled AWS latency; memory measures one of them alone, so neither inherits the other's heap. Results go back over IPC: stdout is the
// contenders' log output and goes nowhere, as in a benchmark of their real logging cost.
import { readFileSync, writeFileSync } from 'node:fs';
import { classify } from '../functions/core/classify/index.js';
import { parseMail } from '../functions/core/parse.js';
import { type Contender, FUNCTIONAL_ADDRESS, forwarder, mailroute } from './contenders.js';
import { AWS_LATENCY } from './latency-model.js';
import { SIZE_CLASSES } from './messages.js';
import { median } from './stats.js';

export interface TimeResult {
  kind: 'time';
  mailroute: number[];
  forwarder: number[];
  parse: number[];
  classify: number[];
  sesRequestBytes: { mailroute: number; forwarder: number };
  /** Median CPU ms per message for each contender: in total and inside each service's SDK calls. */
  cpu: { mailroute: CpuBreakdown; forwarder: CpuBreakdown };
}

export type CpuBreakdown = Record<string, number> & { total: number; calls: number };

/** Wall ms per message of each contender when every AWS call takes as long as the latency model says. */
export interface LatencyResult {
  kind: 'latency';
  mailroute: number[];
  forwarder: number[];
}

export interface RssResult {
  kind: 'rss';
  /** Peak RSS growth of the measured invocation, in bytes. */
  growth: number[];
}

const gc: () => void =
  (globalThis as { gc?: () => void }).gc ??
  (() => {
    throw new Error('run with --expose-gc');
  });

function peakRssBytes(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

/** Linux resets the peak-RSS mark on writing 5 to clear_refs: each run then has its own peak. */
function resetPeakRss(): void {
  writeFileSync('/proc/self/clear_refs', '5');
}

async function timed(run: () => Promise<unknown> | unknown): Promise<number> {
  gc();
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/** Warms both up, then times them alternately: who goes first alternates, so neither always runs on the other's garbage. */
async function alternate(
  ours: Contender,
  theirs: Contender,
  iterations: number,
  warmup: number,
): Promise<{ mailroute: number[]; forwarder: number[] }> {
  for (let index = 0; index < warmup; index++) {
    await ours.invoke();
    await theirs.invoke();
  }
  const samples = { mailroute: [] as number[], forwarder: [] as number[] };
  for (let index = 0; index < iterations; index++) {
    const order: [Contender, number[]][] =
      index % 2 === 0
        ? [
            [ours, samples.mailroute],
            [theirs, samples.forwarder],
          ]
        : [
            [theirs, samples.forwarder],
            [ours, samples.mailroute],
          ];
    for (const [contender, times] of order) times.push(await timed(contender.invoke));
  }
  return samples;
}

async function time(message: Buffer, iterations: number): Promise<TimeResult> {
  const ours = mailroute(message);
  const theirs = forwarder(message);
  const result: TimeResult = {
    kind: 'time',
    ...(await alternate(ours, theirs, iterations, Math.min(5, iterations))),
    parse: [],
    classify: [],
    sesRequestBytes: { mailroute: 0, forwarder: 0 },
    cpu: { mailroute: { total: 0, calls: 0 }, forwarder: { total: 0, calls: 0 } },
  };
  for (let index = 0; index < iterations; index++) result.parse.push(await timed(() => parseMail(message)));
  const mail = await parseMail(message);
  const context = { functionalAddress: FUNCTIONAL_ADDRESS };
  for (let index = 0; index < Math.max(iterations, 50); index++) {
    result.classify.push(await timed(() => classify(mail, context)));
  }
  result.sesRequestBytes = { mailroute: ours.sent.lastRequestBytes, forwarder: theirs.sent.lastRequestBytes };
  const breakdownRuns = Math.min(iterations, 30);
  result.cpu = {
    mailroute: await cpuBreakdown(ours, breakdownRuns),
    forwarder: await cpuBreakdown(theirs, breakdownRuns),
  };
  return result;
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

/**
 * CPU time per message, and the part of it spent inside each SDK client's `send` (middleware,
 * signing, serialisation, response parsing), measured apart from the timed runs since measuring
 * costs a little itself. CPU time counts the work of this process only, so it is steadier than
 * wall time on a busy machine; it includes the garbage collector's threads.
 */
async function cpuBreakdown(contender: Contender, runs: number): Promise<CpuBreakdown> {
  const spent: Record<string, number> = {};
  let calls = 0;
  for (const [service, client] of Object.entries(contender.clients)) {
    const send = client.send.bind(client);
    client.send = (...args: never[]) => {
      const start = process.cpuUsage();
      const account = () => {
        spent[service] = (spent[service] ?? 0) + cpuMs(start);
      };
      calls++;
      // The forwarder passes a callback (SDK v2 style), mailroute awaits the promise.
      const callback = args.at(-1) as unknown;
      if (typeof callback === 'function') {
        const wrapped = (...results: unknown[]) => {
          account();
          return callback(...results);
        };
        return send(...([...args.slice(0, -1), wrapped] as never[]));
      }
      return send(...args).finally(account);
    };
  }
  const samples: Record<string, number>[] = [];
  for (let run = 0; run < runs; run++) {
    for (const service of Object.keys(spent)) spent[service] = 0;
    calls = 0;
    // No forced GC here: back to back, as a warm Lambda runs, each message pays its share of GC.
    const start = process.cpuUsage();
    await contender.invoke();
    samples.push({ total: cpuMs(start), calls, ...spent });
  }
  const keys = Object.keys(samples[0] ?? {});
  return Object.fromEntries(
    keys.map((key) => [key, median(samples.map((sample) => sample[key] ?? 0))]),
  ) as CpuBreakdown;
}

/** Wall time per message with AWS's latency modelled (bench/latency-model.ts), the same for both. */
async function latency(message: Buffer, iterations: number): Promise<LatencyResult> {
  const ours = mailroute(message, AWS_LATENCY);
  const theirs = forwarder(message, AWS_LATENCY);
  return { kind: 'latency', ...(await alternate(ours, theirs, iterations, 2)) };
}

/**
 * Peak RSS growth of one invocation in this fresh process. Warm-up invocations go first, on a
 * contender of their own, so that what the handler loads lazily (pdf.js for the first PDF, say) counts
 * as cold start, not per message. Messages from 1 MB warm up with a small one: a first run of the same
 * size would leave its memory to the allocator, and the measured run would reuse it unseen.
 */
async function rss(message: Buffer, who: string): Promise<RssResult> {
  const build = who === 'forwarder' ? forwarder : mailroute;
  const warmMessage = message.length < 1024 * 1024 ? message : (SIZE_CLASSES[0]?.build() ?? message);
  const warm = build(warmMessage);
  for (let index = 0; index < 3; index++) await warm.invoke();
  const measured = build(message);
  gc();
  resetPeakRss();
  const before = process.memoryUsage.rss();
  await measured.invoke();
  return { kind: 'rss', growth: [peakRssBytes() - before] };
}

async function main(): Promise<void> {
  const [mode, file, iterationsText, who] = process.argv.slice(2);
  if (!file || !process.send)
    throw new Error('usage: worker.ts time|latency|rss FILE ITERATIONS [mailroute|forwarder]');
  const message = readFileSync(file);
  const iterations = Number(iterationsText ?? '5');
  const result =
    mode === 'time'
      ? await time(message, iterations)
      : mode === 'latency'
        ? await latency(message, iterations)
        : await rss(message, who ?? 'mailroute');
  process.send(result, () => process.exit(0));
}

main().catch((error: unknown) => {
  process.stderr.write(`worker failed: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
  process.exit(1);
});
