import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTER_TIMEOUT } from '../../infra/constructs/router-function.js';
import { templateOf } from './stack-fixture.js';

type Resource = { Properties: Record<string, unknown> };

describe('MailQueue', () => {
  let template: Template;
  let queueId: string;
  let deadLetterId: string;
  let subscriptionDeadLetterId: string;

  beforeAll(() => {
    template = templateOf();
    const queues = template.findResources('AWS::SQS::Queue') as Record<string, Resource>;
    queueId = Object.keys(queues).find((id) => queues[id]!.Properties.RedrivePolicy)!;
    deadLetterId = Object.keys(queues).find((id) => id.startsWith('QueueDeadLetter'))!;
    subscriptionDeadLetterId = Object.keys(queues).find((id) =>
      id.startsWith('QueueSubscriptionDeadLetter'),
    )!;
  });

  it('has three queues: the router queue and a dead-letter queue for each hop', () => {
    expect(Object.keys(template.findResources('AWS::SQS::Queue')).sort()).toEqual(
      [queueId, deadLetterId, subscriptionDeadLetterId].sort(),
    );
    expect(new Set([queueId, deadLetterId, subscriptionDeadLetterId]).size).toBe(3);
  });

  it('subscribes the queue to the SES topic with raw message delivery and a dead-letter queue of its own', () => {
    // Its own: StartMessageMoveTask does not redrive a dead-letter queue whose source is SNS.
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      Endpoint: { 'Fn::GetAtt': [queueId, 'Arn'] },
      RawMessageDelivery: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [subscriptionDeadLetterId, 'Arn'] } },
    });
  });

  it('moves a message to the dead-letter queue after a few receives', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterId, 'Arn'] }, maxReceiveCount: 5 },
    });
  });

  it('hides a message in flight for longer than the router may run', () => {
    const queue = template.toJSON().Resources[queueId] as Resource;

    expect(queue.Properties.VisibilityTimeout).toBeGreaterThan(ROUTER_TIMEOUT.toSeconds());
  });

  it('encrypts every queue with the customer managed data key and keeps messages 14 days', () => {
    for (const id of [queueId, deadLetterId, subscriptionDeadLetterId]) {
      const queue = template.toJSON().Resources[id] as Resource;
      expect(queue.Properties).toMatchObject({
        KmsMasterKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] },
        MessageRetentionPeriod: 14 * 86_400,
      });
    }
  });

  it('lets only the SES topic send to the queue and its dead-letter queue, and only over TLS', () => {
    for (const id of [queueId, subscriptionDeadLetterId]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'sns.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Condition: {
                ArnEquals: { 'aws:SourceArn': { Ref: Match.stringLikeRegexp('^InboxReceived') } },
              },
            }),
          ]),
        },
      });
    }
  });

  it('feeds the router one message at a time with partial batch responses, capped at its concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });
});
