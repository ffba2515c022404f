// pipeline --> (message buffer): the stored message read into one buffer of its own, with free room
// in front. The forward is a new header block before the original body; written into that room,
// it needs no second copy of a message that may be 40 MB: the Lambda's memory then holds the message
// and the SES request (the message in base64), not a forward beside them as well.
import type { StoredMessage } from './ports.js';

/** Room before the message: the forward's header block is rarely more than a few KB longer. */
const HEADROOM_BYTES = 32 * 1024;

export class MessageBuffer {
  /** The stored message, byte for byte, until `joinBeforeBody` writes over its header block. */
  readonly raw: Uint8Array;

  private constructor(private readonly storage: Buffer) {
    this.raw = storage.subarray(HEADROOM_BYTES);
  }

  /**
   * Reads the whole message. With a known size each piece is copied in as it arrives and then
   * dropped, so the pieces and the message are never all in memory together; fewer bytes than that
   * size is an error (S3's ContentLength is the object's size), more are read to the end.
   */
  static async read(stored: StoredMessage): Promise<MessageBuffer> {
    if (stored.size !== undefined && Number.isSafeInteger(stored.size) && stored.size >= 0) {
      const storage = Buffer.allocUnsafeSlow(HEADROOM_BYTES + stored.size);
      let length = HEADROOM_BYTES;
      const pieces: Uint8Array[] = [];
      for await (const chunk of stored.content) {
        // A store that sends more than it announced is read to the end all the same.
        if (pieces.length > 0 || length + chunk.byteLength > storage.length) pieces.push(chunk);
        else {
          storage.set(chunk, length);
          length += chunk.byteLength;
        }
      }
      if (pieces.length === 0 && length < storage.length) {
        // A stream that ends early without an error would forward a truncated message: fail the read
        // (the delivery is retried) rather than trust it.
        throw new Error(
          `stored message ended after ${length - HEADROOM_BYTES} of ${stored.size} bytes the store announced`,
        );
      }
      if (pieces.length === 0) return new MessageBuffer(storage);
      return new MessageBuffer(Buffer.concat([storage.subarray(0, length), ...pieces]));
    }
    const pieces: Uint8Array[] = [Buffer.alloc(HEADROOM_BYTES)];
    for await (const chunk of stored.content) pieces.push(chunk);
    return new MessageBuffer(Buffer.concat(pieces));
  }

  /**
   * `header` followed by `body`, a view of `raw`. When the header fits in the room before the body
   * (the headroom and the original header block), it is written there and the result is a view:
   * `raw` then no longer starts with its original headers, so this is the last use of `raw` for
   * anything but its length. Otherwise the two are copied into a new buffer.
   */
  joinBeforeBody(header: Uint8Array, body: Uint8Array): Uint8Array {
    const bodyStart = body.byteOffset - this.storage.byteOffset;
    const ownsBody =
      body.buffer === this.storage.buffer &&
      bodyStart >= HEADROOM_BYTES &&
      bodyStart + body.byteLength === this.storage.length;
    if (!ownsBody || header.byteLength > bodyStart) return Buffer.concat([header, body]);
    const start = bodyStart - header.byteLength;
    this.storage.set(header, start);
    return this.storage.subarray(start);
  }
}
