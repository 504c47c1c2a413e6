/**
 * IAM as AWS evaluates it, on the stand-in (local/standins/iam.py, policy.py), each with the
 * sentence of the IAM User Guide it rests on and both sides: global condition keys AWS always
 * sets, policy variables, permissions boundaries, session policies, resource-based policies
 * (same account: either side grants; across accounts: both must), an explicit Deny anywhere, and
 * the trust policy validated when a role is created. Real SDK clients (world.ts), IAM enforced.
 */
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateVpcCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutPermissionCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateStreamCommand,
  KinesisClient,
  PutRecordCommand,
  PutResourcePolicyCommand,
} from '@aws-sdk/client-kinesis';
import {
  CreateBucketCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateTopicCommand,
  PublishCommand,
  SetTopicAttributesCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import {
  CreateDatabaseCommand,
  CreateTableCommand as CreateGlueTableCommand,
  GetTableCommand,
  GlueClient,
} from '@aws-sdk/client-glue';
import { conformance } from './conformance';
import { World, logArchive, member, region, securityTooling, type Credentials } from './world';

let world: World;
let organizationId: string;
let counter = 0;

const lambdaTrust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
/** A trust naming every role of security-tooling by a wildcard in the ARN. */
const wildcardTrust = () =>
  doc({
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${securityTooling}:role/*` },
    Action: 'sts:AssumeRole',
  });
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const allow = (Action: string | string[], Resource: string | string[] = '*', Condition?: object) => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});

/** A role of `account` with `statements`, and the credentials Lambda would give a function of it. */
async function roleSession(
  account: string,
  statements: object[],
  options: { boundary?: object[] } = {},
): Promise<{ arn: string; credentials: Credentials }> {
  const iam = world.as(IAMClient, account, 'us-east-1');
  const name = `conformance-${++counter}`;
  const boundaryArn = options.boundary
    ? (
        await iam.send(
          new CreatePolicyCommand({
            PolicyName: `${name}-boundary`,
            PolicyDocument: doc(...options.boundary),
          }),
        )
      ).Policy!.Arn!
    : undefined;
  const arn = (
    await iam.send(
      new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: lambdaTrust,
        PermissionsBoundary: boundaryArn,
      }),
    )
  ).Role!.Arn!;
  // A role policy must hold a statement: one allowing only GetCallerIdentity stands for "none".
  const granted = statements.length ? statements : [allow('sts:GetCallerIdentity')];
  await iam.send(
    new PutRolePolicyCommand({ RoleName: name, PolicyName: 'inline', PolicyDocument: doc(...granted) }),
  );
  const res = await world.serviceCredentials(arn, 'lambda.amazonaws.com');
  if (res.status !== 200) throw new Error(JSON.stringify(res.body));
  return { arn, credentials: res.body };
}

/** What a call answers: 'ok', or the error's name. */
async function outcome(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => 'ok',
    (e: Error) => e.name,
  );
}

beforeAll(async () => {
  world = await World.start({ iam: true });
  organizationId = await world.organization();
}, 60_000);

afterAll(() => world?.stop());

conformance('ec2:DescribeVpcs', {
  behaviour: 'aws:CurrentTime and aws:ViaAWSService are in every request context',
  source:
    'IAM User Guide, "AWS global condition context keys": aws:CurrentTime "Availability – This key is always included in the request context"; aws:ViaAWSService "is false when the principal makes a call directly"',
  refuses: [
    'a grant that only holds before 2001, or only via an AWS service',
    async () => {
      const before2001 = await roleSession(member, [
        allow('ec2:DescribeVpcs', '*', { DateLessThan: { 'aws:CurrentTime': '2001-01-01T00:00:00Z' } }),
      ]);
      expect(
        await outcome(world.with(EC2Client, before2001.credentials).send(new DescribeVpcsCommand({}))),
      ).toBe('UnauthorizedOperation');
      const viaService = await roleSession(member, [
        allow('ec2:DescribeVpcs', '*', { Bool: { 'aws:ViaAWSService': 'true' } }),
      ]);
      expect(
        await outcome(world.with(EC2Client, viaService.credentials).send(new DescribeVpcsCommand({}))),
      ).toBe('UnauthorizedOperation');
    },
  ],
  accepts: [
    'a grant that holds after 2001, epoch seconds too, for a direct call',
    async () => {
      const s = await roleSession(member, [
        allow('ec2:DescribeVpcs', '*', {
          DateGreaterThan: { 'aws:CurrentTime': '2001-01-01T00:00:00Z' },
          NumericGreaterThan: { 'aws:EpochTime': '978307200' },
          Bool: { 'aws:ViaAWSService': 'false' },
        }),
      ]);
      expect(await outcome(world.with(EC2Client, s.credentials).send(new DescribeVpcsCommand({})))).toBe(
        'ok',
      );
    },
  ],
});

conformance('logs:CreateLogGroup', {
  behaviour: 'policy variables are replaced from the request context',
  source:
    'IAM User Guide, "IAM policy elements: Variables and tags": "When the policy is evaluated, the policy variables are replaced with values that come from the conditional context keys passed in the request"; "If AWS cannot resolve a variable this might cause the entire statement to be invalid"',
  refuses: [
    "a resource named by another account's id, and a variable a role session has no value for (aws:username)",
    async () => {
      const s = await roleSession(member, [
        allow('logs:CreateLogGroup', `arn:aws:logs:*:\${aws:PrincipalAccount}:log-group:/app/*`),
        allow('logs:CreateLogGroup', `arn:aws:logs:*:*:log-group:/user/\${aws:username}`),
      ]);
      const logs = world.with(CloudWatchLogsClient, s.credentials);
      // The variable makes the grant this account's: /app/* is allowed, but only in the caller's account.
      expect(
        await outcome(
          world
            .with(CloudWatchLogsClient, (await roleSession(logArchive, [])).credentials)
            .send(new CreateLogGroupCommand({ logGroupName: '/app/x' })),
        ),
      ).toBe('AccessDeniedException');
      expect(await outcome(logs.send(new CreateLogGroupCommand({ logGroupName: '/user/' })))).toBe(
        'AccessDeniedException',
      );
    },
  ],
  accepts: [
    "the caller's own account's group through ${aws:PrincipalAccount}, and a default value",
    async () => {
      const s = await roleSession(member, [
        allow('logs:CreateLogGroup', `arn:aws:logs:*:\${aws:PrincipalAccount}:log-group:/app/*`),
        allow('logs:CreateLogGroup', `arn:aws:logs:*:*:log-group:/user/\${aws:username, 'nobody'}`),
      ]);
      const logs = world.with(CloudWatchLogsClient, s.credentials);
      expect(await outcome(logs.send(new CreateLogGroupCommand({ logGroupName: '/app/x' })))).toBe('ok');
      expect(await outcome(logs.send(new CreateLogGroupCommand({ logGroupName: '/user/nobody' })))).toBe(
        'ok',
      );
    },
  ],
});

conformance('ec2:CreateVpc', {
  behaviour: 'a permissions boundary limits what the role policy allows',
  source:
    'IAM User Guide, "Permissions boundaries for IAM entities": "An entity\'s permissions boundary allows it to perform only the actions that are allowed by both its identity-based policies and its permissions boundaries"',
  refuses: [
    'an action the role policy allows and the boundary does not',
    async () => {
      const s = await roleSession(member, [allow('ec2:*')], { boundary: [allow('ec2:DescribeVpcs')] });
      expect(
        await outcome(
          world.with(EC2Client, s.credentials).send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' })),
        ),
      ).toBe('UnauthorizedOperation');
    },
  ],
  accepts: [
    'an action both allow',
    async () => {
      const s = await roleSession(member, [allow('ec2:*')], {
        boundary: [allow(['ec2:DescribeVpcs', 'ec2:CreateVpc'])],
      });
      expect(
        await outcome(
          world.with(EC2Client, s.credentials).send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' })),
        ),
      ).toBe('ok');
    },
  ],
});

conformance('sts:AssumeRole', {
  behaviour: 'a session policy limits the session to what it and the role policy both allow',
  source:
    'IAM User Guide, "Session policies": "The resulting session\'s permissions are the intersection of the role or user\'s identity-based policies and the session policies"',
  refuses: [
    'a call the role allows and the session policy passed to AssumeRole does not',
    async () => {
      const iam = world.as(IAMClient, member, 'us-east-1');
      await iam.send(new CreateUserCommand({ UserName: 'session-person' }));
      await iam.send(
        new PutUserPolicyCommand({
          UserName: 'session-person',
          PolicyName: 'assume',
          PolicyDocument: doc(allow('sts:AssumeRole', `arn:aws:iam::${member}:role/session-role`)),
        }),
      );
      await iam.send(
        new CreateRoleCommand({
          RoleName: 'session-role',
          AssumeRolePolicyDocument: doc({
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${member}:root` },
            Action: 'sts:AssumeRole',
          }),
        }),
      );
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'session-role',
          PolicyName: 'ec2',
          PolicyDocument: doc(allow('ec2:*')),
        }),
      );
      const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'session-person' }))).AccessKey!;
      const session = await world
        .with(STSClient, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! })
        .send(
          new AssumeRoleCommand({
            RoleArn: `arn:aws:iam::${member}:role/session-role`,
            RoleSessionName: 'narrowed',
            Policy: doc(allow('ec2:DescribeVpcs')),
          }),
        );
      const ec2 = world.with(EC2Client, {
        accessKeyId: session.Credentials!.AccessKeyId!,
        secretAccessKey: session.Credentials!.SecretAccessKey!,
        sessionToken: session.Credentials!.SessionToken!,
      });
      expect(await outcome(ec2.send(new CreateVpcCommand({ CidrBlock: '10.8.0.0/16' })))).toBe(
        'UnauthorizedOperation',
      );
      expect(await outcome(ec2.send(new DescribeVpcsCommand({})))).toBe('ok');
    },
  ],
  accepts: [
    'what the role allows, in a session without a session policy',
    async () => {
      const iam = world.as(IAMClient, member, 'us-east-1');
      const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'session-person' }))).AccessKey!;
      const session = await world
        .with(STSClient, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! })
        .send(
          new AssumeRoleCommand({
            RoleArn: `arn:aws:iam::${member}:role/session-role`,
            RoleSessionName: 'whole',
          }),
        );
      const ec2 = world.with(EC2Client, {
        accessKeyId: session.Credentials!.AccessKeyId!,
        secretAccessKey: session.Credentials!.SecretAccessKey!,
        sessionToken: session.Credentials!.SessionToken!,
      });
      expect(await outcome(ec2.send(new CreateVpcCommand({ CidrBlock: '10.8.0.0/16' })))).toBe('ok');
    },
  ],
});

conformance('s3:PutObject', {
  behaviour:
    'a bucket policy grants on its own in its account; across accounts both sides must; a Deny in it wins',
  source:
    'IAM User Guide, "Policy evaluation for requests within a single account": "If either the identity-based policy or the resource-based policy within the same account allows the request and the other doesn\'t, the request is still allowed"; "Cross-account policy evaluation logic": the request is allowed only if both the identity-based policy and the resource-based policy allow it; "An explicit deny in any of the policies overrides the allow"',
  refuses: [
    'another account without a bucket policy, and an explicit Deny in the bucket policy',
    async () => {
      const s3 = world.as(S3Client, logArchive);
      await s3.send(
        new CreateBucketCommand({
          Bucket: 'conformance-archive',
          CreateBucketConfiguration: { LocationConstraint: region },
        }),
      );
      const outsider = await roleSession(member, [
        allow('s3:PutObject', 'arn:aws:s3:::conformance-archive/*'),
      ]);
      expect(
        await outcome(
          world
            .with(S3Client, outsider.credentials)
            .send(new PutObjectCommand({ Bucket: 'conformance-archive', Key: 'a', Body: 'x' })),
        ),
      ).toBe('AccessDenied');
      const own = await roleSession(logArchive, [
        allow('s3:PutObject', 'arn:aws:s3:::conformance-archive/*'),
      ]);
      await s3.send(
        new PutBucketPolicyCommand({
          Bucket: 'conformance-archive',
          Policy: doc({
            Effect: 'Deny',
            Principal: { AWS: own.arn },
            Action: 's3:PutObject',
            Resource: 'arn:aws:s3:::conformance-archive/*',
          }),
        }),
      );
      expect(
        await outcome(
          world
            .with(S3Client, own.credentials)
            .send(new PutObjectCommand({ Bucket: 'conformance-archive', Key: 'a', Body: 'x' })),
        ),
      ).toBe('AccessDenied');
    },
  ],
  accepts: [
    'a role of the account the bucket policy names (no identity grant), and the other account once the bucket policy grants it',
    async () => {
      const own = await roleSession(logArchive, []);
      const outsider = await roleSession(member, [
        allow('s3:PutObject', 'arn:aws:s3:::conformance-archive/*'),
      ]);
      await world.as(S3Client, logArchive).send(
        new PutBucketPolicyCommand({
          Bucket: 'conformance-archive',
          Policy: doc({
            Effect: 'Allow',
            Principal: { AWS: [own.arn, member] },
            Action: 's3:PutObject',
            Resource: 'arn:aws:s3:::conformance-archive/*',
          }),
        }),
      );
      for (const who of [own, outsider])
        expect(
          await outcome(
            world
              .with(S3Client, who.credentials)
              .send(new PutObjectCommand({ Bucket: 'conformance-archive', Key: 'a', Body: 'x' })),
          ),
        ).toBe('ok');
    },
  ],
});

conformance('sns:Publish', {
  behaviour: 'another account publishes only if the topic policy lets it in',
  source:
    'IAM User Guide, "Cross-account policy evaluation logic": for a request from another account, the resource-based policy of the resource and the identity-based policy of the caller must both allow it',
  refuses: [
    'a role of another account whose own policy allows sns:Publish, under the default topic policy',
    async () => {
      const topic = (
        await world
          .as(SNSClient, securityTooling)
          .send(new CreateTopicCommand({ Name: 'conformance-alerts' }))
      ).TopicArn!;
      const s = await roleSession(member, [allow('sns:Publish', topic)]);
      expect(
        await outcome(
          world.with(SNSClient, s.credentials).send(new PublishCommand({ TopicArn: topic, Message: 'x' })),
        ),
      ).toBe('AuthorizationErrorException');
    },
  ],
  accepts: [
    'the same role once the topic policy grants its account',
    async () => {
      const topic = `arn:aws:sns:${region}:${securityTooling}:conformance-alerts`;
      await world.as(SNSClient, securityTooling).send(
        new SetTopicAttributesCommand({
          TopicArn: topic,
          AttributeName: 'Policy',
          AttributeValue: doc({
            Effect: 'Allow',
            Principal: { AWS: member },
            Action: 'sns:Publish',
            Resource: topic,
          }),
        }),
      );
      const s = await roleSession(member, [allow('sns:Publish', topic)]);
      expect(
        await outcome(
          world.with(SNSClient, s.credentials).send(new PublishCommand({ TopicArn: topic, Message: 'x' })),
        ),
      ).toBe('ok');
    },
  ],
});

conformance('events:PutEvents', {
  behaviour: 'a bus policy admits the organization by aws:PrincipalOrgID; a Deny in it wins',
  source:
    'IAM User Guide, "How AWS enforcement code logic evaluates requests": "An explicit deny overrides an explicit allow", whichever policy it is in; EventBridge User Guide, "Permissions for event buses": a bus policy may grant the organization with aws:PrincipalOrgID',
  refuses: [
    'a member the bus policy denies by name, though the organization is allowed',
    async () => {
      const events = world.as(EventBridgeClient, securityTooling);
      await events.send(new CreateEventBusCommand({ Name: 'conformance-bus' }));
      await events.send(
        new PutPermissionCommand({
          EventBusName: 'conformance-bus',
          Policy: doc(
            {
              Sid: 'organization',
              Effect: 'Allow',
              Principal: '*',
              Action: 'events:PutEvents',
              Resource: `arn:aws:events:${region}:${securityTooling}:event-bus/conformance-bus`,
              Condition: { StringEquals: { 'aws:PrincipalOrgID': organizationId } },
            },
            {
              Sid: 'notTheMember',
              Effect: 'Deny',
              Principal: { AWS: member },
              Action: 'events:PutEvents',
              Resource: `arn:aws:events:${region}:${securityTooling}:event-bus/conformance-bus`,
            },
          ),
        }),
      );
      const s = await roleSession(member, [allow('events:PutEvents')]);
      const put = world.with(EventBridgeClient, s.credentials).send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: `arn:aws:events:${region}:${securityTooling}:event-bus/conformance-bus`,
              Source: 'conformance',
              DetailType: 'x',
              Detail: '{}',
            },
          ],
        }),
      );
      expect(await outcome(put)).toBe('AccessDeniedException');
    },
  ],
  accepts: [
    'another account of the organization',
    async () => {
      const s = await roleSession(logArchive, [allow('events:PutEvents')]);
      const res = await world.with(EventBridgeClient, s.credentials).send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: `arn:aws:events:${region}:${securityTooling}:event-bus/conformance-bus`,
              Source: 'conformance',
              DetailType: 'x',
              Detail: '{}',
            },
          ],
        }),
      );
      expect(res.FailedEntryCount).toBe(0);
    },
  ],
});

conformance('kinesis:PutRecord', {
  behaviour: "another account writes to a stream only if the stream's resource policy lets it in",
  source:
    'IAM User Guide, "Cross-account policy evaluation logic": both the identity-based policy and the resource-based policy must allow; Kinesis Data Streams Developer Guide, "Resource-based policies": a data stream policy can grant another account',
  refuses: [
    'a role of another account whose own policy allows kinesis:PutRecord, with no stream policy',
    async () => {
      await world
        .as(KinesisClient, logArchive)
        .send(new CreateStreamCommand({ StreamName: 'conformance-stream', ShardCount: 1 }));
      const stream = `arn:aws:kinesis:${region}:${logArchive}:stream/conformance-stream`;
      const s = await roleSession(member, [allow('kinesis:PutRecord', stream)]);
      expect(
        await outcome(
          world
            .with(KinesisClient, s.credentials)
            .send(new PutRecordCommand({ StreamARN: stream, PartitionKey: 'a', Data: Buffer.from('x') })),
        ),
      ).toBe('AccessDeniedException');
    },
  ],
  accepts: [
    'the same role once the stream policy grants its account',
    async () => {
      const stream = `arn:aws:kinesis:${region}:${logArchive}:stream/conformance-stream`;
      await world.as(KinesisClient, logArchive).send(
        new PutResourcePolicyCommand({
          ResourceARN: stream,
          Policy: doc({
            Effect: 'Allow',
            Principal: { AWS: member },
            Action: 'kinesis:PutRecord',
            Resource: stream,
          }),
        }),
      );
      const s = await roleSession(member, [allow('kinesis:PutRecord', stream)]);
      expect(
        await outcome(
          world
            .with(KinesisClient, s.credentials)
            .send(new PutRecordCommand({ StreamARN: stream, PartitionKey: 'a', Data: Buffer.from('x') })),
        ),
      ).toBe('ok');
    },
  ],
});

conformance('iam:CreateRole', {
  behaviour: 'a trust policy naming part of a principal ARN with a wildcard is refused',
  source:
    'IAM User Guide, "AWS JSON policy elements: Principal": "You cannot use a wildcard to match part of a principal name or ARN"; IAM answers MalformedPolicyDocument "Invalid principal in policy"',
  refuses: [
    'arn:aws:iam::<account>:role/* in CreateRole',
    async () => {
      const iam = world.as(IAMClient, member, 'us-east-1');
      const wildcard = wildcardTrust();
      await expect(
        iam.send(new CreateRoleCommand({ RoleName: 'wildcard-trust', AssumeRolePolicyDocument: wildcard })),
      ).rejects.toMatchObject({
        name: 'MalformedPolicyDocumentException',
        message: expect.stringContaining('Invalid principal in policy'),
      });
    },
  ],
  accepts: [
    'a full role ARN, an account id, the account root, and "*" with a condition',
    async () => {
      const iam = world.as(IAMClient, member, 'us-east-1');
      const res = await iam.send(
        new CreateRoleCommand({
          RoleName: 'named-trust',
          AssumeRolePolicyDocument: doc(
            {
              Effect: 'Allow',
              Principal: {
                AWS: [
                  `arn:aws:iam::${securityTooling}:role/logwarden-control`,
                  logArchive,
                  `arn:aws:iam::${member}:root`,
                ],
              },
              Action: 'sts:AssumeRole',
            },
            {
              Effect: 'Allow',
              Principal: { AWS: '*' },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'aws:PrincipalOrgID': organizationId } },
            },
          ),
        }),
      );
      expect(res.Role?.RoleName).toBe('named-trust');
    },
  ],
});

conformance('iam:UpdateAssumeRolePolicy', {
  behaviour: 'a new trust policy is validated as at CreateRole',
  source:
    'IAM User Guide, "AWS JSON policy elements: Principal": "You cannot use a wildcard to match part of a principal name or ARN" (IAM API Reference, UpdateAssumeRolePolicy: MalformedPolicyDocument, "The request was rejected because the policy document was malformed")',
  refuses: [
    'a wildcard in a principal ARN',
    async () => {
      const iam = world.as(IAMClient, member, 'us-east-1');
      await iam.send(
        new CreateRoleCommand({ RoleName: 'exact-trust', AssumeRolePolicyDocument: lambdaTrust }),
      );
      await expect(
        iam.send(
          new UpdateAssumeRolePolicyCommand({ RoleName: 'exact-trust', PolicyDocument: wildcardTrust() }),
        ),
      ).rejects.toMatchObject({
        name: 'MalformedPolicyDocumentException',
        message: expect.stringContaining('Invalid principal in policy'),
      });
    },
  ],
  accepts: [
    'the full ARN of a role',
    async () => {
      const iam = world.as(IAMClient, member, 'us-east-1');
      await iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: 'exact-trust',
          PolicyDocument: doc({
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${securityTooling}:role/logwarden-control` },
            Action: 'sts:AssumeRole',
          }),
        }),
      );
    },
  ],
});

conformance('glue:GetTable', {
  behaviour: 'a table is read with grants on the catalog, its database and the table',
  source:
    'AWS Glue Developer Guide, "Specifying AWS Glue resource ARNs": "Data Catalog resources have a hierarchical structure, with catalog as the root"; Catalog arn:aws:glue:region:account-id:catalog, Database …:database/database name, Table …:table/database name/table name',
  refuses: [
    'a grant on the table alone, and one on another database',
    async () => {
      const glue = world.as(GlueClient, logArchive, region);
      await glue
        .send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'conformance_db' } }))
        .catch((e: Error) => {
          if (e.name !== 'AlreadyExistsException') throw e;
        });
      await glue
        .send(new CreateGlueTableCommand({ DatabaseName: 'conformance_db', TableInput: { Name: 'events' } }))
        .catch((e: Error) => {
          if (e.name !== 'AlreadyExistsException') throw e;
        });
      const tableOnly = await roleSession(logArchive, [
        allow('glue:GetTable', `arn:aws:glue:${region}:${logArchive}:table/conformance_db/events`),
      ]);
      expect(
        await outcome(
          world
            .with(GlueClient, tableOnly.credentials)
            .send(new GetTableCommand({ DatabaseName: 'conformance_db', Name: 'events' })),
        ),
      ).toBe('AccessDeniedException');
      const otherDatabase = await roleSession(logArchive, [
        allow('glue:GetTable', [
          `arn:aws:glue:${region}:${logArchive}:catalog`,
          `arn:aws:glue:${region}:${logArchive}:database/other`,
          `arn:aws:glue:${region}:${logArchive}:table/conformance_db/events`,
        ]),
      ]);
      expect(
        await outcome(
          world
            .with(GlueClient, otherDatabase.credentials)
            .send(new GetTableCommand({ DatabaseName: 'conformance_db', Name: 'events' })),
        ),
      ).toBe('AccessDeniedException');
    },
  ],
  accepts: [
    'grants on the catalog, the database and the table',
    async () => {
      const s = await roleSession(logArchive, [
        allow('glue:GetTable', [
          `arn:aws:glue:${region}:${logArchive}:catalog`,
          `arn:aws:glue:${region}:${logArchive}:database/conformance_db`,
          `arn:aws:glue:${region}:${logArchive}:table/conformance_db/events`,
        ]),
      ]);
      expect(
        await outcome(
          world
            .with(GlueClient, s.credentials)
            .send(new GetTableCommand({ DatabaseName: 'conformance_db', Name: 'events' })),
        ),
      ).toBe('ok');
    },
  ],
});

conformance('s3:ListObjectsV2', {
  behaviour: 'a listing (IAM action s3:ListBucket) carries its prefix as s3:prefix',
  source:
    'Service Authorization Reference, Amazon S3: ListBucket takes the condition key s3:prefix, "Filters access by key name prefix"',
  refuses: [
    'a listing under another prefix, and one with no prefix, when the grant is for ocsf/*',
    async () => {
      const bucket = 'conformance-list-prefix';
      await world
        .as(S3Client, logArchive, region)
        .send(
          new CreateBucketCommand({
            Bucket: bucket,
            CreateBucketConfiguration: { LocationConstraint: region as never },
          }),
        )
        .catch((e: Error) => {
          if (e.name !== 'BucketAlreadyOwnedByYou') throw e;
        });
      const s = await roleSession(logArchive, [
        allow('s3:ListBucket', `arn:aws:s3:::${bucket}`, { StringLike: { 's3:prefix': ['ocsf/*'] } }),
      ]);
      const s3 = world.with(S3Client, s.credentials);
      expect(await outcome(s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'errors/' })))).toBe(
        'AccessDenied',
      );
      expect(await outcome(s3.send(new ListObjectsV2Command({ Bucket: bucket })))).toBe('AccessDenied');
    },
  ],
  accepts: [
    'a listing under ocsf/',
    async () => {
      const s = await roleSession(logArchive, [
        allow('s3:ListBucket', 'arn:aws:s3:::conformance-list-prefix', {
          StringLike: { 's3:prefix': ['ocsf/*'] },
        }),
      ]);
      expect(
        await outcome(
          world
            .with(S3Client, s.credentials)
            .send(new ListObjectsV2Command({ Bucket: 'conformance-list-prefix', Prefix: 'ocsf/source=x/' })),
        ),
      ).toBe('ok');
    },
  ],
});
