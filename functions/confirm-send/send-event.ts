// EventBridge (SES event publishing) --> (send event): the `Email Sent` event SES publishes through the
// configuration set for every message it took, with the routing record id in `mail.tags`.
// Validated with zod; only what the confirmation reads is required.
import * as z from 'zod';
import { ROUTING_ID_TAG, SEND_KIND_TAG, type SendConfirmation } from '../route-mail/routing-states.js';

export const SES_SEND_DETAIL_TYPE = 'Email Sent';

export const sesSendEventSchema = z
  .object({
    source: z.literal('aws.ses'),
    'detail-type': z.literal(SES_SEND_DETAIL_TYPE),
    time: z.string().optional(),
    detail: z
      .object({
        eventType: z.literal('Send'),
        mail: z
          .object({
            timestamp: z.string(),
            messageId: z.string().min(1).max(200),
            tags: z.record(z.string(), z.array(z.string())).optional(),
          })
          .passthrough(),
      })
      .passthrough(),
  })
  .passthrough();

export type SesSendEvent = z.infer<typeof sesSendEventSchema>;

/**
 * The confirmation an event carries, or undefined for a Send event of a message the router did not
 * tag (someone else's send through the same configuration set): nothing to confirm.
 * Throws on an event that is not an SES Send event at all.
 */
export function confirmationOf(event: unknown): SendConfirmation | undefined {
  const parsed = sesSendEventSchema.parse(event);
  const { mail } = parsed.detail;
  const routingId = mail.tags?.[ROUTING_ID_TAG]?.[0];
  if (!routingId) return undefined;
  // Sends from before the kind tag existed were all forwards.
  const kind = mail.tags?.[SEND_KIND_TAG]?.[0] === 'acknowledgement' ? 'acknowledgement' : 'forward';
  return { routingId, sesMessageId: mail.messageId, at: mail.timestamp, kind };
}

/** The event SES would publish for a send it took: what the local SES stand-in emits. */
export function sesSendEvent(input: {
  sesMessageId: string;
  at: Date;
  from: string | undefined;
  recipients: string[];
  tags: Record<string, string[]>;
}): SesSendEvent {
  const time = input.at.toISOString();
  return {
    version: '0',
    source: 'aws.ses',
    'detail-type': SES_SEND_DETAIL_TYPE,
    time,
    detail: {
      eventType: 'Send',
      mail: {
        timestamp: time,
        source: input.from ?? '',
        messageId: input.sesMessageId,
        destination: input.recipients,
        tags: input.tags,
      },
      send: {},
    },
  };
}
