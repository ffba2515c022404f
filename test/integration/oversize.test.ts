// Promise 9 of issue #5: a message too large to send goes out as a notice with a time-limited link to
// the stored original (a presigned S3 URL; locally a file path), disposition `forwarded_as_notice`.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { simpleParser } from 'mailparser';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3MailStore } from '../../functions/adapters/s3-mail-store.js';
import { DEFAULT_ROUTER_CONFIG } from '../../functions/config/schema.js';
import { localS3Client } from '../../functions/local/aws-clients.js';
import { routeMessage } from '../../functions/route-mail/pipeline.js';
import { type Rig, sentFor, startRig } from '../helpers/pipeline-rig.js';

function withAttachment(bytes: number, id: string): Buffer {
  const content = randomBytes(bytes).toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    [
      'From: Partner <partner@example.org>',
      'To: EUinternational@stockholm.se',
      'Subject: Programme and the full video recording',
      `Message-ID: <${id}@example.org>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Please find the recording attached.',
      '--b',
      'Content-Type: video/mp4; name="recording.mp4"',
      'Content-Disposition: attachment; filename="recording.mp4"',
      'Content-Transfer-Encoding: base64',
      '',
      content,
      '--b--',
      '',
    ].join('\r\n'),
  );
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
    const path = /^(\/\S+)$/m.exec(parsed.text ?? '')?.[1] ?? '';
    expect((await readFile(path)).equals(raw)).toBe(true);
    expect(parsed.subject).toContain('Programme and the full video recording');
    expect(normal.disposition).toBe('forward');
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
    expect(raw.length).toBeGreaterThan(40 * 1024 * 1024);
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

  it('gives a presigned link that fetches the stored original and says when it expires', async () => {
    // Prepare
    const { port } = await server.run();
    const client = await localS3Client(`http://127.0.0.1:${port}`);
    const raw = withAttachment(5_000, 'presign-1');
    await client.send(new PutObjectCommand({ Bucket: 'mail', Key: 'inbound/x/presign-1', Body: raw }));
    const store = new S3MailStore(client, 'mail');

    // Act
    const { link, expiresAt } = await store.locate({ bucket: 'mail', key: 'inbound/x/presign-1' }, 3600);
    const response = await fetch(link);
    client.destroy();

    // Assess
    expect(new URL(link).searchParams.get('X-Amz-Expires')).toBe('3600');
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now() + 3500_000);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(raw)).toBe(true);
  });
});
