// infra --> (bundle a Lambda, split): `node bin/run-ts.js infra/bundle-lambda.ts ENTRY OUTDIR`, run by the CDK
// construct after NodejsFunction's own esbuild (infra/constructs/mailroute-function.ts): the same options
// (infra/bundling.ts), written as index.mjs and the chunks only some invocations import (LAMBDA_SPLIT), over
// the one file NodejsFunction wrote.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { bundleLambda } from './bundling.js';
import { REPO_ROOT } from './paths.js';

const [entry, outdir] = process.argv.slice(2);
if (!entry || !outdir) {
  console.error('usage: bundle-lambda.ts ENTRY OUTDIR');
  process.exit(2);
}
rmSync(join(outdir, 'chunks'), { recursive: true, force: true });
await bundleLambda(REPO_ROOT, entry, outdir);
