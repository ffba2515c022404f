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

/** What identifies the router's own mail when it comes back through someone's mailbox. */
export interface ReturnedMailOptions {
  loopSecret: string;
  /** The address every forward is sent from. */
  routerSender: string;
  /** The functional addresses, which every forward names in its From ("Name via address"). */
  functionalAddresses: string[];
  /** The group mailboxes the router forwards to: mail from one of them may be one of ours, returned. */
  groupAddresses: string[];
  /** The subject tags the router puts on forwards. */
  subjectTags: string[];
}

/** The parts of a parsed message the check reads (absent when the parser could not read it). */
export interface ReadableText {
  text: string;
  attachedTexts: { text: string }[];
}

/** A quoted header block is a dozen lines: the tag is looked for this far around the "via" sender. */
const QUOTED_HEADER_REACH = 800;

/**
 * Reasons a message is one of the router's own forwards coming back through people's or groups'
 * mailboxes, where the marker header may be gone (a new `FW:`/`VB:` message, a gateway that strips
 * `X-Mailroute-*`):
 * - `From`, `Sender` or `Return-Path` is the router's own sender: nobody else sends as it;
 * - it comes from a group mailbox the router forwards to, and quotes one of our forwards (our
 *   "Name via functional address" sender with our subject tag in the quoted header block, as Outlook,
 *   Exchange, Gmail and Apple Mail write it) or attaches one (our marker or `X-Mailroute-Id` in an
 *   attached message). A person who forwards from their own mailbox is not held: re-sending a
 *   misrouted message to the functional address is how staff ask for it to be routed again.
 */
export function returnedMailReasons(
  headers: RawHeaderSummary,
  raw: Uint8Array,
  readable: ReadableText | undefined,
  options: ReturnedMailOptions,
): string[] {
  const senders = new Map<string, string[]>();
  for (const name of ['from', 'sender', 'return-path']) {
    const found = headers.fields
      .filter((field) => field.lowerName === name)
      .flatMap((field) => addressesIn(field.value));
    senders.set(name, found);
  }
  const router = options.routerSender.toLowerCase();
  const reasons: string[] = [];
  for (const [name, addresses] of senders) {
    if (addresses.includes(router)) reasons.push(`loop: ${name} is the router's own sender`);
  }
  if (reasons.length > 0) return reasons;

  const groups = new Set(options.groupAddresses.map((address) => address.toLowerCase()));
  const fromGroup = [...senders.values()].flat().some((address) => groups.has(address));
  if (!fromGroup) return reasons;
  if (attachesOurForward(raw, options.loopSecret)) {
    reasons.push('loop: a group mailbox sent back one of our forwards (attached)');
  } else if (readable && quotesOurForward(readable, options)) {
    reasons.push('loop: a group mailbox sent back one of our forwards (quoted)');
  }
  return reasons;
}

/** Addresses in a raw header value (`Name <a@b>`, `a@b`, `<a@b>`), lower-cased. */
function addressesIn(value: string): string[] {
  return [...value.matchAll(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g)].map((match) =>
    match[0].toLowerCase().replace(/\.$/, ''),
  );
}

/**
 * An attached message (below the top header block) carrying our signed marker or our id header. Read
 * only for mail from a group mailbox, so the copy of the body as text is rare.
 */
function attachesOurForward(raw: Uint8Array, loopSecret: string): boolean {
  const { body } = splitMessage(raw);
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1');
  for (const match of text.matchAll(/^x-mailroute-(forwarded|id):([^\r\n]*)/gim)) {
    const value = (match[2] ?? '').trim();
    if (match[1]?.toLowerCase() === 'id' ? value.length > 0 : isOwnLoopMarker(value, loopSecret)) return true;
  }
  return false;
}

/** Our "Name via functional address" sender with one of our tags near it, in the text or an attached text. */
function quotesOurForward(readable: ReadableText, options: ReturnedMailOptions): boolean {
  const vias = options.functionalAddresses.map((address) => `via ${address.toLowerCase()}`);
  const tags = options.subjectTags.map((tag) => tag.toLowerCase());
  for (const text of [readable.text, ...readable.attachedTexts.map((attached) => attached.text)]) {
    const lower = text.toLowerCase();
    for (const via of vias) {
      let index = lower.indexOf(via);
      while (index >= 0) {
        const around = lower.slice(Math.max(0, index - QUOTED_HEADER_REACH), index + QUOTED_HEADER_REACH);
        if (tags.some((tag) => around.includes(tag))) return true;
        index = lower.indexOf(via, index + via.length);
      }
    }
  }
  return false;
}
