// pipeline --> (RoutingLog port) --> DynamoDB: one item per message id, written exactly once.
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  ResourceInUseException,
  ScanCommand,
  type ScanCommandInput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { bounded } from '../core/bounded.js';
import type {
  AcknowledgementChanges,
  AcknowledgementStatus,
  BeginResult,
  LogQuery,
  RoutingLog,
  RoutingRecord,
  RoutingStatus,
} from '../route-mail/ports.js';

/** GSI listing by category and time: partition `category`, sort `receivedAt`. */
export const BY_CATEGORY_INDEX = 'byCategory';
/** GSI listing by status and time (reconcile finds `received`/`failed` leftovers): partition `status`, sort `receivedAt`. */
export const BY_STATUS_INDEX = 'byStatus';

type Changes = Parameters<RoutingLog['update']>[1];

const RATE_KEY_PREFIX = 'rate#';
/** Acknowledgement slots (one per sender and functional address and period) share the table too. */
const ACKNOWLEDGEMENT_KEY_PREFIX = 'ack#';

export class DynamoDbRoutingLog implements RoutingLog {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async begin(record: RoutingRecord): Promise<BeginResult> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem(record),
          ConditionExpression: 'attribute_not_exists(id)',
          // DynamoDB returns the winner with the failed condition: no second call for a duplicate.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { created: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (error.Item) return { created: false, existing: fromItem(error.Item) };
    }
    // dynalite ignores ReturnValuesOnConditionCheckFailure, so read the winner back there.
    const existing = await this.get(record.id);
    if (!existing) {
      throw new Error(`routing record ${record.id} was reported as existing but cannot be read`);
    }
    return { created: false, existing };
  }

  async get(id: string): Promise<RoutingRecord | undefined> {
    const response = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { id: { S: id } }, ConsistentRead: true }),
    );
    return response.Item ? fromItem(response.Item) : undefined;
  }

  async update(
    id: string,
    changes: Changes,
    expectedStatuses?: readonly RoutingStatus[],
    expectedSendAttempts?: number,
  ): Promise<boolean> {
    return this.conditionalUpdate(id, changes, 'status', expectedStatuses, expectedSendAttempts);
  }

  async updateAcknowledgement(
    id: string,
    changes: AcknowledgementChanges,
    expected: readonly AcknowledgementStatus[],
  ): Promise<boolean> {
    return this.conditionalUpdate(id, changes, 'acknowledgement', expected);
  }

  /**
   * One item `ack#<key>` per sender and functional address: taken by a conditional write, so two
   * messages at once cannot both win it. No category or status: the GSIs never see it; the table's
   * TTL removes it after its period.
   */
  async reserveAcknowledgement(
    key: string,
    holder: string,
    nowSeconds: number,
    untilSeconds: number,
  ): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { id: { S: `${ACKNOWLEDGEMENT_KEY_PREFIX}${key}` } },
          UpdateExpression: 'SET #until = :until, #holder = :holder, #expiresAt = :until',
          ConditionExpression: 'attribute_not_exists(#until) OR #until <= :now OR #holder = :holder',
          ExpressionAttributeNames: { '#until': 'until', '#holder': 'holder', '#expiresAt': 'expiresAt' },
          ExpressionAttributeValues: {
            ':until': { N: String(untilSeconds) },
            ':now': { N: String(nowSeconds) },
            ':holder': { S: holder },
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * One conditional UpdateItem: the changes, only if `attribute` is one of `expected` and `sendAttempts`
   * is `expectedSendAttempts` (each when given).
   */
  private async conditionalUpdate(
    id: string,
    changes: Record<string, unknown>,
    attribute: 'status' | 'acknowledgement',
    expected?: readonly string[],
    expectedSendAttempts?: number,
  ): Promise<boolean> {
    const names: Record<string, string> = { '#id': 'id' };
    const values: Record<string, AttributeValue> = {};
    const assignments: string[] = [];
    const removals: string[] = [];
    // A key given as undefined is removed (e.g. the error of an earlier failed attempt); an absent key is left alone.
    Object.entries(changes)
      .filter(([key]) => key !== 'id')
      .forEach(([key, value], index) => {
        names[`#a${index}`] = key;
        if (value === undefined) {
          removals.push(`#a${index}`);
          return;
        }
        values[`:a${index}`] = marshall({ value: bounded(value) }, { removeUndefinedValues: true })
          .value as AttributeValue;
        assignments.push(`#a${index} = :a${index}`);
      });
    // Never create a record through an update: the id must have been begun first.
    const conditions = ['attribute_exists(#id)'];
    if (expected && expected.length > 0) {
      names['#expected'] = attribute;
      const placeholders = expected.map((state, index) => {
        values[`:expected${index}`] = { S: state };
        return `:expected${index}`;
      });
      conditions.push(`#expected IN (${placeholders.join(', ')})`);
    }
    if (expectedSendAttempts !== undefined) {
      names['#sendAttempts'] = 'sendAttempts';
      values[':sendAttempts'] = { N: String(expectedSendAttempts) };
      conditions.push('#sendAttempts = :sendAttempts');
    }
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { id: { S: id } },
          UpdateExpression: [
            assignments.length > 0 ? `SET ${assignments.join(', ')}` : '',
            removals.length > 0 ? `REMOVE ${removals.join(', ')}` : '',
          ]
            .filter(Boolean)
            .join(' '),
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Rate-limit counters live in the same table as items `rate#<hash>#<hour>`: one atomic ADD, no
   * category or status (so the GSIs never see them), expired by the table's TTL.
   */
  async countArrival(key: string, expiresAt: number): Promise<number> {
    const response = await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: { id: { S: key } },
        UpdateExpression: 'ADD #count :one SET #expiresAt = :expiresAt',
        ExpressionAttributeNames: { '#count': 'count', '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: { ':one': { N: '1' }, ':expiresAt': { N: String(expiresAt) } },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(response.Attributes?.count?.N ?? '0');
  }

  /** Newest first. Uses a GSI when a category or status is given, else scans the table. */
  async list(query: LogQuery): Promise<RoutingRecord[]> {
    const found = query.category || query.status ? await this.queryIndex(query) : await this.scan(query);
    // The scan also meets the rate-limit counters and acknowledgement slots: they are not routing records.
    const items = found.filter(
      (item) =>
        !item.id?.S?.startsWith(RATE_KEY_PREFIX) && !item.id?.S?.startsWith(ACKNOWLEDGEMENT_KEY_PREFIX),
    );
    const records = items.map(fromItem).sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
    return query.limit === undefined ? records : records.slice(0, query.limit);
  }

  private async queryIndex(query: LogQuery): Promise<Record<string, AttributeValue>[]> {
    const names: Record<string, string> = {};
    const values: Record<string, AttributeValue> = {};
    const filters: string[] = [];
    let indexName: string;
    let keyCondition: string;
    if (query.category) {
      indexName = BY_CATEGORY_INDEX;
      names['#category'] = 'category';
      values[':category'] = { S: query.category };
      keyCondition = '#category = :category';
      if (query.status) {
        names['#status'] = 'status';
        values[':status'] = { S: query.status };
        filters.push('#status = :status');
      }
    } else {
      indexName = BY_STATUS_INDEX;
      names['#status'] = 'status';
      values[':status'] = { S: query.status ?? 'received' };
      keyCondition = '#status = :status';
    }
    if (query.since) {
      names['#receivedAt'] = 'receivedAt';
      values[':since'] = { S: query.since };
      keyCondition += ' AND #receivedAt >= :since';
    }
    const input: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: indexName,
      KeyConditionExpression: keyCondition,
      FilterExpression: filters.length > 0 ? filters.join(' AND ') : undefined,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
    };
    const items: Record<string, AttributeValue>[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
      // The index is already newest first, so a limit can stop the paging early.
    } while (startKey && (query.limit === undefined || items.length < query.limit));
    return items;
  }

  private async scan(query: LogQuery): Promise<Record<string, AttributeValue>[]> {
    const input: ScanCommandInput = { TableName: this.tableName, ConsistentRead: true };
    if (query.since) {
      input.FilterExpression = '#receivedAt >= :since';
      input.ExpressionAttributeNames = { '#receivedAt': 'receivedAt' };
      input.ExpressionAttributeValues = { ':since': { S: query.since } };
    }
    const items: Record<string, AttributeValue>[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(new ScanCommand({ ...input, ExclusiveStartKey: startKey }));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}

/** Every value bounded (core/bounded.ts): no sender can make the item larger than DynamoDB takes. */
function toItem(record: RoutingRecord): Record<string, AttributeValue> {
  return marshall(bounded(record), { removeUndefinedValues: true });
}

function fromItem(item: Record<string, AttributeValue>): RoutingRecord {
  return unmarshall(item) as RoutingRecord;
}

/**
 * Creates the routing table with both GSIs, as the CDK stack does, for local mode and tests. An
 * existing table is fine; resolves once the table is ACTIVE.
 */
export async function createRoutingTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const projection = { ProjectionType: 'ALL' as const };
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'id', AttributeType: 'S' },
          { AttributeName: 'category', AttributeType: 'S' },
          { AttributeName: 'status', AttributeType: 'S' },
          { AttributeName: 'receivedAt', AttributeType: 'S' },
        ],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: BY_CATEGORY_INDEX,
            KeySchema: [
              { AttributeName: 'category', KeyType: 'HASH' },
              { AttributeName: 'receivedAt', KeyType: 'RANGE' },
            ],
            Projection: projection,
          },
          {
            IndexName: BY_STATUS_INDEX,
            KeySchema: [
              { AttributeName: 'status', KeyType: 'HASH' },
              { AttributeName: 'receivedAt', KeyType: 'RANGE' },
            ],
            Projection: projection,
          },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}
