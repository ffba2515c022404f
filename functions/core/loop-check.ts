// core (pure): raw header block --> reasons this message must not be routed again (loop protection).
// Read from the raw bytes, not from the parser: it must work for mail the parser cannot read, and a
// forged or repeated marker header must not hide the genuine one.
import { rawFieldValue, splitMessage } from './header-block.js';
import { isOwnLoopMarker } from './loop-marker.js';

export interface LoopCheckOptions {
  loopSecret: string;
  maxReceivedHeaders: number;
}

export interface RawHeaderSummary {
  fields: { lowerName: string; value: string }[];
}

/** The header fields of a raw message, unfolded and undecoded. */
export function rawHeaders(raw: Uint8Array): RawHeaderSummary {
  return {
    fields: splitMessage(raw).fields.map((field) => ({
      lowerName: field.lowerName,
      value: rawFieldValue(field),
    })),
  };
}

export function loopReasons(headers: RawHeaderSummary, options: LoopCheckOptions): string[] {
  const reasons: string[] = [];
  const markers = headers.fields.filter((field) => field.lowerName === 'x-mailroute-forwarded');
  if (markers.some((field) => isOwnLoopMarker(field.value, options.loopSecret))) {
    reasons.push('loop: carries our own X-Mailroute-Forwarded marker');
  }
  const received = headers.fields.filter((field) => field.lowerName === 'received').length;
  if (received > options.maxReceivedHeaders) {
    reasons.push(`loop: ${received} Received headers (> ${options.maxReceivedHeaders})`);
  }
  return reasons;
}
