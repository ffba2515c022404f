import { createRequire } from 'node:module';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { templateOf } from './stack-fixture.js';

type Command = { kind: string; input: Record<string, unknown> };
type ActivationEvent = Record<string, unknown>;
type Handler = (event: ActivationEvent) => Promise<void>;
const { createHandler } = createRequire(import.meta.url)('../../infra/handlers/activate-rule-set.cjs') as {
  createHandler: (ses: unknown, commands: unknown, fetchFn: unknown) => Handler;
};

/** An in-memory SES with one region-wide active rule set, and a CloudFormation response endpoint. */
function world(activeRuleSet: string | undefined, failWith?: string, missing: string[] = []) {
  const state = { active: activeRuleSet, sent: [] as Command[], responses: [] as Record<string, unknown>[] };
  const command = (kind: string) =>
    class {
      readonly kind = kind;
      constructor(readonly input: Record<string, unknown>) {}
    };
  const commands = {
    SetActiveReceiptRuleSetCommand: command('SetActive'),
    DescribeActiveReceiptRuleSetCommand: command('DescribeActive'),
  };
  const ses = {
    async send(sent: Command) {
      state.sent.push({ kind: sent.kind, input: sent.input });
      if (failWith) throw new Error(failWith);
      if (sent.kind === 'DescribeActive') return state.active ? { Metadata: { Name: state.active } } : {};
      const name = sent.input.RuleSetName as string | undefined;
      if (name && missing.includes(name)) throw new Error(`Rule set does not exist: ${name}`);
      state.active = name;
      return {};
    },
  };
  const fetchFn = async (_url: string, init: { body: string }) => {
    state.responses.push(JSON.parse(init.body));
    return { ok: true, status: 200 };
  };
  return { state, handler: createHandler(ses, commands, fetchFn) };
}

const event = (RequestType: string, PhysicalResourceId?: string): ActivationEvent => ({
  RequestType,
  ...(PhysicalResourceId ? { PhysicalResourceId } : {}),
  ResourceProperties: { RuleSetName: 'mailroute' },
  ResponseURL: 'https://cloudformation-response.invalid/',
  StackId: 'stack',
  RequestId: 'request',
  LogicalResourceId: 'Activation',
});

describe('RuleSetActivation', () => {
  it('does not touch the active rule set by default, and prints the command ops run instead', () => {
    // Act
    const template = templateOf({ config: { ruleSetName: 'mailroute-test', region: 'us-west-2' } });

    // Assess
    template.resourceCountIs('Custom::SesActiveReceiptRuleSet', 0);
    const outputs = Object.values(
      template.findOutputs('*', { Description: Match.stringLikeRegexp('NOT active') }),
    );
    expect(outputs.map((output) => output.Value)).toEqual([
      'aws ses set-active-receipt-rule-set --rule-set-name mailroute-test --region us-west-2',
    ]);
  });

  it('activates through an inline custom resource once every rule, the queue and the router exist', () => {
    // Act
    const template = templateOf({ config: { activateRuleSet: true } });

    // Assess
    const [activation] = Object.values(template.findResources('Custom::SesActiveReceiptRuleSet'));
    // CloudFormation waits two minutes for an answer, not its default hour.
    expect(activation?.Properties).toMatchObject({ RuleSetName: 'mailroute', ServiceTimeout: '120' });
    const ruleIds = Object.keys(template.findResources('AWS::SES::ReceiptRule'));
    // The rules, the router, its event source mapping and the SNS -> SQS subscription: mail can flow.
    expect(activation?.DependsOn).toEqual(
      expect.arrayContaining([
        ...ruleIds,
        expect.stringMatching(/^InboxRuleSet/),
        expect.stringMatching(/^RouterFunction[0-9A-F]+$/),
        expect.stringMatching(/^RouterFunctionSqsEventSource/),
        expect.stringMatching(/^QueueMailrouteInboxReceived/),
      ]),
    );
    const [fn] = Object.values(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Description: Match.stringLikeRegexp('activates') },
      }),
    );
    expect(fn).toBeDefined();
    expect(fn!.Properties).toMatchObject({ Runtime: 'nodejs22.x', Handler: 'index.handler' });
    // CloudFormation takes inline code up to 4096 characters.
    expect((fn!.Properties.Code as { ZipFile: string }).ZipFile.length).toBeLessThan(4096);
  });
});

describe('the activation handler', () => {
  it('makes the rule set the active one on create and records the set that was active before', async () => {
    // Prepare
    const { state, handler } = world('someone-elses');

    // Act
    await handler(event('Create'));

    // Assess
    expect(state.active).toBe('mailroute');
    expect(state.responses).toEqual([
      expect.objectContaining({
        Status: 'SUCCESS',
        PhysicalResourceId: 'mailroute/after/someone-elses',
        Data: { PreviousRuleSet: 'someone-elses' },
      }),
    ]);
  });

  it('records nothing when no set, or ours, was active before', async () => {
    for (const before of [undefined, 'mailroute']) {
      const { state, handler } = world(before);

      await handler(event('Create'));

      expect(state.responses[0]).toMatchObject({
        PhysicalResourceId: 'mailroute',
        Data: { PreviousRuleSet: '' },
      });
    }
  });

  it('keeps the record of the earlier set across an update, and activates ours again', async () => {
    const { state, handler } = world('manually-switched');

    await handler(event('Update', 'mailroute/after/someone-elses'));

    expect(state.active).toBe('mailroute');
    expect(state.responses[0]).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'mailroute/after/someone-elses',
    });
  });

  it('makes the earlier set active again on delete (stack removal or rollback) when ours is still active', async () => {
    const { state, handler } = world('mailroute');

    await handler(event('Delete', 'mailroute/after/someone-elses'));

    expect(state.active).toBe('someone-elses');
    expect(state.responses[0]).toMatchObject({ Status: 'SUCCESS' });
  });

  it('deactivates the rule set on delete when no set was active before it', async () => {
    const { state, handler } = world('mailroute');

    await handler(event('Delete', 'mailroute'));

    expect(state.active).toBeUndefined();
    expect(state.responses[0]).toMatchObject({ Status: 'SUCCESS' });
  });

  it('leaves none active, and still succeeds, when the earlier set no longer exists', async () => {
    const { state, handler } = world('mailroute', undefined, ['someone-elses']);

    await handler(event('Delete', 'mailroute/after/someone-elses'));

    expect(state.active).toBeUndefined();
    expect(state.responses[0]).toMatchObject({ Status: 'SUCCESS' });
  });

  it('leaves another active rule set alone on delete', async () => {
    const { state, handler } = world('someone-elses');

    await handler(event('Delete', 'mailroute/after/older'));

    expect(state.active).toBe('someone-elses');
    expect(state.sent.map((sent) => sent.kind)).toEqual(['DescribeActive']);
    expect(state.responses[0]).toMatchObject({ Status: 'SUCCESS' });
  });

  it('reports an SES failure to CloudFormation instead of leaving the stack waiting', async () => {
    const { state, handler } = world(undefined, 'Rule set does not exist: mailroute');

    await handler(event('Create'));

    expect(state.responses).toEqual([
      expect.objectContaining({
        Status: 'FAILED',
        Reason: 'Rule set does not exist: mailroute',
        RequestId: 'request',
        PhysicalResourceId: 'mailroute',
      }),
    ]);
  });
});
