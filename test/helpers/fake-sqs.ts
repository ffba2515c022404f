// Test helper: an in-process stand-in for SQS's JSON API (AWS JSON 1.0, `X-Amz-Target: AmazonSQS.*`),
// just enough for ReceiveMessage, SendMessage, DeleteMessage and GetQueueAttributes (the depth). No local SQS emulator is on npm
// without Java or Docker; this keeps the DLQ replay testable on loopback.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface StoredMessage {
  id: string;
  body: string;
  receipt: string | undefined;
}

export interface FakeSqs {
  endpoint: string;
  queueUrl(name: string): string;
  /** Message bodies in a queue, in order (received-but-not-deleted ones included). */
  bodies(name: string): string[];
  put(name: string, body: string): void;
  close(): Promise<void>;
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

export async function startFakeSqs(): Promise<FakeSqs> {
  const queues = new Map<string, StoredMessage[]>();
  const queue = (url: string) => {
    const name = new URL(url).pathname.split('/').at(-1) ?? '';
    if (!queues.has(name)) queues.set(name, []);
    return queues.get(name) as StoredMessage[];
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '').replace('AmazonSQS.', '');
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const messages = queue(String(input.QueueUrl));
      let output: unknown = {};
      if (target === 'SendMessage') {
        const body = String(input.MessageBody);
        const id = randomUUID();
        messages.push({ id, body, receipt: undefined });
        output = { MessageId: id, MD5OfMessageBody: md5(body) };
      } else if (target === 'ReceiveMessage') {
        const max = Number(input.MaxNumberOfMessages ?? 1);
        const visible = messages.filter((message) => message.receipt === undefined).slice(0, max);
        for (const message of visible) message.receipt = randomUUID();
        output = {
          Messages: visible.map((message) => ({
            MessageId: message.id,
            ReceiptHandle: message.receipt,
            Body: message.body,
            MD5OfBody: md5(message.body),
          })),
        };
      } else if (target === 'GetQueueAttributes') {
        output = { Attributes: { ApproximateNumberOfMessages: String(messages.length) } };
      } else if (target === 'DeleteMessage') {
        const index = messages.findIndex((message) => message.receipt === input.ReceiptHandle);
        if (index >= 0) messages.splice(index, 1);
      } else {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify({ __type: 'UnsupportedOperation', message: target }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify(output));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    queueUrl: (name) => `${endpoint}/000000000000/${name}`,
    bodies: (name) => (queues.get(name) ?? []).map((message) => message.body),
    put: (name, body) => {
      queue(`${endpoint}/000000000000/${name}`).push({ id: randomUUID(), body, receipt: undefined });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
