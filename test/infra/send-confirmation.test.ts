import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SES_SEND_DETAIL_TYPE } from '../../functions/confirm-send/send-event.js';
import { ROUTING_ID_TAG } from '../../functions/route-mail/routing-states.js';
import { CONFIGURATION_SET_ENV } from '../../infra/constructs/send-confirmation.js';
import { templateOf } from './stack-fixture.js';

describe('SendConfirmation', () => {
  let template: Template;

  beforeAll(() => {
    template = templateOf();
  });

  it('publishes the Send events of one configuration set to the default EventBridge bus', () => {
    template.resourceCountIs('AWS::SES::ConfigurationSet', 1);
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: Match.stringLikeRegexp('^SendConfirmationSends') },
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: ['send'],
        EventBridgeDestination: {
          EventBusArn: Match.objectLike({
            'Fn::Join': Match.arrayWith([Match.arrayWith([':event-bus/default'])]),
          }),
        },
      }),
    });
  });

  it("routes only that set's Email Sent events carrying the routing id to the confirm function, with retries", () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ses'],
        'detail-type': [SES_SEND_DETAIL_TYPE],
        detail: {
          mail: {
            tags: {
              'ses:configuration-set': [{ Ref: Match.stringLikeRegexp('^SendConfirmationSends') }],
              [ROUTING_ID_TAG]: [{ exists: true }],
            },
          },
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SendConfirmationConfirm'), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
        }),
      ],
    });
  });

  it('names the configuration set to the router, and alarms on a second confirmed send', () => {
    const routers = template.findResources('AWS::Lambda::Function', {
      Properties: { Description: Match.stringLikeRegexp('classify and forward') },
    });
    const [router] = Object.values(routers);
    expect(router?.Properties.Environment.Variables[CONFIGURATION_SET_ENV]).toEqual({
      Ref: expect.stringMatching(/^SendConfirmationSends/),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'SecondSendConfirmed',
      Namespace: 'Mailroute',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });
});
