import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ROUTER_CONFIG } from '../../functions/config/schema.js';
import { startDynalite } from '../../functions/local/dynalite-server.js';
import { startStack } from '../../functions/local/stack.js';

describe('startStack', () => {
  let dataDir: string;
  let busy: Server;
  let busyPort: number;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mailroute-busy-'));
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => busy.close(resolve));
    await rm(dataDir, { recursive: true, force: true });
  });

  const ports = { smtpPort: 0, dynamoPort: 0, sesPort: 0 };
  const cases = [
    ['SMTP', 'smtpPort'],
    ['SES inbox', 'sesPort'],
    ['DynamoDB', 'dynamoPort'],
  ] as const;

  for (const [part, key] of cases) {
    it(`fails with EADDRINUSE and the port when the ${part} port is taken, and can start again after`, async () => {
      // Prepare
      const chosen = { ...ports, [key]: busyPort };
      const start = (choice: typeof ports) =>
        startStack({
          config: DEFAULT_ROUTER_CONFIG,
          dataDir,
          host: '127.0.0.1',
          smtpPort: choice.smtpPort,
          dynamoPort: choice.dynamoPort,
          ses: { port: choice.sesPort },
        });

      // Act
      const failing = start(chosen);

      // Assess
      await expect(failing).rejects.toMatchObject({ code: 'EADDRINUSE', port: busyPort });
      // Everything that had started was stopped again: the data folder is free for the next start.
      const stack = await start(ports);
      await stack.close();
    });
  }

  it('a DynamoDB start that fails on a taken port leaves its data folder free, however late it is reused', async () => {
    // Prepare
    const path = join(dataDir, 'late-reuse');
    await expect(startDynalite({ path, port: busyPort })).rejects.toMatchObject({ code: 'EADDRINUSE' });

    // Act: by now LevelDB has surely finished opening the folder, if anything still holds it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const again = startDynalite({ path });

    // Assess
    await expect(again).resolves.toMatchObject({ port: expect.any(Number) });
    await (await again).close();
  });
});
