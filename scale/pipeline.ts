/**
 * The central pipeline's cost per source, in plain arithmetic (issue 26 §2, §3, §5): what each
 * function's duration costs in GB-seconds, the stream traffic the transform's re-ingestion adds,
 * what logwarden adds apart from what an organization already pays, the two delivery paths for
 * flow logs, and Kinesis on-demand against provisioned. Every function here is a formula over its
 * inputs, checked against hand-computed figures in test/scale/pipeline.test.ts.
 */
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
export type PipelineFunction = 'transform' | 'indexer' | 'alerter';

/**
 * CPU seconds per GB of CloudWatch Logs input (message bytes), per source and function:
 * `npx tsx bench/functions-cpu.ts` of 2026-12-06 (4 MB of stream records per source, Node.js 20 on
 * the shared x86_64 machine; docs/benchmark.md). Flow logs are logwarden's format; application
 * logs the mean of the JSON and plain-text rows. Only the functions' own CPU: the time they wait
 * for OpenSearch, S3 and DynamoDB is billed too and is not in it.
 */
export const measuredCpuSecondsPerGb: Readonly<Record<Source, Readonly<Record<PipelineFunction, number>>>> = {
  cloudTrail: { transform: 33, indexer: 49, alerter: 24.1 },
  flowLogs: { transform: 82, indexer: 112, alerter: 7.4 },
  guardDuty: { transform: 42, indexer: 50, alerter: 35.5 },
  application: { transform: (45 + 66) / 2, indexer: (51 + 75) / 2, alerter: (6.9 + 8.8) / 2 },
};

/**
 * A function's GB-seconds for a month: every source's GB, re-ingested bytes included (the
 * function reads them again), × its measured seconds per GB × the function's memory in GB.
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
 *   re-ingested bytes go round Kinesis and Firehose again.
 * - `firehose` (LogDestinationType kinesis-data-firehose with DeliverCrossAccountRole): vended
 *   logs delivered to Firehose, and Firehose's ingestion of vended logs. No stream: the indexer
 *   and alerter would not see the records (the alerter acts on CloudTrail only, so only search
 *   needs another way in).
 */
export function flowLogDeliveryPaths(flowGb: number, reingestExtra = measuredReingestExtra.flowLogs) {
  const consumers = 3;
  const streamPerGb = perGb(
    prices.kinesisOnDemandIngestGb.usd,
    consumers * prices.kinesisOnDemandRetrievalGb.usd,
    prices.firehoseIngestGb.usd,
    // The central stream decompresses before the transform; the direct path's stream does not.
    prices.firehoseCloudWatchLogsDecompressionGb.usd,
  );
  const cloudWatchLogs =
    flowGb * perGb(prices.cloudWatchLogsIngestGb.usd, streamPerGb) + flowGb * reingestExtra * streamPerGb;
  const firehose = flowGb * perGb(prices.cloudWatchVendedToFirehoseGb.usd, prices.firehoseVendedIngestGb.usd);
  return {
    cloudWatchLogs,
    firehose,
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
