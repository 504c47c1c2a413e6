/**
 * The pipeline cost model's arithmetic (scale/pipeline.ts, issue 26), each figure computed by hand
 * from the prices in scale/prices.ts and written out here.
 */
import { ALERTER_MEMORY_MB, INDEXER_MEMORY_MB, TRANSFORM_MEMORY_MB } from '../../contracts/function-runtime';
import { monthlySourceGb } from '../../scale/cost';
import {
  flowLogDeliveryPaths,
  functionGbSeconds,
  functionMemoryMb,
  gbSeconds,
  kinesisModes,
  measuredCpuSecondsPerGb,
  measuredDirectFlowCpuSecondsPerGb,
  measuredReingestExtra,
  noReingest,
  splitAdded,
  streamTraffic,
} from '../../scale/pipeline';
import { prices } from '../../scale/prices';

describe('the pipeline cost model', () => {
  it('uses the prices it was hand-checked against', () => {
    expect(prices.cloudWatchLogsIngestGb.usd).toBe(0.5);
    expect(prices.kinesisOnDemandIngestGb.usd).toBe(0.08);
    expect(prices.kinesisOnDemandRetrievalGb.usd).toBe(0.04);
    expect(prices.firehoseIngestGb.usd).toBe(0.029);
    expect(prices.cloudWatchVendedToFirehoseGb.usd).toBe(0.25);
    expect(prices.firehoseVendedIngestGb.usd).toBe(0.13);
    expect(prices.firehoseCloudWatchLogsDecompressionGb.usd).toBe(0.00325);
    expect(prices.kinesisOnDemandStreamHour.usd).toBe(0.04);
    expect(prices.kinesisProvisionedShardHour.usd).toBe(0.015);
    expect(prices.kinesisProvisionedPutUnit.usd).toBeCloseTo(0.014e-6, 15);
  });

  it('GB-seconds: 100 GB at 102.4 s per GB (10 MB/s) in 512 MB is 5,120', () => {
    expect(gbSeconds(100, 102.4, 0.5)).toBeCloseTo(5120, 6);
  });

  it('a function bills its measured seconds per GB of every source, re-ingested bytes read again', () => {
    const gb = { cloudTrail: 10, flowLogs: 100, guardDuty: 0, application: 0 };
    // CPU seconds per GB of the 2026-12-06 run (Node.js 20, gzip reaching the transform).
    const cpu = {
      cloudTrail: { transform: 33, indexer: 49, alerter: 24.1, securityLakeWriter: 0 },
      flowLogs: { transform: 82, indexer: 112, alerter: 7.4, securityLakeWriter: 0 },
      guardDuty: { transform: 42, indexer: 50, alerter: 35.5, securityLakeWriter: 0 },
      application: { transform: 55.5, indexer: 63, alerter: 7.85, securityLakeWriter: 0 },
    };
    // As gzip reached the transform (before the stream decompressed, 2026-12-06): flow logs re-ingested 2.63×.
    const gzipExtra = { cloudTrail: 0, flowLogs: 2.63, guardDuty: 1.37, application: 3.36 };
    // transform at 1 GB: CloudTrail 10 GB × 33 s; flow 100 GB × (1 + 2.63) × 82 s = 29,766
    expect(functionGbSeconds('transform', gb, 1, gzipExtra, cpu)).toBeCloseTo(330 + 29766, 6);
    // alerter at 0.5 GB: (10 × 24.1 + 363 × 7.4) × 0.5 = (241 + 2,686.2) × 0.5
    expect(functionGbSeconds('alerter', gb, 0.5, gzipExtra, cpu)).toBeCloseTo(1463.6, 6);
    // Nothing re-ingested: flow 100 × 82 = 8,200.
    expect(functionGbSeconds('transform', gb, 1, noReingest, cpu)).toBeCloseTo(330 + 8200, 6);
  });

  it('every billed function has a measured figure for every source', () => {
    for (const perFn of Object.values(measuredCpuSecondsPerGb))
      for (const secondsPerGb of Object.values(perFn)) expect(secondsPerGb).toBeGreaterThan(0);
    for (const secondsPerGb of Object.values(measuredDirectFlowCpuSecondsPerGb))
      expect(secondsPerGb).toBeGreaterThan(0);
  });

  it('bills each function at the memory its stack gives it', () => {
    expect(functionMemoryMb).toEqual({
      transform: TRANSFORM_MEMORY_MB,
      indexer: INDEXER_MEMORY_MB,
      alerter: ALERTER_MEMORY_MB,
      securityLakeWriter: INDEXER_MEMORY_MB,
      directTransform: TRANSFORM_MEMORY_MB,
      indexArchive: INDEXER_MEMORY_MB,
    });
  });

  it('a month per source at the config volumes for 1,000 accounts', () => {
    const gb = monthlySourceGb(
      {
        cloudTrailEventsPerAccountPerDay: 20000,
        flowLogRecordsPerAccountPerDay: 1000000,
        guardDutyFindingsPerAccountPerDay: 10,
        appLogBytesPerAccountPerDay: 524288000,
      },
      1000,
    );
    // 500 MiB × 1,000 × 30 / 1 GiB = 500 × 30,000 / 1,024
    expect(gb.application).toBe(14648.4375);
    // 1e6 × 120 B × 1,000 × 30 / 2^30
    expect(gb.flowLogs).toBeCloseTo(3352.7613, 3);
    // 20,000 × 1,340 B × 1,000 × 30 / 2^30
    expect(gb.cloudTrail).toBeCloseTo(748.7834, 3);
    // 10 × 3,026 B × 1,000 × 30 / 2^30
    expect(gb.guardDuty).toBeCloseTo(0.84546, 4);
  });

  it('re-ingestion: the measured extra bytes go round the stream again', () => {
    // With the stream decompressed before the transform, 2026-12-07: nothing re-ingested.
    expect(measuredReingestExtra).toEqual({ cloudTrail: 0, flowLogs: 0, guardDuty: 0, application: 0 });
    expect(streamTraffic({ cloudTrail: 10, flowLogs: 100, guardDuty: 1, application: 50 }).reingestedGb).toBe(
      0,
    );
    // The arithmetic, at the shares measured with gzip reaching the transform (2026-12-06).
    const t = streamTraffic(
      { cloudTrail: 10, flowLogs: 100, guardDuty: 1, application: 50 },
      { cloudTrail: 0, flowLogs: 2.63, guardDuty: 1.37, application: 3.36 },
    );
    // 0 + 263 + 1.37 + 168
    expect(t.reingestedGb).toBeCloseTo(432.37, 6);
    expect(t.firstPassGb).toBe(161);
    expect(t.totalGb).toBeCloseTo(593.37, 6);
    expect(streamTraffic({ cloudTrail: 10, flowLogs: 0, guardDuty: 0, application: 0 }).reingestedGb).toBe(0);
  });

  it('flow logs: 1,000 GB through CloudWatch Logs and the stream against straight to Firehose', () => {
    const streamCpu = { transform: 82, indexer: 112, alerter: 7.4 };
    const directCpu = { transform: 100, indexArchive: 50 };
    const p = flowLogDeliveryPaths(1000, 2.63, streamCpu, directCpu);
    // Lambda on the stream path: 3,630 GB read × (82 × 1 + 112 × 1 + 7.4 × 0.5) GB-s per GB
    // = 297,660 + 406,560 + 13,431 = 717,651 GB-s × 0.0000133334 USD
    expect(p.lambda.cloudWatchLogs).toBeCloseTo(9.5687278434, 6);
    // stream per GB: 0.08 in + 3 × 0.04 out + 0.029 Firehose + 0.00325 decompression = 0.23225
    // 1,000 × (0.50 + 0.23225) + 1,000 × 2.63 × 0.23225 = 732.25 + 610.8175, + Lambda
    expect(p.cloudWatchLogs).toBeCloseTo(1343.0675 + 9.5687278434, 6);
    // Lambda on the direct path: 1,000 GB × (100 × 1 + 50 × 1) = 150,000 GB-s × 0.0000133334 USD
    expect(p.lambda.firehose).toBeCloseTo(2.00001, 6);
    // 1,000 × (0.25 + 0.13) + Lambda
    expect(p.firehose).toBeCloseTo(382.00001, 6);
    expect(p.cheaper).toBe('firehose');
    // Nothing re-ingested (the measured share now): 732.25 + 1,000 × (82 + 112 + 3.7) × 0.0000133334
    expect(flowLogDeliveryPaths(1000, 0, streamCpu, directCpu).cloudWatchLogs).toBeCloseTo(
      732.25 + 2.63601318,
      6,
    );
  });

  it('Kinesis: on-demand against provisioned for 1,000 GB a month, 3 consumers, peak 3× the mean', () => {
    const k = kinesisModes({ streamGb: 1000, consumers: 3, peakToMean: 3, recordKb: 20, streams: 1 });
    // 730 h × 0.04 + 1,000 × 0.08 + 1,000 × 3 × 0.04 = 29.2 + 80 + 120
    expect(k.onDemand).toBeCloseTo(229.2, 6);
    // peak 1,024,000 MB / 2,628,000 s × 3 = 1.169 MB/s; × 3/2 for the readers = 1.75: 2 shards
    expect(k.shards).toBe(2);
    // 2 × 730 × 0.015 + (1,000 × 1,048,576 / 20) PUT units × 0.014 / 1e6 = 21.9 + 0.7340032
    expect(k.provisioned).toBeCloseTo(22.6340032, 6);
    expect(k.cheaper).toBe('provisioned');
  });

  it('splits what logwarden adds from what exists anyway', () => {
    const rows = [{ usd: 100 }, { usd: 30, existsAnyway: true }, { usd: 5 }];
    expect(splitAdded(rows)).toEqual({ addedUsd: 105, existsAnywayUsd: 30, totalUsd: 135 });
  });
});
