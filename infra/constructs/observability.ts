// every other construct --> (observability) --> alarms to an ops topic, and one dashboard.
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CATEGORIES } from '../../functions/core/types.js';
import type { DataKey } from './data-key.js';

/** The handler's EMF metrics (Powertools Metrics): namespace, and the dimension every metric carries. */
export const METRICS_NAMESPACE = 'Mailroute';
const SERVICE_DIMENSION = { service: 'mailroute' };
export const DISPOSITIONS = ['forward', 'suppress', 'quarantine', 'forwarded_as_notice'] as const;
/** Where a delivery left an acknowledgement to a sender (the `Acknowledgements` metric's `outcome`). */
export const ACKNOWLEDGEMENT_OUTCOMES = ['sent', 'skipped', 'due', 'sending', 'refused'] as const;

export interface ObservabilityProps {
  dataKey: DataKey;
  router: lambda.IFunction;
  queue: sqs.IQueue;
  /** The router's dead-letter queue (messages it gave up on). */
  deadLetterQueue: sqs.IQueue;
  /** The SNS subscription's dead-letter queue (notifications that never reached the queue). */
  subscriptionDeadLetterQueue: sqs.IQueue;
  /** Subscribed to the alarm topic when given. */
  alarmEmail?: string;
  /** Quarantined messages in one hour above which ops are alarmed. */
  quarantinePerHour: number;
}

/** A metric the handler emits, with the `service` dimension and any named one. */
export function mailrouteMetric(
  metricName: string,
  dimensions: Record<string, string> = {},
  period: Duration = Duration.hours(1),
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { ...SERVICE_DIMENSION, ...dimensions },
    statistic: cloudwatch.Stats.SUM,
    period,
  });
}

/**
 * Every failure visible: alarms on both dead-letter queues, function errors and throttles, the age of the
 * oldest queued message, routing failures and an unusual number of quarantined messages, all to one
 * encrypted SNS topic ops subscribe to (and back to OK). Missing data is not breaching: a quiet
 * mailbox is healthy. A dashboard shows messages per category and disposition per hour, the
 * acknowledgements to senders per outcome, errors, duration and queue depth.
 */
export class Observability extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.alarmTopic = this.createAlarmTopic(props);
    this.createAlarms(props);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
    });
    this.addWidgets(props);
  }

  /** Adds an alarm on the reconcile function's `ReconcileUnfinished` metric (messages it could not finish). */
  alarmOnReconcile(reconcile: lambda.IFunction): void {
    const unfinished = mailrouteMetric('ReconcileUnfinished', {}, Duration.minutes(15));
    const unfinishedAlarm = this.addAlarm('ReconcileUnfinished', {
      metric: unfinished,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: 'The reconcile run found stored messages it could not route: see its logs.',
    });
    const errorsAlarm = this.addAlarm('ReconcileErrors', {
      metric: reconcile.metricErrors({ period: Duration.minutes(15) }),
      threshold: 1,
      alarmDescription: 'The reconcile function failed.',
    });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Reconcile: unfinished messages', left: [unfinished], width: 12 }),
      new cloudwatch.AlarmStatusWidget({
        title: 'Reconcile alarms',
        alarms: [unfinishedAlarm, errorsAlarm],
        width: 12,
      }),
    );
  }

  private createAlarmTopic(props: ObservabilityProps): sns.Topic {
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'mailroute alarms',
      masterKey: props.dataKey.key,
      enforceSSL: true,
    });
    const alarmArns = Stack.of(this).formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnLike: { 'aws:SourceArn': alarmArns },
        },
      }),
    );
    props.dataKey.allowService({
      sid: 'AllowCloudWatchAlarmsToNotify',
      service: 'cloudwatch.amazonaws.com',
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      sourceArns: [alarmArns],
    });
    if (props.alarmEmail) topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    return topic;
  }

  private createAlarms(props: ObservabilityProps): void {
    const fiveMinutes = Duration.minutes(5);
    const visibleMessages = (queue: sqs.IQueue) =>
      queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      });
    this.addAlarm('DeadLetterMessages', {
      metric: visibleMessages(props.deadLetterQueue),
      threshold: 1,
      alarmDescription:
        'Messages are in the router dead-letter queue: routing gave up after retries. The raw mail is in S3; fix, then redrive (README: aws sqs start-message-move-task).',
    });
    this.addAlarm('SubscriptionDeadLetterMessages', {
      metric: visibleMessages(props.subscriptionDeadLetterQueue),
      threshold: 1,
      alarmDescription:
        'Notifications are in the SNS subscription dead-letter queue: SNS could not deliver them to the queue. The raw mail is in S3; fix, then redrive (README: mailroute replay --dlq).',
    });
    this.addAlarm('RouterErrors', {
      metric: props.router.metricErrors({ period: fiveMinutes }),
      threshold: 1,
      alarmDescription: 'The router function failed (an invocation error, not a single message).',
    });
    this.addAlarm('RouterThrottles', {
      metric: props.router.metricThrottles({ period: fiveMinutes }),
      threshold: 1,
      alarmDescription: 'The router function was throttled: raise reserved concurrency or look for a flood.',
    });
    this.addAlarm('OldestQueuedMessage', {
      metric: props.queue.metricApproximateAgeOfOldestMessage({
        period: fiveMinutes,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: Duration.minutes(15).toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: 'A message has waited more than 15 minutes to be routed.',
    });
    this.addAlarm('RoutingFailures', {
      metric: mailrouteMetric('RoutingFailures', {}, Duration.minutes(15)),
      threshold: 5,
      alarmDescription: 'Several messages failed to route in 15 minutes (they are retried; see the logs).',
    });
    this.addAlarm('QuarantineUnusuallyHigh', {
      metric: mailrouteMetric('MessagesByDisposition', { disposition: 'quarantine' }),
      threshold: props.quarantinePerHour,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: `More than ${props.quarantinePerHour} messages were quarantined in one hour: a flood, a loop, or a rule gone wrong.`,
    });
  }

  private addAlarm(
    id: string,
    options: Omit<cloudwatch.AlarmProps, 'evaluationPeriods' | 'comparisonOperator'> & {
      comparisonOperator?: cloudwatch.ComparisonOperator;
    },
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...options,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.alarmTopic));
    alarm.addOkAction(new actions.SnsAction(this.alarmTopic));
    this.alarms.push(alarm);
    return alarm;
  }

  private addWidgets(props: ObservabilityProps): void {
    const fiveMinutes = Duration.minutes(5);
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Messages per category (per hour)',
        left: CATEGORIES.map((category) => mailrouteMetric('MessagesByCategory', { category })),
        stacked: true,
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Disposition per hour',
        left: DISPOSITIONS.map((disposition) => mailrouteMetric('MessagesByDisposition', { disposition })),
        stacked: true,
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title:
          'Acknowledgements to senders per hour (sent; skipped by the period limit; due, sending or refused after an SES error)',
        left: ACKNOWLEDGEMENT_OUTCOMES.map((outcome) => mailrouteMetric('Acknowledgements', { outcome })),
        stacked: true,
        width: 24,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Errors',
        left: [
          props.router.metricErrors({ period: fiveMinutes }),
          props.router.metricThrottles({ period: fiveMinutes }),
          mailrouteMetric('RoutingFailures', {}, fiveMinutes),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Router duration',
        left: ['p50', 'p99', 'Maximum'].map((statistic) =>
          props.router.metricDuration({ period: fiveMinutes, statistic }),
        ),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Queue depth',
        left: [
          props.queue.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes }),
          props.queue.metricApproximateNumberOfMessagesNotVisible({ period: fiveMinutes }),
          props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes }),
          props.subscriptionDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes }),
        ],
        right: [props.queue.metricApproximateAgeOfOldestMessage({ period: fiveMinutes })],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }),
    );
  }
}
