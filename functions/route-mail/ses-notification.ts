// handler --> (event parsing): the SES receipt notification that SNS delivers through SQS.
// Checked by hand (no zod at the Lambda's init, and a few checks cost less per message than a schema
// walk), relaxed where real SES events differ from the documented shape: dmarcPolicy is sent only when
// DMARC fails, commonHeaders may lack a subject, headers may be truncated. Fields not named here pass
// through untouched.

/** A verdict as SES writes it (`{ status: 'PASS' }`). */
export interface SesVerdict {
  status: string;
  [field: string]: unknown;
}

export interface SesNotification {
  notificationType?: 'Received';
  mail: {
    timestamp: string;
    source: string;
    messageId: string;
    destination: string[];
    headersTruncated?: boolean;
    [field: string]: unknown;
  };
  receipt: {
    timestamp?: string;
    recipients: string[];
    spamVerdict?: SesVerdict;
    virusVerdict?: SesVerdict;
    spfVerdict?: SesVerdict;
    dkimVerdict?: SesVerdict;
    dmarcVerdict?: SesVerdict;
    dmarcPolicy?: string;
    action: {
      type: 'S3';
      bucketName: string;
      objectKey: string;
      topicArn?: string;
      [field: string]: unknown;
    };
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

const VERDICTS = ['spamVerdict', 'virusVerdict', 'spfVerdict', 'dkimVerdict', 'dmarcVerdict'] as const;

/** Every way `value` is not an SES receipt notification with an S3 action, as `path: problem`. */
export function notificationProblems(value: unknown): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, path: string, problem: string) => {
    if (!ok) problems.push(`${path}: ${problem}`);
  };
  if (!isObject(value)) return ['(root): expected an object'];
  check(
    value.notificationType === undefined || value.notificationType === 'Received',
    'notificationType',
    'expected "Received"',
  );
  const { mail, receipt } = value;
  if (isObject(mail)) {
    check(typeof mail.timestamp === 'string', 'mail.timestamp', 'expected a string');
    check(typeof mail.source === 'string', 'mail.source', 'expected a string');
    check(
      typeof mail.messageId === 'string' && mail.messageId.length >= 1 && mail.messageId.length <= 200,
      'mail.messageId',
      'expected a string of 1 to 200 characters',
    );
    check(isStringArray(mail.destination), 'mail.destination', 'expected an array of strings');
    check(
      mail.headersTruncated === undefined || typeof mail.headersTruncated === 'boolean',
      'mail.headersTruncated',
      'expected a boolean',
    );
  } else problems.push('mail: expected an object');
  if (isObject(receipt)) {
    check(isOptionalString(receipt.timestamp), 'receipt.timestamp', 'expected a string');
    check(
      isStringArray(receipt.recipients) && receipt.recipients.length >= 1,
      'receipt.recipients',
      'expected an array of at least one string',
    );
    for (const name of VERDICTS) {
      const verdict = receipt[name];
      check(
        verdict === undefined || (isObject(verdict) && typeof verdict.status === 'string'),
        `receipt.${name}`,
        'expected an object with a string status',
      );
    }
    check(isOptionalString(receipt.dmarcPolicy), 'receipt.dmarcPolicy', 'expected a string');
    const { action } = receipt;
    if (isObject(action)) {
      check(action.type === 'S3', 'receipt.action.type', 'expected "S3"');
      check(isFilledString(action.bucketName), 'receipt.action.bucketName', 'expected a non-empty string');
      check(isFilledString(action.objectKey), 'receipt.action.objectKey', 'expected a non-empty string');
      check(isOptionalString(action.topicArn), 'receipt.action.topicArn', 'expected a string');
    } else problems.push('receipt.action: expected an object');
  } else problems.push('receipt: expected an object');
  return problems;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isFilledString(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

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
  const problems = notificationProblems(json);
  if (problems.length > 0) {
    throw new InvalidNotificationError(
      `not an SES receipt notification with an S3 action: ${problems.join('; ')}`,
    );
  }
  return json as SesNotification;
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
