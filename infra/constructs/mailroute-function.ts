// infra --> (mailroute function) --> a Lambda with the house defaults and the router configuration as a file.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { type CfnResource, type Duration, Lazy, Stage, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { checkedRouterConfigJson, type RouterConfig } from '../../functions/config/schema.js';
import { aliasArgs, LAMBDA_BUILD, LAMBDA_NODE_OPTIONS } from '../bundling.js';
import { REPO_ROOT } from '../paths.js';

/** The file name the handler looks for in LAMBDA_TASK_ROOT (see functions/route-mail/handler.ts). */
export const CONFIG_FILE_NAME = 'mailroute.config.json';

export interface MailrouteFunctionProps {
  /** Handler source (absolute, or relative to the repository root), exporting `handler`. */
  entry: string;
  description: string;
  /** The router configuration, validated again and bundled next to the handler as mailroute.config.json (checked JSON). */
  routerConfig: RouterConfig;
  memorySize: number;
  timeout: Duration;
  environment: Record<string, string>;
  logLevel: string;
  /** Days the function's logs are kept (rounded down to a value CloudWatch Logs offers). */
  logRetentionDays: number;
  reservedConcurrentExecutions?: number;
  /**
   * Files under node_modules shipped beside the bundle, for modules the code imports lazily by a
   * name esbuild does not follow (pdf.js loads its worker as a file of its own, so it cannot live
   * inside the bundle; iconv-lite's double-byte tables are read only for mail that needs them).
   * Paths relative to node_modules, e.g. `pdfjs-dist/package.json`.
   * @default none
   */
  sideLoadedModuleFiles?: string[];
  /**
   * Files of the repository (paths relative to its root) copied into the bundle's folder under their own
   * names: data the code reads as a file beside its module (in the bundle, beside index.mjs) instead of
   * carrying it as JavaScript, which V8 would compile at every cold start.
   * @default none
   */
  filesBesideBundle?: string[];
}

/**
 * A mailroute Lambda. Defaults, fixed here so every function gets them:
 * - nodejs22.x on arm64 (cheaper per GB-second; the AWS SDK needs Node 22 from 2027),
 * - bundled by the local esbuild (no Docker): ESM, minified, source maps enabled at run time,
 *   every dependency bundled (versions pinned by our lock file, not by the runtime),
 * - its own log group with retention, and its own role that may only write to that log group
 *   (no AWSLambdaBasicExecutionRole: it grants every log group in the account),
 * - Powertools environment: service `mailroute`, metrics namespace `Mailroute`, log level from config,
 * - the router configuration as a file, not environment variables (4 KB limit).
 */
export class MailrouteFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: MailrouteFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logRetentionFor(props.logRetentionDays) });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `mailroute: ${props.description}`,
    });
    this.logGroup.grantWrite(this.role);

    const configFile = this.stageConfigFile(props.routerConfig);
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: resolve(REPO_ROOT, props.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'mailroute',
        POWERTOOLS_METRICS_NAMESPACE: 'Mailroute',
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        NODE_OPTIONS: LAMBDA_NODE_OPTIONS,
        ...props.environment,
      },
      bundling: {
        // The esbuild options the cold-start bench measures (infra/bundling.ts), in NodejsFunction's words.
        format: nodejs.OutputFormat.ESM,
        target: LAMBDA_BUILD.target,
        minify: LAMBDA_BUILD.minify,
        sourceMap: LAMBDA_BUILD.sourcemap,
        sourcesContent: LAMBDA_BUILD.sourcesContent,
        // NodejsFunction's Charset values are esbuild's own names ('ascii', 'utf8').
        charset: LAMBDA_BUILD.charset as nodejs.Charset,
        mainFields: [...LAMBDA_BUILD.mainFields],
        externalModules: [],
        banner: LAMBDA_BUILD.banner.js,
        esbuildArgs: aliasArgs(),
        forceDockerBundling: false,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // The JSON never passes through the shell: only quoted paths do.
          afterBundling: (_inputDir: string, outputDir: string) => [
            // NodejsFunction writes one file (--outfile), which esbuild cannot split: the same build again,
            // as index.mjs and the chunks only some invocations import (infra/bundling.ts, LAMBDA_SPLIT).
            splitBundleCommand(resolve(REPO_ROOT, props.entry), outputDir),
            `cp ${shellQuote(configFile)} ${shellQuote(join(outputDir, CONFIG_FILE_NAME))}`,
            ...sideLoadCommands(props.sideLoadedModuleFiles ?? [], outputDir),
            ...besideBundleCommands(props.filesBesideBundle ?? [], outputDir),
          ],
        },
      },
    });
    dependOnRolePolicyOnly(this.function, this.role);
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is the project runtime: the code is developed and tested on Node 20/22, and the AWS SDK needs 22 from 2027; move to 24 with the test toolchain.',
    });
  }

  /**
   * Writes the configuration, validated and fingerprinted (checked-config.ts), into the cloud assembly
   * folder, named by its content hash: the Lambda reads it without zod.
   */
  private stageConfigFile(config: RouterConfig): string {
    const json = checkedRouterConfigJson(config);
    const hash = createHash('sha256').update(json).digest('hex').slice(0, 16);
    const outdir = Stage.of(this)?.outdir ?? 'cdk.out';
    const dir = join(outdir, 'mailroute-config');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${hash}.json`);
    writeFileSync(file, json);
    return file;
  }
}

/**
 * Lambda makes a function depend on its whole role construct: the role, which the function's `Role`
 * (a GetAtt of its ARN) already waits for (cfn-lint W3005), and the role's policy, which nothing
 * references and which must exist before the function first runs. Keep the policy only.
 */
export function dependOnRolePolicyOnly(fn: lambda.Function, role: iam.Role): void {
  const policyLogicalIds = () => {
    const policy = role.node.tryFindChild('DefaultPolicy')?.node.defaultChild as CfnResource | undefined;
    return policy ? [policy.logicalId] : [];
  };
  (fn.node.defaultChild as CfnResource).addOverride(
    'DependsOn',
    Lazy.list({ produce: policyLogicalIds }, { omitEmpty: true }),
  );
}

/** The command that bundles `entry` into `outputDir` as index.mjs and its chunks (infra/bundle-lambda.ts). */
export function splitBundleCommand(entry: string, outputDir: string): string {
  const runTs = join(REPO_ROOT, 'bin', 'run-ts.js');
  const script = join(REPO_ROOT, 'infra', 'bundle-lambda.ts');
  return [process.execPath, runTs, script, entry, outputDir].map(shellQuote).join(' ');
}

/** Copies node_modules files into the bundle folder, keeping their layout so Node resolves them. */
export function sideLoadCommands(files: string[], outputDir: string): string[] {
  return files.map((file) => {
    const target = join(outputDir, 'node_modules', file);
    return `mkdir -p ${shellQuote(dirname(target))} && cp ${shellQuote(join(REPO_ROOT, 'node_modules', file))} ${shellQuote(target)}`;
  });
}

/** Copies repository files into the bundle folder, each under its own name. */
export function besideBundleCommands(files: string[], outputDir: string): string[] {
  return files.map(
    (file) => `cp ${shellQuote(resolve(REPO_ROOT, file))} ${shellQuote(join(outputDir, basename(file)))}`,
  );
}

/** POSIX shell single-quoting: safe for any path, including quotes and spaces. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const LOG_RETENTION_STEPS = Object.values(logs.RetentionDays)
  .filter((value): value is number => typeof value === 'number' && value !== logs.RetentionDays.INFINITE)
  .sort((a, b) => a - b);

/** The longest retention CloudWatch Logs offers that does not exceed `days` (at least one day). */
export function logRetentionFor(days: number): logs.RetentionDays {
  const fitting = LOG_RETENTION_STEPS.filter((step) => step <= days);
  return (fitting.at(-1) ?? logs.RetentionDays.ONE_DAY) as logs.RetentionDays;
}
