// schedule or operator --> (reconcile) --> routing states: finds stored messages the router never
// finished and finishes them. The safety net under SQS retries and the DLQ: whatever got lost between
// SES storing a message and the router's final record (a notification that never arrived, a DLQ
// message that expired, a crash the retries did not cover) is found here by walking the store itself.
// What it does with each is decided in functions/route-mail/routing-states.ts (resolutionOf).
import type { RouterConfig } from '../config/schema.js';
import type { SesVerdicts } from '../core/verdicts.js';
import type { MailLocation, MailStore, RoutingLog, RoutingRecord } from '../route-mail/ports.js';
import { reopenForResend, resolutionOf } from '../route-mail/routing-states.js';
import type { SesNotification } from '../route-mail/ses-notification.js';

/** SES stores each message under `inbound/<functional address>/<SES message id>` (infra/constructs/mail-inbox.ts). */
export const INBOUND_PREFIX = 'inbound/';

/**
 * The object SES writes under a rule's prefix when the rule is created, to test that it may write there
 * (every deploy that creates or replaces a rule leaves one). It is not mail: reconcile leaves it alone.
 */
export const SES_SETUP_OBJECT = 'AMAZON_SES_SETUP_NOTIFICATION';

export interface ReconcileDeps {
  config: RouterConfig;
  store: MailStore;
  log: RoutingLog;
  now: () => Date;
  /** Hands a notification back to the router: the SQS queue in AWS, the handler locally. */
  redrive(notification: SesNotification): Promise<void>;
  /**
   * A `sending` record younger than this may still be inside its SES call (the router's timeout,
   * 2 minutes): never sent again, whatever the grace period. 0 when no router can be running (the
   * local stack's start).
   * @default 2
   */
  inFlightMinutes?: number;
}

export interface ReconcileReport {
  /** Stored messages looked at (inside the lookback window, past the grace period). */
  checked: number;
  /** Ids without a final record and no send begun (none, `received`, `claimed`, `failed`), re-driven. */
  redriven: string[];
  /**
   * Ids left in `sending` with no Send event from SES for the grace period: SES did not take them
   * (its Send event would have marked them `forwarded`), so they are sent again.
   */
  resent: string[];
  /**
   * Ids forwarded whose acknowledgement is still `due` (provably never sent: a crash between the
   * forward and the acknowledgement, or SES asked to retry), re-driven so it goes. One left `sending`
   * is not among them: nothing proves it unsent, and a missing receipt is better than two.
   */
  acknowledged: string[];
  /** Ids whose re-drive failed (reported, tried again next run). */
  errors: { id: string; error: string }[];
  /** Keys of SES's setup objects (SES_SETUP_OBJECT) seen and left alone: not mail, not unfinished. */
  setupObjects: string[];
}

/**
 * How many messages the run found unfinished: the `ReconcileUnfinished` metric, alarmed on above zero.
 * A due acknowledgement is not counted: the message itself reached its group.
 */
export function unfinishedCount(report: ReconcileReport): number {
  return report.redriven.length + report.resent.length + report.errors.length;
}

export async function reconcile(deps: ReconcileDeps): Promise<ReconcileReport> {
  if (!deps.store.list) throw new Error('this mail store cannot list its messages');
  const now = deps.now().getTime();
  const graceEnd = now - deps.config.reconcile.graceMinutes * 60_000;
  const lookbackStart = now - deps.config.reconcile.lookbackHours * 3_600_000;
  const report: ReconcileReport = {
    checked: 0,
    redriven: [],
    resent: [],
    acknowledged: [],
    errors: [],
    setupObjects: [],
  };
  const window = Math.max(deps.config.reconcile.graceMinutes, deps.inFlightMinutes ?? 2);

  for await (const stored of deps.store.list(INBOUND_PREFIX)) {
    const storedAt = stored.storedAt.getTime();
    if (storedAt > graceEnd || storedAt < lookbackStart) continue;
    if (isSesSetupObject(stored.location)) {
      report.setupObjects.push(stored.location.key);
      continue;
    }
    const id = messageIdOf(stored.location);
    if (!id) continue;
    report.checked += 1;
    try {
      const record = await deps.log.get(id);
      const resolution = resolutionOf(record, deps.now(), window);
      if (resolution === 'done' || resolution === 'wait') continue;
      // A Send event that came meanwhile wins: the reopen is conditional on `sending`.
      if (
        resolution === 'resend' &&
        !(await reopenForResend(deps.log, record as RoutingRecord, deps.now()))
      ) {
        continue;
      }
      await deps.redrive(redriveNotification(deps.config, stored.location, id, record, stored.storedAt));
      if (resolution === 'resend') report.resent.push(id);
      else if (resolution === 'acknowledge') report.acknowledged.push(id);
      else report.redriven.push(id);
    } catch (error) {
      report.errors.push({ id, error: (error as Error).message.slice(0, 300) });
    }
  }
  return report;
}

/** SES's test object of a receipt rule (see SES_SETUP_OBJECT). */
export function isSesSetupObject(location: MailLocation): boolean {
  return location.key.split('/').at(-1) === SES_SETUP_OBJECT;
}

/** The SES message id is the last segment of the key; keys that do not look like one are not ours. */
export function messageIdOf(location: MailLocation): string | undefined {
  const id = location.key.split('/').at(-1) ?? '';
  return /^[A-Za-z0-9._-]{1,200}$/.test(id) && !id.startsWith('.') ? id : undefined;
}

/** The notification that hands a logged message back to the router (release, resend, replay). */
export function notificationForRecord(config: RouterConfig, record: RoutingRecord): SesNotification {
  return redriveNotification(
    config,
    { bucket: record.bucket, key: record.key },
    record.id,
    record,
    new Date(record.receivedAt),
  );
}

/**
 * A notification for a stored message, as SES would have sent it. The verdicts are the ones the
 * record kept; without a record there are none, and the pipeline reads SES's verdict headers from the
 * stored message instead.
 */
export function redriveNotification(
  config: RouterConfig,
  location: MailLocation,
  id: string,
  record: RoutingRecord | undefined,
  storedAt: Date,
): SesNotification {
  const functionalAddress = record?.functionalAddress ?? functionalAddressOfKey(config, location.key);
  const timestamp = record?.receivedAt ?? storedAt.toISOString();
  return {
    notificationType: 'Received',
    mail: { timestamp, source: '', messageId: id, destination: [functionalAddress] },
    receipt: {
      timestamp,
      recipients: [functionalAddress],
      ...receiptVerdicts(record?.verdicts),
      action: { type: 'S3', bucketName: location.bucket, objectKey: location.key },
    },
  };
}

function functionalAddressOfKey(config: RouterConfig, key: string): string {
  const segment = key.startsWith(INBOUND_PREFIX) ? key.slice(INBOUND_PREFIX.length).split('/')[0] : undefined;
  const match = config.functionalAddresses.find(
    (entry) => entry.address.toLowerCase() === segment?.toLowerCase(),
  );
  return match?.address ?? config.functionalAddresses[0]?.address ?? '';
}

/** SES verdicts as an SES receipt carries them (`spamVerdict: { status }`, ...). */
export function receiptVerdicts(verdicts: SesVerdicts | undefined): Partial<SesNotification['receipt']> {
  if (!verdicts) return {};
  const out: Record<string, unknown> = {};
  if (verdicts.spam) out.spamVerdict = { status: verdicts.spam };
  if (verdicts.virus) out.virusVerdict = { status: verdicts.virus };
  if (verdicts.spf) out.spfVerdict = { status: verdicts.spf };
  if (verdicts.dkim) out.dkimVerdict = { status: verdicts.dkim };
  if (verdicts.dmarc) out.dmarcVerdict = { status: verdicts.dmarc };
  if (verdicts.dmarcPolicy) out.dmarcPolicy = verdicts.dmarcPolicy;
  return out as Partial<SesNotification['receipt']>;
}
