// local stack --> SMTP in (smtp-server), DynamoDB (dynalite), SES out (the SES stand-in: sent folder,
// Send events, and aws-ses-v2-local's web inbox), all in this process, wired to the same handler and
// confirm code that run in Lambda. Like SES receiving, SMTP answers 250 once the message is stored and
// routing goes on asynchronously; at start, what a stopped or killed stack left unfinished is finished.
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { type AddressInfo, connect, createServer } from 'node:net';
import type { SMTPServer, SMTPServerAddress, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { findFunctionalAddress, type RouterConfig } from '../config/schema.js';
import type { ReconcileReport } from '../reconcile/reconcile.js';
import { redact } from '../route-mail/pipeline.js';
import { type RunningDynalite, startDynalite } from './dynalite-server.js';
import { type Accepted, createLocalRouter, type IngestOutcome, type LocalRouter } from './local-router.js';
import {
  LOCAL_VERDICTS_ENV,
  type LocalVerdictRule,
  localVerdictsFor,
  parseLocalVerdicts,
} from './local-verdicts.js';
import { type SesStandIn, startSesStandIn } from './ses-stand-in.js';
import { dataPaths, localLoopSecret } from './settings.js';

/** SES accepts 40 MB inbound through the S3 action. */
export const MAX_MESSAGE_BYTES = 40 * 1024 * 1024;

/** Messages routed at once after SMTP accepted them (the local stand-in for Lambda's concurrency). */
const ROUTING_CONCURRENCY = 4;

export interface StackOptions {
  config: RouterConfig;
  dataDir: string;
  host: string;
  /** 0 picks a free port. */
  smtpPort: number;
  dynamoPort: number;
  /**
   * Where a copy of each forward goes for people to look at: an SES API endpoint already running
   * (tests), or a port for aws-ses-v2-local's web inbox. The record of each send is the sent folder.
   */
  ses: { endpoint: string } | { port: number };
  /** Keep the routing table in `dataDir` (default) or in memory. */
  persist?: boolean;
  /** Called once per message that arrived over SMTP, after it was routed (or failed). */
  onMessage?: (outcome: IngestOutcome, recipients: string[]) => void;
  /**
   * Wraps the router's adapters before the stack takes any mail (tests inject faults and crashes at
   * the pipeline's step boundaries this way, as test/helpers/pipeline-rig.ts does for the pipeline).
   */
  adapt?: (router: LocalRouter) => void;
  /** Called once at start with what was found unfinished from the last run, and finished. */
  onRecovered?: (report: ReconcileReport & { confirmedSends: number }) => void;
  /**
   * What SES's SPF, DKIM and DMARC verdicts would be for mail over SMTP (functions/local/local-verdicts.ts).
   * @default the MAILROUTE_LOCAL_VERDICTS environment variable: PASS on loopback, GRAY elsewhere
   */
  localVerdicts?: string;
}

export interface RunningStack {
  smtp: { host: string; port: number };
  dynamodb: { endpoint: string };
  /** The SES API endpoint forwards go to (the SES stand-in). */
  ses: { endpoint: string };
  /** One raw file per send: `<data dir>/sent/`. */
  sentDir: string;
  /** The web inbox of aws-ses-v2-local, when this stack started it. */
  inbox: string | undefined;
  router: LocalRouter;
  /** Resolves once every accepted message has been routed and every Send event delivered. */
  idle(): Promise<void>;
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
  // Checked before anything starts, so a mistyped value stops the stack with a message that names it.
  const verdictRule = parseLocalVerdicts(options.localVerdicts ?? process.env[LOCAL_VERDICTS_ENV]);
  try {
    const dynalite: RunningDynalite = await startDynalite({
      path: options.persist === false ? undefined : dataPaths(options.dataDir).dynamodb,
      host: options.host,
      port: options.dynamoPort,
    });
    closers.push(() => dynalite.close());

    let mirrorEndpoint: string;
    let inbox: string | undefined;
    if ('endpoint' in options.ses) {
      mirrorEndpoint = options.ses.endpoint;
    } else {
      const ses = await startSesInbox(options.host, options.ses.port);
      closers.push(() => closeHttp(ses));
      const { port } = ses.address() as AddressInfo;
      mirrorEndpoint = `http://${options.host}:${port}`;
      inbox = `${mirrorEndpoint}/`;
    }

    let router: LocalRouter | undefined;
    const standIn: SesStandIn = await startSesStandIn({
      dataDir: options.dataDir,
      host: options.host,
      confirm: async (event) => {
        if (!router) throw new Error('the router is not running yet');
        return router.confirm(event);
      },
      mirrorEndpoint,
    });
    closers.push(() => standIn.close());

    router = await createLocalRouter({
      config: options.config,
      dataDir: options.dataDir,
      dynamoEndpoint: dynalite.endpoint,
      sesEndpoint: standIn.endpoint,
      loopSecret: await localLoopSecret(options.dataDir),
      configurationSetName: 'mailroute-local',
    });
    const running = router;
    closers.push(() => running.close());
    options.adapt?.(router);

    // Before any mail is taken: nothing can be in flight, so `sending` without a Send event was not sent.
    const confirmedSends = await standIn.deliverPending();
    const recovered = await router.finishUnfinished();
    options.onRecovered?.({ ...recovered, confirmedSends });

    const queue = new RoutingQueue(router, options.onMessage);
    closers.push(async () => {
      await queue.idle();
      await standIn.idle();
    });
    const smtp = await startSmtp(options, router, queue, verdictRule);
    closers.push(() => new Promise<void>((resolve) => smtp.server.close(() => resolve())));

    return {
      smtp: { host: options.host, port: smtp.port },
      dynamodb: { endpoint: dynalite.endpoint },
      ses: { endpoint: standIn.endpoint },
      sentDir: standIn.sentDir,
      inbox,
      router,
      idle: async () => {
        await queue.idle();
        await standIn.idle();
      },
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

/**
 * Accepted messages waiting to be routed, a few at a time: the local stand-in for SQS and Lambda.
 * A message still here when the process dies is stored, and routed at the next start.
 */
class RoutingQueue {
  private readonly waiting: { accepted: Accepted; recipients: string[] }[] = [];
  private running = 0;
  private drained: (() => void)[] = [];

  constructor(
    private readonly router: LocalRouter,
    private readonly onMessage: StackOptions['onMessage'],
  ) {}

  add(accepted: Accepted, recipients: string[]): void {
    this.waiting.push({ accepted, recipients });
    this.next();
  }

  idle(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  private next(): void {
    while (this.running < ROUTING_CONCURRENCY && this.waiting.length > 0) {
      const job = this.waiting.shift() as { accepted: Accepted; recipients: string[] };
      this.running += 1;
      void this.router
        .route(job.accepted)
        .then((outcome) => this.onMessage?.(outcome, job.recipients))
        .catch((error: unknown) => console.error(`routing: ${redact((error as Error).message)}`))
        .finally(() => {
          this.running -= 1;
          this.next();
          if (this.running === 0 && this.waiting.length === 0) {
            for (const resolve of this.drained.splice(0)) resolve();
          }
        });
    }
  }
}

async function startSmtp(
  options: StackOptions,
  router: LocalRouter,
  queue: RoutingQueue,
  verdictRule: LocalVerdictRule,
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
      receive(stream, session, router, queue, verdictRule).then(
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
  router: LocalRouter,
  queue: RoutingQueue,
  verdictRule: LocalVerdictRule,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  if (stream.sizeExceeded) {
    throw smtpError(552, `5.3.4 message larger than ${MAX_MESSAGE_BYTES} bytes`);
  }
  const recipients = session.envelope.rcptTo.map((rcpt) => rcpt.address);
  const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  let accepted: Accepted;
  try {
    accepted = await router.accept({
      raw: Buffer.concat(chunks),
      recipients,
      envelopeFrom,
      verdicts: localVerdictsFor(verdictRule, session.remoteAddress),
    });
  } catch (error) {
    // Not stored: make the sender keep it and retry, as a mail server would. The reason stays in
    // this process's log: a file system error names server paths.
    console.error(`smtp: could not store a message: ${redact((error as Error).message)}`);
    throw smtpError(451, '4.3.0 could not store the message, try again later');
  }
  // Stored means accepted, as with SES: the 250 goes now, routing follows (a failure is logged and
  // the message stays in the store, routed again at the next start or by `mailroute reconcile`).
  queue.add(accepted, recipients);
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
