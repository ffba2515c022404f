// router's SES sends --> (send confirmation) --> configuration set -> EventBridge (default bus) -> confirm
// function -> routing log. SES's own record of each send settles the routing record, even when the
// router died between the SES call and its mark (issue #11).
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ses from 'aws-cdk-lib/aws-ses';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { RouterConfig } from '../../functions/config/schema.js';
import { SES_SEND_DETAIL_TYPE } from '../../functions/confirm-send/send-event.js';
import { ROUTING_ID_TAG } from '../../functions/route-mail/routing-states.js';
import { MailrouteFunction } from './mailroute-function.js';
import type { RoutingLogTable } from './routing-log-table.js';

export const CONFIRM_ENTRY = 'functions/confirm-send/handler.ts';

/** The environment variable that names the configuration set to the router. */
export const CONFIGURATION_SET_ENV = 'MAILROUTE_CONFIGURATION_SET';

export interface SendConfirmationProps {
  routerConfig: RouterConfig;
  routingLog: RoutingLogTable;
  /** Where the alarm on a second confirmed send of one message goes. */
  alarmTopic: sns.ITopic;
  retentionDays: number;
  logLevel: string;
}

/**
 * - a configuration set whose event destination publishes `Send` events to the account's default
 *   EventBridge bus (the only bus SES publishes to);
 * - a rule that takes the `Email Sent` events of that configuration set carrying the routing id tag;
 * - the confirm function (UpdateItem and GetItem on the routing log, nothing else), invoked with
 *   EventBridge's retries (24 hours, 185 attempts): a confirmation outlasts a short outage;
 * - an alarm when one message was confirmed sent twice (`SecondSendConfirmed`).
 *
 * `bindSender` makes the router send through the set: its name in the environment, and the
 * permission SES checks on the configuration set as well as on the identity.
 */
export class SendConfirmation extends Construct {
  readonly configurationSet: ses.ConfigurationSet;
  readonly handler: MailrouteFunction;
  readonly rule: events.Rule;
  private readonly routerSender: string;

  constructor(scope: Construct, id: string, props: SendConfirmationProps) {
    super(scope, id);
    this.routerSender = props.routerConfig.routerSender;
    this.configurationSet = new ses.ConfigurationSet(this, 'Sends', {
      reputationMetrics: true,
      sendingEnabled: true,
    });
    this.configurationSet.addEventDestination('ToEventBridge', {
      destination: ses.EventDestination.eventBus(
        events.EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      ),
      events: [ses.EmailSendingEvent.SEND],
    });

    this.handler = new MailrouteFunction(this, 'Confirm', {
      entry: CONFIRM_ENTRY,
      description: 'mailroute: mark a routing record forwarded when SES reports the send',
      routerConfig: props.routerConfig,
      memorySize: 256,
      timeout: Duration.seconds(30),
      logLevel: props.logLevel,
      logRetentionDays: props.retentionDays,
      environment: { ROUTING_TABLE_NAME: props.routingLog.table.tableName },
    });
    props.routingLog.grant(this.handler.role, 'confirm');

    this.rule = new events.Rule(this, 'SendEvents', {
      description: 'mailroute: SES Send events of the router configuration set',
      eventPattern: {
        source: ['aws.ses'],
        detailType: [SES_SEND_DETAIL_TYPE],
        detail: {
          mail: {
            tags: {
              // SES adds this tag to every event of a configuration set; the router adds the id.
              'ses:configuration-set': [this.configurationSet.configurationSetName],
              [ROUTING_ID_TAG]: [{ exists: true }],
            },
          },
        },
      },
      targets: [
        new targets.LambdaFunction(this.handler.function, {
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });

    const secondSend = new cloudwatch.Alarm(this, 'SecondSendConfirmed', {
      metric: new cloudwatch.Metric({
        namespace: 'Mailroute',
        metricName: 'SecondSendConfirmed',
        dimensionsMap: { service: 'mailroute' },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.hours(1),
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'SES took one message twice (a resend after a Send event came too late): see the confirm logs.',
    });
    secondSend.addAlarmAction(new actions.SnsAction(props.alarmTopic));
    secondSend.addOkAction(new actions.SnsAction(props.alarmTopic));
  }

  /** The router sends through the configuration set: its name, and SES's permission on the set. */
  bindSender(router: lambda.Function, role: iam.IRole): void {
    router.addEnvironment(CONFIGURATION_SET_ENV, this.configurationSet.configurationSetName);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        // SES checks the send against the configuration set as well as the identity; raw content is
        // authorised as SendRawEmail (see sending-identity.ts), from the router's address only.
        actions: ['ses:SendRawEmail'],
        resources: [
          Stack.of(this).formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: this.configurationSet.configurationSetName,
          }),
        ],
        conditions: { StringEqualsIgnoreCase: { 'ses:FromAddress': this.routerSender } },
      }),
    );
  }
}
