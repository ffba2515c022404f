// mail inbox --> (rule set activation) --> the receipt rule set becomes the region's active one, or ops are told how.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CfnOutput, CustomResource, Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { REPO_ROOT } from '../paths.js';
import { dependOnRolePolicyOnly } from './mailroute-function.js';

/** How long CloudFormation waits for the activation's answer (its Lambda times out after 30 s). */
export const ACTIVATION_SERVICE_TIMEOUT = Duration.minutes(2);

export interface RuleSetActivationProps {
  ruleSet: ses.IReceiptRuleSet;
  ruleSetName: string;
  region: string;
  /** Activate through a custom resource; otherwise only print the command. */
  activate: boolean;
  /** Resources that must exist before the set may receive (rules, policies). */
  dependsOn: Construct[];
}

/**
 * CloudFormation cannot activate a receipt rule set, and only one is active per region: activating
 * ours switches off any other. So activation is opt-in (`activateRuleSet`). When on, a small inline
 * Lambda (no bundling, no provider framework) activates it after every rule and policy exists and
 * records which set was active before (in the physical id). On removal, or on the rollback of a failed
 * deploy, it makes that earlier set active again if ours is still the active one (none, if none was).
 * CloudFormation waits for it at most SERVICE_TIMEOUT, not the default hour. When off, an output gives
 * ops the command.
 */
export class RuleSetActivation extends Construct {
  constructor(scope: Construct, id: string, props: RuleSetActivationProps) {
    super(scope, id);
    const command = `aws ses set-active-receipt-rule-set --rule-set-name ${props.ruleSetName} --region ${props.region}`;
    if (!props.activate) {
      new CfnOutput(this, 'ActivateCommand', {
        description: 'The rule set is NOT active. Check no other set is active in the region, then run this',
        value: command,
      });
      return;
    }

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'mailroute: activates the SES receipt rule set',
    });
    logGroup.grantWrite(role);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SetActiveReceiptRuleSet', 'ses:DescribeActiveReceiptRuleSet'],
        // These SES v1 actions have no resource-level permissions: "*" is their only form.
        resources: ['*'],
      }),
    );
    const fn = new lambda.Function(this, 'Function', {
      description: 'mailroute: activates the SES receipt rule set (custom resource)',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromInline(
        readFileSync(join(REPO_ROOT, 'infra/handlers/activate-rule-set.cjs'), 'utf8'),
      ),
      timeout: Duration.seconds(30),
      memorySize: 256,
      role,
      logGroup,
    });
    dependOnRolePolicyOnly(fn, role);
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::SesActiveReceiptRuleSet',
      properties: { RuleSetName: props.ruleSetName },
      serviceTimeout: ACTIVATION_SERVICE_TIMEOUT,
    });
    resource.node.addDependency(props.ruleSet, ...props.dependsOn);
    new CfnOutput(this, 'ActiveRuleSet', {
      description: 'This receipt rule set is the active one in the region (set by the stack)',
      value: props.ruleSetName,
    });

    const defaultPolicy = role.node.findChild('DefaultPolicy');
    Validations.of(defaultPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ses:SetActiveReceiptRuleSet and ses:DescribeActiveReceiptRuleSet support no resource-level permissions; the statement holds only these two actions.',
    });
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'nodejs22.x is the project runtime (see MailrouteFunction); this inline function follows it.',
    });
  }
}
