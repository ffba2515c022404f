// infra --> (data key) --> the customer managed KMS key that encrypts mail at rest and in queues.
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * A customer managed key for mail data. Mail to a public authority is personal data; keys of our own
 * let ops revoke access in one place and show every use in CloudTrail. The stack has two: one SES
 * writes with (bucket, inbound topic) and one for the rest (queues, routing log, secret, alarm topic):
 * the queue key's policy names the inbound topic, which could not also be encrypted with it.
 *
 * Defaults: yearly rotation on, RETAIN on stack deletion (retained data stays readable), and the
 * CDK default policy (the account administers the key; IAM policies grant its use).
 */
export class DataKey extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: { description: string }) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: `mailroute: ${props.description}`,
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * Lets an AWS service use the key on our behalf, only for requests that come from this account and
   * from the given source resources (confused-deputy protection).
   */
  allowService(props: { sid: string; service: string; actions: string[]; sourceArns: string[] }): void {
    const account = Stack.of(this).account;
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: props.sid,
        principals: [new iam.ServicePrincipal(props.service)],
        actions: props.actions,
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': props.sourceArns },
        },
      }),
    );
  }
}
