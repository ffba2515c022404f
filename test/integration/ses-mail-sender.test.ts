import { randomBytes } from 'node:crypto';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SesMailSender, tagValue } from '../../functions/adapters/ses-mail-sender.js';
import { splitMessage } from '../../functions/core/header-block.js';
import { localSesClient } from '../../functions/local/aws-clients.js';
import { type SesCaptureServer, startSesCaptureServer } from '../../functions/local/ses-capture-server.js';
import { SDK_CLIENT_SETTINGS } from '../../functions/route-mail/handler.js';
import { MessageBuffer } from '../../functions/route-mail/message-buffer.js';

/** The stored bytes as S3 streams them: pieces of 64 KB. */
async function* inPieces(bytes: Buffer): AsyncIterable<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += 64 * 1024)
    yield bytes.subarray(offset, offset + 64 * 1024);
}

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

  /** A forward built in the buffer a stored message of `size` bytes was read into, as the pipeline builds it. */
  async function forwardInItsBuffer(size: number) {
    const stored = Buffer.concat([
      Buffer.from('From: someone@example.org\r\nSubject: Bilaga\r\n\r\n'),
      randomBytes(size),
    ]);
    const message = await MessageBuffer.read({ size: stored.length, content: inPieces(stored) });
    const { body } = splitMessage(message.raw);
    const forward = message.joinBeforeBody(Buffer.from('From: mailroute@stockholm.se\r\n\r\n'), body);
    const requestBodies: Uint8Array[] = [];
    const mail = {
      from: 'mailroute@stockholm.se',
      recipients: ['internationella-enheten@stockholm.se', 'backup@stockholm.se'],
      raw: forward,
      base64InPlace: (before: Uint8Array, after: Uint8Array) => {
        const framed = message.base64InPlace(forward, before, after);
        if (framed) requestBodies.push(framed);
        return framed;
      },
      routingId: `o3vrnil0e2ic28trm7dfhrc2v0clambda${size}`,
    };
    return { message, mail, expected: Buffer.from(forward), requestBodies };
  }

  it('sends a large message written over by its own base64: the request body is the message buffer, the bytes arrive exact', async () => {
    // Prepare
    const { message, mail, expected, requestBodies } = await forwardInItsBuffer(1_500_001);
    const sender = new SesMailSender(client, 'mailroute-sends');

    // Act
    const { messageId } = await sender.send(mail);

    // Assess: SES got the forward byte for byte, with every other field, and no copy of it was made
    const captured = capture.sent.find((email) => email.messageId === messageId);
    expect(captured).toMatchObject({
      recipients: ['internationella-enheten@stockholm.se', 'backup@stockholm.se'],
      tags: { 'mailroute-id': [tagValue(mail.routingId)], 'mailroute-kind': ['forward'] },
      configurationSet: 'mailroute-sends',
    });
    expect(captured?.raw.equals(expected)).toBe(true);
    expect(requestBodies.map((body) => body.buffer)).toEqual([message.raw.buffer]);
  });

  it("writes each large message in place on a client that caches its middleware, as the Lambda's does", async () => {
    // Prepare: with cacheMiddleware, a command's own middleware could stay in the cached stack and
    // run for the next command (on the previous message)
    const cached = new SESv2Client({
      endpoint: capture.endpoint,
      region: 'eu-north-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      ...SDK_CLIENT_SETTINGS,
    });
    const sender = new SesMailSender(cached);
    const first = await forwardInItsBuffer(1_200_000);
    const second = await forwardInItsBuffer(1_300_000);
    const small = Buffer.from('Subject: small\r\n\r\nhej\r\n');

    // Act
    const sent = [
      await sender.send(first.mail),
      await sender.send({ ...first.mail, raw: small, base64InPlace: undefined }),
      await sender.send(second.mail),
      await sender.send({ ...first.mail, raw: small, base64InPlace: undefined }),
    ];
    cached.destroy();

    // Assess: every message arrived as it was, each large one written in place once
    const rawOf = (id: string) => capture.sent.find((email) => email.messageId === id)?.raw;
    const expected = [first.expected, small, second.expected, small];
    expect(sent.map(({ messageId }, index) => rawOf(messageId)?.equals(expected[index] ?? small))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(first.requestBodies).toHaveLength(1);
    expect(second.requestBodies).toHaveLength(1);
  });

  it('sends a small message as the SDK serialises it, and a large one without room in a request of its own', async () => {
    // Prepare
    const small = await forwardInItsBuffer(1_000);
    const large = Buffer.concat([Buffer.from('Subject: x\r\n\r\n'), randomBytes(1_100_000)]);
    const sender = new SesMailSender(client);

    // Act
    const smallSent = await sender.send(small.mail);
    const largeSent = await sender.send({ ...small.mail, raw: large, base64InPlace: () => undefined });

    // Assess: both exact; the small one was not written over
    const rawOf = (id: string) => capture.sent.find((email) => email.messageId === id)?.raw;
    expect(rawOf(smallSent.messageId)?.equals(small.expected)).toBe(true);
    expect(small.requestBodies).toHaveLength(0);
    expect(rawOf(largeSent.messageId)?.equals(large)).toBe(true);
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
