// bench --> (contenders): mailroute's Lambda handler and aws-lambda-ses-forwarder's, each behind the
// same stubbed AWS clients, each invoked with the event its deployment receives.
import { createRequire } from 'node:module';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent } from 'aws-lambda';
import { DynamoDbRoutingLog } from '../functions/adapters/dynamodb-routing-log.js';
import { S3MailStore } from '../functions/adapters/s3-mail-store.js';
import { SesMailSender } from '../functions/adapters/ses-mail-sender.js';
import { parseRouterConfig } from '../functions/config/schema.js';
import { createHandler, RouterMetrics, SDK_CLIENT_SETTINGS } from '../functions/route-mail/handler.js';
import type { PipelineDeps } from '../functions/route-mail/pipeline.js';
import { type SentLog, stubDynamoDb, stubS3, stubSes } from './aws-stubs.js';
import type { LatencyModel } from './latency-model.js';

export const FUNCTIONAL_ADDRESS = 'EUinternational@stockholm.se';
const BUCKET = 'mailroute-inbound';
const KEY_PREFIX = 'inbound/';
const MESSAGE_ID = 'o3vvb1ocpdbq6rm0slaebench0000000000001';

export type Invoke = () => Promise<void>;

/** Like for like: the forwarder sends no acknowledgement to the sender (issue #14), so neither does mailroute. */
export const BENCH_ROUTER_CONFIG = { acknowledgement: { enabled: false } };
export const BENCH_LOOP_SECRET = 'bench-loop-secret-0123456789abcdef';

/** The forwarder's configuration (its documented `config` override). */
export const FORWARDER_CONFIG = {
  fromEmail: 'mailroute@stockholm.se',
  subjectPrefix: '[Triage] ',
  emailBucket: BUCKET,
  emailKeyPrefix: KEY_PREFIX,
  allowPlusSign: true,
  forwardMapping: { [FUNCTIONAL_ADDRESS.toLowerCase()]: ['triage-euinternational@stockholm.se'] },
};

export interface Contender {
  invoke: Invoke;
  sent: SentLog;
  /** The SDK clients, by service, for a breakdown of where the time goes. */
  clients: Record<string, { send: (...args: never[]) => Promise<unknown> }>;
}

/**
 * mailroute as deployed, minus what only runs once per cold start: `createHandler` with the real
 * S3, DynamoDB and SES adapters on clients built with the handler's own settings, a Powertools
 * Logger and the handler's metrics (`RouterMetrics`: EMF lines), both writing to stdout. With a
 * latency model, each AWS call takes as long as the model says. The loop secret is given
 * directly instead of through Secrets Manager (one call per cold start, not per message).
 */
export function mailroute(message: Buffer, latency?: LatencyModel): Contender {
  const sent: SentLog = { count: 0, lastRequestBytes: 0 };
  const logger = new Logger({ serviceName: 'mailroute' });
  const settings = SDK_CLIENT_SETTINGS;
  const clients = {
    s3: stubS3(message, settings, latency),
    dynamodb: stubDynamoDb(settings, latency),
    ses: stubSes(sent, settings, latency),
  };
  const deps: PipelineDeps = {
    config: parseRouterConfig(BENCH_ROUTER_CONFIG),
    store: new S3MailStore(clients.s3, BUCKET),
    log: new DynamoDbRoutingLog(clients.dynamodb, 'mailroute-routing-log'),
    sender: new SesMailSender(clients.ses),
    now: () => new Date(),
    logger: {
      info: (text, attributes = {}) => logger.info(text, attributes),
      warn: (text, attributes = {}) => logger.warn(text, attributes),
      error: (text, attributes = {}) => logger.error(text, attributes),
    },
    loopSecret: BENCH_LOOP_SECRET,
    retentionDays: 365,
  };
  const metrics = new RouterMetrics();
  const handler = createHandler(deps, metrics.hooks());
  const event = sqsEvent(message.length);
  return {
    sent,
    clients,
    invoke: async () => {
      try {
        const result = await handler(event);
        if (result.batchItemFailures.length > 0) throw new Error('mailroute: the record failed');
      } finally {
        metrics.publish();
      }
    },
  };
}

/** The forwarder's handler with its documented overrides: our config, our S3 and SES clients. */
export function forwarder(message: Buffer, latency?: LatencyModel): Contender {
  const sent: SentLog = { count: 0, lastRequestBytes: 0 };
  const require = createRequire(import.meta.url);
  const module = require('aws-lambda-ses-forwarder') as ForwarderModule;
  const clients = { s3: stubS3(message, {}, latency), ses: stubSes(sent, {}, latency) };
  const overrides = { config: FORWARDER_CONFIG, ...clients };
  const event = sesEvent();
  return {
    sent,
    clients,
    invoke: () =>
      new Promise<void>((resolve, reject) => {
        module.handler(event, {}, (error?: Error) => (error ? reject(error) : resolve()), overrides);
      }),
  };
}

interface ForwarderModule {
  handler(event: unknown, context: unknown, callback: (error?: Error) => void, overrides: unknown): void;
}

function sesMail() {
  return {
    timestamp: '2026-05-04T09:11:02.000Z',
    source: 'ingrid.akesson@example.org',
    messageId: MESSAGE_ID,
    destination: [FUNCTIONAL_ADDRESS],
    headersTruncated: false,
    commonHeaders: {
      from: ['Ingrid Åkesson <ingrid.akesson@example.org>'],
      to: [FUNCTIONAL_ADDRESS],
      subject: 'Inbjudan',
    },
  };
}

function sesReceipt() {
  return {
    timestamp: '2026-05-04T09:11:02.000Z',
    processingTimeMillis: 512,
    recipients: [FUNCTIONAL_ADDRESS],
    spamVerdict: { status: 'PASS' },
    virusVerdict: { status: 'PASS' },
    spfVerdict: { status: 'PASS' },
    dkimVerdict: { status: 'PASS' },
    dmarcVerdict: { status: 'PASS' },
  };
}

/** What mailroute receives: the SES notification (S3 action), through SNS raw delivery, in SQS. */
export function sqsEvent(size: number): SQSEvent {
  const notification = {
    notificationType: 'Received',
    mail: sesMail(),
    receipt: {
      ...sesReceipt(),
      action: { type: 'S3', bucketName: BUCKET, objectKey: `${KEY_PREFIX}${MESSAGE_ID}`, objectSize: size },
    },
  };
  return {
    Records: [
      {
        messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
        receiptHandle: 'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a',
        body: JSON.stringify(notification),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: '1777885862000',
          SenderId: 'AIDAIENQZJOLO23YVJ4VO',
          ApproximateFirstReceiveTimestamp: '1777885862100',
        },
        messageAttributes: {},
        md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:mailroute-inbound',
        awsRegion: 'eu-west-1',
      },
    ],
  };
}

/** What the forwarder receives: the SES event of a Lambda action (after an S3 action in the rule). */
export function sesEvent() {
  return {
    Records: [
      {
        eventSource: 'aws:ses',
        eventVersion: '1.0',
        ses: { mail: sesMail(), receipt: { ...sesReceipt(), action: { type: 'Lambda' } } },
      },
    ],
  };
}
