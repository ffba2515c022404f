// core (pure) --> classify: building the committed model from labelled features, and measuring it
// honestly with k-fold cross-validation (the temperature is fitted inside each training fold).
import type { Category } from '../types.js';
import { type FeatureSet, STRUCTURAL_CONCEPTS } from './features.js';
import { concepts } from './lexicon.js';
import {
  DEFAULT_TRAIN_OPTIONS,
  fitTemperature,
  type LinearModel,
  logits,
  priorModel,
  type TrainOptions,
  train,
  vocabularyOf,
} from './model.js';
import { DEFAULT_VOCABULARY, selectVocabulary, type VocabularyOptions, withTerms } from './terms.js';

export interface LabelledFeatures {
  id: string;
  category: Category;
  features: FeatureSet;
}

/** Folds used to fit the temperature inside a training set. */
const INNER_FOLDS = 5;

export interface BuildOptions {
  train: TrainOptions;
  vocabulary: VocabularyOptions;
}

export const DEFAULT_BUILD_OPTIONS: BuildOptions = {
  train: DEFAULT_TRAIN_OPTIONS,
  vocabulary: DEFAULT_VOCABULARY,
};

/** Trains on all examples and calibrates on their cross-validated predictions. */
export function buildModel(
  examples: LabelledFeatures[],
  options: BuildOptions = DEFAULT_BUILD_OPTIONS,
): LinearModel {
  const heldOut = outOfFoldScores(examples, INNER_FOLDS, options);
  return { ...fitWeights(examples, options), temperature: fitTemperature(heldOut) };
}

/**
 * Selects the learned vocabulary and trains the weights (temperature 1). Everything that depends
 * on the labels happens here, so a held-out fold never shapes the model that scores it.
 */
function fitWeights(examples: LabelledFeatures[], options: BuildOptions): LinearModel {
  const vocabulary = selectVocabulary(examples, options.vocabulary);
  const known = new Set(vocabulary);
  const prior = priorFor(examples, vocabulary);
  return train(
    prior,
    examples.map((example) => ({ values: withTerms(example.features, known), category: example.category })),
    options.train,
  );
}

/**
 * Deterministic stratified folds: examples sorted by category then id, dealt round-robin, so
 * each fold holds every category in proportion.
 */
export function assignFolds(examples: LabelledFeatures[], folds: number): Map<string, number> {
  const sorted = [...examples].sort(
    (a, b) => a.category.localeCompare(b.category) || a.id.localeCompare(b.id),
  );
  return new Map(sorted.map((example, position) => [example.id, position % folds]));
}

/**
 * Cross-validated models: for each fold, a model built (and calibrated) without it. `extra`
 * examples (the project's own) are always in training, never scored.
 */
export function crossValidatedModels(
  scored: LabelledFeatures[],
  extra: LabelledFeatures[],
  folds: number,
  options: BuildOptions = DEFAULT_BUILD_OPTIONS,
): { foldOf: Map<string, number>; models: LinearModel[] } {
  const foldOf = assignFolds(scored, folds);
  const models: LinearModel[] = [];
  for (let fold = 0; fold < folds; fold++) {
    const training = [...scored.filter((example) => foldOf.get(example.id) !== fold), ...extra];
    models.push(buildModel(training, options));
  }
  return { foldOf, models };
}

function priorFor(examples: LabelledFeatures[], vocabulary: string[]): LinearModel {
  const known = new Set([...concepts(), ...STRUCTURAL_CONCEPTS].map((concept) => concept.id));
  const extra = new Set<string>();
  for (const example of examples) {
    for (const feature of example.features.values.keys()) if (!known.has(feature)) extra.add(feature);
  }
  return priorModel([...concepts(), ...STRUCTURAL_CONCEPTS], [...[...extra].sort(), ...vocabulary]);
}

function outOfFoldScores(
  examples: LabelledFeatures[],
  folds: number,
  options: BuildOptions,
): Array<{ scores: number[]; target: number }> {
  if (examples.length < folds * 2) return [];
  const foldOf = assignFolds(examples, folds);
  const heldOut: Array<{ scores: number[]; target: number }> = [];
  for (let fold = 0; fold < folds; fold++) {
    const model = fitWeights(
      examples.filter((example) => foldOf.get(example.id) !== fold),
      options,
    );
    const vocabulary = vocabularyOf(model);
    for (const example of examples.filter((candidate) => foldOf.get(candidate.id) === fold)) {
      heldOut.push({
        scores: logits(model, withTerms(example.features, vocabulary)),
        target: model.categories.indexOf(example.category),
      });
    }
  }
  return heldOut;
}
