import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { controlNames } from '../../../contracts/coverage';
import {
  coverageAlarmName,
  coverageByControl,
  type ControlCoverage,
} from '../../../contracts/coverage-cells';
import { encodeLedgerItem } from '../../../contracts/ledger';
import { coverageMetricLines, writeLedger } from '../../../functions/write-ledger/ledger';
import { buildExample, exampleConfig } from '../../stacks/example-app';

const now = new Date('2026-12-06T12:00:00Z');
const day = 24 * 3_600_000;
const row = (
  account: string,
  region: string,
  control: (typeof controlNames)[number],
  status: string,
  verified = '2026-12-06T06:00:00Z',
) => ({
  account,
  region,
  control,
  status: status as 'covered',
  lastVerified: verified,
});

describe('the coverage percentage per control (issue 23 §4)', () => {
  it('counts as `logwarden coverage` does: gaps and stale rows are not covered, excluded cells are left out', () => {
    const rows = [
      row('111111111111', 'eu-west-1', 'trail', 'covered'),
      row('111111111111', 'eu-central-1', 'trail', 'healed'),
      row('222222222222', 'eu-west-1', 'trail', 'failed'),
      // older than two sweep periods: stale
      row('222222222222', 'eu-central-1', 'trail', 'covered', '2026-12-03T00:00:00Z'),
      ...['eu-west-1', 'eu-central-1'].map((r) => row('333333333333', r, 'trail', 'excluded')),
      // a ledger row of an account the sweep no longer lists: not counted
      row('999999999999', 'eu-west-1', 'trail', 'failed'),
    ];
    const byControl = coverageByControl(
      rows,
      ['111111111111', '222222222222', '333333333333', '444444444444'],
      ['eu-west-1', 'eu-central-1'],
      {
        now,
        staleAfterMs: 2 * day,
      },
    );
    // trail: 111 ×2 covered; 222 failed + stale; 333 excluded; 444 two gaps → 2 of 6.
    // guardduty: no row at all, nothing excluded → 8 gaps.
    expect(byControl.find((c) => c.control === 'trail')).toEqual({
      control: 'trail',
      covered: 2,
      total: 6,
      percent: 33.3,
    });
    expect(byControl.find((c) => c.control === 'guardduty')).toEqual({
      control: 'guardduty',
      covered: 0,
      total: 8,
      percent: 0,
    });
  });

  it("the sweep's last step reads the ledger and emits one embedded-metric line per control; the alarm watches exactly that metric", async () => {
    const config = exampleConfig();
    const ddb = mockClient(DynamoDBClient);
    mockClient(SNSClient);
    ddb.on(ScanCommand).resolves({
      Items: controlNames.flatMap((control) =>
        config.governedRegions.map((region) =>
          encodeLedgerItem(
            {
              account: '444444444444',
              region,
              control,
              status: control === 'trail' ? 'failed' : 'covered',
              evidence: {},
              actions: [],
            },
            now.toISOString(),
            'x',
          ),
        ),
      ),
    });
    let emitted: ControlCoverage[] = [];
    const summary = await writeLedger(
      {
        workflow: 'sweep',
        executionArn: 'arn:aws:states:eu-west-1:333333333333:execution:logwarden-sweep:x',
        summaryOnly: true,
        results: { counts: { covered: 6 }, failed: [] },
        coverage: { accounts: [{ account: '444444444444' }] },
      },
      {
        ddb: new DynamoDBClient({}),
        sns: new SNSClient({}),
        table: 'logwarden-coverage',
        summaryTopicArn: 'arn:aws:sns:eu-west-1:333333333333:t',
        now: () => now,
        coverage: {
          governedRegions: config.governedRegions,
          staleAfterMs: 2 * day,
          emit: (c) => (emitted = c),
        },
      },
    );
    expect(emitted.map((c) => [c.control, c.percent])).toEqual([
      ['flow-logs', 100],
      ['trail', 0],
      ['guardduty', 100],
      ['subscription', 100],
    ]);
    expect(summary.coverage).toEqual(emitted);

    // Each line is an EMF document: "The CloudWatch embedded metric format is a JSON
    // specification used to instruct CloudWatch Logs to automatically extract metric values
    // embedded in structured log events" (CloudWatch User Guide, "Specification: Embedded metric format").
    const docs = coverageMetricLines(emitted, now).map((l) => JSON.parse(l));
    const template = Template.fromStack(buildExample(config).controlPlane);
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    for (const doc of docs) {
      const directive = doc._aws.CloudWatchMetrics[0];
      const [dimension] = directive.Dimensions[0];
      const control = doc[dimension];
      const alarm = Object.values(alarms).find((a) => a.Properties.AlarmName === coverageAlarmName(control));
      expect(alarm?.Properties).toMatchObject({
        Namespace: directive.Namespace,
        MetricName: directive.Metrics[0].Name,
        Dimensions: [{ Name: dimension, Value: control }],
        ComparisonOperator: 'LessThanThreshold',
        Threshold: config.alerts.coverageBelowPercent,
        TreatMissingData: 'ignore',
        AlarmActions: [{ Ref: expect.stringMatching(/^SummaryTopic/) }],
      });
      expect(doc[directive.Metrics[0].Name]).toBe(emitted.find((c) => c.control === control)!.percent);
      expect(doc._aws.Timestamp).toBe(now.getTime());
    }
    expect(docs).toHaveLength(controlNames.length);
  });
});
