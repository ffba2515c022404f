import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterEach, describe, expect, it } from 'vitest';
import { applyNagChecks } from '../../infra/nag.js';
import { buildStack, newTestApp } from './stack-fixture.js';

const outdirs: string[] = [];
function freshOutdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mailroute-nag-'));
  outdirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Every acknowledgement recorded anywhere in the tree, as rule id -> reason. */
function acknowledgements(root: IConstruct): { id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe('the cdk-nag gate', () => {
  it.each([
    ['the defaults', {}],
    [
      'everything switched on',
      { activateRuleSet: true, alarmEmail: 'ops@stockholm.se', tlsPolicy: 'Require' },
    ],
  ])('finds nothing unacknowledged in the stack with %s', (_name, config) => {
    // Prepare
    const { app, stack } = buildStack({ config, withReconcile: true, nag: true, outdir: freshOutdir() });

    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);

    // Assess
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    expect(() => app.synth()).not.toThrow();
  });

  it('stops synthesis on a non-compliant construct and writes the report into the cloud assembly', () => {
    // Prepare: a bucket as a hurried engineer might add it, with no TLS policy and no access logs.
    const outdir = freshOutdir();
    const { app, stack } = buildStack({ withReconcile: false, nag: true, outdir });
    new s3.Bucket(stack, 'Careless');

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).toThrow(/AwsSolutions-S1\b[\s\S]*Careless|Careless[\s\S]*AwsSolutions-S1\b/);
    expect(synth).toThrow(/AwsSolutions-S10/);
    const report = readFileSync(join(outdir, 'validation-report.json'), 'utf8');
    expect(report).toContain('AwsSolutions-S10');
    expect(report).toContain('Mailroute/Careless');
  });

  it('fails on warnings too, so a finding of any level stops the deploy', () => {
    // Prepare: a stack of its own whose one table breaks only a warning-level rule (no PITR).
    const app = newTestApp({ outdir: freshOutdir() });
    const stack = new Stack(app, 'Probe');
    new dynamodb.Table(stack, 'NoRecovery', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    });
    applyNagChecks(app);
    const violations = new AwsSolutionsChecks().validateScope(stack).violations;
    expect(violations.map(({ ruleName, severity }) => [ruleName, severity])).toEqual([
      ['AwsSolutions-DDB3', 'warning'],
    ]);

    // Act + Assess
    expect(() => app.synth()).toThrow(/AwsSolutions-DDB3/);
  });

  it('acknowledges only specific findings, each with a reason', () => {
    const { app } = buildStack({ config: { activateRuleSet: true }, withReconcile: true });

    const acknowledged = acknowledgements(app);

    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { id, reason } of acknowledged) {
      expect(id).toMatch(/^AwsSolutions-[A-Z]+\d+/);
      // A wildcard finding is acknowledged by its exact resource or action, never the whole rule.
      if (id.startsWith('AwsSolutions-IAM5')) expect(id).toMatch(/\[(Resource|Action)::.+\]$/);
      expect(reason.length, `reason for ${id}`).toBeGreaterThan(50);
    }
  });
});
