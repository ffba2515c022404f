// pipeline --> (MailSender port) --> SES v2: sends the forward as raw MIME to explicit recipients.
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { MailSender, OutgoingMail } from '../route-mail/ports.js';

/**
 * Uses SES v2 `SendEmail` with `Content.Raw`: v1 `SendRawEmail` stops at 10 MB while SES accepts
 * 40 MB inbound. The recipients go in `Destination`, so SES delivers to exactly those addresses and
 * never to whatever the To/Cc headers of the message say.
 */
export class SesMailSender implements MailSender {
  constructor(private readonly client: SESv2Client) {}

  async send(mail: OutgoingMail): Promise<{ messageId: string }> {
    if (mail.recipients.length === 0) {
      throw new Error('refusing to send: no recipients');
    }
    const response = await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: mail.from,
        Destination: { ToAddresses: mail.recipients },
        Content: { Raw: { Data: mail.raw } },
      }),
    );
    if (!response.MessageId) {
      throw new Error('SES accepted the message but returned no MessageId');
    }
    return { messageId: response.MessageId };
  }
}
