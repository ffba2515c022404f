// bench --> (AWS stubs at the SDK's HTTP layer): both contenders build real SDK v3 clients and send
// real commands; only the socket is replaced. So both pay middleware, signing, request serialisation
// (the SES raw message as base64 inside JSON) and response parsing, as in Lambda. Given a latency
// model (bench/latency-model.ts), each call also takes the time AWS takes to answer it.
import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { type LatencyModel, sleep, until } from './latency-model.js';

/** The part of the SDK's HttpRequest the stubs look at. */
interface StubRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

interface StubResponse {
  statusCode: number;
  reason?: string;
  headers: Record<string, string>;
  body: Readable;
}

/** What the SES stub saw: proves that a forward really went out, and how big its request was. */
export interface SentLog {
  count: number;
  lastRequestBytes: number;
}

/** Network reads arrive in pieces of about this size, each a fresh buffer, as from a socket. */
const CHUNK_BYTES = 64 * 1024;

function response(statusCode: number, headers: Record<string, string>, body: string | Buffer = '') {
  return {
    response: { statusCode, headers, body: Readable.from([Buffer.from(body)]) } satisfies StubResponse,
  };
}

/** The object's bytes in socket-sized pieces; with a throughput, each piece no sooner than it would arrive. */
function objectStream(message: Buffer, bytesPerMs?: number): Readable {
  if (bytesPerMs === undefined) {
    return Readable.from(
      (function* chunks() {
        for (let offset = 0; offset < message.length; offset += CHUNK_BYTES) {
          yield Buffer.from(message.subarray(offset, offset + CHUNK_BYTES));
        }
      })(),
    );
  }
  const start = performance.now();
  return Readable.from(
    (async function* pacedChunks() {
      for (let offset = 0; offset < message.length; offset += CHUNK_BYTES) {
        const end = Math.min(message.length, offset + CHUNK_BYTES);
        await until(start + end / bytesPerMs);
        yield Buffer.from(message.subarray(offset, end));
      }
    })(),
  );
}

function bodyBytes(body: unknown): number {
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.byteLength;
  return 0;
}

const COMMON = {
  region: 'eu-west-1',
  credentials: { accessKeyId: 'AKIDBENCHMARK', secretAccessKey: 'bench-secret-key' },
};

/** Client settings beyond the stub: each contender passes what its own deployment sets. */
export type ClientSettings = Record<string, unknown>;

/** S3 that holds one object (the message) under every key; CopyObject succeeds. */
export function stubS3(message: Buffer, settings: ClientSettings = {}, latency?: LatencyModel): S3Client {
  const handler = {
    async handle(request: StubRequest) {
      if (request.method === 'PUT' && request.headers['x-amz-copy-source']) {
        if (latency) await sleep(latency.s3CopyMs);
        return response(
          200,
          { 'content-type': 'application/xml' },
          '<?xml version="1.0" encoding="UTF-8"?><CopyObjectResult><LastModified>2026-05-04T09:11:03.000Z</LastModified><ETag>"9b2cf535f27731c974343645a3985328"</ETag></CopyObjectResult>',
        );
      }
      if (latency) await sleep(latency.s3FirstByteMs);
      return {
        response: {
          statusCode: 200,
          headers: {
            'content-type': 'application/octet-stream',
            'content-length': String(message.length),
            etag: '"9b2cf535f27731c974343645a3985328"',
            'last-modified': 'Mon, 04 May 2026 09:11:03 GMT',
          },
          body: objectStream(message, latency?.s3BytesPerMs),
        } satisfies StubResponse,
      };
    },
  };
  return new S3Client({ ...COMMON, ...settings, requestHandler: handler as never });
}

/** DynamoDB with an empty table that accepts every conditional write. */
export function stubDynamoDb(settings: ClientSettings = {}, latency?: LatencyModel): DynamoDBClient {
  const handler = {
    async handle(_request: StubRequest) {
      if (latency) await sleep(latency.dynamoDbMs);
      return response(200, { 'content-type': 'application/x-amz-json-1.0' }, '{}');
    },
  };
  return new DynamoDBClient({ ...COMMON, ...settings, requestHandler: handler as never });
}

/** SES v2 that accepts every SendEmail and records how big the request was. */
export function stubSes(sent: SentLog, settings: ClientSettings = {}, latency?: LatencyModel): SESv2Client {
  const handler = {
    async handle(request: StubRequest) {
      sent.count += 1;
      sent.lastRequestBytes = bodyBytes(request.body);
      if (latency) await sleep(latency.sesMs + sent.lastRequestBytes / latency.sesUploadBytesPerMs);
      return response(
        200,
        { 'content-type': 'application/json' },
        `{"MessageId":"0100018f-bench-${sent.count}-000000"}`,
      );
    },
  };
  return new SESv2Client({ ...COMMON, ...settings, requestHandler: handler as never });
}
