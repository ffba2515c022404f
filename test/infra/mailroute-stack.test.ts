import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildStack, templateOf } from './stack-fixture.js';

describe('MailrouteStack', () => {
  it('describes itself and prints the MX record for the configured domain and region', () => {
    // Act
    const template = templateOf({ config: { region: 'us-east-1' } });

    // Assess
    expect(template.toJSON().Description).toMatch(/^mailroute: /);
    template.hasOutput('MxRecord', { Value: 'stockholm.se MX 10 inbound-smtp.us-east-1.amazonaws.com' });
    for (const output of ['MailBucket', 'RoutingTable', 'DeadLetterQueue', 'AlarmTopic', 'Dashboard']) {
      template.hasOutput(output, { Value: Match.anyValue() });
    }
  });

  it('warns, without failing, when the region is not a confirmed SES receiving region', () => {
    const { stack } = buildStack({ config: { region: 'eu-north-1' } });

    Annotations.fromStack(stack).hasWarning(
      '/Mailroute',
      Match.stringLikeRegexp('eu-north-1 offers an inbound-smtp'),
    );
  });

  it('does not warn in the default region', () => {
    const { stack } = buildStack();

    Annotations.fromStack(stack).hasNoWarning('/Mailroute', Match.stringLikeRegexp('inbound-smtp'));
  });
});
