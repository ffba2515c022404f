// Issue #16 point 4: a header value copied into the reasons (or any other value) must never make the
// routing record larger than DynamoDB's 400 KB item limit, which dynalite enforces as DynamoDB does.
// Without a record the message would cycle through the DLQ and reconcile for ever.
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RECORDED_ITEMS, MAX_RECORDED_TEXT } from '../../functions/core/bounded.js';
import { routeMessage } from '../../functions/route-mail/pipeline.js';
import type { RoutingRecord } from '../../functions/route-mail/ports.js';
import { plainMessage, type Rig, startRig } from '../helpers/pipeline-rig.js';

const DYNAMODB_ITEM_LIMIT = 400 * 1024;

/** DynamoDB's item size: attribute names and values, as UTF-8 (close enough for strings, lists and numbers). */
function itemBytes(record: RoutingRecord): number {
  return Buffer.byteLength(JSON.stringify(marshall(record, { removeUndefinedValues: true })), 'utf8');
}

describe('the routing record of a message with huge header values', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig();
  });

  afterAll(async () => {
    await rig.close();
  });

  it('is written, within the item limit, when an Auto-Submitted value of 450 KB goes into the reasons', async () => {
    // Prepare: a value larger than a DynamoDB item, in astral characters (4 bytes of UTF-8 each)
    const deps = await rig.freshDeps();
    const huge = `auto-replied${'\u{1F600}'.repeat(115_000)}`;
    const raw = plainMessage({ extraHeaders: `Auto-Submitted: ${huge}\r\n` });

    // Act
    const result = await routeMessage(deps, await deps.deliver(raw));

    // Assess
    expect(result.status).toBe('suppressed');
    const record = await deps.log.get(result.messageId);
    expect(record?.status).toBe('suppressed');
    expect(itemBytes(record as RoutingRecord)).toBeLessThan(DYNAMODB_ITEM_LIMIT);
    expect(record?.reasons.some((reason) => reason.startsWith('header:auto-submitted=auto-replied'))).toBe(
      true,
    );
    for (const reason of record?.reasons ?? []) expect(reason.length).toBeLessThanOrEqual(MAX_RECORDED_TEXT);
  });

  it('keeps a record within the limit whatever values it is given, the most and longest included', async () => {
    // Prepare: every string as long as a record may hold, every list as long
    const deps = await rig.freshDeps();
    const long = '\u{1F600}'.repeat(200_000);
    const record: RoutingRecord = {
      id: 'f'.repeat(64),
      receivedAt: new Date().toISOString(),
      functionalAddress: long,
      senderDomain: long,
      subjectSha256: 'a'.repeat(64),
      subjectLength: 1,
      category: 'other',
      confidence: 1,
      automated: true,
      reasons: Array.from({ length: 500 }, () => long),
      recipients: ['a@stockholm.se'],
      disposition: 'suppress',
      status: 'failed',
      bucket: 'mail',
      key: 'inbound/x',
      size: 1,
      updatedAt: new Date().toISOString(),
      failedStep: long,
      error: long,
    };

    // Act
    await deps.log.begin(record);
    const marked = await deps.log.update(
      record.id,
      { status: 'failed', updatedAt: new Date().toISOString(), error: long, reasons: record.reasons },
      ['failed'],
    );

    // Assess
    expect(marked).toBe(true);
    const stored = (await deps.log.get(record.id)) as RoutingRecord;
    expect(stored.reasons).toHaveLength(MAX_RECORDED_ITEMS);
    expect(stored.error?.length).toBeLessThanOrEqual(MAX_RECORDED_TEXT);
    expect(itemBytes(stored)).toBeLessThan(DYNAMODB_ITEM_LIMIT);
  });
});
