// SQS (SES notification via SNS) --> (handler) --> pipeline. Thin: one record, one routeMessage;
// failed records are returned as batch item failures so only they are retried, then dead-lettered.
// The SDK clients and the adapters are imported with the handler, not on the first invocation: the first
// message needs them all, and for a dynamic import of an SDK package (`await import('@aws-sdk/client-s3')`)
// esbuild bundles its whole namespace, so the first message evaluated every command, schema, paginator and
// waiter of four clients and built their aggregated clients (`S3`, a method per command): 206 KB of the
// bundle. Imported by name, the rest is left out. The clients are still built, and the secret read, on the
// first invocation.
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DynamoDbRoutingLog } from '../adapters/dynamodb-routing-log.js';
import { S3MailStore } from '../adapters/s3-mail-store.js';
import { SesMailSender } from '../adapters/ses-mail-sender.js';
import { readCheckedRouterConfig } from '../config/checked-config.js';
import {
  type PipelineDeps,
  type PipelineLogger,
  PipelineStepError,
  type RouteResult,
  redact,
  routeMessage,
} from './pipeline.js';
import { parseNotificationBody } from './ses-notification.js';

export interface HandlerHooks {
  /** Called after each routed record, e.g. to emit metrics. */
  onRouted?(result: RouteResult): void;
  onFailed?(messageId: string | undefined, error: Error): void;
}

export function createHandler(deps: PipelineDeps, hooks: HandlerHooks = {}) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      let notificationId: string | undefined;
      try {
        const notification = parseNotificationBody(record.body);
        notificationId = notification.mail.messageId;
        const result = await routeMessage(deps, notification);
        hooks.onRouted?.(result);
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        deps.logger.error('record failed; it will be retried', {
          sqsMessageId: record.messageId,
          id: notificationId,
          step: failure instanceof PipelineStepError ? failure.step : 'notification',
          error: redact(failure.message),
        });
        hooks.onFailed?.(notificationId, failure);
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };
}

/**
 * Settings for the SDK clients of the message path. `cacheMiddleware` resolves each command's
 * middleware stack once instead of on every call: ~0.3 ms less per AWS call, and a message makes six
 * (see bench/). Safe because nothing adds middleware to these clients after they are built.
 */
export const SDK_CLIENT_SETTINGS = { cacheMiddleware: true } as const;

const ROUTER_METRICS = { namespace: 'Mailroute', serviceName: 'mailroute' };

/**
 * The router's CloudWatch metrics, written as EMF lines to stdout. Each message's counts have a
 * dimension of their own (category, disposition, acknowledgement outcome), so each is a line of its
 * own, written at once. They go through one long-lived single-metric instance: Powertools'
 * `singleMetric()` builds a new `Metrics` (and a new `Console`) for every line, ~0.1 ms each, three
 * times a message; the lines are the same. Failures are stored and published once after the batch,
 * and only when there are some: `publishStoredMetrics()` with nothing stored writes a warning line
 * to the log, which it did after every message.
 */
export class RouterMetrics {
  private readonly stored: Metrics;
  private readonly immediate: Metrics;

  constructor(options: { namespace: string; serviceName: string } = ROUTER_METRICS) {
    this.stored = new Metrics(options);
    this.immediate = new Metrics({ ...options, singleMetric: true });
  }

  hooks(): HandlerHooks {
    return {
      onRouted: (result) => this.routed(result),
      onFailed: () => this.stored.addMetric('RoutingFailures', MetricUnit.Count, 1),
    };
  }

  /** After each invocation: the failures counted in it, if any. */
  publish(): void {
    if (this.stored.hasStoredMetrics()) this.stored.publishStoredMetrics();
  }

  private routed(result: RouteResult): void {
    // Counted where it happened: a retry or reconcile may send the acknowledgement of a duplicate.
    if (result.acknowledgement) this.count('Acknowledgements', 'outcome', result.acknowledgement);
    if (result.duplicate) return;
    this.count('MessagesByCategory', 'category', result.category);
    this.count('MessagesByDisposition', 'disposition', result.disposition);
  }

  /** One EMF line: `name` = 1 under the dimension `dimension` = `value`. */
  private count(name: string, dimension: string, value: string): void {
    this.immediate.addDimension(dimension, value).addMetric(name, MetricUnit.Count, 1);
  }
}

// --- AWS wiring: built once per cold start, on the first invocation --------------------------------------

const logger = new Logger({ serviceName: 'mailroute' });
const metrics = new RouterMetrics();
let awsHandler: ((event: SQSEvent) => Promise<SQSBatchResponse>) | undefined;

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  awsHandler ??= await createAwsHandler();
  try {
    return await awsHandler(event);
  } finally {
    metrics.publish();
  }
}

async function createAwsHandler(): Promise<(event: SQSEvent) => Promise<SQSBatchResponse>> {
  const configFile =
    process.env.MAILROUTE_CONFIG_FILE ??
    join(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), 'mailroute.config.json');
  const config = readCheckedRouterConfig(configFile);
  const tableName = requiredEnv('ROUTING_TABLE_NAME');
  const secretArn = requiredEnv('MAILROUTE_LOOP_SECRET_ARN');
  const loopSecret = await getSecret(secretArn, { maxAge: 3600 });
  if (typeof loopSecret !== 'string' || loopSecret.length < 16) {
    throw new Error('MAILROUTE_LOOP_SECRET_ARN does not hold a string secret of at least 16 characters');
  }
  const retentionDays = Number(process.env.MAILROUTE_RETENTION_DAYS ?? '0');
  const deps: PipelineDeps = {
    config,
    store: new S3MailStore(new S3Client(SDK_CLIENT_SETTINGS), process.env.MAIL_BUCKET_NAME ?? ''),
    log: new DynamoDbRoutingLog(new DynamoDBClient(SDK_CLIENT_SETTINGS), tableName),
    // The configuration set publishes SES's Send events to the confirm function (functions/confirm-send/).
    sender: new SesMailSender(new SESv2Client(SDK_CLIENT_SETTINGS), process.env.MAILROUTE_CONFIGURATION_SET),
    now: () => new Date(),
    logger: powertoolsPipelineLogger(logger),
    loopSecret,
    ...(retentionDays > 0 ? { retentionDays } : {}),
  };
  return createHandler(deps, metrics.hooks());
}

/** The pipeline's logger on Powertools: structured JSON lines to stdout, as CloudWatch Logs keeps them. */
export function powertoolsPipelineLogger(powertools: Logger): PipelineLogger {
  return {
    info: (message, attributes = {}) => powertools.info(message, attributes),
    warn: (message, attributes = {}) => powertools.warn(message, attributes),
    error: (message, attributes = {}) => powertools.error(message, attributes),
  };
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}
