// Issue #11: no dead ends. The local stack runs in a child process and is killed with SIGKILL at each
// step boundary of the message path (after store, after claim, before and after the SES call, before
// the mark); it is started again, senders retry what was not answered 250, reconcile runs: every
// accepted message is delivered exactly once (one file in <data dir>/sent/) and no record is left
// unfinished. Issue #14 adds the acknowledgement's send: killed just before or after it, the sender
// (one sender for all the messages) gets at most one, and never a second.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import nodemailer from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { localMessageId } from '../../functions/local/local-router.js';
import type { RoutingRecord } from '../../functions/route-mail/ports.js';
import { isAcknowledgement, plainMessage } from '../helpers/pipeline-rig.js';

const CRASH_POINTS = [
  'after-store',
  'after-claim',
  'before-send',
  'after-send',
  'before-mark',
  'before-acknowledgement-send',
  'after-acknowledgement-send',
] as const;
const MESSAGES = 3;

interface Child {
  process: ChildProcess;
  lines: AsyncIterator<string>;
  exited: Promise<NodeJS.Signals | number | null>;
}

function startChild(dataDir: string, env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['bin/run-ts.js', 'test/helpers/crash-child.ts'], {
    env: { ...process.env, MAILROUTE_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  return {
    process: child,
    lines: createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator](),
    exited,
  };
}

/** The next stdout line that is JSON with `key`. */
async function waitFor<T>(child: Child, key: string): Promise<T> {
  for (;;) {
    const next = await child.lines.next();
    if (next.done) throw new Error(`the child ended before printing ${key}`);
    try {
      const parsed = JSON.parse(next.value) as Record<string, unknown>;
      if (key in parsed) return parsed as T;
    } catch {
      // not one of ours
    }
  }
}

/** Sends each message on its own connection; resolves to the ones not answered 250. */
async function sendAll(port: number, messages: Buffer[]): Promise<Buffer[]> {
  const unanswered: Buffer[] = [];
  for (const raw of messages) {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    try {
      await transport.sendMail({
        envelope: { from: 'sender@example.org', to: ['EUinternational@stockholm.se'] },
        raw,
      });
    } catch {
      unanswered.push(raw);
    } finally {
      transport.close();
    }
  }
  return unanswered;
}

async function sentFiles(dataDir: string): Promise<Buffer[]> {
  const dir = join(dataDir, 'sent');
  const names = (await readdir(dir)).filter((name) => name.endsWith('.eml'));
  return Promise.all(names.map((name) => readFile(join(dir, name))));
}

describe('the local stack killed at each step boundary', () => {
  const folders: string[] = [];

  afterAll(async () => {
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });

  for (const crashAt of CRASH_POINTS) {
    it(`delivers every accepted message exactly once after a SIGKILL ${crashAt}`, {
      timeout: 120_000,
    }, async () => {
      // Prepare
      const dataDir = await mkdtemp(join(tmpdir(), `mailroute-crash-${crashAt}-`));
      folders.push(dataDir);
      const messages = Array.from({ length: MESSAGES }, (_, index) =>
        plainMessage({
          subject: `EU funding question ${index}`,
          body: `Hello, a question about Horizon Europe funding, number ${index}.`,
        }),
      );

      // Act: run until the crash, start again, let senders retry, reconcile.
      const first = startChild(dataDir, { CRASH_AT: crashAt });
      const { smtpPort } = await waitFor<{ smtpPort: number }>(first, 'smtpPort');
      const unanswered = await sendAll(smtpPort, messages);
      const firstEnd = await first.exited;

      const second = startChild(dataDir, {});
      const { recovered } = await waitFor<{
        recovered: { redriven: string[]; resent: string[]; confirmedSends: number };
      }>(second, 'recovered');
      const restarted = await waitFor<{ smtpPort: number }>(second, 'smtpPort');
      const stillUnanswered = await sendAll(restarted.smtpPort, unanswered);
      second.process.kill('SIGTERM');
      await second.exited;

      const check = startChild(dataDir, { MODE: 'check' });
      const { report, records } = await waitFor<{
        report: { redriven: string[]; resent: string[] };
        records: RoutingRecord[];
      }>(check, 'records');
      await check.exited;

      // Assess
      expect(firstEnd).toBe('SIGKILL');
      expect(stillUnanswered).toEqual([]);
      expect(report.redriven).toEqual([]);
      expect(report.resent).toEqual([]);
      const ids = messages.map((raw) => localMessageId(raw));
      expect(records.map((record) => record.id).sort()).toEqual([...ids].sort());
      expect(records.filter((record) => record.status !== 'forwarded')).toEqual([]);
      const files = await sentFiles(dataDir);
      for (const id of ids) {
        expect(files.filter((file) => file.includes(`X-Mailroute-Id: ${id}`))).toHaveLength(1);
      }
      const acknowledgements = files.filter((file) => isAcknowledgement(file));
      expect(files).toHaveLength(MESSAGES + acknowledgements.length);
      // One per sender and period: these three messages share a sender. Killed after the gate and before
      // SES was called, none goes (nothing proves it unsent); everywhere else, exactly one.
      expect(acknowledgements).toHaveLength(crashAt === 'before-acknowledgement-send' ? 0 : 1);
      expect(records.filter((record) => record.acknowledgement === 'due')).toEqual([]);
      if (crashAt.includes('acknowledgement')) {
        // The message was forwarded before the kill; its acknowledgement stays as the kill left it:
        // `sending` (never sent again) or, with SES's Send event delivered at the restart, `sent`.
        expect(
          records.map((record) => record.acknowledgement).filter((state) => state !== 'skipped'),
        ).toEqual([crashAt === 'before-acknowledgement-send' ? 'sending' : 'sent']);
      } else {
        // The restart itself finished what the crash left (what was stored or claimed or sent unconfirmed).
        expect(
          recovered.redriven.length + recovered.resent.length + recovered.confirmedSends,
        ).toBeGreaterThan(0);
      }
    });
  }
});
