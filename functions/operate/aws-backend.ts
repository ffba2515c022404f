// operator's machine --> (AWS backend) --> a deployed Mailroute stack, found by its CloudFormation
// outputs and reached with the caller's usual credentials, profile and region. Nothing new is exposed:
// the console and the CLI run here and call the AWS APIs directly.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
} from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeActiveReceiptRuleSetCommand, SESClient } from '@aws-sdk/client-ses';
import { GetAccountCommand, GetEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { parseMailrouteConfig } from '../../infra/config.js';
import { DynamoDbRoutingLog } from '../adapters/dynamodb-routing-log.js';
import { S3MailStore } from '../adapters/s3-mail-store.js';
import { SesMailSender } from '../adapters/ses-mail-sender.js';
import { loadRouterConfigFile } from '../config/load.js';
import type { RouterConfig } from '../config/schema.js';
import type { PipelineLogger } from '../route-mail/pipeline.js';
import type { OperatorBackend } from './backend.js';
import { routingLogChecks, type StatusCheck } from './status.js';

/** The stack outputs the operator tools read (infra/mailroute-stack.ts writes them). */
export const STACK_OUTPUTS = {
  table: 'RoutingTable',
  bucket: 'MailBucket',
  queue: 'RouterQueue',
  deadLetterQueue: 'DeadLetterQueue',
  loopSecret: 'LoopSecretArn',
  ruleSet: 'RuleSetName',
  alarmTopic: 'AlarmTopic',
} as const;

/** Every client the backend uses; tests pass their own (endpoints of local stand-ins, or mocks). */
export interface AwsClients {
  cloudformation: CloudFormationClient;
  dynamodb: DynamoDBClient;
  s3: S3Client;
  sqs: SQSClient;
  /** SES v2 for sending (a reroute, a release). */
  sesSend: SESv2Client;
  /** SES v2 for the account and identity checks of `status`. */
  sesAccount: SESv2Client;
  /** SES v1: receipt rules exist only there. */
  sesReceipt: SESClient;
  cloudwatch: CloudWatchClient;
  secrets: SecretsManagerClient;
  sts: STSClient;
}

export function defaultAwsClients(): AwsClients {
  return {
    cloudformation: new CloudFormationClient({}),
    dynamodb: new DynamoDBClient({}),
    s3: new S3Client({}),
    sqs: new SQSClient({}),
    sesSend: new SESv2Client({}),
    sesAccount: new SESv2Client({}),
    sesReceipt: new SESClient({}),
    cloudwatch: new CloudWatchClient({}),
    secrets: new SecretsManagerClient({}),
    sts: new STSClient({}),
  };
}

export interface StackDescription {
  status: string;
  outputs: Record<string, string>;
}

export async function describeStack(
  client: CloudFormationClient,
  stackName: string,
): Promise<StackDescription> {
  let response: DescribeStacksCommandOutput;
  try {
    response = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  } catch (error) {
    throw new Error(`cannot read stack ${stackName}: ${(error as Error).message}`);
  }
  const stack = response.Stacks?.[0];
  if (!stack) throw new Error(`stack ${stackName} not found`);
  const outputs: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey && output.OutputValue !== undefined) outputs[output.OutputKey] = output.OutputValue;
  }
  return { status: stack.StackStatus ?? 'UNKNOWN', outputs };
}

function requireOutput(stackName: string, outputs: Record<string, string>, key: string): string {
  const value = outputs[key];
  if (!value) {
    throw new Error(
      `stack ${stackName} has no output ${key}: deploy this version of mailroute (cdk deploy) to add it`,
    );
  }
  return value;
}

/**
 * The router configuration the stack was deployed with, read the way `cdk deploy` reads it: the
 * `MAILROUTE_CONFIG` file when set, else the `mailroute` context key of cdk.json in `cwd`, else the
 * defaults. `status` compares it with the live receipt rules, so a drift shows.
 */
export function deployedRouterConfig(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): RouterConfig {
  if (env.MAILROUTE_CONFIG) return loadRouterConfigFile(join(cwd, env.MAILROUTE_CONFIG));
  const cdkJson = join(cwd, 'cdk.json');
  if (existsSync(cdkJson)) {
    const context = (JSON.parse(readFileSync(cdkJson, 'utf8')) as { context?: Record<string, unknown> })
      .context;
    return parseMailrouteConfig(context?.mailroute).router;
  }
  return loadRouterConfigFile(undefined);
}

export interface AwsBackendOptions {
  stackName: string;
  config: RouterConfig;
  clients?: Partial<AwsClients>;
  /** Release and reroute sign the loop marker with the router's secret; read-only commands do not need it. */
  needsLoopSecret?: boolean;
  logger?: PipelineLogger;
  now?: () => Date;
}

const stderrLogger: PipelineLogger = {
  info: () => undefined,
  warn: (message, attributes) => console.error(`warn: ${message}`, JSON.stringify(attributes ?? {})),
  error: (message, attributes) => console.error(`error: ${message}`, JSON.stringify(attributes ?? {})),
};

export async function openAwsBackend(options: AwsBackendOptions): Promise<OperatorBackend> {
  const clients: AwsClients = { ...defaultAwsClients(), ...options.clients } as AwsClients;
  const { stackName, config } = options;
  const stack = await describeStack(clients.cloudformation, stackName);
  const table = requireOutput(stackName, stack.outputs, STACK_OUTPUTS.table);
  const bucket = requireOutput(stackName, stack.outputs, STACK_OUTPUTS.bucket);
  let loopSecret = '';
  if (options.needsLoopSecret) {
    const arn = requireOutput(stackName, stack.outputs, STACK_OUTPUTS.loopSecret);
    const secret = await clients.secrets.send(new GetSecretValueCommand({ SecretId: arn }));
    loopSecret = secret.SecretString ?? '';
    if (loopSecret.length < 16)
      throw new Error(`the loop secret ${arn} is not a string of 16 characters or more`);
  }
  const now = options.now ?? (() => new Date());
  const deps = {
    config,
    store: new S3MailStore(clients.s3, bucket),
    log: new DynamoDbRoutingLog(clients.dynamodb, table),
    sender: new SesMailSender(clients.sesSend),
    now,
    logger: options.logger ?? stderrLogger,
    loopSecret,
  };
  const queueUrl = () => requireOutput(stackName, stack.outputs, STACK_OUTPUTS.queue);
  const deadLetterUrl = () => requireOutput(stackName, stack.outputs, STACK_OUTPUTS.deadLetterQueue);

  return {
    kind: 'aws',
    description: `AWS stack ${stackName} (${stack.status}): table ${table}, bucket ${bucket}`,
    deps,
    redrive: async (notification) => {
      await clients.sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl(), MessageBody: JSON.stringify(notification) }),
      );
    },
    operator: async () => {
      const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
      return identity.Arn ?? identity.UserId ?? 'unknown';
    },
    statusChecks: async () => [
      stackCheck(stackName, stack.status),
      ...(await awsAccountChecks(clients, stack.outputs, config)),
      ...(await routingLogChecks(deps)),
    ],
    replayDeadLetters: async () => {
      const { replayDeadLetters } = await import('./replay.js');
      return replayDeadLetters(deadLetterUrl(), queueUrl(), clients.sqs);
    },
    close: async () => {
      for (const client of Object.values(clients)) (client as { destroy(): void }).destroy();
    },
  };
}

function stackCheck(stackName: string, status: string): StatusCheck {
  const ok = /_COMPLETE$/.test(status) && !/ROLLBACK|DELETE/.test(status);
  return {
    name: 'aws.stack',
    ok,
    summary: `CloudFormation stack ${stackName}: ${status}`,
    action: ok ? undefined : 'look at the stack events in CloudFormation',
  };
}

/** Each check stands alone: one API call the caller may not make must not hide the others. */
async function guarded(name: string, run: () => Promise<StatusCheck[]>): Promise<StatusCheck[]> {
  try {
    return await run();
  } catch (error) {
    return [
      {
        name,
        ok: false,
        summary: `could not check: ${(error as Error).message}`,
        action: 'check the credentials and their permissions for this call',
      },
    ];
  }
}

export async function awsAccountChecks(
  clients: Pick<AwsClients, 'sesReceipt' | 'sesAccount' | 'sqs' | 'cloudwatch'>,
  outputs: Record<string, string>,
  config: RouterConfig,
  now = new Date(),
): Promise<StatusCheck[]> {
  const checks = await Promise.all([
    guarded('ses.receiptRules', () => receiptRuleCheck(clients.sesReceipt, outputs, config)),
    guarded('ses.account', () => accountCheck(clients.sesAccount)),
    guarded('ses.identity', () => identityChecks(clients.sesAccount, config)),
    guarded('sqs.deadLetterQueue', () => deadLetterCheck(clients.sqs, outputs)),
    guarded('cloudwatch.alarms', () => alarmCheck(clients.cloudwatch, outputs)),
    guarded('reconcile.lastRun', () => lastReconcileCheck(clients.cloudwatch, now)),
  ]);
  return checks.flat();
}

/** SES receives for an address when an enabled rule names it, its domain, or a parent domain (`.example.org`). */
export function ruleCovers(recipients: string[], address: string): boolean {
  const lower = address.toLowerCase();
  const domain = lower.slice(lower.lastIndexOf('@') + 1);
  return recipients.some((recipient) => {
    const entry = recipient.toLowerCase();
    if (entry === lower || entry === domain) return true;
    return entry.startsWith('.') && domain.endsWith(entry);
  });
}

async function receiptRuleCheck(
  client: SESClient,
  outputs: Record<string, string>,
  config: RouterConfig,
): Promise<StatusCheck[]> {
  const active = await client.send(new DescribeActiveReceiptRuleSetCommand({}));
  const expected = outputs[STACK_OUTPUTS.ruleSet];
  const name = active.Metadata?.Name;
  if (!name) {
    return [
      {
        name: 'ses.receiptRules',
        ok: false,
        summary: 'no receipt rule set is active in this region: no mail is received',
        action: `activate ${expected ?? 'the stack'}'s rule set (see the stack output ActivateCommand)`,
      },
    ];
  }
  const enabled = (active.Rules ?? []).filter((rule) => rule.Enabled !== false);
  const uncovered = config.functionalAddresses
    .map((entry) => entry.address)
    .filter((address) => !enabled.some((rule) => ruleCovers(rule.Recipients ?? [], address)));
  const wrongSet = expected !== undefined && expected !== name;
  const ok = uncovered.length === 0 && !wrongSet;
  return [
    {
      name: 'ses.receiptRules',
      ok,
      summary: wrongSet
        ? `active rule set is ${name}, not this stack's ${expected}`
        : uncovered.length > 0
          ? `active rule set ${name} has no enabled rule for ${uncovered.join(', ')}`
          : `active rule set ${name}: ${enabled.length} enabled rules cover all ${config.functionalAddresses.length} functional addresses`,
      action: ok ? undefined : 'deploy with the same configuration, or activate the stack rule set',
      details: { activeRuleSet: name, expectedRuleSet: expected, uncovered },
    },
  ];
}

async function accountCheck(client: SESv2Client): Promise<StatusCheck[]> {
  const account = await client.send(new GetAccountCommand({}));
  const quota = account.SendQuota ?? {};
  const production = account.ProductionAccessEnabled === true;
  const sending = account.SendingEnabled !== false;
  return [
    {
      name: 'ses.account',
      ok: production && sending,
      summary: `${production ? 'production' : 'SANDBOX (sends only to verified addresses)'}, sending ${sending ? 'enabled' : 'DISABLED'}, ${quota.SentLast24Hours ?? 0}/${quota.Max24HourSend ?? 0} sent in 24 h, ${quota.MaxSendRate ?? 0}/s`,
      action: !production
        ? 'request production access for SES in this region'
        : !sending
          ? 'SES sending is paused for the account: see the SES console (enforcement status)'
          : undefined,
      details: {
        productionAccess: production,
        sendingEnabled: sending,
        enforcementStatus: account.EnforcementStatus,
        max24HourSend: quota.Max24HourSend,
        maxSendRate: quota.MaxSendRate,
        sentLast24Hours: quota.SentLast24Hours,
      },
    },
  ];
}

async function identityChecks(client: SESv2Client, config: RouterConfig): Promise<StatusCheck[]> {
  const domain = config.routerSender.slice(config.routerSender.lastIndexOf('@') + 1).toLowerCase();
  const identity = await client.send(new GetEmailIdentityCommand({ EmailIdentity: domain }));
  const verified = identity.VerifiedForSendingStatus === true;
  const dkim = identity.DkimAttributes?.Status ?? 'NOT_STARTED';
  const mailFrom = identity.MailFromAttributes?.MailFromDomainStatus ?? 'not set';
  const ok = verified && dkim === 'SUCCESS' && mailFrom !== 'FAILED';
  return [
    {
      name: 'ses.identity',
      ok,
      summary: `${domain}: ${verified ? 'verified' : 'NOT verified'}, DKIM ${dkim}, MAIL FROM ${mailFrom}`,
      action: ok ? undefined : 'publish the DKIM records of the stack outputs (DomainNDkimN) in DNS',
      details: { identity: domain, verified, dkim, mailFrom },
    },
  ];
}

async function deadLetterCheck(client: SQSClient, outputs: Record<string, string>): Promise<StatusCheck[]> {
  const url = outputs[STACK_OUTPUTS.deadLetterQueue];
  if (!url) throw new Error(`no ${STACK_OUTPUTS.deadLetterQueue} output`);
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  const depth = Number(Attributes.ApproximateNumberOfMessages ?? '0');
  return [
    {
      name: 'sqs.deadLetterQueue',
      ok: depth === 0,
      summary: `${depth} message${depth === 1 ? '' : 's'} in the dead-letter queue`,
      action: depth > 0 ? 'mailroute replay (moves them back to the router queue)' : undefined,
      details: { depth },
    },
  ];
}

async function alarmCheck(client: CloudWatchClient, outputs: Record<string, string>): Promise<StatusCheck[]> {
  const topic = outputs[STACK_OUTPUTS.alarmTopic];
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new DescribeAlarmsCommand({ StateValue: 'ALARM', NextToken: nextToken }));
    for (const alarm of page.MetricAlarms ?? []) {
      // The stack's alarms are the ones that notify its alarm topic.
      if (alarm.AlarmName && (!topic || (alarm.AlarmActions ?? []).includes(topic)))
        names.push(alarm.AlarmName);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return [
    {
      name: 'cloudwatch.alarms',
      ok: names.length === 0,
      summary: names.length === 0 ? 'no alarm in ALARM' : `in ALARM: ${names.join(', ')}`,
      action: names.length > 0 ? 'see the alarm descriptions and the Dashboard output' : undefined,
      details: { inAlarm: names },
    },
  ];
}

async function lastReconcileCheck(client: CloudWatchClient, now: Date): Promise<StatusCheck[]> {
  const response = await client.send(
    new GetMetricStatisticsCommand({
      Namespace: 'Mailroute',
      MetricName: 'ReconcileUnfinished',
      Dimensions: [{ Name: 'service', Value: 'mailroute' }],
      StartTime: new Date(now.getTime() - 3 * 3_600_000),
      EndTime: now,
      Period: 900,
      Statistics: ['Maximum'],
    }),
  );
  const last = (response.Datapoints ?? [])
    .filter((point) => point.Timestamp)
    .sort((a, b) => (b.Timestamp as Date).getTime() - (a.Timestamp as Date).getTime())[0];
  if (!last) {
    return [
      {
        name: 'reconcile.lastRun',
        ok: false,
        summary: 'no reconcile run in the last 3 hours (it runs every 15 minutes)',
        action: 'look at the reconcile function and its schedule',
      },
    ];
  }
  const unfinished = last.Maximum ?? 0;
  return [
    {
      name: 'reconcile.lastRun',
      ok: unfinished === 0,
      summary: `last run ${(last.Timestamp as Date).toISOString()}: ${unfinished} unfinished`,
      action: unfinished > 0 ? 'mailroute reconcile, then mailroute status again' : undefined,
      details: { at: (last.Timestamp as Date).toISOString(), unfinished },
    },
  ];
}
