// Promise 9 of issue #5: a message too large to send goes out as a notice that names the stored original
// (its S3 URI, console page and CLI command, each needing the reader's own access; locally the file path),
// disposition `forwarded_as_notice`. The limit keeps clear of SES's 40 MB (issue #13).
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { simpleParser } from 'mailparser';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3MailStore } from '../../functions/adapters/s3-mail-store.js';
import {
  DEFAULT_ROUTER_CONFIG,
  MAX_FORWARD_BYTES,
  SES_MAX_MESSAGE_BYTES,
} from '../../functions/config/schema.js';
import { localS3Client } from '../../functions/local/aws-clients.js';
import { routeMessage } from '../../functions/route-mail/pipeline.js';
import { messageWithAttachment } from '../helpers/mime.js';
import { type Rig, sentFor, startRig } from '../helpers/pipeline-rig.js';

function withAttachment(bytes: number, id: string): Buffer {
  return messageWithAttachment({
    id,
    content: randomBytes(bytes),
    contentType: 'video/mp4',
    filename: 'recording.mp4',
  });
}

describe('oversize messages', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig();
  });

  afterAll(async () => {
    await rig.close();
  });

  it('sends a notice with the stored file when the forward would pass the configured limit', async () => {
    // Prepare
    const deps = await rig.freshDeps({
      configOverrides: { limits: { ...DEFAULT_ROUTER_CONFIG.limits, maxForwardBytes: 64 * 1024 } },
    });
    const raw = withAttachment(200_000, 'big-1');
    const small = withAttachment(10_000, 'small-1');

    // Act
    const result = await routeMessage(deps, await deps.deliver(raw));
    const normal = await routeMessage(deps, await deps.deliver(small));

    // Assess
    expect(result).toMatchObject({ status: 'forwarded', disposition: 'forwarded_as_notice' });
    expect(await deps.log.get(result.messageId)).toMatchObject({ disposition: 'forwarded_as_notice' });
    const notice = sentFor(rig.capture, result.messageId)[0]?.raw ?? Buffer.alloc(0);
    expect(notice.length).toBeLessThan(64 * 1024);
    const parsed = await simpleParser(notice);
    const path = /^Stored as: (\/\S+)$/m.exec(parsed.text ?? '')?.[1] ?? '';
    expect((await readFile(path)).equals(raw)).toBe(true);
    expect(parsed.subject).toContain('Programme and the full video recording');
    expect(normal.disposition).toBe('forward');
  });

  it('forwards a message whose forward is exactly the limit, and sends a notice one byte below it', async () => {
    // Prepare: the size of this message's forward, measured with room to spare.
    const raw = withAttachment(20_000, 'edge-1');
    const measuring = await rig.freshDeps();
    const measured = await routeMessage(measuring, await measuring.deliver(raw));
    const forwardBytes = sentFor(rig.capture, measured.messageId)[0]?.raw.length ?? 0;
    const withLimit = (maxForwardBytes: number) =>
      rig.freshDeps({ configOverrides: { limits: { ...DEFAULT_ROUTER_CONFIG.limits, maxForwardBytes } } });
    const atLimit = await withLimit(forwardBytes);
    const belowLimit = await withLimit(forwardBytes - 1);

    // Act
    const fits = await routeMessage(atLimit, await atLimit.deliver(raw));
    const overByOne = await routeMessage(belowLimit, await belowLimit.deliver(raw));

    // Assess
    expect(measured.disposition).toBe('forward');
    expect(fits.disposition).toBe('forward');
    expect(overByOne.disposition).toBe('forwarded_as_notice');
    const notice = await simpleParser(
      sentFor(rig.capture, overByOne.messageId).at(-1)?.raw ?? Buffer.alloc(0),
    );
    expect(notice.text).toContain(`${forwardBytes} bytes; the limit is ${forwardBytes - 1}`);
  });

  it('sends a notice, not five failing sends, for a message just under 40 MB with the default limits', {
    timeout: 120_000,
  }, async () => {
    // Prepare: SES received it (under its 40 MB), but the forward leaves SES no room for its own headers.
    const deps = await rig.freshDeps();
    const raw = withAttachment(Math.floor(((SES_MAX_MESSAGE_BYTES - 40_000) * 57) / 78), 'edge-40mb');

    // Act
    const result = await routeMessage(deps, await deps.deliver(raw));

    // Assess
    expect(raw.length).toBeLessThan(SES_MAX_MESSAGE_BYTES);
    expect(raw.length).toBeGreaterThan(MAX_FORWARD_BYTES);
    expect(result).toMatchObject({ status: 'forwarded', disposition: 'forwarded_as_notice' });
    const sent = sentFor(rig.capture, result.messageId);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.raw.length).toBeLessThan(10_000);
  });

  it('sends a notice for a message over SES v2 40 MB with the default configuration', {
    timeout: 120_000,
  }, async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const raw = withAttachment(31 * 1024 * 1024, 'huge-1');

    // Act
    const result = await routeMessage(deps, await deps.deliver(raw));

    // Assess
    expect(raw.length).toBeGreaterThan(SES_MAX_MESSAGE_BYTES);
    expect(result).toMatchObject({ status: 'forwarded', disposition: 'forwarded_as_notice' });
    const sent = sentFor(rig.capture, result.messageId);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.raw.length).toBeLessThan(10_000);
  });
});

describe('S3MailStore.locate', () => {
  let directory: string;
  let server: S3rver;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'mailroute-s3rver-'));
    server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory,
      configureBuckets: [{ name: 'mail' }],
    });
  });

  afterAll(async () => {
    await server.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('names the stored original by S3 URI, console page and CLI command, with nothing signed', async () => {
    // Prepare
    const { port } = await server.run();
    const client = await localS3Client(`http://127.0.0.1:${port}`);
    const key = 'inbound/protocol@stockholm.se/abc 123';
    await client.send(new PutObjectCommand({ Bucket: 'mail', Key: key, Body: withAttachment(5_000, 'x') }));
    const store = new S3MailStore(client, 'mail');
    const region = await client.config.region();

    // Act
    const original = await store.locate({ bucket: 'mail', key });
    client.destroy();

    // Assess
    expect(original.location).toBe(`s3://mail/${key}`);
    expect(original.command).toBe(`aws s3 cp "s3://mail/${key}" original.eml --region ${region}`);
    const page = new URL(original.consoleLink ?? '');
    expect(page.host).toBe(`${region}.console.aws.amazon.com`);
    expect(page.pathname).toBe('/s3/object/mail');
    expect(page.searchParams.get('prefix')).toBe(key);
    expect(JSON.stringify(original)).not.toMatch(/X-Amz-/i);
  });
});
