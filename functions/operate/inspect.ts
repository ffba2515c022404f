// operator (CLI `show`, console detail) --> (inspect) --> the record, and what only the stored message
// holds: subject and sender are read from it on demand and never written to the log.
import { analyze } from '../core/analyze.js';
import type { PipelineDeps } from '../route-mail/pipeline.js';
import type { RoutingRecord } from '../route-mail/ports.js';
import { readStored } from './backend.js';
import { forwardHeaderPreview } from './reroute.js';

export interface MessageDetail {
  record: RoutingRecord;
  /** Read from the stored message now; undefined when it is gone (expired) or cannot be read. */
  subject?: string;
  from?: string;
  /** The header block staff received (`X-Mailroute-*` included), rebuilt from the stored message. */
  forwardHeaders?: string;
  /** Why the stored message could not be read, when it could not. */
  unreadable?: string;
}

export async function inspectMessage(deps: PipelineDeps, record: RoutingRecord): Promise<MessageDetail> {
  let raw: Buffer;
  try {
    raw = await readStored(deps, record);
  } catch (error) {
    return { record, unreadable: `stored message not readable: ${(error as Error).message}` };
  }
  try {
    const analysis = await analyze(raw, deps.config, record.functionalAddress);
    const from = analysis.mail.from;
    return {
      record,
      subject: analysis.mail.subject,
      from: from ? (from.name ? `${from.name} <${from.address}>` : from.address) : '',
      forwardHeaders:
        record.recipients.length > 0 ? forwardHeaderPreview(deps, record, raw, analysis) : undefined,
    };
  } catch (error) {
    return { record, unreadable: `the parser could not read it: ${(error as Error).message}` };
  }
}
