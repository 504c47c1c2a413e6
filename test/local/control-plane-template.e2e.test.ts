/**
 * The control-plane stack the local run deploys (`LogwardenControlPlane`, in the
 * security-tooling account, local/template-deployer.ts and local/deployment.ts deployIam) is its
 * synthesized template: each resource the stand-ins hold is read back and compared with the
 * template's properties (the KMS keys and aliases, the ledger table, the summary topic, its
 * policy and subscription, the dispatcher's failure queue and its policy, the log groups, the
 * roles with their trust, inline and managed policies, the control bus and its policy). Every
 * other resource type of the template is named, with where it is emulated or why it is not, so a
 * new type fails here until it is compared or listed.
 */
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeTimeToLiveCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DescribeEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
} from '@aws-sdk/client-kms';
import { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { physicalName, resolveValue } from '../../local/asl';
import { resolveDocument, type DeployedStack } from '../../local/deployment';
import { startMoto, type Moto } from '../../local/moto';
import { emulateOrganization, type Organization } from '../../local/scenario/organization';
import type { Credentials } from '../../local/template-deployer';

let moto: Moto;
let org: Organization;
let plane: DeployedStack;
let st: Credentials;

beforeAll(async () => {
  moto = await startMoto();
  org = await emulateOrganization(moto.endpoint, { members: [] });
  plane = org.stacks.find(
    (s) => s.account === org.securityTooling && s.stackName === 'LogwardenControlPlane',
  )!;
  st = await org.admin(org.securityTooling);
}, 240_000);

afterAll(async () => {
  await moto?.stop();
});

type Resource = { Type: string; Properties?: Record<string, unknown> };
const ofType = (type: string) =>
  Object.entries(plane.template.Resources as Record<string, Resource>).filter(([, r]) => r.Type === type);
const ref = (id: string, attribute?: string) =>
  resolveValue(
    plane.template,
    attribute ? { 'Fn::GetAtt': [id, attribute] } : { Ref: id },
    plane.region,
    plane.account,
  );
const value = (v: unknown) => resolveValue(plane.template, v, plane.region, plane.account);
const where = () => ({ region: plane.region, credentials: st });

/** What the template holds that this test reads back. */
const COMPARED = [
  'AWS::KMS::Key',
  'AWS::KMS::Alias',
  'AWS::DynamoDB::Table',
  'AWS::SNS::Topic',
  'AWS::SNS::TopicPolicy',
  'AWS::SNS::Subscription',
  'AWS::SQS::Queue',
  'AWS::SQS::QueuePolicy',
  'AWS::Logs::LogGroup',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::Events::EventBus',
  'AWS::Events::EventBusPolicy',
];
/** Taken from the same template by their own emulation (docs/local-run.md), or not emulated. */
const ELSEWHERE: Record<string, string> = {
  'AWS::Events::Rule': 'local/event-bus.ts: the rules, matched with events/match.ts',
  'AWS::Lambda::Function': 'local/template-functions.ts: the handlers, with their role and environment',
  'AWS::Lambda::Permission': 'not emulated: the local EventBridge invokes the dispatcher',
  'AWS::Lambda::EventInvokeConfig': 'not emulated: no asynchronous Lambda invocation locally',
  'AWS::StepFunctions::StateMachine':
    'local/control-plane.ts: the synthesized ASL in aws-local-stepfunctions',
  'AWS::CloudWatch::Alarm': 'not created (docs/local-run.md, control-plane resources)',
  'AWS::Scheduler::Schedule': 'not created: the run starts the sweep itself',
  'AWS::CloudFormation::StackSet': 'local/deployment.ts: the member baseline per account',
  'AWS::CDK::Metadata': 'CDK bookkeeping, no AWS resource',
};

describe('the control-plane stack, created from its template', () => {
  it('each resource type is compared below or named with where it is emulated', () => {
    const types = [
      ...new Set(Object.values(plane.template.Resources as Record<string, Resource>).map((r) => r.Type)),
    ];
    expect(types.filter((t) => !COMPARED.includes(t) && !(t in ELSEWHERE))).toEqual([]);
    for (const t of COMPARED) expect(ofType(t).length).toBeGreaterThan(0);
  });

  it('every KMS key has the template key policy and rotation, and every alias names its key', async () => {
    const kms = new KMSClient(where());
    for (const [id, key] of ofType('AWS::KMS::Key')) {
      const KeyId = ref(id);
      const policy = await kms.send(new GetKeyPolicyCommand({ KeyId, PolicyName: 'default' }));
      expect(JSON.parse(policy.Policy!)).toEqual(resolveDocument(plane, key.Properties!.KeyPolicy));
      const rotation = await kms.send(new GetKeyRotationStatusCommand({ KeyId }));
      expect(rotation.KeyRotationEnabled).toBe(key.Properties!.EnableKeyRotation === true);
    }
    for (const [, alias] of ofType('AWS::KMS::Alias')) {
      const described = await kms.send(
        new DescribeKeyCommand({ KeyId: String(value(alias.Properties!.AliasName)) }),
      );
      expect(described.KeyMetadata!.Arn).toBe(
        ref((alias.Properties!.TargetKeyId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0], 'Arn'),
      );
    }
  });

  it('the ledger table has the template key schema, key, point-in-time recovery and deletion protection', async () => {
    const dynamodb = new DynamoDBClient(where());
    for (const [id, table] of ofType('AWS::DynamoDB::Table')) {
      const p = table.Properties as {
        KeySchema: unknown[];
        SSESpecification: { KMSMasterKeyId: unknown };
        PointInTimeRecoverySpecification?: { PointInTimeRecoveryEnabled: boolean };
        DeletionProtectionEnabled?: boolean;
        TimeToLiveSpecification?: { AttributeName: string; Enabled: boolean };
      };
      const TableName = physicalName(plane.template, id);
      const described = (await dynamodb.send(new DescribeTableCommand({ TableName }))).Table!;
      expect(described.KeySchema).toEqual(p.KeySchema);
      expect(described.SSEDescription).toMatchObject({
        Status: 'ENABLED',
        SSEType: 'KMS',
        KMSMasterKeyArn: value(p.SSESpecification.KMSMasterKeyId),
      });
      expect(described.DeletionProtectionEnabled ?? false).toBe(p.DeletionProtectionEnabled ?? false);
      const backups = await dynamodb.send(new DescribeContinuousBackupsCommand({ TableName }));
      expect(
        backups.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus,
      ).toBe(p.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled ? 'ENABLED' : 'DISABLED');
      if (p.TimeToLiveSpecification) {
        const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName }));
        expect(ttl.TimeToLiveDescription).toMatchObject({
          AttributeName: p.TimeToLiveSpecification.AttributeName,
          TimeToLiveStatus: p.TimeToLiveSpecification.Enabled ? 'ENABLED' : 'DISABLED',
        });
      }
    }
  });

  it('the summary topic has the template key, policy and e-mail subscriptions', async () => {
    const sns = new SNSClient(where());
    const [[id, topic]] = ofType('AWS::SNS::Topic');
    const TopicArn = ref(id);
    const attributes = (await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!;
    expect(attributes.KmsMasterKeyId).toBe(value(topic.Properties!.KmsMasterKeyId));
    const [[, topicPolicy]] = ofType('AWS::SNS::TopicPolicy');
    expect(JSON.parse(attributes.Policy)).toEqual(
      resolveDocument(plane, topicPolicy.Properties!.PolicyDocument),
    );
    const subscriptions = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions!;
    for (const [, s] of ofType('AWS::SNS::Subscription'))
      expect(subscriptions).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Protocol: s.Properties!.Protocol,
            Endpoint: value(s.Properties!.Endpoint),
          }),
        ]),
      );
  });

  it("the dispatcher's failure queue has the template key, retention and policy", async () => {
    const sqs = new SQSClient(where());
    for (const [id, queue] of ofType('AWS::SQS::Queue')) {
      const QueueUrl = ref(id);
      const attributes = (
        await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))
      ).Attributes!;
      const p = queue.Properties as { KmsMasterKeyId?: unknown; MessageRetentionPeriod?: number };
      expect(attributes.KmsMasterKeyId).toBe(value(p.KmsMasterKeyId));
      if (p.MessageRetentionPeriod !== undefined)
        expect(attributes.MessageRetentionPeriod).toBe(String(p.MessageRetentionPeriod));
      const [, queuePolicy] = ofType('AWS::SQS::QueuePolicy').find(([, qp]) =>
        JSON.stringify(qp.Properties!.Queues).includes(id),
      )!;
      expect(JSON.parse(attributes.Policy!)).toEqual(
        resolveDocument(plane, queuePolicy.Properties!.PolicyDocument),
      );
    }
  });

  it('every log group has the template name, key and retention', async () => {
    const logs = new CloudWatchLogsClient(where());
    for (const [id, group] of ofType('AWS::Logs::LogGroup')) {
      const logGroupName = physicalName(plane.template, id);
      const found = (
        await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroupName }))
      ).logGroups!.find((g) => g.logGroupName === logGroupName);
      expect(found).toMatchObject({
        kmsKeyId: value(group.Properties!.KmsKeyId),
        retentionInDays: group.Properties!.RetentionInDays,
      });
    }
  });

  it('every role has the template trust, inline policies and managed policies, and nothing else', async () => {
    const iam = new IAMClient({ region: 'us-east-1', credentials: st });
    const policies = ofType('AWS::IAM::Policy');
    for (const [id, role] of ofType('AWS::IAM::Role')) {
      const RoleName = physicalName(plane.template, id);
      const got = (await iam.send(new GetRoleCommand({ RoleName }))).Role!;
      expect(JSON.parse(decodeURIComponent(got.AssumeRolePolicyDocument!))).toEqual(
        resolveDocument(plane, role.Properties!.AssumeRolePolicyDocument),
      );
      const inline = new Map<string, unknown>();
      for (const p of (role.Properties!.Policies as { PolicyName: string; PolicyDocument: unknown }[]) ?? [])
        inline.set(p.PolicyName, resolveDocument(plane, p.PolicyDocument));
      for (const [, p] of policies)
        if (((p.Properties!.Roles as { Ref: string }[]) ?? []).some((r) => r.Ref === id))
          inline.set(String(p.Properties!.PolicyName), resolveDocument(plane, p.Properties!.PolicyDocument));
      const names = (await iam.send(new ListRolePoliciesCommand({ RoleName }))).PolicyNames!;
      expect([...names].sort()).toEqual([...inline.keys()].sort());
      for (const [PolicyName, document] of inline) {
        const held = await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName }));
        expect(JSON.parse(decodeURIComponent(held.PolicyDocument!))).toEqual(document);
      }
      const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName }))).AttachedPolicies!;
      expect(attached.map((a) => a.PolicyArn).sort()).toEqual(
        ((role.Properties!.ManagedPolicyArns as unknown[]) ?? []).map((a) => value(a)).sort(),
      );
    }
  });

  it('the control bus has the template name and policy', async () => {
    const events = new EventBridgeClient(where());
    const [[id]] = ofType('AWS::Events::EventBus');
    const bus = await events.send(new DescribeEventBusCommand({ Name: physicalName(plane.template, id) }));
    // AWS::Events::EventBusPolicy's StatementId is the statement's Sid (EventBridge API
    // Reference, PutPermission: StatementId "An identifier string for the external account").
    const statements = ofType('AWS::Events::EventBusPolicy').map(([, p]) => ({
      Sid: p.Properties!.StatementId,
      ...(resolveDocument(plane, p.Properties!.Statement) as object),
    }));
    expect(JSON.parse(bus.Policy!).Statement).toEqual(statements);
  });
});
