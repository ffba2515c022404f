// core (pure) --> classify: InboundMail -> { category, calibrated confidence, reasons }. Step 6 of
// DESIGN.md. The threshold is not applied here: decide.ts sends low confidence to triage.
import { readShippedTable } from '../shipped-table.js';
import type { Category, Classification, InboundMail } from '../types.js';
import { COMPILED_LEXICON, extractFeatures, type FeatureSet, STRUCTURAL_CONCEPTS } from './features.js';
import { featureIndex, type LinearModel, logits, softmax, vocabularyOf } from './model.js';
import { describeTerm, isTermFeature, withTerms } from './terms.js';

export { extractFeatures } from './features.js';

/** The model `npm run train` wrote, read as data from its file, not bundled as code (shipped-table.ts). */
const MODEL = readShippedTable(
  new URL('./model.json', import.meta.url),
  "the classifier's model",
  'npm run train',
) as LinearModel;
const CONCEPTS = [...COMPILED_LEXICON.concepts, ...STRUCTURAL_CONCEPTS];
const PRIORS = new Map(CONCEPTS.map((concept) => [concept.id, concept.priors]));
/** Enough evidence for staff to see why; more is noise in a header. */
const MAX_REASONS = 6;

export interface ClassifyContext {
  /** The functional address the message was sent to: a prior, not a rule. */
  functionalAddress: string;
}

export function classify(
  mail: InboundMail,
  context: ClassifyContext,
  model: LinearModel = MODEL,
): Classification {
  return classifyFeatures(extractFeatures(mail, context), model);
}

/** Scores already extracted features; the evaluation uses it to score once per fold. */
export function classifyFeatures(features: FeatureSet, model: LinearModel = MODEL): Classification {
  const values = withTerms(features, vocabularyOf(model));
  const probabilities = softmax(logits(model, values, CONCEPTS), model.temperature);
  let best = 0;
  probabilities.forEach((probability, index) => {
    if (probability > (probabilities[best] ?? 0)) best = index;
  });
  const category = model.categories[best] as Category;
  const confidence = Math.round((probabilities[best] ?? 0) * 1000) / 1000;
  return { category, confidence, reasons: reasonsFor(category, values, features.evidence, model) };
}

/** The evidence that pushed toward the chosen category, strongest first. */
function reasonsFor(
  category: Category,
  values: Map<string, number>,
  evidence: Map<string, string>,
  model: LinearModel,
): string[] {
  const row = model.categories.indexOf(category);
  const index = featureIndex(model);
  const contributions = [...values]
    .map(([feature, value]) => {
      const column = index.get(feature);
      const weight =
        column !== undefined ? (model.weights[row]?.[column] ?? 0) : (PRIORS.get(feature)?.[category] ?? 0);
      return { feature, contribution: weight * value };
    })
    .filter(({ contribution }) => contribution > 0.05)
    .sort((a, b) => b.contribution - a.contribution || a.feature.localeCompare(b.feature));
  const reasons = contributions
    .slice(0, MAX_REASONS)
    .map(
      ({ feature }) => evidence.get(feature) ?? (isTermFeature(feature) ? describeTerm(feature) : feature),
    );
  return reasons.length > 0 ? reasons : ['no decisive evidence'];
}
