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
import { depsFromEnv } from '../../../functions/write-ledger/handler';
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
        // The sweep's listing, as its waves (workflows/sweep.ts keeps it in that form only).
        coverage: { waves: [[{ account: '444444444444' }]] },
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

describe('the coverage metric after a heal (issue 23 §4: "publishes a coverage-percentage metric per control")', () => {
  const config = exampleConfig();
  const item = (account: string, region: string, control: string, status: string, verifiedAt: string) =>
    encodeLedgerItem(
      {
        account,
        region,
        control: control as 'trail',
        status: status as 'covered',
        evidence: {},
        actions: [],
      },
      verifiedAt,
      'x',
    );
  // 444… verified this morning (trail failed in one region), 555… last verified a week ago: it
  // left the organization, so the sweep no longer lists it and it no longer counts.
  const items = [
    ...controlNames.flatMap((control) =>
      config.governedRegions.map((region, i) =>
        item(
          '444444444444',
          region,
          control,
          control === 'trail' && i === 0 ? 'failed' : 'covered',
          '2026-12-06T06:00:00Z',
        ),
      ),
    ),
    ...controlNames.map((control) =>
      item('555555555555', config.governedRegions[0], control, 'covered', '2026-11-29T06:00:00Z'),
    ),
  ];
  const run = async (workflow: string, trigger: string | undefined) => {
    const ddb = mockClient(DynamoDBClient);
    mockClient(SNSClient);
    ddb.on(ScanCommand).resolves({ Items: items });
    let emitted: ControlCoverage[] | undefined;
    const summary = await writeLedger(
      {
        workflow,
        executionArn: `arn:aws:states:eu-west-1:333333333333:execution:logwarden-${workflow}:x`,
        results: [],
        ...(workflow === 'cover-account' ? { summaryOnly: true } : {}),
        ...(trigger === undefined ? {} : { executionInput: { trigger } }),
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
    return { emitted, summary, scans: ddb.commandCalls(ScanCommand).length };
  };

  it.each([
    ['cover-account-region', 'flow-log-deleted'],
    ['cover-vpc', 'vpc-created'],
    ['cover-account', 'account-created'],
    ['cover-account-region', 'manual'],
  ])(
    '%s started by %s publishes over the accounts verified within two sweep periods',
    async (workflow, trigger) => {
      const { emitted, summary } = await run(workflow, trigger);
      const regions = config.governedRegions.length;
      expect(emitted?.map((c) => [c.control, c.covered, c.total])).toEqual([
        ['flow-logs', regions, regions],
        ['trail', regions - 1, regions],
        ['guardduty', regions, regions],
        ['subscription', regions, regions],
      ]);
      expect(summary.coverage).toEqual(emitted);
    },
  );

  it.each([
    ['cover-account', 'sweep'],
    ['cover-account-region', 'cover-account'],
  ])(
    '%s started by the %s workflow leaves the metric to its parent (no ledger scan)',
    async (workflow, trigger) => {
      const { emitted, scans } = await run(workflow, trigger);
      expect(emitted).toBeUndefined();
      expect(scans).toBe(0);
    },
  );

  it("every heal workflow's ledger steps hand the execution's input to the ledger writer; the sweep's do not", () => {
    const template = Template.fromStack(buildExample(config).controlPlane);
    const machines = template.findResources('AWS::StepFunctions::StateMachine');
    const payloads = new Map<string, string[]>();
    for (const m of Object.values(machines)) {
      const name = String(m.Properties.StateMachineName);
      const text = JSON.stringify(m.Properties.DefinitionString);
      // The ledger steps' payloads, wherever they sit in the definition.
      payloads.set(
        name,
        [...text.matchAll(/\\"executionArn\.\$\\":\\"\$\$\.Execution\.Id\\"[^}]*/g)].map((x) => x[0]),
      );
    }
    expect(payloads.size).toBe(4);
    for (const [name, steps] of payloads) {
      expect(steps.length).toBeGreaterThan(0);
      for (const s of steps) expect(s.includes('executionInput.$')).toBe(!name.endsWith('-sweep'));
    }
  });
});

describe("the write-ledger handler's coverage lines", () => {
  const env = {
    LEDGER_TABLE: 'logwarden-coverage',
    SUMMARY_TOPIC_ARN: 'arn:aws:sns:eu-west-1:333333333333:t',
    GOVERNED_REGIONS: 'eu-west-1',
    COVERAGE_STALE_AFTER_SECONDS: '172800',
  };
  const coverage: ControlCoverage[] = [{ control: 'trail', covered: 1, total: 2, percent: 50 }];
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('go to standard output as EMF documents, one per control', () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    depsFromEnv(env).coverage!.emit(coverage);
    expect(log).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(log.mock.calls[0][0]))).toMatchObject({ control: 'trail', CoveragePercent: 50 });
  });

  it('are off where Powertools metrics are off (POWERTOOLS_METRICS_DISABLED=true, as in the local run)', () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    depsFromEnv({ ...env, POWERTOOLS_METRICS_DISABLED: 'true' }).coverage!.emit(coverage);
    expect(log).not.toHaveBeenCalled();
  });
});
