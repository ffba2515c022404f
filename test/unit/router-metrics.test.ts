import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RouterMetrics } from '../../functions/route-mail/handler.js';
import type { RouteResult } from '../../functions/route-mail/pipeline.js';

/** What the metrics write to stdout and stderr while `run` runs, one entry a line. */
function captured(run: () => void): { stdout: string[]; stderr: string[] } {
  const lines = { stdout: [] as string[], stderr: [] as string[] };
  for (const stream of ['stdout', 'stderr'] as const) {
    vi.spyOn(process[stream], 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines[stream].push(...String(chunk).split('\n').filter(Boolean));
      return true;
    });
  }
  try {
    run();
  } finally {
    vi.restoreAllMocks();
  }
  return lines;
}

/** An EMF line without its timestamp, which differs between two runs. */
function withoutTimestamp(line: string): unknown {
  const emf = JSON.parse(line) as { _aws: { Timestamp?: number } };
  delete emf._aws.Timestamp;
  return emf;
}

const routed: RouteResult = {
  messageId: 'o3vvb1ocpdbq6rm0slae00000000000000000001',
  category: 'invitation',
  confidence: 0.93,
  automated: false,
  reasons: [],
  disposition: 'forward',
  status: 'forwarded',
  forwardedTo: ['beredningen@stockholm.se'],
  duplicate: false,
  acknowledgement: 'sent',
};

describe('RouterMetrics', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('writes the EMF lines that one singleMetric() a count wrote, and nothing else', () => {
    // Prepare
    const metrics = new RouterMetrics();
    const reference = new Metrics({ namespace: 'Mailroute', serviceName: 'mailroute' });

    // Act
    const ours = captured(() => {
      metrics.hooks().onRouted?.(routed);
      metrics.publish();
    });
    const before = captured(() => {
      reference
        .singleMetric()
        .addDimension('outcome', 'sent')
        .addMetric('Acknowledgements', MetricUnit.Count, 1);
      reference
        .singleMetric()
        .addDimension('category', 'invitation')
        .addMetric('MessagesByCategory', MetricUnit.Count, 1);
      reference
        .singleMetric()
        .addDimension('disposition', 'forward')
        .addMetric('MessagesByDisposition', MetricUnit.Count, 1);
    });

    // Assess
    expect(ours.stdout).toHaveLength(3);
    expect(ours.stdout.map(withoutTimestamp)).toEqual(before.stdout.map(withoutTimestamp));
    // No "No application metrics to publish" warning after a message that stored none.
    expect(ours.stderr).toEqual([]);
  });

  it('counts a duplicate delivery only for the acknowledgement it sent', () => {
    // Prepare
    const metrics = new RouterMetrics();

    // Act
    const { stdout } = captured(() => metrics.hooks().onRouted?.({ ...routed, duplicate: true }));

    // Assess
    expect(stdout.map((line) => Object.keys(JSON.parse(line) as object))).toEqual([
      ['_aws', 'service', 'outcome', 'Acknowledgements'],
    ]);
  });

  it('publishes the failures of an invocation once, after it', () => {
    // Prepare
    const metrics = new RouterMetrics();
    const hooks = metrics.hooks();

    // Act
    const during = captured(() => {
      hooks.onFailed?.('o3vvb1ocpdbq6rm0slae00000000000000000002', new Error('read failed'));
      hooks.onFailed?.('o3vvb1ocpdbq6rm0slae00000000000000000003', new Error('read failed'));
    });
    const after = captured(() => metrics.publish());
    const again = captured(() => metrics.publish());

    // Assess
    expect(during.stdout).toEqual([]);
    expect(
      after.stdout.map((line) => (JSON.parse(line) as { RoutingFailures: number }).RoutingFailures),
    ).toEqual([[1, 1]]);
    expect(again).toEqual({ stdout: [], stderr: [] });
  });
});
