import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { readCheckedRouterConfig } from '../../functions/config/checked-config.js';
import { parseMailrouteConfig } from '../../infra/config.js';
import { CONFIG_FILE_NAME } from '../../infra/constructs/mailroute-function.js';
import {
  ICONV_TABLE_FILES,
  PDFJS_FILES,
  SHIPPED_TABLE_PATHS,
} from '../../infra/constructs/router-function.js';
import { REPO_ROOT } from '../../infra/paths.js';
import { pdf } from '../helpers/pdf.js';
import { buildStack } from './stack-fixture.js';

const run = promisify(execFile);

/**
 * Loads the bundle the way the Lambda runtime does (Node, ESM, LAMBDA_TASK_ROOT = the bundle folder) and
 * calls the handler with an empty batch and without the AWS environment. The handler reads its
 * configuration file first, so failing on the first missing variable proves the file was found and valid.
 */
async function invokeWithoutEnvironment(assetDir: string): Promise<string> {
  const script = `
    const { handler } = await import(${JSON.stringify(join(assetDir, 'index.mjs'))});
    try { await handler({ Records: [] }); console.log('resolved'); }
    catch (error) { console.log(error.message); }
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, LAMBDA_TASK_ROOT: assetDir, AWS_REGION: 'eu-west-1' },
    timeout: 20_000,
  });
  return stdout.trim().split('\n').at(-1) ?? '';
}

/** The message of the error importing the bundle in `assetDir` throws, as the Lambda runtime would meet it. */
async function importError(assetDir: string): Promise<string> {
  const script = `
    try { await import(${JSON.stringify(join(assetDir, 'index.mjs'))}); console.log('imported'); }
    catch (error) { console.log(error.message); }
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, LAMBDA_TASK_ROOT: assetDir, AWS_REGION: 'eu-west-1' },
    timeout: 20_000,
  });
  return stdout.trim().split('\n').at(-1) ?? '';
}

/**
 * Resolves pdf.js from the bundle folder the way the bundled code does (a bare import from
 * LAMBDA_TASK_ROOT, which is outside this repository's node_modules) and reads a PDF with it.
 */
async function extractPdfTextBeside(assetDir: string): Promise<string> {
  const script = `
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const data = new Uint8Array(Buffer.from(process.env.PDF_BASE64, 'base64'));
    const doc = await pdfjs.getDocument({ data, isEvalSupported: false, verbosity: 0 }).promise;
    const page = await doc.getPage(1);
    const content = await page.getTextContent();
    console.log(content.items.map((item) => item.str).join(' ').trim());
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: assetDir,
    env: {
      PATH: process.env.PATH,
      PDF_BASE64: Buffer.from(pdf(['Invitation to speak at the summit'])).toString('base64'),
    },
    timeout: 20_000,
  });
  return stdout.trim().split('\n').at(-1) ?? '';
}

/**
 * Resolves each file from index.mjs in the bundle folder, as the bundled iconv-lite stand-in requires its
 * tables (createRequire on the bundle's URL, in a process outside this repository), and returns the
 * resolved paths.
 */
async function resolveBeside(assetDir: string, files: string[]): Promise<string[]> {
  const script = `
    import { createRequire } from 'node:module';
    const require = createRequire(${JSON.stringify(join(assetDir, 'index.mjs'))});
    console.log(JSON.stringify(${JSON.stringify(files)}.map((file) => require.resolve(file))));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: assetDir,
    env: { PATH: process.env.PATH },
    timeout: 20_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '[]');
}

describe('the Lambda bundles (esbuild, for real)', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'mailroute-bundle-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('bundle as ESM with the validated configuration beside the handler, loadable by Node', async () => {
    // Prepare: a configuration with characters that would break naive shell quoting.
    const config = {
      routerSender: 'mailroute@stockholm.se',
      categories: { other: { tag: `[Triage "it's" $HOME \`x\`]` } },
    };
    const { app, stack } = buildStack({ config, withReconcile: true, bundle: true, outdir });

    // Act
    const assembly = app.synth();

    // Assess: each function's code asset holds the bundle and the configuration file.
    const template = assembly.getStackByName(stack.stackName).template as {
      Resources: Record<
        string,
        { Type: string; Properties: { Code?: { S3Key?: string }; Description?: string } }
      >;
    };
    const functions = Object.values(template.Resources).filter(
      (resource) => resource.Type === 'AWS::Lambda::Function' && resource.Properties.Code?.S3Key,
    );
    // router, reconcile, confirm
    expect(functions).toHaveLength(3);
    const expected = parseMailrouteConfig(config).router;
    const assetDirs = new Map<string, string>();
    const tableNames = SHIPPED_TABLE_PATHS.map((path) => basename(path));
    for (const fn of functions) {
      const assetDir = join(outdir, `asset.${fn.Properties.Code!.S3Key!.replace(/\.zip$/, '')}`);
      // The router reads the build-time tables (lexicons, model, automated-mail phrases) from beside its bundle.
      const router = fn.Properties.Description?.includes('classify') === true;
      expect(
        readdirSync(assetDir)
          .filter((name) => name !== 'node_modules')
          .sort(),
      ).toEqual(
        ['chunks', 'index.mjs', 'index.mjs.map', CONFIG_FILE_NAME, ...(router ? tableNames : [])].sort(),
      );
      // What only some invocations import is in chunks of its own (infra/bundling.ts, LAMBDA_SPLIT), each
      // with its map; the code that finds files beside its module by `import.meta.url` is not: in index.mjs,
      // that is the bundle's folder.
      const besideModule =
        /functions\/(core\/(classify\/features|classify\/index|automated)|lambda-shims\/iconv-lite-tables)\.ts$/;
      const chunks = readdirSync(join(assetDir, 'chunks'));
      expect(chunks.filter((name) => name.endsWith('.mjs')).length).toBeGreaterThan(0);
      for (const chunk of chunks.filter((name) => name.endsWith('.mjs'))) {
        expect(chunks).toContain(`${chunk}.map`);
        const chunkMap = JSON.parse(readFileSync(join(assetDir, 'chunks', `${chunk}.map`), 'utf8')) as {
          sources: string[];
        };
        expect(
          chunkMap.sources.filter((source) => besideModule.test(source)),
          chunk,
        ).toEqual([]);
      }
      // Checked at synth, read by the Lambda without zod (functions/config/checked-config.ts).
      expect(readCheckedRouterConfig(join(assetDir, CONFIG_FILE_NAME))).toEqual(expected);
      const code = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
      // Minified (long lines), with the require() shim for CommonJS dependencies, and mapped.
      expect(code.length / code.split('\n').length).toBeGreaterThan(1000);
      expect(code.startsWith('import{createRequire as __mrRequire}')).toBe(true);
      expect(code).toContain('//# sourceMappingURL=index.mjs.map');
      // The map names our files and lines, without their text: Node reads it whole at every cold start.
      const map = JSON.parse(readFileSync(join(assetDir, 'index.mjs.map'), 'utf8')) as {
        sources: string[];
        sourcesContent?: unknown[];
      };
      expect(map.sources.some((source) => source.includes('functions/'))).toBe(true);
      if (router) expect(map.sources.filter((source) => besideModule.test(source))).toHaveLength(4);
      expect(map.sourcesContent).toBeUndefined();
      assetDirs.set(fn.Properties.Description ?? '', assetDir);
    }

    const routerDir = [...assetDirs].find(([description]) => description.includes('forward'))![1];
    const reconcileDir = [...assetDirs].find(([description]) => description.includes('re-drive'))![1];
    // Its import read the tables beside it: the first thing that fails is the environment.
    expect(await invokeWithoutEnvironment(routerDir)).toBe(
      'environment variable ROUTING_TABLE_NAME is not set',
    );
    for (const path of SHIPPED_TABLE_PATHS) {
      expect(
        readFileSync(join(routerDir, basename(path))).equals(readFileSync(join(REPO_ROOT, path))),
        path,
      ).toBe(true);
    }
    // Without them the bundle does not start, and says which file is missing and where it comes from.
    const withoutTables = mkdtempSync(join(tmpdir(), 'mailroute-bundle-no-tables-'));
    try {
      for (const name of ['index.mjs', 'index.mjs.map', CONFIG_FILE_NAME])
        copyFileSync(join(routerDir, name), join(withoutTables, name));
      cpSync(join(routerDir, 'chunks'), join(withoutTables, 'chunks'), { recursive: true });
      // Whichever table the modules read first (the lexicons, since a calendar note is read with them).
      expect(await importError(withoutTables)).toMatch(
        /^the compiled (lexicons|automated-mail phrases) .*\.compiled\.json cannot be read \(ENOENT.*it ships beside the code \(infra\/constructs\/router-function\.ts, SHIPPED_TABLE_PATHS\)/,
      );
    } finally {
      rmSync(withoutTables, { recursive: true, force: true });
    }
    expect(await invokeWithoutEnvironment(reconcileDir)).toBe(
      'environment variable ROUTE_QUEUE_URL is not set',
    );
    expect(await extractPdfTextBeside(routerDir)).toBe('Invitation to speak at the summit');
    // iconv-lite's double-byte tables: shipped with the router, not in its bundle, found from index.mjs.
    expect(await resolveBeside(routerDir, ICONV_TABLE_FILES)).toEqual(
      ICONV_TABLE_FILES.map((file) => join(routerDir, 'node_modules', file)),
    );
    for (const file of ICONV_TABLE_FILES) {
      expect(
        readFileSync(join(routerDir, 'node_modules', file)).equals(
          readFileSync(join(REPO_ROOT, 'node_modules', file)),
        ),
        file,
      ).toBe(true);
    }
    expect(readdirSync(join(routerDir, 'node_modules')).sort()).toEqual(
      [...new Set([...PDFJS_FILES, ...ICONV_TABLE_FILES].map((file) => file.split('/')[0]))].sort(),
    );
    const routerCode = readFileSync(join(routerDir, 'index.mjs'), 'utf8');
    expect(routerCode).toContain('iconv-lite/encodings/tables/cp936.json');
    // The start of cp936.json's first row, as the ASCII bundle would spell it: not there.
    expect(routerCode).not.toMatch(/\["8140","\\u4e02\\u4e04/i);
    expect(existsSync(join(reconcileDir, 'node_modules'))).toBe(false);
  }, 120_000);
});
