import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { concepts } from '../../functions/core/classify/lexicon.js';
import {
  type Example,
  fitTemperature,
  type LinearModel,
  logits,
  priorModel,
  softmax,
  train,
} from '../../functions/core/classify/model.js';
import { assignFolds, buildModel, type LabelledFeatures } from '../../functions/core/classify/training.js';
import { readCorpus, trainable } from '../../scripts/classify-corpus.js';

const toyPrior: LinearModel = {
  categories: ['invitation', 'protocol_visit', 'eu_matter', 'other'],
  features: ['a', 'b'],
  weights: [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
  ],
  bias: [0, 0, 0, 0],
  temperature: 1,
};
const toyExamples: Example[] = [
  { values: new Map([['a', 1]]), category: 'invitation' },
  { values: new Map([['a', 1]]), category: 'invitation' },
  { values: new Map([['b', 1]]), category: 'eu_matter' },
  { values: new Map([['b', 1]]), category: 'eu_matter' },
  { values: new Map(), category: 'other' },
];

describe('train', () => {
  it('learns separable evidence and is deterministic', () => {
    const options = { l2: 0.01, termL2: 0.01, iterations: 300, learningRate: 0.5 };

    const first = train(toyPrior, toyExamples, options);
    const second = train(toyPrior, toyExamples, options);

    expect(second).toEqual(first);
    const predict = (values: Map<string, number>) => {
      const probabilities = softmax(logits(first, values));
      return first.categories[probabilities.indexOf(Math.max(...probabilities))];
    };
    expect(predict(new Map([['a', 1]]))).toBe('invitation');
    expect(predict(new Map([['b', 1]]))).toBe('eu_matter');
    expect(predict(new Map())).toBe('other');
  });

  it('stays near the prior weights when the pull toward them is strong', () => {
    const prior = {
      ...toyPrior,
      weights: [
        [2, 0],
        [0, 0],
        [0, 0],
        [0, 0],
      ],
    };

    const model = train(prior, [{ values: new Map([['a', 1]]), category: 'other' }], {
      l2: 5,
      termL2: 5,
      iterations: 300,
      learningRate: 0.1,
    });

    expect(model.weights[0]?.[0]).toBeGreaterThan(1.8);
  });
});

describe('fitTemperature', () => {
  it('softens overconfident scores and sharpens timid ones', () => {
    const overconfident = [
      { scores: [10, 0, 0, 0], target: 0 },
      { scores: [10, 0, 0, 0], target: 1 },
    ];
    const timid = [
      { scores: [0.2, 0, 0, 0], target: 0 },
      { scores: [0, 0.2, 0, 0], target: 1 },
    ];

    expect(fitTemperature(overconfident)).toBeGreaterThan(1);
    expect(fitTemperature(timid)).toBeLessThan(1);
    expect(fitTemperature([])).toBe(1);
  });
});

describe('assignFolds', () => {
  it('deals every category across the folds', () => {
    const examples: LabelledFeatures[] = ['invitation', 'other'].flatMap((category) =>
      [1, 2, 3].map((n) => ({
        id: `${category}-${n}`,
        category: category as 'invitation' | 'other',
        features: { values: new Map(), evidence: new Map(), words: new Map() },
      })),
    );

    const folds = assignFolds(examples, 3);

    for (let fold = 0; fold < 3; fold++) {
      const members = examples.filter((example) => folds.get(example.id) === fold);
      expect(new Set(members.map((member) => member.category)).size).toBe(2);
    }
  });
});

describe('the committed model', () => {
  const committed = JSON.parse(readFileSync('functions/core/classify/model.json', 'utf8')) as LinearModel;

  it('knows every lexicon concept and has one weight per category and feature', () => {
    for (const concept of concepts()) expect(committed.features).toContain(concept.id);
    expect(committed.weights).toHaveLength(committed.categories.length);
    for (const row of committed.weights) expect(row).toHaveLength(committed.features.length);
    expect(committed.temperature).toBeGreaterThan(0);
  });

  it("can be rebuilt from the project's own examples alone", async () => {
    // Prepare
    const own = trainable(await readCorpus('test/fixtures/classify')).map((message) => ({
      id: message.label.file,
      category: message.label.category,
      features: message.features,
    }));

    // Act
    const rebuilt = buildModel(own);

    // Assess
    expect(rebuilt.features).toEqual(expect.arrayContaining(concepts().map((concept) => concept.id)));
    const right = own.filter((example) => {
      const probabilities = softmax(logits(rebuilt, example.features.values), rebuilt.temperature);
      return rebuilt.categories[probabilities.indexOf(Math.max(...probabilities))] === example.category;
    });
    expect(right.length / own.length).toBeGreaterThan(0.9);
  });

  it('starts from the lexicons: a prior model already pushes each concept toward its category', () => {
    const prior = priorModel(concepts());
    const row = prior.categories.indexOf('protocol_visit');
    const column = prior.features.indexOf('note_verbale');

    expect(prior.weights[row]?.[column]).toBeGreaterThan(1);
  });
});
