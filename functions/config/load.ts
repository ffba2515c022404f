// configuration --> read from a JSON file of overrides (the local stack's and the operator tools' file),
// validated with the schema. The Lambdas read the file synth checked instead (checked-config.ts).
import { readConfigJson } from './checked-config.js';
import { parseRouterConfig, type RouterConfig } from './schema.js';

/** Reads and validates a JSON configuration file; without a path, the defaults. */
export function loadRouterConfigFile(path?: string): RouterConfig {
  if (!path) return parseRouterConfig({});
  return parseRouterConfig(readConfigJson(path), `configuration file ${path}`);
}
