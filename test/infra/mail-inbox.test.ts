import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { receiptRuleName } from '../../infra/constructs/mail-inbox.js';
import { templateOf } from './stack-fixture.js';

type Resource = { Properties: Record<string, unknown>; DependsOn?: string[]; DeletionPolicy?: string };
type Statement = {
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Condition?: Record<string, unknown>;
};

function only<T>(values: Record<string, T>): [string, T] {
  const entries = Object.entries(values);
  expect(entries).toHaveLength(1);
  return entries[0]!;
}

describe('MailInbox', () => {
  let template: Template;
  let rules: Record<string, Resource>;
  let mailBucketId: string;
  let writerRoleId: string;

  beforeAll(() => {
    template = templateOf({ config: { retentionDays: 90 } });
    rules = template.findResources('AWS::SES::ReceiptRule') as Record<string, Resource>;
    [mailBucketId] = only(
      template.findResources('AWS::S3::Bucket', {
        Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true }] } },
      }),
    );
    [writerRoleId] = only(
      template.findResources('AWS::IAM::Role', {
        Properties: { Description: Match.stringLikeRegexp('SES stores received mail') },
      }),
    );
  });

  it('has one receipt rule per functional address, matching the address SES receives it at, in one named rule set', () => {
    template.hasResourceProperties('AWS::SES::ReceiptRuleSet', { RuleSetName: 'mailroute' });
    const recipients = Object.values(rules).map(
      (rule) => (rule.Properties.Rule as { Recipients: string[] }).Recipients,
    );
    expect(recipients).toEqual([
      ['euinternational@mailroute.stockholm.se'],
      ['kommunstyrelsen@mailroute.stockholm.se'],
      ['protocol@mailroute.stockholm.se'],
    ]);
  });

  it('scans for spam and viruses and accepts mail without TLS by default', () => {
    for (const rule of Object.values(rules)) {
      expect(rule.Properties.Rule).toMatchObject({ Enabled: true, ScanEnabled: true, TlsPolicy: 'Optional' });
    }
  });

  it('requires TLS when config says so', () => {
    templateOf({ config: { tlsPolicy: 'Require' } }).allResourcesProperties('AWS::SES::ReceiptRule', {
      Rule: Match.objectLike({ TlsPolicy: 'Require' }),
    });
  });

  it('stores each message in S3 under its public address prefix, as the writer role, with a topic notification, and does nothing else', () => {
    const [topicId] = only(
      template.findResources('AWS::SNS::Topic', {
        Properties: { DisplayName: Match.stringLikeRegexp('stored by SES') },
      }),
    );
    const publicAddresses = ['euinternational', 'kommunstyrelsen', 'protocol'].map(
      (name) => `${name}@stockholm.se`,
    );
    Object.values(rules).forEach((rule, index) => {
      const { Actions } = rule.Properties.Rule as { Actions: unknown[] };
      // Exactly one action: no Lambda, Stop, Bounce or DropSpam-style action can lose mail.
      expect(Actions).toEqual([
        {
          S3Action: {
            BucketName: { Ref: mailBucketId },
            ObjectKeyPrefix: `inbound/${publicAddresses[index]}/`,
            TopicArn: { Ref: topicId },
            IamRoleArn: { 'Fn::GetAtt': [writerRoleId, 'Arn'] },
          },
        },
      ]);
    });
  });

  it('has no spam-dropping filter or rule anywhere', () => {
    expect(template.findResources('AWS::SES::ReceiptFilter')).toEqual({});
    expect(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Description: Match.stringLikeRegexp('[Ss]pam') },
      }),
    ).toEqual({});
  });

  it("creates each rule only after the writer role's permissions exist (SES test-writes through it on creation)", () => {
    const [writerPolicyId] = only(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: writerRoleId }] } }),
    );
    for (const rule of Object.values(rules)) expect(rule.DependsOn).toEqual([writerPolicyId]);
  });

  it('lets SES assume the writer role only for this account and the rules of this rule set', () => {
    const role = template.toJSON().Resources[writerRoleId] as Resource;
    const statements = (role.Properties.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'ses.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
    expect(JSON.stringify(statements[0]!.Condition)).toContain(':receipt-rule-set/mailroute:receipt-rule/*');
  });

  it('lets the writer role put objects under the inbound prefixes, use the inbox key only through S3 and SNS, and publish to the topic', () => {
    const [, policy] = only(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: writerRoleId }] } }),
    );
    const statements = ((policy as Resource).Properties.PolicyDocument as { Statement: Statement[] })
      .Statement;
    const byAction = Object.fromEntries(
      statements.map((statement) => [[statement.Action].flat().sort().join(), statement]),
    );
    expect(Object.keys(byAction).sort()).toEqual(
      ['kms:Decrypt,kms:Encrypt,kms:GenerateDataKey', 's3:PutObject', 'sns:Publish'].sort(),
    );
    expect(JSON.stringify(byAction['s3:PutObject'])).toMatch(/\/inbound\/euinternational@stockholm\.se\/\*/);
    expect(JSON.stringify(byAction['s3:PutObject'])).not.toMatch(/"\/\*"/);
    expect(byAction['kms:Decrypt,kms:Encrypt,kms:GenerateDataKey']!.Condition).toEqual({
      StringEquals: { 'kms:ViaService': ['s3.eu-west-1.amazonaws.com', 'sns.eu-west-1.amazonaws.com'] },
    });
    expect(JSON.stringify(byAction['sns:Publish'])).toMatch(/InboxReceived/);
  });

  it('keeps mail in a versioned, SSE-KMS, non-public, access-logged bucket that expires after the retention', () => {
    const bucket = template.toJSON().Resources[mailBucketId] as Resource;
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: expect.anything() } },
        ],
      },
      LoggingConfiguration: { DestinationBucketName: expect.anything(), LogFilePrefix: 'mail-bucket/' },
    });
    expect(JSON.stringify(bucket.Properties.LifecycleConfiguration)).toContain('"ExpirationInDays":90');
  });

  it('grants the SES service principal nothing on the bucket, topic or key: the writer role is the only way in', () => {
    const policies = [
      ...Object.values(template.findResources('AWS::S3::BucketPolicy')),
      ...Object.values(template.findResources('AWS::SNS::TopicPolicy')),
    ].map((policy) => policy.Properties.PolicyDocument);
    const keyPolicies = Object.values(template.findResources('AWS::KMS::Key')).map(
      (key) => key.Properties.KeyPolicy,
    );
    for (const document of [...policies, ...keyPolicies]) {
      expect(JSON.stringify(document)).not.toContain('ses.amazonaws.com');
    }
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: mailBucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('rotates the inbox key', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      Description: Match.stringLikeRegexp('received mail'),
    });
  });

  it('writes access logs to a TLS-only bucket with S3-managed encryption (the only kind S3 logging takes)', () => {
    const logBuckets = template.findResources('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      },
    });
    const [logBucketId] = only(logBuckets);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logBucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' } }),
        ]),
      },
    });
  });
});

describe('receiptRuleName', () => {
  it('turns an address into a readable, valid SES rule name', () => {
    expect(receiptRuleName('EUinternational@stockholm.se')).toBe('euinternational-at-stockholm.se');
  });

  it('keeps to 64 characters and ends on a letter or digit', () => {
    const name = receiptRuleName(`${'a'.repeat(60)}+x@stockholm.se`);

    expect(name.length).toBeLessThanOrEqual(64);
    expect(name).toMatch(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/);
  });
});
