// configuration --> one validated object that the core, the handler, the local stack and infra all read.
import * as z from 'zod';

const emailAddress = z
  .string()
  .trim()
  .regex(
    /^[^\s@<>()[\]",;:]+@[a-z0-9.-]+\.[a-z]{2,}$/i,
    'must be a plain e-mail address like name@example.se',
  );

const groupAddresses = z.array(emailAddress).min(1, 'needs at least one group address').max(50);

const subjectTag = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[^\r\n\0]+$/, 'must be a single line');

const functionalAddressSchema = z.strictObject({
  /** The public address senders write to, e.g. EUinternational@stockholm.se. */
  address: emailAddress,
  /** Who gets `other` (and low-confidence) mail that arrived at this address. */
  triageGroup: groupAddresses,
});

const categoryRouteSchema = z.strictObject({
  group: groupAddresses,
  tag: subjectTag,
});

export const routerConfigSchema = z
  .strictObject({
    functionalAddresses: z.array(functionalAddressSchema).min(1).max(100),
    categories: z.strictObject({
      invitation: categoryRouteSchema,
      protocol_visit: categoryRouteSchema,
      eu_matter: categoryRouteSchema,
      /** `other` has no group of its own: it goes to the triage group of the address it came to. */
      other: z.strictObject({ tag: subjectTag }),
    }),
    /** The verified SES identity forwards are sent from. */
    routerSender: emailAddress,
    /** Below this confidence a message goes to triage. */
    confidenceThreshold: z.number().min(0).max(1),
    loopProtection: z.strictObject({
      /** More Received headers than this and the message is quarantined as a probable loop. */
      maxReceivedHeaders: z.number().int().min(5).max(200),
    }),
    /** Per-sender limit that turns floods into quarantine. */
    rateLimit: z.strictObject({
      perSenderPerHour: z.number().int().min(1).max(100_000),
    }),
    /** Budgets that keep one hostile or huge message from breaking the router (issue #5). */
    limits: z.strictObject({
      /**
       * Largest forward sent as is. SES v2 takes 40 MB including encoding; a larger forward goes out
       * as a notice with a time-limited link to the stored original.
       */
      maxForwardBytes: z
        .number()
        .int()
        .min(10 * 1024)
        .max(40 * 1024 * 1024),
      /** Parser time budget; over it the message goes to triage as an unread original. */
      parseTimeoutMs: z.number().int().min(1).max(600_000),
      /** How long the oversize notice's link to the stored original stays valid. */
      noticeLinkSeconds: z
        .number()
        .int()
        .min(60)
        .max(7 * 86_400),
    }),
    /** The sweep that re-drives stored messages without a final routing record. */
    reconcile: z.strictObject({
      /** A message younger than this may still be in flight: left alone. */
      graceMinutes: z.number().int().min(1).max(1440),
      /** Older stored messages are not looked at (they were reconciled by earlier runs). */
      lookbackHours: z
        .number()
        .int()
        .min(1)
        .max(24 * 90),
    }),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.functionalAddresses.forEach((entry, index) => {
      const key = entry.address.toLowerCase();
      if (seen.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['functionalAddresses', index, 'address'],
          message: `duplicate functional address ${entry.address}`,
        });
      }
      seen.add(key);
    });
  });

export type RouterConfig = z.infer<typeof routerConfigSchema>;
export type RouterConfigInput = z.input<typeof routerConfigSchema>;
export type FunctionalAddress = RouterConfig['functionalAddresses'][number];

export const DEFAULT_ROUTER_CONFIG: RouterConfig = {
  functionalAddresses: [
    { address: 'EUinternational@stockholm.se', triageGroup: ['triage-euinternational@stockholm.se'] },
    { address: 'kommunstyrelsen@stockholm.se', triageGroup: ['triage-kommunstyrelsen@stockholm.se'] },
    { address: 'protocol@stockholm.se', triageGroup: ['triage-protocol@stockholm.se'] },
  ],
  categories: {
    invitation: { group: ['internationella-beredningen@stockholm.se'], tag: '[Inbjudan]' },
    protocol_visit: { group: ['protokollsenheten@stockholm.se'], tag: '[Protokollärt besök]' },
    eu_matter: { group: ['internationella-enheten@stockholm.se'], tag: '[EU]' },
    other: { tag: '[Triage]' },
  },
  routerSender: 'mailroute@stockholm.se',
  confidenceThreshold: 0.5,
  loopProtection: { maxReceivedHeaders: 30 },
  rateLimit: { perSenderPerHour: 30 },
  limits: { maxForwardBytes: 40 * 1024 * 1024, parseTimeoutMs: 30_000, noticeLinkSeconds: 7 * 86_400 },
  reconcile: { graceMinutes: 30, lookbackHours: 72 },
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Formats zod issues as `key.path: problem` lines, so an operator sees which key is wrong. */
export function describeConfigIssues(error: z.ZodError, prefix = ''): string {
  return error.issues
    .map((issue) => {
      const key = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
      return `${key || '(root)'}: ${issue.message}`;
    })
    .join('\n');
}

/**
 * Validates a partial configuration layered over the defaults. Objects merge key by key; arrays
 * replace. Throws ConfigError naming every bad key.
 */
export function parseRouterConfig(overrides: unknown = {}, source = 'configuration'): RouterConfig {
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw new ConfigError(`${source}: must be a JSON object`);
  }
  const merged = deepMerge(DEFAULT_ROUTER_CONFIG, overrides as Record<string, unknown>);
  const result = routerConfigSchema.safeParse(merged);
  if (!result.success) {
    throw new ConfigError(`${source} is invalid:\n${describeConfigIssues(result.error)}`);
  }
  return result.data;
}

function deepMerge(base: unknown, override: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(override)) {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) {
      out[key] = key in base ? deepMerge(base[key], value) : value;
    }
    return out;
  }
  return override === undefined ? base : override;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The functional address entry a message was delivered to, matched case-insensitively. */
export function findFunctionalAddress(
  config: RouterConfig,
  recipient: string,
): FunctionalAddress | undefined {
  const wanted = recipient.trim().toLowerCase();
  return config.functionalAddresses.find((entry) => entry.address.toLowerCase() === wanted);
}
