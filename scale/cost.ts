import { searchSizeOf, type LogwardenConfig } from '../contracts/config';
import { dailyIngestBytes, recordBytes } from '../contracts/search-sizing';
import type { CfnTemplate } from '../local/asl';
import { templateFunctions } from '../local/template-functions';
import { names } from '../contracts/names';
import { ensureFlowLogsEnv } from '../functions/ensure-flow-logs/env';
import { ensureGuardDutyEnv } from '../functions/ensure-guardduty/env';
import { variableOf } from '../functions/shared/env';
import { DIRECT_PROCESSOR_BUFFER_MB } from '../stacks/central/flow-logs-firehose';
import { openSearchInstanceHour, prices, pricesAsOf, type Price } from './prices';
import {
  existsWithoutLogwarden,
  flowLogDeliveryPaths,
  functionGbSeconds,
  functionMemoryMb,
  gbSeconds as gbSecondsOf,
  measuredDirectFlowCpuSecondsPerGb,
  kinesisModes,
  noReingest,
  splitAdded,
  streamTraffic,
  type SourceGb,
} from './pipeline';
import type { SimulationReport } from './simulate';

export { recordBytes };

/**
 * Assumptions of the estimate that no measurement here gives; each is printed with the table.
 * - archivedFraction: stored (gzip OCSF) bytes per ingested byte; OCSF adds fields, gzip
 *   removes about 90% of JSON.
 * - pipelineBatchMb: MB per pipeline invocation (Firehose buffer, Kinesis batch).
 * - streamPeakToMean, streamRecordKb: the stream's busiest second over its mean, and its mean
 *   record, for the provisioned-mode comparison only.
 */
export const costAssumptions = {
  archivedFraction: 0.2,
  /**
   * Stored CloudWatch Logs bytes per ingested byte: the AWS Pricing Calculator's "Storage
   * compression factor" of 0.15 ("log volume archived is estimated to be 15% of ingested log
   * volume"); the Logs User Guide adds "26 bytes of metadata per log event" before compression.
   */
  logsStoredFraction: 0.15,
  logsMetadataBytesPerEvent: 26,
  pipelineBatchMb: 1,
  /** Busiest second of the stream over the month's mean (sizes provisioned shards). */
  streamPeakToMean: 3,
  /** Mean Kinesis record: one CloudWatch Logs payload, gzip. */
  streamRecordKb: 20,
} as const;

const GiB = 1024 ** 3;
const DAYS = 30;
const HOURS = 730;

export interface CostRow {
  item: string;
  quantity: number;
  price: Price;
  usd: number;
  /** Paid by the organization without logwarden (its applications' logs in CloudWatch Logs). */
  existsAnyway?: boolean;
}

const row = (item: string, quantity: number, price: Price, existsAnyway = false): CostRow => ({
  item,
  quantity,
  price,
  usd: quantity * price.usd,
  ...(existsAnyway ? { existsAnyway } : {}),
});

/** A search domain's nodes and volumes, as synthesized or as sized. */
export interface SearchDomainNodes {
  instanceType: string;
  dataNodes: number;
  /** gp3 GiB per data node; no storage row without it. */
  volumeGiB?: number;
  masters?: { type: string; count: number };
  warm?: { type: string; count: number };
}

/**
 * The monthly rows of one search domain: data nodes, dedicated masters, gp3 volumes and UltraWarm
 * nodes. A node type without a known price gets no row and is named in `unpriced`.
 */
export function searchDomainRows(domain: SearchDomainNodes): { rows: CostRow[]; unpriced: string[] } {
  const rows: CostRow[] = [];
  const unpriced: string[] = [];
  const nodes = (item: string, count: number, type: string) => {
    const price = openSearchInstanceHour[type];
    if (price) rows.push(row(item, count * HOURS, price));
    else unpriced.push(type);
  };
  nodes(`OpenSearch ${domain.dataNodes} × ${domain.instanceType}`, domain.dataNodes, domain.instanceType);
  if (domain.masters)
    nodes(
      `OpenSearch ${domain.masters.count} × ${domain.masters.type} (masters)`,
      domain.masters.count,
      domain.masters.type,
    );
  if (domain.volumeGiB)
    rows.push(
      row('OpenSearch gp3 storage', domain.volumeGiB * domain.dataNodes, prices.openSearchGp3GbMonth),
    );
  if (domain.warm)
    nodes(
      `OpenSearch ${domain.warm.count} × ${domain.warm.type} (UltraWarm)`,
      domain.warm.count,
      domain.warm.type,
    );
  return { rows, unpriced };
}

/** A month's CloudWatch Logs input per source, GB, at the config's volumes (contracts/search-sizing.ts). */
export function monthlySourceGb(v: LogwardenConfig['volumes'], accounts: number): SourceGb {
  const gb = (perAccountDay: number) => (perAccountDay * accounts * DAYS) / GiB;
  return {
    cloudTrail: gb(v.cloudTrailEventsPerAccountPerDay * recordBytes.cloudTrailEvent),
    flowLogs: gb(v.flowLogRecordsPerAccountPerDay * recordBytes.flowLogRecord),
    guardDuty: gb(v.guardDutyFindingsPerAccountPerDay * recordBytes.guardDutyFinding),
    application: gb(v.appLogBytesPerAccountPerDay),
  };
}

function memoryGbOf(template: CfnTemplate, logicalId: string): number {
  return Number(template.Resources[logicalId]?.Properties?.MemorySize ?? 128) / 1024;
}

/**
 * A month (30 days) of steady state for `accounts` member accounts: the daily sweep as the
 * simulation ran it, and the central pipeline at the configured volumes. Storage is the full
 * steady state of the archive's lifecycle (every tier filled, as after archive.retentionDays).
 */
/**
 * Retention of the log groups logwarden keeps, as synthesized: the trail group's
 * `RetentionInDays` and the days the flow-log and GuardDuty controls set on the groups they
 * create (their functions' environment).
 */
export function ownLogGroupRetention(
  controlPlane: CfnTemplate,
  config: LogwardenConfig,
): { trail?: number; flowLogs: number; findings: number } {
  const trailGroup = Object.values(controlPlane.Resources).find(
    (r) => r.Type === 'AWS::Logs::LogGroup' && r.Properties?.LogGroupName === names.trailLogGroup,
  );
  const fns = templateFunctions(controlPlane, config.homeRegion, config.accounts.securityTooling);
  const envOf = (name: string, variable: string) => {
    const value = fns.find((f) => f.name === name)?.environment[variable];
    if (!value) throw new Error(`the control-plane template has no ${variable} on ${name}`);
    return Number(value);
  };
  return {
    // trail.mode external: the organization's own trail and group, not logwarden's.
    trail: trailGroup ? Number(trailGroup.Properties?.RetentionInDays) : undefined,
    flowLogs: envOf('ensure-flow-logs', variableOf(ensureFlowLogsEnv, 'flowLogRetentionDays')),
    findings: envOf('ensure-guardduty', variableOf(ensureGuardDutyEnv, 'findingsRetentionDays')),
  };
}

export function estimateMonthlyCost(input: {
  report: SimulationReport;
  controlPlane: CfnTemplate;
  central: CfnTemplate;
  config: LogwardenConfig;
  accounts: number;
}) {
  const { report, controlPlane, central, config, accounts } = input;
  const v = config.volumes;
  const rows: CostRow[] = [];
  const notes: string[] = [];

  // The daily sweep: transitions and Lambda as simulated.
  const machines = Object.values(controlPlane.Resources).filter(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (machines.some((m) => m.Properties?.StateMachineType !== 'STANDARD'))
    notes.push('some state machines are not STANDARD; priced as Standard');
  rows.push(
    row(
      'Step Functions, daily sweep (Standard)',
      report.stateTransitions * DAYS,
      prices.stepFunctionsStandardTransition,
    ),
  );
  const fns = templateFunctions(controlPlane, config.homeRegion, config.accounts.securityTooling);
  let gbSeconds = 0;
  let requests = 0;
  for (const [fn, ms] of Object.entries(report.lambdaBusyMs)) {
    const f = fns.find((x) => x.name === fn);
    if (!f) throw new Error(`function ${fn} is not in the control-plane template`);
    gbSeconds += (ms / 1000) * memoryGbOf(controlPlane, f.logicalId) * DAYS;
    requests += (report.lambdaInvocations[fn] ?? 0) * DAYS;
  }
  rows.push(row('Lambda, daily sweep: duration', gbSeconds, prices.lambdaArmGbSecond));
  rows.push(row('Lambda, daily sweep: requests', requests, prices.lambdaRequest));
  // The ledger's writes, and the subscription control's read of its previous row, each priced as
  // a write request unit: the reads cost less, so this errs high.
  rows.push(
    row(
      'DynamoDB ledger requests, daily sweep (reads priced as writes)',
      (report.apiCallsByService.dynamodb ?? 0) * DAYS,
      prices.dynamoDbOnDemandWrite,
    ),
  );

  // The pipeline: every source reaches CloudWatch Logs, then the destination's Kinesis stream;
  // with flowLogs.delivery firehose, flow logs go straight to each Region's Firehose stream
  // instead (no CloudWatch Logs, no Kinesis, no indexer or alerter: scale/pipeline.ts
  // flowLogDeliveryPaths), and the rest of the table prices only what the stream carries.
  const dailyBytes = dailyIngestBytes(v, accounts);
  const bySource = monthlySourceGb(v, accounts);
  const directFlowLogs = config.flowLogs.delivery === 'firehose';
  const streamed: SourceGb = directFlowLogs ? { ...bySource, flowLogs: 0 } : bySource;
  const sum = (keys: (keyof SourceGb)[]) => keys.reduce((a, k) => a + streamed[k], 0);
  const keys = (Object.keys(streamed) as (keyof SourceGb)[]).filter((k) => streamed[k] > 0);
  const monthGb = sum(keys);
  const anyway = keys.filter((k) => existsWithoutLogwarden[k]);
  const added = keys.filter((k) => !existsWithoutLogwarden[k]);
  rows.push(
    row(
      `CloudWatch Logs ingestion (${added.join(', ')}: logwarden's)`,
      sum(added),
      prices.cloudWatchLogsIngestGb,
    ),
  );
  if (directFlowLogs) {
    const m = functionMemoryMb;
    const direct = measuredDirectFlowCpuSecondsPerGb;
    rows.push(
      row(
        'Flow logs delivered straight to Firehose (vended logs, flowLogs.delivery firehose)',
        bySource.flowLogs,
        prices.cloudWatchVendedToFirehoseGb,
      ),
      row('Firehose ingestion of the vended flow logs', bySource.flowLogs, prices.firehoseVendedIngestGb),
      row(
        'Lambda flow-log transform (direct path): duration (measured CPU per GB)',
        gbSecondsOf(bySource.flowLogs, direct.transform, m.directTransform / 1024),
        prices.lambdaArmGbSecond,
      ),
      row(
        `Lambda flow-log transform (direct path): requests (${DIRECT_PROCESSOR_BUFFER_MB} MB processor buffer)`,
        (bySource.flowLogs * 1024) / DIRECT_PROCESSOR_BUFFER_MB,
        prices.lambdaRequest,
      ),
      row(
        'Lambda index-archive (direct path): duration (measured CPU per GB)',
        gbSecondsOf(bySource.flowLogs, direct.indexArchive, m.indexArchive / 1024),
        prices.lambdaArmGbSecond,
      ),
    );
  }
  rows.push(
    row(
      `CloudWatch Logs ingestion (${anyway.join(', ')}: paid anyway)`,
      sum(anyway),
      prices.cloudWatchLogsIngestGb,
      true,
    ),
  );
  // What the transform re-ingests goes round the stream and Firehose again (issue 26 §3).
  const traffic = streamTraffic(streamed);
  // Across Regions: every governed Region's destination puts into the one stream of the home
  // Region, so what members log outside the home Region is sent to another Region. The
  // organization trail's group is in the home Region; the other sources are spread evenly over
  // the governed Regions (an assumption: workloads often sit mostly in the home Region).
  const regionCount = config.governedRegions.length;
  const perRegionDailyBytes =
    accounts *
    (v.flowLogRecordsPerAccountPerDay * recordBytes.flowLogRecord +
      v.guardDutyFindingsPerAccountPerDay * recordBytes.guardDutyFinding +
      v.appLogBytesPerAccountPerDay);
  rows.push(
    row(
      `Data transfer between Regions (${regionCount - 1} of ${regionCount} Regions to the home Region)`,
      (perRegionDailyBytes * ((regionCount - 1) / regionCount) * DAYS) / GiB,
      prices.interRegionTransferGb,
    ),
  );
  // CloudWatch Logs storage of the groups logwarden creates and keeps (the trail's group, flow
  // logs, GuardDuty findings), full at steady state: each holds its retention's worth of days.
  const retention = ownLogGroupRetention(controlPlane, config);
  const storedGb = (days: number, events: number, bytesPerEvent: number) =>
    (days *
      accounts *
      events *
      (bytesPerEvent + costAssumptions.logsMetadataBytesPerEvent) *
      costAssumptions.logsStoredFraction) /
    GiB;
  if (retention.trail !== undefined)
    rows.push(
      row(
        `CloudWatch Logs storage: trail group (${retention.trail} days)`,
        storedGb(retention.trail, v.cloudTrailEventsPerAccountPerDay, recordBytes.cloudTrailEvent),
        prices.cloudWatchLogsStorageGbMonth,
      ),
    );
  else
    notes.push(
      `no log group ${names.trailLogGroup} in the control plane (external trail): its storage left out`,
    );
  if (directFlowLogs) notes.push('flow logs delivered straight to Firehose: no flow-log group is stored');
  else
    rows.push(
      row(
        `CloudWatch Logs storage: members' flow-log groups (${retention.flowLogs} days)`,
        storedGb(retention.flowLogs, v.flowLogRecordsPerAccountPerDay, recordBytes.flowLogRecord),
        prices.cloudWatchLogsStorageGbMonth,
      ),
    );
  rows.push(
    row(
      `CloudWatch Logs storage: GuardDuty findings groups (${retention.findings} days)`,
      storedGb(retention.findings, v.guardDutyFindingsPerAccountPerDay, recordBytes.guardDutyFinding),
      prices.cloudWatchLogsStorageGbMonth,
    ),
  );
  notes.push("not included: storage of the members' own application log groups (their retention is theirs)");
  const streams = Object.values(central.Resources).filter((r) => r.Type === 'AWS::Kinesis::Stream');
  const onDemand = streams.every(
    (s) =>
      (s.Properties?.StreamModeDetails as { StreamMode?: string } | undefined)?.StreamMode === 'ON_DEMAND',
  );
  if (!onDemand) notes.push('the stream is not on-demand; priced as on-demand');
  rows.push(row('Kinesis on-demand: stream-hours', streams.length * HOURS, prices.kinesisOnDemandStreamHour));
  rows.push(
    row('Kinesis on-demand: data in (uncompressed, an upper bound)', monthGb, prices.kinesisOnDemandIngestGb),
  );
  // Firehose, the indexer and the alerter each read the stream.
  const consumers = 3;
  rows.push(
    row(
      `Kinesis on-demand: data out (${consumers} consumers)`,
      monthGb * consumers,
      prices.kinesisOnDemandRetrievalGb,
    ),
  );
  rows.push(row('Firehose ingestion', monthGb, prices.firehoseIngestGb));
  // The central stream decompresses CloudWatch Logs before the transform (issue 26 §3): every
  // record Firehose reads, re-ingested ones too, decompressed (uncompressed size, as above).
  rows.push(
    row(
      'Firehose CloudWatch Logs decompression',
      traffic.firstPassGb > 0 ? monthGb * (traffic.totalGb / traffic.firstPassGb) : monthGb,
      prices.firehoseCloudWatchLogsDecompressionGb,
    ),
  );
  rows.push(
    row(
      'Re-ingested records: Kinesis data in (measured share, docs/benchmark.md)',
      traffic.reingestedGb,
      prices.kinesisOnDemandIngestGb,
    ),
  );
  rows.push(
    row(
      `Re-ingested records: Kinesis data out (${consumers} consumers)`,
      traffic.reingestedGb * consumers,
      prices.kinesisOnDemandRetrievalGb,
    ),
  );
  rows.push(row('Re-ingested records: Firehose ingestion', traffic.reingestedGb, prices.firehoseIngestGb));
  const pipelineFns = [
    ['transform', 'FirehoseArchiveTransform'],
    ['indexer', 'ConsumersIndexer'],
    ['alerter', 'ConsumersAlerter'],
  ] as const;
  for (const [name, prefix] of pipelineFns) {
    const logicalId = Object.keys(central.Resources).find(
      (id) => id.startsWith(prefix) && central.Resources[id].Type === 'AWS::Lambda::Function',
    );
    if (!logicalId) throw new Error(`no ${prefix} function in the central template`);
    // Measured CPU seconds per GB per source (bench/functions-cpu.ts); re-ingested records are
    // read again.
    rows.push(
      row(
        `Lambda ${name}: duration (measured CPU per GB)`,
        functionGbSeconds(name, streamed, memoryGbOf(central, logicalId)),
        prices.lambdaArmGbSecond,
      ),
    );
    rows.push(
      row(
        `Lambda ${name}: requests`,
        (traffic.totalGb * 1024) / costAssumptions.pipelineBatchMb,
        prices.lambdaRequest,
      ),
    );
  }

  // archive.securityLake: the writer reads every archive object once (re-ingested records are
  // archived once), at its measured CPU per GB of each source.
  if (config.archive.securityLake) {
    const writer = templateFunctions(central, config.homeRegion, config.accounts.logArchive).find(
      (f) => f.name === 'security-lake-writer',
    );
    if (!writer)
      throw new Error('archive.securityLake is set and the central template has no security-lake-writer');
    rows.push(
      row(
        'Lambda security-lake-writer: duration (measured CPU per GB)',
        functionGbSeconds('securityLakeWriter', bySource, memoryGbOf(central, writer.logicalId), noReingest),
        prices.lambdaArmGbSecond,
      ),
    );
  }

  // The archive: days in each tier, from the synthesized lifecycle rule.
  const bucket = Object.entries(central.Resources).find(
    ([id, r]) => id.startsWith('ArchiveBucket') && r.Type === 'AWS::S3::Bucket',
  );
  const rule = (
    bucket?.[1].Properties?.LifecycleConfiguration as
      | {
          Rules: {
            ExpirationInDays?: number;
            Transitions?: { StorageClass: string; TransitionInDays: number }[];
          }[];
        }
      | undefined
  )?.Rules.find((r) => r.Transitions?.length);
  if (!rule?.ExpirationInDays) throw new Error('no tiering lifecycle rule on the archive bucket');
  const at = (cls: string) => rule.Transitions!.find((t) => t.StorageClass === cls)?.TransitionInDays;
  const toIr = at('GLACIER_IR') ?? rule.ExpirationInDays;
  const toDeep = at('DEEP_ARCHIVE') ?? rule.ExpirationInDays;
  const storedGbPerDay = (dailyBytes * costAssumptions.archivedFraction) / GiB;
  rows.push(row(`S3 Standard (days 0-${toIr})`, storedGbPerDay * toIr, prices.s3StandardGbMonth));
  rows.push(
    row(
      `S3 Glacier Instant Retrieval (days ${toIr}-${toDeep})`,
      storedGbPerDay * (toDeep - toIr),
      prices.s3GlacierIrGbMonth,
    ),
  );
  rows.push(
    row(
      `S3 Glacier Deep Archive (days ${toDeep}-${rule.ExpirationInDays})`,
      storedGbPerDay * (rule.ExpirationInDays - toDeep),
      prices.s3DeepArchiveGbMonth,
    ),
  );

  // OpenSearch: the domain's instances and volumes as synthesized.
  const domain = Object.values(central.Resources).find((r) => r.Type === 'AWS::OpenSearchService::Domain');
  const cluster = domain?.Properties?.ClusterConfig as
    | {
        InstanceType: string;
        InstanceCount: number;
        DedicatedMasterEnabled?: boolean;
        DedicatedMasterType?: string;
        DedicatedMasterCount?: number;
        WarmEnabled?: boolean;
        WarmType?: string;
        WarmCount?: number;
        ColdStorageOptions?: { Enabled?: boolean };
      }
    | undefined;
  if (cluster) {
    const ebs = domain?.Properties?.EBSOptions as { VolumeSize?: number } | undefined;
    const priced = searchDomainRows({
      instanceType: cluster.InstanceType,
      dataNodes: cluster.InstanceCount,
      volumeGiB: ebs?.VolumeSize,
      masters:
        cluster.DedicatedMasterEnabled && cluster.DedicatedMasterType
          ? { type: cluster.DedicatedMasterType, count: cluster.DedicatedMasterCount ?? 3 }
          : undefined,
      // UltraWarm nodes as synthesized; warm and cold data in managed storage, as the sizing derives it.
      warm:
        cluster.WarmEnabled && cluster.WarmType && cluster.WarmCount
          ? { type: cluster.WarmType, count: cluster.WarmCount }
          : undefined,
    });
    rows.push(...priced.rows);
    for (const type of priced.unpriced) notes.push(`no price known for ${type}: left out`);
    const size = searchSizeOf(config);
    if (size?.warm)
      rows.push(
        row(
          'OpenSearch UltraWarm managed storage',
          size.warm.storageGiB,
          prices.openSearchManagedStorageGbMonth,
        ),
      );
    if (size?.cold && cluster.ColdStorageOptions?.Enabled)
      rows.push(
        row(
          'OpenSearch cold storage (managed storage)',
          size.cold.storageGiB,
          prices.openSearchManagedStorageGbMonth,
        ),
      );
  }
  notes.push(
    `prices: us-east-1, ${pricesAsOf} (scale/prices.ts names each page)`,
    `volumes per account and day (config volumes): ${v.cloudTrailEventsPerAccountPerDay} CloudTrail events × ${recordBytes.cloudTrailEvent} B, ${v.flowLogRecordsPerAccountPerDay} flow-log records × ${recordBytes.flowLogRecord} B, ${v.guardDutyFindingsPerAccountPerDay} GuardDuty findings × ${recordBytes.guardDutyFinding} B, ${(v.appLogBytesPerAccountPerDay / 1024 ** 2).toFixed(0)} MiB app logs`,
    `assumed: archive stores ${costAssumptions.archivedFraction} of the ingested bytes; pipeline functions bill their measured CPU seconds per GB (bench/functions-cpu.ts, waits on OpenSearch, S3 and DynamoDB not included) in ${costAssumptions.pipelineBatchMb} MB batches; not included: event-driven self-heal runs, data transfer other than between Regions, KMS requests, CloudWatch alarms and metrics, S3 requests`,
  );
  const split = splitAdded(rows);
  const paths = flowLogDeliveryPaths(bySource.flowLogs);
  const kinesis = kinesisModes({
    streamGb: traffic.totalGb,
    consumers,
    peakToMean: costAssumptions.streamPeakToMean,
    recordKb: costAssumptions.streamRecordKb,
    streams: streams.length,
  });
  const usd = (x: number) => `$${Math.round(x).toLocaleString('en-US')}`;
  notes.push(
    `logwarden adds ${usd(split.addedUsd)} a month; ${usd(split.existsAnywayUsd)} (application logs in CloudWatch Logs) is paid without it`,
    `flow logs (${bySource.flowLogs.toFixed(0)} GB a month), delivery paths: CloudWatch Logs → Kinesis → 3 consumers ${usd(paths.cloudWatchLogs)} (re-ingestion and the 3 functions' ${usd(paths.lambda.cloudWatchLogs)} included), straight to Firehose ${usd(paths.firehose)} (its transform's and index-archive's ${usd(paths.lambda.firehose)} included; scale/pipeline.ts): ${paths.cheaper === 'firehose' ? 'Firehose is cheaper (built: flowLogs.delivery firehose; nothing re-ingested at its 0.2 MB processor buffer)' : 'CloudWatch Logs is cheaper'}`,
    `Kinesis for ${traffic.totalGb.toFixed(0)} GB a month with re-ingestion: on-demand ${usd(kinesis.onDemand)}, provisioned ${usd(kinesis.provisioned)} (${kinesis.shards} shards at ${costAssumptions.streamPeakToMean}× the mean rate): ${kinesis.cheaper} is cheaper`,
    kinesisCapacityAdvice(config.kinesis.capacity, kinesis),
  );
  return { rows, totalUsd: rows.reduce((a, r) => a + r.usd, 0), notes, split, paths, kinesis };
}

/**
 * What `kinesis.capacity` should say for the modelled organization, against what it says now.
 * Provisioned shards are sized for the model's peak (streamPeakToMean); traffic above it is
 * throttled and CloudWatch Logs retries the delivery, so a bursty organization may still choose
 * on-demand and pay the difference: the line names both.
 */
export function kinesisCapacityAdvice(
  configured: LogwardenConfig['kinesis']['capacity'],
  modes: ReturnType<typeof kinesisModes>,
): string {
  const usd = (x: number) => `$${Math.round(x).toLocaleString('en-US')}`;
  const saving = usd(Math.abs(modes.onDemand - modes.provisioned));
  if (modes.cheaper === 'on-demand')
    return configured === 'on-demand'
      ? 'kinesis.capacity "on-demand" is the cheaper mode at this volume'
      : `kinesis.capacity: set it to "on-demand" (now ${configured} shards): ${saving} a month cheaper at this volume`;
  if (configured === modes.shards)
    return `kinesis.capacity ${configured} (provisioned, sized for ${costAssumptions.streamPeakToMean}× the mean rate) is the cheaper mode at this volume`;
  if (configured === 'on-demand')
    return `kinesis.capacity: set it to ${modes.shards} (provisioned) for this volume, ${saving} a month less than "on-demand" (now); keep "on-demand" only where bursts exceed ${costAssumptions.streamPeakToMean}× the mean rate`;
  return configured < modes.shards
    ? `kinesis.capacity: ${configured} shards (now) are fewer than the ${modes.shards} the modelled peak needs: deliveries above them are throttled and retried by CloudWatch Logs, late`
    : `kinesis.capacity: ${modes.shards} shards hold the modelled peak (now ${configured})`;
}

export function formatCost(
  accounts: number,
  regions: number,
  cost: ReturnType<typeof estimateMonthlyCost>,
): string {
  const usd = (x: number) =>
    `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  const q = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: x < 100 ? 1 : 0 });
  return [
    `monthly cost estimate: ${accounts.toLocaleString('en-US')} accounts × ${regions} regions, 30 days of steady state`,
    ...cost.rows.map(
      (r) =>
        `  ${r.item.padEnd(58)} ${q(r.quantity).padStart(16)} ${r.price.unit.padEnd(44).slice(0, 44)} ${usd(r.usd).padStart(12)}`,
    ),
    `  ${'total'.padEnd(58)} ${''.padStart(16)} ${''.padEnd(44)} ${usd(cost.totalUsd).padStart(12)}`,
    ...cost.notes.map((n) => `  ${n}`),
  ].join('\n');
}
