import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { INBOUND_PREFIX } from '../../functions/reconcile/reconcile.js';
import { INBOUND_ROOT } from '../../infra/constructs/mail-inbox.js';
import { RECONCILE_ENTRY, reconcileSourceExists } from '../../infra/constructs/reconcile-function.js';
import { templateOf } from './stack-fixture.js';

describe('ReconcileFunction', () => {
  let template: Template;

  beforeAll(() => {
    template = templateOf({ withReconcile: true });
  });

  it('is part of the stack once its handler exists', () => {
    expect(reconcileSourceExists()).toBe(true);
    expect(RECONCILE_ENTRY).toBe('functions/reconcile/handler.ts');
  });

  it('runs every 15 minutes, one run at a time', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReconcileFunction'), 'Arn'] } }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('re-drive'),
      ReservedConcurrentExecutions: 1,
      Environment: {
        Variables: Match.objectLike({
          ROUTE_QUEUE_URL: { Ref: Match.stringLikeRegexp('^Queue') },
          MAIL_BUCKET_NAME: { Ref: Match.stringLikeRegexp('^InboxMail') },
          ROUTING_TABLE_NAME: { Ref: Match.stringLikeRegexp('^RoutingLogTable') },
        }),
      },
    });
  });

  it('may list exactly the prefix the handler lists', () => {
    expect(INBOUND_ROOT).toBe(INBOUND_PREFIX);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 's3:ListBucket',
            Condition: { StringLike: { 's3:prefix': [INBOUND_PREFIX, `${INBOUND_PREFIX}*`] } },
          }),
        ]),
      },
    });
  });

  it('alarms when a run leaves messages unfinished, and when it fails', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Mailroute',
      MetricName: 'ReconcileUnfinished',
      Dimensions: [{ Name: 'service', Value: 'mailroute' }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'Errors' }, 2);
  });

  it('is left out when switched off, and the stack still synthesises', () => {
    const without = templateOf({ withReconcile: false });

    without.resourcePropertiesCountIs('AWS::Events::Rule', { ScheduleExpression: Match.anyValue() }, 0);
    without.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'ReconcileUnfinished' }, 0);
  });
});
