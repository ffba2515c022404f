import { Match, type Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import { logRetentionFor, shellQuote } from '../../infra/constructs/mailroute-function.js';
import { ROUTER_MEMORY_MB, ROUTER_TIMEOUT } from '../../infra/constructs/router-function.js';
import { templateOf } from './stack-fixture.js';

type Resource = { Properties: Record<string, unknown> };

describe('RouterFunction', () => {
  let template: Template;
  let router: Resource;

  beforeAll(() => {
    template = templateOf({ config: { retentionDays: 100, reservedConcurrency: 4, logLevel: 'DEBUG' } });
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { Description: Match.stringLikeRegexp('classify and forward') },
    });
    expect(Object.keys(functions)).toHaveLength(1);
    router = Object.values(functions)[0] as Resource;
  });

  it('runs nodejs22.x on arm64, sized for a 40 MB message, with reserved concurrency', () => {
    expect(router.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: ROUTER_MEMORY_MB,
      Timeout: ROUTER_TIMEOUT.toSeconds(),
      ReservedConcurrentExecutions: 4,
    });
    expect(ROUTER_MEMORY_MB).toBeGreaterThanOrEqual(1024);
  });

  it('gets the handler contract environment, and no configuration in it', () => {
    const variables = (router.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

    expect(variables).toMatchObject({
      POWERTOOLS_SERVICE_NAME: 'mailroute',
      POWERTOOLS_METRICS_NAMESPACE: 'Mailroute',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      MAILROUTE_RETENTION_DAYS: '100',
      NODE_OPTIONS: '--enable-source-maps',
      ROUTING_TABLE_NAME: { Ref: expect.stringMatching(/^RoutingLogTable/) },
      MAILROUTE_LOOP_SECRET_ARN: { Ref: expect.stringMatching(/^RouterLoopSecret/) },
    });
    expect(JSON.stringify(variables)).not.toContain('functionalAddresses');
  });

  it('logs to its own log group with a retention no longer than the mail retention', () => {
    const logGroupId = (router.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;

    expect(template.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(90);
  });

  it('creates the loop-marker secret with a generated value, encrypted with the data key', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] },
    });
  });
});

describe('logRetentionFor', () => {
  it.each([
    [1, RetentionDays.ONE_DAY],
    [2, RetentionDays.ONE_DAY],
    [365, RetentionDays.ONE_YEAR],
    [400, RetentionDays.THIRTEEN_MONTHS],
    [3650, RetentionDays.NINE_YEARS],
  ])('maps a %i-day retention to %i days of logs', (days, expected) => {
    expect(logRetentionFor(days)).toBe(expected);
  });
});

describe('shellQuote', () => {
  it('quotes a path with spaces and single quotes so the shell sees it unchanged', async () => {
    // Prepare
    const { execFileSync } = await import('node:child_process');
    const path = "/tmp/it's a dir/$HOME`x`/config.json";

    // Act
    const echoed = execFileSync('sh', ['-c', `printf %s ${shellQuote(path)}`], { encoding: 'utf8' });

    // Assess
    expect(echoed).toBe(path);
  });
});
