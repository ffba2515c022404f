// router function --> (sending identity) --> SES may send as the router's address, and nothing else.
import { CfnOutput, Stack } from 'aws-cdk-lib';
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
}

/**
 * SES identities for the sender domain (and the mail domain, which SES must have verified to receive
 * for it), each with Easy DKIM: SES signs with a 2048-bit key and ops publish three CNAME records,
 * printed as outputs. A domain already verified in the account is named in config and not created.
 */
export class SendingIdentity extends Construct {
  readonly senderAddress: string;
  private readonly identityNames: string[];

  constructor(scope: Construct, id: string, props: SendingIdentityProps) {
    super(scope, id);
    this.senderAddress = props.senderAddress;
    this.identityNames = props.identityNames;
    props.createDomains.forEach((domain, index) => {
      const identity = new ses.EmailIdentity(this, `Domain${index}`, {
        identity: ses.Identity.domain(domain),
        dkimSigning: true,
        dkimIdentity: ses.DkimIdentity.easyDkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT),
      });
      identity.dkimRecords.forEach((record, recordIndex) => {
        new CfnOutput(this, `Domain${index}Dkim${recordIndex + 1}`, {
          description: `DNS CNAME for Easy DKIM of ${domain} (publish it so SES verifies the domain)`,
          value: `${record.name} CNAME ${record.value}`,
        });
      });
    });
  }

  /** The identity ARNs the router may send as: the sender's domain and the sender address itself. */
  identityArns(): string[] {
    const stack = Stack.of(this);
    return this.identityNames.map((name) =>
      stack.formatArn({ service: 'ses', resource: 'identity', resourceName: name }),
    );
  }

  /**
   * SES v2 `SendEmail` with raw content is authorised as `ses:SendRawEmail` on the identity; the
   * From address must be the router's own.
   */
  grantSend(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendRawEmail'],
        resources: this.identityArns(),
        conditions: { StringEqualsIgnoreCase: { 'ses:FromAddress': this.senderAddress } },
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
}
