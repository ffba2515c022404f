// local stack --> SMTP in (smtp-server), DynamoDB (dynalite), SES out (aws-ses-v2-local), all in this
// process, wired to the same handler code that runs in Lambda.
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { type AddressInfo, connect, createServer } from 'node:net';
import type { SMTPServer, SMTPServerAddress, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { findFunctionalAddress, type RouterConfig } from '../config/schema.js';
import { type RunningDynalite, startDynalite } from './dynalite-server.js';
import { createLocalRouter, type IngestOutcome, type LocalRouter } from './local-router.js';
import { dataPaths, localLoopSecret } from './settings.js';

/** SES accepts 40 MB inbound through the S3 action. */
export const MAX_MESSAGE_BYTES = 40 * 1024 * 1024;

export interface StackOptions {
  config: RouterConfig;
  dataDir: string;
  host: string;
  /** 0 picks a free port. */
  smtpPort: number;
  dynamoPort: number;
  /** Where forwards go: an SES API endpoint already running (tests), or a port for aws-ses-v2-local. */
  ses: { endpoint: string } | { port: number };
  /** Keep the routing table in `dataDir` (default) or in memory. */
  persist?: boolean;
  /** Called once per message that arrived over SMTP, after it was routed (or failed). */
  onMessage?: (outcome: IngestOutcome, recipients: string[]) => void;
}

export interface RunningStack {
  smtp: { host: string; port: number };
  dynamodb: { endpoint: string };
  /** The SES API endpoint forwards go to. */
  ses: { endpoint: string };
  /** The web inbox of aws-ses-v2-local, when this stack started it. */
  inbox: string | undefined;
  router: LocalRouter;
  close(): Promise<void>;
}

/** What a second `mailroute` process needs to reach a running stack. */
export interface StackInfo {
  pid: number;
  startedAt: string;
  smtp: { host: string; port: number };
  dynamodb: { endpoint: string };
  ses: { endpoint: string };
  inbox: string | undefined;
}

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const closers: (() => Promise<void> | void)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close();
  };
  try {
    const dynalite: RunningDynalite = await startDynalite({
      path: options.persist === false ? undefined : dataPaths(options.dataDir).dynamodb,
      host: options.host,
      port: options.dynamoPort,
    });
    closers.push(() => dynalite.close());

    let sesEndpoint: string;
    let inbox: string | undefined;
    if ('endpoint' in options.ses) {
      sesEndpoint = options.ses.endpoint;
    } else {
      const ses = await startSesInbox(options.host, options.ses.port);
      closers.push(() => closeHttp(ses));
      const { port } = ses.address() as AddressInfo;
      sesEndpoint = `http://${options.host}:${port}`;
      inbox = `${sesEndpoint}/`;
    }

    const router = await createLocalRouter({
      config: options.config,
      dataDir: options.dataDir,
      dynamoEndpoint: dynalite.endpoint,
      sesEndpoint,
      loopSecret: await localLoopSecret(options.dataDir),
    });
    closers.push(() => router.close());

    const smtp = await startSmtp(options, router);
    closers.push(() => new Promise<void>((resolve) => smtp.server.close(() => resolve())));

    return {
      smtp: { host: options.host, port: smtp.port },
      dynamodb: { endpoint: dynalite.endpoint },
      ses: { endpoint: sesEndpoint },
      inbox,
      router,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

type StartSesLocal = (config: { host: string; port: number }) => Promise<Server>;

/** aws-ses-v2-local is CommonJS with an `exports.default`: tsx and vitest hand it over differently. */
async function startSesInbox(host: string, port: number): Promise<Server> {
  const imported = (await import('aws-ses-v2-local')) as unknown as {
    default: StartSesLocal | { default: StartSesLocal };
  };
  const start = typeof imported.default === 'function' ? imported.default : imported.default.default;
  // It resolves even when listen fails, and the error is gone by then: find a busy port first.
  if (port !== 0) await ensurePortFree(host, port);
  const server = await start({ host, port });
  if (!server.listening) {
    server.close();
    throw Object.assign(new Error(`aws-ses-v2-local could not listen on ${host}:${port}`), {
      code: 'EADDRINUSE',
      port,
    });
  }
  return server;
}

function ensurePortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

async function startSmtp(
  options: StackOptions,
  router: LocalRouter,
): Promise<{ server: SMTPServer; port: number }> {
  const { SMTPServer } = await import('smtp-server');
  const server = new SMTPServer({
    name: 'mailroute.local',
    banner: 'mailroute local stack (stands in for SES inbound)',
    // The bundled self-signed certificate has expired; loopback needs no TLS.
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    size: MAX_MESSAGE_BYTES,
    logger: false,
    // A reverse DNS lookup per connection costs a fraction of a second and tells nothing on loopback.
    disableReverseLookup: true,
    // Ctrl-C should not wait half a minute for an idle client to hang up.
    closeTimeout: 2000,
    onRcptTo(
      address: SMTPServerAddress,
      _session: SMTPServerSession,
      callback: (error?: Error | null) => void,
    ) {
      // Like SES receipt rules: only the configured functional addresses exist; never a relay.
      if (findFunctionalAddress(options.config, address.address)) return callback();
      callback(smtpError(550, `5.1.1 <${address.address}>: no such functional address here`));
    },
    onData(
      stream: SMTPServerDataStream,
      session: SMTPServerSession,
      callback: (error?: Error | null) => void,
    ) {
      receive(stream, session, options, router).then(
        () => callback(),
        (error: Error & { responseCode?: number }) => callback(error),
      );
    },
  });
  // smtp-server re-emits socket errors on itself; unheard, one would end the process.
  let starting: ((error: Error) => void) | undefined;
  server.on('error', (error: Error) => {
    if (starting) starting(error);
    else console.error(`smtp: ${error.message}`);
  });
  await new Promise<void>((resolve, reject) => {
    starting = reject;
    server.listen(options.smtpPort, options.host, () => {
      starting = undefined;
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;
  return { server, port };
}

async function receive(
  stream: SMTPServerDataStream,
  session: SMTPServerSession,
  options: StackOptions,
  router: LocalRouter,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  if (stream.sizeExceeded) {
    throw smtpError(552, `5.3.4 message larger than ${MAX_MESSAGE_BYTES} bytes`);
  }
  const recipients = session.envelope.rcptTo.map((rcpt) => rcpt.address);
  const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  let outcome: IngestOutcome;
  try {
    outcome = await router.ingest({ raw: Buffer.concat(chunks), recipients, envelopeFrom });
  } catch (error) {
    // Not stored: make the sender keep it and retry, as a mail server would.
    throw smtpError(451, `4.3.0 could not store the message: ${(error as Error).message}`);
  }
  // Stored means accepted, as with SES: a routing failure is logged and the message stays in the store.
  options.onMessage?.(outcome, recipients);
}

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

function closeHttp(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function writeStackInfo(dataDir: string, stack: RunningStack): Promise<void> {
  const info: StackInfo = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    smtp: stack.smtp,
    dynamodb: stack.dynamodb,
    ses: stack.ses,
    inbox: stack.inbox,
  };
  await writeFile(dataPaths(dataDir).stackInfo, `${JSON.stringify(info, null, 2)}\n`);
}

export async function removeStackInfo(dataDir: string): Promise<void> {
  await rm(dataPaths(dataDir).stackInfo, { force: true });
}

/** The stack `mailroute serve` runs on this data folder, if its process is still alive. */
export async function findRunningStack(dataDir: string): Promise<StackInfo | undefined> {
  let info: StackInfo;
  try {
    info = JSON.parse(await readFile(dataPaths(dataDir).stackInfo, 'utf8')) as StackInfo;
  } catch {
    return undefined;
  }
  try {
    process.kill(info.pid, 0);
  } catch (error) {
    // EPERM: alive but another user's; ESRCH: a stale file from a stack that was killed.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  // A live pid may have been reused by an unrelated process: the stack must also answer.
  return (await answers(info.dynamodb.endpoint)) ? info : undefined;
}

function answers(endpoint: string): Promise<boolean> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
