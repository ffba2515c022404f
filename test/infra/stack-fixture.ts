// test/infra --> (stack fixture) --> the stack as `cdk synth` builds it, minus bundling, for fast assertions.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseMailrouteConfig } from '../../infra/config.js';
import { MailrouteStack } from '../../infra/mailroute-stack.js';
import { applyNagChecks } from '../../infra/nag.js';
import { REPO_ROOT } from '../../infra/paths.js';

/** The context of cdk.json (feature flags, telemetry off): tests see what the CLI sees. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

export interface FixtureOptions {
  /** The `mailroute` context value. */
  config?: unknown;
  withReconcile?: boolean;
  reconcileEntry?: string;
  /** Register the cdk-nag plugin (then synth fails on findings). */
  nag?: boolean;
  /** Bundle the Lambda code for real (slow). */
  bundle?: boolean;
  outdir?: string;
}

/** A fresh app: built-in template validation off, and no bundling unless asked (see LOCAL-STACK-NOTES). */
export function newTestApp(options: Pick<FixtureOptions, 'bundle' | 'outdir'> = {}): App {
  return new App({
    builtinCloudFormationValidation: false,
    ...(options.outdir ? { outdir: options.outdir } : {}),
    context: { ...cdkJsonContext(), ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
}

export function buildStack(options: FixtureOptions = {}): { app: App; stack: MailrouteStack } {
  const app = newTestApp(options);
  const config = parseMailrouteConfig(options.config ?? {});
  const stack = new MailrouteStack(app, 'Mailroute', {
    config,
    env: { region: config.deploy.region },
    ...(options.withReconcile === undefined ? {} : { withReconcile: options.withReconcile }),
    ...(options.reconcileEntry ? { reconcileEntry: options.reconcileEntry } : {}),
  });
  if (options.nag) applyNagChecks(app);
  return { app, stack };
}

const templates = new Map<string, Template>();

/** The template for these options; built once per test file (a Template is read-only). */
export function templateOf(options: FixtureOptions = {}): Template {
  const key = JSON.stringify(options);
  let template = templates.get(key);
  if (!template) {
    template = Template.fromStack(buildStack(options).stack);
    templates.set(key, template);
  }
  return template;
}
