// operator check (issue #11, "Done when"): `npm start` killed with SIGKILL while 60 messages arrive over
// 10 SMTP connections; started again; senders retry what was not answered 250; `mailroute reconcile
// --grace-minutes 0`; then five identical copies at once. Prints what it counted, as JSON on the last line.
//
//   node bin/run-ts.js scripts/crash-run.ts [--messages 60] [--connections 10] [--kill-after 25] [--keep]
//
// Messages are the project's labelled examples (test/fixtures/classify), each made unique by a
// Message-ID of this run. Everything runs on free loopback ports in a fresh data folder.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';
import { localMessageId } from '../functions/local/local-router.js';
import type { StackInfo } from '../functions/local/stack.js';
import type { RoutingRecord } from '../functions/route-mail/ports.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '60' },
    connections: { type: 'string', default: '10' },
    'kill-after': { type: 'string', default: '25' },
    keep: { type: 'boolean', default: false },
  },
});
const MESSAGES = Number(values.messages);
const CONNECTIONS = Number(values.connections);
const KILL_AFTER = Number(values['kill-after']);
const FUNCTIONAL_ADDRESS = 'EUinternational@stockholm.se';

const dataDir = await mkdtemp(join(tmpdir(), 'mailroute-crash-run-'));
const env = {
  ...process.env,
  MAILROUTE_DATA_DIR: dataDir,
  MAILROUTE_SMTP_PORT: '0',
  MAILROUTE_SES_PORT: '0',
  MAILROUTE_DYNAMODB_PORT: '0',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

function log(line: string): void {
  console.error(`[crash-run] ${line}`);
}

/** `npm start` in its own process group, so SIGKILL reaches npm, the shell and node alike. */
async function startServe(): Promise<{ child: ChildProcess; stdout: string[]; info: StackInfo }> {
  const child = spawn('npm', ['start', '--silent'], {
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) =>
    stdout.push(...chunk.toString('utf8').split('\n').filter(Boolean)),
  );
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const started = Date.now();
  while (!stdout.some((line) => line.includes('mailroute local stack is running'))) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
    if (Date.now() - started > 60_000) throw new Error('npm start did not come up in 60 s');
    await sleep(100);
  }
  const info = JSON.parse(await readFile(join(dataDir, 'stack.json'), 'utf8')) as StackInfo;
  return { child, stdout, info };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid) process.kill(-child.pid, signal);
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

async function corpus(): Promise<Buffer[]> {
  const dir = 'test/fixtures/classify';
  const names = (await readdir(dir)).filter((name) => name.endsWith('.eml')).sort();
  const messages: Buffer[] = [];
  for (let index = 0; index < MESSAGES; index += 1) {
    const raw = await readFile(join(dir, names[index % names.length] ?? ''));
    // A Message-ID of this run: every message is new to the router, whatever ran before.
    messages.push(Buffer.concat([Buffer.from(`X-Crash-Run: ${randomUUID()}\r\n`), raw]));
  }
  return messages;
}

/**
 * Sends the messages over `connections` SMTP connections at once (each its share in turn); resolves to
 * the ones not answered 250. `onAnswered` sees each 250 as it comes.
 */
async function sendAll(
  port: number,
  messages: Buffer[],
  onAnswered: (count: number) => void = () => undefined,
) {
  const queues: Buffer[][] = Array.from({ length: CONNECTIONS }, () => []);
  for (const [index, raw] of messages.entries()) queues[index % CONNECTIONS]?.push(raw);
  const unanswered: Buffer[] = [];
  let answered = 0;
  await Promise.all(
    queues.map(async (queue) => {
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port,
        secure: false,
        ignoreTLS: true,
        pool: true,
        maxConnections: 1,
        maxMessages: Number.POSITIVE_INFINITY,
      });
      for (const raw of queue) {
        try {
          const info = await transport.sendMail({
            envelope: { from: 'sender@example.org', to: [FUNCTIONAL_ADDRESS] },
            raw,
          });
          if (!info.response.startsWith('250')) throw new Error(info.response);
          answered += 1;
          onAnswered(answered);
        } catch {
          unanswered.push(raw);
        }
      }
      transport.close();
    }),
  );
  return unanswered;
}

function mailroute(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['bin/mailroute.js', ...args],
      { env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout) => (error && error.code !== 1 ? reject(error) : resolve(stdout)),
    );
  });
}

async function records(): Promise<RoutingRecord[]> {
  return (await mailroute(['log', '--json']))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RoutingRecord);
}

/** The forwards under sent/: acknowledgements to the senders (issue #14) are not counted here. */
async function sentFiles(): Promise<Buffer[]> {
  const dir = join(dataDir, 'sent');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith('.eml'));
  const files = await Promise.all(names.map((name) => readFile(join(dir, name))));
  return files.filter((file) => !file.includes('X-Mailroute-Acknowledgement:'));
}

/** Waits until no record is `claimed` or `sending` (routing runs after the 250), at most `ms`. */
async function settled(ids: string[], ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const open = (await records()).filter(
      (record) => ids.includes(record.id) && (record.status === 'claimed' || record.status === 'sending'),
    );
    const known = new Set((await records()).map((record) => record.id));
    if (open.length === 0 && ids.every((id) => known.has(id))) return;
    await sleep(500);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const messages = await corpus();
const ids = messages.map((raw) => localMessageId(raw));
log(
  `data folder ${dataDir}; ${MESSAGES} messages over ${CONNECTIONS} connections; SIGKILL after ${KILL_AFTER} answers`,
);

// 1. Run until killed.
const first = await startServe();
let killedAt = 0;
const firstStarted = Date.now();
const unanswered = await sendAll(first.info.smtp.port, messages, (count) => {
  if (count === KILL_AFTER && killedAt === 0) {
    killedAt = Date.now() - firstStarted;
    killGroup(first.child, 'SIGKILL');
  }
});
await exited(first.child);
const sentBeforeRestart = (await sentFiles()).length;
log(
  `killed ${killedAt} ms in; ${MESSAGES - unanswered.length} answered 250, ${unanswered.length} not; ${sentBeforeRestart} forwards sent`,
);

// 2. Start again (it finishes what the kill left), let senders retry what was not answered 250.
const second = await startServe();
const recoveredLine = second.stdout.find((line) => line.includes('finished what the last run left')) ?? '';
const stillUnanswered = await sendAll(second.info.smtp.port, unanswered);
await settled(ids, 60_000);

// 3. Reconcile with no grace period.
const reconcileOut = await mailroute(['reconcile', '--json', '--grace-minutes', '0']);
const reconcileReport = JSON.parse(reconcileOut.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;

// 4. Five identical copies at once.
const copy = Buffer.concat([Buffer.from(`X-Crash-Run: ${randomUUID()}\r\n`), messages[0] ?? Buffer.alloc(0)]);
const copyId = localMessageId(copy);
const savedConnections = CONNECTIONS;
const copyReplies = await Promise.all(
  Array.from({ length: 5 }, () => sendAll(second.info.smtp.port, [copy]).then((left) => left.length === 0)),
);
await settled([copyId], 30_000);

// 5. Count.
const all = await records();
const files = await sentFiles();
const mine = all.filter((record) => ids.includes(record.id));
const byStatus: Record<string, number> = {};
for (const record of mine) byStatus[record.status] = (byStatus[record.status] ?? 0) + 1;
const forwarded = mine.filter((record) => record.status === 'forwarded');
const sendsPerForward = forwarded.map(
  (record) => files.filter((file) => file.includes(`X-Mailroute-Id: ${record.id}`)).length,
);
const unforwardedSent = mine
  .filter((record) => record.status !== 'forwarded')
  .filter((record) => files.some((file) => file.includes(`X-Mailroute-Id: ${record.id}`))).length;
const copyRecord = all.find((record) => record.id === copyId);
const result = {
  messages: MESSAGES,
  connections: savedConnections,
  killedAfterMs: killedAt,
  answered250BeforeKill: MESSAGES - unanswered.length,
  notAnsweredBeforeKill: unanswered.length,
  forwardsSentBeforeRestart: sentBeforeRestart,
  restart: recoveredLine.replace(/^\S+\s+/, ''),
  notAnsweredAfterRetry: stillUnanswered.length,
  reconcile: reconcileReport,
  records: mine.length,
  recordsPerMessage: ids.every((id) => mine.filter((record) => record.id === id).length === 1) ? 1 : 'not 1',
  byStatus,
  forwardedSentExactlyOnce: sendsPerForward.filter((count) => count === 1).length,
  forwardedSentTwice: sendsPerForward.filter((count) => count > 1).length,
  forwardedNeverSent: sendsPerForward.filter((count) => count === 0).length,
  notForwardedButSent: unforwardedSent,
  leftClaimedOrSending: mine.filter((record) => record.status === 'claimed' || record.status === 'sending')
    .length,
  fiveCopies: {
    answered250: copyReplies.filter(Boolean).length,
    status: copyRecord?.status,
    sent: files.filter((file) => file.includes(`X-Mailroute-Id: ${copyId}`)).length,
  },
  sentFiles: files.length,
};

killGroup(second.child, 'SIGTERM');
await exited(second.child);
if (!values.keep) await rm(dataDir, { recursive: true, force: true });
else log(`kept ${dataDir}`);
console.log(JSON.stringify(result));
const ok =
  result.notAnsweredAfterRetry === 0 &&
  result.recordsPerMessage === 1 &&
  result.forwardedSentTwice === 0 &&
  result.forwardedNeverSent === 0 &&
  result.notForwardedButSent === 0 &&
  result.leftClaimedOrSending === 0 &&
  result.fiveCopies.answered250 === 5 &&
  result.fiveCopies.sent === 1;
process.exitCode = ok ? 0 : 1;
