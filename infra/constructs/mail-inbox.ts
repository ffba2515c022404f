// SES receipt rules --> (mail inbox) --> raw MIME in an encrypted bucket + a notification on a topic.
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledgeInboundObjectAccess } from '../nag.js';
import type { DataKey } from './data-key.js';

/** One functional address: the public address, and the address SES receives its mail at. */
export interface InboxAddress {
  address: string;
  receivingAddress: string;
}

export interface MailInboxProps {
  /** Encrypts the bucket and the topic; only the role SES writes as may use it, and only through S3 and SNS. */
  inboxKey: DataKey;
  /**
   * Each gets its own receipt rule, matching the receiving address, and its own key prefix, named by the
   * public address (the router, reconcile and the IAM grants know it by that name).
   */
  functionalAddresses: InboxAddress[];
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
  constructor(
    private readonly action: {
      bucketName: string;
      objectKeyPrefix: string;
      topicArn: string;
      iamRoleArn: string;
    },
  ) {}

  bind(): ses.ReceiptRuleActionConfig {
    return { s3Action: this.action };
  }
}

/**
 * The inbound side of mailroute: SES receives, scans, and stores each message before any code of ours
 * runs, so nothing is lost from here on.
 *
 * - A receipt rule set (physical name from config), one rule per functional address (matching the
 *   address SES receives it at), spam and virus scanning on, TLS policy from config. Each rule has exactly
 *   one action: S3 with an SNS notification. No DropSpam rule, no Stop action, no Lambda action: an
 *   authority may not lose mail.
 * - The mail bucket: SSE-KMS with the inbox key (bucket key on), versioned, public access blocked,
 *   TLS-only, server access logs, expiry after `retentionDays`, RETAIN.
 * - SES writes as a role of its own (the S3 action's `IamRoleArn`): with a role, SES uses the role and
 *   only the role for the bucket, the key and the topic. With the bucket's default SSE-KMS it is S3, not
 *   SES, that calls KMS, so a key grant to the SES service principal would not cover the write, and SES
 *   test-writes `AMAZON_SES_SETUP_NOTIFICATION` when each rule is created: a denied write fails the
 *   deploy. The role may put objects under the inbound prefixes, use the inbox key through S3 and SNS
 *   only, and publish to the topic; SES may assume it only for this account's rules of this rule set.
 */
export class MailInbox extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;
  readonly topic: sns.Topic;
  readonly ruleSet: ses.ReceiptRuleSet;
  readonly rules: ses.ReceiptRule[] = [];
  /** The role SES assumes to store a message and notify the topic. */
  readonly writerRole: iam.Role;
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
    this.writerRole = this.createWriterRole(props);
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

  private createWriterRole(props: MailInboxProps): iam.Role {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'WriterRole', {
      description: 'mailroute: SES stores received mail and notifies the topic as this role',
      // Confused-deputy protection: only SES acting for this account's rules of this rule set.
      assumedBy: new iam.ServicePrincipal('ses.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': this.receiptRulesArn },
      }),
    });
    const prefixes = props.functionalAddresses.map((entry) => inboundPrefix(entry.address));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: prefixes.map((prefix) => this.bucket.arnForObjects(`${prefix}*`)),
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
      }),
    );
    // S3 encrypts the object (bucket default SSE-KMS; Decrypt for multipart uploads of large mail) and
    // SNS the notification (topic SSE), both as this role. Exact actions, not kms:GenerateDataKey*.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'],
        resources: [props.inboxKey.key.keyArn],
        conditions: {
          StringEquals: {
            'kms:ViaService': [`s3.${stack.region}.amazonaws.com`, `sns.${stack.region}.amazonaws.com`],
          },
        },
      }),
    );
    acknowledgeInboundObjectAccess(role, this.bucket, prefixes, 'stored by SES');
    return role;
  }

  private createRules(props: MailInboxProps): void {
    // SES test-writes through the role when a rule is created: the role's permissions must exist first.
    const writerPolicy = this.writerRole.node.findChild('DefaultPolicy');
    props.functionalAddresses.forEach((entry, index) => {
      const rule = this.ruleSet.addRule(`Rule${index}`, {
        receiptRuleName: receiptRuleName(entry.address),
        recipients: [entry.receivingAddress],
        scanEnabled: true,
        tlsPolicy: props.tlsPolicy === 'Require' ? ses.TlsPolicy.REQUIRE : ses.TlsPolicy.OPTIONAL,
        enabled: true,
        actions: [
          new StoreRawMessageAction({
            bucketName: this.bucket.bucketName,
            objectKeyPrefix: inboundPrefix(entry.address),
            topicArn: this.topic.topicArn,
            iamRoleArn: this.writerRole.roleArn,
          }),
        ],
      });
      rule.node.addDependency(writerPolicy);
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
