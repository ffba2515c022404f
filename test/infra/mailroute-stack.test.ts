import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildStack, templateOf } from './stack-fixture.js';

describe('MailrouteStack', () => {
  it('describes itself and prints the MX record of the receiving domain only, for the region', () => {
    // Act
    const template = templateOf({ config: { region: 'us-east-1' } });

    // Assess
    expect(template.toJSON().Description).toMatch(/^mailroute: /);
    template.hasOutput('MxRecord', {
      Value: 'mailroute.stockholm.se MX 10 inbound-smtp.us-east-1.amazonaws.com',
    });
    const outputs = [
      'MailBucket',
      'StoredMailReaderPolicy',
      'RoutingTable',
      'RouterQueue',
      'DeadLetterQueue',
      'SubscriptionDeadLetterQueue',
      'AlarmTopic',
      'Dashboard',
    ];
    for (const output of outputs) template.hasOutput(output, { Value: Match.anyValue() });
  });

  it("prints the forwarding the city's mail system needs: each public address to the address SES receives", () => {
    templateOf().hasOutput('ForwardingSetup', {
      Value:
        'EUinternational@stockholm.se -> euinternational@mailroute.stockholm.se, kommunstyrelsen@stockholm.se -> kommunstyrelsen@mailroute.stockholm.se, protocol@stockholm.se -> protocol@mailroute.stockholm.se',
    });
  });

  it('offers a read-only managed policy for staff who open stored originals, on the inbound prefixes only', () => {
    // Act
    const [policy] = Object.values(
      templateOf().findResources('AWS::IAM::ManagedPolicy', {
        Properties: { Description: Match.stringLikeRegexp('stored originals') },
      }),
    );

    // Assess
    const statements = policy!.Properties.PolicyDocument.Statement as {
      Action: string;
      Resource: unknown;
      Condition?: unknown;
    }[];
    expect(statements.map((statement) => statement.Action)).toEqual(['s3:GetObject', 'kms:Decrypt']);
    expect(JSON.stringify(statements[0]!.Resource)).toMatch(/\/inbound\/protocol@stockholm\.se\/\*/);
    expect(statements[1]!.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
    });
  });

  it('leaves no DependsOn that a reference already enforces (cfn-lint W3005): functions wait for their role policy only', () => {
    // Act
    const template = templateOf({ config: { activateRuleSet: true }, withReconcile: true });

    // Assess
    const functions = template.findResources('AWS::Lambda::Function');
    // router, reconcile, confirm-send (issue 11), rule-set activation
    expect(Object.keys(functions)).toHaveLength(4);
    for (const fn of Object.values(functions)) {
      const role = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      expect(fn.DependsOn).toEqual([
        expect.stringMatching(new RegExp(`^${role.replace(/[0-9A-F]{8}$/, '')}DefaultPolicy`)),
      ]);
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
