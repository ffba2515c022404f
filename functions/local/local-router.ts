// local stack --> the same handler as AWS, fed the way SES would feed it: raw bytes stored first,
// then an SES receipt notification inside an SQS event.
import { createHash, randomUUID } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import { createRoutingTable, DynamoDbRoutingLog } from '../adapters/dynamodb-routing-log.js';
import { FolderMailStore } from '../adapters/folder-mail-store.js';
import { SesMailSender } from '../adapters/ses-mail-sender.js';
import type { RouterConfig } from '../config/schema.js';
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
}

export interface Inbound {
  raw: Uint8Array;
  /** RCPT TO: the functional addresses the message was delivered to. */
  recipients: string[];
  /** MAIL FROM, empty for bounces. */
  envelopeFrom: string;
}

export type IngestOutcome =
  | { ok: true; result: RouteResult; location: MailLocation }
  | { ok: false; messageId: string; error: Error; location: MailLocation };

export interface LocalRouter {
  deps: PipelineDeps;
  store: FolderMailStore;
  ingest(inbound: Inbound): Promise<IngestOutcome>;
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
    sender: new SesMailSender(ses),
    now,
    logger: options.logger ?? quietLogger,
    loopSecret: options.loopSecret,
  };

  async function ingest(inbound: Inbound): Promise<IngestOutcome> {
    const messageId = localMessageId(inbound.raw);
    const functionalAddress = inbound.recipients[0] ?? 'unknown';
    // Stored before any routing code runs, as the SES S3 action does: a failure below loses nothing.
    const location = await store.put(`inbound/${functionalAddress.toLowerCase()}/${messageId}`, inbound.raw);
    const notification = sesNotification({ ...inbound, messageId, location, at: now() });
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

  return {
    deps,
    store,
    ingest,
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

/** What SES publishes for a message it stored in S3, with every verdict PASS. */
export function sesNotification(input: {
  messageId: string;
  recipients: string[];
  envelopeFrom: string;
  location: MailLocation;
  at: Date;
}): SesNotification {
  const timestamp = input.at.toISOString();
  const pass = { status: 'PASS' };
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
      spamVerdict: pass,
      virusVerdict: pass,
      spfVerdict: pass,
      dkimVerdict: pass,
      dmarcVerdict: pass,
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
