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

const FROM_OUR_RULES = {
  StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
  ArnLike: {
    'aws:SourceArn': Match.anyValue(),
  },
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

  beforeAll(() => {
    template = templateOf({ config: { retentionDays: 90 } });
    rules = template.findResources('AWS::SES::ReceiptRule') as Record<string, Resource>;
    [mailBucketId] = only(
      template.findResources('AWS::S3::Bucket', {
        Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true }] } },
      }),
    );
  });

  it('has one receipt rule per functional address, matching that recipient, in one named rule set', () => {
    template.hasResourceProperties('AWS::SES::ReceiptRuleSet', { RuleSetName: 'mailroute' });
    const recipients = Object.values(rules).map(
      (rule) => (rule.Properties.Rule as { Recipients: string[] }).Recipients,
    );
    expect(recipients).toEqual([
      ['EUinternational@stockholm.se'],
      ['kommunstyrelsen@stockholm.se'],
      ['protocol@stockholm.se'],
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

  it('stores each message in S3 under its address prefix with a topic notification, and does nothing else', () => {
    const [topicId] = only(
      template.findResources('AWS::SNS::Topic', {
        Properties: { DisplayName: Match.stringLikeRegexp('stored by SES') },
      }),
    );
    for (const rule of Object.values(rules)) {
      const { Actions, Recipients } = rule.Properties.Rule as { Actions: unknown[]; Recipients: string[] };
      // Exactly one action: no Lambda, Stop, Bounce or DropSpam-style action can lose mail.
      expect(Actions).toEqual([
        {
          S3Action: {
            BucketName: { Ref: mailBucketId },
            ObjectKeyPrefix: `inbound/${Recipients[0]!.toLowerCase()}/`,
            TopicArn: { Ref: topicId },
          },
        },
      ]);
    }
  });

  it('has no spam-dropping filter or rule anywhere', () => {
    expect(template.findResources('AWS::SES::ReceiptFilter')).toEqual({});
    expect(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Description: Match.stringLikeRegexp('[Ss]pam') },
      }),
    ).toEqual({});
  });

  it('creates each rule only after the bucket, topic and key policies exist (SES test-writes on creation)', () => {
    const [bucketPolicyId] = only(
      template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: mailBucketId } } }),
    );
    for (const rule of Object.values(rules)) {
      expect(rule.DependsOn).toContain(bucketPolicyId);
      expect(rule.DependsOn?.some((id) => id.startsWith('InboxReceivedPolicy'))).toBe(true);
      expect(rule.DependsOn?.some((id) => id.startsWith('InboxKey'))).toBe(true);
    }
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

  it('allows SES to write only under the inbound prefixes, only from this account and rule set, only over TLS', () => {
    const [, policy] = only(
      template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: mailBucketId } } }),
    );
    const statements = (policy as Resource).Properties.PolicyDocument as { Statement: Statement[] };
    const allows = statements.Statement.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Principal: { Service: 'ses.amazonaws.com' }, Action: 's3:PutObject' });
    expect(JSON.stringify(allows[0]!.Condition)).toContain(':receipt-rule-set/mailroute:receipt-rule/*');
    expect(allows[0]!.Condition).toMatchObject({
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    });
    expect(statements.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('lets SES publish to the notification topic only from its own rules', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'ses.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: FROM_OUR_RULES,
          }),
        ]),
      },
    });
  });

  it('lets SES use the inbox key only from its own rules, and rotates the key', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'ses.amazonaws.com' }, Condition: FROM_OUR_RULES }),
        ]),
      },
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
