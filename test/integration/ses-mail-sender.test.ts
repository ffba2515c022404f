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

  it('sends the raw bytes to exactly the given recipients, whatever the headers say, tagged with the routing id', async () => {
    // Prepare
    const raw = Buffer.concat([
      Buffer.from('From: mailroute@stockholm.se\r\nTo: someone-else@example.org\r\nSubject: [EU] x\r\n\r\n'),
      randomBytes(50_000),
    ]);
    const sender = new SesMailSender(client, 'mailroute-sends');

    // Act
    const { messageId } = await sender.send({
      from: 'mailroute@stockholm.se',
      recipients: ['internationella-enheten@stockholm.se', 'backup@stockholm.se'],
      raw,
      routingId: 'o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1',
    });

    // Assess
    const captured = capture.sent.find((email) => email.messageId === messageId);
    expect(captured).toMatchObject({
      api: 'v2:SendEmail',
      from: 'mailroute@stockholm.se',
      recipients: ['internationella-enheten@stockholm.se', 'backup@stockholm.se'],
      tags: { 'mailroute-id': ['o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1'] },
      configurationSet: 'mailroute-sends',
    });
    expect(captured?.raw.equals(raw)).toBe(true);
  });

  it('refuses to send without recipients', async () => {
    // Prepare
    const sender = new SesMailSender(client);
    const before = capture.sent.length;

    // Act
    const sending = sender.send({
      from: 'mailroute@stockholm.se',
      recipients: [],
      raw: Buffer.from('x'),
      routingId: 'x',
    });

    // Assess
    await expect(sending).rejects.toThrow(/no recipients/);
    expect(capture.sent.length).toBe(before);
  });
});
