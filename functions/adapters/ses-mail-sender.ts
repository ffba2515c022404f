// pipeline --> (MailSender port) --> SES v2: sends the forward as raw MIME to explicit recipients.
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { MailSender, OutgoingMail } from '../route-mail/ports.js';
import { ROUTING_ID_TAG, SEND_KIND_TAG } from '../route-mail/routing-states.js';

/**
 * Uses SES v2 `SendEmail` with `Content.Raw`: v1 `SendRawEmail` stops at 10 MB while SES accepts
 * 40 MB inbound. The recipients go in `Destination`, so SES delivers to exactly those addresses and
 * never to whatever the To/Cc headers of the message say.
 *
 * Every send carries the routing record id as the message tag `mailroute-id`, what it is (`forward` or
 * `acknowledgement`) as the tag `mailroute-kind`, and goes through the
 * configuration set (when one is given) whose event destination delivers SES's Send event to the
 * confirm function: SES's own record of the send settles the routing record.
 */
export class SesMailSender implements MailSender {
  constructor(
    private readonly client: SESv2Client,
    private readonly configurationSetName?: string,
  ) {}

  async send(mail: OutgoingMail): Promise<{ messageId: string }> {
    if (mail.recipients.length === 0) {
      throw new Error('refusing to send: no recipients');
    }
    const response = await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: mail.from,
        Destination: { ToAddresses: mail.recipients },
        Content: { Raw: { Data: mail.raw } },
        EmailTags: [
          { Name: ROUTING_ID_TAG, Value: tagValue(mail.routingId) },
          { Name: SEND_KIND_TAG, Value: mail.kind ?? 'forward' },
        ],
        ...(this.configurationSetName ? { ConfigurationSetName: this.configurationSetName } : {}),
      }),
    );
    if (!response.MessageId) {
      throw new Error('SES accepted the message but returned no MessageId');
    }
    return { messageId: response.MessageId };
  }
}

/** SES tag values take ASCII letters, digits, `_` and `-` (256 at most); routing ids are SES message ids or hex. */
export function tagValue(routingId: string): string {
  const value = routingId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256);
  if (value.length === 0) throw new Error('refusing to send: empty routing id');
  return value;
}
