import { Match, Template } from 'aws-cdk-lib/assertions';
import { archivePrefix, errorPrefix, PROCESSOR_BUFFER_MB } from '../../stacks/central/firehose-archive';
import { names } from '../../contracts/names';
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
    expect(archive.ObjectLockConfiguration.Rule.DefaultRetention).toEqual({ Mode: 'COMPLIANCE', Days: 365 });
    expect(archive.LifecycleConfiguration.Rules[0].Transitions).toEqual([
      { StorageClass: 'GLACIER_IR', TransitionInDays: 30 },
      { StorageClass: 'DEEP_ARCHIVE', TransitionInDays: 180 },
    ]);
    expect(archive.LoggingConfiguration.DestinationBucketName).toBeDefined();
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

  it('Object Lock follows the config: GOVERNANCE, or off', () => {
    const raw = exampleConfigRaw();
    const withLock = (mode: string) =>
      templateOf(
        buildExample(
          exampleConfig({ archive: { ...(raw.archive as object), objectLock: { mode, days: 30 } } }),
        ).central,
      );
    const governance = Object.values(
      withLock('GOVERNANCE').findResources('AWS::S3::Bucket', { Properties: { ObjectLockEnabled: true } }),
    );
    expect(governance[0].Properties.ObjectLockConfiguration.Rule.DefaultRetention).toEqual({
      Mode: 'GOVERNANCE',
      Days: 30,
    });
    expect(
      Object.keys(
        withLock('off').findResources('AWS::S3::Bucket', { Properties: { ObjectLockEnabled: true } }),
      ),
    ).toHaveLength(0);
  });

  it('Firehose: the stream as source, the transform as processor with a small buffer, partitioned prefixes, an error prefix', () => {
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
    const params = Object.fromEntries(
      s3.ProcessingConfiguration.Processors[0].Parameters.map(
        (p: { ParameterName: string; ParameterValue: string }) => [p.ParameterName, p.ParameterValue],
      ),
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
      expect(m.DestinationConfig.OnFailure.Destination).toBeDefined();
    }
    t.allResourcesProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
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
    });
  });

  it('the alert topic is encrypted, TLS only, and e-mails the configured addresses', () => {
    t.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'logwarden-alerts',
      KmsMasterKeyId: Match.anyValue(),
    });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ],
      },
    });
  });

  it('health: an alarm for every failure mode, all to the alert topic, and a dashboard', () => {
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual(
      [
        'firehose-behind',
        'indexer-behind',
        'alerter-behind',
        'archive-delivery',
        'transform-processing',
        'transform-errors',
        'indexer-errors',
        'indexer-throttles',
        'alerter-errors',
        'alerter-throttles',
        'rejected-documents',
        'failure-queue-indexer',
        'failure-queue-alerter',
        'cloudtrail-freshness',
        'silent-accounts',
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

  it('every stack stays under 500 resources with 20 governed regions', () => {
    const regions = [
      'us-east-1',
      'us-east-2',
      'us-west-1',
      'us-west-2',
      'ca-central-1',
      'eu-west-1',
      'eu-west-2',
      'eu-west-3',
      'eu-central-1',
      'eu-north-1',
      'eu-south-1',
      'ap-south-1',
      'ap-northeast-1',
      'ap-northeast-2',
      'ap-northeast-3',
      'ap-southeast-1',
      'ap-southeast-2',
      'sa-east-1',
      'me-south-1',
      'af-south-1',
    ];
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
