import { Match } from 'aws-cdk-lib/assertions';
import { parseConfig, searchSizeOf } from '../../contracts/config';
import {
  dailyIngestBytes,
  dataNodeTypes,
  heapGiBOf,
  MAX_SHARD_GIB,
  maxShardsPerDataNode,
  sizeCluster,
  STORAGE_FACTOR,
} from '../../contracts/search-sizing';
import { ismPolicy } from '../../functions/shared/opensearch/index-model';
import { buildExample, exampleConfigRaw, templateOf } from './example-app';

const raw = exampleConfigRaw();
const sizedOpenSearch = { ...(raw.openSearch as Record<string, unknown>) };
delete sizedOpenSearch.instanceCount;
delete sizedOpenSearch.volumeGiB;
const sized = (extra: Record<string, unknown> = {}) =>
  parseConfig({ ...raw, openSearch: { ...sizedOpenSearch, expectedAccounts: 300, ...extra } });

describe('the search cluster sized from the organization (issue 24 §4)', () => {
  it('300 accounts at the default volumes: about 188 GB a day, shards of 10–50 GiB, storage for the hot days', () => {
    const size = searchSizeOf(sized())!;
    const daily = dailyIngestBytes(sized().volumes, 300) / 1e9;
    expect(daily).toBeGreaterThan(198); // 187.5 GiB = 201 GB
    expect(size.shardGiB).toBeGreaterThanOrEqual(10);
    expect(size.shardGiB).toBeLessThanOrEqual(MAX_SHARD_GIB);
    expect(size.dataNodes * size.volumeGiB).toBeGreaterThanOrEqual(
      size.dailyIngestGiB * 7 * 2 * STORAGE_FACTOR,
    );
    expect(size.dataNodes % 2).toBe(0); // zone awareness over two zones
    expect(size.warm).toMatchObject({ days: 30 });
    expect(size.cold).toMatchObject({ days: 90 - 7 - 30 });
  });

  it('a small organization: one primary shard, two nodes, and a shard never over 50 GiB as ingest grows', () => {
    expect(
      sizeCluster({
        dailyIngestGiB: 2,
        retentionDays: 90,
        hotDays: 7,
        warmDays: 0,
        instanceType: 'r7g.large.search',
        zones: 2,
      }),
    ).toMatchObject({ primaryShardsPerDailyIndex: 1, dataNodes: 2, warm: undefined, cold: undefined });
    for (const daily of [10, 45, 46, 500, 3000]) {
      const s = sizeCluster({
        dailyIngestGiB: daily,
        retentionDays: 90,
        hotDays: 3,
        warmDays: 30,
        instanceType: 'r7g.2xlarge.search',
        zones: 2,
      });
      expect(s.shardGiB).toBeLessThanOrEqual(MAX_SHARD_GIB);
    }
  });

  it('the quotas of the Developer Guide: gp3 maxima, heap and the shard limit of r7g data nodes', () => {
    // "EBS volume size quotas", Maximum EBS size (gp3): R7g.large.search 1.5 TiB, R7g.xlarge 3 TiB,
    // R7g.2xlarge 6 TiB, R7g.4xlarge 12 TiB, R7g.8xlarge 16 TiB.
    const TiB = 1024;
    expect(Object.fromEntries(Object.entries(dataNodeTypes).map(([k, v]) => [k, v.maxVolumeGiB]))).toEqual({
      'r7g.large.search': 1.5 * TiB,
      'r7g.xlarge.search': 3 * TiB,
      'r7g.2xlarge.search': 6 * TiB,
      'r7g.4xlarge.search': 12 * TiB,
      'r7g.8xlarge.search': 16 * TiB,
    });
    // "Java process quota": "OpenSearch Service limits Java processes memory to 50% of total
    // available memory (max upto 32 GiB). The upper limit of 32 GB doesn't apply to r7g".
    expect(heapGiBOf('r7g.4xlarge.search')).toBe(64);
    expect(heapGiBOf('r7g.8xlarge.search')).toBe(128);
    // "Shard count quotas": "OpenSearch 2.17 and above | 1000 per every 16 GB of heap to a max of 4000".
    expect(Object.keys(dataNodeTypes).map(maxShardsPerDataNode)).toEqual([500, 1000, 2000, 4000, 4000]);
    expect(maxShardsPerDataNode('m7g.large.search')).toBe(1000);
    // The 8xlarge's 128 GiB heap counts for the shards it holds (25 per GiB of heap, at most 4,000).
    const many = sizeCluster({
      dailyIngestGiB: 3000,
      retentionDays: 90,
      hotDays: 30,
      warmDays: 0,
      instanceType: 'r7g.8xlarge.search',
      zones: 2,
    });
    const hotShards = many.primaryShardsPerDailyIndex * 2 * (many.hotDays + 1);
    expect(many.dataNodes).toBeGreaterThanOrEqual(Math.ceil(hotShards / 3200));
  });

  it("never sizes a volume past the type's largest gp3 volume: 10 GiB rounding stops at the maximum", () => {
    // 151.3 GiB a day on r7g.large: two nodes need 1,532.9 GiB each, which rounded up to 10 GiB is 1,540.
    const edge = sizeCluster({
      dailyIngestGiB: 151.3,
      retentionDays: 90,
      hotDays: 7,
      warmDays: 0,
      instanceType: 'r7g.large.search',
      zones: 2,
    });
    expect(edge).toMatchObject({ dataNodes: 2, volumeGiB: 1536 });
    expect(edge.dataNodes * edge.volumeGiB).toBeGreaterThanOrEqual(edge.hotStorageGiB);
    for (const [instanceType, type] of Object.entries(dataNodeTypes))
      for (let daily = 1; daily <= 2000; daily += 7.3)
        for (const zones of [1, 2, 3]) {
          const s = sizeCluster({
            dailyIngestGiB: daily,
            retentionDays: 90,
            hotDays: 7,
            warmDays: 0,
            instanceType,
            zones,
          });
          expect(s.volumeGiB).toBeLessThanOrEqual(type.maxVolumeGiB);
          expect(s.dataNodes * s.volumeGiB).toBeGreaterThanOrEqual(s.hotStorageGiB);
          expect(s.dataNodes % zones).toBe(0);
        }
  });

  it("refuses a volume given by hand past the instance type's largest, naming the field", () => {
    expect(() =>
      parseConfig({ ...raw, openSearch: { ...(raw.openSearch as object), volumeGiB: 2000 } }),
    ).toThrow(
      /openSearch\.volumeGiB: 2000 GiB is more than the 1536 GiB gp3 volume a r7g\.large\.search data node takes/,
    );
  });

  it('refuses an odd data-node count over two zones, naming the field', () => {
    // "ValidationException: You must choose an even number of data nodes for a two Availability
    // Zone deployment": OpenSearch Service's answer (cloudposse/terraform-aws-elasticsearch#192).
    expect(() =>
      parseConfig({ ...raw, openSearch: { ...(raw.openSearch as object), instanceCount: 3 } }),
    ).toThrow(
      /openSearch\.instanceCount: 3 data nodes over two Availability Zones \(openSearch.zoneAwareness\): must be even/,
    );
    const oneZone: Record<string, unknown> = {
      ...(raw.openSearch as Record<string, unknown>),
      instanceCount: 3,
      zoneAwareness: false,
    };
    delete oneZone.availabilityZones;
    expect(parseConfig({ ...raw, openSearch: oneZone }).openSearch.instanceCount).toBe(3);
  });

  it('a storage shortfall names the field that falls short: the volume when the nodes would have held it', () => {
    const need = searchSizeOf(sized())!;
    expect(() => sized({ instanceCount: need.dataNodes, volumeGiB: 10 })).toThrow(
      /openSearch\.volumeGiB: cannot hold the retention: \d+ data nodes × 10 GiB/,
    );
    expect(() => sized({ instanceCount: 2, volumeGiB: need.volumeGiB })).toThrow(
      /openSearch\.instanceCount: cannot hold the retention: 2 data nodes/,
    );
  });

  it('synth refuses a size given by hand that cannot hold the retention, naming the field', () => {
    expect(() =>
      parseConfig({ ...raw, openSearch: { ...(raw.openSearch as object), expectedAccounts: 300 } }),
    ).toThrow(/openSearch\.instanceCount: cannot hold the retention: 2 data nodes × 100 GiB hold 200 GiB/);
    expect(() => sized({ dedicatedMasterType: undefined })).toThrow(
      /openSearch\.dedicatedMasterType: is required for UltraWarm/,
    );
  });

  it('the domain as synthesized: derived data nodes and volumes, UltraWarm, cold storage, tiered ISM in the setup', () => {
    const config = sized();
    const size = searchSizeOf(config)!;
    const t = templateOf(buildExample(config).central);
    t.hasResourceProperties('AWS::OpenSearchService::Domain', {
      ClusterConfig: Match.objectLike({
        InstanceCount: size.dataNodes,
        WarmEnabled: true,
        WarmCount: size.warm!.nodes,
        WarmType: size.warm!.instanceType,
        ColdStorageOptions: { Enabled: true },
      }),
      EBSOptions: Match.objectLike({ VolumeSize: size.volumeGiB }),
    });
    t.hasResourceProperties('AWS::CloudFormation::CustomResource', { HotDays: '7', WarmDays: '30' });
    const states = ismPolicy(90, { hotDays: 7, warmDays: 30 }).policy.states as {
      name: string;
      actions: object[];
      transitions: { state_name: string; conditions: { min_index_age: string } }[];
    }[];
    expect(
      states.map((s) => [
        s.name,
        s.actions,
        s.transitions.map((x) => `${x.state_name}@${x.conditions.min_index_age}`),
      ]),
    ).toEqual([
      ['hot', [], ['warm@7d']],
      ['warm', [{ warm_migration: {} }], ['cold@37d']],
      ['cold', [{ cold_migration: { timestamp_field: 'time' } }], ['cold-delete@90d']],
      ['cold-delete', [{ cold_delete: {} }], []],
      ['delete', [{ delete: {} }], []],
    ]);
  });

  it('the alarms AWS recommends for OpenSearch Service, at its thresholds', () => {
    const t = templateOf(buildExample().central);
    const alarm = (name: string) =>
      Object.values(t.findResources('AWS::CloudWatch::Alarm')).find(
        (r) => (r as { Properties: { AlarmName: string } }).Properties.AlarmName === `logwarden-${name}`,
      ) as { Properties: Record<string, unknown> } | undefined;
    // "ClusterStatus.red maximum is >= 1 for 1 minute, 1 consecutive time" … (Developer Guide,
    // "Recommended CloudWatch alarms for Amazon OpenSearch Service").
    expect(alarm('search-cluster-red')?.Properties).toMatchObject({
      MetricName: 'ClusterStatus.red',
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(alarm('search-cluster-yellow')?.Properties).toMatchObject({
      Period: 60,
      EvaluationPeriods: 5,
      Threshold: 1,
    });
    // "we recommend setting it to 25% of the storage space for each node" (MiB).
    expect(alarm('search-free-storage')?.Properties).toMatchObject({
      MetricName: 'FreeStorageSpace',
      Statistic: 'Minimum',
      Threshold: 100 * 1024 * 0.25,
      ComparisonOperator: 'LessThanOrEqualToThreshold',
    });
    expect(alarm('search-writes-blocked')?.Properties).toMatchObject({
      MetricName: 'ClusterIndexWritesBlocked',
      Period: 300,
      Threshold: 1,
    });
    expect(alarm('search-snapshot-failure')?.Properties).toMatchObject({
      MetricName: 'AutomatedSnapshotFailure',
      Period: 60,
      Threshold: 1,
    });
    expect(alarm('search-cpu')?.Properties).toMatchObject({
      MetricName: 'CPUUtilization',
      Period: 900,
      EvaluationPeriods: 3,
      Threshold: 80,
    });
    expect(alarm('search-jvm-pressure')?.Properties).toMatchObject({
      MetricName: 'JVMMemoryPressure',
      Period: 60,
      EvaluationPeriods: 3,
      Threshold: 95,
    });
    expect(alarm('search-5xx')?.Properties).toMatchObject({ Threshold: 10 });
  });
});
