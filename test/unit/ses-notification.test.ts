// The SES receipt notification as the router's SQS queue delivers it: checked by hand (no zod at the
// Lambda's init), relaxed where real events differ from the documented shape, strict where routing needs it.
import { describe, expect, it } from 'vitest';
import {
  InvalidNotificationError,
  parseNotificationBody,
} from '../../functions/route-mail/ses-notification.js';

/** A real-shaped notification: DMARC passed (so no dmarcPolicy), fields the router does not read. */
function notification() {
  return {
    notificationType: 'Received',
    mail: {
      timestamp: '2026-05-04T09:11:02.000Z',
      source: 'sender@example.org',
      messageId: 'o3vvb1ocpdbq6rm0slae',
      destination: ['EUinternational@stockholm.se'],
      headersTruncated: false,
      commonHeaders: { from: ['Sender <sender@example.org>'], to: ['EUinternational@stockholm.se'] },
    },
    receipt: {
      timestamp: '2026-05-04T09:11:02.000Z',
      processingTimeMillis: 512,
      recipients: ['euinternational@mailroute.stockholm.se'],
      spamVerdict: { status: 'PASS' },
      virusVerdict: { status: 'PASS' },
      spfVerdict: { status: 'PASS' },
      dkimVerdict: { status: 'PASS' },
      dmarcVerdict: { status: 'PASS' },
      action: { type: 'S3', bucketName: 'mail', objectKey: 'inbound/o3vvb1ocpdbq6rm0slae', objectSize: 2048 },
    },
  };
}

describe('parseNotificationBody', () => {
  it('reads a notification as SNS raw delivery or inside an SNS envelope, every field kept', () => {
    // Prepare
    const raw = JSON.stringify(notification());
    const enveloped = JSON.stringify({ Type: 'Notification', MessageId: 'x', Message: raw });

    // Act + Assess
    expect(parseNotificationBody(raw)).toEqual(notification());
    expect(parseNotificationBody(enveloped)).toEqual(notification());
  });

  it('accepts what real events leave out: notificationType, verdicts, dmarcPolicy, timestamps', () => {
    const { notificationType: _n, ...sparse } = notification();
    const { spamVerdict: _s, virusVerdict: _v, timestamp: _t, ...receipt } = sparse.receipt;

    expect(parseNotificationBody(JSON.stringify({ ...sparse, receipt })).receipt.recipients).toEqual([
      'euinternational@mailroute.stockholm.se',
    ]);
  });

  it.each([
    ['not JSON', '{ nope', /SQS message body is not JSON/],
    ['an array', '[1]', /\(root\): expected an object/],
    [
      'a Lambda action',
      JSON.stringify({
        ...notification(),
        receipt: { ...notification().receipt, action: { type: 'Lambda' } },
      }),
      /receipt\.action\.type: expected "S3"; receipt\.action\.bucketName: .*receipt\.action\.objectKey/,
    ],
    [
      'no recipients and a bad verdict',
      JSON.stringify({
        ...notification(),
        receipt: { ...notification().receipt, recipients: [], spfVerdict: 'PASS' },
      }),
      /receipt\.recipients: expected an array of at least one string; receipt\.spfVerdict: expected an object/,
    ],
    [
      'an empty message id and no mail destination',
      JSON.stringify({
        ...notification(),
        mail: { ...notification().mail, messageId: '', destination: 'x' },
      }),
      /mail\.messageId: expected a string of 1 to 200 characters; mail\.destination: expected an array/,
    ],
    [
      'another notification type',
      JSON.stringify({ ...notification(), notificationType: 'Bounce' }),
      /notificationType/,
    ],
    ['no mail and no receipt', JSON.stringify({}), /mail: expected an object; receipt: expected an object/],
  ])('refuses %s, saying what is wrong', (_name, body, problem) => {
    expect(() => parseNotificationBody(body)).toThrow(InvalidNotificationError);
    expect(() => parseNotificationBody(body)).toThrow(problem);
  });
});
