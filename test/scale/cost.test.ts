import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../contracts/config';
import type { CfnTemplate } from '../../local/asl';
import {
  estimateMonthlyCost,
  formatCost,
  kinesisCapacityAdvice,
  monthlySourceGb,
  ownLogGroupRetention,
  recordBytes,
} from '../../scale/cost';
import { functionGbSeconds, noReingest } from '../../scale/pipeline';
import { prices } from '../../scale/prices';
import { simulateSweep } from '../../scale/simulate';
import { buildExample, exampleConfig, exampleConfigPath, exampleConfigRaw } from '../stacks/example-app';

describe('the monthly cost estimate, from the simulated sweep and the synthesized templates', () => {
  const config = exampleConfig();
  const built = buildExample(config);
  const controlPlane = Template.fromStack(built.controlPlane).toJSON() as CfnTemplate;
  const central = Template.fromStack(built.central).toJSON() as CfnTemplate;
  // The sweep of `accounts` accounts over the config's regions, simulated once for every test.
  const sweeps = new Map<number, ReturnType<typeof simulateSweep>>();
  const sweepOf = (accounts: number) => {
    if (!sweeps.has(accounts))
      sweeps.set(
        accounts,
        simulateSweep({
          template: controlPlane,
          homeRegion: config.homeRegion,
          securityToolingAccount: config.accounts.securityTooling,
          managementAccount: config.accounts.management,
          accounts,
          regions: config.governedRegions,
        }),
      );
    return sweeps.get(accounts)!;
  };

  it('prices what the run and the templates say: transitions, Lambda memory, lifecycle tiers, the OpenSearch domain', async () => {
    const report = await sweepOf(4);
    const cost = estimateMonthlyCost({ report, controlPlane, central, config, accounts: 4 });
    const rowOf = (prefix: string) => cost.rows.find((r) => r.item.startsWith(prefix))!;

    // The daily sweep, 30 times.
    expect(rowOf('Step Functions').quantity).toBe(report.stateTransitions * 30);
    expect(rowOf('Step Functions').usd).toBeCloseTo(
      report.stateTransitions * 30 * prices.stepFunctionsStandardTransition.usd,
    );
    const busySeconds = Object.values(report.lambdaBusyMs).reduce((a, b) => a + b, 0) / 1000;
    // Every control-plane function has 512 MB in the synthesized template.
    expect(rowOf('Lambda, daily sweep: duration').quantity).toBeCloseTo(busySeconds * 0.5 * 30);
    // Per account and Region: four ledger rows written, and the subscription control's read of
    // its previous row (whether its own per-group filters may remain), 30 times.
    expect(rowOf('DynamoDB').quantity).toBe(4 * 2 * (4 + 1) * 30);

    // The pipeline from the config's volumes and the corpus's record sizes.
    const v = config.volumes;
    const dailyBytes =
      4 *
      (v.cloudTrailEventsPerAccountPerDay * recordBytes.cloudTrailEvent +
        v.flowLogRecordsPerAccountPerDay * recordBytes.flowLogRecord +
        v.guardDutyFindingsPerAccountPerDay * recordBytes.guardDutyFinding +
        v.appLogBytesPerAccountPerDay);
    expect(rowOf('Firehose').quantity).toBeCloseTo((dailyBytes * 30) / 1024 ** 3);

    // Tiers from the archive bucket's lifecycle rule, as the config sets it.
    expect(rowOf('S3 Standard').item).toBe(
      `S3 Standard (days 0-${config.archive.glacierInstantRetrievalAfterDays})`,
    );
    expect(rowOf('S3 Glacier Deep Archive').item).toBe(
      `S3 Glacier Deep Archive (days ${config.archive.deepArchiveAfterDays}-${config.archive.retentionDays})`,
    );
    // The domain as configured: data nodes and dedicated masters, every hour of the month.
    expect(
      rowOf(`OpenSearch ${config.openSearch.instanceCount} × ${config.openSearch.instanceType}`).quantity,
    ).toBe(config.openSearch.instanceCount! * 730);
    // Between Regions: what members log outside the home Region goes to the home Region's stream
    // (the trail's group is in the home Region).
    const regions = config.governedRegions.length;
    const perRegion =
      4 *
      (v.flowLogRecordsPerAccountPerDay * recordBytes.flowLogRecord +
        v.guardDutyFindingsPerAccountPerDay * recordBytes.guardDutyFinding +
        v.appLogBytesPerAccountPerDay);
    expect(rowOf('Data transfer between Regions')).toMatchObject({
      item: `Data transfer between Regions (${regions - 1} of ${regions} Regions to the home Region)`,
      quantity: expect.closeTo((perRegion * ((regions - 1) / regions) * 30) / 1024 ** 3, 6),
      price: prices.interRegionTransferGb,
    });
    // CloudWatch Logs storage of logwarden's own groups, at the retention the templates give them
    // (365 days: the trail group's RetentionInDays, the controls' retention settings), compressed.
    expect(ownLogGroupRetention(controlPlane, config)).toEqual({ trail: 365, flowLogs: 365, findings: 365 });
    expect(rowOf("CloudWatch Logs storage: members' flow-log groups (365 days)").quantity).toBeCloseTo(
      (365 * 4 * v.flowLogRecordsPerAccountPerDay * (recordBytes.flowLogRecord + 26) * 0.15) / 1024 ** 3,
    );
    expect(rowOf('CloudWatch Logs storage: trail group (365 days)').price).toBe(
      prices.cloudWatchLogsStorageGbMonth,
    );
    expect(rowOf('CloudWatch Logs storage: GuardDuty findings groups (365 days)').usd).toBeGreaterThan(0);
    expect(cost.totalUsd).toBeCloseTo(cost.rows.reduce((a, r) => a + r.usd, 0));
    expect(formatCost(4, 2, cost)).toMatch(/total +\$[\d,]+\.\d\d/);
  }, 300_000);

  it('bills the Security Lake writer only when archive.securityLake is set, at its template memory', async () => {
    const report = await sweepOf(1);
    const item = 'Lambda security-lake-writer: duration (measured CPU per GB)';
    const without = estimateMonthlyCost({ report, controlPlane, central, config, accounts: 1 });
    expect(without.rows.find((r) => r.item === item)).toBeUndefined();

    const withLake = exampleConfig({
      archive: {
        ...(exampleConfigRaw().archive as object),
        securityLake: {
          externalId: 'logwarden-o-exampleorgid',
          bucket: 'aws-security-data-lake-eu-west-1-abcdefghijklmnopqrstuvwxyz1234',
        },
      },
    });
    const lakeCentral = Template.fromStack(buildExample(withLake).central).toJSON() as CfnTemplate;
    const cost = estimateMonthlyCost({
      report,
      controlPlane,
      central: lakeCentral,
      config: withLake,
      accounts: 1,
    });
    const row = cost.rows.find((r) => r.item === item)!;
    // Every source's GB once (the writer reads the archive, where re-ingested records land once),
    // at the function's 1,024 MB (INDEXER_MEMORY_MB in the synthesized template).
    expect(row.quantity).toBeCloseTo(
      functionGbSeconds('securityLakeWriter', monthlySourceGb(withLake.volumes, 1), 1, noReingest),
      6,
    );
    expect(row.price).toBe(prices.lambdaArmGbSecond);
  }, 300_000);

  it('with flowLogs.delivery firehose, prices flow logs on the direct path and the stream without them', async () => {
    const report = await sweepOf(1);
    const viaLogs = estimateMonthlyCost({ report, controlPlane, central, config, accounts: 1 });
    const direct = exampleConfig({
      flowLogs: { ...(exampleConfigRaw().flowLogs as object), delivery: 'firehose' },
    });
    const directCentral = Template.fromStack(buildExample(direct).central).toJSON() as CfnTemplate;
    const cost = estimateMonthlyCost({
      report,
      controlPlane,
      central: directCentral,
      config: direct,
      accounts: 1,
    });
    const rowOf = (c: typeof cost, prefix: string) => c.rows.find((r) => r.item.startsWith(prefix));
    const flowGb = monthlySourceGb(direct.volumes, 1).flowLogs;
    expect(flowGb).toBeGreaterThan(0);

    // Vended logs delivered to Firehose and Firehose's vended-log ingestion, for the flow logs alone.
    expect(rowOf(cost, 'Flow logs delivered straight to Firehose')!.quantity).toBeCloseTo(flowGb);
    expect(rowOf(cost, 'Flow logs delivered straight to Firehose')!.price).toBe(
      prices.cloudWatchVendedToFirehoseGb,
    );
    expect(rowOf(cost, 'Firehose ingestion of the vended flow logs')!.price).toBe(
      prices.firehoseVendedIngestGb,
    );
    expect(rowOf(cost, 'Lambda flow-log transform (direct path): duration')!.quantity).toBeGreaterThan(0);
    expect(rowOf(cost, 'Lambda index-archive (direct path): duration')!.quantity).toBeGreaterThan(0);
    expect(rowOf(viaLogs, 'Flow logs delivered straight to Firehose')).toBeUndefined();

    // The stream, CloudWatch Logs ingestion and the stream's consumers carry the flow logs no more.
    const exact = (c: typeof cost, item: string) => c.rows.find((r) => r.item === item)!.quantity;
    for (const item of [
      'Kinesis on-demand: data in (uncompressed, an upper bound)',
      'Firehose ingestion',
      'Firehose CloudWatch Logs decompression',
    ])
      expect(exact(viaLogs, item) - exact(cost, item)).toBeCloseTo(flowGb, 6);
    expect(
      rowOf(viaLogs, 'CloudWatch Logs ingestion (')!.quantity -
        rowOf(cost, 'CloudWatch Logs ingestion (')!.quantity,
    ).toBeCloseTo(flowGb, 6);
    expect(rowOf(cost, "CloudWatch Logs storage: members' flow-log groups")).toBeUndefined();
    expect(rowOf(cost, 'Lambda indexer: duration')!.quantity).toBeLessThan(
      rowOf(viaLogs, 'Lambda indexer: duration')!.quantity,
    );
    // What the comparison line says the direct path saves is what the table saves, but for what
    // the comparison leaves out: the flow-log groups' storage and the Lambda requests.
    const storage = rowOf(viaLogs, "CloudWatch Logs storage: members' flow-log groups")!.usd;
    const withoutRequests = (c: typeof cost) =>
      c.rows.filter((r) => !r.item.includes(': requests')).reduce((a, r) => a + r.usd, 0);
    expect(withoutRequests(viaLogs) - withoutRequests(cost)).toBeCloseTo(
      cost.paths.cloudWatchLogs - cost.paths.firehose + storage,
      6,
    );
  }, 300_000);

  it('rejects volumes that are not positive whole numbers, naming the field', () => {
    const raw = JSON.parse(readFileSync(exampleConfigPath, 'utf8')) as Record<string, unknown>;
    expect(() => parseConfig({ ...raw, volumes: { flowLogRecordsPerAccountPerDay: -1 } })).toThrow(
      /volumes\.flowLogRecordsPerAccountPerDay: must be greater than 0/,
    );
    expect(parseConfig({ ...raw, volumes: undefined }).volumes.guardDutyFindingsPerAccountPerDay).toBe(10);
  });

  it('says what kinesis.capacity should be at the modelled volume, against what it is', () => {
    const provisionedCheaper = {
      onDemand: 15_387,
      provisioned: 1_535,
      shards: 135,
      cheaper: 'provisioned',
    } as const;
    expect(kinesisCapacityAdvice('on-demand', provisionedCheaper)).toBe(
      'kinesis.capacity: set it to 135 (provisioned) for this volume, $13,852 a month less than "on-demand" (now); keep "on-demand" only where bursts exceed 3× the mean rate',
    );
    expect(kinesisCapacityAdvice(135, provisionedCheaper)).toMatch(
      /^kinesis\.capacity 135 \(provisioned.*is the cheaper mode/,
    );
    expect(kinesisCapacityAdvice(40, provisionedCheaper)).toMatch(
      /40 shards \(now\) are fewer than the 135 the modelled peak needs: deliveries above them are throttled/,
    );
    const onDemandCheaper = { onDemand: 30, provisioned: 44, shards: 4, cheaper: 'on-demand' } as const;
    expect(kinesisCapacityAdvice('on-demand', onDemandCheaper)).toBe(
      'kinesis.capacity "on-demand" is the cheaper mode at this volume',
    );
    expect(kinesisCapacityAdvice(4, onDemandCheaper)).toBe(
      'kinesis.capacity: set it to "on-demand" (now 4 shards): $14 a month cheaper at this volume',
    );
  });
});
