// configuration --> read from a JSON file (the Lambda's bundled file, or a local override file).
import { readFileSync } from 'node:fs';
import { ConfigError, parseRouterConfig, type RouterConfig } from './schema.js';

/** Reads and validates a JSON configuration file; without a path, the defaults. */
export function loadRouterConfigFile(path?: string): RouterConfig {
  if (!path) return parseRouterConfig({});
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read configuration file ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`configuration file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseRouterConfig(json, `configuration file ${path}`);
}
