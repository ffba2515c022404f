// pipeline --> (MailSender port) --> SES v2: sends the forward as raw MIME to explicit recipients.
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { base64Length, writeBase64 } from '../route-mail/base64-writer.js';
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
    const base64InPlace = mail.raw.byteLength >= IN_PLACE_FROM_BYTES ? mail.base64InPlace : undefined;
    const command = new SendEmailCommand({
      FromEmailAddress: mail.from,
      Destination: { ToAddresses: mail.recipients },
      Content: { Raw: { Data: base64InPlace ? RAW_PLACEHOLDER : mail.raw } },
      EmailTags: [
        { Name: ROUTING_ID_TAG, Value: tagValue(mail.routingId) },
        { Name: SEND_KIND_TAG, Value: mail.kind ?? 'forward' },
      ],
      ...(this.configurationSetName ? { ConfigurationSetName: this.configurationSetName } : {}),
    });
    if (base64InPlace) {
      // After the SDK serialised the request with the placeholder, before it is measured and signed.
      command.middlewareStack.add(
        (next) => async (args) => {
          const request = args.request as { body?: unknown };
          request.body = rawMessageInPlace(request.body, mail.raw, base64InPlace);
          return next(args);
        },
        { step: 'build', priority: 'high', name: 'mailrouteRawMessageInPlace' },
      );
    }
    // Options, even empty, make the client resolve this command's own stack: with `cacheMiddleware` it
    // would otherwise reuse the stack of the first SendEmail it sent, with that send's middleware.
    const response = await (base64InPlace ? this.client.send(command, {}) : this.client.send(command));
    if (!response.MessageId) {
      throw new Error('SES accepted the message but returned no MessageId');
    }
    return { messageId: response.MessageId };
  }
}

/**
 * From this size on the message is sent written in place (see `rawMessageInPlace`). Below it the copy
 * the SDK makes is small, and the client's cached middleware stack (0.3 ms a call) is worth more.
 */
const IN_PLACE_FROM_BYTES = 1024 * 1024;

/**
 * What the SDK serialises in place of the message when the message can be written in place: base64
 * that decodes and encodes to itself, with `/`, which no other field of the request holds (tag values
 * are `[A-Za-z0-9_-]`, the rest are addresses and a configuration set name).
 */
const RAW_PLACEHOLDER_JSON = '"/mailroute/raw/message/in/place/"';
const RAW_PLACEHOLDER = Buffer.from(RAW_PLACEHOLDER_JSON.slice(1, -1), 'base64');

/**
 * The SES v2 request body with the message in it. The SDK's JSON serialiser writes the message's
 * base64 into a buffer of its own (a third more than the message, beside the message itself); here
 * it serialises a placeholder, and the JSON around it is put around the base64 that `base64InPlace`
 * writes over the message. Without room there, the base64 goes into one new buffer, as the SDK's would.
 */
function rawMessageInPlace(
  body: unknown,
  raw: Uint8Array,
  base64InPlace: NonNullable<OutgoingMail['base64InPlace']>,
): Uint8Array {
  const json =
    typeof body === 'string'
      ? Buffer.from(body)
      : body instanceof Uint8Array
        ? Buffer.from(body.buffer, body.byteOffset, body.byteLength)
        : undefined;
  const at = json?.indexOf(RAW_PLACEHOLDER_JSON, 0, 'latin1') ?? -1;
  if (!json || at < 0 || json.indexOf(RAW_PLACEHOLDER_JSON, at + 1, 'latin1') >= 0) {
    throw new Error('SES request: the serialised body does not hold the message placeholder once');
  }
  // The quotes stay in the JSON around the base64.
  const before = json.subarray(0, at + 1);
  const after = json.subarray(at + RAW_PLACEHOLDER_JSON.length - 1);
  const inPlace = base64InPlace(before, after);
  if (inPlace) return inPlace;
  const copy = Buffer.allocUnsafe(before.length + base64Length(raw.byteLength) + after.length);
  copy.set(before, 0);
  copy.set(after, writeBase64(copy, before.length, raw));
  return copy;
}

/** SES tag values take ASCII letters, digits, `_` and `-` (256 at most); routing ids are SES message ids or hex. */
export function tagValue(routingId: string): string {
  const value = routingId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256);
  if (value.length === 0) throw new Error('refusing to send: empty routing id');
  return value;
}
