import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRecord } from '../../functions/operate/backend.js';
import { exportCorrections } from '../../functions/operate/corrections.js';
import { inspectMessage } from '../../functions/operate/inspect.js';
import { releaseMessage } from '../../functions/operate/release.js';
import { RerouteError, rerouteMessage } from '../../functions/operate/reroute.js';
import { ResendError, resendMessage } from '../../functions/operate/resend.js';
import { readCorpus } from '../../scripts/classify-corpus.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { operatorBackendOf, type Rig, type RigDeps, sqsEvent, startRig } from '../helpers/pipeline-rig.js';

const EXAMPLES = join(REPO_ROOT, 'examples');
const example = (name: string) => readFileSync(join(EXAMPLES, name));

async function routeExamples(deps: RigDeps): Promise<string[]> {
  const ids: string[] = [];
  for (const [name, to] of [
    ['01-invitation.eml', 'EUinternational@stockholm.se'],
    ['02-eu-funding.eml', 'EUinternational@stockholm.se'],
    ['03-delegation-visit.eml', 'protocol@stockholm.se'],
  ] as const) {
    const notification = await deps.deliver(example(name), { to });
    await deps.handle(sqsEvent(notification));
    ids.push(notification.mail.messageId);
  }
  return ids;
}

describe('operator actions on the local backend', () => {
  let rig: Rig;
  let exportDir: string;

  beforeAll(async () => {
    rig = await startRig();
    exportDir = await mkdtemp(join(tmpdir(), 'mailroute-corrections-'));
  });

  afterAll(async () => {
    await rig.close();
    await rm(exportDir, { recursive: true, force: true });
  });

  it('reroute delivers the message to the new group and records from, to, who and when', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const [invitation] = await routeExamples(deps);
    const before = (await deps.log.get(invitation as string)) ?? expect.fail('no record');
    const sentBefore = rig.capture.sent.length;

    // Act
    const { correction } = await rerouteMessage(deps, before, { category: 'eu_matter' }, 'staff-a');

    // Assess
    const after = await deps.log.get(invitation as string);
    expect(before.category).toBe('invitation');
    expect(after).toMatchObject({ status: 'forwarded', category: 'eu_matter' });
    expect(after?.corrections).toEqual([
      expect.objectContaining({
        by: 'staff-a',
        from: { category: 'invitation', recipients: before.recipients, status: 'forwarded' },
        to: { category: 'eu_matter', recipients: deps.config.categories.eu_matter.group },
      }),
    ]);
    expect(Date.parse(correction.at)).not.toBeNaN();
    const sent = rig.capture.sent.slice(sentBefore);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.recipients).toEqual(deps.config.categories.eu_matter.group);
    const headers = sent[0]?.raw.toString('latin1').split('\r\n\r\n')[0] ?? '';
    expect(headers).toMatch(/^Subject: \[EU\] Invitation:/m);
    expect(headers).toMatch(/^X-Mailroute-Category: eu_matter$/m);
    expect(headers).toMatch(/corrected by staff-a: invitation -> eu_matter/);
  });

  it('reroute never sends to an address the configuration does not name', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const [id] = await routeExamples(deps);
    const record = (await deps.log.get(id as string)) ?? expect.fail('no record');
    const sentBefore = rig.capture.sent.length;

    // Act
    const attempt = rerouteMessage(deps, record, { group: 'someone@outside.example.org' }, 'staff-a');

    // Assess
    await expect(attempt).rejects.toThrow(/not a configured group/);
    expect(rig.capture.sent.length).toBe(sentBefore);
    expect(await deps.log.get(id as string)).toMatchObject({ status: 'forwarded', category: 'invitation' });
  });

  it('reroute to where it already went is refused, and a failed send leaves the record as it was', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const [id] = await routeExamples(deps);
    const record = (await deps.log.get(id as string)) ?? expect.fail('no record');
    const failing = {
      ...deps,
      sender: {
        send: async () => {
          // An answered error (HTTP 4xx): SES did not take the message.
          throw Object.assign(new Error('SES throttled <someone@example.org>'), {
            $metadata: { httpStatusCode: 400 },
          });
        },
      },
    };

    // Act
    const same = rerouteMessage(deps, record, { category: 'invitation' }, 'staff-a');
    const broken = rerouteMessage(failing, record, { group: 'protokollsenheten@stockholm.se' }, 'staff-a');

    // Assess
    await expect(same).rejects.toBeInstanceOf(RerouteError);
    await expect(broken).rejects.toThrow(/nothing was sent: SES throttled <<address>>/);
    const after = await deps.log.get(id as string);
    expect(after).toMatchObject({ status: 'forwarded', category: 'invitation' });
    expect(after?.corrections).toBeUndefined();
    expect(after?.sendStartedAt).toBeUndefined();
  });

  it('resolves ids by a unique prefix of 8 or more characters, and says why not otherwise', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const [first] = await routeExamples(deps);
    const id = first as string;

    // Act
    const byPrefix = await resolveRecord(deps, id.slice(0, 8));
    const tooShort = resolveRecord(deps, id.slice(0, 7));
    const unknown = resolveRecord(deps, 'ffffffffffffffff');

    // Assess
    expect(byPrefix.id).toBe(id);
    await expect(tooShort).rejects.toThrow(/at least 8 characters/);
    await expect(unknown).rejects.toThrow(/no message with id/);
  });

  it('show reads subject and sender from the stored message, and the forward header block', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const [, , visit] = await routeExamples(deps);
    const record = (await deps.log.get(visit as string)) ?? expect.fail('no record');

    // Act
    const detail = await inspectMessage(deps, record);

    // Assess
    expect(detail.subject).toMatch(/courtesy call on the Mayor/);
    expect(detail.from).toContain('protocol@embassy-japan.example.se');
    expect(detail.forwardHeaders).toMatch(/^X-Mailroute-Category: protocol_visit$/m);
    expect(detail.forwardHeaders).toMatch(/^To: <protokollsenheten@stockholm.se>$/m);
    expect(JSON.stringify(record)).not.toContain('courtesy call on the Mayor');
  });

  it('corrections export writes labelled examples the training scripts read', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const [invitation, eu] = await routeExamples(deps);
    for (const [id, category] of [
      [invitation, 'protocol_visit'],
      [eu, 'other'],
    ] as const) {
      const record = (await deps.log.get(id as string)) ?? expect.fail('no record');
      await rerouteMessage(deps, record, { category }, 'staff-b');
    }

    // Act
    const report = await exportCorrections(deps, exportDir);
    const corpus = await readCorpus(exportDir);

    // Assess
    expect(report.missing).toEqual([]);
    expect((await readdir(exportDir)).sort()).toEqual(
      [`${invitation}.eml`, `${eu}.eml`, 'labels.jsonl'].sort(),
    );
    expect(corpus.map((message) => [message.label.file, message.label.category]).sort()).toEqual(
      [
        [`${invitation}.eml`, 'protocol_visit'],
        [`${eu}.eml`, 'other'],
      ].sort(),
    );
    expect(corpus.every((message) => message.features !== undefined)).toBe(true);
  });

  it('resend refuses a confirmed send unless forced, and then sends it again to the same group', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const [id] = await routeExamples(deps);
    const record = (await deps.log.get(id as string)) ?? expect.fail('no record');
    const backend = operatorBackendOf(deps);
    const sentBefore = rig.capture.sent.length;

    // Act
    const unforced = resendMessage(backend, record, {});
    await expect(unforced).rejects.toBeInstanceOf(ResendError);
    await resendMessage(backend, record, { force: true });

    // Assess
    expect(rig.capture.sent.slice(sentBefore).map((email) => email.recipients)).toEqual([record.recipients]);
    expect(await deps.log.get(id as string)).toMatchObject({ status: 'forwarded', sendAttempts: 2 });
  });

  it('release keeps the quarantine it ended in the history, and status asks for action while one is held', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const notification = await deps.deliver(example('01-invitation.eml'), {
      receipt: { spamVerdict: { status: 'FAIL' } },
    });
    await deps.handle(sqsEvent(notification));
    const id = notification.mail.messageId;
    const held = (await deps.log.get(id)) ?? expect.fail('no record');
    const backend = operatorBackendOf(deps);
    const statusBefore = await backend.statusChecks();

    // Act
    const result = await releaseMessage(deps, held, await backend.operator());
    const statusAfter = await backend.statusChecks();

    // Assess
    expect(held.status).toBe('quarantined');
    expect(result.status).toBe('forwarded');
    const after = await deps.log.get(id);
    expect(after?.history).toEqual([
      expect.objectContaining({
        action: 'release',
        by: 'test-operator',
        status: 'quarantined',
        reasons: held.reasons,
      }),
    ]);
    expect(held.reasons.some((reason) => /spam/i.test(reason))).toBe(true);
    expect(statusBefore.find((check) => check.name === 'routing.quarantined')?.ok).toBe(false);
    expect(statusAfter.filter((check) => !check.ok)).toEqual([]);
  });
});
