// Issue #11: the local stack behaves like SES receiving. SMTP answers 250 once the message is stored and
// routing goes on after; identical copies arriving at once are all taken and forwarded once; a store
// failure is a 451 that names no server path; every send is one raw file under <data dir>/sent/.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ROUTER_CONFIG } from '../../functions/config/schema.js';
import { localMessageId } from '../../functions/local/local-router.js';
import { startSesCaptureServer } from '../../functions/local/ses-capture-server.js';
import { type RunningStack, type StackOptions, startStack } from '../../functions/local/stack.js';
import { plainMessage } from '../helpers/pipeline-rig.js';

describe('the local stack as SES receiving', () => {
  const cleanups: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function stackWith(adapt?: StackOptions['adapt']): Promise<{ stack: RunningStack; dataDir: string }> {
    const dataDir = await mkdtemp(join(tmpdir(), 'mailroute-receiving-'));
    const inbox = await startSesCaptureServer({ keep: false });
    const stack = await startStack({
      config: DEFAULT_ROUTER_CONFIG,
      dataDir,
      host: '127.0.0.1',
      smtpPort: 0,
      dynamoPort: 0,
      ses: { endpoint: inbox.endpoint },
      persist: false,
      ...(adapt ? { adapt } : {}),
    });
    cleanups.push(async () => {
      await stack.close();
      await inbox.close();
      await rm(dataDir, { recursive: true, force: true });
    });
    return { stack, dataDir };
  }

  function send(stack: RunningStack, raw: Buffer) {
    const transport = nodemailer.createTransport({
      host: stack.smtp.host,
      port: stack.smtp.port,
      secure: false,
      ignoreTLS: true,
    });
    return transport
      .sendMail({ envelope: { from: 'sender@example.org', to: ['EUinternational@stockholm.se'] }, raw })
      .finally(() => transport.close());
  }

  it('answers 250 once the message is stored, while the forward is still waiting for SES', async () => {
    // Prepare: SES holds every send until the test lets it go.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { stack } = await stackWith((router) => {
      const sender = router.deps.sender;
      router.deps.sender = { send: async (mail) => held.then(() => sender.send(mail)) };
    });
    const raw = plainMessage();
    const id = localMessageId(raw);

    // Act
    const info = await send(stack, raw);
    const atReply = await stack.router.deps.log.get(id);
    let whileHeld = atReply;
    while (whileHeld?.status !== 'sending') {
      await new Promise((resolve) => setTimeout(resolve, 20));
      whileHeld = await stack.router.deps.log.get(id);
    }
    release();
    await stack.idle();

    // Assess
    expect(info.response).toMatch(/^250 /);
    expect([undefined, 'claimed', 'sending']).toContain(atReply?.status);
    expect(whileHeld.status).toBe('sending');
    expect(await stack.router.deps.log.get(id)).toMatchObject({ status: 'forwarded' });
  });

  it('takes five identical copies sent at once, answers each 250, and forwards the message once', async () => {
    // Prepare
    const { stack, dataDir } = await stackWith();
    const raw = plainMessage({ subject: 'Sent five times by an impatient server' });
    const id = localMessageId(raw);

    // Act
    const replies = await Promise.all(Array.from({ length: 5 }, () => send(stack, raw)));
    await stack.idle();

    // Assess
    expect(replies.map((info) => info.response.slice(0, 3))).toEqual(['250', '250', '250', '250', '250']);
    const files = await readdir(stack.sentDir);
    const forwards = await Promise.all(files.map((name) => readFile(join(stack.sentDir, name))));
    expect(forwards.filter((file) => file.includes(`X-Mailroute-Id: ${id}`))).toHaveLength(1);
    expect(await stack.router.deps.log.get(id)).toMatchObject({ status: 'forwarded' });
    const stored = await readdir(join(dataDir, 'mail'), { recursive: true });
    expect(stored.filter((name) => String(name).endsWith('.tmp'))).toEqual([]);
  });

  it('answers 451 without any server path when the message cannot be stored, and keeps the sender retrying', async () => {
    // Prepare: the store fails the way a full disk does, naming the file.
    const { stack, dataDir } = await stackWith((router) => {
      router.store.put = async () => {
        throw Object.assign(
          new Error(`ENOSPC: no space left on device, open '${dataDir}/mail/inbound/x.tmp'`),
          {
            code: 'ENOSPC',
          },
        );
      };
    });

    // Act
    const failure = await send(stack, plainMessage()).then(
      () => undefined,
      (error: Error & { response?: string; responseCode?: number }) => error,
    );

    // Assess
    expect(failure?.responseCode).toBe(451);
    expect(failure?.response).not.toContain(dataDir);
    expect(failure?.response).not.toMatch(/\/(tmp|home|work)\//);
  });
});
