// schedule (every 15 min) --> (reconcile function) --> re-drives stored messages the router never finished.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { RouterConfig } from '../../functions/config/schema.js';
import { REPO_ROOT } from '../paths.js';
import type { DataKey } from './data-key.js';
import { INBOUND_ROOT } from './mail-inbox.js';
import { MailrouteFunction } from './mailroute-function.js';
import type { RoutingLogTable } from './routing-log-table.js';
import { grantReadStoredMail } from './stored-mail-access.js';

export const RECONCILE_ENTRY = 'functions/reconcile/handler.ts';

/** The reconcile function is part of the stack only once its source exists (issue #5). */
export function reconcileSourceExists(root = REPO_ROOT): boolean {
  return existsSync(join(root, RECONCILE_ENTRY));
}

export interface ReconcileFunctionProps {
  /**
   * Handler source.
   * @default RECONCILE_ENTRY
   */
  entry?: string;
  dataKey: DataKey;
  /** The key of the mail bucket: reading a message needs kms:Decrypt on it. */
  inboxKey: DataKey;
  routerConfig: RouterConfig;
  bucket: s3.IBucket;
  inboundPrefixes: string[];
  routingLog: RoutingLogTable;
  /** The router's queue: unfinished messages are re-sent to it. */
  queue: sqs.IQueue;
  retentionDays: number;
  logLevel: string;
}

/**
 * Runs every 15 minutes: lists recent objects under the inbound prefixes, checks the routing log, and
 * re-sends a notification to the router's queue for any message without a final record. It may list
 * and read the inbound prefixes, read the routing log, and send to that one queue.
 */
export class ReconcileFunction extends Construct {
  readonly handler: MailrouteFunction;

  constructor(scope: Construct, id: string, props: ReconcileFunctionProps) {
    super(scope, id);
    this.handler = new MailrouteFunction(this, 'Reconcile', {
      entry: props.entry ?? RECONCILE_ENTRY,
      description: 'mailroute: re-drive stored messages without a final routing record',
      routerConfig: props.routerConfig,
      memorySize: 512,
      timeout: Duration.minutes(5),
      // One run at a time: two overlapping runs would re-drive the same message twice.
      reservedConcurrentExecutions: 1,
      logLevel: props.logLevel,
      logRetentionDays: props.retentionDays,
      environment: {
        ROUTING_TABLE_NAME: props.routingLog.table.tableName,
        MAIL_BUCKET_NAME: props.bucket.bucketName,
        ROUTE_QUEUE_URL: props.queue.queueUrl,
        MAILROUTE_RETENTION_DAYS: String(props.retentionDays),
      },
    });
    const role = this.handler.role;
    const region = Stack.of(this).region;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.bucket.bucketArn],
        // Listing is allowed only within the inbound prefix (reconcile lists `inbound/` as a whole).
        conditions: { StringLike: { 's3:prefix': [INBOUND_ROOT, `${INBOUND_ROOT}*`] } },
      }),
    );
    grantReadStoredMail(role, props);
    props.routingLog.grant(role, 'reconcile');
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.queue.queueArn] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.dataKey.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${region}.amazonaws.com` } },
      }),
    );

    new events.Rule(this, 'Schedule', {
      description: 'mailroute: run reconcile every 15 minutes',
      schedule: events.Schedule.rate(Duration.minutes(15)),
      targets: [new targets.LambdaFunction(this.handler.function, { retryAttempts: 2 })],
    });
  }
}
