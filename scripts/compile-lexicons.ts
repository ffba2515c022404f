// scripts --> `npm run lexicons`: compiles functions/core/classify/lexicons/*.json into the tables the
// classifier loads (functions/core/classify/lexicons.compiled.json), and the automated-mail phrases
// (functions/core/automated-phrases.ts) into the keys and patterns the detector looks up
// (functions/core/automated-phrases.compiled.json), so that no Lambda compiles them when it starts. Run after
// editing a lexicon or a phrase table; `npm run train` and `npm run eval` run it first. Deterministic: same
// sources, same files. Synth and test/unit/classify-compiled.test.ts fail while a file is stale.
import { writeFileSync } from 'node:fs';
import * as phraseTables from '../functions/core/automated-phrases.js';
import {
  COMPILED_AUTOMATED_PHRASES_FILE,
  compileAutomatedPhrases,
} from '../functions/core/automated-tables.js';
import { compileLexicon } from '../functions/core/classify/lexicon.js';
import { shippedTableJson } from '../functions/core/shipped-table.js';

export const COMPILED_LEXICON_FILE = 'functions/core/classify/lexicons.compiled.json';

const compiled = compileLexicon();
// ASCII, non-ASCII text escaped (shippedTableJson): read at every cold start.
writeFileSync(COMPILED_LEXICON_FILE, shippedTableJson(compiled, 2));
console.error(
  `${COMPILED_LEXICON_FILE}: ${compiled.kinds.length} patterns, ${compiled.concepts.length} concepts, fingerprint ${compiled.fingerprint}`,
);

const phrases = compileAutomatedPhrases(phraseTables);
writeFileSync(COMPILED_AUTOMATED_PHRASES_FILE, shippedTableJson(phrases));
console.error(
  `${COMPILED_AUTOMATED_PHRASES_FILE}: ${Object.values(phrases.openingsByFirstWord).flat().length} subject openings, ` +
    `${phrases.autoReplyBodies.reduce((sum, { phrases: list }) => sum + list.length, 0)} responder phrases`,
);
