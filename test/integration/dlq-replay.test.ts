// Promise 2 of issue #5, the AWS side: `mailroute replay --dlq URL --to URL` moves dead-lettered
// notifications back to the router's queue, and routing them then completes each exactly once.
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayCommand } from '../../functions/local/commands/recovery.js';
import { type FakeSqs, startFakeSqs } from '../helpers/fake-sqs.js';
import { plainMessage, type Rig, sentFor, sqsEvent, startRig } from '../helpers/pipeline-rig.js';

describe('mailroute replay --dlq', () => {
  let rig: Rig;
  let sqs: FakeSqs;
  let client: SQSClient;

  beforeAll(async () => {
    rig = await startRig();
    sqs = await startFakeSqs();
    client = new SQSClient({
      endpoint: sqs.endpoint,
      region: 'eu-north-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  afterAll(async () => {
    client.destroy();
    await sqs.close();
    await rig.close();
  });

  it('moves every dead letter back to the queue; routed again they are sent once each', async () => {
    // Prepare: three notifications that exhausted their retries.
    const deps = await rig.freshDeps();
    const notifications = await Promise.all([1, 2, 3].map(() => deps.deliver(plainMessage())));
    for (const notification of notifications) sqs.put('dlq', JSON.stringify(notification));
    const unused = () => Promise.reject(new Error('replay --dlq needs no local router'));
    const lines: string[] = [];

    // Act
    const code = await replayCommand(
      ['--dlq', sqs.queueUrl('dlq'), '--to', sqs.queueUrl('inbound')],
      unused,
      { out: (line) => lines.push(line), err: () => undefined },
      client,
    );
    const moved = sqs.bodies('inbound');
    for (const body of [...moved, moved[0] ?? '']) {
      await deps.handle(sqsEvent(JSON.parse(body)));
    }

    // Assess
    expect(code).toBe(0);
    expect(sqs.bodies('dlq')).toEqual([]);
    expect(moved).toHaveLength(3);
    expect(lines).toEqual([`3 messages moved from the DLQ back to ${sqs.queueUrl('inbound')}`]);
    for (const notification of notifications) {
      expect(sentFor(rig.capture, notification.mail.messageId)).toHaveLength(1);
    }
  });
});
