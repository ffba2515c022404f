// inbound topic --> (mail queue) --> the router function, with a dead-letter queue behind each hop.
import { Duration, Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DataKey } from './data-key.js';

export interface MailQueueProps {
  dataKey: DataKey;
  /** The topic SES notifies; subscribed with raw message delivery. */
  topic: sns.ITopic;
  /** Timeout of the consuming function; the visibility timeout is derived from it. */
  consumerTimeout: Duration;
  /**
   * Receives before a message goes to the dead-letter queue.
   * @default 5
   */
  maxReceiveCount?: number;
}

/**
 * SNS -> SQS -> Lambda, so a failing router retries without losing the notification.
 *
 * Defaults: SSE-KMS with the data key, TLS-only, 14-day retention on both queues (the longest SQS
 * allows: time for ops to fix and redrive), visibility timeout 6 x the consumer timeout (the AWS
 * guidance for Lambda event sources, so a slow retry is not delivered twice at once), a dead-letter
 * queue after `maxReceiveCount` receives, and a second dead-letter queue for SNS deliveries to the
 * queue that fail. They are kept apart because they are redriven differently: SQS's
 * StartMessageMoveTask moves messages only out of a dead-letter queue whose source is an SQS queue, not
 * one fed by an SNS subscription (those go back with `mailroute replay --dlq ... --to ...`).
 */
export class MailQueue extends Construct {
  readonly queue: sqs.Queue;
  /** Notifications the router gave up on after `maxReceiveCount` receives (redrive: StartMessageMoveTask). */
  readonly deadLetterQueue: sqs.Queue;
  /** Notifications SNS could not deliver to the queue (redrive: `mailroute replay`, or reconcile). */
  readonly subscriptionDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: MailQueueProps) {
    super(scope, id);
    const encryption = {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.dataKey.key,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    };
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetter', encryption);
    this.subscriptionDeadLetterQueue = new sqs.Queue(this, 'SubscriptionDeadLetter', encryption);
    Validations.of(this.subscriptionDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is a dead-letter queue, of the SNS subscription: cdk-nag only recognises queues named in another queue's RedrivePolicy.",
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      ...encryption,
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
    props.topic.addSubscription(
      new subscriptions.SqsSubscription(this.queue, {
        rawMessageDelivery: true,
        deadLetterQueue: this.subscriptionDeadLetterQueue,
      }),
    );
  }

  /**
   * Makes `fn` the consumer: one message per invocation (the memory sizing is per message, and a
   * failure retries only itself), partial batch responses, and at most `maxConcurrency` pollers so a
   * reserved-concurrency cap does not throttle deliveries into the dead-letter queue.
   */
  bindConsumer(fn: lambda.IFunction, maxConcurrency: number): void {
    fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 1,
        reportBatchItemFailures: true,
        maxConcurrency,
      }),
    );
  }
}
