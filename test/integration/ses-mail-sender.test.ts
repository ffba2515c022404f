import { randomBytes } from 'node:crypto';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SesMailSender } from '../../functions/adapters/ses-mail-sender.js';
import { localSesClient } from '../../functions/local/aws-clients.js';
import { type SesCaptureServer, startSesCaptureServer } from '../../functions/local/ses-capture-server.js';

describe('SesMailSender', () => {
  let capture: SesCaptureServer;
  let client: SESv2Client;

  beforeAll(async () => {
    capture = await startSesCaptureServer();
    client = await localSesClient(capture.endpoint);
  });

  afterAll(async () => {
    client.destroy();
    await capture.close();
  });

  it('sends the raw bytes to exactly the given recipients, whatever the headers say', async () => {
    // Prepare
    const raw = Buffer.concat([
      Buffer.from('From: mailroute@stockholm.se\r\nTo: someone-else@example.org\r\nSubject: [EU] x\r\n\r\n'),
      randomBytes(50_000),
    ]);
    const sender = new SesMailSender(client);

    // Act
    const { messageId } = await sender.send({
      from: 'mailroute@stockholm.se',
      recipients: ['internationella-enheten@stockholm.se', 'backup@stockholm.se'],
      raw,
    });

    // Assess
    const captured = capture.sent.find((email) => email.messageId === messageId);
    expect(captured).toMatchObject({
      api: 'v2:SendEmail',
      from: 'mailroute@stockholm.se',
      recipients: ['internationella-enheten@stockholm.se', 'backup@stockholm.se'],
    });
    expect(captured?.raw.equals(raw)).toBe(true);
  });

  it('refuses to send without recipients', async () => {
    // Prepare
    const sender = new SesMailSender(client);
    const before = capture.sent.length;

    // Act
    const sending = sender.send({ from: 'mailroute@stockholm.se', recipients: [], raw: Buffer.from('x') });

    // Assess
    await expect(sending).rejects.toThrow(/no recipients/);
    expect(capture.sent.length).toBe(before);
  });
});
