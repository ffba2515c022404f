import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../functions/core/types.js';
import { DISPOSITIONS } from '../../infra/constructs/observability.js';
import { templateOf } from './stack-fixture.js';

type Alarm = { Properties: Record<string, unknown> };

describe('Observability', () => {
  let template: Template;
  let alarms: Alarm[];

  beforeAll(() => {
    template = templateOf({
      config: { alarmEmail: 'ops@stockholm.se', quarantineAlarmPerHour: 12 },
      withReconcile: false,
    });
    alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Alarm[];
  });

  function alarmOn(metricName: string, dimension?: { Name: string; Value: string }): Alarm {
    const found = alarms.filter(
      (alarm) =>
        alarm.Properties.MetricName === metricName &&
        (!dimension || JSON.stringify(alarm.Properties.Dimensions).includes(JSON.stringify(dimension))),
    );
    expect(found, `one alarm on ${metricName}`).toHaveLength(1);
    return found[0]!;
  }

  it('alarms when either dead-letter queue holds a message', () => {
    // Act
    const deadLetterAlarms = alarms.filter(
      (alarm) => alarm.Properties.MetricName === 'ApproximateNumberOfMessagesVisible',
    );

    // Assess: the router's and the SNS subscription's, one alarm each.
    const queues = deadLetterAlarms.map((alarm) => {
      expect(alarm.Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      const [dimension] = alarm.Properties.Dimensions as { Value: { 'Fn::GetAtt': [string, string] } }[];
      return dimension!.Value['Fn::GetAtt'][0];
    });
    expect(queues.sort()).toEqual([
      expect.stringMatching(/^QueueDeadLetter/),
      expect.stringMatching(/^QueueSubscriptionDeadLetter/),
    ]);
  });

  it('alarms on router errors and throttles', () => {
    expect(alarmOn('Errors').Properties).toMatchObject({ Namespace: 'AWS/Lambda', Threshold: 1 });
    expect(alarmOn('Throttles').Properties).toMatchObject({ Namespace: 'AWS/Lambda', Threshold: 1 });
  });

  it('alarms when the oldest queued message is older than 15 minutes', () => {
    expect(alarmOn('ApproximateAgeOfOldestMessage').Properties).toMatchObject({
      Threshold: 900,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('alarms on an unusual number of quarantined messages per hour, from the handler metric', () => {
    expect(
      alarmOn('MessagesByDisposition', { Name: 'disposition', Value: 'quarantine' }).Properties,
    ).toMatchObject({
      Namespace: 'Mailroute',
      Statistic: 'Sum',
      Period: 3600,
      Threshold: 12,
      Dimensions: expect.arrayContaining([{ Name: 'service', Value: 'mailroute' }]),
    });
  });

  it('sends every alarm, and its recovery, to the ops topic, and treats silence as healthy', () => {
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({
        AlarmActions: [{ Ref: expect.stringMatching(/^ObservabilityAlarmTopic/) }],
        OKActions: [{ Ref: expect.stringMatching(/^ObservabilityAlarmTopic/) }],
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('subscribes the configured e-mail address to an encrypted, TLS-only alarm topic', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@stockholm.se',
    });
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'mailroute alarms',
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: Match.stringLikeRegexp('^ObservabilityAlarmTopic') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' }),
        ]),
      },
    });
  });

  it('subscribes nobody when no e-mail address is configured', () => {
    templateOf().resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email' }, 0);
  });

  it('shows messages per category and disposition per hour, errors, duration and queue depth', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    // The body is a Fn::Join of literal JSON and resource references.
    const body = JSON.stringify(dashboards[0]!.Properties.DashboardBody);

    for (const title of [
      'Messages per category (per hour)',
      'Disposition per hour',
      'Errors',
      'Router duration',
      'Queue depth',
    ]) {
      expect(body).toContain(title);
    }
    for (const category of CATEGORIES) expect(body).toContain(`\\"category\\",\\"${category}\\"`);
    for (const disposition of DISPOSITIONS) expect(body).toContain(`\\"disposition\\",\\"${disposition}\\"`);
    expect(body).toContain('\\"period\\":3600');
  });
});
