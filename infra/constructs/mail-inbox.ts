// SES receipt rules --> (mail inbox) --> raw MIME in an encrypted bucket + a notification on a topic.
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { DataKey } from './data-key.js';

export interface MailInboxProps {
  /** Encrypts the bucket and the topic; SES is allowed to use it for this rule set only. */
  inboxKey: DataKey;
  /** The public addresses; each gets its own receipt rule and key prefix. */
  functionalAddresses: string[];
  ruleSetName: string;
  tlsPolicy: 'Optional' | 'Require';
  /** Days a raw message is kept; the same bound applies to the access logs. */
  retentionDays: number;
}

/** Every received message is under this prefix (functions/reconcile lists it). */
export const INBOUND_ROOT = 'inbound/';

/** Where SES stores the raw messages of one functional address. */
export function inboundPrefix(address: string): string {
  return `${INBOUND_ROOT}${address.toLowerCase()}/`;
}

/** The S3 receipt action as CloudFormation takes it, without the bucket policy the L2 action would add. */
class StoreRawMessageAction implements ses.IReceiptRuleAction {
  constructor(private readonly action: { bucketName: string; objectKeyPrefix: string; topicArn: string }) {}

  bind(): ses.ReceiptRuleActionConfig {
    return { s3Action: this.action };
  }
}

/**
 * The inbound side of mailroute: SES receives, scans, and stores each message before any code of ours
 * runs, so nothing is lost from here on.
 *
 * - A receipt rule set (physical name from config), one rule per functional address (recipient match),
 *   spam and virus scanning on, TLS policy from config. Each rule has exactly one action: S3 with an SNS
 *   notification. No DropSpam rule, no Stop action, no Lambda action: an authority may not lose mail.
 * - The mail bucket: SSE-KMS with the inbox key (bucket key on), versioned, public access blocked,
 *   TLS-only, server access logs, expiry after `retentionDays`, RETAIN.
 * - The bucket, topic and key policies for SES are written here with `aws:SourceAccount` and
 *   `aws:SourceArn` (this rule set's rules): the L2 S3 action's generated policy lacks them.
 */
export class MailInbox extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;
  readonly topic: sns.Topic;
  readonly ruleSet: ses.ReceiptRuleSet;
  readonly rules: ses.ReceiptRule[] = [];
  /** ARN pattern of every rule in this rule set: the only source SES may write for. */
  readonly receiptRulesArn: string;

  constructor(scope: Construct, id: string, props: MailInboxProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.receiptRulesArn = stack.formatArn({
      service: 'ses',
      resource: 'receipt-rule-set',
      resourceName: `${props.ruleSetName}:receipt-rule/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });

    this.accessLogsBucket = this.createAccessLogsBucket(props.retentionDays);
    this.bucket = this.createMailBucket(props);
    this.topic = this.createTopic(props.inboxKey);
    this.allowSesToWrite(props);
    this.ruleSet = new ses.ReceiptRuleSet(this, 'RuleSet', { receiptRuleSetName: props.ruleSetName });
    this.createRules(props);
  }

  private createAccessLogsBucket(retentionDays: number): s3.Bucket {
    const bucket = new s3.Bucket(this, 'AccessLogs', {
      // S3 server access logging cannot deliver to an SSE-KMS bucket.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(retentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log destination of the mail bucket; logging it into itself would loop.',
    });
    return bucket;
  }

  private createMailBucket(props: MailInboxProps): s3.Bucket {
    return new s3.Bucket(this, 'Mail', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.inboxKey.key,
      bucketKeyEnabled: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'mail-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'retention',
          expiration: Duration.days(props.retentionDays),
          // A deleted or overwritten message stays recoverable for a month, then goes.
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
        { id: 'remove-expired-delete-markers', expiredObjectDeleteMarker: true },
      ],
    });
  }

  private createTopic(dataKey: DataKey): sns.Topic {
    return new sns.Topic(this, 'Received', {
      displayName: 'mailroute: message stored by SES',
      masterKey: dataKey.key,
      enforceSSL: true,
    });
  }

  private allowSesToWrite(props: MailInboxProps): void {
    const sesPrincipal = new iam.ServicePrincipal('ses.amazonaws.com');
    const fromOurRules = {
      StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
      ArnLike: { 'aws:SourceArn': this.receiptRulesArn },
    };
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowSesToStoreInboundMail',
        principals: [sesPrincipal],
        actions: ['s3:PutObject'],
        resources: props.functionalAddresses.map((address) =>
          this.bucket.arnForObjects(`${inboundPrefix(address)}*`),
        ),
        conditions: fromOurRules,
      }),
    );
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowSesToNotify',
        principals: [sesPrincipal],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromOurRules,
      }),
    );
    // SES encrypts with the key twice: the object (bucket default SSE-KMS) and the notification (topic SSE).
    props.inboxKey.allowService({
      sid: 'AllowSesToEncryptInboundMail',
      service: 'ses.amazonaws.com',
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      sourceArns: [this.receiptRulesArn],
    });
  }

  private createRules(props: MailInboxProps): void {
    props.functionalAddresses.forEach((address, index) => {
      const rule = this.ruleSet.addRule(`Rule${index}`, {
        receiptRuleName: receiptRuleName(address),
        recipients: [address],
        scanEnabled: true,
        tlsPolicy: props.tlsPolicy === 'Require' ? ses.TlsPolicy.REQUIRE : ses.TlsPolicy.OPTIONAL,
        enabled: true,
        actions: [
          new StoreRawMessageAction({
            bucketName: this.bucket.bucketName,
            objectKeyPrefix: inboundPrefix(address),
            topicArn: this.topic.topicArn,
          }),
        ],
      });
      // SES test-writes to the bucket and topic when the rule is created: the policies must exist first.
      const policies = [this.bucket.policy, this.topic.node.tryFindChild('Policy'), props.inboxKey.key];
      for (const policy of policies) if (policy) rule.node.addDependency(policy);
      this.rules.push(rule);
    });
  }
}

/** A readable, valid rule name: letters, digits, dots, dashes; at most 64 characters. */
export function receiptRuleName(address: string): string {
  const name = address
    .toLowerCase()
    .replace('@', '-at-')
    .replace(/[^a-z0-9.-]/g, '-');
  return name.slice(0, 64).replace(/[^a-z0-9]+$/, '');
}
