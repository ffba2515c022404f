// EventBridge rule (SES `Email Sent` events of the router's configuration set) --> (confirm handler)
// --> confirm. Thin: one event, one conditional write. A failure throws, so EventBridge retries it.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { type ConfirmDeps, confirmSendEvent } from './confirm.js';

const logger = new Logger({ serviceName: 'mailroute' });
const metrics = new Metrics({ namespace: 'Mailroute', serviceName: 'mailroute' });
let awsDeps: ConfirmDeps | undefined;

export async function handler(event: unknown): Promise<{ outcome: string }> {
  awsDeps ??= await createAwsDeps();
  try {
    const outcome = await confirmSendEvent(awsDeps, event);
    // Alarmed on above zero: SES took one message twice (see infra/constructs/send-confirmation.ts).
    if (outcome === 'another-send') metrics.addMetric('SecondSendConfirmed', MetricUnit.Count, 1);
    return { outcome };
  } finally {
    metrics.publishStoredMetrics();
  }
}

async function createAwsDeps(): Promise<ConfirmDeps> {
  const [{ DynamoDBClient }, { DynamoDbRoutingLog }] = await Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('../adapters/dynamodb-routing-log.js'),
  ]);
  const tableName = process.env.ROUTING_TABLE_NAME;
  if (!tableName) throw new Error('environment variable ROUTING_TABLE_NAME is not set');
  return {
    log: new DynamoDbRoutingLog(new DynamoDBClient({}), tableName),
    now: () => new Date(),
    // Not the router's adapter of the same shape: importing route-mail/handler.ts would bundle the classifier.
    logger: {
      info: (message, attributes = {}) => logger.info(message, attributes),
      warn: (message, attributes = {}) => logger.warn(message, attributes),
      error: (message, attributes = {}) => logger.error(message, attributes),
    },
  };
}
