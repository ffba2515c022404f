// local stack --> DynamoDB stand-in: dynalite in this process, in memory or kept in a LevelDB folder.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningDynalite {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

export interface DynaliteOptions {
  /** LevelDB folder that keeps the tables between runs; in memory when absent. */
  path?: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

export class DataFolderLockedError extends Error {
  override name = 'DataFolderLockedError';
}

export async function startDynalite(options: DynaliteOptions = {}): Promise<RunningDynalite> {
  if (options.path) await ensureUnlocked(options.path);
  const { default: dynalite } = await import('dynalite');
  const host = options.host ?? '127.0.0.1';
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    const onError = (error: Error) => {
      server.off('listening', onListening);
      // dynalite opened its LevelDB folder when it was created and closes it only through a server
      // that listens: without this, the folder's lock outlives the failed start and fails the next one.
      server.listen(0, host, () => server.close(() => reject(error)));
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(options.port ?? 0, host);
  });
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://${host}:${port}`, port, close: () => closeServer(server) };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    // dynalite's close waits for LevelDB to flush, so the data folder is consistent afterwards.
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
  });
}

/**
 * LevelDB lets one process open a folder. dynalite finds out only on its first request and then
 * throws out of a callback, killing the process; probing first turns that into a clear error.
 */
async function ensureUnlocked(path: string): Promise<void> {
  const { ClassicLevel } = await import('classic-level');
  const probe = new ClassicLevel(path, { createIfMissing: true });
  try {
    await probe.open();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') {
      throw new DataFolderLockedError(`${path} is in use by another mailroute process`);
    }
    throw error;
  }
  await probe.close();
}
