// pipeline & SES sender --> (base64 writer): the base64 form of a message written straight into a
// request body, byte by byte: no base64 string of the message (Node's encoder makes one, and strings
// of a few MB fill the young generation, whose pages count as memory too), no second buffer of it.

const ALPHABET = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 'latin1');
const PAD = 0x3d;

/** How many bytes the base64 of `length` bytes takes (with padding). */
export function base64Length(length: number): number {
  return Math.ceil(length / 3) * 4;
}

/**
 * Writes the base64 of `source` into `target` from `at` on; returns where it ends. It goes from the
 * last group of three bytes to the first, so `source` may lie in `target`'s own memory, starting at
 * or before `at`: each group is read before its four bytes are written, and those cover only bytes
 * of groups already encoded (or of the group itself).
 */
export function writeBase64(target: Uint8Array, at: number, source: Uint8Array): number {
  const end = at + base64Length(source.byteLength);
  if (at < 0 || end > target.byteLength) throw new RangeError('base64 does not fit in the target');
  const whole = source.byteLength - (source.byteLength % 3);
  let out = end;
  const rest = source.byteLength - whole;
  if (rest > 0) {
    const a = source[whole] ?? 0;
    const b = rest === 2 ? (source[whole + 1] ?? 0) : 0;
    out -= 4;
    target[out] = ALPHABET[a >> 2] ?? PAD;
    target[out + 1] = ALPHABET[((a & 0x03) << 4) | (b >> 4)] ?? PAD;
    target[out + 2] = rest === 2 ? (ALPHABET[(b & 0x0f) << 2] ?? PAD) : PAD;
    target[out + 3] = PAD;
  }
  for (let from = whole - 3; from >= 0; from -= 3) {
    const a = source[from] ?? 0;
    const b = source[from + 1] ?? 0;
    const c = source[from + 2] ?? 0;
    out -= 4;
    target[out] = ALPHABET[a >> 2] ?? PAD;
    target[out + 1] = ALPHABET[((a & 0x03) << 4) | (b >> 4)] ?? PAD;
    target[out + 2] = ALPHABET[((b & 0x0f) << 2) | (c >> 6)] ?? PAD;
    target[out + 3] = ALPHABET[c & 0x3f] ?? PAD;
  }
  return end;
}
