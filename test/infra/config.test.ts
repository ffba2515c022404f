import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_ROUTER_CONFIG } from '../../functions/config/schema.js';
import { identitiesToCreate, parseMailrouteConfig, senderIdentityNames } from '../../infra/config.js';

/** The message of the ConfigError that parsing `value` throws. */
function errorFor(value: unknown): string {
  try {
    parseMailrouteConfig(value);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('parseMailrouteConfig', () => {
  it('gives the documented defaults for an empty object', () => {
    // Act
    const config = parseMailrouteConfig({});

    // Assess
    expect(config.deploy).toMatchObject({
      region: 'eu-west-1',
      mailDomain: 'stockholm.se',
      ruleSetName: 'mailroute',
      activateRuleSet: false,
      tlsPolicy: 'Optional',
    });
    expect(config.router).toEqual(DEFAULT_ROUTER_CONFIG);
  });

  it('treats an absent context value as the defaults', () => {
    expect(parseMailrouteConfig(undefined)).toEqual(parseMailrouteConfig({}));
  });

  it('accepts JSON text, as `-c mailroute=...` passes it', () => {
    // Act
    const config = parseMailrouteConfig(
      '{"region":"us-east-1","retentionDays":30,"confidenceThreshold":0.8}',
    );

    // Assess
    expect(config.deploy.region).toBe('us-east-1');
    expect(config.deploy.retentionDays).toBe(30);
    expect(config.router.confidenceThreshold).toBe(0.8);
  });

  it('layers router keys over the router defaults, as the handler does', () => {
    const config = parseMailrouteConfig({ rateLimit: { perSenderPerHour: 5 } });

    expect(config.router.rateLimit.perSenderPerHour).toBe(5);
    expect(config.router.categories).toEqual(DEFAULT_ROUTER_CONFIG.categories);
  });

  it.each([
    [{ region: 'Stockholm' }, 'mailroute.region: must be an AWS region name'],
    [{ mailDomain: 'not a domain' }, 'mailroute.mailDomain: must be a domain name'],
    [{ retentionDays: 0 }, 'mailroute.retentionDays:'],
    [{ retentionDays: 1.5 }, 'mailroute.retentionDays:'],
    [{ ruleSetName: 'has spaces' }, 'mailroute.ruleSetName:'],
    [{ activateRuleSet: 'yes' }, 'mailroute.activateRuleSet:'],
    [{ tlsPolicy: 'Sometimes' }, 'mailroute.tlsPolicy:'],
    [{ alarmEmail: 'ops at stockholm' }, 'mailroute.alarmEmail: must be a plain e-mail address'],
    [{ reservedConcurrency: 1 }, 'mailroute.reservedConcurrency:'],
    [{ existingIdentities: 'stockholm.se' }, 'mailroute.existingIdentities:'],
    [{ logLevel: 'LOUD' }, 'mailroute.logLevel:'],
    [{ quarantineAlarmPerHour: 0 }, 'mailroute.quarantineAlarmPerHour:'],
    [{ routerSender: 'nobody' }, 'mailroute.routerSender: must be a plain e-mail address'],
    [{ confidenceThreshold: 2 }, 'mailroute.confidenceThreshold:'],
    [{ functionalAddresses: [] }, 'mailroute.functionalAddresses:'],
    [
      { categories: { invitation: { group: [], tag: '[Inbjudan]' } } },
      'mailroute.categories.invitation.group: needs at least one group address',
    ],
    [{ colour: 'blue' }, 'mailroute.colour: unknown key'],
  ])('rejects %j and names the key', (input, expected) => {
    expect(errorFor(input)).toContain(expected);
  });

  it('names every bad key at once, deploy and router keys alike', () => {
    const message = errorFor({ region: 'x', confidenceThreshold: -1, colour: 'blue' });

    expect(message).toContain('mailroute.region:');
    expect(message).toContain('mailroute.confidenceThreshold:');
    expect(message).toContain('mailroute.colour:');
  });

  it('rejects a functional address outside the mail domain, naming the entry', () => {
    const message = errorFor({
      functionalAddresses: [
        { address: 'protocol@stockholm.se', triageGroup: ['t@stockholm.se'] },
        { address: 'info@example.com', triageGroup: ['t@stockholm.se'] },
      ],
    });

    expect(message).toContain(
      'mailroute.functionalAddresses.1.address: info@example.com is not in mailDomain',
    );
  });

  it('accepts functional addresses in a subdomain of the mail domain', () => {
    const config = parseMailrouteConfig({
      functionalAddresses: [{ address: 'protocol@in.stockholm.se', triageGroup: ['t@stockholm.se'] }],
    });

    expect(config.router.functionalAddresses).toHaveLength(1);
  });

  it.each([
    ['{not json', 'mailroute: is not valid JSON'],
    ['[1,2]', 'mailroute: must be a JSON object'],
    [42, 'mailroute: must be a JSON object'],
  ])('rejects the context value %j as a whole', (input, expected) => {
    expect(errorFor(input)).toContain(expected);
  });
});

describe('identitiesToCreate', () => {
  it('creates the sender domain identity when nothing exists yet', () => {
    expect(identitiesToCreate(parseMailrouteConfig({}))).toEqual(['stockholm.se']);
  });

  it('creates the mail domain too when it differs from the sender domain', () => {
    const config = parseMailrouteConfig({
      mailDomain: 'in.stockholm.se',
      functionalAddresses: [{ address: 'protocol@in.stockholm.se', triageGroup: ['t@stockholm.se'] }],
    });

    expect(identitiesToCreate(config)).toEqual(['stockholm.se', 'in.stockholm.se']);
  });

  it('creates nothing that config names as existing', () => {
    const config = parseMailrouteConfig({ existingIdentities: ['Stockholm.se'] });

    expect(identitiesToCreate(config)).toEqual([]);
  });
});

describe('senderIdentityNames', () => {
  it('names the sender domain and the sender address', () => {
    expect(senderIdentityNames(parseMailrouteConfig({ routerSender: 'Router@Stockholm.se' }))).toEqual([
      'stockholm.se',
      'router@stockholm.se',
    ]);
  });
});
