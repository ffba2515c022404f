import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base64Length, writeBase64 } from '../../functions/route-mail/base64-writer.js';

const LENGTHS = [0, 1, 2, 3, 4, 5, 6, 7, 64, 1000, 65_537];

describe('writeBase64', () => {
  it.each(LENGTHS)('writes what Node writes for %i bytes, into another buffer', (length) => {
    // Prepare
    const source = randomBytes(length);
    const target = Buffer.alloc(3 + base64Length(length) + 3, '.');

    // Act
    const end = writeBase64(target, 3, source);

    // Assess: the base64 and nothing around it
    expect(end).toBe(3 + base64Length(length));
    expect(target.toString('latin1')).toBe(`...${source.toString('base64')}...`);
  });

  it.each(LENGTHS)('writes the base64 of %i bytes over the bytes themselves', (length) => {
    // Prepare: the source in the target's own memory, the base64 to start where it starts
    const original = randomBytes(length);
    const storage = Buffer.alloc(5 + base64Length(length));
    original.copy(storage, 5);

    // Act
    const end = writeBase64(storage, 5, storage.subarray(5, 5 + length));

    // Assess
    expect(storage.subarray(5, end).toString('latin1')).toBe(original.toString('base64'));
  });

  it('writes over bytes that start before it, as long as it starts at or after them', () => {
    const original = randomBytes(3001);
    const storage = Buffer.alloc(10 + base64Length(original.length) + 10);
    original.copy(storage, 2);

    const end = writeBase64(storage, 12, storage.subarray(2, 2 + original.length));

    expect(storage.subarray(12, end).toString('latin1')).toBe(original.toString('base64'));
  });

  it('refuses a target without room, before writing anything', () => {
    const target = Buffer.alloc(7, '.');

    expect(() => writeBase64(target, 0, Buffer.from('abcdef'))).toThrow(RangeError);
    expect(target.toString()).toBe('.......');
  });
});
