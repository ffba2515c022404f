import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_ROUTER_CONFIG, receivingAddressOf } from '../../functions/config/schema.js';
import {
  domainOf,
  identitiesToCreate,
  mailFromDomainOf,
  parseMailrouteConfig,
  recipientDomains,
  senderIdentityNames,
} from '../../infra/config.js';
import { cdkJsonContext } from './stack-fixture.js';

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
      mailDomain: 'mailroute.stockholm.se',
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

  it('rejects a receiving address outside the mail domain, naming the entry', () => {
    const message = errorFor({
      functionalAddresses: [
        {
          address: 'protocol@stockholm.se',
          receivingAddress: 'protocol@mailroute.stockholm.se',
          triageGroup: ['t@stockholm.se'],
        },
        {
          address: 'info@stockholm.se',
          receivingAddress: 'info@example.com',
          triageGroup: ['t@stockholm.se'],
        },
      ],
    });

    expect(message).toContain(
      'mailroute.functionalAddresses.1.receivingAddress: info@example.com is not in mailDomain mailroute.stockholm.se',
    );
  });

  it('names the public address when SES is to receive it directly and it is outside the mail domain', () => {
    const message = errorFor({
      functionalAddresses: [{ address: 'info@example.com', triageGroup: ['t@stockholm.se'] }],
    });

    expect(message).toContain(
      'mailroute.functionalAddresses.0.address: info@example.com is not in mailDomain',
    );
  });

  it('accepts a whole domain for SES when nothing mailroute sends to or from lives in it', () => {
    const config = parseMailrouteConfig({
      mailDomain: 'international.stockholm.se',
      functionalAddresses: [
        { address: 'protocol@international.stockholm.se', triageGroup: ['t@stockholm.se'] },
      ],
    });

    expect(config.router.functionalAddresses).toHaveLength(1);
  });

  it.each([
    [
      { categories: { invitation: { group: ['beredningen@mailroute.stockholm.se'], tag: '[Inbjudan]' } } },
      'mailroute.categories.invitation.group.0: beredningen@mailroute.stockholm.se is inside the receiving domain mailroute.stockholm.se',
    ],
    [
      {
        functionalAddresses: [
          {
            address: 'protocol@stockholm.se',
            receivingAddress: 'protocol@mailroute.stockholm.se',
            triageGroup: ['t@stockholm.se', 'triage@in.mailroute.stockholm.se'],
          },
        ],
      },
      'mailroute.functionalAddresses.0.triageGroup.1: triage@in.mailroute.stockholm.se is inside the receiving domain',
    ],
    [
      { routerSender: 'router@MAILROUTE.stockholm.se' },
      'mailroute.routerSender: router@MAILROUTE.stockholm.se is inside the receiving domain',
    ],
    [
      {
        mailDomain: 'stockholm.se',
        functionalAddresses: [{ address: 'protocol@stockholm.se', triageGroup: ['t@stockholm.se'] }],
      },
      'mailroute.functionalAddresses.0.triageGroup.0: t@stockholm.se is inside the receiving domain stockholm.se',
    ],
  ])(
    'refuses %j: forwards into the receiving domain would come back to SES, and names the key',
    (input, expected) => {
      expect(errorFor(input)).toContain(expected);
    },
  );

  it.each([
    [
      { ruleSetName: 'mailroute.prod' },
      'mailroute.ruleSetName: must be 1-64 ASCII letters, digits, underscores or dashes',
    ],
    [{ ruleSetName: '-mailroute' }, 'mailroute.ruleSetName:'],
    [{ ruleSetName: 'a'.repeat(65) }, 'mailroute.ruleSetName:'],
  ])('refuses the rule set name of %j as SES would, naming the key', (input, expected) => {
    expect(errorFor(input)).toContain(expected);
  });

  it('accepts the rule set names SES takes', () => {
    for (const ruleSetName of ['m', 'mailroute_prod-2', 'A'.repeat(64)]) {
      expect(parseMailrouteConfig({ ruleSetName }).deploy.ruleSetName).toBe(ruleSetName);
    }
  });

  it.each([
    [
      { mailFromDomain: 'bounce.example.org' },
      "mailroute.mailFromDomain: bounce.example.org must be a subdomain of the sender's domain stockholm.se",
    ],
    [
      { mailFromDomain: 'stockholm.se' },
      "mailroute.mailFromDomain: stockholm.se must be a subdomain of the sender's domain",
    ],
    [
      { mailFromDomain: 'bounce.mailroute.stockholm.se' },
      'mailroute.mailFromDomain: bounce.mailroute.stockholm.se must be apart from the receiving domain',
    ],
  ])('refuses the MAIL FROM domain of %j, naming the key', (input, expected) => {
    expect(errorFor(input)).toContain(expected);
  });

  it("defaults the MAIL FROM domain to a subdomain of the sender's domain", () => {
    expect(mailFromDomainOf(parseMailrouteConfig({}))).toBe('mailroute-bounce.stockholm.se');
    expect(mailFromDomainOf(parseMailrouteConfig({ mailFromDomain: 'mf.stockholm.se' }))).toBe(
      'mf.stockholm.se',
    );
  });

  it("describes a deployment that works with cdk.json's values: SES receives on its own subdomain, everything sent leaves it", () => {
    // Act
    const config = parseMailrouteConfig(cdkJsonContext().mailroute);

    // Assess
    const receiving = config.deploy.mailDomain;
    expect(receiving).not.toBe(domainOf(config.router.routerSender));
    for (const entry of config.router.functionalAddresses) {
      expect(domainOf(receivingAddressOf(entry))).toBe(receiving);
      expect(domainOf(entry.address)).not.toBe(receiving);
    }
    for (const domain of recipientDomains(config.router)) expect(domain.endsWith(receiving)).toBe(false);
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
  it('creates the sender domain and the receiving domain identities when nothing exists yet', () => {
    expect(identitiesToCreate(parseMailrouteConfig({}))).toEqual(['stockholm.se', 'mailroute.stockholm.se']);
  });

  it('creates nothing that config names as existing', () => {
    const config = parseMailrouteConfig({ existingIdentities: ['Stockholm.se', 'mailroute.stockholm.se'] });

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
