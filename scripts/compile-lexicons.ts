// scripts --> `npm run lexicons`: compiles functions/core/classify/lexicons/*.json into the tables the
// classifier loads (functions/core/classify/lexicons.compiled.json), so that no Lambda compiles them when
// it starts. Run after editing a lexicon; `npm run train` and `npm run eval` run it first. Deterministic:
// same lexicons, same file. Synth and test/unit/classify-compiled.test.ts fail while the file is stale.
import { writeFileSync } from 'node:fs';
import { compileLexicon } from '../functions/core/classify/lexicon.js';

export const COMPILED_LEXICON_FILE = 'functions/core/classify/lexicons.compiled.json';

const compiled = compileLexicon();
writeFileSync(COMPILED_LEXICON_FILE, `${JSON.stringify(compiled, null, 2)}\n`);
console.error(
  `${COMPILED_LEXICON_FILE}: ${compiled.kinds.length} patterns, ${compiled.concepts.length} concepts, fingerprint ${compiled.fingerprint}`,
);
