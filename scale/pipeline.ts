/**
 * The central pipeline's cost per source, in plain arithmetic (issue 26 §2, §3, §5): what each
 * function's duration costs in GB-seconds, the stream traffic the transform's re-ingestion adds,
 * what logwarden adds apart from what an organization already pays, the two delivery paths for
 * flow logs, and Kinesis on-demand against provisioned. Every function here is a formula over its
 * inputs, checked against hand-computed figures in test/scale/pipeline.test.ts.
 */
import { ALERTER_MEMORY_MB, INDEXER_MEMORY_MB, TRANSFORM_MEMORY_MB } from '../contracts/function-runtime';
import { prices } from './prices';

/** A month's CloudWatch Logs input, GB, per source. */
export interface SourceGb {
  cloudTrail: number;
  flowLogs: number;
  guardDuty: number;
  application: number;
}
export type Source = keyof SourceGb;
export const sources: readonly Source[] = ['cloudTrail', 'flowLogs', 'guardDuty', 'application'];

/**
 * Extra stream bytes per stream byte that re-ingestion puts back into Kinesis at the deployed
 * limit (6,000,000 B) and processor buffer (0.25 MB of decompressed records: the central stream
 * decompresses before the transform), per source: `npm run bench -- --per-source` of 2026-12-07
 * (docs/benchmark.md), 0 % of every source's records re-ingested. With gzip reaching the transform
 * (2026-12-06) they were flow logs 2.63, GuardDuty 1.37, application logs 3.36.
 */
export const measuredReingestExtra: Readonly<Record<Source, number>> = {
  cloudTrail: 0,
  flowLogs: 0,
  guardDuty: 0,
  application: 0,
};

/** The three functions that read every stream record. */
export type StreamFunction = 'transform' | 'indexer' | 'alerter';
/** The functions billed per GB of every source: the stream's three, and the Security Lake writer (archive.securityLake). */
export type PipelineFunction = StreamFunction | 'securityLakeWriter';

/**
 * Each function's memory, MB, as its stack configures it (the stacks read the same constants of
 * contracts/function-runtime.ts): the stream's transform, indexer and alerter; the Security Lake
 * writer (stacks/central/security-lake.ts); and on the direct flow-log path the stream's
 * transform (stacks/central/flow-logs-firehose.ts) and index-archive (stacks/central/archive-indexer.ts).
 */
export const functionMemoryMb = {
  transform: TRANSFORM_MEMORY_MB,
  indexer: INDEXER_MEMORY_MB,
  alerter: ALERTER_MEMORY_MB,
  securityLakeWriter: INDEXER_MEMORY_MB,
  directTransform: TRANSFORM_MEMORY_MB,
  indexArchive: INDEXER_MEMORY_MB,
} as const;

/**
 * CPU seconds per GB of CloudWatch Logs input (message bytes), per source and function:
 * `npx tsx bench/functions-cpu.ts` of 2026-12-07 (FUNCTIONS_CPU_MB=2: 2 MB of stream records per
 * source; Node.js 24.22.3, the functions' runtime, with Lambda's heap flags for each function's
 * memory; the first of two runs on the shared x86_64 machine, docs/benchmark.md). The transform
 * is fed the decompressed payloads the central stream's Decompression processor hands it; the
 * indexer and the alerter the stream's gzip records; the Security Lake writer Parquet archive
 * objects of the transform's documents. Flow logs are logwarden's format; application logs the
 * mean of the JSON and plain-text rows. Only the functions' own CPU: the time they wait for
 * OpenSearch, S3 and DynamoDB is billed too and is not in it. The alerter's CloudTrail and
 * GuardDuty figures are of its look at each line before normalizing (issue 26 §2), measured
 * alone on 2026-12-07 (FUNCTIONS_CPU_ONLY=alerter FUNCTIONS_CPU_MB=4, the first of two runs;
 * docs/benchmark.md). The Security Lake writer's figures are of its Parquet writer with all-null
 * leaves written once an object, measured alone (FUNCTIONS_CPU_ONLY=securityLakeWriter
 * FUNCTIONS_CPU_MB=2) the same day, the first of two runs.
 */
export const measuredCpuSecondsPerGb: Readonly<Record<Source, Readonly<Record<PipelineFunction, number>>>> = {
  cloudTrail: { transform: 42.4, indexer: 48.4, alerter: 21.2, securityLakeWriter: 168.2 },
  flowLogs: { transform: 51.2, indexer: 93.3, alerter: 5.7, securityLakeWriter: 636.2 },
  guardDuty: { transform: 58.1, indexer: 57.9, alerter: 21.7, securityLakeWriter: 59.7 },
  application: {
    transform: (36.5 + 20.8) / 2,
    indexer: (61.4 + 63.9) / 2,
    alerter: (4.7 + 8.3) / 2,
    securityLakeWriter: (65.8 + 180.8) / 2,
  },
};

/**
 * The direct flow-log path (flowLogs.delivery firehose): CPU seconds per GB of flow-log lines
 * (logwarden's format, one record a line, at the stream's 0.2 MB processor buffer) of its
 * transform, and of index-archive reading the Parquet objects that transform's documents make.
 * Same run as `measuredCpuSecondsPerGb`.
 */
export const measuredDirectFlowCpuSecondsPerGb = { transform: 140.8, indexArchive: 175.8 } as const;

/** Nothing put back: what reads the archive (the Security Lake writer) sees each record once. */
export const noReingest: Readonly<Record<Source, number>> = {
  cloudTrail: 0,
  flowLogs: 0,
  guardDuty: 0,
  application: 0,
};

/**
 * A function's GB-seconds for a month: every source's GB, re-ingested bytes included (a stream
 * consumer reads them again; pass `noReingest` for one that reads the archive), × its measured
 * seconds per GB × the function's memory in GB.
 */
export function functionGbSeconds(
  fn: PipelineFunction,
  gb: SourceGb,
  memoryGb: number,
  extra: Readonly<Record<Source, number>> = measuredReingestExtra,
  cpu = measuredCpuSecondsPerGb,
): number {
  let total = 0;
  for (const s of sources) total += gbSeconds(gb[s] * (1 + extra[s]), cpu[s][fn], memoryGb);
  return total;
}

/** The sources an organization sends to CloudWatch Logs without logwarden: its applications' logs. */
export const existsWithoutLogwarden: Readonly<Record<Source, boolean>> = {
  cloudTrail: false, // the trail's group is logwarden's (/logwarden/cloudtrail)
  flowLogs: false, // the flow-log control creates the flow logs and their groups
  guardDuty: false, // findings reach CloudWatch Logs through logwarden's rule
  application: true,
};

/**
 * Lambda duration of a function over a month's input: GB-seconds = GB of input × seconds of
 * invocation per GB × the function's memory in GB (Lambda bills duration × configured memory).
 */
export function gbSeconds(inputGb: number, secondsPerGb: number, memoryGb: number): number {
  return inputGb * secondsPerGb * memoryGb;
}

/**
 * The stream traffic of a month with re-ingestion: every byte put back is written to the stream
 * once more and read again by each consumer, and Firehose ingests it again.
 */
export function streamTraffic(gb: SourceGb, extra: Readonly<Record<Source, number>> = measuredReingestExtra) {
  let inGb = 0;
  let reingestedGb = 0;
  for (const s of sources) {
    inGb += gb[s];
    reingestedGb += gb[s] * extra[s];
  }
  return { firstPassGb: inGb, reingestedGb, totalGb: inGb + reingestedGb };
}

/** USD per GB of one path's per-GB meters (a sum of prices). */
const perGb = (...parts: number[]) => parts.reduce((a, b) => a + b, 0);

/**
 * Flow logs, per month, on the two delivery paths into the same transform and archive:
 * - `cloudWatchLogs` (today): vended logs ingested into CloudWatch Logs, the destination puts them
 *   into Kinesis (in), three consumers read them (out), Firehose ingests and decompresses them;
 *   re-ingested bytes go round Kinesis and Firehose again. Lambda: the transform, the indexer and
 *   the alerter, each at its measured CPU for flow records and its memory.
 * - `firehose` (LogDestinationType kinesis-data-firehose with DeliverCrossAccountRole): vended
 *   logs delivered to Firehose, and Firehose's ingestion of vended logs. No stream: the indexer
 *   and alerter do not see the records (the alerter acts on CloudTrail only); Lambda: the direct
 *   stream's transform and index-archive, which indexes its archive objects.
 * `lambda` is each path's Lambda duration, included in its total.
 */
export function flowLogDeliveryPaths(
  flowGb: number,
  reingestExtra = measuredReingestExtra.flowLogs,
  cpu: Readonly<Record<StreamFunction, number>> = measuredCpuSecondsPerGb.flowLogs,
  direct: Readonly<Record<'transform' | 'indexArchive', number>> = measuredDirectFlowCpuSecondsPerGb,
) {
  const consumers = 3;
  const streamPerGb = perGb(
    prices.kinesisOnDemandIngestGb.usd,
    consumers * prices.kinesisOnDemandRetrievalGb.usd,
    prices.firehoseIngestGb.usd,
    // The central stream decompresses before the transform; the direct path's stream does not.
    prices.firehoseCloudWatchLogsDecompressionGb.usd,
  );
  const gbS = (mb: number, secondsPerGb: number, gb: number) => gbSeconds(gb, secondsPerGb, mb / 1024);
  const m = functionMemoryMb;
  const streamRead = flowGb * (1 + reingestExtra);
  const lambda = {
    cloudWatchLogs:
      (gbS(m.transform, cpu.transform, streamRead) +
        gbS(m.indexer, cpu.indexer, streamRead) +
        gbS(m.alerter, cpu.alerter, streamRead)) *
      prices.lambdaArmGbSecond.usd,
    firehose:
      (gbS(m.directTransform, direct.transform, flowGb) + gbS(m.indexArchive, direct.indexArchive, flowGb)) *
      prices.lambdaArmGbSecond.usd,
  };
  const cloudWatchLogs =
    flowGb * perGb(prices.cloudWatchLogsIngestGb.usd, streamPerGb) +
    flowGb * reingestExtra * streamPerGb +
    lambda.cloudWatchLogs;
  const firehose =
    flowGb * perGb(prices.cloudWatchVendedToFirehoseGb.usd, prices.firehoseVendedIngestGb.usd) +
    lambda.firehose;
  return {
    cloudWatchLogs,
    firehose,
    lambda,
    cheaper: firehose < cloudWatchLogs ? 'firehose' : 'cloudWatchLogs',
  } as const;
}

/**
 * Kinesis for a month's stream traffic, on-demand against provisioned. Provisioned shards must take
 * the peak: 1 MB/s (or 1,000 records/s) in per shard, 2 MB/s out shared by the consumers (Kinesis
 * Data Streams Developer Guide, "Quotas and limits"), so shards = peak MB/s in × max(1, consumers / 2).
 * `peakToMean` is an assumption of the caller: the busiest second over the month's mean.
 */
export function kinesisModes(input: {
  streamGb: number;
  consumers: number;
  peakToMean: number;
  recordKb: number;
  streams: number;
}) {
  const { streamGb, consumers, peakToMean, recordKb, streams } = input;
  const HOURS = 730;
  const seconds = HOURS * 3600;
  const onDemand =
    streams * HOURS * prices.kinesisOnDemandStreamHour.usd +
    streamGb * prices.kinesisOnDemandIngestGb.usd +
    streamGb * consumers * prices.kinesisOnDemandRetrievalGb.usd;
  const peakMbPerSecond = ((streamGb * 1024) / seconds) * peakToMean;
  const shards = Math.max(streams, Math.ceil(peakMbPerSecond * Math.max(1, consumers / 2)));
  const records = (streamGb * 1024 * 1024) / recordKb;
  const putUnits = records * Math.ceil(recordKb / 25);
  const provisioned =
    shards * HOURS * prices.kinesisProvisionedShardHour.usd + putUnits * prices.kinesisProvisionedPutUnit.usd;
  return {
    onDemand,
    provisioned,
    shards,
    cheaper: provisioned < onDemand ? 'provisioned' : 'on-demand',
  } as const;
}

/** A cost table's rows split into what logwarden adds and what the organization pays anyway. */
export function splitAdded<T extends { usd: number; existsAnyway?: boolean }>(rows: readonly T[]) {
  const anyway = rows.filter((r) => r.existsAnyway).reduce((a, r) => a + r.usd, 0);
  const total = rows.reduce((a, r) => a + r.usd, 0);
  return { addedUsd: total - anyway, existsAnywayUsd: anyway, totalUsd: total };
}
