// scripts --> `npm run train`: rebuilds functions/core/classify/model.json from labelled messages:
// the dev corpus (../shared/corpus/dev, when present), the project's own examples
// (test/fixtures/classify) and the blind batches (corpus/blind/*), so a rebuild works without
// ../shared. `npm run train -- DIR...` adds further labelled folders (e.g. staff corrections).
// Deterministic: same input, same file.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { buildModel, type LabelledFeatures } from '../functions/core/classify/training.js';
import { shippedTableJson } from '../functions/core/shipped-table.js';
import {
  corpusExists,
  type LabelledMessage,
  readCorpus,
  trainable,
  trainingCorpora,
} from './classify-corpus.js';

const MODEL_FILE = 'functions/core/classify/model.json';

const sources = [...trainingCorpora(), ...process.argv.slice(2)].filter((dir) => {
  if (corpusExists(dir)) return true;
  console.error(`skipping ${dir}: no labels.jsonl`);
  return false;
});
if (sources.length === 0) {
  console.error('no labelled messages found');
  process.exit(2);
}

const examples: LabelledFeatures[] = [];
for (const dir of sources) {
  const messages: LabelledMessage[] = trainable(await readCorpus(dir));
  examples.push(
    ...messages.map((message) => ({
      id: `${dir}/${message.label.file}`,
      category: message.label.category,
      features: message.features,
    })),
  );
  console.error(`${dir}: ${messages.length} messages`);
}

const model = buildModel(examples);
// ASCII, non-ASCII terms escaped (shippedTableJson): read at every cold start.
writeFileSync(MODEL_FILE, shippedTableJson(model));
// The repository's formatter lays the file out for review (one feature a line, one row per category).
execFileSync(process.execPath, ['node_modules/@biomejs/biome/bin/biome', 'format', '--write', MODEL_FILE], {
  stdio: 'ignore',
});
console.error(`wrote ${MODEL_FILE}: ${model.features.length} features, temperature ${model.temperature}`);
