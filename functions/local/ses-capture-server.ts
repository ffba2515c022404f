// test and local helper --> an SES API endpoint that keeps each raw request: who it went to and the exact bytes.
// aws-ses-v2-local keeps only parsed fields (no envelope, no custom headers, binary attachments
// corrupted on export), which cannot prove what a group received.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CapturedEmail {
  /** The SES message id this server answered with. */
  messageId: string;
  api: 'v2:SendEmail' | 'v1:SendRawEmail';
  from: string | undefined;
  /** The envelope recipients as requested (Destination / Destinations), not the To header. */
  recipients: string[];
  raw: Buffer;
  /** The message tags of the request (`EmailTags`), as SES hands them on in its events' `mail.tags`. */
  tags: Record<string, string[]>;
  /** The configuration set named in the request, if any. */
  configurationSet: string | undefined;
  /** When this server took it. */
  at: Date;
}

export interface SesCaptureServer {
  /** e.g. http://127.0.0.1:40123, for the SDK client's `endpoint`. */
  endpoint: string;
  port: number;
  sent: CapturedEmail[];
  close(): Promise<void>;
}

export interface SesCaptureOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Called for each accepted message, e.g. to write it to disk. */
  onSend?: (email: CapturedEmail) => void | Promise<void>;
  /** Keep each send in `sent` (tests read it). @default true */
  keep?: boolean;
}

/** SES v2 accepts 40 MB raw; base64 and JSON framing make the request about a third bigger. */
const MAX_REQUEST_BYTES = 60 * 1024 * 1024;

export async function startSesCaptureServer(options: SesCaptureOptions = {}): Promise<SesCaptureServer> {
  const sent: CapturedEmail[] = [];
  const server = createServer((request, response) => {
    handle(request, response, options.keep === false ? undefined : sent, options.onSend).catch(
      (error: unknown) => {
        reply(response, 500, 'application/json', JSON.stringify({ message: String(error) }));
      },
    );
  });
  await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    sent,
    close: () => close(server),
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  sent: CapturedEmail[] | undefined,
  onSend: SesCaptureOptions['onSend'],
): Promise<void> {
  const body = await readBody(request);
  if (body === undefined) {
    reply(response, 413, 'application/json', JSON.stringify({ message: 'request too large' }));
    return;
  }
  const path = (request.url ?? '/').split('?')[0];
  let email: CapturedEmail | undefined;
  if (request.method === 'POST' && path === '/v2/email/outbound-emails') {
    email = fromV2(JSON.parse(body.toString('utf8')) as V2SendEmail);
    if (!email) {
      reply(response, 400, 'application/json', JSON.stringify({ message: 'only Content.Raw is supported' }));
      return;
    }
    await record(email, sent, onSend);
    reply(response, 200, 'application/json', JSON.stringify({ MessageId: email.messageId }));
    return;
  }
  if (request.method === 'POST' && path === '/') {
    const form = new URLSearchParams(body.toString('utf8'));
    if (form.get('Action') === 'SendRawEmail') {
      email = fromV1(form);
      await record(email, sent, onSend);
      reply(
        response,
        200,
        'text/xml',
        `<SendRawEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><SendRawEmailResult><MessageId>${email.messageId}</MessageId></SendRawEmailResult></SendRawEmailResponse>`,
      );
      return;
    }
  }
  reply(
    response,
    404,
    'application/json',
    JSON.stringify({ message: `unsupported: ${request.method} ${path}` }),
  );
}

interface V2SendEmail {
  FromEmailAddress?: string;
  EmailTags?: { Name?: string; Value?: string }[];
  ConfigurationSetName?: string;
  Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  Content?: { Raw?: { Data?: string } };
}

function fromV2(request: V2SendEmail): CapturedEmail | undefined {
  const data = request.Content?.Raw?.Data;
  if (typeof data !== 'string') return undefined;
  const destination = request.Destination ?? {};
  return {
    messageId: newMessageId(),
    api: 'v2:SendEmail',
    from: request.FromEmailAddress,
    recipients: [
      ...(destination.ToAddresses ?? []),
      ...(destination.CcAddresses ?? []),
      ...(destination.BccAddresses ?? []),
    ],
    raw: Buffer.from(data, 'base64'),
    tags: tagsOf((request.EmailTags ?? []).map((tag) => [tag.Name, tag.Value])),
    configurationSet: request.ConfigurationSetName,
    at: new Date(),
  };
}

function tagsOf(pairs: [string | undefined, string | undefined][]): Record<string, string[]> {
  const tags: Record<string, string[]> = {};
  for (const [name, value] of pairs) {
    if (name === undefined || value === undefined) continue;
    tags[name] = [...(tags[name] ?? []), value];
  }
  return tags;
}

function fromV1(form: URLSearchParams): CapturedEmail {
  const recipients: string[] = [];
  for (let index = 1; form.has(`Destinations.member.${index}`); index += 1) {
    recipients.push(form.get(`Destinations.member.${index}`) ?? '');
  }
  return {
    messageId: newMessageId(),
    api: 'v1:SendRawEmail',
    from: form.get('Source') ?? undefined,
    recipients,
    raw: Buffer.from(form.get('RawMessage.Data') ?? '', 'base64'),
    tags: tagsOf(
      Array.from({ length: 50 }, (_, index) => [
        form.get(`Tags.member.${index + 1}.Name`) ?? undefined,
        form.get(`Tags.member.${index + 1}.Value`) ?? undefined,
      ]),
    ),
    configurationSet: form.get('ConfigurationSetName') ?? undefined,
    at: new Date(),
  };
}

async function record(
  email: CapturedEmail,
  sent: CapturedEmail[] | undefined,
  onSend: SesCaptureOptions['onSend'],
): Promise<void> {
  sent?.push(email);
  await onSend?.(email);
}

function newMessageId(): string {
  return `capture-${randomUUID()}`;
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function reply(response: ServerResponse, status: number, contentType: string, body: string): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': randomUUID() });
  response.end(body);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
