// Promise 7 of issue #5, end to end: SES verdicts in the notification decide quarantine, quarantined
// mail is listed by status, and `release` routes it (a virus message without its attachments).
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseCommand } from '../../functions/local/commands/recovery.js';
import { routeMessage } from '../../functions/route-mail/pipeline.js';
import { messageWithAttachment } from '../helpers/mime.js';
import { operatorBackendOf, type Rig, type RigDeps, sentFor, startRig } from '../helpers/pipeline-rig.js';

/** One message with an attachment; each `n` gets its own Message-ID, so its own routing id. */
const withAttachment = (n: number) =>
  messageWithAttachment({
    id: `verdict-${n}`,
    content: Buffer.from('MZ pretend this is a virus'),
    subject: 'Horizon Europe consortium partner search',
    body: 'We look for a city partner for our Horizon Europe proposal on urban mobility.',
    filename: 'invoice.exe',
  });

const PASS = { status: 'PASS' };
const FAIL = { status: 'FAIL' };

describe('SES verdicts and release', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig();
  });

  afterAll(async () => {
    await rig.close();
  });

  async function release(deps: RigDeps, id: string): Promise<Record<string, unknown>[]> {
    const lines: string[] = [];
    await releaseCommand(['--json', id], async () => operatorBackendOf(deps), {
      out: (line) => lines.push(line),
      err: () => undefined,
    });
    return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it('quarantines spam FAIL, lists it by status, and routes it once on release', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const notification = await deps.deliver(withAttachment(1), { receipt: { spamVerdict: FAIL } });

    // Act
    const held = await routeMessage(deps, notification);
    const listed = await deps.log.list({ status: 'quarantined' });
    const released = await release(deps, notification.mail.messageId);
    const again = await release(deps, notification.mail.messageId);
    const redelivered = await routeMessage(deps, notification);

    // Assess
    expect(held).toMatchObject({ status: 'quarantined', disposition: 'quarantine' });
    expect(held.reasons).toContain('verdict: spam FAIL');
    expect(listed.map((record) => record.id)).toEqual([notification.mail.messageId]);
    expect(released).toEqual([expect.objectContaining({ released: true, status: 'forwarded' })]);
    expect(again).toEqual([
      expect.objectContaining({
        released: false,
        error: expect.stringMatching(/is forwarded, not quarantined/),
      }),
    ]);
    expect(redelivered.duplicate).toBe(true);
    const sent = sentFor(rig.capture, notification.mail.messageId);
    expect(sent).toHaveLength(1);
    const parsed = await simpleParser(sent[0]?.raw ?? Buffer.alloc(0));
    expect(parsed.attachments.map((a) => a.filename)).toEqual(['invoice.exe']);
    expect(parsed.headers.get('x-mailroute-warning')).toBe('SES spam verdict FAIL');
  });

  it('quarantines virus FAIL and releases it as text only, naming the removed attachment', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const notification = await deps.deliver(withAttachment(2), {
      receipt: { virusVerdict: FAIL, spamVerdict: PASS },
    });

    // Act
    const held = await routeMessage(deps, notification);
    const released = await release(deps, notification.mail.messageId);

    // Assess
    expect(held.status).toBe('quarantined');
    expect(held.reasons).toContain('verdict: virus FAIL');
    expect(released[0]).toMatchObject({ released: true, status: 'forwarded' });
    const raw = sentFor(rig.capture, notification.mail.messageId)[0]?.raw ?? Buffer.alloc(0);
    const parsed = await simpleParser(raw);
    expect(parsed.attachments).toEqual([]);
    expect(raw.includes(Buffer.from(Buffer.from('MZ pretend this is a virus').toString('base64')))).toBe(
      false,
    );
    expect(parsed.text).toContain('invoice.exe');
    expect(parsed.text).toContain('urban mobility');
  });

  it('quarantines DMARC FAIL with policy reject but forwards DMARC FAIL with policy none, tagged', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const reject = await deps.deliver(withAttachment(3), {
      receipt: { dmarcVerdict: FAIL, dmarcPolicy: 'reject' },
    });
    const lenient = await deps.deliver(withAttachment(4), {
      receipt: { dmarcVerdict: FAIL, dmarcPolicy: 'none', spfVerdict: { status: 'GRAY' } },
    });

    // Act
    const held = await routeMessage(deps, reject);
    const forwarded = await routeMessage(deps, lenient);

    // Assess
    expect(held.status).toBe('quarantined');
    expect(forwarded.status).toBe('forwarded');
    const parsed = await simpleParser(
      sentFor(rig.capture, lenient.mail.messageId)[0]?.raw ?? Buffer.alloc(0),
    );
    expect(
      parsed.headerLines.filter((line) => line.key === 'x-mailroute-warning').map((line) => line.line),
    ).toEqual([
      'X-Mailroute-Warning: SES spf verdict GRAY',
      'X-Mailroute-Warning: SES dmarc verdict FAIL (policy none)',
    ]);
  });
});
