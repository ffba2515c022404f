// operator (CLI or console) --> (operator backend) --> the routing log, the mail store and the sender of
// one deployment: the local stack's data folder, or an AWS stack found by its CloudFormation outputs.
// Every operator action is written once against this shape, so it works the same on both.
import type { PipelineDeps } from '../route-mail/pipeline.js';
import type { MailStore, RoutingRecord } from '../route-mail/ports.js';
import type { SesNotification } from '../route-mail/ses-notification.js';
import type { StatusCheck } from './status.js';

export interface OperatorBackend {
  kind: 'local' | 'aws';
  /** One line for people: which deployment this is. */
  description: string;
  /** The pipeline's own dependencies: release and reroute go through the same code as routing. */
  deps: PipelineDeps & { store: MailStore & Required<Pick<MailStore, 'list'>> };
  /** Hands a notification back to the router: the queue in AWS, the handler in this process locally. */
  redrive(notification: SesNotification): Promise<void>;
  /** Who is acting, for the record of a correction: the caller's AWS identity, or the local user. */
  operator(): Promise<string>;
  /** What needs looking at in this deployment (status, console). */
  statusChecks(): Promise<StatusCheck[]>;
  /** Moves the dead-letter queue back to the router's queue (AWS only); returns how many moved. */
  replayDeadLetters?(): Promise<number>;
  close(): Promise<void>;
}

/** Ids are long (SHA-256 locally, SES message ids in AWS): a unique prefix of this length will do. */
export const MIN_ID_PREFIX = 8;

export class RecordNotFound extends Error {
  override name = 'RecordNotFound';
}

/**
 * The record with this id, or with this unique prefix of at least `MIN_ID_PREFIX` characters.
 * Rejects with a message that says what to do when there is none or more than one.
 */
export async function resolveRecord(
  deps: Pick<PipelineDeps, 'log'>,
  idOrPrefix: string,
): Promise<RoutingRecord> {
  const id = idOrPrefix.trim();
  if (!id) throw new RecordNotFound('give a message id (as `mailroute log` prints it)');
  const exact = await deps.log.get(id);
  if (exact) return exact;
  if (id.length < MIN_ID_PREFIX) {
    throw new RecordNotFound(`no message ${id}; a shortened id needs at least ${MIN_ID_PREFIX} characters`);
  }
  const matches = (await deps.log.list({})).filter((record) => record.id.startsWith(id));
  if (matches.length === 1) return matches[0] as RoutingRecord;
  if (matches.length === 0) throw new RecordNotFound(`no message with id ${id}`);
  throw new RecordNotFound(
    `${matches.length} messages start with ${id} (${matches
      .slice(0, 3)
      .map((record) => record.id.slice(0, 16))
      .join(', ')}${matches.length > 3 ? ', ...' : ''}): give more characters`,
  );
}

/** Reads a stored message whole (operator actions read one message at a time). */
export async function readStored(deps: Pick<PipelineDeps, 'store'>, record: RoutingRecord): Promise<Buffer> {
  const stored = await deps.store.open({ bucket: record.bucket, key: record.key });
  const chunks: Uint8Array[] = [];
  for await (const chunk of stored.content) chunks.push(chunk);
  return Buffer.concat(chunks);
}
