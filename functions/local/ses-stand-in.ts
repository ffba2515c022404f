// local stack --> (SES stand-in) --> the sent folder, SES's Send event, and a web inbox. What SES and
// EventBridge do for the router in AWS: take a send, keep it, publish a Send event with the message
// tags, and deliver that event to the confirm code until it succeeds (functions/confirm-send/).
//
// `<data dir>/sent/` holds one raw file per send, never overwritten: `<time>-<SES message id>.eml`.
// `<data dir>/ses-events/` holds each Send event until the confirm code took it. The event is written
// before the sent file and counts only once its sent file exists: a crash between the two leaves an
// event for a send that never happened (the router got no answer either), which is dropped.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sesSendEvent } from '../confirm-send/send-event.js';
import { localSesClient } from './aws-clients.js';
import { type CapturedEmail, type SesCaptureServer, startSesCaptureServer } from './ses-capture-server.js';

export interface SesStandInOptions {
  dataDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The confirm code: receives each Send event, at least once; a rejection keeps the event for later. */
  confirm: (event: unknown) => Promise<unknown>;
  /** Another SES API endpoint that gets a copy of each send (the web inbox); best effort. */
  mirrorEndpoint?: string;
}

export interface SesStandIn {
  endpoint: string;
  sentDir: string;
  /** Delivers the events a crash left undelivered; resolves to how many were delivered. */
  deliverPending(): Promise<number>;
  /** Resolves when every event delivery begun so far has finished. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

interface StoredEvent {
  sentFile: string;
  event: unknown;
}

export async function startSesStandIn(options: SesStandInOptions): Promise<SesStandIn> {
  const sentDir = join(options.dataDir, 'sent');
  const eventsDir = join(options.dataDir, 'ses-events');
  await mkdir(sentDir, { recursive: true });
  await mkdir(eventsDir, { recursive: true });
  const mirror = options.mirrorEndpoint ? await localSesClient(options.mirrorEndpoint) : undefined;
  const inFlight = new Set<Promise<void>>();

  const deliver = async (eventFile: string): Promise<boolean> => {
    let stored: StoredEvent;
    try {
      stored = JSON.parse(await readFile(eventFile, 'utf8')) as StoredEvent;
    } catch {
      // Half-written by a crash before its sent file existed: no send behind it.
      await rm(eventFile, { force: true });
      return false;
    }
    if (!(await exists(join(sentDir, stored.sentFile)))) {
      await rm(eventFile, { force: true });
      return false;
    }
    await options.confirm(stored.event);
    await rm(eventFile, { force: true });
    return true;
  };

  const later = (eventFile: string) => {
    // After the reply, as EventBridge delivers after SES answered; a failure keeps the file.
    const delivery = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => deliver(eventFile))
      .then(
        () => undefined,
        (error: unknown) => {
          console.error(`ses stand-in: send event kept for the next start: ${(error as Error).message}`);
        },
      );
    inFlight.add(delivery);
    void delivery.finally(() => inFlight.delete(delivery));
  };

  const onSend = async (email: CapturedEmail) => {
    const sentFile = `${fileTime(email.at)}-${email.messageId}.eml`;
    const eventFile = join(eventsDir, `${email.messageId}.json`);
    const event = sesSendEvent({
      sesMessageId: email.messageId,
      at: email.at,
      from: email.from,
      recipients: email.recipients,
      tags: email.tags,
    });
    await writeAtomically(eventFile, JSON.stringify({ sentFile, event } satisfies StoredEvent), 'wx');
    await writeAtomically(join(sentDir, sentFile), email.raw, 'wx');
    later(eventFile);
    if (mirror) {
      const { SendEmailCommand } = await import('@aws-sdk/client-sesv2');
      await mirror
        .send(
          new SendEmailCommand({
            FromEmailAddress: email.from,
            Destination: { ToAddresses: email.recipients },
            Content: { Raw: { Data: email.raw } },
          }),
        )
        .catch((error: unknown) =>
          console.error(`ses stand-in: inbox copy failed: ${(error as Error).message}`),
        );
    }
  };

  const server: SesCaptureServer = await startSesCaptureServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    onSend,
    // The sent folder is the record here, not memory.
    keep: false,
  });

  return {
    endpoint: server.endpoint,
    sentDir,
    deliverPending: async () => {
      let delivered = 0;
      for (const name of (await readdir(eventsDir)).sort()) {
        if (!name.endsWith('.json')) continue;
        if (await deliver(join(eventsDir, name))) delivered += 1;
      }
      return delivered;
    },
    idle: async () => {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    close: async () => {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      mirror?.destroy();
      await server.close();
    },
  };
}

/** Sortable and safe in a file name: 20261202T063000123Z. */
function fileTime(at: Date): string {
  return at.toISOString().replace(/[-:.]/g, '');
}

/** A unique temporary name, then a rename: a reader never sees half a file. `wx` refuses to replace one. */
async function writeAtomically(path: string, data: string | Uint8Array, flag: 'wx' | 'w'): Promise<void> {
  if (flag === 'wx' && (await exists(path))) throw new Error(`${path} exists: a send is never overwritten`);
  const temporary = `${path}.${randomUUID()}.tmp`;
  await writeFile(temporary, data, { flag: 'wx' });
  await rename(temporary, path);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
