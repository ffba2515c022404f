#!/usr/bin/env node
// Runs a TypeScript script (eval, bench) through tsx: `node bin/run-ts.js path/to/script.ts args...`.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error('usage: run-ts.js SCRIPT.ts [ARGS...]');
  process.exit(2);
}
register();
process.argv = [process.argv[0] ?? 'node', resolve(script), ...args];
await import(pathToFileURL(resolve(script)).href);
