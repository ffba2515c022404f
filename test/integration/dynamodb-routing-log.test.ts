import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoutingTable, DynamoDbRoutingLog } from '../../functions/adapters/dynamodb-routing-log.js';
import { localDynamoClient } from '../../functions/local/aws-clients.js';
import { type RunningDynalite, startDynalite } from '../../functions/local/dynalite-server.js';
import type { RoutingRecord } from '../../functions/route-mail/ports.js';

function record(overrides: Partial<RoutingRecord> = {}): RoutingRecord {
  return {
    id: 'a'.repeat(64),
    receivedAt: '2026-04-20T14:12:49.000Z',
    functionalAddress: 'EUinternational@stockholm.se',
    senderDomain: 'example.org',
    subjectSha256: 'b'.repeat(64),
    subjectLength: 42,
    category: 'eu_matter',
    confidence: 0.91,
    automated: false,
    reasons: ['subject:"Horizon Europe"'],
    recipients: ['internationella-enheten@stockholm.se'],
    disposition: 'forward',
    status: 'received',
    bucket: 'mail',
    key: 'inbound/euinternational@stockholm.se/aaaa',
    size: 1234,
    updatedAt: '2026-04-20T14:12:50.000Z',
    ...overrides,
  };
}

describe('DynamoDbRoutingLog', () => {
  let dynalite: RunningDynalite;
  let client: DynamoDBClient;
  let tableNumber = 0;

  beforeAll(async () => {
    dynalite = await startDynalite();
    client = await localDynamoClient(dynalite.endpoint);
  });

  afterAll(async () => {
    client.destroy();
    await dynalite.close();
  });

  async function freshLog(): Promise<DynamoDbRoutingLog> {
    tableNumber += 1;
    const tableName = `routing-${tableNumber}`;
    await createRoutingTable(client, tableName);
    return new DynamoDbRoutingLog(client, tableName);
  }

  it('writes a record once and hands back the existing one on a second begin', async () => {
    // Prepare
    const log = await freshLog();
    const first = record();

    // Act
    const created = await log.begin(first);
    const again = await log.begin(record({ category: 'other', status: 'failed' }));

    // Assess
    expect(created).toEqual({ created: true });
    expect(again).toEqual({ created: false, existing: first });
    expect(await log.get(first.id)).toEqual(first);
  });

  it('keeps every attribute through a round trip, and omits optional ones left undefined', async () => {
    // Prepare
    const log = await freshLog();
    const full = record({
      id: 'full',
      sesMessageId: 'ses-1',
      expiresAt: 1_800_000_000,
      reasons: [],
      recipients: [],
    });

    // Act
    await log.begin(full);
    await log.begin(record({ id: 'sparse', sesMessageId: undefined }));

    // Assess
    expect(await log.get('full')).toEqual(full);
    expect(await log.get('sparse')).not.toHaveProperty('sesMessageId');
    expect(await log.get('missing')).toBeUndefined();
  });

  it('updates only when the record is in one of the expected statuses', async () => {
    // Prepare
    const log = await freshLog();
    await log.begin(record());
    const id = record().id;

    // Act
    const toSending = await log.update(id, { status: 'sending', updatedAt: '2026-04-20T14:13:00.000Z' }, [
      'received',
    ]);
    const staleRetry = await log.update(id, { status: 'sending', updatedAt: '2026-04-20T14:13:01.000Z' }, [
      'received',
    ]);
    const toForwarded = await log.update(
      id,
      { status: 'forwarded', sesMessageId: 'ses-42', updatedAt: '2026-04-20T14:13:02.000Z' },
      ['sending', 'failed'],
    );

    // Assess
    expect([toSending, staleRetry, toForwarded]).toEqual([true, false, true]);
    expect(await log.get(id)).toMatchObject({
      status: 'forwarded',
      sesMessageId: 'ses-42',
      updatedAt: '2026-04-20T14:13:02.000Z',
      category: 'eu_matter',
    });
  });

  it('removes attributes given as undefined and leaves absent ones alone', async () => {
    // Prepare
    const log = await freshLog();
    await log.begin(
      record({ status: 'failed', failedStep: 'send', error: 'throttled', sesMessageId: 'kept' }),
    );
    const id = record().id;

    // Act
    const updated = await log.update(
      id,
      { status: 'received', failedStep: undefined, error: undefined, updatedAt: '2026-04-20T14:14:00.000Z' },
      ['failed'],
    );

    // Assess
    expect(updated).toBe(true);
    const after = await log.get(id);
    expect(after).not.toHaveProperty('failedStep');
    expect(after).not.toHaveProperty('error');
    expect(after).toMatchObject({ status: 'received', sesMessageId: 'kept' });
  });

  it('never creates a record through update', async () => {
    // Prepare
    const log = await freshLog();

    // Act
    const updated = await log.update('nobody', { status: 'failed', updatedAt: '2026-04-20T14:13:00.000Z' });

    // Assess
    expect(updated).toBe(false);
    expect(await log.get('nobody')).toBeUndefined();
  });

  it('lists by category and by status through the indexes, newest first, from a given time', async () => {
    // Prepare
    const log = await freshLog();
    await log.begin(record({ id: 'old-eu', receivedAt: '2026-04-01T00:00:00.000Z' }));
    await log.begin(record({ id: 'new-eu', receivedAt: '2026-04-21T00:00:00.000Z', status: 'forwarded' }));
    await log.begin(record({ id: 'mid-eu', receivedAt: '2026-04-15T00:00:00.000Z', status: 'forwarded' }));
    await log.begin(record({ id: 'invite', receivedAt: '2026-04-20T00:00:00.000Z', category: 'invitation' }));

    // Act
    const euSinceApril10 = await log.list({ category: 'eu_matter', since: '2026-04-10T00:00:00.000Z' });
    const forwarded = await log.list({ status: 'forwarded' });
    const receivedEu = await log.list({ category: 'eu_matter', status: 'received' });
    const everything = await log.list({});
    const newestTwo = await log.list({ limit: 2 });

    // Assess
    expect(euSinceApril10.map((r) => r.id)).toEqual(['new-eu', 'mid-eu']);
    expect(forwarded.map((r) => r.id)).toEqual(['new-eu', 'mid-eu']);
    expect(receivedEu.map((r) => r.id)).toEqual(['old-eu']);
    expect(everything.map((r) => r.id)).toEqual(['new-eu', 'invite', 'mid-eu', 'old-eu']);
    expect(newestTwo.map((r) => r.id)).toEqual(['new-eu', 'invite']);
  });

  it('tolerates creating a table that already exists', async () => {
    // Prepare
    await createRoutingTable(client, 'routing-twice');

    // Act
    const second = createRoutingTable(client, 'routing-twice');

    // Assess
    await expect(second).resolves.toBeUndefined();
  });
});
