import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ownerVolumeRuleName } from '../../stacks/central/health';
import {
  archivePrefix,
  CENTRAL_STREAM_DECOMPRESSES,
  errorPrefix,
  PROCESSOR_BUFFER_MB,
} from '../../stacks/central/firehose-archive';
import { names } from '../../contracts/names';
import { searchSizeOf } from '../../contracts/config';
import { seventeenRegions } from '../../scale/model';
import { buildExample, exampleConfig, exampleConfigRaw, templateOf } from './example-app';

const config = exampleConfig();
const built = buildExample(config);
const t = templateOf(built.central);
const only = (type: string) => {
  const all = Object.values(t.findResources(type));
  expect(all).toHaveLength(1);
  return all[0].Properties;
};

describe('central pipeline stack', () => {
  it('every key is customer-managed with rotation; stream, archive, topic and domain each have one', () => {
    t.allResourcesProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const aliases = Object.values(t.findResources('AWS::KMS::Alias')).map((a) => a.Properties.AliasName);
    expect(aliases).toEqual(
      expect.arrayContaining([
        'alias/logwarden-stream',
        'alias/logwarden-archive',
        'alias/logwarden-alerts',
        'alias/logwarden-search',
      ]),
    );
  });

  it("the stream key's policy is the default one: the destination roles' own policies grant their writes", () => {
    // A key-policy Allow to the account narrowed to some roles grants nothing the default
    // statement (IAM delegation) does not already let IAM policies grant: the destination roles'
    // kms:GenerateDataKey is in their own policies (test/stacks/regional.test.ts).
    const stream = only('AWS::Kinesis::Stream');
    const keyId = (stream.StreamEncryption.KeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = t.toJSON().Resources[keyId].Properties.KeyPolicy.Statement as {
      Principal?: { AWS?: unknown };
      Action: string;
    }[];
    expect(statements).toEqual([
      expect.objectContaining({ Action: 'kms:*', Principal: { AWS: expect.anything() } }),
    ]);
  });

  it('archive bucket: SSE-KMS, public access blocked, TLS only, versioned, Object Lock, tiering, access logs', () => {
    const buckets = t.findResources('AWS::S3::Bucket', { Properties: { ObjectLockEnabled: true } });
    const [archive] = Object.values(buckets).map((b) => b.Properties);
    expect(
      archive.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault
        .SSEAlgorithm,
    ).toBe('aws:kms');
    expect(archive.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(archive.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    // per-object (the default): Object Lock on, no default retention, EventBridge notifications on
    expect(archive.ObjectLockEnabled).toBe(true);
    expect(archive.ObjectLockConfiguration?.Rule).toBeUndefined();
    expect(archive.LifecycleConfiguration.Rules[0].Transitions).toEqual([
      { StorageClass: 'GLACIER_IR', TransitionInDays: 30 },
      { StorageClass: 'DEEP_ARCHIVE', TransitionInDays: 180 },
    ]);
    expect(archive.LoggingConfiguration.DestinationBucketName).toBeDefined();
    // expired objects are not kept a second retention period as noncurrent versions
    expect(archive.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(config.archive.retentionDays);
    expect(archive.LifecycleConfiguration.Rules[0].NoncurrentVersionExpiration).toEqual({
      NoncurrentDays: 1,
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  const withArchive = (objectLock: Record<string, unknown>) => {
    const raw = exampleConfigRaw();
    return buildExample(exampleConfig({ archive: { ...(raw.archive as object), objectLock } })).central;
  };
  const archiveOf = (tpl: Template) =>
    Object.values(tpl.findResources('AWS::S3::Bucket')).find(
      (b) => b.Properties.LoggingConfiguration !== undefined,
    )!.Properties;
  const lockWarnings = (stack: Parameters<typeof Annotations.fromStack>[0]) =>
    Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('archive.objectLock is weaker'));

  it('by default every object is locked in COMPLIANCE mode for the whole retention, by the archive-lock function, with no warning', () => {
    expect(config.archive.objectLock).toMatchObject({
      mode: 'COMPLIANCE',
      days: 2557,
      appliedBy: 'per-object',
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ LOCK_MODE: 'COMPLIANCE', LOCK_DAYS: '2557' }) },
    });
    t.hasResourceProperties('AWS::Events::Rule', {
      Name: 'logwarden-archive-lock',
      EventPattern: { source: ['aws.s3'], 'detail-type': ['Object Created'] },
      Targets: [
        Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 } }),
      ],
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['s3:GetObjectRetention', 's3:PutObjectRetention'], Effect: 'Allow' }),
        ]),
      },
    });
    expect(lockWarnings(built.central)).toHaveLength(0);
  });

  it("bucket-default: the bucket's default retention locks objects, and no archive-lock function is built", () => {
    const tpl = templateOf(withArchive({ mode: 'COMPLIANCE', appliedBy: 'bucket-default' }));
    expect(archiveOf(tpl).ObjectLockConfiguration.Rule.DefaultRetention).toEqual({
      Mode: 'COMPLIANCE',
      Days: 2557,
    });
    expect(
      Object.keys(tpl.findResources('AWS::Events::Rule', { Properties: { Name: 'logwarden-archive-lock' } })),
    ).toHaveLength(0);
  });

  it.each([
    [
      { mode: 'GOVERNANCE', acceptWeakerLock: 'legal hold workflow needs it' },
      'GOVERNANCE lock can be lifted',
    ],
    [{ mode: 'off', acceptWeakerLock: 'test organization only' }, 'Object Lock is off'],
    [
      { mode: 'COMPLIANCE', days: 365, acceptWeakerLock: 'cost: one year is the legal minimum' },
      'shorter than the retention',
    ],
  ])('a weaker lock %j is built as chosen and synth prints it as a warning', (lock, why) => {
    const stack = withArchive(lock);
    const warnings = lockWarnings(stack);
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0].entry.data)).toContain(why);
    expect(JSON.stringify(warnings[0].entry.data)).toContain(lock.acceptWeakerLock);
    const archive = archiveOf(templateOf(stack));
    expect(archive.ObjectLockEnabled).toBe(lock.mode !== 'off');
  });

  it('the archive key: only the break-glass role may schedule its deletion, disable it or re-write its policy', () => {
    const keys = Object.values(t.findResources('AWS::KMS::Key'));
    const archiveKey = keys.find((k) =>
      JSON.stringify(k.Properties.KeyPolicy).includes('OnlyBreakGlassDeletesDisablesOrRewritesTheKey'),
    )!;
    expect(keys.filter((k) => k === archiveKey)).toHaveLength(1);
    expect(archiveKey.Properties.BypassPolicyLockoutSafetyCheck).toBe(true);
    const deny = archiveKey.Properties.KeyPolicy.Statement.find(
      (st: { Sid?: string }) => st.Sid === 'OnlyBreakGlassDeletesDisablesOrRewritesTheKey',
    );
    expect(deny).toEqual({
      Sid: 'OnlyBreakGlassDeletesDisablesOrRewritesTheKey',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: expect.arrayContaining(['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:PutKeyPolicy']),
      Resource: '*',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': config.breakGlassRoleArn } },
    });
  });

  it('the archive bucket policy: only the break-glass role may change the Object Lock configuration, the lifecycle, the policy or the replication', () => {
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'OnlyBreakGlassChangesLockLifecycleOrPolicy',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: [
              's3:BypassGovernanceRetention',
              's3:DeleteBucketPolicy',
              's3:PutBucketObjectLockConfiguration',
              's3:PutBucketPolicy',
              's3:PutLifecycleConfiguration',
              's3:PutReplicationConfiguration',
            ],
            Condition: { ArnNotEquals: { 'aws:PrincipalArn': config.breakGlassRoleArn } },
          }),
        ]),
      },
    });
  });

  it('every call on those protections, by anyone, is an alert: EventBridge rules on their CloudTrail events to the alert topic', () => {
    const rules = Object.values(t.findResources('AWS::Events::Rule')).map((r) => r.Properties);
    const kmsRule = rules.find((r) => r.EventPattern.source?.[0] === 'aws.kms')!;
    expect(kmsRule.EventPattern.detail.eventName).toEqual([
      'ScheduleKeyDeletion',
      'DisableKey',
      'PutKeyPolicy',
    ]);
    expect(kmsRule.EventPattern.detail.requestParameters.keyId).toHaveLength(2);
    const s3Rule = rules.find(
      (r) =>
        r.EventPattern.source?.[0] === 'aws.s3' &&
        r.EventPattern['detail-type'][0] === 'AWS API Call via CloudTrail',
    )!;
    expect(s3Rule.EventPattern.detail.eventName).toEqual(
      expect.arrayContaining([
        'PutBucketPolicy',
        'DeleteBucketPolicy',
        'PutBucketLifecycle',
        'PutBucketReplication',
        'DeleteBucketReplication',
      ]),
    );
    for (const rule of [kmsRule, s3Rule]) {
      expect(rule.Targets).toEqual([
        expect.objectContaining({ Arn: { Ref: expect.stringMatching(/^AlertTopic/) } }),
      ]);
    }
  });

  it('Firehose: the stream as source, CloudWatch Logs decompression then the transform with a small buffer, partitioned prefixes, an error prefix', () => {
    const fh = only('AWS::KinesisFirehose::DeliveryStream');
    expect(fh.DeliveryStreamType).toBe('KinesisStreamAsSource');
    const s3 = fh.ExtendedS3DestinationConfiguration;
    expect(s3.Prefix).toBe(archivePrefix);
    expect(s3.Prefix).toContain('!{partitionKeyFromLambda:source}');
    // The account is a column, not a prefix: 500 active partitions would not hold 1,000 accounts.
    expect(s3.Prefix).not.toContain('account');
    expect(s3.Prefix).toContain('!{partitionKeyFromLambda:date}');
    expect(s3.ErrorOutputPrefix).toBe(errorPrefix);
    expect(s3.DynamicPartitioningConfiguration.Enabled).toBe(true);
    expect(s3.EncryptionConfiguration.KMSEncryptionConfig.AWSKMSKeyARN).toBeDefined();
    const processors = s3.ProcessingConfiguration.Processors;
    // Decompression first: the transform is sent the decompressed payload ("This confirms that all
    // input data sent to your Lambda function is decompressed", Firehose Developer Guide, "Enable
    // decompression on an existing Firehose stream"); no CloudWatchLogProcessing, whose message
    // extraction "filters out all metadata, such as owner, loggroup, logstream".
    expect(processors.map((p: { Type: string }) => p.Type)).toEqual(['Decompression', 'Lambda']);
    expect(processors[0].Parameters).toEqual([
      { ParameterName: 'CompressionFormat', ParameterValue: 'GZIP' },
    ]);
    expect(CENTRAL_STREAM_DECOMPRESSES).toBe(true);
    const params = Object.fromEntries(
      processors[1].Parameters.map((p: { ParameterName: string; ParameterValue: string }) => [
        p.ParameterName,
        p.ParameterValue,
      ]),
    );
    expect(Number(params.BufferSizeInMBs)).toBe(PROCESSOR_BUFFER_MB);
    expect(PROCESSOR_BUFFER_MB).toBeGreaterThanOrEqual(0.25);
    expect(PROCESSOR_BUFFER_MB).toBeLessThanOrEqual(1);
  });

  it('indexer and alerter: each on its own enhanced fan-out consumer, bisecting, bounded retries, partial failures, an encrypted on-failure queue', () => {
    const consumers = Object.values(t.findResources('AWS::Kinesis::StreamConsumer')).map(
      (c) => c.Properties.ConsumerName,
    );
    expect(consumers.sort()).toEqual(['logwarden-alerter', 'logwarden-indexer']);
    const mappings = Object.values(t.findResources('AWS::Lambda::EventSourceMapping')).map(
      (m) => m.Properties,
    );
    expect(mappings).toHaveLength(2);
    for (const m of mappings) {
      expect(m.EventSourceArn['Fn::GetAtt'][1]).toBe('ConsumerARN');
      expect(m.BisectBatchOnFunctionError).toBe(true);
      expect(m.MaximumRetryAttempts).toBeGreaterThan(0);
      expect(m.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      // The archive bucket: Lambda writes the whole failed invocation record there.
      expect(m.DestinationConfig.OnFailure.Destination).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^ArchiveBucket/), 'Arn'],
      });
      expect(m.MetricsConfig).toEqual({ Metrics: ['EventCount'] });
    }
    t.allResourcesProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
    // What the destination needs (Lambda docs), and not CDK's read-write grant: no delete.
    const policies = JSON.stringify(Object.values(t.findResources('AWS::IAM::Policy')));
    expect(policies).not.toContain('s3:DeleteObject');
  });

  it.each([
    [24, 23 * 3600],
    [168, 167 * 3600],
    [8760, 7 * 24 * 3600],
  ])(
    'with the stream keeping records %i hours, the mappings discard a record at %i seconds: before the stream trims it',
    (retentionHours, maxAge) => {
      // Lambda Developer Guide, "Retain discarded batch records for a Kinesis Data Streams event
      // source": "If the function is invoked but returns an error, Lambda retries until the
      // records expire, exceed the maximum age (MaximumRecordAgeInSeconds), or reach the
      // configured retry quota". An age equal to the retention lets the stream trim a record as
      // Lambda discards it to the on-failure destination. The range: 60 seconds to 7 days.
      const raw = exampleConfigRaw() as { kinesis: Record<string, unknown> };
      const tpl = templateOf(
        buildExample(exampleConfig({ kinesis: { ...raw.kinesis, retentionHours } })).central,
      );
      const stream = Object.values(tpl.findResources('AWS::Kinesis::Stream'))[0].Properties;
      expect(stream.RetentionPeriodHours).toBe(retentionHours);
      const ages = Object.values(tpl.findResources('AWS::Lambda::EventSourceMapping')).map(
        (m) => m.Properties.MaximumRecordAgeInSeconds,
      );
      expect(ages).toEqual([maxAge, maxAge]);
      for (const age of ages) {
        expect(age).toBeGreaterThanOrEqual(60);
        expect(age).toBeLessThanOrEqual(604_800);
        expect(age).toBeLessThan(retentionHours * 3600);
      }
    },
  );

  it('the indexer and the alerter alarm when Lambda cannot write a discarded batch to the on-failure destination', () => {
    // Lambda Developer Guide, "Types of metrics": "DestinationDeliveryFailures – For asynchronous
    // invocation and supported event source mappings, the number of times that Lambda attempts
    // to send an event to a destination but fails". Without it a lost batch alarms nowhere.
    for (const fn of ['indexer', 'alerter']) {
      const alarms = Object.values(
        t.findResources('AWS::CloudWatch::Alarm', {
          Properties: { AlarmName: `logwarden-${fn}-destination-delivery-failures` },
        }),
      ).map((a) => a.Properties);
      expect(alarms).toHaveLength(1);
      expect(alarms[0]).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'DestinationDeliveryFailures',
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      expect(JSON.stringify(alarms[0].Dimensions)).toContain(`"Name":"FunctionName"`);
    }
  });

  it('the Parquet conversion refusing records alarms (FailedConversion.Records)', () => {
    // Firehose Developer Guide, "Format conversion CloudWatch metrics": "FailedConversion.Records:
    // The number of records that could not be converted".
    const alarm = Object.values(
      t.findResources('AWS::CloudWatch::Alarm', {
        Properties: { AlarmName: 'logwarden-firehose-conversion-failed' },
      }),
    ).map((a) => a.Properties);
    expect(alarm).toHaveLength(1);
    expect(alarm[0]).toMatchObject({
      Namespace: 'AWS/Firehose',
      MetricName: 'FailedConversion.Records',
      Statistic: 'Sum',
      Threshold: 0,
      Dimensions: [{ Name: 'DeliveryStreamName', Value: names.archiveFirehose }],
    });
  });

  it("the search VPC's default security group allows nothing (restrictDefaultSecurityGroup)", () => {
    // A VPC's default security group lets its members reach each other and anything outside;
    // with restrictDefaultSecurityGroup "the default inbound & outbound rules will be removed
    // from the default security group" (CDK API reference, VpcProps), by this custom resource.
    const restrict = Object.values(t.findResources('Custom::VpcRestrictDefaultSG'));
    expect(restrict).toHaveLength(1);
    expect(JSON.stringify(restrict[0].Properties.DefaultSecurityGroupId)).toContain('SearchVpc');
  });

  it('the alerter has reserved concurrency, so a flood elsewhere cannot throttle it', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('tamper alerts'),
      ReservedConcurrentExecutions: config.alerts.alerterReservedConcurrency,
    });
  });

  it('OpenSearch: fine-grained access control, encryption, HTTPS with TLS 1.2+, in a VPC, audit/slow/error logs, no anonymous access', () => {
    const d = only('AWS::OpenSearchService::Domain');
    expect(d.EngineVersion).toBe('OpenSearch_2.19');
    expect(d.AdvancedSecurityOptions).toMatchObject({ Enabled: true, InternalUserDatabaseEnabled: false });
    expect(d.EncryptionAtRestOptions).toMatchObject({ Enabled: true, KmsKeyId: expect.anything() });
    expect(d.NodeToNodeEncryptionOptions).toEqual({ Enabled: true });
    expect(d.DomainEndpointOptions).toEqual({
      EnforceHTTPS: true,
      TLSSecurityPolicy: 'Policy-Min-TLS-1-2-PFS-2023-10',
    });
    expect(d.VPCOptions.SubnetIds).toBeDefined();
    expect(Object.keys(d.LogPublishingOptions).sort()).toEqual([
      'AUDIT_LOGS',
      'ES_APPLICATION_LOGS',
      'INDEX_SLOW_LOGS',
      'SEARCH_SLOW_LOGS',
    ]);
    expect(d.ClusterConfig).toMatchObject({
      InstanceType: 'r7g.large.search',
      InstanceCount: 2,
      ZoneAwarenessEnabled: true,
    });
    expect(JSON.stringify(t.toJSON())).not.toMatch(
      /"Principal":\s*\{\s*"AWS":\s*"\*"\s*\},\s*"Resource":[^}]*SearchDomain/,
    );
    t.hasResourceProperties('AWS::CloudFormation::CustomResource', {
      RetentionDays: '90',
      WriterRoleArns: [Match.anyValue()],
      ReaderRoleArns: config.openSearch.readerRoleArns,
      SetupRoleMapped: 'false',
    });
  });

  it('OpenSearch: the master user is the break-glass role; the setup role reaches the domain only from the setup function', () => {
    const d = only('AWS::OpenSearchService::Domain');
    expect(d.AdvancedSecurityOptions.MasterUserOptions).toEqual({ MasterUserARN: config.breakGlassRoleArn });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'DomainOnlyFromTheSetupFunction',
            Effect: 'Deny',
            Action: 'es:ESHttp*',
            Resource: '*',
            Condition: {
              ArnNotEquals: {
                'lambda:SourceFunctionArn':
                  'arn:aws:lambda:eu-west-1:222222222222:function:logwarden-opensearch-setup',
              },
            },
          },
        ]),
      },
    });
    t.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'logwarden-opensearch-setup' });
    t.hasOutput('*', {
      Value: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('PATCH')])] }),
    });
    expect(
      Annotations.fromStack(built.central).findWarning(
        '*',
        Match.stringLikeRegexp('setupRoleMapped is false'),
      ),
    ).toHaveLength(1);
  });

  it('the setup installs the sized primary shards of a daily index: a large daily ingest, more than one', () => {
    const raw = exampleConfigRaw() as { openSearch: Record<string, unknown> };
    // Sized by the daily ingest, not by hand: without instanceCount and volumeGiB.
    const openSearch = Object.fromEntries(
      Object.entries(raw.openSearch).filter(([k]) => k !== 'instanceCount' && k !== 'volumeGiB'),
    );
    const large = exampleConfig({ openSearch: { ...openSearch, dailyIngestGiB: 300 } });
    const sized = searchSizeOf(large)!;
    expect(sized.primaryShardsPerDailyIndex).toBeGreaterThan(1);
    const setup = Object.values(
      templateOf(buildExample(large).central).findResources('AWS::CloudFormation::CustomResource'),
    )[0].Properties;
    expect(setup.PrimaryShards).toBe(String(sized.primaryShardsPerDailyIndex));
    // The example sizes by hand (no daily ingest): the template file's own count stays.
    const handSized = Object.values(t.findResources('AWS::CloudFormation::CustomResource'))[0].Properties;
    expect(handSized.PrimaryShards).toBeUndefined();
  });

  it('the writer roles are all mapped, whether granted before or after addSetup (a Lazy list)', () => {
    const setup = Object.values(t.findResources('AWS::CloudFormation::CustomResource'))[0].Properties;
    expect(setup.WriterRoleArns).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/Indexer/), 'Arn'] }]);
  });

  it('the alert topic is encrypted, TLS only, and e-mails the configured addresses', () => {
    t.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'logwarden-alerts',
      KmsMasterKeyId: Match.anyValue(),
    });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it("CloudWatch uses the alert key only for this account's alarms; EventBridge's grant carries no source condition, which KMS would never match", () => {
    const keys = t.findResources('AWS::KMS::Key');
    const [alertKeyId] = Object.keys(keys).filter((id) => id.startsWith('AlertKey'));
    const statements = keys[alertKeyId].Properties.KeyPolicy.Statement as {
      Principal?: { Service?: string };
      Condition?: object;
    }[];
    const of = (service: string) => statements.filter((st) => st.Principal?.Service === service);
    expect(of('cloudwatch.amazonaws.com')).toHaveLength(1);
    expect(JSON.stringify(of('cloudwatch.amazonaws.com')[0].Condition)).toMatch(
      /aws:SourceAccount.*aws:SourceArn/,
    );
    // "Adding the aws:SourceAccount and aws:SourceArn to a AWS KMS policy is not supported for
    // EventBridge-to-encrypted topics" (SNS Developer Guide, "Key management", quoted in
    // awslabs/landing-zone-accelerator-on-aws#407): with them every archive-guard alert would
    // fail to publish. The topic policy holds the rules to this account instead.
    expect(of('events.amazonaws.com')).toHaveLength(1);
    expect(JSON.stringify(of('events.amazonaws.com')[0].Condition ?? {})).not.toMatch(/aws:Source/);
    const topicPolicy = Object.values(t.findResources('AWS::SNS::TopicPolicy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Sid?: string; Condition?: object }[])
      .find((st) => st.Sid === 'ArchiveGuardRulesPublish');
    expect(JSON.stringify(topicPolicy?.Condition)).toMatch(/aws:SourceAccount.*aws:SourceArn/);
  });

  it('health: an alarm for every failure mode, all to the alert topic, and a dashboard', () => {
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual(
      [
        'firehose-behind',
        'firehose-decompression-failed',
        'indexer-behind',
        'alerter-behind',
        'archive-delivery',
        'transform-processing',
        'transform-errors',
        'transform-failed-records',
        'transform-reingest-failed',
        'indexer-errors',
        'indexer-throttles',
        'alerter-errors',
        'alerter-throttles',
        'rejected-documents',
        'indexer-failed-records',
        'alerter-failed-records',
        'indexer-on-failure',
        'alerter-on-failure',
        'indexer-dropped',
        'alerter-dropped',
        'indexer-destination-delivery-failures',
        'alerter-destination-delivery-failures',
        'firehose-conversion-failed',
        'alerter-unreadable',
        'transform-invalid-utf8',
        'indexer-invalid-utf8',
        'quarantined-documents',
        'indices-created',
        'search-shards',
        // The alarms AWS recommends for OpenSearch Service (test/stacks/search-sizing.test.ts).
        'search-cluster-red',
        'search-cluster-yellow',
        'search-free-storage',
        'search-writes-blocked',
        'search-snapshot-failure',
        'search-cpu',
        'search-jvm-pressure',
        'search-5xx',
        'archive-lock-failures',
        'owner-volume',
        'cloudtrail-freshness',
        'silent-accounts',
        'archive-guard-key-failed-invocations',
        'archive-guard-bucket-failed-invocations',
        'archive-guard-failures',
      ]
        .map((n) => `logwarden-${n}`)
        .sort(),
    );
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlertTopic/) }]);
    const freshness = alarms.find((a) => a.AlarmName === 'logwarden-cloudtrail-freshness');
    expect(freshness).toMatchObject({
      Period: 30 * 60,
      TreatMissingData: 'breaching',
      MetricName: 'IndexedDocuments',
    });
    only('AWS::CloudWatch::Dashboard');
    const byName = (n: string) => alarms.find((a) => a.AlarmName === `logwarden-${n}`)!;
    // the C2 metrics: namespace logwarden, dimension service = logwarden-<function>
    expect(byName('quarantined-documents')).toMatchObject({
      Namespace: 'logwarden',
      MetricName: 'QuarantinedDocuments',
      Dimensions: [{ Name: 'service', Value: 'logwarden-indexer' }],
    });
    expect(byName('transform-invalid-utf8').Dimensions).toEqual([
      { Name: 'service', Value: 'logwarden-transform' },
    ]);
    expect(byName('indices-created')).toMatchObject({ MetricName: 'IndicesCreated', Period: 3600 });
    // shards: 80 % of the limit, "1000 per every 16 GB of heap to a max of 4000" on OpenSearch
    // 2.17 and above (Developer Guide, "Shard count quotas"): r7g.large.search, 8 GiB of heap, 500
    expect(config.openSearch.instanceType).toBe('r7g.large.search');
    expect(byName('search-shards')).toMatchObject({
      Namespace: 'AWS/ES',
      MetricName: 'Shards.active',
      Threshold: 0.8 * 500 * config.openSearch.instanceCount!,
    });
  });

  it("per-owner volume: a Contributor Insights rule on the indexer's log group sums bytes by owner, and an alarm holds the configured ceiling", () => {
    const rule = only('AWS::CloudWatch::InsightRule');
    expect(rule.RuleName).toBe(ownerVolumeRuleName);
    expect(JSON.parse(rule.RuleBody)).toEqual({
      Schema: { Name: 'CloudWatchLogRule', Version: 1 },
      LogGroupNames: ['/logwarden/pipeline/indexer'],
      LogFormat: 'JSON',
      Contribution: {
        Keys: ['$.owner'],
        ValueOf: '$.bytes',
        Filters: [{ Match: '$.message', In: ['record indexed'] }],
      },
      AggregateOn: 'Sum',
    });
    const alarm = Object.values(t.findResources('AWS::CloudWatch::Alarm')).find(
      (a) => a.Properties.AlarmName === 'logwarden-owner-volume',
    )!.Properties;
    expect(alarm.Threshold).toBe(config.alerts.ownerBytesPerHour);
    expect(alarm.Metrics[0].Expression).toBe(
      `INSIGHT_RULE_METRIC('${ownerVolumeRuleName}', 'MaxContributorValue')`,
    );
    expect(alarm.Metrics[0].Period).toBe(3600);
  });

  it('the alerter can start the self-heal workflow only through the org-scoped starter role', () => {
    const cp = templateOf(built.controlPlane);
    cp.hasResourceProperties('AWS::IAM::Role', {
      RoleName: names.healStarterRole,
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({ Condition: { StringEquals: { 'aws:PrincipalOrgID': config.organizationId } } }),
        ],
      },
    });
    cp.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'states:StartExecution',
            Effect: 'Allow',
            Resource: Match.stringLikeRegexp(':stateMachine:logwarden-cover-account-region$'),
          },
        ],
      },
    });
  });

  it('each user of a table under the state key may kms:Decrypt it only through DynamoDB, for that table', () => {
    // KMS Developer Guide, "How Amazon DynamoDB uses AWS KMS", "Decrypt": "When you access an
    // encrypted DynamoDB table, DynamoDB needs to decrypt the table key [...] The user is the
    // principal in your AWS account who is accessing the table"; "DynamoDB encryption context":
    // aws:dynamodb:tableName. Table.grant with named actions adds no key permission.
    const policies = t.findResources('AWS::IAM::Policy');
    const decryptsFor = (policy: string) =>
      Object.entries(policies)
        .filter(([id]) => id.startsWith(policy))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[])
        .filter(
          (s) => s.Action === 'kms:Decrypt' && JSON.stringify(s.Condition ?? {}).includes('aws:dynamodb'),
        );
    for (const [policy, table] of [
      ['ConsumersAlerterRoleDefaultPolicy', /^ConsumersAlertDedupe/],
      ['ConsumersIndexerServiceRoleDefaultPolicy', /^LastSeenTable/],
      ['LastSeenCheckerServiceRoleDefaultPolicy', /^LastSeenTable/],
    ] as const) {
      expect(decryptsFor(policy)).toEqual([
        {
          Action: 'kms:Decrypt',
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/^StateKey/), 'Arn'] },
          Condition: {
            StringEquals: {
              'kms:ViaService': `dynamodb.${config.homeRegion}.amazonaws.com`,
              'kms:EncryptionContext:aws:dynamodb:tableName': { Ref: expect.stringMatching(table) },
            },
          },
        },
      ]);
    }
  });

  it('every stack stays under 500 resources with 20 governed regions', () => {
    // The scale model's 17 default regions and three opt-in ones.
    const regions = [...seventeenRegions, 'eu-south-1', 'me-south-1', 'af-south-1'];
    const big = buildExample(exampleConfig({ governedRegions: regions }));
    expect(big.destinations).toHaveLength(20);
    for (const stack of [big.central, big.controlPlane, big.memberBaseline, ...big.destinations]) {
      const count = Object.keys(Template.fromStack(stack).toJSON().Resources).length;
      expect({ stack: stack.stackName, under500: count < 500 }).toEqual({
        stack: stack.stackName,
        under500: true,
      });
    }
  });
});

describe('last seen per account per source (issue 10 §3)', () => {
  const t = templateOf(buildExample().central);

  it('the indexer updates the last-seen table through a DynamoDB gateway endpoint; the checker only scans it and lists accounts', () => {
    const fns = Object.values(t.findResources('AWS::Lambda::Function')).map((f) => f.Properties);
    const indexer = fns.find(
      (f) => f.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'logwarden-indexer',
    );
    const checker = fns.find(
      (f) => f.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'logwarden-silent-accounts',
    );
    expect(indexer.Environment.Variables.LAST_SEEN_TABLE).toEqual({
      Ref: expect.stringMatching(/^LastSeenTable/),
    });
    expect(checker.Environment.Variables).toMatchObject({
      LAST_SEEN_TABLE: { Ref: expect.stringMatching(/^LastSeenTable/) },
      SILENT_AFTER_MINUTES: String(26 * 60),
    });
    const endpoints = Object.values(t.findResources('AWS::EC2::VPCEndpoint')).map((e) =>
      JSON.stringify(e.Properties.ServiceName),
    );
    expect(endpoints.some((n) => n.includes('dynamodb'))).toBe(true);
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    );
    const listAccounts = statements.filter((s) => [s.Action].flat().includes('organizations:ListAccounts'));
    // Merged by CDK with the X-Ray actions, which have no resource type either.
    expect(listAccounts).toHaveLength(1);
    expect(listAccounts[0].Resource).toBe('*');
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)' });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'logwarden-silent-accounts',
      MetricName: 'SilentAccounts',
      Dimensions: [{ Name: 'service', Value: 'logwarden-silent-accounts' }],
      TreatMissingData: 'breaching',
    });
  });
});
