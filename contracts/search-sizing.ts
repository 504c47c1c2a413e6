/**
 * The OpenSearch cluster sized from the organization: from the expected daily ingest (given, or
 * the scale model's figure from `volumes` and the expected accounts), the primary shards of a
 * daily index, the hot data nodes and their volumes, UltraWarm nodes and cold storage, after the
 * sizing guidance of the Amazon OpenSearch Service Developer Guide (quoted where used). The stack,
 * the synth checks, `npm run scale` and the cost model read this one function.
 */

/**
 * Bytes of one record as it arrives, means of the real samples in test/corpus/: 310 CloudTrail
 * events of cloudtrail-stratus-red-team, the flow-log records of aws-docs-vpc-flow-log-examples
 * (version-2 default format), the findings of guardduty-findings.
 */
export const recordBytes = { cloudTrailEvent: 1340, flowLogRecord: 120, guardDutyFinding: 3026 } as const;

export interface Volumes {
  cloudTrailEventsPerAccountPerDay: number;
  flowLogRecordsPerAccountPerDay: number;
  guardDutyFindingsPerAccountPerDay: number;
  appLogBytesPerAccountPerDay: number;
}

/** Bytes a day the organization sends through the pipeline: the scale model's figure. */
export function dailyIngestBytes(volumes: Volumes, accounts: number): number {
  return (
    accounts *
    (volumes.cloudTrailEventsPerAccountPerDay * recordBytes.cloudTrailEvent +
      volumes.flowLogRecordsPerAccountPerDay * recordBytes.flowLogRecord +
      volumes.guardDutyFindingsPerAccountPerDay * recordBytes.guardDutyFinding +
      volumes.appLogBytesPerAccountPerDay)
  );
}

const GiB = 1024 ** 3;

/**
 * "Source data * (1 + number of replicas) * (1 + indexing overhead) / (1 - Linux reserved space) /
 * (1 - OpenSearch Service overhead) = minimum storage requirement" with indexing overhead 10 %,
 * Linux reserved 5 %, OpenSearch Service overhead 20 % (Developer Guide, "Calculating storage
 * requirements").
 */
export const INDEXING_OVERHEAD = 0.1;
export const STORAGE_FACTOR = (1 + INDEXING_OVERHEAD) / (1 - 0.05) / (1 - 0.2);
/**
 * "Shard size is recommended in a range of 10 GiB to 50 GiB … 30GB to 50GB for log analytics and
 * time-series data processing" (OpenSearch Service Lens, AOSPERF01-BP01).
 */
export const MAX_SHARD_GIB = 50;
export const MIN_SHARD_GIB = 10;
/** "Verify that you have no more than 25 shards per GiB of Java heap" (AOSPERF01-BP01). */
export const SHARDS_PER_HEAP_GIB = 25;
export const REPLICAS = 1;

/**
 * Data-node types logwarden sizes with: memory and largest gp3 volume, the "Maximum EBS size
 * (gp3)" column of the Developer Guide's "EBS volume size quotas" (R7g.large.search 1.5 TiB,
 * xlarge 3 TiB, 2xlarge 6 TiB, 4xlarge 12 TiB, 8xlarge 16 TiB).
 */
export const dataNodeTypes: Record<string, { memoryGiB: number; maxVolumeGiB: number }> = {
  'r7g.large.search': { memoryGiB: 16, maxVolumeGiB: 1536 },
  'r7g.xlarge.search': { memoryGiB: 32, maxVolumeGiB: 3072 },
  'r7g.2xlarge.search': { memoryGiB: 64, maxVolumeGiB: 6144 },
  'r7g.4xlarge.search': { memoryGiB: 128, maxVolumeGiB: 12288 },
  'r7g.8xlarge.search': { memoryGiB: 256, maxVolumeGiB: 16384 },
};

/**
 * Java heap of a data node: "OpenSearch Service limits Java processes memory to 50% of total
 * available memory (max upto 32 GiB). The upper limit of 32 GB doesn't apply to r7g and
 * OpenSearch optimized instances." (Developer Guide, Quotas, "Java process quota").
 */
export function heapGiBOf(instanceType: string): number | undefined {
  const type = dataNodeTypes[instanceType];
  if (!type) return undefined;
  const half = type.memoryGiB / 2;
  return instanceType.startsWith('r7g.') ? half : Math.min(32, half);
}

/**
 * The service's shard limit of one data node on OpenSearch 2.17 and above: "1000 per every 16 GB
 * of heap to a max of 4000", and "The default limit can't be changed" (Developer Guide, Quotas,
 * "Shard count quotas"). Read proportionally (an 8 GiB heap: 500), the lower of the readings, so
 * the shard alarm warns early rather than late. A type sizing does not know: 1,000, the limit of
 * OpenSearch 1.x to 2.15 in the same table.
 */
export const MAX_SHARDS_PER_NODE = 4000;
export function maxShardsPerDataNode(instanceType: string): number {
  const heap = heapGiBOf(instanceType);
  if (heap === undefined) return 1000;
  return Math.min(MAX_SHARDS_PER_NODE, Math.floor((1000 * heap) / 16));
}

/** UltraWarm node types and the most data each addresses (Developer Guide, "UltraWarm storage"). */
export const warmNodeTypes: Record<string, { maxStorageGiB: number }> = {
  'ultrawarm1.medium.search': { maxStorageGiB: 1536 },
  'ultrawarm1.large.search': { maxStorageGiB: 20480 },
};
/** UltraWarm runs at least two nodes. */
export const MIN_WARM_NODES = 2;

export interface SizingInput {
  dailyIngestGiB: number;
  retentionDays: number;
  /** Days a daily index stays on the hot data nodes. */
  hotDays: number;
  /** Days in UltraWarm after that; the rest of the retention in cold storage. 0: no warm and no cold tier. */
  warmDays: number;
  instanceType: string;
  /** Availability zones: the data nodes are a multiple of it. */
  zones: number;
}

export interface ClusterSize {
  dailyIngestGiB: number;
  primaryShardsPerDailyIndex: number;
  shardGiB: number;
  dataNodes: number;
  instanceType: string;
  volumeGiB: number;
  hotStorageGiB: number;
  hotDays: number;
  warm: { nodes: number; instanceType: string; storageGiB: number; days: number } | undefined;
  cold: { storageGiB: number; days: number } | undefined;
}

const roundUpTo = (n: number, step: number) => Math.ceil(n / step) * step;

/** The cluster that holds `retentionDays` of `dailyIngestGiB`; throws naming what cannot fit. */
export function sizeCluster(input: SizingInput): ClusterSize {
  const type = dataNodeTypes[input.instanceType];
  if (!type)
    throw new Error(
      `openSearch.instanceType ${input.instanceType}: sizing knows ${Object.keys(dataNodeTypes).join(', ')}`,
    );
  const hotDays = Math.min(input.hotDays, input.retentionDays);
  const indexGiB = input.dailyIngestGiB * (1 + INDEXING_OVERHEAD);
  const primaries = Math.max(1, Math.ceil(indexGiB / MAX_SHARD_GIB));
  const hotStorageGiB = input.dailyIngestGiB * hotDays * (1 + REPLICAS) * STORAGE_FACTOR;
  const heapGiB = heapGiBOf(input.instanceType)!;
  // Every hot daily index, primaries and replicas, plus a day of margin for the index being opened.
  const hotShards = primaries * (1 + REPLICAS) * (hotDays + 1);
  const byStorage = Math.ceil(hotStorageGiB / type.maxVolumeGiB);
  // The guidance per GiB of heap, never past the service's own limit of a node.
  const shardsPerNode = Math.min(SHARDS_PER_HEAP_GIB * heapGiB, maxShardsPerDataNode(input.instanceType));
  const byShards = Math.ceil(hotShards / shardsPerNode);
  const dataNodes = roundUpTo(Math.max(input.zones, byStorage, byShards, 2), input.zones);
  // Rounded up to 10 GiB, but never past the type's largest volume: byStorage already makes
  // dataNodes × maxVolumeGiB hold the hot storage.
  const volumeGiB = Math.max(10, Math.min(type.maxVolumeGiB, roundUpTo(hotStorageGiB / dataNodes, 10)));
  const tierDays = input.retentionDays - hotDays;
  let warm: ClusterSize['warm'];
  let cold: ClusterSize['cold'];
  if (input.warmDays > 0 && tierDays > 0) {
    const warmDays = Math.min(input.warmDays, tierDays);
    // A warm index keeps no replica on the nodes: UltraWarm keeps its data in S3.
    const storageGiB = indexGiB * warmDays;
    // Medium nodes while ten of them do; large ones beyond.
    const mediumNodes = Math.ceil(storageGiB / warmNodeTypes['ultrawarm1.medium.search'].maxStorageGiB);
    const warmType = mediumNodes <= 10 ? 'ultrawarm1.medium.search' : 'ultrawarm1.large.search';
    warm = {
      nodes: Math.max(MIN_WARM_NODES, Math.ceil(storageGiB / warmNodeTypes[warmType].maxStorageGiB)),
      instanceType: warmType,
      storageGiB,
      days: warmDays,
    };
    const coldDays = tierDays - warmDays;
    if (coldDays > 0) cold = { storageGiB: indexGiB * coldDays, days: coldDays };
  }
  return {
    dailyIngestGiB: input.dailyIngestGiB,
    primaryShardsPerDailyIndex: primaries,
    shardGiB: indexGiB / primaries,
    dataNodes,
    instanceType: input.instanceType,
    volumeGiB,
    hotStorageGiB,
    hotDays,
    warm,
    cold,
  };
}

/** What the retention needs of a cluster given by hand: an empty list when it holds it. */
export function shortfalls(
  size: ClusterSize,
  given: { instanceCount?: number; volumeGiB?: number },
): { field: 'instanceCount' | 'volumeGiB'; message: string }[] {
  const out: { field: 'instanceCount' | 'volumeGiB'; message: string }[] = [];
  const nodes = given.instanceCount ?? size.dataNodes;
  const volume = given.volumeGiB ?? size.volumeGiB;
  if (nodes * volume < size.hotStorageGiB)
    out.push({
      // The field that falls short: the volume when the nodes would have held it at the sized volume.
      field:
        given.volumeGiB !== undefined && nodes * size.volumeGiB >= size.hotStorageGiB
          ? 'volumeGiB'
          : given.instanceCount !== undefined
            ? 'instanceCount'
            : 'volumeGiB',
      message: `${nodes} data nodes × ${volume} GiB hold ${nodes * volume} GiB; ${size.hotDays} hot days of ${size.dailyIngestGiB.toFixed(1)} GiB a day with a replica need ${Math.ceil(size.hotStorageGiB)} GiB (at least ${size.dataNodes} × ${size.volumeGiB} GiB)`,
    });
  if (given.instanceCount !== undefined && given.instanceCount < size.dataNodes && !out.length)
    out.push({
      field: 'instanceCount',
      message: `${given.instanceCount} data nodes hold fewer shards than ${size.hotDays} hot days of ${size.primaryShardsPerDailyIndex}-primary daily indices need (at least ${size.dataNodes})`,
    });
  return out;
}

/**
 * What is wrong with a data node's gp3 volume of `volumeGiB` on `instanceType`: "The minimum and
 * maximum size of an EBS volume depends on the EBS volume type and the instance type to which it
 * is attached" (CloudFormation, AWS::OpenSearchService::Domain EBSOptions, VolumeSize; the
 * per-type maxima of `dataNodeTypes`). Undefined when it fits, or the type is not one sizing knows.
 */
export function volumeProblem(instanceType: string, volumeGiB: number): string | undefined {
  const type = dataNodeTypes[instanceType];
  if (type && volumeGiB > type.maxVolumeGiB)
    return `${volumeGiB} GiB is more than the ${type.maxVolumeGiB} GiB gp3 volume a ${instanceType} data node takes`;
  return undefined;
}

export const bytesToGiB = (bytes: number) => bytes / GiB;

/** One readable description of a sized cluster. */
export function describeCluster(size: ClusterSize): string[] {
  return [
    `daily ingest ${size.dailyIngestGiB.toFixed(1)} GiB → ${size.primaryShardsPerDailyIndex} primary shards per daily index (${size.shardGiB.toFixed(1)} GiB each, 1 replica)`,
    `hot: ${size.dataNodes} × ${size.instanceType}, ${size.volumeGiB} GiB gp3 each (${Math.ceil(size.hotStorageGiB)} GiB for ${size.hotDays} days)`,
    size.warm
      ? `warm: ${size.warm.nodes} × ${size.warm.instanceType} (UltraWarm), ${Math.ceil(size.warm.storageGiB)} GiB for ${size.warm.days} days`
      : 'warm: none',
    size.cold ? `cold: ${Math.ceil(size.cold.storageGiB)} GiB for ${size.cold.days} days` : 'cold: none',
  ];
}
