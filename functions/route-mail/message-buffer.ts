// pipeline --> (message buffer): the stored message read into one buffer of its own, with free room
// in front and behind. The forward is a new header block before the original body; written into the
// room in front, it needs no second copy of a message that may be 40 MB. The SES request carries the
// forward in base64 inside JSON: written over the forward in the same buffer (`base64InPlace`, the room
// behind takes the third it grows by), it needs no second copy either. The Lambda's memory then holds
// the message, a third more, and the pieces S3 delivered it in until they are collected.
import { base64Length, writeBase64 } from './base64-writer.js';
import type { StoredMessage } from './ports.js';

/** Room before the message: the forward's header block is rarely more than a few KB longer. */
const HEADROOM_BYTES = 32 * 1024;
/** Room behind the base64 form for what follows it in a request (SES v2: recipients, tags, up to ~15 KB). */
const TRAILER_ROOM_BYTES = 64 * 1024;

export class MessageBuffer {
  /** The stored message, byte for byte, until `joinBeforeBody` writes over its header block. */
  readonly raw: Uint8Array;
  /** Set once `base64InPlace` wrote over the message: from then on the bytes are its base64 form. */
  private writtenOver = false;

  private constructor(
    private readonly storage: Buffer,
    /** Where the message ends in `storage`; what follows is room for its base64 form. */
    private readonly messageEnd: number,
  ) {
    this.raw = storage.subarray(HEADROOM_BYTES, messageEnd);
  }

  /**
   * Reads the whole message. With a known size each piece is copied in as it arrives and then
   * dropped, so the pieces and the message are never all in memory together; fewer bytes than that
   * size is an error (S3's ContentLength is the object's size), more are read to the end. The room
   * behind the message is allocated but not written, so it takes no memory until `base64InPlace`.
   */
  static async read(stored: StoredMessage): Promise<MessageBuffer> {
    if (stored.size !== undefined && Number.isSafeInteger(stored.size) && stored.size >= 0) {
      const messageEnd = HEADROOM_BYTES + stored.size;
      const storage = Buffer.allocUnsafeSlow(messageEnd + base64Room(messageEnd));
      let length = HEADROOM_BYTES;
      const pieces: Uint8Array[] = [];
      for await (const chunk of stored.content) {
        // A store that sends more than it announced is read to the end all the same.
        if (pieces.length > 0 || length + chunk.byteLength > messageEnd) pieces.push(chunk);
        else {
          storage.set(chunk, length);
          length += chunk.byteLength;
        }
      }
      if (pieces.length === 0 && length < messageEnd) {
        // A stream that ends early without an error would forward a truncated message: fail the read
        // (the delivery is retried) rather than trust it.
        throw new Error(
          `stored message ended after ${length - HEADROOM_BYTES} of ${stored.size} bytes the store announced`,
        );
      }
      if (pieces.length === 0) return new MessageBuffer(storage, messageEnd);
      const whole = Buffer.concat([storage.subarray(0, length), ...pieces]);
      return new MessageBuffer(whole, whole.length);
    }
    const pieces: Uint8Array[] = [Buffer.alloc(HEADROOM_BYTES)];
    for await (const chunk of stored.content) pieces.push(chunk);
    const whole = Buffer.concat(pieces);
    return new MessageBuffer(whole, whole.length);
  }

  /**
   * `header` followed by `body`, a view of `raw`. When the header fits in the room before the body
   * (the headroom and the original header block), it is written there and the result is a view:
   * `raw` then no longer starts with its original headers, so this is the last use of `raw` for
   * anything but its length. Otherwise the two are copied into a new buffer.
   */
  joinBeforeBody(header: Uint8Array, body: Uint8Array): Uint8Array {
    const bodyStart = this.offsetOf(body);
    if (bodyStart === undefined || bodyStart < HEADROOM_BYTES || header.byteLength > bodyStart) {
      return Buffer.concat([header, body]);
    }
    const start = bodyStart - header.byteLength;
    this.storage.set(header, start);
    return this.storage.subarray(start, this.messageEnd);
  }

  /**
   * `before`, the base64 of `forward`, then `after`, written over `forward` in this buffer's own
   * memory: a request body that carries the message without a second copy of it. `forward` must be
   * what `joinBeforeBody` returned as a view; it is gone after this, so this is the last use of it
   * and of `raw`. Undefined, and nothing written, when `forward` is not such a view or the room in
   * front or behind is too small.
   */
  base64InPlace(forward: Uint8Array, before: Uint8Array, after: Uint8Array): Uint8Array | undefined {
    // A second call would encode the base64 form again and send that.
    if (this.writtenOver) throw new Error('the message was already written over by its base64 form');
    const start = this.offsetOf(forward);
    if (start === undefined || before.byteLength > start) return undefined;
    const encodedEnd = start + base64Length(forward.byteLength);
    if (encodedEnd + after.byteLength > this.storage.length) return undefined;
    this.writtenOver = true;
    writeBase64(this.storage, start, forward);
    this.storage.set(before, start - before.byteLength);
    this.storage.set(after, encodedEnd);
    return this.storage.subarray(start - before.byteLength, encodedEnd + after.byteLength);
  }

  /** Where `bytes` starts in the storage when it is a view that ends where the message ends. */
  private offsetOf(bytes: Uint8Array): number | undefined {
    const start = bytes.byteOffset - this.storage.byteOffset;
    const owned =
      bytes.buffer === this.storage.buffer && start >= 0 && start + bytes.byteLength === this.messageEnd;
    return owned ? start : undefined;
  }
}

/** Room behind a message that ends at `messageEnd`: its base64 form is a third longer, then a trailer. */
function base64Room(messageEnd: number): number {
  return base64Length(messageEnd) - messageEnd + TRAILER_ROOM_BYTES;
}
