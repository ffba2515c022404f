// infra configuration --> the `mailroute` context key: the router's schema (functions/config) plus what a deploy needs.
import { z } from 'zod';
import {
  ConfigError,
  describeConfigIssues,
  parseRouterConfig,
  type RouterConfig,
  routerConfigSchema,
} from '../functions/config/schema.js';

/**
 * Regions where SES receiving (receipt rules, inbound-smtp endpoint) is confirmed. SES sends in more
 * regions than it receives in; other regions are accepted with a synth-time warning, since AWS adds
 * receiving regions over time (check "Email receiving endpoints" in the SES endpoints table).
 */
export const CONFIRMED_SES_RECEIVING_REGIONS: readonly string[] = ['us-east-1', 'us-west-2', 'eu-west-1'];

const domainName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'must be a domain name like stockholm.se',
  );

/** The deploy-only keys. Every one has a default, so `{}` deploys the documented defaults. */
export const deploySettingsSchema = z.strictObject({
  /** AWS region to deploy into; it must be one where SES receives mail. */
  region: z
    .string()
    .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region name like eu-west-1')
    .default('eu-west-1'),
  /** The domain SES receives for; every functional address must be in it (or a subdomain). */
  mailDomain: domainName.default('stockholm.se'),
  /** Days a raw message (S3) and its routing record (DynamoDB TTL) are kept. */
  retentionDays: z.number().int().min(1).max(3650).default(365),
  /** Name of the SES receipt rule set (physical name: one active set per region). */
  ruleSetName: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}[A-Za-z0-9]$/,
      'must be 2-64 letters, digits, dots, dashes or underscores, starting and ending with a letter or digit',
    )
    .default('mailroute'),
  /** Make this rule set the active one (deactivating any other in the region). */
  activateRuleSet: z.boolean().default(false),
  /** `Optional` accepts mail from servers without TLS: an authority should not refuse an old server's mail. */
  tlsPolicy: z.enum(['Optional', 'Require']).default('Optional'),
  /**
   * SES identities already verified in this account and region. The stack creates an identity (Easy DKIM)
   * for the sender's domain and for the mail domain unless it is named here.
   */
  existingIdentities: z.array(z.string().trim().toLowerCase().min(3)).max(20).default([]),
  /** Where alarm notifications go; without it, ops subscribe to the alarm topic themselves. */
  alarmEmail: z
    .string()
    .trim()
    .regex(
      /^[^\s@<>()[\]",;:]+@[a-z0-9.-]+\.[a-z]{2,}$/i,
      'must be a plain e-mail address like ops@example.se',
    )
    .optional(),
  /** Router concurrency cap: bounds cost and SES send rate. */
  reservedConcurrency: z.number().int().min(2).max(100).default(5),
  /** Quarantined messages in one hour above which ops are alarmed. */
  quarantineAlarmPerHour: z.number().int().min(1).max(100_000).default(20),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
});

export type DeploySettings = z.infer<typeof deploySettingsSchema>;

/** The whole validated deploy configuration: what the stack builds, and what the Lambda gets as a file. */
export interface MailrouteConfig {
  deploy: DeploySettings;
  router: RouterConfig;
}

const DEPLOY_KEYS = new Set(Object.keys(deploySettingsSchema.shape));
const ROUTER_KEYS = new Set(Object.keys(routerConfigSchema.shape));

/**
 * Validates the `mailroute` context value: an object (cdk.json) or JSON text (`-c mailroute='{...}'`).
 * Router keys go through the router's own parser (defaults merged); deploy keys through
 * deploySettingsSchema. Throws ConfigError naming every bad key as `mailroute.<key>: problem`.
 */
export function parseMailrouteConfig(value: unknown): MailrouteConfig {
  const input = decodeContextValue(value);
  const deployInput: Record<string, unknown> = {};
  const routerInput: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, entry] of Object.entries(input)) {
    if (DEPLOY_KEYS.has(key)) deployInput[key] = entry;
    else if (ROUTER_KEYS.has(key)) routerInput[key] = entry;
    else problems.push(`mailroute.${key}: unknown key`);
  }

  const deploy = deploySettingsSchema.safeParse(deployInput);
  if (!deploy.success) problems.push(describeConfigIssues(deploy.error, 'mailroute'));

  let router: RouterConfig | undefined;
  try {
    router = parseRouterConfig(routerInput, 'mailroute');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // parseRouterConfig names keys relative to the router object; the operator knows them under `mailroute.`.
    problems.push(
      ...error.message
        .split('\n')
        .slice(1)
        .map((line) => `mailroute.${line}`),
    );
  }

  if (deploy.success && router) problems.push(...crossCheck(deploy.data, router));
  if (problems.length > 0 || !deploy.success || !router) {
    throw new ConfigError(`mailroute configuration is invalid:\n${problems.join('\n')}`);
  }
  return { deploy: deploy.data, router };
}

function decodeContextValue(value: unknown): Record<string, unknown> {
  let decoded = value ?? {};
  if (typeof decoded === 'string') {
    try {
      decoded = JSON.parse(decoded);
    } catch (error) {
      throw new ConfigError(`mailroute: is not valid JSON (${(error as Error).message})`);
    }
  }
  if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) {
    throw new ConfigError('mailroute: must be a JSON object');
  }
  return decoded as Record<string, unknown>;
}

/** Rules that span both halves: SES only receives for the mail domain. */
function crossCheck(deploy: DeploySettings, router: RouterConfig): string[] {
  const problems: string[] = [];
  router.functionalAddresses.forEach((entry, index) => {
    if (!isInDomain(domainOf(entry.address), deploy.mailDomain)) {
      problems.push(
        `mailroute.functionalAddresses.${index}.address: ${entry.address} is not in mailDomain ${deploy.mailDomain}`,
      );
    }
  });
  return problems;
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

function isInDomain(domain: string, parent: string): boolean {
  return domain === parent || domain.endsWith(`.${parent}`);
}

/** The SES identity names the router sends as; IAM allows exactly these. */
export function senderIdentityNames(config: MailrouteConfig): string[] {
  const sender = config.router.routerSender.toLowerCase();
  return [domainOf(sender), sender];
}

/** Domains the stack must create an SES identity for (not already verified in the account). */
export function identitiesToCreate(config: MailrouteConfig): string[] {
  const existing = new Set(config.deploy.existingIdentities);
  const wanted = new Set([domainOf(config.router.routerSender), config.deploy.mailDomain]);
  return [...wanted].filter((domain) => !existing.has(domain));
}
