import { Match } from 'aws-cdk-lib/assertions';
import {
  flowLogsCrossAccountRoleArn,
  flowLogsFirehoseArn,
  flowLogsFirehoseSourceRoleArn,
  names,
} from '../../contracts/names';
import { DIRECT_PROCESSOR_BUFFER_MB } from '../../stacks/central/flow-logs-firehose';
import { archivePrefix, errorPrefix, PROCESSOR_BUFFER_MB } from '../../stacks/central/firehose-archive';
import { configWarnings } from '../../contracts/config';
import { buildExample, exampleConfig, exampleConfigRaw, templateOf } from './example-app';

const raw = exampleConfigRaw();
const direct = exampleConfig({
  flowLogs: { ...(raw.flowLogs as Record<string, unknown>), delivery: 'firehose' },
});

describe('flowLogs.delivery firehose (issue 26, What to build 5)', () => {
  const built = buildExample(direct);
  const account = direct.accounts.logArchive;

  it('is off by default: no flow-log stream, no cross-account role, no source role', () => {
    const plain = buildExample(exampleConfig());
    for (const stack of plain.destinations) {
      const t = templateOf(stack);
      t.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 0);
      expect(JSON.stringify(t.toJSON())).not.toContain(names.flowLogsFirehoseCrossAccountRole);
    }
  });

  it('each governed region has a DirectPut stream, tagged for log delivery, encrypted, with its own transform reading flow-log text', () => {
    for (const stack of built.destinations) {
      const t = templateOf(stack);
      t.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
        DeliveryStreamName: names.flowLogsFirehose,
        DeliveryStreamType: 'DirectPut',
        DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' },
        Tags: Match.arrayWith([{ Key: 'LogDeliveryEnabled', Value: 'true' }]),
      });
      t.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ TRANSFORM_INPUT: 'flow-log-text' }) },
      });
      // The stream the control names is the stream the stack makes (contracts/names.ts).
      expect(flowLogsFirehoseArn(stack.region, account)).toBe(
        `arn:aws:firehose:${stack.region}:${account}:deliverystream/${names.flowLogsFirehose}`,
      );
    }
  });

  it('writes the same archive as the central stream: bucket, prefixes, Parquet with the lake table of the home region', () => {
    const central = templateOf(built.central).findResources('AWS::KinesisFirehose::DeliveryStream');
    const centralDest = Object.values(central)[0].Properties.ExtendedS3DestinationConfiguration;
    for (const stack of built.destinations) {
      const streams = templateOf(stack).findResources('AWS::KinesisFirehose::DeliveryStream');
      const dest = Object.values(streams)[0].Properties.ExtendedS3DestinationConfiguration;
      expect(dest.BucketARN).toBe(`arn:aws:s3:::logwarden-archive-${account}-${direct.homeRegion}`);
      expect(dest.Prefix).toBe(archivePrefix);
      expect(dest.ErrorOutputPrefix).toBe(errorPrefix);
      expect(dest.Prefix).toBe(centralDest.Prefix);
      expect(dest.FileExtension).toBe(centralDest.FileExtension);
      expect(dest.DataFormatConversionConfiguration.OutputFormatConfiguration).toEqual(
        centralDest.DataFormatConversionConfiguration.OutputFormatConfiguration,
      );
      const schema = dest.DataFormatConversionConfiguration.SchemaConfiguration;
      expect(schema.Region).toBe(direct.homeRegion);
      expect(schema.TableName).toBe(
        centralDest.DataFormatConversionConfiguration.SchemaConfiguration.TableName,
      );
      // Vended logs only: "If you enable the decompression feature on a stream that is used to
      // ingest both CloudWatch Logs and Vended Logs, the Vended Logs ingestion to Firehose fails"
      // (Firehose Developer Guide, "Decompress CloudWatch Logs").
      expect(dest.ProcessingConfiguration.Processors.map((p: { Type: string }) => p.Type)).toEqual([
        'Lambda',
      ]);
      const buffer = dest.ProcessingConfiguration.Processors[0].Parameters.find(
        (p: { ParameterName: string }) => p.ParameterName === 'BufferSizeInMBs',
      );
      expect(buffer.ParameterValue).toBe(String(DIRECT_PROCESSOR_BUFFER_MB));
    }
    expect(DIRECT_PROCESSOR_BUFFER_MB).toBeLessThanOrEqual(PROCESSOR_BUFFER_MB);
  });

  it('one cross-account role, in the home region: named as VPC Flow Logs requires, trusted only by the members’ source role within the organization', () => {
    const withRole = built.destinations.filter((s) =>
      JSON.stringify(templateOf(s).toJSON()).includes(names.flowLogsFirehoseCrossAccountRole),
    );
    expect(withRole.map((s) => s.region)).toEqual([direct.homeRegion]);
    expect(names.flowLogsFirehoseCrossAccountRole.startsWith('AWSLogDeliveryFirehoseCrossAccountRole')).toBe(
      true,
    );
    expect(flowLogsCrossAccountRoleArn(account)).toBe(
      `arn:aws:iam::${account}:role/${names.flowLogsFirehoseCrossAccountRole}`,
    );
    templateOf(withRole[0]).hasResourceProperties('AWS::IAM::Role', {
      RoleName: names.flowLogsFirehoseCrossAccountRole,
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { AWS: '*' },
            Condition: {
              StringEquals: { 'aws:PrincipalOrgID': direct.organizationId },
              ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::*:role/${names.flowLogsFirehoseSourceRole}` },
            },
          }),
        ],
      },
    });
  });

  it('the member baseline has the source role the control passes, trusted by the log delivery service', () => {
    const t = templateOf(built.memberBaseline);
    t.hasResourceProperties('AWS::IAM::Role', {
      RoleName: names.flowLogsFirehoseSourceRole,
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'delivery.logs.amazonaws.com' } })],
      },
    });
    // The guide's source-role statement: the role may be passed only to the log delivery
    // service, and only for a VPC (VPC User Guide, "IAM roles for cross account delivery").
    t.hasResourceProperties('AWS::IAM::Role', {
      RoleName: names.flowLogsFirehoseSourceRole,
      Policies: Match.arrayWith([
        Match.objectLike({
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Action: 'iam:PassRole',
                Condition: {
                  StringEquals: { 'iam:PassedToService': 'delivery.logs.amazonaws.com' },
                  // arn:aws:ec2:*:<the member's account, a token here>:vpc/*
                  StringLike: { 'iam:AssociatedResourceARN': Match.anyValue() },
                },
              }),
            ]),
          },
        }),
      ]),
    });
    expect(flowLogsFirehoseSourceRoleArn('111111111111')).toBe(
      `arn:aws:iam::111111111111:role/${names.flowLogsFirehoseSourceRole}`,
    );
    const plain = templateOf(buildExample(exampleConfig()).memberBaseline);
    expect(JSON.stringify(plain.toJSON())).not.toContain(names.flowLogsFirehoseSourceRole);
  });
});

describe('flowLogs.delivery in the config', () => {
  it('defaults to cloudwatch-logs; firehose with Regions away from home warns of the cross-Region delivery AWS documents only for HTTP endpoints; anything else names the field', () => {
    expect(exampleConfig().flowLogs.delivery).toBe('cloudwatch-logs');
    expect(configWarnings(direct).map((w) => w.field)).toContain('flowLogs.delivery');
    const homeOnly = exampleConfig({
      governedRegions: [direct.homeRegion],
      flowLogs: { ...(raw.flowLogs as Record<string, unknown>), delivery: 'firehose' },
    });
    expect(configWarnings(homeOnly).map((w) => w.field)).not.toContain('flowLogs.delivery');
    expect(configWarnings(exampleConfig()).map((w) => w.field)).not.toContain('flowLogs.delivery');
    expect(() => exampleConfig({ flowLogs: { delivery: 's3' } })).toThrow(/flowLogs\.delivery/);
  });
});

describe('search for the direct path (stacks/central/archive-indexer.ts)', () => {
  const built = buildExample(direct);
  const central = templateOf(built.central);

  it('the archive sends its events to EventBridge; a rule on the direct path’s objects only feeds an encrypted, TLS-only queue with a dead-letter queue, read by index-archive with partial batch responses', () => {
    // CDK turns eventBridgeEnabled into its bucket-notifications custom resource.
    central.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: { EventBridgeConfiguration: {} },
    });
    central.hasResourceProperties('AWS::Events::Rule', {
      Name: 'logwarden-archive-index-direct-flows',
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: Match.objectLike({
          object: { key: [{ wildcard: `ocsf/source=*/date=*/${names.flowLogsFirehose}-*` }] },
        }),
      },
    });
    central.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: Match.anyValue(),
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 10 }),
    });
    central.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    central.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'logwarden-index-archive' }),
      },
      VpcConfig: Match.anyValue(),
    });
  });

  it('none of it without delivery firehose', () => {
    const plain = templateOf(buildExample(exampleConfig()).central);
    expect(
      Object.keys(
        plain.findResources('AWS::Events::Rule', {
          Properties: { Name: 'logwarden-archive-index-direct-flows' },
        }),
      ),
    ).toHaveLength(0);
  });
});
