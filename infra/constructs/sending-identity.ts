// router function --> (sending identity) --> SES may send as the router's address, to the city's groups only.
import { Annotations, CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

export interface SendingIdentityProps {
  /** The router's From address (routerSender). */
  senderAddress: string;
  /** The identities it may send as: its domain and the address itself (see senderIdentityNames). */
  identityNames: string[];
  /** Domains to create an SES identity for (Easy DKIM); the rest already exist in the account. */
  createDomains: string[];
  /** The domains forwards may go to (see recipientDomains): every other recipient is refused by IAM. */
  recipientDomains: string[];
  /** Custom MAIL FROM domain of the sender's domain identity (see mailFromDomainOf). */
  mailFromDomain: string;
  /** Region of the stack: the MAIL FROM MX record names SES's feedback endpoint there. */
  region: string;
}

/**
 * SES identities for the sender domain (and the mail domain, which SES must have verified to receive
 * for it), each with Easy DKIM: SES signs with a 2048-bit key and ops publish three CNAME records,
 * printed as outputs. A domain already verified in the account is named in config and not created.
 *
 * - The sender's domain gets a custom MAIL FROM domain: bounces go to it, SPF passes for it, and SPF
 *   aligns with the From domain, so DMARC rests on SPF and DKIM, not DKIM alone. Its MX and SPF
 *   records are outputs. Until they resolve SES falls back to amazonses.com (USE_DEFAULT_VALUE): mail
 *   keeps flowing, only unaligned.
 * - Identities are RETAINED when the stack goes: a verified domain may be used by other senders in the
 *   account, and verifying it again takes DNS work.
 * - The send permission names the router's identities, its From address and the recipient domains.
 */
export class SendingIdentity extends Construct {
  readonly senderAddress: string;
  readonly identities: ses.EmailIdentity[] = [];
  private readonly identityNames: string[];
  private readonly recipientDomains: string[];

  constructor(scope: Construct, id: string, props: SendingIdentityProps) {
    super(scope, id);
    this.senderAddress = props.senderAddress;
    this.identityNames = props.identityNames;
    this.recipientDomains = props.recipientDomains;
    const senderDomain = props.senderAddress.slice(props.senderAddress.lastIndexOf('@') + 1).toLowerCase();
    props.createDomains.forEach((domain, index) => {
      const identity = new ses.EmailIdentity(this, `Domain${index}`, {
        identity: ses.Identity.domain(domain),
        dkimSigning: true,
        dkimIdentity: ses.DkimIdentity.easyDkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT),
        ...(domain === senderDomain
          ? {
              mailFromDomain: props.mailFromDomain,
              mailFromBehaviorOnMxFailure: ses.MailFromBehaviorOnMxFailure.USE_DEFAULT_VALUE,
            }
          : {}),
      });
      identity.applyRemovalPolicy(RemovalPolicy.RETAIN);
      this.identities.push(identity);
      identity.dkimRecords.forEach((record, recordIndex) => {
        new CfnOutput(this, `Domain${index}Dkim${recordIndex + 1}`, {
          description: `DNS CNAME for Easy DKIM of ${domain} (publish it so SES verifies the domain)`,
          value: `${record.name} CNAME ${record.value}`,
        });
      });
    });
    this.describeMailFrom(props, senderDomain);
  }

  /** The identity ARNs the router may send as: the sender's domain and the sender address itself. */
  identityArns(): string[] {
    const stack = Stack.of(this);
    return this.identityNames.map((name) =>
      stack.formatArn({ service: 'ses', resource: 'identity', resourceName: name }),
    );
  }

  /**
   * SES v2 `SendEmail` with raw content is authorised as `ses:SendRawEmail` on the identity; the From
   * address must be the router's own, and every recipient must be in a configured group or triage
   * domain, so a logic bug cannot mail personal data outside the city. (`ForAllValues` holds for an
   * empty set too; SES refuses a message without recipients.)
   */
  grantSend(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendRawEmail'],
        resources: this.identityArns(),
        conditions: this.sendConditions(),
      }),
    );
  }

  /**
   * Acknowledgements to senders (issue #14), in a statement of their own: SendRawEmail on the
   * identities of the no-reply addresses' domains and on the configuration set, only with one of those
   * no-reply addresses as From. Its recipients cannot be restricted with `ses:Recipients` as the
   * forward's can: an acknowledgement goes to whoever wrote, which the router checks (only an address
   * SES authenticated, only after a forward, once per period) and IAM cannot.
   */
  grantAcknowledgementSend(
    grantee: iam.IGrantable,
    props: { fromAddresses: string[]; identityDomains: string[]; configurationSet: ses.IConfigurationSet },
  ): void {
    if (props.fromAddresses.length === 0) return;
    const stack = Stack.of(this);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SendAcknowledgementsFromNoReply',
        actions: ['ses:SendRawEmail'],
        resources: [
          ...props.identityDomains.map((domain) =>
            stack.formatArn({ service: 'ses', resource: 'identity', resourceName: domain }),
          ),
          stack.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: props.configurationSet.configurationSetName,
          }),
        ],
        conditions: { StringEqualsIgnoreCase: { 'ses:FromAddress': props.fromAddresses } },
      }),
    );
  }

  /** The conditions every statement that lets the router send carries: its own From, recipients in the city. */
  sendConditions(): Record<string, Record<string, unknown>> {
    return {
      StringEqualsIgnoreCase: { 'ses:FromAddress': this.senderAddress },
      'ForAllValues:StringLike': {
        'ses:Recipients': this.recipientDomains.map((domain) => `*@${domain}`),
      },
    };
  }

  private describeMailFrom(props: SendingIdentityProps, senderDomain: string): void {
    new CfnOutput(this, 'MailFromMx', {
      description: `DNS MX record of the custom MAIL FROM domain of ${senderDomain} (bounces reach SES through it)`,
      value: `${props.mailFromDomain} MX 10 feedback-smtp.${props.region}.amazonses.com`,
    });
    new CfnOutput(this, 'MailFromSpf', {
      description: `DNS TXT record of the custom MAIL FROM domain of ${senderDomain} (SPF for SES)`,
      value: `${props.mailFromDomain} TXT "v=spf1 include:amazonses.com ~all"`,
    });
    if (props.createDomains.includes(senderDomain)) return;
    // An identity the stack does not own cannot be changed by it: ops set MAIL FROM once by hand.
    const command = `aws sesv2 put-email-identity-mail-from-attributes --email-identity ${senderDomain} --mail-from-domain ${props.mailFromDomain} --behavior-on-mx-failure USE_DEFAULT_VALUE --region ${props.region}`;
    Annotations.of(this).addWarningV2(
      'mailroute:mailFromOnExistingIdentity',
      `${senderDomain} is an existing identity: set its custom MAIL FROM domain by hand (output MailFromCommand).`,
    );
    new CfnOutput(this, 'MailFromCommand', {
      description: `${senderDomain} already existed: set its custom MAIL FROM domain with this command`,
      value: command,
    });
  }
}
