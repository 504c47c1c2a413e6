/**
 * The AWS operations logwarden and its tests call on the stand-ins, found from the source (every
 * `new XCommand(...)` of an `@aws-sdk/client-*` import under functions/, cli/, local/ and
 * test/local/, and every `aws <service> <operation>` command of contracts/prerequisites.ts, which
 * the local run sends as SDK calls through local/aws-cli.ts), named as the counting proxy names
 * them (local/counting-proxy.ts): the SigV4 signing name of the service, then the operation. The
 * models are botocore's, pinned in .venv, the ones the stand-in validates against
 * (local/standins/validate.py).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';

const root = path.resolve(__dirname, '..', '..', '..');

/** Where the calls are made. */
export const callerFolders = ['functions', 'cli', 'local', 'test/local'];

/**
 * The botocore folder of an SDK client package, where the package is not named after it. The
 * package name is the model's `serviceId`, lower case, spaces as hyphens (checked below).
 */
const botocoreFolderOf: Record<string, string> = {
  'cloudwatch-logs': 'logs',
  eventbridge: 'events',
  sfn: 'stepfunctions',
};

export interface Shape {
  type: string;
  members?: Record<string, { shape: string; location?: string; locationName?: string; queryName?: string }>;
  required?: string[];
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  sensitive?: boolean;
  exception?: boolean;
  error?: { code?: string; httpStatusCode?: number };
}

export interface Model {
  metadata: { protocol: string; signingName?: string; endpointPrefix: string; serviceId: string };
  operations: Record<
    string,
    { input?: { shape: string }; errors?: { shape: string }[]; http: { requestUri: string } }
  >;
  shapes: Record<string, Shape>;
}

export interface CalledOperation {
  /** `logs:PutAccountPolicy`: signing name and operation, as the counting proxy names calls. */
  key: string;
  /** The SDK client package, without `@aws-sdk/client-`. */
  client: string;
  /** botocore's service folder. */
  service: string;
  operation: string;
  /** Files that send it. */
  callers: string[];
}

const botocoreData = (() => {
  const lib = path.join(root, '.venv', 'lib');
  const python = existsSync(lib) ? readdirSync(lib).find((d) => d.startsWith('python')) : undefined;
  if (!python) throw new Error('.venv is missing: run bash scripts/python-tools.sh');
  return path.join(lib, python, 'site-packages', 'botocore', 'data');
})();

const models = new Map<string, Model>();

/** The botocore model of a service (its newest API version), as pinned in .venv. */
export function model(service: string): Model {
  const cached = models.get(service);
  if (cached) return cached;
  const folder = path.join(botocoreData, service);
  const version = readdirSync(folder).sort().at(-1)!;
  const file = path.join(folder, version, 'service-2.json');
  const text = existsSync(file)
    ? readFileSync(file, 'utf8')
    : gunzipSync(readFileSync(`${file}.gz`)).toString('utf8');
  const parsed = JSON.parse(text) as Model;
  models.set(service, parsed);
  return parsed;
}

export function botocoreService(client: string): string {
  const service = botocoreFolderOf[client] ?? client;
  const serviceId = model(service).metadata.serviceId.toLowerCase().replace(/ /g, '-');
  if (serviceId !== client)
    throw new Error(
      `@aws-sdk/client-${client} is ${serviceId} in botocore's ${service}: map it in operations.ts`,
    );
  return service;
}

export function signingName(service: string): string {
  const { metadata } = model(service);
  return metadata.signingName ?? metadata.endpointPrefix;
}

function sourceFiles(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts')) out.push(full);
    }
  };
  walk(path.join(root, folder));
  return out;
}

const importClause = /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z0-9-]+)'/g;

/** AWS CLI commands the local run sends as SDK calls (local/aws-cli.ts). */
export const cliCommandFiles = ['contracts/prerequisites.ts'];

/** Every operation sent with an SDK command under `folders`, or as an AWS CLI command of `cliFiles`. */
export function calledOperations(
  folders: string[] = callerFolders,
  cliFiles: string[] = cliCommandFiles,
): CalledOperation[] {
  const found = new Map<string, CalledOperation>();
  const add = (client: string, service: string, operation: string, file: string) => {
    const key = `${signingName(service)}:${operation}`;
    const entry = found.get(key) ?? { key, client, service, operation, callers: [] };
    entry.callers.push(path.relative(root, file));
    found.set(key, entry);
  };
  for (const file of cliFiles.map((f) => path.join(root, f)))
    for (const m of readFileSync(file, 'utf8').matchAll(/\baws ([a-z0-9-]+) ([a-z][a-z0-9-]+)/g)) {
      const [, service, command] = m;
      const operation = Object.keys(model(service).operations).find(
        (op) => op.toLowerCase() === command.replace(/-/g, ''),
      );
      if (!operation)
        throw new Error(`${file}: aws ${service} ${command} is no operation of botocore's ${service}`);
      add(model(service).metadata.serviceId.toLowerCase().replace(/ /g, '-'), service, operation, file);
    }
  for (const folder of folders)
    for (const file of sourceFiles(folder)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(importClause)) {
        const client = m[2];
        for (const raw of m[1].split(',')) {
          const name = raw
            .trim()
            .replace(/^type\s+/, '')
            .split(/\s+as\s+/)[0];
          if (!name.endsWith('Command') || !new RegExp(`new\\s+${name}\\b`).test(text)) continue;
          add(client, botocoreService(client), name.slice(0, -'Command'.length), file);
        }
      }
    }
  return [...found.values()].sort((a, b) => a.key.localeCompare(b.key));
}

const gd = '12abc34d567e8fa901bc2d34e56789f0';
const trail = 'arn:aws:cloudtrail:eu-west-1:111111111111:trail/logwarden-org-trail';
const queue = 'http://127.0.0.1/123456789012/logwarden-local';
const execution = 'arn:aws:states:eu-west-1:222222222222:execution:cover-account:one';
const policyDoc = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: '*' }],
});
const trust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/**
 * One request per operation that its model accepts (every required member, every value inside
 * its constraints): the request the model test sends to show the stand-in accepts what the model
 * accepts, and mutates to show it refuses what the model refuses. What the stand-in then answers
 * (a trail not found, a table that does not exist) is the semantics' business, not the model's.
 */
export const validRequests: Record<string, Record<string, unknown>> = {
  'account:DisableRegion': { RegionName: 'eu-south-1' },
  'account:EnableRegion': { RegionName: 'eu-south-1' },
  'account:GetRegionOptStatus': { RegionName: 'eu-west-1' },
  'account:ListRegions': { MaxResults: 20, RegionOptStatusContains: ['ENABLED'] },
  'cloudtrail:CreateTrail': {
    Name: 'logwarden-org-trail',
    S3BucketName: 'logwarden-trail',
    IsMultiRegionTrail: true,
    TagsList: [{ Key: 'managed-by', Value: 'logwarden' }],
  },
  'cloudtrail:DeleteTrail': { Name: trail },
  'cloudtrail:ListTags': { ResourceIdList: [trail] },
  'cloudtrail:DescribeTrails': { trailNameList: [trail], includeShadowTrails: true },
  'cloudtrail:GetEventSelectors': { TrailName: trail },
  'cloudtrail:GetTrail': { Name: trail },
  'cloudtrail:GetTrailStatus': { Name: trail },
  'cloudtrail:PutEventSelectors': {
    TrailName: trail,
    AdvancedEventSelectors: [
      { Name: 'management', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
    ],
  },
  'cloudtrail:StartLogging': { Name: trail },
  'cloudtrail:StopLogging': { Name: trail },
  'cloudtrail:UpdateTrail': {
    Name: trail,
    IsMultiRegionTrail: true,
    IncludeGlobalServiceEvents: true,
    EnableLogFileValidation: true,
  },
  'dynamodb:CreateTable': {
    TableName: 'logwarden-ledger',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  },
  'dynamodb:DeleteItem': { TableName: 'logwarden-ledger', Key: { pk: { S: 'a' } } },
  'dynamodb:GetItem': { TableName: 'logwarden-ledger', Key: { pk: { S: 'a' } }, ConsistentRead: true },
  'dynamodb:PutItem': { TableName: 'logwarden-ledger', Item: { pk: { S: 'a' } } },
  'dynamodb:Scan': { TableName: 'logwarden-ledger', Limit: 10 },
  'dynamodb:DescribeTable': { TableName: 'logwarden-ledger' },
  'dynamodb:DescribeContinuousBackups': { TableName: 'logwarden-ledger' },
  'dynamodb:DescribeTimeToLive': { TableName: 'logwarden-ledger' },
  'dynamodb:UpdateItem': {
    TableName: 'logwarden-ledger',
    Key: { pk: { S: 'a' } },
    UpdateExpression: 'SET v = :v',
    ExpressionAttributeValues: { ':v': { N: '1' } },
  },
  'ec2:CreateFlowLogs': {
    ResourceIds: ['vpc-0123456789abcdef0'],
    ResourceType: 'VPC',
    TrafficType: 'ALL',
    LogDestinationType: 'cloud-watch-logs',
    LogGroupName: '/logwarden/flow-logs',
    DeliverLogsPermissionArn: 'arn:aws:iam::444444444444:role/logwarden-flow-logs',
    ClientToken: 'a'.repeat(64),
  },
  'ec2:CreateVpc': { CidrBlock: '10.1.0.0/16' },
  'ec2:DeleteFlowLogs': { FlowLogIds: ['fl-0123456789abcdef0'] },
  'ec2:DescribeAvailabilityZones': { AllAvailabilityZones: false },
  'ec2:DescribeFlowLogs': { MaxResults: 100 },
  'ec2:DescribeVpcs': { MaxResults: 5 },
  'events:CreateEventBus': { Name: 'logwarden-model' },
  'events:DeleteRule': { Name: 'logwarden-guardduty-findings' },
  'events:DescribeRule': { Name: 'logwarden-guardduty-findings' },
  'events:DescribeEventBus': { Name: 'logwarden-control' },
  'events:DisableRule': { Name: 'logwarden-guardduty-findings' },
  'events:ListRules': {},
  'events:RemoveTargets': { Rule: 'logwarden-guardduty-findings', Ids: ['findings-log-group'] },
  'events:ListTargetsByRule': { Rule: 'logwarden-forward', Limit: 100 },
  'events:PutEvents': {
    Entries: [{ Source: 'logwarden.model', DetailType: 'model', Detail: '{}', EventBusName: 'default' }],
  },
  'events:PutPermission': {
    EventBusName: 'default',
    Policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'model',
          Effect: 'Allow',
          Principal: { AWS: '444444444444' },
          Action: 'events:PutEvents',
          Resource: 'arn:aws:events:eu-west-1:111111111111:event-bus/default',
        },
      ],
    }),
  },
  'events:PutRule': { Name: 'logwarden-forward', EventPattern: '{"source":["aws.ec2"]}', State: 'ENABLED' },
  'events:PutTargets': {
    Rule: 'logwarden-forward',
    Targets: [{ Id: 'control-bus', Arn: 'arn:aws:events:eu-west-1:222222222222:event-bus/logwarden' }],
  },
  'glue:CreateDatabase': { DatabaseInput: { Name: 'logwarden' } },
  'glue:CreateTable': {
    DatabaseName: 'logwarden',
    TableInput: {
      Name: 'ocsf_events',
      TableType: 'EXTERNAL_TABLE',
      StorageDescriptor: {
        Columns: [{ Name: 'class_uid', Type: 'int' }],
        Location: 's3://logwarden-model/ocsf/',
      },
    },
  },
  'glue:GetDatabase': { Name: 'logwarden' },
  'glue:GetTable': { DatabaseName: 'logwarden', Name: 'ocsf_events' },
  'glue:GetPartitions': { DatabaseName: 'logwarden', TableName: 'ocsf_events' },
  'glue:GetPartition': {
    DatabaseName: 'logwarden',
    TableName: 'ocsf_events',
    PartitionValues: ['vpcflow', '2026-12-06'],
  },
  'guardduty:CreateDetector': { Enable: true, FindingPublishingFrequency: 'SIX_HOURS' },
  'guardduty:CreateMembers': {
    DetectorId: gd,
    AccountDetails: [{ AccountId: '444444444444', Email: 'member@example.com' }],
  },
  'guardduty:DeleteDetector': { DetectorId: gd },
  'guardduty:DeleteMembers': { DetectorId: gd, AccountIds: ['444444444444'] },
  'guardduty:DescribeOrganizationConfiguration': { DetectorId: gd, MaxResults: 10 },
  'guardduty:DisassociateMembers': { DetectorId: gd, AccountIds: ['444444444444'] },
  'guardduty:EnableOrganizationAdminAccount': { AdminAccountId: '222222222222' },
  'guardduty:GetAdministratorAccount': { DetectorId: gd },
  'guardduty:GetDetector': { DetectorId: gd },
  'guardduty:GetMembers': { DetectorId: gd, AccountIds: ['444444444444'] },
  'guardduty:ListDetectors': { MaxResults: 50 },
  'guardduty:ListMembers': { DetectorId: gd, MaxResults: 50, OnlyAssociated: 'true' },
  'guardduty:StartMonitoringMembers': { DetectorId: gd, AccountIds: ['444444444444'] },
  'guardduty:StopMonitoringMembers': { DetectorId: gd, AccountIds: ['444444444444'] },
  'guardduty:UpdateDetector': { DetectorId: gd, Enable: true },
  'guardduty:UpdateOrganizationConfiguration': { DetectorId: gd, AutoEnableOrganizationMembers: 'ALL' },
  'iam:AttachRolePolicy': {
    RoleName: 'logwarden-member-execution',
    PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
  },
  'iam:CreateAccessKey': { UserName: 'administrator' },
  'iam:CreatePolicy': { PolicyName: 'logwarden-policy', PolicyDocument: policyDoc },
  'iam:CreateRole': { RoleName: 'logwarden-member-execution', AssumeRolePolicyDocument: trust },
  'iam:CreateUser': { UserName: 'administrator' },
  'iam:CreateVirtualMFADevice': { VirtualMFADeviceName: 'break-glass-operator' },
  'iam:EnableMFADevice': {
    UserName: 'administrator',
    SerialNumber: 'arn:aws:iam::222222222222:mfa/break-glass-operator',
    AuthenticationCode1: '123456',
    AuthenticationCode2: '654321',
  },
  'iam:UpdateAssumeRolePolicy': { RoleName: 'logwarden-member-execution', PolicyDocument: trust },
  'iam:DeleteRolePolicy': { RoleName: 'logwarden-member-execution', PolicyName: 'inline' },
  'iam:PutRolePolicy': {
    RoleName: 'logwarden-member-execution',
    PolicyName: 'inline',
    PolicyDocument: policyDoc,
  },
  'iam:PutUserPolicy': { UserName: 'administrator', PolicyName: 'inline', PolicyDocument: policyDoc },
  'firehose:CreateDeliveryStream': {
    DeliveryStreamName: 'logwarden-flow-logs-eu-west-1',
    DeliveryStreamType: 'DirectPut',
    ExtendedS3DestinationConfiguration: {
      RoleARN: 'arn:aws:iam::333333333333:role/logwarden-flow-logs',
      BucketARN: 'arn:aws:s3:::logwarden-archive',
      // The processors the central stream's template declares (stacks/central/firehose-archive.ts:
      // CloudWatch Logs decompression, then the transform), in the model's own shapes.
      ProcessingConfiguration: {
        Enabled: true,
        Processors: [
          {
            Type: 'Decompression',
            Parameters: [{ ParameterName: 'CompressionFormat', ParameterValue: 'GZIP' }],
          },
          {
            Type: 'Lambda',
            Parameters: [
              {
                ParameterName: 'LambdaArn',
                ParameterValue: 'arn:aws:lambda:eu-west-1:333333333333:function:logwarden-transform',
              },
              { ParameterName: 'BufferSizeInMBs', ParameterValue: '0.25' },
            ],
          },
        ],
      },
    },
  },
  'firehose:DescribeDeliveryStream': { DeliveryStreamName: 'logwarden-flow-logs-eu-west-1' },
  'firehose:ListTagsForDeliveryStream': { DeliveryStreamName: 'logwarden-flow-logs-eu-west-1' },
  'firehose:PutRecordBatch': {
    DeliveryStreamName: 'logwarden-flow-logs',
    Records: [{ Data: new TextEncoder().encode('2 123456789012 eni-0a1b2c3d - - - - - - - 1 2 - NODATA') }],
  },
  'firehose:TagDeliveryStream': {
    DeliveryStreamName: 'logwarden-flow-logs-eu-west-1',
    Tags: [{ Key: 'LogDeliveryEnabled', Value: 'true' }],
  },
  'kinesis:CreateStream': { StreamName: 'logwarden-central', ShardCount: 1 },
  'kinesis:DescribeStream': { StreamName: 'logwarden-central', Limit: 100 },
  'kinesis:DescribeStreamSummary': { StreamName: 'logwarden-central' },
  'kinesis:GetRecords': { ShardIterator: 'AAAAAAAAAAE=', Limit: 100 },
  'kinesis:GetShardIterator': {
    StreamName: 'logwarden-central',
    ShardId: 'shardId-000000000000',
    ShardIteratorType: 'TRIM_HORIZON',
  },
  'kinesis:ListShards': { StreamName: 'logwarden-central', MaxResults: 100 },
  'kinesis:PutRecord': {
    StreamName: 'logwarden-central',
    Data: new TextEncoder().encode('record'),
    PartitionKey: 'p',
  },
  'kinesis:PutRecords': {
    StreamName: 'logwarden-central',
    Records: [{ Data: new TextEncoder().encode('record'), PartitionKey: 'p' }],
  },
  'kinesis:PutResourcePolicy': {
    ResourceARN: 'arn:aws:kinesis:eu-west-1:111111111111:stream/logwarden-central',
    Policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: '444444444444' },
          Action: 'kinesis:PutRecord',
          Resource: 'arn:aws:kinesis:eu-west-1:111111111111:stream/logwarden-central',
        },
      ],
    }),
  },
  // cli/replay.ts hands a rejected/ or failure-prefix object back to the function that failed it.
  'lambda:Invoke': {
    FunctionName: 'logwarden-indexer',
    Payload: new TextEncoder().encode('{"Records":[]}'),
  },
  'logs:CreateLogGroup': { logGroupName: '/logwarden/model', tags: { 'managed-by': 'logwarden' } },
  'logs:CreateLogStream': { logGroupName: '/logwarden/model', logStreamName: 'stream' },
  'logs:DeleteLogGroup': { logGroupName: '/logwarden/guardduty-findings' },
  'logs:DeleteResourcePolicy': { policyName: 'logwarden-guardduty-findings' },
  'logs:DeleteSubscriptionFilter': { logGroupName: '/app/orders', filterName: 'logwarden-central-eu-west-1' },
  'logs:DeleteAccountPolicy': { policyName: 'logwarden', policyType: 'SUBSCRIPTION_FILTER_POLICY' },
  'logs:DescribeAccountPolicies': { policyType: 'SUBSCRIPTION_FILTER_POLICY', policyName: 'logwarden' },
  'logs:DescribeDestinations': { DestinationNamePrefix: 'logwarden', limit: 50 },
  'logs:DescribeLogGroups': { logGroupNamePrefix: '/logwarden', limit: 50 },
  'logs:DescribeResourcePolicies': { limit: 50 },
  'logs:DescribeSubscriptionFilters': { logGroupName: '/logwarden/model', limit: 50 },
  'logs:GetLogEvents': { logGroupName: '/logwarden/model', logStreamName: 'stream', startFromHead: true },
  'logs:PutAccountPolicy': {
    policyName: 'logwarden',
    policyType: 'SUBSCRIPTION_FILTER_POLICY',
    policyDocument: JSON.stringify({
      DestinationArn: 'arn:aws:logs:eu-west-1:333333333333:destination:logwarden',
      FilterPattern: '',
    }),
    scope: 'ALL',
    selectionCriteria: 'LogGroupName NOT IN ["/logwarden/model"]',
  },
  'logs:PutDestination': {
    destinationName: 'logwarden',
    targetArn: 'arn:aws:kinesis:eu-west-1:333333333333:stream/logwarden-central',
    roleArn: 'arn:aws:iam::333333333333:role/logwarden-destination',
  },
  'logs:PutDestinationPolicy': {
    destinationName: 'logwarden',
    accessPolicy: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
  },
  'logs:PutLogEvents': {
    logGroupName: '/logwarden/model',
    logStreamName: 'stream',
    logEvents: [{ timestamp: 1_700_000_000_000, message: 'hello' }],
  },
  'logs:PutResourcePolicy': { policyName: 'logwarden', policyDocument: policyDoc },
  'logs:PutRetentionPolicy': { logGroupName: '/logwarden/model', retentionInDays: 30 },
  'logs:PutSubscriptionFilter': {
    logGroupName: '/logwarden/model',
    filterName: 'logwarden',
    filterPattern: '',
    destinationArn: 'arn:aws:logs:eu-west-1:333333333333:destination:logwarden',
    distribution: 'ByLogStream',
  },
  'organizations:RemoveAccountFromOrganization': { AccountId: '444444444444' },
  'organizations:CreateOrganization': { FeatureSet: 'ALL' },
  'organizations:DescribeAccount': { AccountId: '444444444444' },
  'organizations:EnableAWSServiceAccess': { ServicePrincipal: 'account.amazonaws.com' },
  'organizations:ListAccounts': { MaxResults: 20 },
  'organizations:CreateOrganizationalUnit': { ParentId: 'r-ab12', Name: 'sandbox' },
  'organizations:ListRoots': {},
  'organizations:EnablePolicyType': { RootId: 'r-ab12', PolicyType: 'SERVICE_CONTROL_POLICY' },
  'organizations:ListOrganizationalUnitsForParent': { ParentId: 'r-ab12' },
  'organizations:ListAccountsForParent': { ParentId: 'ou-ab12-cd34ef56' },
  'organizations:MoveAccount': {
    AccountId: '444444444444',
    SourceParentId: 'r-ab12',
    DestinationParentId: 'ou-ab12-cd34ef56',
  },
  'organizations:ListParents': { ChildId: '444444444444' },
  'organizations:RegisterDelegatedAdministrator': {
    AccountId: '222222222222',
    ServicePrincipal: 'account.amazonaws.com',
  },
  'cloudformation:ActivateOrganizationsAccess': {},
  'cloudformation:DescribeOrganizationsAccess': { CallAs: 'SELF' },
  'cloudtrail:RegisterOrganizationDelegatedAdmin': { MemberAccountId: '222222222222' },
  'guardduty:ListOrganizationAdminAccounts': { MaxResults: 10 },
  'iam:GetRole': { RoleName: 'logwarden-member-execution' },
  'iam:GetRolePolicy': { RoleName: 'logwarden-member-execution', PolicyName: 'inline' },
  'iam:ListRolePolicies': { RoleName: 'logwarden-member-execution' },
  'iam:ListAttachedRolePolicies': { RoleName: 'logwarden-member-execution' },
  'organizations:AcceptHandshake': { HandshakeId: 'h-0123456789' },
  'organizations:DescribeOrganization': {},
  'organizations:DescribeResourcePolicy': {},
  'organizations:EnableAllFeatures': {},
  'organizations:ListAWSServiceAccessForOrganization': { MaxResults: 10 },
  'organizations:ListDelegatedAdministrators': {
    ServicePrincipal: 'cloudtrail.amazonaws.com',
    MaxResults: 10,
  },
  'organizations:PutResourcePolicy': { Content: policyDoc },
  'ssm:GetParameter': { Name: '/logwarden/config' },
  'ssm:PutParameter': { Name: '/logwarden/config', Value: 'configured', Type: 'String', Overwrite: true },
  's3:CreateBucket': {
    Bucket: 'logwarden-model',
    CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
  },
  's3:GetObject': { Bucket: 'logwarden-model', Key: 'object' },
  's3:GetObjectRetention': { Bucket: 'logwarden-model', Key: 'object' },
  's3:ListObjectsV2': { Bucket: 'logwarden-model', MaxKeys: 10 },
  's3:PutBucketPolicy': {
    Bucket: 'logwarden-model',
    Policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: '444444444444' },
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::logwarden-model/*',
        },
      ],
    }),
  },
  's3:PutObject': { Bucket: 'logwarden-model', Key: 'object', Body: 'body' },
  's3:CreateMultipartUpload': { Bucket: 'logwarden-model', Key: 'object' },
  's3:UploadPart': {
    Bucket: 'logwarden-model',
    Key: 'object',
    UploadId: 'upload-id',
    PartNumber: 1,
    Body: 'body',
  },
  's3:UploadPartCopy': {
    Bucket: 'logwarden-model',
    Key: 'object',
    UploadId: 'upload-id',
    PartNumber: 1,
    CopySource: 'logwarden-model/source',
  },
  's3:PutObjectRetention': {
    Bucket: 'logwarden-model',
    Key: 'object',
    Retention: { Mode: 'COMPLIANCE', RetainUntilDate: new Date('2030-01-01T00:00:00Z') },
  },
  's3:DeleteObject': { Bucket: 'logwarden-model', Key: 'object', VersionId: 'version' },
  's3:DeleteObjects': { Bucket: 'logwarden-model', Delete: { Objects: [{ Key: 'object' }] } },
  // The log-archive stacks created from their templates (local/template-deployer.ts).
  'kms:CreateKey': { Description: 'logwarden: S3 log archive', Policy: policyDoc },
  'kms:CreateAlias': {
    AliasName: 'alias/logwarden-archive',
    TargetKeyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
  },
  'kms:EnableKeyRotation': { KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab', RotationPeriodInDays: 365 },
  'kms:GetKeyPolicy': { KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab', PolicyName: 'default' },
  'kms:GetKeyRotationStatus': { KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab' },
  'kms:DescribeKey': { KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab' },
  'kms:CreateGrant': {
    KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
    GranteePrincipal: 'arn:aws:iam::333333333333:role/logwarden-central-alerter',
    Operations: ['Decrypt'],
  },
  'kms:PutKeyPolicy': {
    KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
    PolicyName: 'default',
    Policy: policyDoc,
  },
  'kinesis:IncreaseStreamRetentionPeriod': { StreamName: 'logwarden-central', RetentionPeriodHours: 168 },
  'kinesis:StartStreamEncryption': {
    StreamName: 'logwarden-central',
    EncryptionType: 'KMS',
    KeyId: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  },
  'kinesis:RegisterStreamConsumer': {
    StreamARN: 'arn:aws:kinesis:eu-west-1:111111111111:stream/logwarden-central',
    ConsumerName: 'logwarden-indexer',
  },
  'dynamodb:UpdateContinuousBackups': {
    TableName: 'logwarden-model',
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
  },
  'dynamodb:UpdateTimeToLive': {
    TableName: 'logwarden-model',
    TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
  },
  's3:GetBucketEncryption': { Bucket: 'logwarden-model' },
  's3:GetBucketPolicy': { Bucket: 'logwarden-model' },
  's3:GetBucketVersioning': { Bucket: 'logwarden-model' },
  's3:GetObjectLockConfiguration': { Bucket: 'logwarden-model' },
  's3:PutBucketEncryption': {
    Bucket: 'logwarden-model',
    ServerSideEncryptionConfiguration: {
      Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    },
  },
  's3:PutBucketLifecycleConfiguration': {
    Bucket: 'logwarden-model',
    LifecycleConfiguration: {
      Rules: [{ ID: 'expire', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 2557 } }],
    },
  },
  's3:PutBucketLogging': {
    Bucket: 'logwarden-model',
    BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'logwarden-model', TargetPrefix: 'archive/' } },
  },
  's3:PutBucketNotificationConfiguration': {
    Bucket: 'logwarden-model',
    NotificationConfiguration: { EventBridgeConfiguration: {} },
  },
  's3:PutBucketOwnershipControls': {
    Bucket: 'logwarden-model',
    OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
  },
  's3:PutBucketReplication': {
    Bucket: 'logwarden-model',
    ReplicationConfiguration: {
      Role: 'arn:aws:iam::123456789012:role/logwarden-archive-replication',
      Rules: [
        {
          ID: 'replica',
          Priority: 1,
          Status: 'Enabled',
          Filter: { Prefix: '' },
          DeleteMarkerReplication: { Status: 'Disabled' },
          Destination: { Bucket: 'arn:aws:s3:::logwarden-model-replica' },
        },
      ],
    },
  },
  's3:PutBucketVersioning': { Bucket: 'logwarden-model', VersioningConfiguration: { Status: 'Enabled' } },
  's3:PutObjectLockConfiguration': {
    Bucket: 'logwarden-model',
    ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' },
  },
  's3:PutPublicAccessBlock': {
    Bucket: 'logwarden-model',
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    },
  },
  'sns:GetTopicAttributes': { TopicArn: 'arn:aws:sns:eu-west-1:111111111111:logwarden-alerts' },
  'sns:ListSubscriptionsByTopic': { TopicArn: 'arn:aws:sns:eu-west-1:111111111111:logwarden-alerts' },
  'sqs:SetQueueAttributes': {
    QueueUrl: 'http://localhost/123456789012/logwarden-local',
    Attributes: { MessageRetentionPeriod: '1209600' },
  },
  'sns:CreateTopic': { Name: 'logwarden-alerts' },
  'sns:SetTopicAttributes': {
    TopicArn: 'arn:aws:sns:eu-west-1:111111111111:logwarden-alerts',
    AttributeName: 'DisplayName',
    AttributeValue: 'logwarden',
  },
  'sns:Publish': { TopicArn: 'arn:aws:sns:eu-west-1:333333333333:logwarden-alerts', Message: 'alert' },
  'sns:Subscribe': {
    TopicArn: 'arn:aws:sns:eu-west-1:333333333333:logwarden-alerts',
    Protocol: 'sqs',
    Endpoint: 'arn:aws:sqs:eu-west-1:333333333333:logwarden-local',
  },
  'sqs:CreateQueue': { QueueName: 'logwarden-local' },
  'sqs:DeleteMessage': { QueueUrl: queue, ReceiptHandle: 'receipt-handle' },
  'sqs:GetQueueAttributes': { QueueUrl: queue, AttributeNames: ['All'] },
  'sqs:ListQueues': { MaxResults: 10 },
  'sqs:PurgeQueue': { QueueUrl: queue },
  'sqs:ReceiveMessage': { QueueUrl: queue, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 },
  'sqs:SendMessage': { QueueUrl: queue, MessageBody: 'message' },
  'states:CreateStateMachine': {
    name: 'cover-account',
    definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
    roleArn: 'arn:aws:iam::222222222222:role/logwarden-workflow',
  },
  'states:DescribeExecution': { executionArn: execution },
  'states:DescribeMapRun': { mapRunArn: `${execution.replace(':execution:', ':mapRun:')}/map:run` },
  'states:GetExecutionHistory': { executionArn: execution, maxResults: 100 },
  'states:ListExecutions': {
    stateMachineArn: 'arn:aws:states:eu-west-1:222222222222:stateMachine:cover-account',
    maxResults: 100,
  },
  'states:StartExecution': {
    stateMachineArn: 'arn:aws:states:eu-west-1:222222222222:stateMachine:cover-account',
    name: 'account-444444444444',
    input: '{}',
  },
  'sts:AssumeRole': {
    RoleArn: 'arn:aws:iam::444444444444:role/logwarden-member-execution',
    RoleSessionName: 'logwarden',
    DurationSeconds: 900,
  },
  'sts:GetCallerIdentity': {},
};
