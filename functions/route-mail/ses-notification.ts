// handler --> (event parsing): the SES receipt notification that SNS delivers through SQS.
// Validated with zod, relaxed where real SES events differ from the documented shape: dmarcPolicy
// is sent only when DMARC fails, commonHeaders may lack a subject, headers may be truncated.
import * as z from 'zod';

const verdict = z.object({ status: z.string() }).passthrough();

export const sesNotificationSchema = z
  .object({
    notificationType: z.literal('Received').optional(),
    mail: z
      .object({
        timestamp: z.string(),
        source: z.string(),
        messageId: z.string().min(1).max(200),
        destination: z.array(z.string()),
        headersTruncated: z.boolean().optional(),
      })
      .passthrough(),
    receipt: z
      .object({
        timestamp: z.string().optional(),
        recipients: z.array(z.string()).min(1),
        spamVerdict: verdict.optional(),
        virusVerdict: verdict.optional(),
        spfVerdict: verdict.optional(),
        dkimVerdict: verdict.optional(),
        dmarcVerdict: verdict.optional(),
        dmarcPolicy: z.string().optional(),
        action: z
          .object({
            type: z.literal('S3'),
            bucketName: z.string().min(1),
            objectKey: z.string().min(1),
            topicArn: z.string().optional(),
          })
          .passthrough(),
      })
      .passthrough(),
  })
  .passthrough();

export type SesNotification = z.infer<typeof sesNotificationSchema>;

export class InvalidNotificationError extends Error {
  override name = 'InvalidNotificationError';
}

/**
 * Reads an SQS message body: the SES notification itself (SNS raw message delivery) or, if raw
 * delivery was turned off, the SNS envelope around it.
 */
export function parseNotificationBody(body: string): SesNotification {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new InvalidNotificationError('SQS message body is not JSON');
  }
  if (isSnsEnvelope(json)) return parseNotificationBody(json.Message);
  const result = sesNotificationSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new InvalidNotificationError(`not an SES receipt notification with an S3 action: ${problems}`);
  }
  return result.data;
}

function isSnsEnvelope(value: unknown): value is { Type: string; Message: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    'Type' in value &&
    value.Type === 'Notification' &&
    'Message' in value &&
    typeof value.Message === 'string'
  );
}
