// Issue #6 follow-up: the DynamoDB calls one routed message costs, counted at the SDK client (every
// command the real dynalite-backed RoutingLog sends), so that a saving on the hot path cannot silently
// regress. Issue #5's guarantees are tested in exactly-once, faults and reconcile; this counts only.
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoutingTable, DynamoDbRoutingLog } from '../../functions/adapters/dynamodb-routing-log.js';
import { localDynamoClient } from '../../functions/local/aws-clients.js';
import { routeMessage } from '../../functions/route-mail/pipeline.js';
import { plainMessage, type Rig, sentFor, startRig } from '../helpers/pipeline-rig.js';

/** A DynamoDB client that counts the commands it sends, by name. */
async function countingClient(endpoint: string): Promise<{ client: DynamoDBClient; calls: string[] }> {
  const client = await localDynamoClient(endpoint);
  const calls: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return { client, calls };
}

describe('DynamoDB calls per routed message (dynalite, counted at the SDK client)', () => {
  let rig: Rig;
  let table = 0;

  beforeAll(async () => {
    rig = await startRig();
  });

  afterAll(async () => {
    await rig.close();
  });

  async function countingDeps(perSenderPerHour = 30) {
    const { client, calls } = await countingClient(rig.dynalite.endpoint);
    const name = `counted-${process.pid}-${++table}`;
    await createRoutingTable(client, name);
    const deps = await rig.freshDeps({
      log: new DynamoDbRoutingLog(client, name),
      configOverrides: { rateLimit: { perSenderPerHour } },
    });
    calls.length = 0;
    return { deps, calls, client };
  }

  it('forwards a new message with four (the put in claimed, the rate count, claimed -> sending, the mark), and acknowledges it with three', async () => {
    // Prepare
    const { deps, calls, client } = await countingDeps();
    const notification = await deps.deliver(plainMessage());

    // Act
    const routed = await routeMessage(deps, notification);
    const forwardCalls = [...calls];
    calls.length = 0;
    const again = await routeMessage(deps, notification);
    client.destroy();

    // Assess
    expect(routed).toMatchObject({ status: 'forwarded', duplicate: false });
    expect(forwardCalls).toEqual([
      'PutItemCommand',
      'UpdateItemCommand',
      'UpdateItemCommand',
      'UpdateItemCommand',
      // The acknowledgement to the sender (issue #14): the period slot, due -> sending, the mark.
      'UpdateItemCommand',
      'UpdateItemCommand',
      'UpdateItemCommand',
    ]);
    expect(again).toMatchObject({ status: 'forwarded', duplicate: true });
    // A duplicate: the failed put, and (dynalite returns no item with the failed condition) one read.
    expect(calls).toEqual(['PutItemCommand', 'GetItemCommand']);
    expect(sentFor(rig.capture, notification.mail.messageId)).toHaveLength(1);
  });

  it('logs a message held back (quarantined) with one write', async () => {
    // Prepare: a failed spam verdict holds it for a person.
    const { deps, calls, client } = await countingDeps();
    const notification = await deps.deliver(plainMessage(), { receipt: { spamVerdict: { status: 'FAIL' } } });

    // Act
    const routed = await routeMessage(deps, notification);
    client.destroy();

    // Assess
    expect(routed).toMatchObject({ status: 'quarantined', duplicate: false });
    expect(calls).toEqual(['PutItemCommand']);
  });

  it('holds a message over the rate limit back with four writes (the put, the count beside the gate, the gate, the hold) and no send', async () => {
    // Prepare: a limit of one; the first message from the sender takes it.
    const { deps, calls, client } = await countingDeps(1);
    await routeMessage(deps, await deps.deliver(plainMessage({ from: 'flood@example.org' })));
    const second = await deps.deliver(plainMessage({ from: 'flood@example.org' }));
    calls.length = 0;

    // Act
    const routed = await routeMessage(deps, second);
    client.destroy();

    // Assess
    expect(routed).toMatchObject({ status: 'quarantined', duplicate: false });
    expect(calls).toEqual(['PutItemCommand', 'UpdateItemCommand', 'UpdateItemCommand', 'UpdateItemCommand']);
    expect(sentFor(rig.capture, second.mail.messageId)).toHaveLength(0);
  });

  it('takes the existing record from a failed put when DynamoDB returns it (ALL_OLD), without a read', async () => {
    // Prepare: a client that answers the put as DynamoDB does for a duplicate (dynalite returns no item).
    const existing = { id: 'dup', status: 'forwarded', sesMessageId: 'ses-1', reasons: [], recipients: [] };
    const sent: string[] = [];
    const client = {
      send: async (command: { constructor: { name: string } }) => {
        sent.push(command.constructor.name);
        throw new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: {},
          Item: marshall(existing),
        });
      },
    } as unknown as DynamoDBClient;
    const log = new DynamoDbRoutingLog(client, 'any');

    // Act
    const begun = await log.begin({ ...existing, status: 'sending' } as never);

    // Assess
    expect(begun).toEqual({ created: false, existing });
    expect(sent).toEqual(['PutItemCommand']);
  });
});
