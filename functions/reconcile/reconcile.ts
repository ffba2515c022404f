// schedule or operator --> (reconcile) --> ports: finds stored messages the router never finished and
// re-drives them. The safety net under SQS retries and the DLQ: whatever got lost between SES storing
// a message and the router's final record (a notification that never arrived, a DLQ message that
// expired, a crash the retries did not cover) is found here by walking the store itself.
import type { RouterConfig } from '../config/schema.js';
import type { SesVerdicts } from '../core/verdicts.js';
import {
  FINAL_STATUSES,
  type MailLocation,
  type MailStore,
  type RoutingLog,
  type RoutingRecord,
} from '../route-mail/ports.js';
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
}

export interface ReconcileReport {
  /** Stored messages looked at (inside the lookback window, past the grace period). */
  checked: number;
  /** Ids without a final record, re-driven. */
  redriven: string[];
  /**
   * Ids left in `sending` past the grace period: SES may or may not have taken them. Not re-sent
   * (that could deliver twice); a person checks the group's mailbox and releases or closes them.
   */
  unconfirmed: string[];
  /** Ids whose re-drive failed (reported, tried again next run). */
  errors: { id: string; error: string }[];
  /** Keys of SES's setup objects (SES_SETUP_OBJECT) seen and left alone: not mail, not unfinished. */
  setupObjects: string[];
}

/** How many messages the run found unfinished: the `ReconcileUnfinished` metric, alarmed on above zero. */
export function unfinishedCount(report: ReconcileReport): number {
  return report.redriven.length + report.unconfirmed.length + report.errors.length;
}

export async function reconcile(deps: ReconcileDeps): Promise<ReconcileReport> {
  if (!deps.store.list) throw new Error('this mail store cannot list its messages');
  const now = deps.now().getTime();
  const graceEnd = now - deps.config.reconcile.graceMinutes * 60_000;
  const lookbackStart = now - deps.config.reconcile.lookbackHours * 3_600_000;
  const report: ReconcileReport = { checked: 0, redriven: [], unconfirmed: [], errors: [], setupObjects: [] };

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
    const record = await deps.log.get(id);
    if (record && FINAL_STATUSES.includes(record.status)) continue;
    if (record?.status === 'sending') {
      const since = Date.parse(record.sendStartedAt ?? record.updatedAt);
      if (Number.isNaN(since) || since <= graceEnd) report.unconfirmed.push(id);
      continue;
    }
    try {
      await deps.redrive(redriveNotification(deps.config, stored.location, id, record, stored.storedAt));
      report.redriven.push(id);
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

function receiptVerdicts(verdicts: SesVerdicts | undefined): Partial<SesNotification['receipt']> {
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
