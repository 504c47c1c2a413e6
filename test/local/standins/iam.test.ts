/**
 * IAM enforcement on logwarden's moto extension (real SDK, `--iam`): each call is evaluated
 * against the caller's role policies by action, by the resource ARN of the Service
 * Authorization Reference (or `*` where the action has no resource type) and by conditions;
 * cross-account AssumeRole needs the trust policy too. Denials come in each service's shape.
 */
import {
  CloudWatchLogsClient,
  DescribeAccountPoliciesCommand,
  PutAccountPolicyCommand,
  PutDestinationCommand,
  PutDestinationPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateFlowLogsCommand, CreateVpcCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateStreamCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListQueuesCommand, PurgeQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  World,
  logArchive,
  member,
  organizationDestinationPolicy,
  outsider,
  region,
  securityTooling,
  type Credentials,
} from './world';

let world: World;
let organizationId: string;
const destinationArn = `arn:aws:logs:${region}:${logArchive}:destination:logwarden-central-${region}`;

const lambdaTrust = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

async function role(account: string, name: string, trust: object, statements: object[]): Promise<string> {
  const iam = world.as(IAMClient, account, 'us-east-1');
  const res = await iam.send(
    new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: name,
      PolicyName: 'inline',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
    }),
  );
  return res.Role!.Arn!;
}

async function lambdaCredentials(roleArn: string): Promise<Credentials> {
  const res = await world.serviceCredentials(roleArn, 'lambda.amazonaws.com');
  expect(res.status).toBe(200);
  return res.body;
}

// The destination grants the organization, so the policy names the member's own role (CloudWatch
// Logs User Guide, account-level subscriptions, Step 3), which the caller passes to CloudWatch Logs.
const subscriptionRoleArn = `arn:aws:iam::${member}:role/logwarden-subscription`;
const subscriptionPolicy = new PutAccountPolicyCommand({
  policyName: `logwarden-central-${region}`,
  policyType: 'SUBSCRIPTION_FILTER_POLICY',
  policyDocument: JSON.stringify({
    DestinationArn: destinationArn,
    RoleArn: subscriptionRoleArn,
    FilterPattern: '',
    Distribution: 'Random',
  }),
  selectionCriteria: 'LogGroupName NOT IN []',
  scope: 'ALL',
});

beforeAll(async () => {
  world = await World.start({ iam: true });
  organizationId = await world.organization();
  const kinesis = world.as(KinesisClient, logArchive);
  await kinesis.send(new CreateStreamCommand({ StreamName: 'central', ShardCount: 1 }));
  // The destination's role: CloudWatch Logs assumes it to put records into the stream.
  await role(
    logArchive,
    'logwarden-destination',
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'logs.amazonaws.com' },
          Action: 'sts:AssumeRole',
          // As the destination stack writes it: this region's log groups, any sender.
          Condition: { StringLike: { 'aws:SourceArn': `arn:aws:logs:${region}:*:*` } },
        },
      ],
    },
    [
      {
        Effect: 'Allow',
        Action: 'kinesis:PutRecord',
        Resource: `arn:aws:kinesis:${region}:${logArchive}:stream/central`,
      },
    ],
  );
  await world.as(CloudWatchLogsClient, logArchive).send(
    new PutDestinationCommand({
      destinationName: `logwarden-central-${region}`,
      targetArn: `arn:aws:kinesis:${region}:${logArchive}:stream/central`,
      roleArn: `arn:aws:iam::${logArchive}:role/logwarden-destination`,
    }),
  );
}, 60_000);

afterAll(() => world?.stop());

describe('IAM enforcement: action, resource, conditions', () => {
  it('PutAccountPolicy scoped to log-group ARNs is denied: the action has no resource type', async () => {
    const narrowed = await role(member, 'narrowed-subscription', lambdaTrust, [
      {
        Effect: 'Allow',
        Action: ['logs:PutAccountPolicy', 'logs:PutSubscriptionFilter'],
        Resource: [`arn:aws:logs:*:${member}:log-group:*`, destinationArn],
      },
    ]);
    const logs = world.with(CloudWatchLogsClient, await lambdaCredentials(narrowed));
    await expect(logs.send(subscriptionPolicy)).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('logs:PutAccountPolicy'),
    });
  });

  it('PutAccountPolicy on * without logs:PutSubscriptionFilter on the destination is denied', async () => {
    const half = await role(member, 'half-subscription', lambdaTrust, [
      { Effect: 'Allow', Action: 'logs:PutAccountPolicy', Resource: '*' },
    ]);
    const logs = world.with(CloudWatchLogsClient, await lambdaCredentials(half));
    await expect(logs.send(subscriptionPolicy)).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining(`logs:PutSubscriptionFilter on resource: ${destinationArn}`),
    });
  });

  it('the grants the SAR describes are allowed once the destination lets the organization in; nothing more', async () => {
    const good = await role(member, 'subscription', lambdaTrust, [
      { Effect: 'Allow', Action: ['logs:PutAccountPolicy', 'logs:DescribeAccountPolicies'], Resource: '*' },
      { Effect: 'Allow', Action: 'logs:PutSubscriptionFilter', Resource: destinationArn },
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: subscriptionRoleArn,
        Condition: { StringEquals: { 'iam:PassedToService': 'logs.amazonaws.com' } },
      },
    ]);
    const credentials = await lambdaCredentials(good);
    const logs = world.with(CloudWatchLogsClient, credentials);
    // The destination's own policy still has to let the member in (none yet: cross-account denied).
    await expect(logs.send(subscriptionPolicy)).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await world.as(CloudWatchLogsClient, logArchive).send(
      new PutDestinationPolicyCommand({
        destinationName: `logwarden-central-${region}`,
        accessPolicy: organizationDestinationPolicy(destinationArn, organizationId),
      }),
    );
    await logs.send(subscriptionPolicy);
    const described = await logs.send(
      new DescribeAccountPoliciesCommand({ policyType: 'SUBSCRIPTION_FILTER_POLICY' }),
    );
    expect(described.accountPolicies?.map((p) => p.policyName)).toEqual([`logwarden-central-${region}`]);
    const identity = await world.with(STSClient, credentials).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(`arn:aws:sts::${member}:assumed-role/subscription/lambda`);
    await expect(world.with(EC2Client, credentials).send(new DescribeVpcsCommand({}))).rejects.toMatchObject({
      name: 'UnauthorizedOperation',
    });
  });

  it('CreateFlowLogs needs the VPC, the flow-log resource and iam:PassRole of the delivery role', async () => {
    const vpcId = (await world.as(EC2Client, member).send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' })))
      .Vpc!.VpcId!;
    const statements = [
      { Effect: 'Allow', Action: 'ec2:CreateFlowLogs', Resource: `arn:aws:ec2:*:${member}:vpc-flow-log/*` },
      { Effect: 'Allow', Action: 'ec2:CreateFlowLogs', Resource: `arn:aws:ec2:*:${member}:vpc/*` },
    ];
    const request = new CreateFlowLogsCommand({
      ResourceIds: [vpcId],
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: '/logwarden/vpc-flow-logs',
      DeliverLogsPermissionArn: `arn:aws:iam::${member}:role/logwarden-flow-logs`,
      ClientToken: 'iam-test-1',
    });
    const without = await role(member, 'flow-logs-no-passrole', lambdaTrust, statements);
    await expect(world.with(EC2Client, await lambdaCredentials(without)).send(request)).rejects.toMatchObject(
      {
        name: 'UnauthorizedOperation',
        message: expect.stringContaining('iam:PassRole'),
      },
    );
    const withPass = await role(member, 'flow-logs', lambdaTrust, [
      ...statements,
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: `arn:aws:iam::${member}:role/logwarden-flow-logs`,
      },
    ]);
    const res = await world.with(EC2Client, await lambdaCredentials(withPass)).send(request);
    expect(res.FlowLogIds).toHaveLength(1);
  });

  it('S3 is authorized by bucket and key: a grant on one prefix does not reach another', async () => {
    await world.as(S3Client, member).send(
      new CreateBucketCommand({
        Bucket: 'archive',
        CreateBucketConfiguration: { LocationConstraint: region },
      }),
    );
    const writer = await role(member, 'archive-writer', lambdaTrust, [
      { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::archive/rejected/*' },
    ]);
    const s3 = world.with(S3Client, await lambdaCredentials(writer));
    await s3.send(new PutObjectCommand({ Bucket: 'archive', Key: 'rejected/2026-11-29/a.json', Body: '{}' }));
    await expect(
      s3.send(new PutObjectCommand({ Bucket: 'archive', Key: 'source=cloudtrail/a.json', Body: '{}' })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(s3.send(new ListObjectsV2Command({ Bucket: 'archive' }))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });

  it('an explicit Deny wins over an Allow', async () => {
    const denied = await role(member, 'denied', lambdaTrust, [
      { Effect: 'Allow', Action: 'logs:*', Resource: '*' },
      { Effect: 'Deny', Action: 'logs:DescribeAccountPolicies', Resource: '*' },
    ]);
    const logs = world.with(CloudWatchLogsClient, await lambdaCredentials(denied));
    await expect(
      logs.send(new DescribeAccountPoliciesCommand({ policyType: 'SUBSCRIPTION_FILTER_POLICY' })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('explicit deny'),
    });
  });

  it('a request nobody mapped is denied, naming the operation', async () => {
    const broad = await role(member, 'broad', lambdaTrust, [
      { Effect: 'Allow', Action: 'sqs:*', Resource: '*' },
    ]);
    await expect(
      world.with(SQSClient, await lambdaCredentials(broad)).send(new ListQueuesCommand({})),
    ).resolves.toBeDefined();
    // Mapped and allowed above; an operation outside the mapping is refused whatever the policy.
    await expect(
      world
        .with(SQSClient, await lambdaCredentials(broad))
        .send(new PurgeQueueCommand({ QueueUrl: `${world.moto.endpoint}/${member}/anything` })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('sqs:PurgeQueue has no request-to-resource mapping'),
    });
  });
});

describe('IAM enforcement: who may assume a role', () => {
  let memberExecution: string;
  beforeAll(async () => {
    memberExecution = await role(
      member,
      'logwarden-member-execution',
      {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${securityTooling}:root` },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:PrincipalOrgID': organizationId } },
          },
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${outsider}:root` },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:PrincipalOrgID': organizationId } },
          },
        ],
      },
      [{ Effect: 'Allow', Action: 'ec2:DescribeVpcs', Resource: '*' }],
    );
  });

  const assume = (credentials: Credentials) =>
    world
      .with(STSClient, credentials, 'us-east-1')
      .send(new AssumeRoleCommand({ RoleArn: memberExecution, RoleSessionName: 'cover' }));

  it('a control role of the organization with sts:AssumeRole gets in and acts as the member', async () => {
    const control = await role(securityTooling, 'control', lambdaTrust, [
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: `arn:aws:iam::*:role/logwarden-member-execution`,
      },
    ]);
    const res = await assume(await lambdaCredentials(control));
    const inside = world.with(EC2Client, {
      accessKeyId: res.Credentials!.AccessKeyId!,
      secretAccessKey: res.Credentials!.SecretAccessKey!,
      sessionToken: res.Credentials!.SessionToken,
    });
    expect((await inside.send(new DescribeVpcsCommand({}))).Vpcs!.length).toBeGreaterThan(0);
  });

  it('without its own sts:AssumeRole grant the trusted account is still refused', async () => {
    const bare = await role(securityTooling, 'bare', lambdaTrust, [
      { Effect: 'Allow', Action: 'ec2:DescribeVpcs', Resource: '*' },
    ]);
    await expect(assume(await lambdaCredentials(bare))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('aws:PrincipalOrgID keeps an account outside the organization out, even when the trust names it', async () => {
    const stranger = await role(outsider, 'stranger', lambdaTrust, [
      { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' },
    ]);
    await expect(assume(await lambdaCredentials(stranger))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining('trust policy'),
    });
  });

  it('a trust that requires MFA admits a user of the account only when AssumeRole carries its MFA device', async () => {
    // IAM User Guide, "Configuring MFA-protected API access": the user calls AssumeRole with
    // SerialNumber and TokenCode; AWS global condition context keys, aws:MultiFactorAuthPresent:
    // "the key is not present" for credentials obtained without MFA, so the Bool condition fails.
    const iam = world.as(IAMClient, logArchive, 'us-east-1');
    const breakGlass = await role(
      logArchive,
      'mfa-only',
      {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${logArchive}:root` },
            Action: 'sts:AssumeRole',
            Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
          },
        ],
      },
      [{ Effect: 'Allow', Action: 'ec2:DescribeVpcs', Resource: '*' }],
    );
    const person = async (name: string) => {
      await iam.send(new CreateUserCommand({ UserName: name }));
      await iam.send(
        new PutUserPolicyCommand({
          UserName: name,
          PolicyName: 'take',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: breakGlass }],
          }),
        }),
      );
      const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
      return world.with(
        STSClient,
        { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! },
        'us-east-1',
      );
    };
    const withDevice = await person('with-device');
    const serial = (
      await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'with-device' }))
    ).VirtualMFADevice!.SerialNumber!;
    await iam.send(
      new EnableMFADeviceCommand({
        UserName: 'with-device',
        SerialNumber: serial,
        AuthenticationCode1: '123456',
        AuthenticationCode2: '654321',
      }),
    );
    const take = (sts: STSClient, mfa?: { SerialNumber: string; TokenCode: string }) =>
      sts.send(new AssumeRoleCommand({ RoleArn: breakGlass, RoleSessionName: 'person', ...mfa }));

    await expect(take(withDevice)).rejects.toMatchObject({ name: 'AccessDenied' });
    const other = await person('without-device');
    // Another user's device is not this user's MFA.
    await expect(take(other, { SerialNumber: serial, TokenCode: '123456' })).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    const res = await take(withDevice, { SerialNumber: serial, TokenCode: '123456' });
    expect(res.Credentials?.AccessKeyId).toBeDefined();
  });

  it("root credentials cannot assume a role; a service gets a role's credentials only if the trust names it", async () => {
    await expect(
      world
        .as(STSClient, securityTooling, 'us-east-1')
        .send(new AssumeRoleCommand({ RoleArn: memberExecution, RoleSessionName: 'root' })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    const res = await world.serviceCredentials(memberExecution, 'lambda.amazonaws.com');
    expect(res.status).toBe(403);
  });
});
