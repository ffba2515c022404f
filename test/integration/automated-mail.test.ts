// Issue #16 point 1 and issue #10 (automated mail), through the real pipeline (dynalite, the SES capture):
// a person's subject that opens with out-of-office words is forwarded, never suppressed; a calendar
// answer and a list manager's notice are logged and not forwarded; what only looks automated goes to
// a person of the triage group.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeMessage } from '../../functions/route-mail/pipeline.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { plainMessage, type Rig, sentFor, startRig } from '../helpers/pipeline-rig.js';

const KOMMUNSTYRELSEN = 'kommunstyrelsen@stockholm.se';
const KOMMUNSTYRELSEN_TRIAGE = 'triage-kommunstyrelsen@stockholm.se';

const automatedFixture = (name: string) => readFileSync(join(REPO_ROOT, 'test/fixtures/automated', name));

function personWrites(subject: string): Buffer {
  return plainMessage({
    from: 'Aiko Tanaka <aiko.tanaka@metro.tokyo.example.jp>',
    subject: `=?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
    body:
      'Dear Chair of the City Executive Board, the Governor of Tokyo will visit Stockholm on 14 May and ' +
      'would be honoured to be received at City Hall together with a delegation of six. We would be ' +
      'grateful if you could confirm whether a reception is possible and whom we should contact about ' +
      'the programme. With kind regards, Aiko Tanaka, Protocol Division, Tokyo Metropolitan Government',
  });
}

describe('routeMessage and automated mail', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig();
  });

  afterAll(async () => {
    await rig.close();
  });

  it.each([
    'Frånvaroanmälan – mottagningen för Tokyos guvernör 14 maj',
    'Out of office hours reception for the Mayor of Kyiv',
    'Nieobecność burmistrza – prośba o przyjęcie delegacji',
    'Poissaoloilmoitus ja kutsu',
  ])('forwards a person\'s "%s" to kommunstyrelsen@ instead of suppressing it', async (subject) => {
    // Prepare
    const deps = await rig.freshDeps();

    // Act
    const result = await routeMessage(
      deps,
      await deps.deliver(personWrites(subject), { to: KOMMUNSTYRELSEN }),
    );

    // Assess
    expect(result).toMatchObject({ automated: false, status: 'forwarded', disposition: 'forward' });
    expect(result.forwardedTo.length).toBeGreaterThan(0);
    expect(sentFor(rig.capture, result.messageId)).toHaveLength(1);
    expect(await deps.log.get(result.messageId)).toMatchObject({ status: 'forwarded', automated: false });
  });

  it('forwards a labelled responder subject with nothing else automated to the triage group', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const raw = personWrites('Autosvar: mottagningen för Tokyos guvernör 14 maj');

    // Act
    const result = await routeMessage(deps, await deps.deliver(raw, { to: KOMMUNSTYRELSEN }));

    // Assess
    expect(result).toMatchObject({
      automated: false,
      status: 'forwarded',
      forwardedTo: [KOMMUNSTYRELSEN_TRIAGE],
    });
    expect(result.reasons).toContain('maybe automated: to a person');
    expect(sentFor(rig.capture, result.messageId)).toHaveLength(1);
  });

  it.each([
    'exchange-accepted-fi.eml',
    'google-calendar-accepted.eml',
    'mailman2-held.eml',
    'mailman3-held.eml',
  ])('logs %s as automated and sends nothing', async (file) => {
    // Prepare
    const deps = await rig.freshDeps();

    // Act
    const result = await routeMessage(deps, await deps.deliver(automatedFixture(file)));

    // Assess
    expect(result).toMatchObject({
      automated: true,
      status: 'suppressed',
      category: 'other',
      forwardedTo: [],
    });
    expect(sentFor(rig.capture, result.messageId)).toHaveLength(0);
    expect(await deps.log.get(result.messageId)).toMatchObject({ status: 'suppressed', automated: true });
  });

  it("forwards a calendar answer that carries the attendee's request to triage, not to the meeting's group", async () => {
    // Prepare
    const deps = await rig.freshDeps();

    // Act
    const result = await routeMessage(
      deps,
      await deps.deliver(automatedFixture('google-calendar-accepted-with-note.eml')),
    );

    // Assess
    expect(result).toMatchObject({
      automated: false,
      category: 'other',
      status: 'forwarded',
      forwardedTo: ['triage-euinternational@stockholm.se'],
    });
    expect(sentFor(rig.capture, result.messageId)).toHaveLength(1);
  });
});
