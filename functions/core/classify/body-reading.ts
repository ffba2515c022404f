// core (pure) --> classify: the body of one message as the automated check (automated.ts) and the
// classifier (features.ts) both read it: split into new text and quoted history (segment.ts), the new
// text cut into folded words (normalize.ts). Each reader did both on its own; on a long body that was
// a third of the analysis (a 256 K-character body: ~40 ms of ~165 ms), so it is done once per message.
import type { InboundMail } from '../types.js';
import { tokens } from './normalize.js';
import { type BodySegments, segmentBody } from './segment.js';

export interface BodyReading extends BodySegments {
  /** `tokens(fresh)`: shared by every reader of this message, so none may change it. */
  freshWords: readonly string[];
}

/**
 * Keyed by the parsed message, whose text does not change once parsed: a reading lives as long as
 * the message does, and nothing is kept from one message to the next.
 */
const readings = new WeakMap<InboundMail, BodyReading>();

export function readBody(mail: InboundMail): BodyReading {
  let reading = readings.get(mail);
  if (!reading) {
    const segments = segmentBody(mail.text);
    reading = { ...segments, freshWords: tokens(segments.fresh) };
    readings.set(mail, reading);
  }
  return reading;
}
