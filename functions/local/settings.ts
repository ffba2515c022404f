// local stack --> where things live and listen, from the environment; and the configuration to route with.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadRouterConfigFile } from '../config/load.js';
import type { RouterConfig } from '../config/schema.js';

export interface LocalSettings {
  /** Everything local mode keeps: the routing table, stored mail, forwards sent without a stack. */
  dataDir: string;
  host: string;
  smtpPort: number;
  sesPort: number;
  dynamoPort: number;
  /** A JSON file of configuration overrides, validated over the defaults. */
  configPath: string | undefined;
}

export const DEFAULT_PORTS = { smtp: 2525, ses: 8005, dynamodb: 4567 } as const;
export const ROUTING_TABLE = 'mailroute-routing';
/** The folder-store bucket that plays the part of the SES receipt bucket. */
export const MAIL_BUCKET = 'mail';

export function localSettings(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LocalSettings {
  return {
    dataDir: resolve(cwd, env.MAILROUTE_DATA_DIR || '.mailroute'),
    host: env.MAILROUTE_HOST || '127.0.0.1',
    smtpPort: port(env, 'MAILROUTE_SMTP_PORT', DEFAULT_PORTS.smtp),
    sesPort: port(env, 'MAILROUTE_SES_PORT', DEFAULT_PORTS.ses),
    dynamoPort: port(env, 'MAILROUTE_DYNAMODB_PORT', DEFAULT_PORTS.dynamodb),
    configPath: env.MAILROUTE_CONFIG ? resolve(cwd, env.MAILROUTE_CONFIG) : undefined,
  };
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) {
    throw new Error(`${name}=${value} is not a port number (0 picks a free one)`);
  }
  return parsed;
}

export function localConfig(settings: LocalSettings): RouterConfig {
  return loadRouterConfigFile(settings.configPath);
}

export const dataPaths = (dataDir: string) => ({
  dynamodb: join(dataDir, 'dynamodb'),
  stackInfo: join(dataDir, 'stack.json'),
  loopSecret: join(dataDir, 'loop-secret'),
  sent: join(dataDir, 'sent'),
});

/**
 * The loop-marker key, made once per data folder and kept, so a forward that comes back into the
 * local stack is still recognised after a restart.
 */
export async function localLoopSecret(dataDir: string): Promise<string> {
  const path = dataPaths(dataDir).loopSecret;
  try {
    const existing = (await readFile(path, 'utf8')).trim();
    if (existing.length >= 16) return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  await writeFile(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}
