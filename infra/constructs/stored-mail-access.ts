// infra --> (stored mail access): the one way a function gets to read the raw messages SES stored.
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { acknowledgeInboundObjectAccess } from '../nag.js';
import type { DataKey } from './data-key.js';

export interface StoredMailAccess {
  bucket: s3.IBucket;
  /** The key of the mail bucket: reading a message needs kms:Decrypt on it. */
  inboxKey: DataKey;
  /** The key prefixes SES stores under; nothing else in the bucket is readable. */
  inboundPrefixes: string[];
}

/**
 * GetObject on the inbound prefixes only, and Decrypt on the inbox key only through S3, with the
 * cdk-nag acknowledgement of the prefix wildcard (message keys are unknown at deploy time).
 */
export function grantReadStoredMail(role: iam.Role, access: StoredMailAccess): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: access.inboundPrefixes.map((prefix) => access.bucket.arnForObjects(`${prefix}*`)),
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [access.inboxKey.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(role).region}.amazonaws.com` } },
    }),
  );
  acknowledgeInboundObjectAccess(role, access.bucket, access.inboundPrefixes);
}
