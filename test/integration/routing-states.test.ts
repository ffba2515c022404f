// Issue #11: the routing record's states on dynalite. SES's Send event settles a send whatever the
// router got to do; reconcile's rules; `mailroute resend` for what is still ambiguous.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmSendEvent } from '../../functions/confirm-send/confirm.js';
import { sesSendEvent } from '../../functions/confirm-send/send-event.js';
import { resendCommand } from '../../functions/local/commands/recovery.js';
import type { OperatorBackend } from '../../functions/operate/backend.js';
import { routeMessage } from '../../functions/route-mail/pipeline.js';
import type { RoutingRecord } from '../../functions/route-mail/ports.js';
import {
  confirmSend,
  ROUTING_ID_TAG,
  resolutionOf,
  startSend,
} from '../../functions/route-mail/routing-states.js';
import {
  Fault,
  faultyLog,
  operatorBackendOf,
  plainMessage,
  type Rig,
  type RigDeps,
  sentFor,
  startRig,
  timeoutError,
} from '../helpers/pipeline-rig.js';

function sendEvent(routingId: string, sesMessageId: string) {
  return sesSendEvent({
    sesMessageId,
    at: new Date(),
    from: 'mailroute@stockholm.se',
    recipients: ['internationella-enheten@stockholm.se'],
    tags: { [ROUTING_ID_TAG]: [routingId], 'ses:configuration-set': ['mailroute'] },
  });
}

describe('resolutionOf (what reconcile does with a record)', () => {
  const now = new Date('2026-12-02T12:00:00Z');
  const record = (status: RoutingRecord['status'], sendStartedAt?: string) =>
    ({ status, updatedAt: '2026-12-02T11:00:00Z', sendStartedAt }) as RoutingRecord;

  it('routes what never got to a send, waits for a young send, sends again an old unconfirmed one', () => {
    // Act
    const outcomes = {
      none: resolutionOf(undefined, now, 30),
      received: resolutionOf(record('received'), now, 30),
      claimed: resolutionOf(record('claimed'), now, 30),
      failed: resolutionOf(record('failed'), now, 30),
      youngSend: resolutionOf(record('sending', '2026-12-02T11:45:00Z'), now, 30),
      oldSend: resolutionOf(record('sending', '2026-12-02T11:15:00Z'), now, 30),
      forwarded: resolutionOf(record('forwarded'), now, 0),
      quarantined: resolutionOf(record('quarantined'), now, 0),
    };

    // Assess
    expect(outcomes).toEqual({
      none: 'route',
      received: 'route',
      claimed: 'route',
      failed: 'route',
      youngSend: 'wait',
      oldSend: 'resend',
      forwarded: 'done',
      quarantined: 'done',
    });
  });
});

describe('routing states on dynalite', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig();
  });

  afterAll(async () => {
    await rig.close();
  });

  /** A message routed until SES took it, the router dying before its mark: left in `sending`. */
  async function sentButNotMarked(deps: RigDeps) {
    const notification = await deps.deliver(plainMessage());
    const dying = faultyLog(deps.log, new Fault(1, timeoutError), ['update'], (_m, args) => {
      return (args[1] as { status?: string }).status === 'forwarded';
    });
    await routeMessage({ ...deps, log: dying }, notification).catch(() => undefined);
    const id = notification.mail.messageId;
    const sesMessageId = sentFor(rig.capture, id)[0]?.messageId ?? '';
    return { notification, id, sesMessageId };
  }

  it('marks a send the router did not mark forwarded when SES reports it, once', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const { id, sesMessageId } = await sentButNotMarked(deps);
    const before = await deps.log.get(id);

    // Act
    const first = await confirmSendEvent(deps, sendEvent(id, sesMessageId));
    const again = await confirmSendEvent(deps, sendEvent(id, sesMessageId));
    const another = await confirmSendEvent(deps, sendEvent(id, 'some-other-send'));

    // Assess
    expect(before?.status).toBe('sending');
    expect([first, again, another]).toEqual(['confirmed', 'already', 'another-send']);
    expect(await deps.log.get(id)).toMatchObject({ status: 'forwarded', sesMessageId });
    expect(deps.logger.lines).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'a second send of one message was confirmed' }),
    );
  });

  it('stops a resend that is about to go when the Send event of the first send arrives late', async () => {
    // Prepare: a record reopened to `claimed` for a resend.
    const deps = await rig.freshDeps();
    const { id, sesMessageId } = await sentButNotMarked(deps);
    await deps.log.update(id, { status: 'claimed', updatedAt: new Date().toISOString() }, ['sending']);
    const record = (await deps.log.get(id)) as RoutingRecord;

    // Act
    const outcome = await confirmSend(
      deps.log,
      { routingId: id, sesMessageId, at: new Date().toISOString() },
      new Date(),
    );
    const resendStarted = await startSend(deps.log, record, 'forward', new Date());

    // Assess
    expect(outcome).toBe('confirmed');
    expect(resendStarted).toBe(false);
    expect(sentFor(rig.capture, id)).toHaveLength(1);
  });

  it('ignores a Send event without our tag, refuses one that is not a Send event, and knows no stranger', async () => {
    // Prepare
    const deps = await rig.freshDeps();
    const untagged = sesSendEvent({ sesMessageId: 'x', at: new Date(), from: '', recipients: [], tags: {} });

    // Act
    const ignored = await confirmSendEvent(deps, untagged);
    const stranger = await confirmSendEvent(deps, sendEvent('no-such-record', 'x'));
    const refused = confirmSendEvent(deps, { source: 'aws.ses', 'detail-type': 'Email Bounced', detail: {} });

    // Assess
    expect(ignored).toBe('untagged');
    expect(stranger).toBe('unknown');
    await expect(refused).rejects.toThrow();
  });

  describe('mailroute resend', () => {
    function commandBackend(deps: RigDeps): () => Promise<OperatorBackend> {
      return async () => operatorBackendOf(deps);
    }

    function output() {
      const lines: string[] = [];
      return { lines, io: { out: (line: string) => lines.push(line), err: () => undefined } };
    }

    it('refuses a send SES confirmed without --force, and sends it once more with --force', async () => {
      // Prepare
      const deps = await rig.freshDeps();
      const routed = await routeMessage(deps, await deps.deliver(plainMessage()));
      const refusedRun = output();
      const forcedRun = output();

      // Act
      const refused = await resendCommand(['--json', routed.messageId], commandBackend(deps), refusedRun.io);
      const sentAfterRefusal = sentFor(rig.capture, routed.messageId).length;
      const forced = await resendCommand(
        ['--json', '--force', routed.messageId.slice(0, 12)],
        commandBackend(deps),
        forcedRun.io,
      );

      // Assess
      expect(refused).toBe(1);
      expect(JSON.parse(refusedRun.lines[0] ?? '{}')).toMatchObject({
        resent: false,
        error: expect.stringMatching(/only a forced resend sends it again \(--force/),
      });
      expect(sentAfterRefusal).toBe(1);
      expect(forced).toBe(0);
      expect(JSON.parse(forcedRun.lines[0] ?? '{}')).toMatchObject({ resent: true, status: 'forwarded' });
      expect(sentFor(rig.capture, routed.messageId)).toHaveLength(2);
      expect(await deps.log.get(routed.messageId)).toMatchObject({ status: 'forwarded', sendAttempts: 2 });
    });

    it('sends again a send left in sending without a Send event, and refuses a quarantined message', async () => {
      // Prepare
      const deps = await rig.freshDeps();
      const { id } = await sentButNotMarked(deps);
      const held = await routeMessage(
        deps,
        await deps.deliver(plainMessage({ from: `"Loop" <${deps.config.routerSender}>` })),
      );
      const run = output();

      // Act
      const code = await resendCommand(['--json', id, held.messageId], commandBackend(deps), run.io);

      // Assess
      expect(code).toBe(1);
      expect(run.lines.map((line) => JSON.parse(line))).toEqual([
        expect.objectContaining({ messageId: id, resent: true, status: 'forwarded' }),
        expect.objectContaining({
          messageId: held.messageId,
          resent: false,
          error: expect.stringMatching(/quarantined/),
        }),
      ]);
      expect(sentFor(rig.capture, id)).toHaveLength(2);
    });
  });
});
