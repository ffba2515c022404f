// Promise 8 of issue #5: bad input never crashes the router and is never dropped. Every public fixture
// and every generated hostile message gets one routing record with a final disposition; what the parser
// cannot read reaches triage as the untouched original attached to a short note.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ROUTER_CONFIG, type RouterConfig } from '../../functions/config/schema.js';
import { splitMessage } from '../../functions/core/header-block.js';
import { UNREADABLE_NOTE } from '../../functions/core/notice-message.js';
import { startDynalite } from '../../functions/local/dynalite-server.js';
import { createLocalRouter, type LocalRouter } from '../../functions/local/local-router.js';
import { DISPOSITIONS, type RouteResult } from '../../functions/route-mail/pipeline.js';
import { FINAL_STATUSES } from '../../functions/route-mail/ports.js';
import { adversarialMessages } from '../helpers/adversarial.js';
import { CORPUS_ABSENT_NOTE, hasPublicFixtures, PUBLIC_FIXTURES, REPO_ROOT } from '../helpers/corpus.js';
import {
  isAcknowledgement,
  LOOP_SECRET,
  RecordingLogger,
  type Rig,
  sentFor,
  startRig,
} from '../helpers/pipeline-rig.js';

const TRIAGE = 'triage-euinternational@stockholm.se';

describe('bad input through the local router', () => {
  let rig: Rig;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    rig = await startRig();
  });

  afterAll(async () => {
    for (const close of closers) await close();
    await rig.close();
  });

  /** The router `mailroute route` uses, on a dynalite of its own (its table name is fixed). */
  async function localRouter(config: RouterConfig = DEFAULT_ROUTER_CONFIG): Promise<LocalRouter> {
    const dynalite = await startDynalite();
    closers.push(() => dynalite.close());
    return createLocalRouter({
      config,
      dataDir: await mkdtemp(join(rig.dataDir, 'router-')),
      dynamoEndpoint: dynalite.endpoint,
      sesEndpoint: rig.capture.endpoint,
      loopSecret: LOOP_SECRET,
      logger: new RecordingLogger(),
    });
  }

  /** Routes each input once; returns what happened, and asserts one final record each and no double send. */
  async function routeAll(router: LocalRouter, inputs: { name: string; raw: Buffer }[]) {
    const results = new Map<string, RouteResult>();
    for (const input of inputs) {
      const outcome = await router.ingest({
        raw: input.raw,
        recipients: ['EUinternational@stockholm.se'],
        envelopeFrom: 'someone@example.org',
      });
      expect(outcome.ok, `${input.name}: ${outcome.ok ? '' : outcome.error.message}`).toBe(true);
      if (outcome.ok) results.set(input.name, outcome.result);
    }
    const records = await router.deps.log.list({});
    const distinct = new Set([...results.values()].map((result) => result.messageId));
    expect(records).toHaveLength(distinct.size);
    for (const record of records) {
      expect(FINAL_STATUSES).toContain(record.status);
      expect(DISPOSITIONS).toContain(record.disposition);
      expect(sentFor(rig.capture, record.id).length).toBe(record.status === 'forwarded' ? 1 : 0);
    }
    return results;
  }

  it('gives every generated hostile message one record and a final disposition', {
    timeout: 120_000,
  }, async () => {
    // Prepare
    const router = await localRouter();
    const inputs = adversarialMessages();

    // Act
    const results = await routeAll(router, inputs);
    router.close();

    // Assess: what the parser gave up on went to triage as a notice with the original attached.
    for (const name of [
      'sibling-parts-50000',
      'address-headers-100000',
      'header-line-5mb',
      'encoded-words-200000',
    ]) {
      expect(results.get(name), name).toMatchObject({
        disposition: 'forwarded_as_notice',
        forwardedTo: [TRIAGE],
      });
    }
    const notice = sentFor(rig.capture, results.get('header-line-5mb')?.messageId ?? '')[0];
    const parsed = await simpleParser(notice?.raw ?? Buffer.alloc(0));
    expect(parsed.text).toContain(UNREADABLE_NOTE);
    const original = inputs.find((input) => input.name === 'header-line-5mb')?.raw;
    expect(parsed.attachments[0]?.filename).toBe('original.eml');
    expect(parsed.attachments[0]?.content.equals(original ?? Buffer.alloc(0))).toBe(true);
    // The decoded subject holds CR LF + "Bcc:": the forward must still have no Bcc and one To.
    const injected = sentFor(rig.capture, results.get('header-injection-encoded-word')?.messageId ?? '')[0];
    const names = splitMessage(injected?.raw ?? Buffer.alloc(0)).fields.map((field) => field.lowerName);
    expect(names).not.toContain('bcc');
    expect(names.filter((name) => name === 'to')).toHaveLength(1);
  });

  it('sends a message the parser cannot finish within its time budget to triage, unread', {
    timeout: 60_000,
  }, async () => {
    // Prepare: reading a 10 MB text body takes tens of milliseconds, far past a 1 ms budget.
    const router = await localRouter({
      ...DEFAULT_ROUTER_CONFIG,
      limits: { ...DEFAULT_ROUTER_CONFIG.limits, parseTimeoutMs: 1 },
    });
    const big = adversarialMessages()
      .filter((input) => input.name === 'text-body-10mb')
      .map((input) => ({ ...input, raw: Buffer.concat([Buffer.from('X-Variant: budget\r\n'), input.raw]) }));

    // Act
    const results = await routeAll(router, big);
    router.close();

    // Assess
    const result = results.get('text-body-10mb');
    expect({ disposition: result?.disposition, status: result?.status }).toEqual({
      disposition: 'forwarded_as_notice',
      status: 'forwarded',
    });
    expect(result?.reasons.some((reason) => reason.includes('parse budget of 1 ms exceeded'))).toBe(true);
  });

  it.runIf(hasPublicFixtures)(
    'mailroute route --json over the public fixtures: one line and one final record per file, exit 0; quarantined mail is listed and released',
    { timeout: 180_000 },
    async () => {
      // Prepare
      const dataDir = await mkdtemp(join(tmpdir(), 'mailroute-cli-'));
      const files = await listFiles(PUBLIC_FIXTURES);
      try {
        // Act
        const route = await cli(['route', '--json', ...files], dataDir);
        const quarantined = await cli(['log', '--json', '--status', 'quarantined'], dataDir);
        const firstHeld = JSON.parse(quarantined.stdout.split('\n')[0] ?? '{}') as { id?: string };
        const release = await cli(['release', '--json', firstHeld.id ?? 'none'], dataDir);
        const log = await cli(['log', '--json'], dataDir);
        const reconcile = await cli(['reconcile', '--json', '--grace-minutes', '0'], dataDir);

        // Assess
        expect(route.code, route.stderr).toBe(0);
        const lines = route.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        expect(lines.map((line) => line.file)).toEqual(files);
        for (const line of lines) {
          expect(line.error, String(line.file)).toBeUndefined();
          expect(DISPOSITIONS).toContain(line.disposition);
        }
        expect(quarantined.code).toBe(0);
        expect(firstHeld.id).toBeDefined();
        expect(release.code, release.stdout + release.stderr).toBe(0);
        expect(JSON.parse(release.stdout)).toMatchObject({ released: true, messageId: firstHeld.id });
        const records = log.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { status: string });
        expect(records).toHaveLength(new Set(lines.map((line) => line.messageId)).size);
        for (const record of records) expect(FINAL_STATUSES).toContain(record.status);
        expect(reconcile.code, reconcile.stderr).toBe(0);
        expect(JSON.parse(reconcile.stdout)).toMatchObject({
          checked: records.length,
          redriven: [],
          resent: [],
        });
        const sent = await Promise.all(
          (await readdir(join(dataDir, 'sent'))).map((name) => readFile(join(dataDir, 'sent', name))),
        );
        const forwarded = lines.filter((line) => line.status === 'forwarded').length;
        // Acknowledgements to the fixtures' senders (issue #14) are not forwards.
        expect(sent.filter((raw) => !isAcknowledgement(raw))).toHaveLength(forwarded + 1);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  );

  it.runIf(!hasPublicFixtures)(CORPUS_ABSENT_NOTE, () => {
    expect(hasPublicFixtures).toBe(false);
  });
});

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    if ((await stat(path)).isDirectory()) out.push(...(await listFiles(path)));
    else if (!name.endsWith('.md')) out.push(path);
  }
  return out;
}

function cli(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/mailroute.js'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, MAILROUTE_DATA_DIR: dataDir, MAILROUTE_CONFIG: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
