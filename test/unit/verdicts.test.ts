// Promise 7 of issue #5: every combination of SES verdicts has a defined outcome.
import { describe, expect, it } from 'vitest';
import {
  judgeVerdicts,
  type SesVerdicts,
  VERDICT_NAMES,
  VERDICT_STATUSES,
  verdictsFromStoredHeaders,
} from '../../functions/core/verdicts.js';

const POLICIES = [undefined, 'none', 'quarantine', 'reject'] as const;

/** Every verdict status for each of the five verdicts, and dmarcPolicy only when DMARC failed. */
function allCombinations(): SesVerdicts[] {
  let combos: SesVerdicts[] = [{}];
  for (const name of VERDICT_NAMES) {
    combos = combos.flatMap((combo) => VERDICT_STATUSES.map((status) => ({ ...combo, [name]: status })));
  }
  return combos.flatMap((combo) =>
    combo.dmarc === 'FAIL'
      ? POLICIES.map((policy) => (policy ? { ...combo, dmarcPolicy: policy } : combo))
      : [combo],
  );
}

describe('judgeVerdicts', () => {
  const combos = allCombinations();

  it('covers all 4^5 status combinations, with each DMARC policy where DMARC fails', () => {
    expect(combos).toHaveLength(4 ** 5 + 4 ** 4 * 3);
  });

  it('quarantines exactly on virus FAIL, spam FAIL, or DMARC FAIL with policy reject', () => {
    for (const verdicts of combos) {
      const held =
        verdicts.virus === 'FAIL' ||
        verdicts.spam === 'FAIL' ||
        (verdicts.dmarc === 'FAIL' && verdicts.dmarcPolicy === 'reject');
      expect(judgeVerdicts(verdicts).action, JSON.stringify(verdicts)).toBe(held ? 'quarantine' : 'forward');
    }
  });

  it('drops attachments exactly on virus FAIL', () => {
    for (const verdicts of combos) {
      expect(judgeVerdicts(verdicts).dropAttachments).toBe(verdicts.virus === 'FAIL');
    }
  });

  it('warns once for each verdict that is not PASS, and only then', () => {
    for (const verdicts of combos) {
      const notPass = VERDICT_NAMES.filter((name) => verdicts[name] !== 'PASS');
      const { warnings } = judgeVerdicts(verdicts);
      expect(warnings).toHaveLength(notPass.length);
      for (const name of notPass)
        expect(warnings.some((warning) => warning.startsWith(`SES ${name} `))).toBe(true);
    }
  });

  it('gives a reason for every quarantine', () => {
    for (const verdicts of combos) {
      const outcome = judgeVerdicts(verdicts);
      expect(outcome.reasons.length > 0).toBe(outcome.action === 'quarantine');
    }
  });

  it('treats unknown statuses and a missing verdict as not PASS: forwarded with a warning', () => {
    // Prepare
    const verdicts = { spam: 'SOMETHING_NEW', virus: 'PASS', spf: 'PASS', dkim: 'PASS' };

    // Act
    const outcome = judgeVerdicts(verdicts);

    // Assess
    expect(outcome.action).toBe('forward');
    expect(outcome.warnings).toEqual(['SES spam verdict SOMETHING_NEW', 'SES dmarc verdict MISSING']);
  });

  it('gives no warnings for a message that never went through SES scanning', () => {
    expect(judgeVerdicts({})).toEqual({
      action: 'forward',
      dropAttachments: false,
      reasons: [],
      warnings: [],
    });
    expect(judgeVerdicts(undefined).warnings).toEqual([]);
  });

  it('keeps status text from the event out of headers: only A-Z, 0-9 and _ survive', () => {
    const outcome = judgeVerdicts({ spam: 'FAIL\r\nBcc: x@example.org', virus: 'PASS' });
    for (const warning of outcome.warnings) expect(warning).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('verdictsFromStoredHeaders', () => {
  it('takes the first X-SES verdict headers only (SES prepends; a sender can only append)', () => {
    const verdicts = verdictsFromStoredHeaders([
      { lowerName: 'x-ses-spam-verdict', value: 'FAIL' },
      { lowerName: 'x-ses-virus-verdict', value: 'PASS' },
      { lowerName: 'x-ses-spam-verdict', value: 'PASS' },
    ]);
    expect(verdicts).toEqual({ spam: 'FAIL', virus: 'PASS' });
  });
});
