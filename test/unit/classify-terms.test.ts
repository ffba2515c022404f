import { describe, expect, it } from 'vitest';
import { classifyFeatures } from '../../functions/core/classify/index.js';
import { describeTerm, selectVocabulary, termsOf, withTerms } from '../../functions/core/classify/terms.js';
import { buildModel } from '../../functions/core/classify/training.js';
import type { Category } from '../../functions/core/types.js';

function example(id: string, category: Category, text: string) {
  const words = new Map(text.split(' ').map((word) => [word, 1] as const));
  return { id, category, features: { values: new Map<string, number>(), evidence: new Map(), words } };
}

const EXAMPLES = [
  example('1', 'protocol_visit', 'delegation ambassador arrives tuesday'),
  example('2', 'protocol_visit', 'delegacion embajadora llega martes'),
  example('3', 'protocol_visit', 'delegatie ambassadeur komt dinsdag'),
  example('4', 'eu_matter', 'interreg partner search application'),
  example('5', 'eu_matter', 'interreg consortium application deadline'),
  example('6', 'eu_matter', 'interreg project report deadline'),
  example('7', 'other', 'tickets tower opening hours'),
  example('8', 'other', 'tickets guided tour price'),
  example('9', 'other', 'tickets wedding booking'),
];

describe('terms', () => {
  it('reads a word and, from six letters on, its five-letter stem; skips short words and numbers', () => {
    expect(termsOf('delegacija')).toEqual(['w:delegacija', 's:deleg']);
    expect(termsOf('visit')).toEqual(['w:visit']);
    expect(termsOf('and')).toEqual([]);
    expect(termsOf('of')).toEqual([]);
    expect(termsOf('2027')).toEqual([]);
  });

  it('selects the terms that tell categories apart, deterministically', () => {
    // Act
    const first = selectVocabulary(EXAMPLES, { minMessages: 3, size: 10 });
    const second = selectVocabulary([...EXAMPLES].reverse(), { minMessages: 3, size: 10 });

    // Assess
    expect(first).toEqual(second);
    expect(first).toContain('s:deleg');
    expect(first).toContain('w:interreg');
    expect(first).toContain('w:tickets');
    expect(first).not.toContain('w:tuesday');
  });

  it('scales term features to unit length, whatever the message length', () => {
    // Prepare
    const vocabulary = new Set(['w:interreg', 'w:deadline', 'w:application', 'w:consortium']);

    // Act
    const values = withTerms(
      example('x', 'other', 'interreg deadline application consortium').features,
      vocabulary,
    );

    // Assess
    const squares = [...values.values()].reduce((sum, value) => sum + value * value, 0);
    expect(squares).toBeCloseTo(1, 6);
  });

  it('learns from labelled words and names the words in its reasons', () => {
    // Prepare
    const model = buildModel(EXAMPLES);

    // Act
    const unseenLanguage = classifyFeatures(
      example('y', 'other', 'delegazione ambasciatore').features,
      model,
    );

    // Assess
    expect(unseenLanguage.category).toBe('protocol_visit');
    expect(unseenLanguage.reasons).toContain(describeTerm('s:deleg'));
    expect(describeTerm('w:interreg')).toBe('word:"interreg"');
  });
});
