import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FolderMailStore } from '../../functions/adapters/folder-mail-store.js';
import { S3MailStore } from '../../functions/adapters/s3-mail-store.js';
import { localS3Client } from '../../functions/local/aws-clients.js';
import type { MailStore } from '../../functions/route-mail/ports.js';

/** The stored bytes; every store announces the size it then delivers (the reader allocates by it). */
async function readAll(store: MailStore, bucket: string, key: string): Promise<Buffer> {
  const stored = await store.open({ bucket, key });
  const chunks: Uint8Array[] = [];
  for await (const chunk of stored.content) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  expect(stored.size).toBe(bytes.length);
  return bytes;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Every byte value, CR/LF/NUL included, and big enough to arrive in several chunks. */
const binaryMessage = Buffer.concat([Buffer.from('Subject: x\r\n\r\n'), randomBytes(300_000)]);

describe('S3MailStore', () => {
  let directory: string;
  let server: S3rver;
  let client: S3Client;
  const bucket = 'inbound-mail';

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'mailroute-s3rver-'));
    server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory,
      configureBuckets: [{ name: bucket }],
    });
    const { port } = await server.run();
    client = await localS3Client(`http://127.0.0.1:${port}`);
  });

  afterAll(async () => {
    client.destroy();
    await server.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('streams back exactly the bytes that were stored', async () => {
    // Prepare
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'inbound/a/1', Body: binaryMessage }));
    const store = new S3MailStore(client, bucket);

    // Act
    const read = await readAll(store, bucket, 'inbound/a/1');

    // Assess
    expect(read.equals(binaryMessage)).toBe(true);
  });

  it('reads back a streamed upload unchanged (no aws-chunked framing stored by s3rver)', async () => {
    // Prepare
    const body = Readable.from([binaryMessage.subarray(0, 100_000), binaryMessage.subarray(100_000)]);
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'inbound/a/streamed',
        Body: body,
        ContentLength: binaryMessage.length,
      }),
    );
    const store = new S3MailStore(client, bucket);

    // Act
    const read = await readAll(store, bucket, 'inbound/a/streamed');

    // Assess
    expect(read.equals(binaryMessage)).toBe(true);
  });

  it('rejects when the object does not exist', async () => {
    // Prepare
    const store = new S3MailStore(client, bucket);

    // Act
    const opening = store.open({ bucket, key: 'inbound/none' });

    // Assess
    await expect(opening).rejects.toThrow();
  });

  it('lists stored messages under a prefix with their sizes', async () => {
    // Prepare
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'list/x/1', Body: 'one' }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'list/x/2', Body: 'second' }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'elsewhere/3', Body: 'no' }));
    const store = new S3MailStore(client, bucket);

    // Act
    const listed = await collect(store.list('list/'));

    // Assess
    expect(listed.map((item) => [item.location.key, item.size])).toEqual([
      ['list/x/1', 3],
      ['list/x/2', 6],
    ]);
    expect(listed.every((item) => item.location.bucket === bucket && item.storedAt instanceof Date)).toBe(
      true,
    );
  });
});

describe('FolderMailStore', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'mailroute-folder-'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('streams back exactly the bytes that were put', async () => {
    // Prepare
    const store = new FolderMailStore(root);
    const location = await store.put('inbound/protocol@stockholm.se/abc', binaryMessage);

    // Act
    const read = await readAll(store, location.bucket, location.key);

    // Assess
    expect(location).toEqual({ bucket: 'mail', key: 'inbound/protocol@stockholm.se/abc' });
    expect(read.equals(binaryMessage)).toBe(true);
  });

  it('rejects opening a missing message', async () => {
    // Prepare
    const store = new FolderMailStore(root);

    // Act
    const opening = store.open({ bucket: 'mail', key: 'inbound/none' });

    // Assess
    await expect(opening).rejects.toThrow(/ENOENT/);
  });

  it('refuses keys and buckets that would leave the bucket folder', async () => {
    // Prepare
    const store = new FolderMailStore(root);

    // Act
    const attempts = [
      store.open({ bucket: 'mail', key: '../../etc/passwd' }),
      store.open({ bucket: '..', key: 'x' }),
      store.put('inbound/../../outside', Buffer.from('x')),
    ];

    // Assess
    for (const attempt of attempts) await expect(attempt).rejects.toThrow(/invalid/);
  });

  it('lists stored messages under a prefix', async () => {
    // Prepare
    const store = new FolderMailStore(root, 'listing');
    await store.put('inbound/a/1', Buffer.from('one'));
    await store.put('inbound/b/2', Buffer.from('second'));
    await store.put('other/3', Buffer.from('no'));

    // Act
    const listed = await collect(store.list('inbound/'));

    // Assess
    expect(listed.map((item) => [item.location.bucket, item.location.key, item.size])).toEqual([
      ['listing', 'inbound/a/1', 3],
      ['listing', 'inbound/b/2', 6],
    ]);
  });
});
