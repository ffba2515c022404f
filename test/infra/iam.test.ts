import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { templateOf } from './stack-fixture.js';

type Statement = {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Principal?: { Service?: string | string[]; AWS?: unknown } | string;
  Condition?: Record<string, Record<string, unknown>>;
};
type PolicyResource = {
  Properties: { PolicyDocument: { Statement: Statement[] }; Roles: { Ref: string }[] };
};

/** Actions that have no resource-level permissions: the only ones that may have Resource "*". */
const ACTIONS_WITHOUT_RESOURCE_FORM = new Set([
  'ses:SetActiveReceiptRuleSet',
  'ses:DescribeActiveReceiptRuleSet',
]);

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every allow statement of every IAM policy, with the role it is attached to. */
function allowStatements(template: Template): { role: string; statement: Statement }[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as PolicyResource[];
  return policies.flatMap((policy) =>
    policy.Properties.Roles.flatMap((role) =>
      policy.Properties.PolicyDocument.Statement.filter((statement) => statement.Effect === 'Allow').map(
        (statement) => ({ role: role.Ref, statement }),
      ),
    ),
  );
}

/** The actions a role may take, each with its resources rendered as JSON text. */
function permissionsOf(template: Template, rolePrefix: string): Map<string, string[]> {
  const permissions = new Map<string, string[]>();
  for (const { role, statement } of allowStatements(template)) {
    if (!role.startsWith(rolePrefix)) continue;
    for (const action of list(statement.Action)) {
      const resources = list(statement.Resource).map((resource) => JSON.stringify(resource));
      permissions.set(action, [...(permissions.get(action) ?? []), ...resources]);
    }
  }
  return permissions;
}

describe('IAM policies of the stack', () => {
  let template: Template;

  beforeAll(() => {
    // Everything switched on: activation, alarm e-mail and the reconcile function.
    template = templateOf({
      config: { activateRuleSet: true, alarmEmail: 'ops@stockholm.se' },
      withReconcile: true,
    });
  });

  it('uses no wildcard action', () => {
    const wildcards = allowStatements(template).flatMap(({ statement }) =>
      list(statement.Action).filter((action) => action.includes('*')),
    );

    expect(wildcards).toEqual([]);
  });

  it('uses Resource "*" only for actions that have no resource form', () => {
    const offending = allowStatements(template)
      .filter(({ statement }) => list(statement.Resource).includes('*'))
      .flatMap(({ statement }) => list(statement.Action))
      .filter((action) => !ACTIONS_WITHOUT_RESOURCE_FORM.has(action));

    expect(offending).toEqual([]);
  });

  it('attaches no AWS managed policy to any role', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('gives the router exactly the actions of its contract', () => {
    const permissions = permissionsOf(template, 'RouterRole');

    expect([...permissions.keys()].sort()).toEqual(
      [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:GetObject',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'ses:SendRawEmail',
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
      ].sort(),
    );
  });

  it('lets the router read mail only under the inbound prefixes and send only as its own identity', () => {
    const permissions = permissionsOf(template, 'RouterRole');

    for (const resource of permissions.get('s3:GetObject')!)
      expect(resource).toMatch(/\/inbound\/[^/]+@[^/]+\/\*"/);
    expect(permissions.get('ses:SendRawEmail')!.join()).toMatch(/:identity\/stockholm\.se"/);
    expect(permissions.get('ses:SendRawEmail')!.join()).toMatch(/:identity\/mailroute@stockholm\.se"/);
    // Through the configuration set whose Send events confirm each send (issue #11).
    expect(permissions.get('ses:SendRawEmail')!.join()).toMatch(/:configuration-set\//);
    const sends = allowStatements(template).filter(
      ({ statement }) =>
        list(statement.Action).includes('ses:SendRawEmail') &&
        (statement as { Sid?: string }).Sid !== 'SendAcknowledgementsFromNoReply',
    );
    expect(sends.length).toBeGreaterThanOrEqual(1);
    for (const send of sends) {
      expect(send.statement.Condition).toEqual({
        StringEqualsIgnoreCase: { 'ses:FromAddress': 'mailroute@stockholm.se' },
        'ForAllValues:StringLike': { 'ses:Recipients': ['*@stockholm.se'] },
      });
    }
  });

  it('lets the router send only to the domains of the configured groups and triage addresses', () => {
    // Prepare
    const withPartner = templateOf({
      config: {
        categories: { eu_matter: { group: ['EU-team@Partner.Example.org'], tag: '[EU]' } },
      },
    });

    // Act
    const sends = allowStatements(withPartner).filter(
      ({ statement }) =>
        list(statement.Action).includes('ses:SendRawEmail') &&
        statement.Sid !== 'SendAcknowledgementsFromNoReply',
    );

    // Assess: both spellings, since IAM's StringLike is case-sensitive; every statement that lets it send.
    for (const send of sends) {
      expect(send.statement.Condition!['ForAllValues:StringLike']).toEqual({
        'ses:Recipients': ['*@Partner.Example.org', '*@partner.example.org', '*@stockholm.se'],
      });
    }
  });

  it('lets the router send acknowledgements only from the no-reply address, in a statement of its own', () => {
    const acknowledgements = allowStatements(template).filter(
      ({ statement }) => (statement as { Sid?: string }).Sid === 'SendAcknowledgementsFromNoReply',
    );

    expect(acknowledgements).toHaveLength(1);
    const [{ role, statement }] = acknowledgements as [{ role: string; statement: Statement }];
    expect(role).toMatch(/^RouterRole/);
    expect(list(statement.Action)).toEqual(['ses:SendRawEmail']);
    expect(statement.Condition).toEqual({
      StringEqualsIgnoreCase: { 'ses:FromAddress': ['no-reply@stockholm.se'] },
    });
    const resources = JSON.stringify(statement.Resource);
    expect(resources).toMatch(/:identity\/stockholm\.se"/);
    expect(resources).toMatch(/:configuration-set\//);
  });

  it('gives reconcile read access, one queue to send to, and only the update that reopens an unconfirmed send', () => {
    const permissions = permissionsOf(template, 'ReconcileRole');
    const actions = [...permissions.keys()];

    expect(actions).toEqual(
      expect.arrayContaining(['s3:ListBucket', 's3:GetObject', 'dynamodb:Query', 'sqs:SendMessage']),
    );
    expect(
      actions.filter((action) => /^(s3|dynamodb):(Put|Update|Delete)|SendRawEmail/.test(action)),
    ).toEqual(['dynamodb:UpdateItem']);
  });

  it('gives the confirm function the routing log item read and update, and nothing else of the data', () => {
    const permissions = permissionsOf(template, 'SendConfirmationConfirmRole');

    expect([...permissions.keys()].sort()).toEqual(
      [
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        'kms:Decrypt',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
      ].sort(),
    );
  });

  it('conditions every service-principal grant in key policies on the source', () => {
    const keys = Object.values(template.findResources('AWS::KMS::Key'));
    const serviceStatements = keys.flatMap((key) =>
      (key.Properties.KeyPolicy.Statement as Statement[]).filter(
        (statement) => typeof statement.Principal === 'object' && statement.Principal.Service,
      ),
    );

    expect(serviceStatements.length).toBeGreaterThanOrEqual(2);
    for (const statement of serviceStatements) {
      const conditionKeys = Object.values(statement.Condition ?? {}).flatMap((condition) =>
        Object.keys(condition),
      );
      expect(conditionKeys).toContain('aws:SourceArn');
    }
  });
});
