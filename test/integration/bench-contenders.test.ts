import { describe, expect, it } from 'vitest';
import { forwarder, mailroute } from '../../bench/contenders.js';
import { SIZE_CLASSES } from '../../bench/messages.js';

// The benchmark is only fair while both handlers really do their whole job on the stubbed clients:
// this keeps it honest as the pipeline changes.
describe('the benchmark contenders', () => {
  const message = SIZE_CLASSES.find((size) => size.name === '20KB')?.build() ?? Buffer.alloc(0);

  it('both forward the message through the stubbed SES, each once per invocation', async () => {
    // Prepare
    const ours = mailroute(message);
    const theirs = forwarder(message);

    // Act
    await ours.invoke();
    await ours.invoke();
    await theirs.invoke();

    // Assess: the SES request carries the message as base64, its header block rewritten by each.
    expect(ours.sent.count).toBe(2);
    expect(theirs.sent.count).toBe(1);
    const bodyAsBase64 = ((message.length - message.indexOf('\r\n\r\n')) * 4) / 3;
    expect(ours.sent.lastRequestBytes).toBeGreaterThan(bodyAsBase64);
    expect(theirs.sent.lastRequestBytes).toBeGreaterThan(bodyAsBase64);
  }, 30_000);

  it('generates the size classes the issue names, at their sizes', () => {
    const sizes = new Map(SIZE_CLASSES.map((size) => [size.name, size.build().length / 1024 / 1024]));

    expect([...sizes.keys()]).toEqual(['2KB', '20KB', '300KB', '5MB', '9.5MB', '30MB', '10MB-text']);
    expect(sizes.get('30MB')).toBeGreaterThan(29);
    expect(sizes.get('30MB')).toBeLessThan(31);
    expect(sizes.get('9.5MB')).toBeGreaterThan(9);
    expect(sizes.get('10MB-text')).toBeGreaterThan(9.5);
  }, 30_000);
});
