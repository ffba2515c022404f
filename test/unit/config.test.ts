import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRouterConfigFile } from '../../functions/config/load.js';
import { ConfigError, DEFAULT_ROUTER_CONFIG, parseRouterConfig } from '../../functions/config/schema.js';

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
    expect(config.categories.eu_matter).toEqual({ group: ['eu-team@stockholm.se'], tag: '[EU]' });
    expect(config.categories.invitation.group).toEqual(['internationella-beredningen@stockholm.se']);
  });

  it.each([
    [{ confidenceThreshold: 2 }, 'confidenceThreshold'],
    [{ routerSender: 'not an address' }, 'routerSender'],
    [{ categories: { invitation: { group: [] } } }, 'categories.invitation.group'],
    [{ categories: { eu_matter: { tag: 'two\nlines' } } }, 'categories.eu_matter.tag'],
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
