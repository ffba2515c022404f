// cdk app --> (mailroute stack) --> SES receiving -> S3 -> SNS -> SQS -> Lambda -> DynamoDB + SES sending.
import { Annotations, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { receivingAddressOf } from '../functions/config/schema.js';
import { noReplyAddresses } from '../functions/core/acknowledgement.js';
import {
  CONFIRMED_SES_RECEIVING_REGIONS,
  domainOf,
  identitiesToCreate,
  type MailrouteConfig,
  mailFromDomainOf,
  recipientDomains,
  senderIdentityNames,
} from './config.js';
import { DataKey } from './constructs/data-key.js';
import { inboundPrefix, MailInbox } from './constructs/mail-inbox.js';
import { MailQueue } from './constructs/mail-queue.js';
import { Observability } from './constructs/observability.js';
import { ReconcileFunction, reconcileSourceExists } from './constructs/reconcile-function.js';
import { ROUTER_TIMEOUT, RouterFunction } from './constructs/router-function.js';
import { RoutingLogTable } from './constructs/routing-log-table.js';
import { RuleSetActivation } from './constructs/rule-set-activation.js';
import { SendConfirmation } from './constructs/send-confirmation.js';
import { SendingIdentity } from './constructs/sending-identity.js';
import { StoredMailReaderPolicy } from './constructs/stored-mail-access.js';

export interface MailrouteStackProps extends StackProps {
  config: MailrouteConfig;
  /**
   * Add the reconcile function (issue #5).
   * @default - when functions/reconcile/handler.ts exists
   */
  withReconcile?: boolean;
  /**
   * Source of the reconcile handler.
   * @default functions/reconcile/handler.ts
   */
  reconcileEntry?: string;
}

/** The whole of mailroute in one account and region; each concern is one construct. */
export class MailrouteStack extends Stack {
  readonly inboxKey: DataKey;
  readonly dataKey: DataKey;
  readonly inbox: MailInbox;
  readonly mailQueue: MailQueue;
  readonly routingLog: RoutingLogTable;
  readonly sendingIdentity: SendingIdentity;
  readonly router: RouterFunction;
  readonly observability: Observability;
  readonly reconcile?: ReconcileFunction;
  readonly sendConfirmation: SendConfirmation;
  readonly storedMailReader: StoredMailReaderPolicy;

  constructor(scope: Construct, id: string, props: MailrouteStackProps) {
    super(scope, id, {
      description:
        'mailroute: routes mail to the City of Stockholm functional addresses (SES, S3, SQS, Lambda)',
      ...props,
    });
    const { deploy, router } = props.config;
    if (!CONFIRMED_SES_RECEIVING_REGIONS.includes(deploy.region)) {
      Annotations.of(this).addWarningV2(
        'mailroute:sesReceivingRegion',
        `SES receiving is confirmed only in ${CONFIRMED_SES_RECEIVING_REGIONS.join(', ')}; check that ${deploy.region} offers an inbound-smtp endpoint.`,
      );
    }
    const addresses = router.functionalAddresses.map((entry) => entry.address);
    const inboundPrefixes = addresses.map(inboundPrefix);

    this.inboxKey = new DataKey(this, 'InboxKey', {
      description: 'encrypts received mail and its notifications',
    });
    this.dataKey = new DataKey(this, 'DataKey', {
      description: 'encrypts the queues, routing log, loop secret and alarm topic',
    });
    this.inbox = new MailInbox(this, 'Inbox', {
      inboxKey: this.inboxKey,
      functionalAddresses: router.functionalAddresses.map((entry) => ({
        address: entry.address,
        receivingAddress: receivingAddressOf(entry),
      })),
      ruleSetName: deploy.ruleSetName,
      tlsPolicy: deploy.tlsPolicy,
      retentionDays: deploy.retentionDays,
    });
    this.mailQueue = new MailQueue(this, 'Queue', {
      dataKey: this.dataKey,
      topic: this.inbox.topic,
      consumerTimeout: ROUTER_TIMEOUT,
    });
    this.routingLog = new RoutingLogTable(this, 'RoutingLog', { dataKey: this.dataKey });
    this.sendingIdentity = new SendingIdentity(this, 'Sending', {
      senderAddress: router.routerSender,
      identityNames: senderIdentityNames(props.config),
      createDomains: identitiesToCreate(props.config),
      recipientDomains: recipientDomains(router),
      mailFromDomain: mailFromDomainOf(props.config),
      region: deploy.region,
    });
    this.router = new RouterFunction(this, 'Router', {
      dataKey: this.dataKey,
      inboxKey: this.inboxKey,
      routerConfig: router,
      bucket: this.inbox.bucket,
      inboundPrefixes,
      routingLog: this.routingLog,
      sendingIdentity: this.sendingIdentity,
      retentionDays: deploy.retentionDays,
      reservedConcurrency: deploy.reservedConcurrency,
      logLevel: deploy.logLevel,
    });
    this.mailQueue.bindConsumer(this.router.handler.function, deploy.reservedConcurrency);

    this.storedMailReader = new StoredMailReaderPolicy(this, 'StoredMailReader', {
      bucket: this.inbox.bucket,
      inboxKey: this.inboxKey,
      inboundPrefixes,
    });

    this.observability = new Observability(this, 'Observability', {
      dataKey: this.dataKey,
      router: this.router.handler.function,
      queue: this.mailQueue.queue,
      deadLetterQueue: this.mailQueue.deadLetterQueue,
      subscriptionDeadLetterQueue: this.mailQueue.subscriptionDeadLetterQueue,
      alarmEmail: deploy.alarmEmail,
      quarantinePerHour: deploy.quarantineAlarmPerHour,
    });

    this.sendConfirmation = new SendConfirmation(this, 'SendConfirmation', {
      routerConfig: router,
      routingLog: this.routingLog,
      alarmTopic: this.observability.alarmTopic,
      retentionDays: deploy.retentionDays,
      logLevel: deploy.logLevel,
    });
    this.sendConfirmation.bindSender(
      this.router.handler.function,
      this.router.handler.role,
      this.sendingIdentity.sendConditions(),
    );
    const acknowledgementSenders = noReplyAddresses(router);
    this.sendingIdentity.grantAcknowledgementSend(this.router.handler.role, {
      fromAddresses: acknowledgementSenders,
      identityDomains: [...new Set([...acknowledgementSenders.map(domainOf), deploy.mailDomain])],
      configurationSet: this.sendConfirmation.configurationSet,
    });

    if (props.withReconcile ?? reconcileSourceExists()) {
      this.reconcile = new ReconcileFunction(this, 'Reconcile', {
        entry: props.reconcileEntry,
        dataKey: this.dataKey,
        inboxKey: this.inboxKey,
        routerConfig: router,
        bucket: this.inbox.bucket,
        inboundPrefixes,
        routingLog: this.routingLog,
        queue: this.mailQueue.queue,
        retentionDays: deploy.retentionDays,
        logLevel: deploy.logLevel,
      });
      this.observability.alarmOnReconcile(this.reconcile.handler.function);
    }

    new RuleSetActivation(this, 'Activation', {
      ruleSet: this.inbox.ruleSet,
      ruleSetName: deploy.ruleSetName,
      region: deploy.region,
      activate: deploy.activateRuleSet,
      // Activate only once mail can flow all the way to the router.
      dependsOn: [...this.inbox.rules, this.mailQueue, this.router],
    });
    this.createOutputs(props.config);
  }

  private createOutputs(config: MailrouteConfig): void {
    const outputs: Record<string, { value: string; description: string }> = {
      MxRecord: {
        value: `${config.deploy.mailDomain} MX 10 inbound-smtp.${config.deploy.region}.amazonaws.com`,
        description: 'The MX record that sends the receiving domain (and only it) to SES receiving',
      },
      ForwardingSetup: {
        value: config.router.functionalAddresses
          .map((entry) => `${entry.address} -> ${receivingAddressOf(entry)}`)
          .join(', '),
        description:
          "What the city's mail system forwards (keeping each public address) to the addresses SES receives",
      },
      MailBucket: { value: this.inbox.bucket.bucketName, description: 'Raw received messages' },
      StoredMailReaderPolicy: {
        value: this.storedMailReader.policy.managedPolicyArn,
        description: 'Attach to the roles of staff who open stored originals (oversize notices name them)',
      },
      RoutingTable: { value: this.routingLog.table.tableName, description: 'The routing log' },
      RouterQueue: { value: this.mailQueue.queue.queueUrl, description: 'The router queue (redrive target)' },
      DeadLetterQueue: {
        value: this.mailQueue.deadLetterQueue.queueArn,
        description:
          'Router dead-letter queue: redrive with aws sqs start-message-move-task --source-arn <this>',
      },
      SubscriptionDeadLetterQueue: {
        value: this.mailQueue.subscriptionDeadLetterQueue.queueUrl,
        description:
          'SNS subscription dead-letter queue: redrive with npx mailroute replay --dlq <this> --to <RouterQueue>',
      },
      // Read by `mailroute --stack` (functions/operate/aws-backend.ts): re-drives, replay, signing.
      LoopSecretArn: { value: this.router.loopSecret.secretArn, description: 'The loop-marker key' },
      RuleSetName: { value: config.deploy.ruleSetName, description: 'The SES receipt rule set' },
      AlarmTopic: { value: this.observability.alarmTopic.topicArn, description: 'Subscribe ops here' },
      Dashboard: { value: this.observability.dashboard.dashboardName, description: 'CloudWatch dashboard' },
    };
    for (const [id, output] of Object.entries(outputs)) new CfnOutput(this, id, output);
  }
}
