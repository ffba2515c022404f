// core (pure): the signed marker the router puts on every forward, so it can recognise its own mail
// if it ever comes back (a group address that forwards to a functional address, an auto-reply
// loop) and an outsider cannot forge a marker to make the router drop their mail.
import { createHmac, timingSafeEqual } from 'node:crypto';

const VERSION = 'v1';

/** `v1 <routing id> <hex HMAC-SHA256 of "v1 <routing id>">`. */
export function signLoopMarker(routingId: string, secret: string): string {
  const id = routingId.replace(/[^A-Za-z0-9._-]/g, '');
  return `${VERSION} ${id} ${hmac(`${VERSION} ${id}`, secret)}`;
}

/** True only for a marker this router signed with this secret. */
export function isOwnLoopMarker(value: string, secret: string): boolean {
  const [version, id, signature] = value.trim().split(/\s+/);
  if (version !== VERSION || !id || !signature || !/^[0-9a-f]{64}$/.test(signature)) return false;
  const expected = Buffer.from(hmac(`${VERSION} ${id}`, secret), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

function hmac(text: string, secret: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}
