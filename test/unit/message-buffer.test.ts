import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { splitMessage } from '../../functions/core/header-block.js';
import { MessageBuffer } from '../../functions/route-mail/message-buffer.js';

const MESSAGE = Buffer.from('From: a@example.org\r\nSubject: Hej\r\n\r\nBody line one\r\nBody line two\r\n');

async function* pieces(bytes: Buffer, size: number): AsyncIterable<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

describe('MessageBuffer.read', () => {
  it.each([
    ['the announced size', MESSAGE.length],
    ['no size', undefined],
    ['a size too small', 10],
  ])('reads the stored bytes exactly with %s', async (_, size) => {
    const message = await MessageBuffer.read({ size, content: pieces(MESSAGE, 7) });

    expect(Buffer.from(message.raw)).toEqual(MESSAGE);
  });

  it('refuses a stream that ends without an error before the size the store announced', async () => {
    // Prepare: S3 said ContentLength, the stream gave less (a truncated message must not be forwarded)
    const stored = { size: MESSAGE.length + 100, content: pieces(MESSAGE, 7) };

    // Act
    const reading = MessageBuffer.read(stored);

    // Assess: an error, so the pipeline marks the read failed and the delivery is retried
    await expect(reading).rejects.toThrow(
      `stored message ended after ${MESSAGE.length} of ${MESSAGE.length + 100} bytes`,
    );
  });
});

describe('MessageBuffer.joinBeforeBody', () => {
  it('writes the header in front of the body without copying the body', async () => {
    // Prepare
    const message = await MessageBuffer.read({ size: MESSAGE.length, content: pieces(MESSAGE, 16) });
    const { body } = splitMessage(message.raw);
    const header = Buffer.from(`X-Long: ${'x'.repeat(2000)}\r\n\r\n`);

    // Act
    const joined = message.joinBeforeBody(header, body);

    // Assess
    expect(Buffer.from(joined)).toEqual(Buffer.concat([header, body]));
    expect(joined.buffer).toBe(message.raw.buffer);
    expect(joined.byteOffset + header.length).toBe(body.byteOffset);
  });

  it('copies when the header does not fit in the room before the body', async () => {
    const message = await MessageBuffer.read({ size: MESSAGE.length, content: pieces(MESSAGE, 16) });
    const { body } = splitMessage(message.raw);
    const header = Buffer.alloc(64 * 1024, 'h');

    const joined = message.joinBeforeBody(header, body);

    expect(Buffer.from(joined)).toEqual(Buffer.concat([header, body]));
    expect(joined.buffer).not.toBe(message.raw.buffer);
  });

  it('copies a body that is not its own', async () => {
    const message = await MessageBuffer.read({ size: MESSAGE.length, content: pieces(MESSAGE, 16) });
    const foreign = Buffer.from('another body');

    const joined = message.joinBeforeBody(Buffer.from('H: v\r\n\r\n'), foreign);

    expect(Buffer.from(joined).toString()).toBe('H: v\r\n\r\nanother body');
    expect(Buffer.from(message.raw)).toEqual(MESSAGE);
  });
});

describe('MessageBuffer.base64InPlace', () => {
  async function forwardOf(bytes: Buffer) {
    const message = await MessageBuffer.read({ size: bytes.length, content: pieces(bytes, 64) });
    const { body } = splitMessage(message.raw);
    const forward = message.joinBeforeBody(Buffer.from('From: router@example.org\r\nX: 1\r\n\r\n'), body);
    return { message, forward, expected: Buffer.from(forward) };
  }

  it('writes the forward as base64 between two byte strings in its own memory', async () => {
    // Prepare: a message with a binary body, as S3 stores it
    const { message, forward, expected } = await forwardOf(
      Buffer.concat([Buffer.from('Subject: x\r\n\r\n'), randomBytes(10_000)]),
    );

    // Act
    const framed = message.base64InPlace(forward, Buffer.from('{"Data":"'), Buffer.from('"}'));

    // Assess: the request body, in the message's memory: no second copy of the message
    expect(Buffer.from(framed ?? []).toString('latin1')).toBe(`{"Data":"${expected.toString('base64')}"}`);
    expect(framed?.buffer).toBe(message.raw.buffer);
  });

  it('leaves a forward that is not its own, or with too little room in front, to the caller', async () => {
    // Prepare
    const { message, forward, expected } = await forwardOf(MESSAGE);

    // Act
    const foreign = message.base64InPlace(Buffer.from(forward), Buffer.from('{'), Buffer.from('}'));
    const tooLong = message.base64InPlace(forward, Buffer.alloc(64 * 1024), Buffer.from('}'));

    // Assess: nothing written, the forward intact
    expect(foreign).toBeUndefined();
    expect(tooLong).toBeUndefined();
    expect(Buffer.from(forward)).toEqual(expected);
  });

  it('refuses to write over the message twice (the second time it would encode its base64)', async () => {
    const { message, forward } = await forwardOf(MESSAGE);
    message.base64InPlace(forward, Buffer.from('"'), Buffer.from('"'));

    expect(() => message.base64InPlace(forward, Buffer.from('"'), Buffer.from('"'))).toThrow(
      /already written over/,
    );
  });

  it('has no room behind a message longer than the store announced: the caller copies', async () => {
    const message = await MessageBuffer.read({ size: 10, content: pieces(MESSAGE, 7) });

    expect(message.base64InPlace(message.raw, Buffer.alloc(0), Buffer.from('"}'))).toBeUndefined();
  });
});
