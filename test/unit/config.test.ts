import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CHECKED_CONFIG_FORMAT,
  checkedConfigText,
  ROUTER_SCHEMA_FINGERPRINT,
  readCheckedRouterConfig,
} from '../../functions/config/checked-config.js';
import { loadRouterConfigFile } from '../../functions/config/load.js';
import {
  ConfigError,
  checkedRouterConfigJson,
  DEFAULT_ROUTER_CONFIG,
  parseRouterConfig,
  type RouterConfig,
  routerSchemaFingerprint,
} from '../../functions/config/schema.js';

describe('parseRouterConfig', () => {
  it('gives the documented defaults: three functional addresses, four tags, a sender and a threshold', () => {
    const config = parseRouterConfig({});

    expect(config.functionalAddresses.map((entry) => entry.address)).toEqual([
      'EUinternational@stockholm.se',
      'kommunstyrelsen@stockholm.se',
      'protocol@stockholm.se',
    ]);
    expect(config.categories.invitation.tag).toBe('[Inbjudan]');
    expect(config.categories.protocol_visit.tag).toBe('[Protokollärt besök]');
    expect(config.categories.eu_matter.tag).toBe('[EU]');
    expect(config.categories.other.tag).toBe('[Triage]');
    expect(config.routerSender).toBe(DEFAULT_ROUTER_CONFIG.routerSender);
  });

  it('layers overrides over the defaults, objects key by key and arrays whole', () => {
    const config = parseRouterConfig({
      confidenceThreshold: 0.8,
      categories: { eu_matter: { group: ['eu-team@stockholm.se'] } },
    });

    expect(config.confidenceThreshold).toBe(0.8);
    // The one threshold given replaces the defaults' per-category ones.
    expect(config.categories.eu_matter).toEqual({ group: ['eu-team@stockholm.se'], tag: '[EU]' });
    expect(config.categories.invitation.group).toEqual(['internationella-beredningen@stockholm.se']);
  });

  it.each([
    [{ confidenceThreshold: 2 }, 'confidenceThreshold'],
    [{ routerSender: 'not an address' }, 'routerSender'],
    [{ categories: { invitation: { group: [] } } }, 'categories.invitation.group'],
    [{ categories: { eu_matter: { tag: 'two\nlines' } } }, 'categories.eu_matter.tag'],
    [
      { categories: { protocol_visit: { confidenceThreshold: -0.1 } } },
      'categories.protocol_visit.confidenceThreshold',
    ],
    [{ functionalAddresses: [{ address: 'a@stockholm.se' }] }, 'functionalAddresses.0.triageGroup'],
    [{ unknownKey: true }, '(root)'],
    [
      {
        functionalAddresses: [
          { address: 'a@stockholm.se', triageGroup: ['t@stockholm.se'] },
          { address: 'A@stockholm.se', triageGroup: ['t@stockholm.se'] },
        ],
      },
      'functionalAddresses.1.address',
    ],
  ])('rejects %j naming the key %s', (overrides, key) => {
    expect(() => parseRouterConfig(overrides)).toThrow(ConfigError);
    expect(() => parseRouterConfig(overrides)).toThrow(key);
  });

  it('rejects a configuration that is not an object', () => {
    expect(() => parseRouterConfig([1, 2])).toThrow('must be a JSON object');
  });
});

describe('loadRouterConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailroute-config-'));

  it('reads a JSON override file', () => {
    const path = join(dir, 'ok.json');
    writeFileSync(path, JSON.stringify({ confidenceThreshold: 0.7 }));

    expect(loadRouterConfigFile(path).confidenceThreshold).toBe(0.7);
  });

  it('names the file when it is missing or not JSON', () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ nope');

    expect(() => loadRouterConfigFile(join(dir, 'missing.json'))).toThrow(
      /cannot read configuration file .*missing\.json/,
    );
    expect(() => loadRouterConfigFile(broken)).toThrow(/broken\.json is not valid JSON/);
  });
});

describe('the checked configuration (written at synth, read by the Lambdas without zod)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailroute-checked-'));
  const write = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  it('carries the fingerprint of the schema as it is now', () => {
    // A schema change needs the new value in functions/config/checked-config.ts: bundles compare with it.
    expect(ROUTER_SCHEMA_FINGERPRINT, 'set ROUTER_SCHEMA_FINGERPRINT to this').toBe(
      routerSchemaFingerprint(),
    );
  });

  it('reads back exactly the configuration synth validated', () => {
    // Prepare
    const config = parseRouterConfig({ confidenceThreshold: 0.7, rateLimit: { perSenderPerHour: 5 } });
    const path = write('checked.json', checkedRouterConfigJson(config));

    // Act
    const read = readCheckedRouterConfig(path);

    // Assess
    expect(read).toEqual(config);
    expect(JSON.parse(checkedRouterConfigJson(config))).toMatchObject({
      format: CHECKED_CONFIG_FORMAT,
      schema: ROUTER_SCHEMA_FINGERPRINT,
    });
  });

  it('is written only for a configuration the schema accepts, naming the bad key', () => {
    const invalid = { ...DEFAULT_ROUTER_CONFIG, confidenceThreshold: 2 } as RouterConfig;

    expect(() => checkedRouterConfigJson(invalid)).toThrow(ConfigError);
    expect(() => checkedRouterConfigJson(invalid)).toThrow(/confidenceThreshold/);
  });

  it('refuses a file synth did not write: plain overrides, another schema, a missing part', () => {
    // Prepare
    const plain = write('plain.json', { confidenceThreshold: 0.7 });
    const otherSchema = write('other-schema.json', {
      format: CHECKED_CONFIG_FORMAT,
      schema: '0000000000000000',
      config: DEFAULT_ROUTER_CONFIG,
    });
    const { limits: _limits, ...withoutLimits } = DEFAULT_ROUTER_CONFIG;
    const incomplete = write(
      'incomplete.json',
      checkedConfigText({ ...withoutLimits, routerSender: 42 } as unknown as RouterConfig),
    );

    // Act + Assess
    expect(() => readCheckedRouterConfig(plain)).toThrow(
      /plain\.json is not a configuration checked at synth/,
    );
    expect(() => readCheckedRouterConfig(otherSchema)).toThrow(
      /checked against router schema 0000000000000000, but this bundle reads schema .*deploy the bundle and its configuration from one synth/,
    );
    expect(() => readCheckedRouterConfig(incomplete)).toThrow(
      /incomplete\.json: routerSender is not a string; limits is not an object/,
    );
    expect(() => readCheckedRouterConfig(join(dir, 'missing.json'))).toThrow(
      /cannot read configuration file/,
    );
    expect(() => readCheckedRouterConfig(write('broken.json', '{ nope'))).toThrow(/is not valid JSON/);
  });
});
