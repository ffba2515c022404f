// router function --> (routing log table) --> one record per message id, queried by category and status.
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { DataKey } from './data-key.js';

/** The table's shape, fixed by functions/adapters/dynamodb-routing-log.ts. */
export const ROUTING_LOG_SCHEMA = {
  partitionKey: 'id',
  ttlAttribute: 'expiresAt',
  indexes: {
    byCategory: { partitionKey: 'category', sortKey: 'receivedAt' },
    byStatus: { partitionKey: 'status', sortKey: 'receivedAt' },
  },
} as const;

export type RoutingLogAccess = 'route' | 'reconcile' | 'confirm';

const ACTIONS: Record<RoutingLogAccess, string[]> = {
  route: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
  // UpdateItem: a send SES never confirmed is reopened (`sending -> claimed`) to be sent again.
  reconcile: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  // SES's Send event marks the record forwarded (one conditional update, a read when it lost).
  confirm: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
};

/**
 * The routing log. Defaults: on-demand billing (mail arrives in bursts, and rarely), point-in-time
 * recovery, TTL on `expiresAt` (the handler sets it from the retention setting), SSE with the data
 * key, deletion protection, and RETAIN: the log outlives the stack.
 *
 * A `Table`, not `TableV2`: cdk-nag's DynamoDB checks only see `Table`.
 */
export class RoutingLogTable extends Construct {
  readonly table: dynamodb.Table;
  private readonly dataKey: DataKey;

  constructor(scope: Construct, id: string, props: { dataKey: DataKey }) {
    super(scope, id);
    this.dataKey = props.dataKey;
    const string = dynamodb.AttributeType.STRING;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: ROUTING_LOG_SCHEMA.partitionKey, type: string },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: ROUTING_LOG_SCHEMA.ttlAttribute,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.dataKey.key,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const [indexName, keys] of Object.entries(ROUTING_LOG_SCHEMA.indexes)) {
      this.table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: { name: keys.partitionKey, type: string },
        sortKey: { name: keys.sortKey, type: string },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }

  /**
   * Grants exactly the item actions a function needs, on the table and its named indexes (no
   * `index/*`), plus the key use DynamoDB needs for a customer managed key.
   */
  grant(grantee: iam.IGrantable, access: RoutingLogAccess): void {
    const indexArns = Object.keys(ROUTING_LOG_SCHEMA.indexes).map(
      (indexName) => `${this.table.tableArn}/index/${indexName}`,
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ACTIONS[access],
        resources: [this.table.tableArn, ...indexArns],
      }),
    );
    const keyActions = access === 'route' ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'];
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: keyActions,
        resources: [this.dataKey.key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` },
        },
      }),
    );
  }
}
