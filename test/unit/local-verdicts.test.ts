import { describe, expect, it } from 'vitest';
import { localVerdictsFor, parseLocalVerdicts } from '../../functions/local/local-verdicts.js';

describe('MAILROUTE_LOCAL_VERDICTS', () => {
  it('passes a loopback client by default and leaves any other unchecked', () => {
    // Prepare
    const rule = parseLocalVerdicts(undefined);

    // Act
    const loopback = [localVerdictsFor(rule, '127.0.0.1'), localVerdictsFor(rule, '::ffff:127.0.0.1')];
    const other = localVerdictsFor(rule, '192.0.2.10');

    // Assess
    for (const verdicts of loopback) expect(verdicts.dmarc).toBe('PASS');
    expect(other).toMatchObject({ spf: 'GRAY', dkim: 'GRAY', dmarc: 'GRAY', spam: 'PASS' });
  });

  it('sets named verdicts over all PASS for every client', () => {
    // Act
    const verdicts = localVerdictsFor(
      parseLocalVerdicts('dmarc=fail, spf=FAIL, dmarcPolicy=reject'),
      '127.0.0.1',
    );

    // Assess
    expect(verdicts).toEqual({
      spam: 'PASS',
      virus: 'PASS',
      spf: 'FAIL',
      dkim: 'PASS',
      dmarc: 'FAIL',
      dmarcPolicy: 'reject',
    });
    expect(localVerdictsFor(parseLocalVerdicts('unchecked'), '127.0.0.1').dmarc).toBe('GRAY');
  });

  it.each(['dmarc=MAYBE', 'sender=PASS', 'pass please'])('refuses %s naming the variable', (value) => {
    // Act & Assess
    expect(() => parseLocalVerdicts(value)).toThrow(/^MAILROUTE_LOCAL_VERDICTS=/);
  });
});
