import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
} from '@aws-sdk/client-cloudwatch';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeActiveReceiptRuleSetCommand, SESClient } from '@aws-sdk/client-ses';
import { GetAccountCommand, GetEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import S3rver from 's3rver';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRoutingTable } from '../../functions/adapters/dynamodb-routing-log.js';
import { DEFAULT_ROUTER_CONFIG } from '../../functions/config/schema.js';
import { localDynamoClient, localS3Client, localSesClient } from '../../functions/local/aws-clients.js';
import { releaseCommand, replayCommand, resendCommand } from '../../functions/local/commands/recovery.js';
import { type RunningDynalite, startDynalite } from '../../functions/local/dynalite-server.js';
import { localMessageId, sesNotification, sqsEvent } from '../../functions/local/local-router.js';
import { type SesCaptureServer, startSesCaptureServer } from '../../functions/local/ses-capture-server.js';
import { type AwsClients, openAwsBackend } from '../../functions/operate/aws-backend.js';
import type { OperatorBackend } from '../../functions/operate/backend.js';
import { inspectMessage } from '../../functions/operate/inspect.js';
import { rerouteMessage } from '../../functions/operate/reroute.js';
import { reconcile } from '../../functions/reconcile/reconcile.js';
import { createHandler } from '../../functions/route-mail/handler.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { type FakeSqs, startFakeSqs } from '../helpers/fake-sqs.js';
import { PIXEL_PNG } from '../helpers/not-mail.js';
import { LOOP_SECRET, RecordingLogger } from '../helpers/pipeline-rig.js';

const REGION = { region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
const BUCKET = 'mailroute-mail';
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:MailrouteAlarms';
const example = (name: string) => readFileSync(join(REPO_ROOT, 'examples', name));

// Stand-ins where one exists (dynalite, s3rver, the SES capture server, the loopback SQS API);
// aws-sdk-client-mock for the account-level calls no stand-in answers (CloudFormation, SES v1 receipt
// rules, SES v2 account and identity, CloudWatch, Secrets Manager, STS).
describe('the AWS backend, found by CloudFormation outputs', () => {
  let dynalite: RunningDynalite;
  let s3rver: S3rver;
  let s3Dir: string;
  let capture: SesCaptureServer;
  let fakeSqs: FakeSqs;
  let dynamodb: DynamoDBClient;
  let s3: S3Client;
  let sesSend: SESv2Client;
  let sqs: SQSClient;
  let tableNumber = 0;
  const cloudformation = new CloudFormationClient(REGION);
  const sesAccount = new SESv2Client(REGION);
  const sesReceipt = new SESClient(REGION);
  const cloudwatch = new CloudWatchClient(REGION);
  const secrets = new SecretsManagerClient(REGION);
  const sts = new STSClient(REGION);
  const cfnMock = mockClient(cloudformation);
  const sesAccountMock = mockClient(sesAccount);
  const sesReceiptMock = mockClient(sesReceipt);
  const cloudwatchMock = mockClient(cloudwatch);
  const secretsMock = mockClient(secrets);
  const stsMock = mockClient(sts);

  beforeAll(async () => {
    dynalite = await startDynalite();
    s3Dir = await mkdtemp(join(tmpdir(), 'mailroute-operate-s3-'));
    s3rver = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: s3Dir,
      configureBuckets: [{ name: BUCKET }],
    });
    const { port } = await s3rver.run();
    capture = await startSesCaptureServer();
    fakeSqs = await startFakeSqs();
    dynamodb = await localDynamoClient(dynalite.endpoint);
    s3 = await localS3Client(`http://127.0.0.1:${port}`);
    sesSend = await localSesClient(capture.endpoint);
    sqs = new SQSClient({ ...REGION, endpoint: fakeSqs.endpoint });
  });

  afterAll(async () => {
    for (const client of [dynamodb, s3, sesSend, sqs]) client.destroy();
    await capture.close();
    await fakeSqs.close();
    await s3rver.close();
    await dynalite.close();
    await rm(s3Dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    for (const mock of [cfnMock, sesAccountMock, sesReceiptMock, cloudwatchMock, secretsMock, stsMock])
      mock.reset();
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: LOOP_SECRET });
    stsMock.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:sts::111122223333:assumed-role/Ops/kim' });
  });

  /** A fresh table and queues, announced as a deployed stack's outputs. */
  async function deployedStack(
    outputs: Record<string, string> = {},
  ): Promise<{ queue: string; dlq: string }> {
    tableNumber += 1;
    const table = `Mailroute-RoutingLog-${tableNumber}`;
    await createRoutingTable(dynamodb, table);
    const queue = fakeSqs.queueUrl(`router-${tableNumber}`);
    const dlq = fakeSqs.queueUrl(`dlq-${tableNumber}`);
    const all: Record<string, string> = {
      RoutingTable: table,
      MailBucket: BUCKET,
      RouterQueue: queue,
      DeadLetterQueue: dlq,
      LoopSecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:loop',
      RuleSetName: 'mailroute',
      AlarmTopic: TOPIC,
      ...outputs,
    };
    cfnMock.on(DescribeStacksCommand, { StackName: 'Mailroute' }).resolves({
      Stacks: [
        {
          StackName: 'Mailroute',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: Object.entries(all).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    });
    return { queue, dlq };
  }

  const clients = (): Partial<AwsClients> => ({
    cloudformation,
    dynamodb,
    s3,
    sqs,
    sesSend,
    sesAccount,
    sesReceipt,
    cloudwatch,
    secrets,
    sts,
  });

  async function open(): Promise<OperatorBackend> {
    const backend = await openAwsBackend({
      stackName: 'Mailroute',
      config: DEFAULT_ROUTER_CONFIG,
      clients: clients(),
      needsLoopSecret: true,
      logger: new RecordingLogger(),
    });
    // The test's clients are shared across tests: the backend must not destroy them.
    return { ...backend, close: async () => undefined };
  }

  /** What SES and the router Lambda do: store the message in S3, then route it from its notification. */
  async function receiveInAws(backend: OperatorBackend, file: string | Buffer, to: string): Promise<string> {
    const raw = typeof file === 'string' ? example(file) : file;
    const id = localMessageId(raw);
    const key = `inbound/${to.toLowerCase()}/${id}`;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: raw }));
    const notification = sesNotification({
      messageId: id,
      recipients: [to],
      envelopeFrom: 'x@example.org',
      location: { bucket: BUCKET, key },
      at: new Date(),
    });
    await createHandler(backend.deps)(sqsEvent(notification));
    return id;
  }

  function healthyAccount(): void {
    sesReceiptMock.on(DescribeActiveReceiptRuleSetCommand).resolves({
      Metadata: { Name: 'mailroute' },
      Rules: DEFAULT_ROUTER_CONFIG.functionalAddresses.map((entry, index) => ({
        Name: `rule-${index}`,
        Enabled: true,
        Recipients: [entry.address],
      })),
    });
    sesAccountMock.on(GetAccountCommand).resolves({
      ProductionAccessEnabled: true,
      SendingEnabled: true,
      SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 12 },
    });
    sesAccountMock.on(GetEmailIdentityCommand).resolves({
      VerifiedForSendingStatus: true,
      DkimAttributes: { Status: 'SUCCESS' },
      MailFromAttributes: {
        MailFromDomain: 'bounce.stockholm.se',
        MailFromDomainStatus: 'SUCCESS',
        BehaviorOnMxFailure: 'USE_DEFAULT_VALUE',
      },
    });
    cloudwatchMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    cloudwatchMock
      .on(GetMetricStatisticsCommand)
      .resolves({ Datapoints: [{ Timestamp: new Date(Date.now() - 600_000), Maximum: 0 }] });
  }

  it('reads the routing log, shows and reroutes a message routed in AWS, signed as the caller', async () => {
    // Prepare
    await deployedStack();
    const backend = await open();
    const id = await receiveInAws(backend, '01-invitation.eml', 'EUinternational@stockholm.se');
    const sentBefore = capture.sent.length;

    // Act
    const listed = await backend.deps.log.list({});
    const record = listed[0] ?? expect.fail('nothing logged');
    const detail = await inspectMessage(backend.deps, record);
    const { correction } = await rerouteMessage(
      backend.deps,
      record,
      { category: 'protocol_visit' },
      await backend.operator(),
    );

    // Assess
    expect(listed.map((entry) => entry.id)).toEqual([id]);
    expect(detail.subject).toMatch(/Eurocities Annual Conference/);
    expect(correction.by).toBe('arn:aws:sts::111122223333:assumed-role/Ops/kim');
    expect(capture.sent.slice(sentBefore).map((email) => email.recipients)).toEqual([
      DEFAULT_ROUTER_CONFIG.categories.protocol_visit.group,
    ]);
    expect(await backend.deps.log.get(id)).toMatchObject({ category: 'protocol_visit', status: 'forwarded' });
    expect(cfnMock.commandCalls(DescribeStacksCommand)).toHaveLength(1);
  });

  it('status flags what needs a person: an uncovered address, the sandbox, an unverified DKIM, the DLQ, an alarm', async () => {
    // Prepare
    const { dlq } = await deployedStack();
    fakeSqs.put(dlq.split('/').at(-1) as string, '{"gave":"up"}');
    healthyAccount();
    sesReceiptMock.on(DescribeActiveReceiptRuleSetCommand).resolves({
      Metadata: { Name: 'mailroute' },
      Rules: [
        {
          Name: 'eu',
          Enabled: true,
          Recipients: ['EUinternational@stockholm.se', 'kommunstyrelsen@stockholm.se'],
        },
      ],
    });
    sesAccountMock.on(GetAccountCommand).resolves({
      ProductionAccessEnabled: false,
      SendingEnabled: true,
      SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 3 },
    });
    sesAccountMock
      .on(GetEmailIdentityCommand)
      .resolves({ VerifiedForSendingStatus: true, DkimAttributes: { Status: 'PENDING' } });
    cloudwatchMock.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        { AlarmName: 'Mailroute-RouterErrors', AlarmActions: [TOPIC], StateValue: 'ALARM' },
        {
          AlarmName: 'SomeoneElsesAlarm',
          AlarmActions: ['arn:aws:sns:eu-west-1:111122223333:other'],
          StateValue: 'ALARM',
        },
      ],
    });
    const backend = await open();

    // Act
    const checks = await backend.statusChecks();

    // Assess
    const failing = Object.fromEntries(
      checks.filter((check) => !check.ok).map((check) => [check.name, check.summary]),
    );
    expect(Object.keys(failing).sort()).toEqual(
      ['cloudwatch.alarms', 'ses.account', 'ses.identity', 'ses.receiptRules', 'sqs.deadLetterQueue'].sort(),
    );
    expect(failing['ses.receiptRules']).toContain('protocol@stockholm.se');
    expect(failing['ses.account']).toMatch(/SANDBOX/);
    expect(failing['ses.identity']).toMatch(/DKIM PENDING/);
    expect(failing['sqs.deadLetterQueue']).toMatch(/^1 message/);
    expect(failing['cloudwatch.alarms']).toBe('in ALARM: Mailroute-RouterErrors');
    expect(sesReceiptMock.commandCalls(DescribeActiveReceiptRuleSetCommand)).toHaveLength(1);
  });

  it('status of a healthy deployment needs nothing, and a call the caller may not make is reported, not fatal', async () => {
    // Prepare
    await deployedStack();
    healthyAccount();
    const backend = await open();
    const healthy = await backend.statusChecks();
    sesReceiptMock
      .on(DescribeActiveReceiptRuleSetCommand)
      .rejects(new Error('AccessDenied: ses:DescribeActiveReceiptRuleSet'));

    // Act
    const denied = await backend.statusChecks();

    // Assess
    expect(healthy.filter((check) => !check.ok)).toEqual([]);
    expect(healthy.find((check) => check.name === 'ses.account')?.summary).toBe(
      'production, sending enabled, 12/50000 sent in 24 h, 14/s',
    );
    expect(denied.filter((check) => !check.ok).map((check) => [check.name, check.summary])).toEqual([
      ['ses.receiptRules', 'could not check: AccessDenied: ses:DescribeActiveReceiptRuleSet'],
    ]);
  });

  it('replay moves the dead-letter queue back to the router queue; reconcile re-drives through the queue', async () => {
    // Prepare
    const { queue, dlq } = await deployedStack();
    const dlqName = dlq.split('/').at(-1) as string;
    fakeSqs.put(dlqName, '{"n":1}');
    fakeSqs.put(dlqName, '{"n":2}');
    const backend = await open();
    const raw = example('02-eu-funding.eml');
    const id = localMessageId(raw);
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: `inbound/euinternational@stockholm.se/${id}`, Body: raw }),
    );

    // Act
    const moved = await backend.replayDeadLetters?.();
    const report = await reconcile({
      ...backend.deps,
      config: { ...backend.deps.config, reconcile: { graceMinutes: 1, lookbackHours: 72 } },
      now: () => new Date(Date.now() + 5 * 60_000),
      redrive: backend.redrive,
    });

    // Assess
    const routerQueue = queue.split('/').at(-1) as string;
    expect(moved).toBe(2);
    expect(fakeSqs.bodies(dlqName)).toEqual([]);
    expect(report.redriven).toContain(id);
    const bodies = fakeSqs.bodies(routerQueue);
    expect(bodies.slice(0, 2)).toEqual(['{"n":1}', '{"n":2}']);
    expect(
      bodies.some((body) => (JSON.parse(body) as { mail?: { messageId?: string } }).mail?.messageId === id),
    ).toBe(true);
  });

  it('the recovery commands print as they do locally: an image held as not mail, released by the caller, the DLQ moved', async () => {
    // Prepare
    const { dlq } = await deployedStack();
    fakeSqs.put(dlq.split('/').at(-1) as string, '{"n":1}');
    const backend = await open();
    const id = await receiveInAws(backend, PIXEL_PNG, 'EUinternational@stockholm.se');
    const held = (await backend.deps.log.get(id)) ?? expect.fail('nothing logged');
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (line: string) => out.push(line), err: (line: string) => err.push(line) };
    const caller = 'arn:aws:sts::111122223333:assumed-role/Ops/kim';

    // Act
    const released = await releaseCommand([id.slice(0, 8)], open, io);
    const resent = await resendCommand(['--json', id.slice(0, 8)], open, io);
    const replayed = await replayCommand([], open, io);

    // Assess
    expect(held).toMatchObject({ status: 'quarantined', recipients: [] });
    expect(held.reasons).toEqual(expect.arrayContaining(['not-mail:no-headers', 'not-mail:binary']));
    expect(released).toBe(0);
    expect(resent).toBe(1);
    expect(replayed).toBe(0);
    expect(out).toEqual([
      expect.stringMatching(/^ID {12}OUTCOME {3}STATUS {5}DETAIL$/),
      `${id.slice(0, 12)}  released  forwarded  to triage-euinternational@stockholm.se`,
      expect.stringMatching(
        new RegExp(`^\\{"messageId":"${id}","resent":false,"error":"SES confirmed the send`),
      ),
      '1 message moved from the DLQ back to the router queue',
    ]);
    expect(err).toEqual([`1 message released by ${caller}`, '0 messages resent, 1 not']);
    expect((await backend.deps.log.get(id))?.history).toEqual([
      expect.objectContaining({
        action: 'release',
        by: caller,
        status: 'quarantined',
        reasons: held.reasons,
      }),
    ]);
  });

  it('a stack deployed before these outputs existed gets a message that says what to do', async () => {
    // Prepare
    cfnMock.on(DescribeStacksCommand).resolves({
      Stacks: [
        { StackName: 'Mailroute', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [] },
      ],
    });

    // Act
    const opening = openAwsBackend({
      stackName: 'Mailroute',
      config: DEFAULT_ROUTER_CONFIG,
      clients: clients(),
    });

    // Assess
    await expect(opening).rejects.toThrow(
      'stack Mailroute has no output RoutingTable: deploy this version of mailroute (cdk deploy) to add it',
    );
  });
});
