// EventBridge schedule (every 15 min) --> (reconcile handler) --> reconcile: re-sends a notification to
// the router's queue for each stored message without a final routing record, and publishes how many it
// found as the `ReconcileUnfinished` metric (alarmed on above zero by infra/constructs/observability.ts).
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { readCheckedRouterConfig } from '../config/checked-config.js';
import { type ReconcileDeps, type ReconcileReport, reconcile, unfinishedCount } from './reconcile.js';

export interface ReconcileRun {
  report: ReconcileReport;
  unfinished: number;
}

/** One run with the metric and log line; the AWS wiring below and the tests both call it. */
export async function runReconcile(
  deps: ReconcileDeps,
  metrics: Metrics,
  logger: Logger,
): Promise<ReconcileRun> {
  const report = await reconcile(deps);
  const unfinished = unfinishedCount(report);
  metrics.addMetric('ReconcileUnfinished', MetricUnit.Count, unfinished);
  // Ids only: they are SES message ids, no personal data.
  const summary = {
    checked: report.checked,
    redriven: report.redriven,
    resent: report.resent,
    acknowledged: report.acknowledged,
    errors: report.errors,
  };
  if (unfinished > 0) logger.warn('reconcile found unfinished messages', summary);
  else logger.info('reconcile found nothing unfinished', summary);
  // SES writes one per rule at each deploy that creates a rule: worth a line when debugging, no more.
  if (report.setupObjects.length > 0) {
    logger.debug('reconcile left SES setup objects alone', { keys: report.setupObjects });
  }
  return { report, unfinished };
}

const logger = new Logger({ serviceName: 'mailroute' });
const metrics = new Metrics({ namespace: 'Mailroute', serviceName: 'mailroute' });
let awsDeps: ReconcileDeps | undefined;

export async function handler(): Promise<{ unfinished: number }> {
  awsDeps ??= await createAwsDeps();
  try {
    const { unfinished } = await runReconcile(awsDeps, metrics, logger);
    return { unfinished };
  } finally {
    metrics.publishStoredMetrics();
  }
}

async function createAwsDeps(): Promise<ReconcileDeps> {
  const [{ S3Client }, { DynamoDBClient }, { SQSClient, SendMessageCommand }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('@aws-sdk/client-dynamodb'),
    import('@aws-sdk/client-sqs'),
  ]);
  const [{ S3MailStore }, { DynamoDbRoutingLog }] = await Promise.all([
    import('../adapters/s3-mail-store.js'),
    import('../adapters/dynamodb-routing-log.js'),
  ]);
  const config = readCheckedRouterConfig(
    process.env.MAILROUTE_CONFIG_FILE ??
      join(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), 'mailroute.config.json'),
  );
  const queueUrl = requiredEnv('ROUTE_QUEUE_URL');
  const sqs = new SQSClient({});
  return {
    config,
    store: new S3MailStore(new S3Client({}), requiredEnv('MAIL_BUCKET_NAME')),
    log: new DynamoDbRoutingLog(new DynamoDBClient({}), requiredEnv('ROUTING_TABLE_NAME')),
    now: () => new Date(),
    redrive: async (notification) => {
      await sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(notification) }),
      );
    },
  };
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}
