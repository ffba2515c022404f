// bench --> (AWS over loopback HTTP): the canned answers of aws-stubs.ts as an HTTP server on 127.0.0.1, for
// the cold-start measurement, where a fresh `node` imports a bundle as Lambda would and handles its first
// message. The SDK clients inside a bundle cannot be handed a request handler; they find this server
// through AWS_ENDPOINT_URL, as any SDK v3 client does. Runs in the bench's own process, so its work is not
// counted in either contender's time.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AwsHttpStub {
  /** For AWS_ENDPOINT_URL. */
  endpoint: string;
  /** SES sends seen so far: proves that each first message really went out. */
  sends(): number;
  close(): Promise<void>;
}

/** S3 holding `message` under every key, DynamoDB accepting every write, SES v2 and Secrets Manager answering. */
export async function startAwsHttpStub(message: Buffer, loopSecret: string): Promise<AwsHttpStub> {
  let sends = 0;
  const server: Server = createServer((request, response) => {
    request.on('data', () => {});
    request.on('end', () => {
      const answer = answerFor(request, message, loopSecret, () => {
        sends += 1;
        return sends;
      });
      reply(response, answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    sends: () => sends,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

function answerFor(
  request: IncomingMessage,
  message: Buffer,
  loopSecret: string,
  sent: () => number,
): Answer {
  const target = String(request.headers['x-amz-target'] ?? '');
  if (target.startsWith('DynamoDB_')) {
    return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: '{}' };
  }
  if (target === 'secretsmanager.GetSecretValue') {
    const secret = {
      ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:mailroute-loop-AbCdEf',
      Name: 'mailroute-loop',
      SecretString: loopSecret,
      VersionId: 'bench',
      CreatedDate: 1777885862,
    };
    return {
      status: 200,
      headers: { 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify(secret),
    };
  }
  if (request.method === 'POST' && request.url?.startsWith('/v2/email/outbound-emails')) {
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: `{"MessageId":"0100018f-bench-cold-${sent()}-000000"}`,
    };
  }
  if (request.method === 'PUT' && request.headers['x-amz-copy-source']) {
    return {
      status: 200,
      headers: { 'content-type': 'application/xml' },
      body: '<?xml version="1.0" encoding="UTF-8"?><CopyObjectResult><LastModified>2026-05-04T09:11:03.000Z</LastModified><ETag>"9b2cf535f27731c974343645a3985328"</ETag></CopyObjectResult>',
    };
  }
  if (request.method === 'GET') {
    return {
      status: 200,
      headers: {
        'content-type': 'application/octet-stream',
        etag: '"9b2cf535f27731c974343645a3985328"',
        'last-modified': 'Mon, 04 May 2026 09:11:03 GMT',
      },
      body: message,
    };
  }
  return {
    status: 400,
    headers: { 'content-type': 'application/json' },
    body: `{"message":"the bench's AWS stub does not answer ${request.method} ${request.url} ${target}"}`,
  };
}

function reply(response: ServerResponse, { status, headers, body }: Answer): void {
  response.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  response.end(body);
}
