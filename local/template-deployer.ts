/**
 * The log-archive account's stacks (LogwardenCentral and LogwardenDestination-<region>) created
 * from their synthesized templates, as CloudFormation creates them: every resource through the
 * stand-ins' own APIs (moto with logwarden's extension, IAM enforced), in the order its
 * references (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `DependsOn`) demand, with each intrinsic resolved
 * where the stack is deployed (local/asl.ts) and the ids the services draw (a KMS key's) read
 * back for the resources that reference them. The policies AWS would evaluate are the
 * template's: the key policies, the bucket, topic and queue policies, the destinations' access
 * policies, the roles' trust and permissions.
 *
 * A resource type the deployer does not know fails the deployment, naming every such type: a
 * new resource in a template is either created here or listed below as emulated elsewhere or not
 * emulated, with why.
 */
import {
  CreateAliasCommand,
  CreateKeyCommand,
  EnableKeyRotationCommand,
  KMSClient,
} from '@aws-sdk/client-kms';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  IncreaseStreamRetentionPeriodCommand,
  KinesisClient,
  RegisterStreamConsumerCommand,
  StartStreamEncryptionCommand,
} from '@aws-sdk/client-kinesis';
import {
  CreateBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketLoggingCommand,
  PutBucketReplicationCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  type BucketLocationConstraint,
  type LifecycleRule,
  type ReplicationConfiguration,
  type ReplicationRule,
} from '@aws-sdk/client-s3';
import {
  CreateTopicCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  CreateTableCommand,
  DynamoDBClient,
  UpdateContinuousBackupsCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutDestinationCommand,
  PutDestinationPolicyCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateDatabaseCommand,
  CreateTableCommand as CreateGlueTableCommand,
  GlueClient,
} from '@aws-sdk/client-glue';
import {
  CreateDeliveryStreamCommand,
  FirehoseClient,
  type CreateDeliveryStreamInput,
} from '@aws-sdk/client-firehose';
import { createClient } from '../functions/shared/clients';
import { physicalName, recordCreated, resolveValue } from './asl';
import { resolveDocument, resourcesOf, type DeployedStack, type IamDeployer } from './deployment';

/** Credentials of a principal of the stack's account that deploys it (CloudFormation's role). */
export type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/**
 * Resource types the local run creates elsewhere, from the same template, or runs in process:
 * not created by this deployer, and not an error.
 */
export const emulatedElsewhere: Readonly<Record<string, string>> = {
  'AWS::Lambda::Function':
    'run in process with the template’s environment and execution role (local/template-functions.ts)',
  'AWS::Lambda::EventSourceMapping':
    'the consumers are drained from the stream by local/pipeline-worker.ts, with their own roles; index-archive’s queue by local/firehose-direct.ts',
  'AWS::Lambda::Permission': 'who invokes a function is the local run (no Lambda service)',
  'AWS::Lambda::EventInvokeConfig': 'asynchronous invocation is not emulated (functions run in process)',
  'AWS::Events::Rule':
    'rules are loaded from each deployed stack by the local EventBridge (local/event-bus.ts)',
  'AWS::KinesisFirehose::DeliveryStream':
    'the central stream’s (Kinesis as source): local/firehose-driver.ts, with the delivery stream’s role and the template’s prefixes; a DirectPut stream (flowLogs.delivery firehose) is created here on the stand-in and its deliveries driven by local/firehose-direct.ts',
  'AWS::OpenSearchService::Domain':
    'the local OpenSearch node with its security plugin (local/opensearch.ts)',
  'Custom::OpenSearchAccessPolicy': 'the domain’s access policy: not evaluated (docs/local-run.md)',
  'AWS::CloudFormation::CustomResource':
    'the search setup, run by local/scenario/search.ts as CloudFormation runs it',
  'Custom::CloudwatchLogResourcePolicy':
    'OpenSearch’s log publishing to CloudWatch Logs (the local node keeps its logs)',
  'AWS::StepFunctions::StateMachine':
    'created on the stand-in’s Step Functions from the template and run in aws-local-stepfunctions (local/control-plane.ts)',
  'AWS::Events::EventBus': 'created with its policy by deployEventBuses (local/deployment.ts)',
  'AWS::Events::EventBusPolicy': 'created with its bus by deployEventBuses (local/deployment.ts)',
  'AWS::CloudFormation::StackSet':
    'its TemplateBody is deployed in every account and Region of its instances (local/deployment.ts)',
};

/** Resource types not emulated at all, and why. */
export const notEmulated: Readonly<Record<string, string>> = {
  'AWS::Athena::WorkGroup':
    'Athena is not emulated: the lake’s named queries run on Trino, Athena engine v3’s engine (docs/lake.md)',
  'AWS::Athena::NamedQuery':
    'Athena is not emulated: the lake’s named queries run on Trino from contracts/lake.ts (docs/lake.md)',
  'AWS::CloudWatch::Alarm': 'no metrics are emitted locally',
  'AWS::Scheduler::Schedule':
    'EventBridge Scheduler is not emulated: the run starts the sweep itself (`logwarden sweep`, local/scenario/adoption.ts)',
  'AWS::CloudWatch::Dashboard': 'no metrics are emitted locally',
  'AWS::CloudWatch::InsightRule': 'no metrics are emitted locally',
  'AWS::EC2::VPC': 'the search domain’s network: the local node listens on loopback',
  'AWS::EC2::Subnet': 'the search domain’s network',
  'AWS::EC2::RouteTable': 'the search domain’s network',
  'AWS::EC2::SubnetRouteTableAssociation': 'the search domain’s network',
  'AWS::EC2::VPCEndpoint': 'the search domain’s network',
  'AWS::EC2::SecurityGroup': 'the search domain’s network',
  'AWS::EC2::SecurityGroupIngress': 'the search domain’s network',
  'AWS::EC2::FlowLog': 'the search VPC’s own flow log: the VPC is not emulated',
  'Custom::VpcRestrictDefaultSG':
    'the search VPC’s default security group losing its rules: the VPC is not emulated',
};

/** The clients a stack instance is created with: its account's deployer, in its region. */
function clientsOf(stack: DeployedStack, credentials: Credentials) {
  const where = { region: stack.region, credentials };
  return {
    kms: new KMSClient(where),
    kinesis: createClient(KinesisClient, {
      region: stack.region,
      http1: true,
      credentials: async () => credentials,
    }),
    s3: new S3Client(where),
    sns: new SNSClient(where),
    sqs: new SQSClient(where),
    dynamodb: new DynamoDBClient(where),
    logs: new CloudWatchLogsClient(where),
    glue: new GlueClient(where),
    firehose: new FirehoseClient(where),
  };
}

type Resource = ReturnType<typeof resourcesOf>[number][1] & { DependsOn?: string | string[] };

/** The logical ids a value references (`Ref`, `Fn::GetAtt`, `Fn::Sub`'s `${X}` and `${X.Attr}`). */
function referencesIn(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => referencesIn(v, out));
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.Ref === 'string' && !o.Ref.startsWith('AWS::')) out.add(o.Ref);
    if (Array.isArray(o['Fn::GetAtt'])) out.add(String(o['Fn::GetAtt'][0]));
    if (o['Fn::Sub'] !== undefined) {
      const text = Array.isArray(o['Fn::Sub']) ? String(o['Fn::Sub'][0]) : String(o['Fn::Sub']);
      for (const m of text.matchAll(/\$\{([^!}][^}.]*)(?:\.[^}]*)?\}/g))
        if (!m[1].startsWith('AWS::')) out.add(m[1]);
    }
    Object.values(o).forEach((v) => referencesIn(v, out));
  }
  return out;
}

/** The stack's resources in an order CloudFormation could create them: each after what it references. */
export function creationOrder(stack: DeployedStack): [string, Resource][] {
  const resources = new Map(resourcesOf(stack) as [string, Resource][]);
  const order: [string, Resource][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]) => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting')
      throw new Error(`${stack.stackName}: circular references ${[...path, id].join(' → ')}`);
    state.set(id, 'visiting');
    const r = resources.get(id)!;
    const deps = referencesIn(r.Properties);
    for (const d of ([] as string[]).concat(r.DependsOn ?? [])) deps.add(d);
    for (const d of deps) if (resources.has(d) && d !== id) visit(d, [...path, id]);
    state.set(id, 'done');
    order.push([id, r]);
  };
  for (const id of resources.keys()) visit(id, []);
  return order;
}

/** Types this deployer creates (below), and those it leaves to others. */
const creators = new Set([
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::KMS::Key',
  'AWS::KMS::Alias',
  'AWS::Kinesis::Stream',
  'AWS::Kinesis::StreamConsumer',
  'AWS::S3::Bucket',
  'AWS::S3::BucketPolicy',
  'Custom::S3BucketNotifications',
  'AWS::SNS::Topic',
  'AWS::SNS::TopicPolicy',
  'AWS::SNS::Subscription',
  'AWS::SQS::Queue',
  'AWS::SQS::QueuePolicy',
  'AWS::DynamoDB::Table',
  'AWS::Logs::LogGroup',
  'AWS::Logs::LogStream',
  'AWS::Logs::Destination',
  'AWS::Glue::Database',
  'AWS::Glue::Table',
]);

/** A Firehose stream VPC Flow Logs put into (flowLogs.delivery firehose), created by this deployer. */
export function isDirectPutStream(r: { Type: string; Properties?: Record<string, unknown> }): boolean {
  return (
    r.Type === 'AWS::KinesisFirehose::DeliveryStream' && r.Properties?.DeliveryStreamType === 'DirectPut'
  );
}

/** Every resource type of the stack that is neither created here nor listed as elsewhere or not emulated. */
export function unknownResourceTypes(stack: DeployedStack): string[] {
  const known = (t: string) => creators.has(t) || t in emulatedElsewhere || t in notEmulated;
  return [...new Set(resourcesOf(stack).map(([, r]) => r.Type))].filter((t) => !known(t)).sort();
}

/** Properties of a resource this deployer does not apply: an error, never silently dropped. */
function refuseOthers(stack: DeployedStack, logicalId: string, r: Resource, applied: string[]) {
  // Tags enter no decision here: no policy of these stacks has a tag condition key
  // (aws:ResourceTag, aws:RequestTag, aws:PrincipalTag); the test of this file checks it.
  const extra = Object.keys(r.Properties ?? {}).filter((k) => !applied.includes(k) && k !== 'Tags');
  if (extra.length)
    throw new Error(
      `${stack.stackName}/${logicalId} (${r.Type}): properties the local deployer does not apply: ${extra.join(', ')}`,
    );
}

/**
 * Creates every resource of a stack instance, in its account and region, from its template; the
 * roles and policies through `iam` (the root of the account, as local/deployment.ts's deployIam),
 * everything else with `credentials`. Returns the logical ids created, in order.
 */
export async function deployTemplate(
  stack: DeployedStack,
  credentials: Credentials,
  iam: IamDeployer,
): Promise<string[]> {
  const unknown = unknownResourceTypes(stack);
  if (unknown.length)
    throw new Error(
      `${stack.stackName}: resource types the local deployer neither creates nor lists as emulated elsewhere or not emulated (local/template-deployer.ts): ${unknown.join(', ')}`,
    );
  const c = clientsOf(stack, credentials);
  const where = { account: stack.account, region: stack.region };
  const value = (v: unknown) => resolveValue(stack.template, v, stack.region, stack.account);
  const optional = (v: unknown) => (v === undefined ? undefined : value(v));
  const doc = (v: unknown) => JSON.stringify(resolveDocument(stack, v));
  const created: string[] = [];
  for (const [logicalId, r] of creationOrder(stack)) {
    if (!creators.has(r.Type) && !isDirectPutStream(r)) continue;
    const p = (r.Properties ?? {}) as Record<string, unknown>;
    const applied = (...keys: string[]) => refuseOthers(stack, logicalId, r, keys);
    const name = () => physicalName(stack.template, logicalId);
    switch (r.Type) {
      case 'AWS::IAM::Role': {
        applied(
          'RoleName',
          'AssumeRolePolicyDocument',
          'Policies',
          'ManagedPolicyArns',
          'Description',
          'MaxSessionDuration',
        );
        await iam.createRole(
          stack.account,
          name(),
          doc(p.AssumeRolePolicyDocument),
          p.MaxSessionDuration === undefined ? undefined : Number(value(p.MaxSessionDuration)),
        );
        for (const policy of (p.Policies as { PolicyName: string; PolicyDocument: unknown }[]) ?? [])
          await iam.putRolePolicy(stack.account, name(), policy.PolicyName, doc(policy.PolicyDocument));
        for (const arn of (p.ManagedPolicyArns as unknown[]) ?? [])
          await iam.attachRolePolicy(stack.account, name(), value(arn));
        break;
      }
      case 'AWS::IAM::Policy': {
        applied('PolicyName', 'PolicyDocument', 'Roles');
        for (const role of (p.Roles as unknown[]) ?? [])
          await iam.putRolePolicy(stack.account, value(role), value(p.PolicyName), doc(p.PolicyDocument));
        break;
      }
      case 'AWS::IAM::ManagedPolicy': {
        applied('ManagedPolicyName', 'PolicyDocument', 'Roles', 'Description');
        const arn = await iam.createPolicy(stack.account, name(), doc(p.PolicyDocument));
        for (const role of (p.Roles as unknown[]) ?? [])
          await iam.attachRolePolicy(stack.account, value(role), arn);
        recordCreated(stack.template, where, logicalId, { Ref: arn });
        break;
      }
      case 'AWS::KMS::Key': {
        applied(
          'KeyPolicy',
          'Description',
          'EnableKeyRotation',
          'RotationPeriodInDays',
          'BypassPolicyLockoutSafetyCheck',
          'KeySpec',
          'KeyUsage',
        );
        const key = await c.kms.send(
          new CreateKeyCommand({
            Policy: doc(p.KeyPolicy),
            Description: optional(p.Description),
            KeySpec: optional(p.KeySpec) as never,
            KeyUsage: optional(p.KeyUsage) as never,
            BypassPolicyLockoutSafetyCheck: p.BypassPolicyLockoutSafetyCheck === true || undefined,
          }),
        );
        const { KeyId, Arn } = key.KeyMetadata!;
        recordCreated(stack.template, where, logicalId, { Ref: KeyId!, Arn: Arn!, KeyId: KeyId! });
        if (p.EnableKeyRotation === true)
          await c.kms.send(
            new EnableKeyRotationCommand({
              KeyId,
              RotationPeriodInDays:
                p.RotationPeriodInDays === undefined ? undefined : Number(p.RotationPeriodInDays),
            }),
          );
        break;
      }
      case 'AWS::KMS::Alias':
        applied('AliasName', 'TargetKeyId');
        await c.kms.send(
          new CreateAliasCommand({ AliasName: value(p.AliasName), TargetKeyId: value(p.TargetKeyId) }),
        );
        break;
      case 'AWS::Kinesis::Stream': {
        applied('Name', 'RetentionPeriodHours', 'StreamEncryption', 'StreamModeDetails', 'ShardCount');
        const mode = (p.StreamModeDetails as { StreamMode?: string } | undefined)?.StreamMode;
        await c.kinesis.send(
          new CreateStreamCommand({
            StreamName: name(),
            StreamModeDetails: mode ? { StreamMode: mode as never } : undefined,
            ShardCount: p.ShardCount === undefined ? undefined : Number(p.ShardCount),
          }),
        );
        const summary = async () =>
          (await c.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name() })))
            .StreamDescriptionSummary!;
        for (let i = 0; i < 50 && (await summary()).StreamStatus !== 'ACTIVE'; i++)
          await new Promise((res) => setTimeout(res, 100));
        if (p.RetentionPeriodHours !== undefined && Number(p.RetentionPeriodHours) > 24)
          await c.kinesis.send(
            new IncreaseStreamRetentionPeriodCommand({
              StreamName: name(),
              RetentionPeriodHours: Number(p.RetentionPeriodHours),
            }),
          );
        const encryption = p.StreamEncryption as { EncryptionType: unknown; KeyId: unknown } | undefined;
        if (encryption)
          await c.kinesis.send(
            new StartStreamEncryptionCommand({
              StreamName: name(),
              EncryptionType: value(encryption.EncryptionType) as never,
              KeyId: value(encryption.KeyId),
            }),
          );
        const arn = (await summary()).StreamARN!;
        recordCreated(stack.template, where, logicalId, { Ref: name(), Arn: arn });
        break;
      }
      case 'AWS::Kinesis::StreamConsumer': {
        applied('StreamARN', 'ConsumerName');
        const consumer = await c.kinesis.send(
          new RegisterStreamConsumerCommand({
            StreamARN: value(p.StreamARN),
            ConsumerName: value(p.ConsumerName),
          }),
        );
        const arn = consumer.Consumer!.ConsumerARN!;
        recordCreated(stack.template, where, logicalId, { Ref: arn, ConsumerARN: arn });
        break;
      }
      case 'AWS::S3::Bucket':
        await createBucket(stack, logicalId, r, c.s3, applied);
        break;
      case 'AWS::S3::BucketPolicy':
        applied('Bucket', 'PolicyDocument');
        await c.s3.send(
          new PutBucketPolicyCommand({ Bucket: value(p.Bucket), Policy: doc(p.PolicyDocument) }),
        );
        break;
      case 'Custom::S3BucketNotifications': {
        // The custom resource's handler puts the bucket's notification configuration as given
        // (aws-cdk-lib, aws-s3/lib/notifications-resource): here only EventBridge's, asked by the template.
        applied(
          'ServiceToken',
          'BucketName',
          'NotificationConfiguration',
          'Managed',
          'SkipDestinationValidation',
        );
        const configuration = resolveDocument(stack, p.NotificationConfiguration) as Record<string, unknown>;
        const others = Object.keys(configuration).filter((k) => k !== 'EventBridgeConfiguration');
        if (others.length)
          throw new Error(
            `${stack.stackName}/${logicalId}: notifications other than EventBridge's: ${others.join(', ')}`,
          );
        await c.s3.send(
          new PutBucketNotificationConfigurationCommand({
            Bucket: value(p.BucketName),
            NotificationConfiguration: { EventBridgeConfiguration: {} },
          }),
        );
        break;
      }
      case 'AWS::SNS::Topic': {
        applied('TopicName', 'DisplayName', 'KmsMasterKeyId');
        const attributes: Record<string, string> = {};
        if (p.DisplayName !== undefined) attributes.DisplayName = value(p.DisplayName);
        if (p.KmsMasterKeyId !== undefined) attributes.KmsMasterKeyId = value(p.KmsMasterKeyId);
        const topic = await c.sns.send(new CreateTopicCommand({ Name: name(), Attributes: attributes }));
        recordCreated(stack.template, where, logicalId, {
          Ref: topic.TopicArn!,
          TopicArn: topic.TopicArn!,
          TopicName: name(),
        });
        break;
      }
      case 'AWS::SNS::TopicPolicy':
        applied('PolicyDocument', 'Topics');
        for (const topic of p.Topics as unknown[])
          await c.sns.send(
            new SetTopicAttributesCommand({
              TopicArn: value(topic),
              AttributeName: 'Policy',
              AttributeValue: doc(p.PolicyDocument),
            }),
          );
        break;
      case 'AWS::SNS::Subscription':
        applied('TopicArn', 'Protocol', 'Endpoint');
        await c.sns.send(
          new SubscribeCommand({
            TopicArn: value(p.TopicArn),
            Protocol: value(p.Protocol),
            Endpoint: value(p.Endpoint),
          }),
        );
        break;
      case 'AWS::SQS::Queue': {
        // CloudFormation's queue properties are SetQueueAttributes' attribute names (SQS API
        // Reference, CreateQueue: Attributes).
        const attributes = [
          'KmsMasterKeyId',
          'MessageRetentionPeriod',
          'VisibilityTimeout',
          'SqsManagedSseEnabled',
        ];
        applied('QueueName', 'RedrivePolicy', ...attributes);
        const queue = await c.sqs.send(
          new CreateQueueCommand({
            QueueName: name(),
            Attributes: {
              ...Object.fromEntries(
                attributes.filter((a) => p[a] !== undefined).map((a) => [a, value(p[a])]),
              ),
              // The dead-letter queue: an object in the template, the attribute's JSON text in
              // the API ("RedrivePolicy – The string that includes the parameters for the
              // dead-letter queue functionality", SQS API Reference, SetQueueAttributes).
              ...(p.RedrivePolicy === undefined
                ? {}
                : { RedrivePolicy: JSON.stringify(resolveDocument(stack, p.RedrivePolicy)) }),
            },
          }),
        );
        const arn = `arn:aws:sqs:${stack.region}:${stack.account}:${name()}`;
        recordCreated(stack.template, where, logicalId, {
          Ref: queue.QueueUrl!,
          QueueUrl: queue.QueueUrl!,
          Arn: arn,
        });
        break;
      }
      case 'AWS::SQS::QueuePolicy':
        applied('PolicyDocument', 'Queues');
        for (const queue of p.Queues as unknown[])
          await c.sqs.send(
            new SetQueueAttributesCommand({
              QueueUrl: value(queue),
              Attributes: { Policy: doc(p.PolicyDocument) },
            }),
          );
        break;
      case 'AWS::DynamoDB::Table': {
        applied(
          'TableName',
          'KeySchema',
          'AttributeDefinitions',
          'BillingMode',
          'SSESpecification',
          'PointInTimeRecoverySpecification',
          'TimeToLiveSpecification',
          'DeletionProtectionEnabled',
        );
        const sse = p.SSESpecification as
          { SSEEnabled?: boolean; SSEType?: string; KMSMasterKeyId?: unknown } | undefined;
        await c.dynamodb.send(
          new CreateTableCommand({
            TableName: name(),
            KeySchema: p.KeySchema as never,
            AttributeDefinitions: p.AttributeDefinitions as never,
            BillingMode: (optional(p.BillingMode) ?? 'PROVISIONED') as never,
            SSESpecification: sse
              ? {
                  Enabled: sse.SSEEnabled,
                  SSEType: sse.SSEType as never,
                  KMSMasterKeyId: optional(sse.KMSMasterKeyId),
                }
              : undefined,
            // A boolean (DynamoDB API Reference, CreateTable: DeletionProtectionEnabled, Type: Boolean);
            // resolveValue answers strings, and CloudFormation takes true or "true".
            DeletionProtectionEnabled:
              p.DeletionProtectionEnabled === undefined
                ? undefined
                : value(p.DeletionProtectionEnabled) === 'true',
          }),
        );
        const pitr = p.PointInTimeRecoverySpecification as
          { PointInTimeRecoveryEnabled?: boolean } | undefined;
        if (pitr?.PointInTimeRecoveryEnabled)
          await c.dynamodb.send(
            new UpdateContinuousBackupsCommand({
              TableName: name(),
              PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            }),
          );
        const ttl = p.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean } | undefined;
        if (ttl?.Enabled)
          await c.dynamodb.send(
            new UpdateTimeToLiveCommand({
              TableName: name(),
              TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true },
            }),
          );
        break;
      }
      case 'AWS::Logs::LogGroup':
        applied('LogGroupName', 'KmsKeyId', 'RetentionInDays');
        await c.logs.send(
          new CreateLogGroupCommand({ logGroupName: name(), kmsKeyId: optional(p.KmsKeyId) }),
        );
        if (p.RetentionInDays !== undefined)
          await c.logs.send(
            new PutRetentionPolicyCommand({
              logGroupName: name(),
              retentionInDays: Number(p.RetentionInDays),
            }),
          );
        break;
      case 'AWS::Logs::LogStream':
        applied('LogGroupName', 'LogStreamName');
        await c.logs.send(
          new CreateLogStreamCommand({
            logGroupName: value(p.LogGroupName),
            logStreamName: optional(p.LogStreamName) ?? physicalName(stack.template, logicalId),
          }),
        );
        break;
      case 'AWS::Glue::Database':
        // DatabaseInput is CreateDatabase's input as it is (CatalogId: the account's own catalog).
        applied('CatalogId', 'DatabaseInput');
        await c.glue.send(new CreateDatabaseCommand({ DatabaseInput: p.DatabaseInput as never }));
        break;
      case 'AWS::Glue::Table':
        // TableInput is CreateTable's input as it is: no second copy of the DDL.
        applied('CatalogId', 'DatabaseName', 'TableInput');
        await c.glue.send(
          new CreateGlueTableCommand({
            DatabaseName: value(p.DatabaseName),
            TableInput: p.TableInput as never,
          }),
        );
        break;
      case 'AWS::KinesisFirehose::DeliveryStream': {
        // A DirectPut stream exists on the stand-in (its status, type and tags are what VPC Flow
        // Logs and the judge ask of it); what it delivers is driven by local/firehose-direct.ts.
        applied(
          'DeliveryStreamName',
          'DeliveryStreamType',
          'DeliveryStreamEncryptionConfigurationInput',
          'ExtendedS3DestinationConfiguration',
        );
        await c.firehose.send(
          new CreateDeliveryStreamCommand({
            DeliveryStreamName: name(),
            DeliveryStreamType: 'DirectPut',
            DeliveryStreamEncryptionConfigurationInput: resolveDocument(
              stack,
              p.DeliveryStreamEncryptionConfigurationInput,
            ) as CreateDeliveryStreamInput['DeliveryStreamEncryptionConfigurationInput'],
            ExtendedS3DestinationConfiguration: resolveDocument(
              stack,
              p.ExtendedS3DestinationConfiguration,
            ) as CreateDeliveryStreamInput['ExtendedS3DestinationConfiguration'],
            Tags: resolveDocument(stack, p.Tags) as CreateDeliveryStreamInput['Tags'],
          }),
        );
        recordCreated(stack.template, where, logicalId, {
          Ref: name(),
          Arn: `arn:aws:firehose:${stack.region}:${stack.account}:deliverystream/${name()}`,
        });
        break;
      }
      case 'AWS::Logs::Destination':
        applied('DestinationName', 'TargetArn', 'RoleArn', 'DestinationPolicy');
        await c.logs.send(
          new PutDestinationCommand({
            destinationName: name(),
            targetArn: value(p.TargetArn),
            roleArn: value(p.RoleArn),
          }),
        );
        if (p.DestinationPolicy !== undefined)
          await c.logs.send(
            new PutDestinationPolicyCommand({
              destinationName: name(),
              accessPolicy: value(p.DestinationPolicy),
            }),
          );
        break;
    }
    created.push(logicalId);
  }
  return created;
}

/** The `AWS::S3::Bucket` properties the deployer applies; any other is refused. */
export const appliedBucketProperties = [
  'BucketName',
  'BucketEncryption',
  'LifecycleConfiguration',
  'LoggingConfiguration',
  'ObjectLockEnabled',
  'ObjectLockConfiguration',
  'OwnershipControls',
  'PublicAccessBlockConfiguration',
  'ReplicationConfiguration',
  'VersioningConfiguration',
];

/**
 * An `AWS::S3::Bucket` as CloudFormation creates it: CreateBucket (Object Lock asked at creation,
 * the only time S3 allows it: "You can only enable Object Lock for new buckets", S3 User Guide,
 * "Configuring S3 Object Lock"), then each configuration the template gives, in the API's shape.
 */
async function createBucket(
  stack: DeployedStack,
  logicalId: string,
  r: Resource,
  s3: S3Client,
  applied: (...keys: string[]) => void,
) {
  applied(...appliedBucketProperties);
  const p = resolveDocument(stack, r.Properties ?? {}) as Record<string, never>;
  const Bucket = physicalName(stack.template, logicalId);
  await s3.send(
    new CreateBucketCommand({
      Bucket,
      CreateBucketConfiguration:
        stack.region === 'us-east-1'
          ? undefined
          : { LocationConstraint: stack.region as BucketLocationConstraint },
      ObjectLockEnabledForBucket: p.ObjectLockEnabled === true || undefined,
    }),
  );
  recordCreated(stack.template, stack, logicalId, { Ref: Bucket, Arn: `arn:aws:s3:::${Bucket}` });
  if (p.OwnershipControls)
    await s3.send(new PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: p.OwnershipControls }));
  if (p.PublicAccessBlockConfiguration)
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket,
        PublicAccessBlockConfiguration: p.PublicAccessBlockConfiguration,
      }),
    );
  const encryption = p.BucketEncryption as
    | {
        ServerSideEncryptionConfiguration: {
          BucketKeyEnabled?: boolean;
          ServerSideEncryptionByDefault: { SSEAlgorithm: string; KMSMasterKeyID?: string };
        }[];
      }
    | undefined;
  if (encryption)
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket,
        ServerSideEncryptionConfiguration: {
          Rules: encryption.ServerSideEncryptionConfiguration.map((rule) => ({
            ApplyServerSideEncryptionByDefault: rule.ServerSideEncryptionByDefault as never,
            BucketKeyEnabled: rule.BucketKeyEnabled,
          })),
        },
      }),
    );
  if (p.VersioningConfiguration)
    await s3.send(
      new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: p.VersioningConfiguration }),
    );
  const lock = p.ObjectLockConfiguration as { ObjectLockEnabled?: string; Rule?: unknown } | undefined;
  if (lock)
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: lock.Rule as never },
      }),
    );
  const lifecycle = p.LifecycleConfiguration as { Rules: Record<string, never>[] } | undefined;
  if (lifecycle)
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket,
        LifecycleConfiguration: { Rules: lifecycle.Rules.map(lifecycleRule) },
      }),
    );
  // After versioning: replication "must have S3 Versioning enabled for both the source and
  // destination buckets" (Amazon S3 FAQs, Replication).
  const replication = p.ReplicationConfiguration as CfnReplicationConfiguration | undefined;
  if (replication)
    await s3.send(
      new PutBucketReplicationCommand({
        Bucket,
        ReplicationConfiguration: replicationConfiguration(replication),
      }),
    );
  const logging = p.LoggingConfiguration as
    { DestinationBucketName: string; LogFilePrefix?: string } | undefined;
  if (logging)
    await s3.send(
      new PutBucketLoggingCommand({
        Bucket,
        BucketLoggingStatus: {
          LoggingEnabled: {
            TargetBucket: logging.DestinationBucketName,
            TargetPrefix: logging.LogFilePrefix ?? '',
          },
        },
      }),
    );
}

/** `AWS::S3::Bucket ReplicationConfiguration`, as CloudFormation names its parts. */
export interface CfnReplicationConfiguration {
  Role: string;
  Rules: Record<string, unknown>[];
}

/**
 * A template's replication configuration in PutBucketReplication's shape: the same element names
 * but the rule's `Id`, which the API calls `ID` (AWS::S3::Bucket ReplicationRule; S3 API
 * Reference, ReplicationRule). A rule property the deployer does not know is refused.
 */
export function replicationConfiguration(c: CfnReplicationConfiguration): ReplicationConfiguration {
  const known = [
    'Id',
    'Status',
    'Priority',
    'Filter',
    'Prefix',
    'DeleteMarkerReplication',
    'SourceSelectionCriteria',
    'Destination',
  ];
  return {
    Role: c.Role,
    Rules: c.Rules.map((rule) => {
      const extra = Object.keys(rule).filter((k) => !known.includes(k));
      if (extra.length)
        throw new Error(`replication rule properties the local deployer does not apply: ${extra.join(', ')}`);
      const { Id, ...rest } = rule;
      return { ...(Id === undefined ? {} : { ID: Id as string }), ...rest } as ReplicationRule;
    }),
  };
}

/** A lifecycle rule of `AWS::S3::Bucket Rule` in PutBucketLifecycleConfiguration's `LifecycleRule` shape. */
function lifecycleRule(rule: Record<string, never>): LifecycleRule {
  const known = [
    'Id',
    'Status',
    'Prefix',
    'ExpirationInDays',
    'NoncurrentVersionExpiration',
    'Transitions',
    'AbortIncompleteMultipartUpload',
  ];
  const extra = Object.keys(rule).filter((k) => !known.includes(k));
  if (extra.length)
    throw new Error(`lifecycle rule properties the local deployer does not apply: ${extra.join(', ')}`);
  const transitions = rule.Transitions as { StorageClass: string; TransitionInDays: number }[] | undefined;
  return {
    ID: rule.Id,
    Status: rule.Status,
    Filter: { Prefix: rule.Prefix ?? '' },
    Expiration: rule.ExpirationInDays === undefined ? undefined : { Days: rule.ExpirationInDays },
    NoncurrentVersionExpiration: rule.NoncurrentVersionExpiration,
    Transitions: transitions?.map((t) => ({
      Days: t.TransitionInDays,
      StorageClass: t.StorageClass as never,
    })),
    AbortIncompleteMultipartUpload: rule.AbortIncompleteMultipartUpload,
  };
}
