// local stack --> the same handler as AWS, fed the way SES would feed it: raw bytes stored first,
// then an SES receipt notification inside an SQS event; and the same confirm code for SES Send events.
import { createHash, randomUUID } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import { createRoutingTable, DynamoDbRoutingLog } from '../adapters/dynamodb-routing-log.js';
import { FolderMailStore } from '../adapters/folder-mail-store.js';
import { SesMailSender } from '../adapters/ses-mail-sender.js';
import type { RouterConfig } from '../config/schema.js';
import { confirmSendEvent } from '../confirm-send/confirm.js';
import type { SesVerdicts } from '../core/verdicts.js';
import { type ReconcileReport, receiptVerdicts, reconcile } from '../reconcile/reconcile.js';
import { createHandler } from '../route-mail/handler.js';
import type { PipelineDeps, PipelineLogger, RouteResult } from '../route-mail/pipeline.js';
import type { MailLocation } from '../route-mail/ports.js';
import type { SesNotification } from '../route-mail/ses-notification.js';
import { localDynamoClient, localSesClient } from './aws-clients.js';
import { MAIL_BUCKET, ROUTING_TABLE } from './settings.js';

export interface LocalRouterOptions {
  config: RouterConfig;
  dataDir: string;
  dynamoEndpoint: string;
  sesEndpoint: string;
  loopSecret: string;
  logger?: PipelineLogger;
  now?: () => Date;
  /** Named on every send, as the router does in AWS (the SES stand-in ignores it). */
  configurationSetName?: string;
}

export interface Inbound {
  raw: Uint8Array;
  /** RCPT TO: the functional addresses the message was delivered to. */
  recipients: string[];
  /** MAIL FROM, empty for bounces. */
  envelopeFrom: string;
  /** What SES would have found (functions/local/local-verdicts.ts); every verdict PASS when unset. */
  verdicts?: SesVerdicts;
}

export type IngestOutcome =
  | { ok: true; result: RouteResult; location: MailLocation }
  | { ok: false; messageId: string; error: Error; location: MailLocation };

/** A message stored as the SES S3 action stores it, with the notification SES would publish. */
export interface Accepted {
  messageId: string;
  location: MailLocation;
  notification: SesNotification;
}

export interface LocalRouter {
  deps: PipelineDeps;
  store: FolderMailStore;
  /** Stores the raw bytes (the SES S3 action): once this resolves the message is accepted. */
  accept(inbound: Inbound): Promise<Accepted>;
  /** Routes an accepted message through the handler, as one SQS delivery. */
  route(accepted: Accepted): Promise<IngestOutcome>;
  /** accept, then route. */
  ingest(inbound: Inbound): Promise<IngestOutcome>;
  /** Sends a notification through the handler; rejects when the handler reports a failure. */
  redrive(notification: SesNotification): Promise<void>;
  /** The confirm code for SES Send events (what the SES stand-in delivers them to). */
  confirm(event: unknown): Promise<unknown>;
  /**
   * Finishes what a stopped or killed router left, as SQS redelivery and reconcile do in AWS: routes
   * every stored message without a final record, and sends again what is `sending` without a Send
   * event. Only when no delivery can be in flight (before the stack takes mail): it waits for nothing.
   */
  finishUnfinished(): Promise<ReconcileReport>;
  close(): void;
}

/** Warnings and errors only: `serve` and `route` print their own line per message. */
export const quietLogger: PipelineLogger = {
  info: () => undefined,
  warn: (message, attributes) => console.error(`warn: ${message}`, JSON.stringify(attributes ?? {})),
  error: (message, attributes) => console.error(`error: ${message}`, JSON.stringify(attributes ?? {})),
};

export async function createLocalRouter(options: LocalRouterOptions): Promise<LocalRouter> {
  const dynamo = await localDynamoClient(options.dynamoEndpoint);
  const ses = await localSesClient(options.sesEndpoint);
  await createRoutingTable(dynamo, ROUTING_TABLE);
  const store = new FolderMailStore(options.dataDir, MAIL_BUCKET);
  const now = options.now ?? (() => new Date());
  const deps: PipelineDeps = {
    config: options.config,
    store,
    log: new DynamoDbRoutingLog(dynamo, ROUTING_TABLE),
    sender: new SesMailSender(ses, options.configurationSetName),
    now,
    logger: options.logger ?? quietLogger,
    loopSecret: options.loopSecret,
  };

  async function accept(inbound: Inbound): Promise<Accepted> {
    const messageId = localMessageId(inbound.raw);
    const functionalAddress = inbound.recipients[0] ?? 'unknown';
    // Stored before any routing code runs, as the SES S3 action does: a failure after loses nothing.
    const location = await store.put(`inbound/${functionalAddress.toLowerCase()}/${messageId}`, inbound.raw);
    return {
      messageId,
      location,
      notification: sesNotification({ ...inbound, messageId, location, at: now() }),
    };
  }

  async function route({ messageId, location, notification }: Accepted): Promise<IngestOutcome> {
    let routed: RouteResult | undefined;
    let failure: Error | undefined;
    const handle = createHandler(deps, {
      onRouted: (result) => {
        routed = result;
      },
      onFailed: (_id, error) => {
        failure = error;
      },
    });
    await handle(sqsEvent(notification));
    if (routed) return { ok: true, result: routed, location };
    return { ok: false, messageId, error: failure ?? new Error('the handler reported no result'), location };
  }

  const redrive = redriveThrough(deps);

  return {
    deps,
    store,
    accept,
    route,
    ingest: async (inbound) => route(await accept(inbound)),
    redrive,
    confirm: (event) => confirmSendEvent(deps, event),
    finishUnfinished: () =>
      reconcile({
        config: { ...deps.config, reconcile: { ...deps.config.reconcile, graceMinutes: 0 } },
        store,
        log: deps.log,
        now: deps.now,
        redrive,
        inFlightMinutes: 0,
      }),
    close: () => {
      dynamo.destroy();
      ses.destroy();
    },
  };
}

/** Locally the message id is the SHA-256 of the raw bytes: the same file routed twice is one message. */
export function localMessageId(raw: Uint8Array): string {
  return createHash('sha256').update(raw).digest('hex');
}

/** What SES publishes for a message it stored in S3, with the given verdicts (every verdict PASS by default). */
export function sesNotification(input: {
  messageId: string;
  recipients: string[];
  envelopeFrom: string;
  location: MailLocation;
  at: Date;
  verdicts?: SesVerdicts;
}): SesNotification {
  const timestamp = input.at.toISOString();
  const pass = { status: 'PASS' };
  const verdicts = input.verdicts
    ? receiptVerdicts(input.verdicts)
    : { spamVerdict: pass, virusVerdict: pass, spfVerdict: pass, dkimVerdict: pass, dmarcVerdict: pass };
  return {
    notificationType: 'Received',
    mail: {
      timestamp,
      source: input.envelopeFrom,
      messageId: input.messageId,
      destination: input.recipients,
    },
    receipt: {
      timestamp,
      recipients: input.recipients,
      ...verdicts,
      processingTimeMillis: 0,
      action: { type: 'S3', bucketName: input.location.bucket, objectKey: input.location.key },
    },
  };
}

/** One SQS record whose body is the notification, as with SNS raw message delivery. */
export function sqsEvent(notification: SesNotification): SQSEvent {
  const body = JSON.stringify(notification);
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: 'local',
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(Date.now()),
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: createHash('md5').update(body).digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:local:000000000000:mailroute-inbound',
        awsRegion: 'local',
      },
    ],
  };
}

/** A notification through the Lambda handler, as SQS would deliver it again; throws when it fails. */
export function redriveThrough(deps: PipelineDeps): (notification: SesNotification) => Promise<void> {
  return async (notification) => {
    let failure: Error | undefined;
    const handle = createHandler(deps, {
      onFailed: (_id, error) => {
        failure = error;
      },
    });
    const { batchItemFailures } = await handle(sqsEvent(notification));
    if (batchItemFailures.length > 0) throw failure ?? new Error('the handler reported a failure');
  };
}
