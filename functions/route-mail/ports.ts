// handler --> (pipeline) --> ports: the interfaces the pipeline needs from the outside world.
// Adapters in functions/adapters/ implement them, one per AWS service (and a local folder store).
import type { StoredOriginalAccess } from '../core/notice-message.js';
import type { Category } from '../core/types.js';
import type { SesVerdicts } from '../core/verdicts.js';

/** Where SES put the raw message. */
export interface MailLocation {
  bucket: string;
  key: string;
}

/** A stored message being read: its bytes as they arrive, and its size when the store knows it. */
export interface StoredMessage {
  size: number | undefined;
  content: AsyncIterable<Uint8Array>;
}

export interface MailStore {
  /** Streams the raw bytes of a stored message. Rejects if it does not exist. */
  open(location: MailLocation): Promise<StoredMessage>;
  /** Lists stored messages (used by reconcile). */
  list?(prefix: string): AsyncIterable<{ location: MailLocation; storedAt: Date; size: number }>;
  /**
   * Where a person fetches the stored original of a message too large to forward, with their own
   * access (never a bearer link): the S3 URI, console page and CLI command; locally the file path.
   */
  locate?(location: MailLocation): Promise<StoredOriginalAccess>;
}

/**
 * Where a message stands (functions/route-mail/routing-states.ts has the transitions):
 * `claimed` a delivery holds it to forward, no send attempted (safe to send again);
 * `sending` the SES call was made (SES may have taken it: only its Send event, or the window
 * reconcile waits for one, settles it); the rest as named.
 */
export type RoutingStatus =
  | 'received'
  | 'claimed'
  | 'sending'
  | 'forwarded'
  | 'suppressed'
  | 'quarantined'
  | 'failed';

export const ROUTING_STATUSES: readonly RoutingStatus[] = [
  'received',
  'claimed',
  'sending',
  'forwarded',
  'suppressed',
  'quarantined',
  'failed',
];

/** The final states: a record in one of these needs no more work. */
export const FINAL_STATUSES: readonly RoutingStatus[] = ['forwarded', 'suppressed', 'quarantined'];

/**
 * Where the acknowledgement to the sender stands (functions/route-mail/routing-states.ts):
 * `due` one is to go once the message is forwarded, none was attempted (safe to send);
 * `sending` the SES call was made (only SES's Send event settles it: never sent again);
 * `sent` SES took it; `skipped` none goes (the reason is kept); `refused` SES refused it for good.
 */
export type AcknowledgementStatus = 'due' | 'sending' | 'sent' | 'skipped' | 'refused';

/**
 * One routed message as logged. Holds no subject text, no body and no full sender address:
 * mail to a public authority is personal data, and the log is for operations.
 */
export interface RoutingRecord {
  id: string;
  receivedAt: string;
  functionalAddress: string;
  senderDomain: string;
  subjectSha256: string;
  subjectLength: number;
  category: Category;
  confidence: number;
  automated: boolean;
  reasons: string[];
  recipients: string[];
  disposition: string;
  status: RoutingStatus;
  bucket: string;
  key: string;
  size: number;
  updatedAt: string;
  sesMessageId?: string;
  failedStep?: string;
  error?: string;
  /** Expiry in epoch seconds for DynamoDB TTL. */
  expiresAt?: number;
  /** The SES verdicts it arrived with, so a re-drive or a release judges it the same way. */
  verdicts?: SesVerdicts;
  /** A person released it from quarantine: re-drives do not hold it again. */
  released?: boolean;
  /** When the SES call began: a record left in `sending` this long without a Send event is sent again. */
  sendStartedAt?: string;
  /** When SES's Send event (or the router's own mark) confirmed the send. */
  confirmedAt?: string;
  /** Sends begun for this record; above 1 after a resend (reconcile or `mailroute resend`). */
  sendAttempts?: number;
  /** The acknowledgement to the sender (issue #14); absent on records from before it existed. */
  acknowledgement?: AcknowledgementStatus;
  /** Why none was sent (`skipped`, `refused`), or the error of the last failed attempt. */
  acknowledgementReason?: string;
  /** SES's message id of the acknowledgement, once SES took it. */
  acknowledgementSesMessageId?: string;
  /** When the acknowledgement's SES call began. */
  acknowledgementStartedAt?: string;
  /** Staff corrections of the route, oldest first (functions/operate/reroute.ts); they teach the classifier. */
  corrections?: RouteCorrection[];
  /** What people did to it before, e.g. the quarantine a release ended, so its reasons are not lost. */
  history?: RecordEvent[];
}

/** A person sent the message to another group than the router had: from where, to where, who, when. */
export interface RouteCorrection {
  at: string;
  by: string;
  from: { category: Category; recipients: string[]; status: RoutingStatus };
  to: { category: Category; recipients: string[] };
  sesMessageId?: string;
}

/** One operator action on a record, with the state it ended. */
export interface RecordEvent {
  at: string;
  by: string;
  action: 'release' | 'reroute';
  status: RoutingStatus;
  reasons: string[];
}

/** What an acknowledgement move may change: its own fields only, never the forward's. */
export type AcknowledgementChanges = Partial<
  Pick<RoutingRecord, 'acknowledgementReason' | 'acknowledgementSesMessageId' | 'acknowledgementStartedAt'>
> & { acknowledgement: AcknowledgementStatus; updatedAt: string };

export interface LogQuery {
  since?: string;
  category?: Category;
  status?: RoutingStatus;
  limit?: number;
}

export type BeginResult = { created: true } | { created: false; existing: RoutingRecord };

export interface RoutingLog {
  /** Writes the record only if no record with this id exists; otherwise returns the one that does. */
  begin(record: RoutingRecord): Promise<BeginResult>;
  get(id: string): Promise<RoutingRecord | undefined>;
  /**
   * Moves a record to a new status with extra attributes, optionally only if it is currently in
   * one of `expectedStatuses`, and, when `expectedSendAttempts` is given, only if its `sendAttempts`
   * is that number (the send attempt the caller started). Returns false when a condition failed.
   */
  update(
    id: string,
    changes: Partial<Omit<RoutingRecord, 'id'>> & { status: RoutingStatus; updatedAt: string },
    expectedStatuses?: readonly RoutingStatus[],
    expectedSendAttempts?: number,
  ): Promise<boolean>;
  list(query: LogQuery): Promise<RoutingRecord[]>;
  /**
   * Counts one more message in a per-sender window (atomic) and returns the new count. `key` is
   * already a hash: the log holds no addresses. Without it there is no rate limit.
   */
  countArrival?(key: string, expiresAt: number): Promise<number>;
  /**
   * Moves the acknowledgement of a record, only if it is currently in one of `expected` (one
   * conditional write, like `update` for the record's status). False when that condition failed.
   */
  updateAcknowledgement(
    id: string,
    changes: AcknowledgementChanges,
    expected: readonly AcknowledgementStatus[],
  ): Promise<boolean>;
  /**
   * Takes the acknowledgement slot `key` (a keyed hash of sender and functional address: no address
   * is stored) for `holder` until `untilSeconds` (epoch seconds), atomically. True when it was free
   * (never taken, or its time ran out at `nowSeconds`) or is already `holder`'s: a retry of the same
   * message keeps its slot.
   */
  reserveAcknowledgement(
    key: string,
    holder: string,
    nowSeconds: number,
    untilSeconds: number,
  ): Promise<boolean>;
}

export interface OutgoingMail {
  /** Envelope sender: the router's verified identity. */
  from: string;
  /**
   * Envelope recipients: only ever configured group addresses, or, for an acknowledgement, the one
   * authenticated original sender.
   */
  recipients: string[];
  raw: Uint8Array;
  /**
   * `raw` in base64 between `before` and `after`, written over `raw` in its own memory, for a sender
   * whose request carries the message so (SES v2: inside JSON): a 40 MB message then needs no second
   * copy. `raw` is gone after a call that returns bytes; undefined means no room, and `raw` is intact.
   */
  base64InPlace?: (before: Uint8Array, after: Uint8Array) => Uint8Array | undefined;
  /**
   * The routing record this send is for. It travels with the send (an SES message tag) and comes
   * back in SES's Send event, which confirms the record even when the router died after the call.
   */
  routingId: string;
  /**
   * What the send is: the forward (or a notice in its place), or the acknowledgement to the sender.
   * It travels as a second message tag, so SES's Send event confirms the right one.
   * @default 'forward'
   */
  kind?: SendKind;
}

export type SendKind = 'forward' | 'acknowledgement';

export interface MailSender {
  /** Sends raw MIME to exactly the given recipients; resolves to the provider's message id. */
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
}
