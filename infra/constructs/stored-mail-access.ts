// infra --> (stored mail access): the one way a function, or a person, gets to read the raw messages SES stored.
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeInboundObjectAccess } from '../nag.js';
import type { DataKey } from './data-key.js';

export interface StoredMailAccess {
  bucket: s3.IBucket;
  /** The key of the mail bucket: reading a message needs kms:Decrypt on it. */
  inboxKey: DataKey;
  /** The key prefixes SES stores under; nothing else in the bucket is readable. */
  inboundPrefixes: string[];
}

/** GetObject on the inbound prefixes only, and Decrypt on the inbox key only through S3. */
function readStoredMailStatements(scope: Construct, access: StoredMailAccess): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: access.inboundPrefixes.map((prefix) => access.bucket.arnForObjects(`${prefix}*`)),
    }),
    new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [access.inboxKey.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(scope).region}.amazonaws.com` } },
    }),
  ];
}

/** Lets a function's role read stored mail, with the cdk-nag acknowledgement of the prefix wildcard. */
export function grantReadStoredMail(role: iam.Role, access: StoredMailAccess): void {
  for (const statement of readStoredMailStatements(role, access)) role.addToPrincipalPolicy(statement);
  acknowledgeInboundObjectAccess(role, access.bucket, access.inboundPrefixes);
}

/**
 * A customer managed policy ops attach to the roles (or SSO permission sets) of the staff who may open
 * stored originals: an oversize notice names the original, and this is the access that opens it, with
 * the person's own sign-in, for as long as the original is kept. Read only; nothing else in the bucket.
 */
export class StoredMailReaderPolicy extends Construct {
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, access: StoredMailAccess) {
    super(scope, id);
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'mailroute: read the stored originals of received mail (attach to staff roles)',
      statements: readStoredMailStatements(this, access),
    });
    acknowledgeInboundObjectAccess(this.policy, access.bucket, access.inboundPrefixes);
  }
}
