// cdk app --> (nag) --> cdk-nag's AwsSolutions pack as a synthesis validation plugin.
import { type App, type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * cdk-nag 3 is a policy-validation plugin, not an Aspect: any unacknowledged finding (error or
 * warning) fails `app.synth()`, and the report lands in the cloud assembly's validation report.
 * Acknowledgements live next to the construct they concern, each with its reason.
 */
export function applyNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}

/**
 * Reading or writing received mail needs `<bucket>/inbound/<address>/*`: objects are named by SES message
 * id, unknown until mail arrives, so the per-address prefix is the narrowest scope IAM can express.
 * Acknowledges exactly those findings (one per prefix) on the role's default policy, or on the managed
 * policy given, nothing broader.
 */
export function acknowledgeInboundObjectAccess(
  holder: iam.Role | iam.ManagedPolicy,
  bucket: s3.IBucket,
  prefixes: string[],
  why = 'read',
): void {
  const policy = holder instanceof iam.Role ? holder.node.findChild('DefaultPolicy') : holder;
  const bucketLogicalId = Stack.of(bucket).resolve(
    (bucket.node.defaultChild as CfnResource).logicalId,
  ) as string;
  for (const prefix of prefixes) {
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/${prefix}*]`,
      reason: `Received messages (${why}) are keyed by SES message id, unknown at deploy time; the functional address prefix is the narrowest scope.`,
    });
  }
}
