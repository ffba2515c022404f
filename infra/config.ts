// infra configuration --> the `mailroute` context key: the router's schema (functions/config) plus what a deploy needs.
import { z } from 'zod';
import {
  ConfigError,
  describeConfigIssues,
  parseRouterConfig,
  type RouterConfig,
  receivingAddressOf,
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
  /**
   * The domain SES receives for: its MX points at SES. A subdomain of the city's domain (the city's own
   * mail system keeps the public functional addresses and forwards them here, see `receivingAddress`),
   * never where a group, a triage address or the router's sender lives.
   */
  mailDomain: domainName.default('mailroute.stockholm.se'),
  /**
   * Custom MAIL FROM (envelope sender) domain of the router's sending identity, so SPF aligns with the
   * From domain and DMARC does not rest on DKIM alone. A subdomain of the sender's domain that receives
   * no mail (its MX points at SES's feedback endpoint).
   * @default mailroute-bounce.<the sender's domain>
   */
  mailFromDomain: domainName.optional(),
  /** Days a raw message (S3) and its routing record (DynamoDB TTL) are kept. */
  retentionDays: z.number().int().min(1).max(3650).default(365),
  /** Name of the SES receipt rule set (physical name: one active set per region), as SES allows it. */
  ruleSetName: z
    .string()
    .regex(
      /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62}[A-Za-z0-9])?$/,
      'must be 1-64 ASCII letters, digits, underscores or dashes, starting and ending with a letter or digit (SES rule set names allow no dots)',
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

/**
 * Rules that span both halves. SES receives for the mail domain only, and everything mailroute sends
 * must leave it: a forward to an address inside the receiving domain would come back to SES, which
 * has no rule for it and bounces it.
 */
function crossCheck(deploy: DeploySettings, router: RouterConfig): string[] {
  const problems: string[] = [];
  const receiving = deploy.mailDomain;
  router.functionalAddresses.forEach((entry, index) => {
    const field = entry.receivingAddress === undefined ? 'address' : 'receivingAddress';
    const address = receivingAddressOf(entry);
    if (!isInDomain(domainOf(address), receiving)) {
      problems.push(
        `mailroute.functionalAddresses.${index}.${field}: ${address} is not in mailDomain ${receiving}`,
      );
    }
  });
  for (const { key, address } of outgoingAddresses(router)) {
    if (isInDomain(domainOf(address), receiving)) {
      problems.push(
        `mailroute.${key}: ${address} is inside the receiving domain ${receiving} (mailDomain): mail to it would come back to SES and bounce`,
      );
    }
  }
  problems.push(...checkMailFromDomain(deploy, router));
  return problems;
}

/** Every address mailroute sends to or from, with the configuration key that names it. */
function outgoingAddresses(router: RouterConfig): { key: string; address: string }[] {
  const addresses = [{ key: 'routerSender', address: router.routerSender }];
  router.functionalAddresses.forEach((entry, index) => {
    entry.triageGroup.forEach((address, member) => {
      addresses.push({ key: `functionalAddresses.${index}.triageGroup.${member}`, address });
    });
  });
  for (const category of ['invitation', 'protocol_visit', 'eu_matter'] as const) {
    router.categories[category].group.forEach((address, member) => {
      addresses.push({ key: `categories.${category}.group.${member}`, address });
    });
  }
  return addresses;
}

/** SES takes a MAIL FROM domain that is a subdomain of the sending identity and receives no mail. */
function checkMailFromDomain(deploy: DeploySettings, router: RouterConfig): string[] {
  const mailFrom = mailFromDomainOf({ deploy, router });
  const senderDomain = domainOf(router.routerSender);
  const problems: string[] = [];
  if (!mailFrom.endsWith(`.${senderDomain}`)) {
    problems.push(
      `mailroute.mailFromDomain: ${mailFrom} must be a subdomain of the sender's domain ${senderDomain}`,
    );
  }
  if (isInDomain(mailFrom, deploy.mailDomain) || isInDomain(deploy.mailDomain, mailFrom)) {
    problems.push(
      `mailroute.mailFromDomain: ${mailFrom} must be apart from the receiving domain ${deploy.mailDomain} (a MAIL FROM domain receives no mail)`,
    );
  }
  return problems;
}

/** The custom MAIL FROM domain of the sending identity (see `mailFromDomain`). */
export function mailFromDomainOf(config: Pick<MailrouteConfig, 'deploy' | 'router'>): string {
  return config.deploy.mailFromDomain ?? `mailroute-bounce.${domainOf(config.router.routerSender)}`;
}

/**
 * The domains forwards may go to: those of every group and triage address, as written and in lower
 * case (IAM's StringLike is case-sensitive, and SES sees the addresses as configured).
 */
export function recipientDomains(router: RouterConfig): string[] {
  const domains = new Set<string>();
  for (const { key, address } of outgoingAddresses(router)) {
    if (key === 'routerSender') continue;
    const domain = address.slice(address.lastIndexOf('@') + 1);
    domains.add(domain);
    domains.add(domain.toLowerCase());
  }
  return [...domains].sort();
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
