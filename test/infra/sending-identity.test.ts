import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildStack, templateOf } from './stack-fixture.js';

describe('SendingIdentity', () => {
  it('creates the sender and receiving domain identities with Easy DKIM and prints their DNS records', () => {
    // Act
    const template = templateOf();

    // Assess
    template.resourceCountIs('AWS::SES::EmailIdentity', 2);
    for (const domain of ['stockholm.se', 'mailroute.stockholm.se']) {
      template.hasResourceProperties('AWS::SES::EmailIdentity', {
        EmailIdentity: domain,
        DkimAttributes: { SigningEnabled: true },
        DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
      });
    }
    expect(
      Object.keys(template.findOutputs('*', { Description: Match.stringLikeRegexp('Easy DKIM') })),
    ).toHaveLength(6);
  });

  it('keeps the identities when the stack is deleted or replaces them', () => {
    const identities = Object.values(templateOf().findResources('AWS::SES::EmailIdentity'));

    expect(identities).toHaveLength(2);
    for (const identity of identities) {
      expect(identity).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
  });

  it("gives the sender's domain a custom MAIL FROM domain that falls back to amazonses.com until its DNS resolves", () => {
    // Act
    const template = templateOf();

    // Assess
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'stockholm.se',
      MailFromAttributes: {
        MailFromDomain: 'mailroute-bounce.stockholm.se',
        BehaviorOnMxFailure: 'USE_DEFAULT_VALUE',
      },
    });
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'mailroute.stockholm.se',
      MailFromAttributes: Match.absent(),
    });
  });

  it('prints the MX and SPF records of the MAIL FROM domain for the region', () => {
    // Act
    const template = templateOf({ config: { region: 'us-west-2', mailFromDomain: 'bounce.stockholm.se' } });

    // Assess
    const values = Object.values(
      template.findOutputs('*', { Description: Match.stringLikeRegexp('MAIL FROM') }),
    )
      .map((output) => output.Value)
      .sort();
    expect(values).toEqual([
      'bounce.stockholm.se MX 10 feedback-smtp.us-west-2.amazonses.com',
      'bounce.stockholm.se TXT "v=spf1 include:amazonses.com ~all"',
    ]);
  });

  it('creates no identity that config names as existing, and says how to set MAIL FROM on it by hand', () => {
    // Act
    const { stack } = buildStack({
      config: { existingIdentities: ['stockholm.se', 'mailroute.stockholm.se'] },
    });
    const template = templateOf({
      config: { existingIdentities: ['stockholm.se', 'mailroute.stockholm.se'] },
    });

    // Assess
    template.resourceCountIs('AWS::SES::EmailIdentity', 0);
    const commands = Object.values(
      template.findOutputs('*', { Description: Match.stringLikeRegexp('already existed') }),
    ).map((output) => output.Value);
    expect(commands).toEqual([
      'aws sesv2 put-email-identity-mail-from-attributes --email-identity stockholm.se --mail-from-domain mailroute-bounce.stockholm.se --behavior-on-mx-failure USE_DEFAULT_VALUE --region eu-west-1',
    ]);
    Annotations.fromStack(stack).hasWarning(
      '*',
      Match.stringLikeRegexp('set its custom MAIL FROM domain by hand'),
    );
  });
});
