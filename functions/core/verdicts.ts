// core (pure): the SES receipt verdicts --> what the router may do with the message. Applied after
// decide (step 7 of DESIGN.md): a verdict can hold a message back, never send it somewhere else.

export const VERDICT_STATUSES = ['PASS', 'FAIL', 'GRAY', 'PROCESSING_FAILED'] as const;
export type VerdictStatus = (typeof VERDICT_STATUSES)[number];

export const VERDICT_NAMES = ['spam', 'virus', 'spf', 'dkim', 'dmarc'] as const;
export type VerdictName = (typeof VERDICT_NAMES)[number];

/** What SES reported. `dmarcPolicy` is present only when DMARC failed (none, quarantine or reject). */
export interface SesVerdicts {
  spam?: string;
  virus?: string;
  spf?: string;
  dkim?: string;
  dmarc?: string;
  dmarcPolicy?: string;
}

export interface VerdictOutcome {
  /** `quarantine`: held for a person to look at (`mailroute release ID`); `forward`: route as decided. */
  action: 'forward' | 'quarantine';
  /** A virus was found: even a released message goes out without its attachments. */
  dropAttachments: boolean;
  /** Why it was quarantined, for the routing log. */
  reasons: string[];
  /** One line per verdict that was not PASS, shown to staff on the forward (X-Mailroute-Warning). */
  warnings: string[];
}

/**
 * The decision table:
 *
 * | verdict                         | action     | attachments | warning |
 * | ------------------------------- | ---------- | ----------- | ------- |
 * | virus FAIL                      | quarantine | dropped     | yes     |
 * | spam FAIL                       | quarantine | kept        | yes     |
 * | DMARC FAIL, policy reject       | quarantine | kept        | yes     |
 * | any other non-PASS (GRAY,       | forward    | kept        | yes     |
 * |   PROCESSING_FAILED, SPF/DKIM   |            |             |         |
 * |   FAIL, DMARC FAIL without      |            |             |         |
 * |   reject), or missing           |            |             |         |
 * | all PASS                        | forward    | kept        | no      |
 *
 * Unknown status strings count as not PASS (warned, forwarded): SES may add statuses, and an unknown
 * one must neither drop mail nor pass silently. A missing verdict (local mode, events without the
 * field) is treated the same way, except that a wholly absent verdict set gives no warnings: that is
 * mail that never went through SES scanning (replayed from the store) and was judged when it came in.
 */
export function judgeVerdicts(verdicts: SesVerdicts | undefined): VerdictOutcome {
  const outcome: VerdictOutcome = { action: 'forward', dropAttachments: false, reasons: [], warnings: [] };
  if (!verdicts || VERDICT_NAMES.every((name) => verdicts[name] === undefined)) return outcome;

  const status = (name: VerdictName): string => (verdicts[name] ?? 'MISSING').trim().toUpperCase();
  const policy = (verdicts.dmarcPolicy ?? '').trim().toLowerCase();

  if (status('virus') === 'FAIL') {
    outcome.action = 'quarantine';
    outcome.dropAttachments = true;
    outcome.reasons.push('verdict: virus FAIL');
  }
  if (status('spam') === 'FAIL') {
    outcome.action = 'quarantine';
    outcome.reasons.push('verdict: spam FAIL');
  }
  if (status('dmarc') === 'FAIL' && policy === 'reject') {
    outcome.action = 'quarantine';
    outcome.reasons.push('verdict: DMARC FAIL with policy reject');
  }
  for (const name of VERDICT_NAMES) {
    const value = status(name);
    if (value === 'PASS') continue;
    const detail = name === 'dmarc' && value === 'FAIL' && policy ? ` (policy ${policy})` : '';
    outcome.warnings.push(`SES ${name} verdict ${sanitise(value)}${detail}`);
  }
  return outcome;
}

/** Reads the verdicts off an SES receipt (`receipt.spamVerdict.status`, ...). */
export function verdictsFromReceipt(receipt: {
  spamVerdict?: { status: string };
  virusVerdict?: { status: string };
  spfVerdict?: { status: string };
  dkimVerdict?: { status: string };
  dmarcVerdict?: { status: string };
  dmarcPolicy?: string;
}): SesVerdicts {
  const verdicts: SesVerdicts = {};
  if (receipt.spamVerdict) verdicts.spam = receipt.spamVerdict.status;
  if (receipt.virusVerdict) verdicts.virus = receipt.virusVerdict.status;
  if (receipt.spfVerdict) verdicts.spf = receipt.spfVerdict.status;
  if (receipt.dkimVerdict) verdicts.dkim = receipt.dkimVerdict.status;
  if (receipt.dmarcVerdict) verdicts.dmarc = receipt.dmarcVerdict.status;
  if (receipt.dmarcPolicy) verdicts.dmarcPolicy = receipt.dmarcPolicy;
  return verdicts;
}

/** Status strings come from the event: keep them short and printable before they reach a header or log. */
function sanitise(value: string): string {
  return value.replace(/[^A-Z0-9_]/g, '?').slice(0, 32);
}

/**
 * The verdicts SES writes into the stored message itself (`X-SES-Spam-Verdict`,
 * `X-SES-Virus-Verdict`), for a re-drive that has no notification. Only the first of each counts:
 * SES prepends its own, and a sender can append look-alikes further down.
 */
export function verdictsFromStoredHeaders(
  fields: readonly { lowerName: string; value: string }[],
): SesVerdicts {
  const verdicts: SesVerdicts = {};
  const spam = fields.find((field) => field.lowerName === 'x-ses-spam-verdict');
  const virus = fields.find((field) => field.lowerName === 'x-ses-virus-verdict');
  if (spam) verdicts.spam = spam.value.trim();
  if (virus) verdicts.virus = virus.value.trim();
  return verdicts;
}

/**
 * Whom the per-sender rate limit counts a message against: what SES authenticated, never a header
 * claim alone. DMARC PASS means the From domain is aligned with SPF or DKIM: the From address. Else
 * SPF PASS authenticates the envelope sender: that address. Anything else counts in a bucket of its
 * own for unauthenticated mail claiming that name, so forgeries can flood only themselves into
 * quarantine, never the real sender whose name they use.
 */
export function rateLimitIdentity(
  fromAddress: string | undefined,
  envelopeSender: string,
  verdicts: SesVerdicts,
): string {
  const from = (fromAddress ?? '').trim().toLowerCase();
  const envelope = envelopeSender.trim().toLowerCase();
  if (verdicts.dmarc === 'PASS' && from) return `from:${from}`;
  if (verdicts.spf === 'PASS' && envelope) return `envelope:${envelope}`;
  return `unauthenticated:${from || envelope || 'unknown'}`;
}
