// `cdk synth` / `cdk deploy` --> (app) --> validated configuration, the stack, and the cdk-nag gate.
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../functions/config/schema.js';
import { type MailrouteConfig, parseMailrouteConfig } from './config.js';
import { MailrouteStack } from './mailroute-stack.js';
import { applyNagChecks } from './nag.js';

/** The CloudFormation stack name ops see in the console and pass to `cdk deploy`. */
const STACK_NAME = 'Mailroute';

const app = new App();
let config: MailrouteConfig;
try {
  config = parseMailrouteConfig(app.node.tryGetContext('mailroute'));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // A stack trace would bury the one line the operator needs: which key is wrong.
  console.error(error.message);
  process.exit(1);
}

new MailrouteStack(app, STACK_NAME, {
  config,
  // Without credentials the account stays unresolved; synth still works offline.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: config.deploy.region },
});
applyNagChecks(app);
