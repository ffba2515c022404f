import { describe, expect, it } from 'vitest';
import { parseRouterConfig } from '../../functions/config/schema.js';
import { messageIdOf, redriveNotification } from '../../functions/reconcile/reconcile.js';
import { parseNotificationBody } from '../../functions/route-mail/ses-notification.js';

const config = parseRouterConfig({});

describe('messageIdOf', () => {
  it('takes the SES message id from the last key segment and ignores what is not one', () => {
    expect(messageIdOf({ bucket: 'b', key: 'inbound/protocol@stockholm.se/0abc123def' })).toBe('0abc123def');
    expect(
      messageIdOf({ bucket: 'b', key: 'inbound/protocol@stockholm.se/AMAZON_SES_SETUP_NOTIFICATION' }),
    ).toBe('AMAZON_SES_SETUP_NOTIFICATION');
    expect(messageIdOf({ bucket: 'b', key: 'inbound/x/.hidden' })).toBeUndefined();
    expect(messageIdOf({ bucket: 'b', key: 'inbound/x/' })).toBeUndefined();
  });
});

describe('redriveNotification', () => {
  it('builds a notification the router accepts, with the functional address from the key', () => {
    // Act
    const notification = redriveNotification(
      config,
      { bucket: 'mail', key: 'inbound/protocol@stockholm.se/m1' },
      'm1',
      undefined,
      new Date('2026-04-20T10:00:00Z'),
    );

    // Assess: it survives the same validation as a real SQS body.
    const parsed = parseNotificationBody(JSON.stringify(notification));
    expect(parsed.receipt.recipients).toEqual(['protocol@stockholm.se']);
    expect(parsed.mail.messageId).toBe('m1');
    expect(parsed.receipt.spamVerdict).toBeUndefined();
  });

  it('carries the verdicts the record kept, so a re-drive is judged as the first delivery was', () => {
    const notification = redriveNotification(
      config,
      { bucket: 'mail', key: 'inbound/x/m2' },
      'm2',
      {
        id: 'm2',
        receivedAt: '2026-04-20T10:00:00.000Z',
        functionalAddress: 'kommunstyrelsen@stockholm.se',
        senderDomain: 'example.org',
        subjectSha256: '',
        subjectLength: 0,
        category: 'other',
        confidence: 0,
        automated: false,
        reasons: [],
        recipients: [],
        disposition: 'quarantine',
        status: 'failed',
        bucket: 'mail',
        key: 'inbound/x/m2',
        size: 1,
        updatedAt: '2026-04-20T10:00:00.000Z',
        verdicts: { virus: 'FAIL', dmarc: 'FAIL', dmarcPolicy: 'reject' },
      },
      new Date(),
    );
    expect(notification.receipt).toMatchObject({
      recipients: ['kommunstyrelsen@stockholm.se'],
      virusVerdict: { status: 'FAIL' },
      dmarcVerdict: { status: 'FAIL' },
      dmarcPolicy: 'reject',
    });
  });
});
