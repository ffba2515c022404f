// local stack --> which functional address a message given as a file counts as sent to (no envelope).
import type { RouterConfig } from '../config/schema.js';
import type { InboundMail } from '../core/types.js';

/** The first configured functional address in To, then Cc; else the first configured one. */
export function functionalAddressOf(config: RouterConfig, mail: InboundMail): string {
  const configured = new Map(
    config.functionalAddresses.map((entry) => [entry.address.toLowerCase(), entry.address]),
  );
  for (const address of [...mail.to, ...mail.cc]) {
    const match = configured.get(address.address.toLowerCase());
    if (match) return match;
  }
  return config.functionalAddresses[0]?.address ?? '';
}
