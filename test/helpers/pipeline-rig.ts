// Test helper: the pipeline on real local stand-ins (dynalite, the SES capture server, a folder store in
// a temp dir), with decorators that inject faults into any adapter, and a logger that keeps its lines.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { createRoutingTable, DynamoDbRoutingLog } from '../../functions/adapters/dynamodb-routing-log.js';
import { FolderMailStore } from '../../functions/adapters/folder-mail-store.js';
import { SesMailSender } from '../../functions/adapters/ses-mail-sender.js';
import { DEFAULT_ROUTER_CONFIG, type RouterConfig } from '../../functions/config/schema.js';
import { localDynamoClient, localSesClient } from '../../functions/local/aws-clients.js';
import { type RunningDynalite, startDynalite } from '../../functions/local/dynalite-server.js';
import { localMessageId, sesNotification, sqsEvent } from '../../functions/local/local-router.js';
import { type SesCaptureServer, startSesCaptureServer } from '../../functions/local/ses-capture-server.js';
import type { OperatorBackend } from '../../functions/operate/backend.js';
import { localBackend } from '../../functions/operate/local-backend.js';
import { createHandler } from '../../functions/route-mail/handler.js';
import type { PipelineDeps, PipelineLogger } from '../../functions/route-mail/pipeline.js';
import type { MailLocation, MailSender, MailStore, RoutingLog } from '../../functions/route-mail/ports.js';
import type { SesNotification } from '../../functions/route-mail/ses-notification.js';

export const LOOP_SECRET = 'test-loop-secret-0123456789abcdef';

export interface LoggedLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  attributes: Record<string, unknown>;
}

export class RecordingLogger implements PipelineLogger {
  readonly lines: LoggedLine[] = [];
  info(message: string, attributes: Record<string, unknown> = {}): void {
    this.lines.push({ level: 'info', message, attributes });
  }
  warn(message: string, attributes: Record<string, unknown> = {}): void {
    this.lines.push({ level: 'warn', message, attributes });
  }
  error(message: string, attributes: Record<string, unknown> = {}): void {
    this.lines.push({ level: 'error', message, attributes });
  }
}

/** Shared servers for one test file; each `freshDeps` gets its own table, folder and clock. */
export interface Rig {
  dynalite: RunningDynalite;
  capture: SesCaptureServer;
  dynamo: DynamoDBClient;
  ses: SESv2Client;
  dataDir: string;
  freshDeps(
    overrides?: Partial<PipelineDeps> & { configOverrides?: Partial<RouterConfig> },
  ): Promise<RigDeps>;
  close(): Promise<void>;
}

export interface RigDeps extends PipelineDeps {
  store: FolderMailStore;
  log: DynamoDbRoutingLog;
  logger: RecordingLogger;
  /** Stores raw bytes as SES would and returns the notification SES would send (all verdicts PASS). */
  deliver(raw: Uint8Array, options?: DeliverOptions): Promise<SesNotification>;
  /** The SQS handler over these deps. */
  handle: ReturnType<typeof createHandler>;
}

export interface DeliverOptions {
  to?: string;
  envelopeFrom?: string;
  receipt?: Partial<SesNotification['receipt']>;
}

let tableNumber = 0;

export async function startRig(): Promise<Rig> {
  const dynalite = await startDynalite();
  const capture = await startSesCaptureServer();
  const dynamo = await localDynamoClient(dynalite.endpoint);
  const ses = await localSesClient(capture.endpoint);
  const dataDir = await mkdtemp(join(tmpdir(), 'mailroute-rig-'));

  async function freshDeps(
    overrides: Partial<PipelineDeps> & { configOverrides?: Partial<RouterConfig> } = {},
  ): Promise<RigDeps> {
    tableNumber += 1;
    const table = `routing-${process.pid}-${tableNumber}`;
    await createRoutingTable(dynamo, table);
    const store = new FolderMailStore(join(dataDir, `store-${tableNumber}`), 'mail');
    const { configOverrides, ...rest } = overrides;
    const deps = {
      config: { ...DEFAULT_ROUTER_CONFIG, ...configOverrides },
      store,
      log: new DynamoDbRoutingLog(dynamo, table),
      sender: new SesMailSender(ses),
      now: () => new Date(),
      logger: new RecordingLogger(),
      loopSecret: LOOP_SECRET,
      ...rest,
    } as RigDeps;
    deps.deliver = async (raw, options = {}) => {
      const to = options.to ?? deps.config.functionalAddresses[0]?.address ?? '';
      const messageId = localMessageId(raw);
      const location = await store.put(`inbound/${to.toLowerCase()}/${messageId}`, raw);
      const notification = sesNotification({
        messageId,
        recipients: [to],
        envelopeFrom: options.envelopeFrom ?? 'sender@example.org',
        location,
        at: deps.now(),
      });
      notification.receipt = { ...notification.receipt, ...options.receipt };
      return notification;
    };
    deps.handle = createHandler(deps);
    return deps;
  }

  return {
    dynalite,
    capture,
    dynamo,
    ses,
    dataDir,
    freshDeps,
    close: async () => {
      dynamo.destroy();
      ses.destroy();
      await capture.close();
      await dynalite.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export { sqsEvent };

/** A fault that fires a set number of times, then lets calls through: a transient outage. */
export class Fault {
  constructor(
    private remaining: number,
    private readonly make: () => Error,
  ) {}
  fire(): void {
    if (this.remaining <= 0) return;
    this.remaining -= 1;
    throw this.make();
  }
  get spent(): boolean {
    return this.remaining <= 0;
  }
}

/** An AWS-style service error, as the SDK raises them (name, $metadata.httpStatusCode). */
export function serviceError(name: string, status: number, message = name): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

export function timeoutError(): Error {
  return Object.assign(new Error('socket timed out after 5000 ms'), { name: 'TimeoutError' });
}

/** Wraps a real MailStore; `open` fails while the fault lasts. */
export function faultyStore(store: MailStore, fault: Fault): MailStore {
  return {
    open: async (location: MailLocation) => {
      fault.fire();
      return store.open(location);
    },
    ...(store.list
      ? { list: (prefix: string) => (store.list as NonNullable<MailStore['list']>)(prefix) }
      : {}),
    ...(store.locate ? { locate: (store.locate as NonNullable<MailStore['locate']>).bind(store) } : {}),
  };
}

/** Wraps a real MailSender; `send` fails before reaching SES while the fault lasts. */
export function faultySender(sender: MailSender, fault: Fault): MailSender {
  return {
    send: async (mail) => {
      fault.fire();
      return sender.send(mail);
    },
  };
}

type LogMethod = 'begin' | 'get' | 'update' | 'list' | 'updateAcknowledgement' | 'reserveAcknowledgement';

/** Wraps a real RoutingLog; the chosen methods fail while the fault lasts (optionally only for some calls). */
export function faultyLog(
  log: RoutingLog,
  fault: Fault,
  methods: LogMethod[],
  when: (method: LogMethod, args: unknown[]) => boolean = () => true,
): RoutingLog {
  const guard = (method: LogMethod, args: unknown[]) => {
    if (methods.includes(method) && when(method, args)) fault.fire();
  };
  return {
    begin: async (record) => {
      guard('begin', [record]);
      return log.begin(record);
    },
    get: async (id) => {
      guard('get', [id]);
      return log.get(id);
    },
    update: async (id, changes, expected, sendAttempts) => {
      guard('update', [id, changes, expected, sendAttempts]);
      return log.update(id, changes, expected, sendAttempts);
    },
    list: async (query) => {
      guard('list', [query]);
      return log.list(query);
    },
    updateAcknowledgement: async (id, changes, expected) => {
      guard('updateAcknowledgement', [id, changes, expected]);
      return log.updateAcknowledgement(id, changes, expected);
    },
    reserveAcknowledgement: async (key, holder, nowSeconds, untilSeconds) => {
      guard('reserveAcknowledgement', [key, holder, nowSeconds, untilSeconds]);
      return log.reserveAcknowledgement(key, holder, nowSeconds, untilSeconds);
    },
    ...(log.countArrival
      ? { countArrival: (log.countArrival as NonNullable<RoutingLog['countArrival']>).bind(log) }
      : {}),
  };
}

/**
 * An acknowledgement to a sender (issue #14), told from a forward by its own header: copies in the web
 * inbox and the capture server behind the local SES stand-in carry no message tags.
 */
export function isAcknowledgement(raw: Uint8Array): boolean {
  return Buffer.from(raw).includes('X-Mailroute-Acknowledgement:');
}

/** The capture server's sends for one routing id (X-Mailroute-Id of the forward). */
export function sentFor(capture: SesCaptureServer, routingId: string) {
  return capture.sent.filter((email) =>
    email.raw.includes(Buffer.from(`X-Mailroute-Id: ${routingId.slice(0, 40)}`)),
  );
}

let messageNumber = 0;

/** A small, ordinary message; each call gets its own Message-ID, so its own routing id. */
export function plainMessage(
  options: { from?: string; subject?: string; body?: string; extraHeaders?: string } = {},
): Buffer {
  const from = options.from ?? 'Anna Svensson <anna.svensson@example.org>';
  return Buffer.from(
    `From: ${from}\r\nTo: EUinternational@stockholm.se\r\nSubject: ${options.subject ?? 'Question about the city'}\r\n` +
      `Message-ID: <rig-${process.pid}-${++messageNumber}@example.org>\r\n${options.extraHeaders ?? ''}` +
      `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${options.body ?? 'Hello, I have a question about visiting Stockholm.'}\r\n`,
  );
}

/** The operator backend `mailroute` opens locally, over one rig's deps; the operator is `test-operator`. */
export function operatorBackendOf(deps: RigDeps): OperatorBackend {
  return localBackend({
    router: { deps, store: deps.store },
    dataDir: '/nowhere',
    description: 'test',
    env: { MAILROUTE_OPERATOR: 'test-operator' },
  });
}
