// local stack --> (MailStore port) --> a folder: the stand-in for the S3 bucket SES writes to.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import type { MailLocation, MailStore, StoredMessage } from '../route-mail/ports.js';

/**
 * Keeps messages as files: the bucket is a subfolder of `root`, the key a path below it. Keys never
 * leave their bucket folder, so a crafted key cannot read or write elsewhere on disk.
 */
export class FolderMailStore implements MailStore {
  constructor(
    private readonly root: string,
    /** The bucket `put` defaults to and `list` walks. */
    readonly bucket = 'mail',
  ) {}

  async open(location: MailLocation): Promise<StoredMessage> {
    const path = this.pathOf(location);
    // Fail here, not on first read, so a missing message rejects `open` as the port promises.
    const { size } = await stat(path);
    return { size, content: createReadStream(path) };
  }

  /** Locally the link is the file itself: it does not expire. */
  async locate(location: MailLocation): Promise<{ link: string }> {
    const path = this.pathOf(location);
    await stat(path);
    return { link: path };
  }

  /** Stores raw bytes the way the SES S3 action would; the write is atomic (temp file, then rename). */
  async put(key: string, raw: Uint8Array, bucket = this.bucket): Promise<MailLocation> {
    const location = { bucket, key };
    const path = this.pathOf(location);
    await mkdir(dirname(path), { recursive: true });
    // Random: five copies of one message arriving at once write the same path at the same moment.
    const temporary = `${path}.${randomUUID()}.tmp`;
    await writeFile(temporary, raw);
    await rename(temporary, path);
    return location;
  }

  async *list(prefix: string): AsyncIterable<{ location: MailLocation; storedAt: Date; size: number }> {
    const bucketDir = join(this.root, this.bucket);
    for await (const path of walk(bucketDir)) {
      const key = relative(bucketDir, path).split(sep).join('/');
      if (!key.startsWith(prefix) || key.endsWith('.tmp')) continue;
      const info = await stat(path);
      yield { location: { bucket: this.bucket, key }, storedAt: info.mtime, size: info.size };
    }
  }

  private pathOf(location: MailLocation): string {
    const bucketDir = join(this.root, safeSegment(location.bucket, 'bucket'));
    const path = join(bucketDir, location.key);
    const inside = relative(bucketDir, path);
    if (!location.key || inside.startsWith('..') || isAbsolute(inside)) {
      throw new Error(`invalid key ${JSON.stringify(location.key)}: must stay inside the bucket`);
    }
    return path;
  }
}

function safeSegment(value: string, what: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(value) || value === '.' || value === '..') {
    throw new Error(`invalid ${what} ${JSON.stringify(value)}`);
  }
  return value;
}

async function* walk(dir: string): AsyncIterable<string> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}
