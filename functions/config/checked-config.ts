// configuration --> (checked JSON): the file synth writes beside each Lambda's bundle, and how a Lambda
// reads it. Synth validates the configuration with the one zod schema (schema.ts, checkedRouterConfigJson)
// and writes the result with the schema's fingerprint; a Lambda checks only that envelope and the top-level
// shape, so its init never loads zod, and a bundle meeting a configuration checked against another version
// of the schema fails on its first message with a message that says so.
import { readFileSync } from 'node:fs';
import { ConfigError } from './router-config.js';
import type { RouterConfig } from './schema.js';

export const CHECKED_CONFIG_FORMAT = 'mailroute-router-config';

/**
 * The first 16 hex digits of the sha256 of the router schema's JSON Schema (routerSchemaFingerprint in
 * schema.ts). Compiled into every bundle; synth refuses to write a configuration while this differs from
 * the schema, and test/unit/config.test.ts says the value to set after a schema change.
 */
export const ROUTER_SCHEMA_FINGERPRINT = '107c76966795ad77';

/** What the file holds: the configuration exactly as the schema returned it, and what checked it. */
export interface CheckedConfigFile {
  format: typeof CHECKED_CONFIG_FORMAT;
  schema: string;
  config: RouterConfig;
}

type JsonKind = 'object' | 'array' | 'string' | 'number';

/** The top-level keys and their JSON kinds; the type keeps the list equal to RouterConfig's keys. */
const TOP_LEVEL_SHAPE: Record<keyof RouterConfig, JsonKind> = {
  functionalAddresses: 'array',
  categories: 'object',
  routerSender: 'string',
  confidenceThreshold: 'number',
  loopProtection: 'object',
  rateLimit: 'object',
  limits: 'object',
  acknowledgement: 'object',
  reconcile: 'object',
};

/** The file's text for a configuration the schema already returned (see checkedRouterConfigJson). */
export function checkedConfigText(config: RouterConfig): string {
  const file: CheckedConfigFile = {
    format: CHECKED_CONFIG_FORMAT,
    schema: ROUTER_SCHEMA_FINGERPRINT,
    config,
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/**
 * Reads a file written by synth: no validation beyond the envelope and the top-level shape, because synth
 * validated it. Throws ConfigError naming the file and what is wrong with it.
 */
export function readCheckedRouterConfig(path: string): RouterConfig {
  return checkedRouterConfig(readConfigJson(path), `configuration file ${path}`);
}

/** A configuration file's JSON; ConfigError names the file when it cannot be read or is not JSON. */
export function readConfigJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read configuration file ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`configuration file ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/** The configuration inside a parsed checked file, after the envelope and shape checks. */
export function checkedRouterConfig(json: unknown, source: string): RouterConfig {
  if (!isObject(json) || json.format !== CHECKED_CONFIG_FORMAT) {
    throw new ConfigError(
      `${source} is not a configuration checked at synth (no "format": "${CHECKED_CONFIG_FORMAT}")`,
    );
  }
  if (json.schema !== ROUTER_SCHEMA_FINGERPRINT) {
    throw new ConfigError(
      `${source} was checked against router schema ${String(json.schema)}, but this bundle reads schema ${ROUTER_SCHEMA_FINGERPRINT}: deploy the bundle and its configuration from one synth`,
    );
  }
  const config = json.config;
  if (!isObject(config)) throw new ConfigError(`${source}: "config" is not an object`);
  const problems = Object.entries(TOP_LEVEL_SHAPE)
    .filter(([key, kind]) => kindOf(config[key]) !== kind)
    .map(
      ([key, kind]) => `${key} is not ${kind === 'array' || kind === 'object' ? `an ${kind}` : `a ${kind}`}`,
    );
  if (problems.length > 0) throw new ConfigError(`${source}: ${problems.join('; ')}`);
  return config as unknown as RouterConfig;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value;
}
