// core (pure) --> classify: a small multinomial logistic regression over named features, its
// training (deterministic full-batch gradient descent, L2 pulled toward the lexicons' prior
// weights) and its calibration (one temperature).
import { CATEGORIES, type Category } from '../types.js';
import type { Concept } from './lexicon.js';

export interface LinearModel {
  categories: Category[];
  features: string[];
  /** weights[category][feature], in the order of `categories` and `features`. */
  weights: number[][];
  bias: number[];
  /** Logits are divided by this before the softmax; fitted on cross-validated predictions. */
  temperature: number;
}

export interface Example {
  values: Map<string, number>;
  category: Category;
}

export interface TrainOptions {
  /** Strength of the pull toward the prior weights; larger keeps the model closer to the lexicons. */
  l2: number;
  iterations: number;
  learningRate: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = { l2: 0.05, iterations: 1500, learningRate: 0.5 };

/** Prior weights from the lexicons: the model a reviewer wrote, before any data. */
export function priorModel(concepts: Concept[], extraFeatures: string[] = []): LinearModel {
  const categories = [...CATEGORIES];
  const features = [...concepts.map((concept) => concept.id), ...extraFeatures];
  const weights = categories.map((category) =>
    features.map((feature) => concepts.find((concept) => concept.id === feature)?.priors[category] ?? 0),
  );
  return { categories, features, weights, bias: categories.map(() => 0), temperature: 1 };
}

/** Raw scores per category; features the model does not know fall back to the lexicons' priors. */
export function logits(model: LinearModel, values: Map<string, number>, fallback: Concept[] = []): number[] {
  const index = new Map(model.features.map((feature, position) => [feature, position]));
  return model.categories.map((category, row) => {
    let sum = model.bias[row] ?? 0;
    for (const [feature, value] of values) {
      const column = index.get(feature);
      if (column !== undefined) sum += (model.weights[row]?.[column] ?? 0) * value;
      else sum += (fallback.find((concept) => concept.id === feature)?.priors[category] ?? 0) * value;
    }
    return sum;
  });
}

export function softmax(scores: number[], temperature = 1): number[] {
  const scaled = scores.map((score) => score / temperature);
  const top = Math.max(...scaled);
  const exps = scaled.map((score) => Math.exp(score - top));
  const total = exps.reduce((sum, value) => sum + value, 0);
  return exps.map((value) => value / total);
}

/** Fits weights and biases; deterministic for the same examples in the same order. */
export function train(
  prior: LinearModel,
  examples: Example[],
  options: TrainOptions = DEFAULT_TRAIN_OPTIONS,
) {
  const { categories, features } = prior;
  const featureIndex = new Map(features.map((feature, position) => [feature, position]));
  const rows = examples.map((example) => ({
    entries: [...example.values]
      .map(([feature, value]) => [featureIndex.get(feature), value] as const)
      .filter((entry): entry is readonly [number, number] => entry[0] !== undefined),
    target: categories.indexOf(example.category),
  }));
  const weights = prior.weights.map((row) => [...row]);
  const bias = [...prior.bias];
  const count = Math.max(1, rows.length);
  for (let iteration = 0; iteration < options.iterations; iteration++) {
    const gradW = categories.map(() => features.map(() => 0));
    const gradB = categories.map(() => 0);
    for (const row of rows) {
      const scores = categories.map((_, c) =>
        row.entries.reduce((sum, [f, value]) => sum + weights[c]![f]! * value, bias[c]!),
      );
      const probabilities = softmax(scores);
      probabilities.forEach((probability, c) => {
        const error = probability - (c === row.target ? 1 : 0);
        gradB[c]! += error;
        for (const [f, value] of row.entries) gradW[c]![f]! += error * value;
      });
    }
    for (let c = 0; c < categories.length; c++) {
      bias[c]! -= (options.learningRate * gradB[c]!) / count;
      for (let f = 0; f < features.length; f++) {
        const pull = options.l2 * (weights[c]![f]! - prior.weights[c]![f]!);
        weights[c]![f]! -= options.learningRate * (gradW[c]![f]! / count + pull);
      }
    }
  }
  const round = (value: number) => Math.round(value * 1e4) / 1e4;
  return {
    categories,
    features,
    weights: weights.map((row) => row.map(round)),
    bias: bias.map(round),
    temperature: 1,
  } satisfies LinearModel;
}

/**
 * Share of held-out predictions assumed wrong on mail unlike the training set. Without it, a
 * training set the model separates perfectly drives the temperature to zero and every
 * confidence to 1, and the threshold stops meaning anything.
 */
export const CALIBRATION_SMOOTHING = 0.03;

/**
 * The temperature that minimises the smoothed log loss of held-out predictions (grid search:
 * deterministic).
 */
export function fitTemperature(
  heldOut: Array<{ scores: number[]; target: number }>,
  smoothing: number = CALIBRATION_SMOOTHING,
): number {
  if (heldOut.length === 0) return 1;
  let best = 1;
  let bestLoss = Number.POSITIVE_INFINITY;
  for (let step = 0; step <= 74; step++) {
    const temperature = 0.3 + step * 0.05;
    const loss = heldOut.reduce((sum, { scores, target }) => {
      const probabilities = softmax(scores, temperature);
      const others = smoothing / Math.max(1, probabilities.length - 1);
      return (
        sum -
        probabilities.reduce(
          (inner, probability, index) =>
            inner + (index === target ? 1 - smoothing : others) * Math.log(Math.max(probability, 1e-12)),
          0,
        )
      );
    }, 0);
    if (loss < bestLoss) {
      bestLoss = loss;
      best = Math.round(temperature * 100) / 100;
    }
  }
  return best;
}
