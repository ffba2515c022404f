// configuration --> the zod-free half of the router configuration: its limits, its error type and the
// look-ups the message path makes. The schema itself (zod) is in schema.ts, read at synth, in tests and by
// the local tools; the Lambdas import only this file and checked-config.ts, so their init never loads zod.
import type { FunctionalAddress, RouterConfig } from './schema.js';

/** The categories that have a group of their own; `other` goes to the address's triage group. */
export type RoutedCategory = Exclude<keyof RouterConfig['categories'], 'other'>;

/**
 * SES v2 sends messages of up to 40 MB (SendEmail with raw content). "MB" is read as 10^6 bytes, the
 * smaller of its two readings, so no forward SES could count as too large passes as fitting.
 */
export const SES_MAX_MESSAGE_BYTES = 40_000_000;
/**
 * What SES adds to a message after the router measured it: its DKIM-Signature headers (Easy DKIM and
 * amazonses.com), Message-ID and Feedback-ID, together well under 8 KB. 64 KB leaves room for more.
 */
export const SES_ADDED_HEADER_BYTES = 64 * 1024;
/** The largest forward the router hands to SES; the default and the ceiling of `limits.maxForwardBytes`. */
export const MAX_FORWARD_BYTES = SES_MAX_MESSAGE_BYTES - SES_ADDED_HEADER_BYTES;

/** The placeholders an acknowledgement text may use: filled in per message (functions/core/acknowledgement.ts). */
export const ACKNOWLEDGEMENT_PLACEHOLDERS = ['{address}', '{reference}'] as const;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The address SES receives a functional address's mail at (see `receivingAddress`). */
export function receivingAddressOf(entry: FunctionalAddress): string {
  return entry.receivingAddress ?? entry.address;
}

/** How sure the classifier must be of a category to route to its group: its own threshold, or the common one. */
export function confidenceThresholdFor(config: RouterConfig, category: RoutedCategory): number {
  return config.categories[category].confidenceThreshold ?? config.confidenceThreshold;
}

/**
 * The functional address entry a message was delivered to, matched case-insensitively on the public
 * address or on the address SES received it at.
 */
export function findFunctionalAddress(
  config: RouterConfig,
  recipient: string,
): FunctionalAddress | undefined {
  const wanted = recipient.trim().toLowerCase();
  return config.functionalAddresses.find(
    (entry) => entry.address.toLowerCase() === wanted || receivingAddressOf(entry).toLowerCase() === wanted,
  );
}
