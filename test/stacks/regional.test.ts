/**
 * `pipeline.regional` (issue 23 §6, docs/pipeline.md "Residency"): the templates of a regional
 * configuration read back. test/stacks/fixtures/regional.config.json governs eu-west-1 (home),
 * eu-central-1 (a pipeline of its own) and us-east-1 with us-west-2 (the group `us`, whose
 * pipeline is in us-east-1, the region the group lists first).
 */
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { archiveGuardScp } from '../../contracts/archive-guard-scp';
import {
  configWarnings,
  describePipelineSearch,
  parseConfig,
  pipelineIngestShare,
  pipelineSearchOf,
  searchSizeOf,
  type LogwardenConfig,
} from '../../contracts/config';
import { recordBytes, dailyIngestBytes } from '../../contracts/search-sizing';
import {
  archiveBucketName,
  centralStreamArn,
  destinationRoleName,
  flowLogsFirehoseArn,
  names,
} from '../../contracts/names';
import { pipelineRegionOf, pipelinesOf } from '../../contracts/pipelines';
import { environmentChecks } from '../../contracts/prerequisites';
import { buildExample, exampleConfig, exampleConfigRaw, templateOf } from './example-app';

const regionalPath = path.join(__dirname, 'fixtures', 'regional.config.json');
const raw = () => JSON.parse(readFileSync(regionalPath, 'utf8')) as Record<string, unknown>;
const config: LogwardenConfig = parseConfig(raw());
const logArchive = config.accounts.logArchive;

/** The config check's lines for `raw`, one a mistake (none when it parses). */
function problemsOf(raw: Record<string, unknown>): string[] {
  try {
    parseConfig(raw);
    return [];
  } catch (err) {
    return (err as Error).message
      .split('\n')
      .slice(1)
      .map((l) => l.trim());
  }
}

describe('pipeline.regional: one pipeline per governed region or region group', () => {
  const built = buildExample(config);
  const centralOf = (region: string) => built.centrals.find((c) => c.region === region)!;

  it('deploys one LogwardenCentral per pipeline region, the home region keeping the id it always had', () => {
    expect(pipelinesOf(config)).toEqual([
      { region: 'eu-west-1', serves: ['eu-west-1'] },
      { region: 'eu-central-1', serves: ['eu-central-1'] },
      { region: 'us-east-1', serves: ['us-east-1', 'us-west-2'] },
    ]);
    expect(built.centrals.map((c) => [c.node.id, c.region, c.account])).toEqual([
      ['LogwardenCentral', 'eu-west-1', logArchive],
      ['LogwardenCentral-eu-central-1', 'eu-central-1', logArchive],
      ['LogwardenCentral-us-east-1', 'us-east-1', logArchive],
    ]);
    expect(built.central).toBe(built.centrals[0]);
  });

  it("each region's destination targets the stream of its own pipeline, and writes with that region's stream key", () => {
    expect(built.destinations.map((d) => d.region)).toEqual(config.governedRegions);
    for (const destination of built.destinations) {
      const at = pipelineRegionOf(config, destination.region);
      expect(at).toBe(destination.region === 'us-west-2' ? 'us-east-1' : destination.region);
      const t = templateOf(destination);
      t.hasResourceProperties('AWS::Logs::Destination', {
        DestinationName: names.logsDestination,
        TargetArn: centralStreamArn(at, logArchive),
      });
      t.hasResourceProperties('AWS::IAM::Role', {
        RoleName: destinationRoleName(destination.region),
        Policies: [
          {
            PolicyDocument: {
              Statement: Match.arrayWith([
                Match.objectLike({
                  Action: ['kinesis:PutRecord', 'kinesis:PutRecords'],
                  Resource: centralStreamArn(at, logArchive),
                }),
                Match.objectLike({
                  Action: 'kms:GenerateDataKey',
                  Resource: `arn:aws:kms:${at}:${logArchive}:key/*`,
                  Condition: Match.objectLike({
                    StringEquals: { 'kms:ViaService': `kinesis.${at}.amazonaws.com` },
                  }),
                }),
              ]),
            },
          },
        ],
      });
    }
  });

  it('each pipeline has its own KMS-encrypted stream', () => {
    for (const { region } of pipelinesOf(config)) {
      const t = templateOf(centralOf(region));
      t.hasResourceProperties('AWS::Kinesis::Stream', {
        Name: names.centralStream,
        StreamEncryption: { EncryptionType: 'KMS', KeyId: Match.anyValue() },
      });
    }
  });

  it('each pipeline archives into an Object-Locked, KMS-encrypted, TLS-only bucket in its own region', () => {
    for (const region of ['eu-west-1', 'eu-central-1', 'us-east-1']) {
      const t = templateOf(centralOf(region));
      t.hasResourceProperties('AWS::S3::Bucket', {
        BucketName: archiveBucketName(logArchive, region),
        ObjectLockEnabled: true,
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({
              ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }),
            }),
          ],
        },
      });
      const policies = Object.values(t.findResources('AWS::S3::BucketPolicy'));
      const tlsOnly = policies.filter((p) =>
        (p.Properties.PolicyDocument.Statement as { Effect: string; Condition?: unknown }[]).some(
          (s) =>
            s.Effect === 'Deny' &&
            JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
        ),
      );
      expect(tlsOnly.length).toBe(policies.length);
      // Its own search domain, in its own region's VPC.
      t.resourceCountIs('AWS::OpenSearchService::Domain', 1);
      t.resourceCountIs('AWS::SNS::Topic', 1);
    }
  });

  it("with flowLogs.delivery firehose, each region's flow-log stream writes its own pipeline's archive", () => {
    for (const destination of built.destinations) {
      const at = pipelineRegionOf(config, destination.region);
      templateOf(destination).hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
        DeliveryStreamName: names.flowLogsFirehose,
        ExtendedS3DestinationConfiguration: Match.objectLike({
          BucketARN: `arn:aws:s3:::${archiveBucketName(logArchive, at)}`,
        }),
      });
    }
    // One cross-account role (IAM is global), allowed to tag every region's flow-log stream.
    const roles = built.destinations.filter(
      (d) =>
        Object.keys(
          templateOf(d).findResources('AWS::IAM::Role', {
            Properties: { RoleName: names.flowLogsFirehoseCrossAccountRole },
          }),
        ).length,
    );
    expect(roles.map((d) => d.region)).toEqual([config.homeRegion]);
    templateOf(roles[0]).hasResourceProperties('AWS::IAM::Role', {
      RoleName: names.flowLogsFirehoseCrossAccountRole,
      Policies: [
        {
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Action: 'firehose:TagDeliveryStream',
                // IAM's minimized policy sorts the ARNs.
                Resource: config.governedRegions.map((r) => flowLogsFirehoseArn(r, logArchive)).sort(),
              }),
            ]),
          },
        },
      ],
    });
  });

  it('names that are per account (IAM roles, dashboards) differ between pipelines; the home pipeline keeps its names', () => {
    const stacks = [...built.centrals, ...built.destinations, built.controlPlane];
    const named = (type: string, field: string) =>
      stacks.flatMap((s) =>
        Object.values(templateOf(s).findResources(type))
          .map((r) => r.Properties[field] as unknown)
          .filter((n): n is string => typeof n === 'string'),
      );
    const roles = named('AWS::IAM::Role', 'RoleName');
    expect(new Set(roles).size).toBe(roles.length);
    expect(roles).toEqual(
      expect.arrayContaining([
        names.alerterRole,
        `${names.alerterRole}-eu-central-1`,
        `${names.alerterRole}-us-east-1`,
        'logwarden-search-setup',
        'logwarden-search-setup-eu-central-1',
        'logwarden-lake-reader-us-east-1',
      ]),
    );
    const dashboards = named('AWS::CloudWatch::Dashboard', 'DashboardName');
    expect(dashboards.sort()).toEqual([
      'logwarden-pipeline',
      'logwarden-pipeline-eu-central-1',
      'logwarden-pipeline-us-east-1',
    ]);
  });

  it("the heal starter trusts every pipeline's alerter by exact ARN, inside the organization only", () => {
    templateOf(built.controlPlane).hasResourceProperties('AWS::IAM::Role', {
      RoleName: names.healStarterRole,
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:PrincipalOrgID': config.organizationId } },
            Principal: {
              AWS: Match.arrayEquals(
                ['', '-eu-central-1', '-us-east-1'].map(
                  (suffix) => `arn:aws:iam::${logArchive}:role/${names.alerterRole}${suffix}`,
                ),
              ),
            },
          }),
        ],
      },
    });
    // Every alerter starts the same workflow, in the control plane's home region.
    for (const central of built.centrals)
      templateOf(central).hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            HEAL_STATE_MACHINE_ARN: `arn:aws:states:${config.homeRegion}:${config.accounts.securityTooling}:stateMachine:${names.coverAccountRegionStateMachine}`,
          }),
        },
      });
  });

  it('only the pipeline the trail feeds watches CloudTrail freshness and expects CloudTrail from every account', () => {
    for (const central of built.centrals) {
      const t = templateOf(central);
      const home = central.region === config.homeRegion;
      expect(
        Object.keys(
          t.findResources('AWS::CloudWatch::Alarm', {
            Properties: { AlarmName: 'logwarden-cloudtrail-freshness' },
          }),
        ),
      ).toHaveLength(home ? 1 : 0);
      const silent = Object.values(t.findResources('AWS::Lambda::Function')).filter(
        (f) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'logwarden-silent-accounts',
      );
      expect(silent).toHaveLength(1);
      expect(silent[0].Properties.Environment.Variables.EXPECT_CLOUD_TRAIL).toBe(home ? undefined : 'false');
    }
  });

  it("the archive guard SCP names every pipeline's archive, key and alias", () => {
    const scp = archiveGuardScp(config);
    const resources = scp.Statement.flatMap((s) => s.Resource);
    for (const region of ['eu-west-1', 'eu-central-1', 'us-east-1']) {
      expect(resources).toContain(`arn:aws:s3:::${archiveBucketName(logArchive, region)}`);
      expect(resources).toContain(`arn:aws:kms:${region}:${logArchive}:key/*`);
      expect(resources).toContain(`arn:aws:kms:${region}:${logArchive}:${names.archiveKeyAlias}`);
    }
    expect(resources).not.toContain(`arn:aws:s3:::${archiveBucketName(logArchive, 'us-west-2')}`);
  });

  it("preflight checks the search domain's zones in every pipeline region", () => {
    expect(environmentChecks(config).map((c) => [c.id, c.check])).toEqual([
      [
        'availability-zones-eu-west-1',
        { kind: 'availability-zones', region: 'eu-west-1', count: 2, zones: ['eu-west-1a', 'eu-west-1b'] },
      ],
      [
        'availability-zones-eu-central-1',
        {
          kind: 'availability-zones',
          region: 'eu-central-1',
          count: 2,
          zones: ['eu-central-1a', 'eu-central-1b'],
        },
      ],
      [
        'availability-zones-us-east-1',
        { kind: 'availability-zones', region: 'us-east-1', count: 2, zones: ['us-east-1a', 'us-east-1b'] },
      ],
    ]);
  });

  it('says at synth time that the organization trail still reaches one pipeline', () => {
    expect(configWarnings(config).map((w) => w.field)).toEqual(
      expect.arrayContaining(['pipeline.regional', 'flowLogs.delivery']),
    );
  });
});

describe('pipeline, by default and when misconfigured', () => {
  it('by default one pipeline in the home region serves every governed region', () => {
    const c = exampleConfig();
    expect(c.pipeline).toEqual({ regional: false });
    expect(pipelinesOf(c)).toEqual([{ region: c.homeRegion, serves: c.governedRegions }]);
    const built = buildExample(c);
    expect(built.centrals.map((s) => s.node.id)).toEqual(['LogwardenCentral']);
  });

  const problems = (pipeline: unknown, extra: Record<string, unknown> = {}) =>
    problemsOf({
      ...exampleConfigRaw(),
      governedRegions: ['eu-west-1', 'eu-central-1', 'us-east-1'],
      pipeline,
      ...extra,
    });

  it('names the field of every mistake', () => {
    expect(problems({ regional: false, regionGroups: { eu: ['eu-west-1'] } })).toEqual([
      '- pipeline.regionGroups: is only for pipeline.regional true',
    ]);
    expect(problems({ regional: true, regionGroups: { eu: ['eu-central-1', 'eu-west-1'] } })).toEqual([
      "- pipeline.regionGroups.eu: must list the home region eu-west-1 first: its pipeline runs in the group's first region and takes the organization trail's events",
    ]);
    expect(
      problems({ regional: true, regionGroups: { a: ['us-east-1', 'ap-south-1'], b: ['us-east-1'] } }),
    ).toEqual([
      '- pipeline.regionGroups.a.1: ap-south-1 is not in governedRegions',
      "- pipeline.regionGroups.b.0: us-east-1 is already in group a: a region's logs go to one pipeline",
    ]);
    expect(problems({ regional: true, regionGroups: { 'EU!': ['eu-west-1'] } })).toEqual([
      '- pipeline.regionGroups.EU!: must be a group name of up to 32 lowercase letters, digits and -',
    ]);
    expect(
      problems({
        regional: true,
        regionGroups: { eu: ['eu-west-1', 'eu-central-1'] },
        availabilityZones: {
          'eu-central-1': ['eu-central-1a', 'eu-central-1b'],
          'us-east-1': ['us-east-1a'],
        },
      }),
    ).toEqual([
      '- pipeline.availabilityZones.eu-central-1: eu-central-1 runs no pipeline (pipeline regions: eu-west-1, us-east-1)',
      '- pipeline.availabilityZones.us-east-1: must name 2 zones (zoneAwareness), got 1',
    ]);
    expect(
      problems(
        { regional: true },
        {
          archive: {
            ...(exampleConfigRaw().archive as object),
            replica: { account: '222222222222', region: 'eu-central-1' },
          },
        },
      ),
    ).toEqual([
      "- archive.replica: is not available with pipeline.regional: one replica would copy every region's archive to one place, which is what the residency option avoids",
    ]);
  });
});

describe("pipeline.regional: each pipeline's search domain sized for its own share", () => {
  /** The fixture with the cluster sized from the ingest (1,000 accounts) instead of by hand. */
  const sizedRaw = (pipeline: Record<string, unknown> = {}) => {
    const r = raw();
    const openSearch: Record<string, unknown> = { ...(r.openSearch as object), expectedAccounts: 1000 };
    delete openSearch.instanceCount;
    delete openSearch.volumeGiB;
    return { ...r, openSearch, pipeline: { ...(r.pipeline as object), ...pipeline } };
  };
  const sized = parseConfig(sizedRaw());
  const domainOf = (stack: Parameters<typeof templateOf>[0]) =>
    Object.values(templateOf(stack).findResources('AWS::OpenSearchService::Domain'))[0].Properties as {
      ClusterConfig: { InstanceCount: number; WarmCount?: number };
      EBSOptions: { VolumeSize: number };
    };

  it('by default splits the ingest: the trail pipeline takes the trail events, the rest by the governed regions each pipeline serves', () => {
    const v = sized.volumes;
    const trail = (v.cloudTrailEventsPerAccountPerDay * recordBytes.cloudTrailEvent) / dailyIngestBytes(v, 1);
    const shares = pipelinesOf(sized).map((p) => pipelineIngestShare(sized, p.region));
    // eu-west-1 takes the organization trail; us-east-1 serves two of the four regions.
    expect(shares[0]).toBeCloseTo(trail + (1 - trail) / 4);
    expect(shares[1]).toBeCloseTo((1 - trail) / 4);
    expect(shares[2]).toBeCloseTo((1 - trail) / 2);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1);
    expect(pipelineIngestShare(exampleConfig(), exampleConfig().homeRegion)).toBe(1);
  });

  it("synthesizes each domain as pipelineSearchOf sizes it, smaller than the organization's, and says how at synth time", () => {
    const built = buildExample(sized);
    const whole = searchSizeOf(sized)!;
    for (const central of built.centrals) {
      const search = pipelineSearchOf(sized, central.region);
      const domain = domainOf(central);
      expect(domain.ClusterConfig.InstanceCount).toBe(search.dataNodes);
      expect(domain.EBSOptions.VolumeSize).toBe(search.volumeGiB);
      expect(domain.ClusterConfig.WarmCount).toBe(search.size!.warm!.nodes);
      expect(search.dataNodes * search.volumeGiB).toBeLessThan(whole.dataNodes * whole.volumeGiB);
      expect(search.size!.dailyIngestGiB).toBeCloseTo(
        whole.dailyIngestGiB * pipelineIngestShare(sized, central.region),
      );
      expect(
        Annotations.fromStack(central).findWarning(
          '*',
          Match.stringLikeRegexp(
            `search domain of the pipeline in ${central.region}: ${search.dataNodes} ×.*pipelineIngestShare`,
          ),
        ),
      ).toHaveLength(1);
    }
  });

  it("a pipeline's own figures in pipeline.openSearch size its domain; the others keep their share", () => {
    const c = parseConfig(
      sizedRaw({ openSearch: { 'us-east-1': { dailyIngestGiB: 40 }, 'eu-central-1': { instanceCount: 6 } } }),
    );
    const us = pipelineSearchOf(c, 'us-east-1');
    const one = searchSizeOf({ ...c, openSearch: { ...c.openSearch, dailyIngestGiB: 40 } })!;
    expect([us.dataNodes, us.volumeGiB]).toEqual([one.dataNodes, one.volumeGiB]);
    expect(us.sizedBy).toBe('for pipeline.openSearch.us-east-1.dailyIngestGiB 40.0 GiB a day');
    const eu = pipelineSearchOf(c, 'eu-central-1');
    expect(eu.dataNodes).toBe(6);
    expect(eu.volumeGiB).toBe(pipelineSearchOf(sized, 'eu-central-1').volumeGiB);
    expect(eu.sizedBy).toMatch(
      /^by pipeline.openSearch.eu-central-1.instanceCount; the rest for .* GiB a day/,
    );
    expect(pipelineSearchOf(c, 'eu-west-1')).toEqual(pipelineSearchOf(sized, 'eu-west-1'));
    expect(describePipelineSearch(c)[2]).toMatch(/^us-east-1: \d+ × r7g.large.search, \d+ GiB gp3 each/);
  });

  it('given by hand (the fixture), every domain has openSearch.instanceCount and .volumeGiB', () => {
    expect(describePipelineSearch(config)).toEqual(
      ['eu-west-1', 'eu-central-1', 'us-east-1'].map(
        (r) =>
          `${r}: 2 × r7g.large.search, 100 GiB gp3 each, sized by openSearch.instanceCount, openSearch.volumeGiB`,
      ),
    );
  });

  it('names the field of every mistake in pipeline.openSearch', () => {
    expect(
      problemsOf(
        sizedRaw({
          regional: false,
          regionGroups: undefined,
          availabilityZones: undefined,
          openSearch: { 'eu-west-1': {} },
        }),
      ),
    ).toEqual(['- pipeline.openSearch: is only for pipeline.regional true']);
    expect(problemsOf(sizedRaw({ openSearch: { 'us-east-1': { dailyIngestGiB: 0, shards: 3 } } }))).toEqual([
      '- pipeline.openSearch.us-east-1.dailyIngestGiB: must be greater than 0',
      '- pipeline.openSearch.us-east-1: Unrecognized key: "shards"',
    ]);
    expect(
      problemsOf(
        sizedRaw({
          openSearch: {
            'us-west-2': { dailyIngestGiB: 10 },
            'eu-central-1': { instanceCount: 2, volumeGiB: 10 },
          },
        }),
      ),
    ).toEqual([
      '- pipeline.openSearch.us-west-2: us-west-2 runs no pipeline (pipeline regions: eu-west-1, eu-central-1, us-east-1)',
      // Two r7g.large nodes can hold it with a larger volume (up to 1.5 TiB each, "EBS volume
      // size quotas"), so the volume is the field to change.
      expect.stringMatching(
        /^- pipeline.openSearch.eu-central-1.volumeGiB: the domain of the pipeline in eu-central-1 cannot hold the retention: 2 data nodes × 10 GiB hold 20 GiB; 7 hot days of .* GiB a day with a replica need/,
      ),
    ]);
    // openSearch.instanceCount enough for eu-central-1, its own volume not: the volume is named.
    const volumeShort = sizedRaw({ openSearch: { 'eu-central-1': { volumeGiB: 10 } } });
    (volumeShort.openSearch as Record<string, unknown>).instanceCount = pipelineSearchOf(
      sized,
      'eu-central-1',
    ).dataNodes;
    expect(problemsOf(volumeShort).filter((p) => p.includes('eu-central-1'))).toEqual([
      expect.stringMatching(
        /^- pipeline.openSearch.eu-central-1.volumeGiB: the domain of the pipeline in eu-central-1 cannot hold the retention: \d+ data nodes × 10 GiB/,
      ),
    ]);
    expect(
      problemsOf(sizedRaw({ openSearch: { 'us-east-1': { volumeGiB: 1600 } } })).filter((p) =>
        p.includes('more than'),
      ),
    ).toEqual([
      // "EBS volume size quotas": R7g.large.search, 1.5 TiB.
      '- pipeline.openSearch.us-east-1.volumeGiB: 1600 GiB is more than the 1536 GiB gp3 volume a r7g.large.search data node takes',
    ]);
    // Given by hand without an ingest figure: each pipeline needs its figures, its own or openSearch's.
    const byHand = raw();
    const openSearch = { ...(byHand.openSearch as Record<string, unknown>) };
    delete openSearch.volumeGiB;
    expect(
      problemsOf({
        ...byHand,
        openSearch,
        pipeline: { ...(byHand.pipeline as object), openSearch: { 'eu-west-1': { volumeGiB: 100 } } },
      }),
    ).toEqual(
      ['eu-central-1', 'us-east-1'].map(
        (r) =>
          `- pipeline.openSearch.${r}.volumeGiB: is required for the pipeline in ${r} (or openSearch.volumeGiB) unless openSearch.dailyIngestGiB, openSearch.expectedAccounts or pipeline.openSearch.${r}.dailyIngestGiB sizes its domain`,
      ),
    );
  });
});
