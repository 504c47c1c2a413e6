/**
 * CloudTrail rules on the stand-in (local/standins/cloudtrail.py, cloudtrail_rules.py), each
 * with the AWS text it rests on: organization trails (who creates, converts and reads them,
 * trusted access), the home Region of a multi-region trail, event selectors. Real SDK clients,
 * root users of the emulated organization (world.ts).
 */
import {
  CloudTrailClient,
  CreateTrailCommand,
  DeleteTrailCommand,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  PutEventSelectorsCommand,
  type PutEventSelectorsCommandInput,
  StartLoggingCommand,
  StopLoggingCommand,
  UpdateTrailCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  EnableAWSServiceAccessCommand,
  OrganizationsClient,
  RegisterDelegatedAdministratorCommand,
} from '@aws-sdk/client-organizations';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  GetLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateRoleCommand,
  DeleteRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { conformance } from './conformance';
import { type Credentials, World, management, member, region, securityTooling } from './world';

let world: World;
const other = 'eu-central-1';
const orgTrail = `arn:aws:cloudtrail:${region}:${management}:trail/logwarden-org-trail`;
const memberTrail = `arn:aws:cloudtrail:${region}:${member}:trail/own`;

const cloudtrail = (account: string, where = region) => world.as(CloudTrailClient, account, where);

const createOrgTrail = (account: string) =>
  cloudtrail(account).send(
    new CreateTrailCommand({
      Name: 'logwarden-org-trail',
      S3BucketName: 'org-trail-bucket',
      IsOrganizationTrail: true,
      IsMultiRegionTrail: true,
    }),
  );

/**
 * A role of `account` for CloudTrail's CloudWatch Logs delivery: trusted by `trust` (a service,
 * with conditions), allowed `actions` on the `/logwarden/cloudtrail` group's streams in `region`.
 */
async function deliveryRole(
  account: string,
  name: string,
  trust: { service: string; condition?: object },
  actions: string[],
): Promise<string> {
  const iam = world.as(IAMClient, account, 'us-east-1');
  const doc = (statement: object) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
  const { Role } = await iam.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: doc({
        Effect: 'Allow',
        Principal: { Service: trust.service },
        Action: 'sts:AssumeRole',
        ...(trust.condition ? { Condition: trust.condition } : {}),
      }),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: name,
      PolicyName: 'deliver',
      PolicyDocument: doc({
        Effect: 'Allow',
        Action: actions,
        Resource: `arn:aws:logs:${region}:${account}:log-group:/logwarden/cloudtrail:log-stream:${account}_CloudTrail_${region}*`,
      }),
    }),
  );
  return Role!.Arn!;
}

const cloudTrailActions = ['logs:CreateLogStream', 'logs:PutLogEvents'];

beforeAll(async () => {
  world = await World.start();
  await world.organization();
  for (const [account, bucket] of [
    [management, 'org-trail-bucket'],
    [member, 'member-trail-bucket'],
  ])
    await world.as(S3Client, account).send(
      new CreateBucketCommand({
        Bucket: bucket,
        CreateBucketConfiguration: { LocationConstraint: region },
      }),
    );
  await cloudtrail(member).send(
    new CreateTrailCommand({ Name: 'own', S3BucketName: 'member-trail-bucket', IsMultiRegionTrail: true }),
  );
}, 60_000);

afterAll(() => world?.stop());

conformance('cloudtrail:CreateTrail', {
  behaviour: 'an organization trail needs trusted access for CloudTrail',
  source:
    'CloudTrail API Reference, CloudTrailAccessNotEnabledException: "This exception is thrown when trusted access has not been enabled between CloudTrail and Organizations." (A delegated administrator cannot be registered before it either: Organizations ConstraintViolationException SERVICE_ACCESS_NOT_ENABLED, "You attempted to register a delegated administrator before you enabled service access.")',
  refuses: [
    'the management account creating it while trusted access is off',
    async () => {
      await expect(createOrgTrail(management)).rejects.toMatchObject({
        name: 'CloudTrailAccessNotEnabledException',
      });
      await expect(
        cloudtrail(management).send(new DescribeTrailsCommand({ trailNameList: [orgTrail] })),
      ).resolves.toMatchObject({ trailList: [] });
    },
  ],
  accepts: [
    'it once trusted access is on, by the delegated administrator registered through the Organizations API: the management account owns it',
    async () => {
      const orgs = world.as(OrganizationsClient, management, 'us-east-1');
      await orgs.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'cloudtrail.amazonaws.com' }));
      await orgs.send(
        new RegisterDelegatedAdministratorCommand({
          AccountId: securityTooling,
          ServicePrincipal: 'cloudtrail.amazonaws.com',
        }),
      );
      expect((await createOrgTrail(securityTooling)).TrailARN).toBe(orgTrail);
    },
  ],
});

conformance('cloudtrail:CreateTrail', {
  behaviour: 'only the management account or the delegated administrator creates an organization trail',
  source:
    'botocore cloudtrail model, CreateTrailRequest.IsOrganizationTrail: "cannot be true unless the call is made on behalf of an Amazon Web Services account that is the management account or delegated administrator account for an organization"',
  refuses: [
    'a member account',
    async () => {
      await expect(createOrgTrail(member)).rejects.toMatchObject({
        name: 'NotOrganizationMasterAccountException',
      });
    },
  ],
  accepts: [
    'the delegated administrator (again: the trail exists already)',
    async () => {
      await expect(createOrgTrail(securityTooling)).rejects.toMatchObject({
        name: 'TrailAlreadyExistsException',
      });
    },
  ],
});

conformance('cloudtrail:DescribeTrails', {
  behaviour: 'a member account finds the organization trail by its ARN',
  source:
    'CloudTrail User Guide, organization trails: member accounts can see the organization trail with describe-trails "(although member accounts must use the ARN for the organization trail, and not the name, when using the AWS CLI)"',
  refuses: [
    'the name',
    async () => {
      const res = await cloudtrail(member).send(
        new DescribeTrailsCommand({ trailNameList: ['logwarden-org-trail'] }),
      );
      expect(res.trailList).toEqual([]);
    },
  ],
  accepts: [
    'the ARN',
    async () => {
      const res = await cloudtrail(member).send(new DescribeTrailsCommand({ trailNameList: [orgTrail] }));
      expect(res.trailList?.map((t) => [t.TrailARN, t.IsOrganizationTrail])).toEqual([[orgTrail, true]]);
    },
  ],
});

conformance('cloudtrail:GetTrailStatus', {
  behaviour: "a member account reads the organization trail's status by its full ARN",
  source:
    'botocore cloudtrail model, GetTrailStatusRequest.Name: "If the trail is an organization trail and you are a member account in the organization in Organizations, you must provide the full ARN of that trail, and not just the name."',
  refuses: [
    'the name, and changing the trail',
    async () => {
      await expect(
        cloudtrail(member).send(new GetTrailStatusCommand({ Name: 'logwarden-org-trail' })),
      ).rejects.toMatchObject({ name: 'TrailNotFoundException' });
      await expect(cloudtrail(member).send(new StopLoggingCommand({ Name: orgTrail }))).rejects.toMatchObject(
        {
          name: 'TrailNotFoundException',
        },
      );
    },
  ],
  accepts: [
    'the full ARN',
    async () => {
      await cloudtrail(securityTooling).send(new StartLoggingCommand({ Name: orgTrail }));
      expect((await cloudtrail(member).send(new GetTrailStatusCommand({ Name: orgTrail }))).IsLogging).toBe(
        true,
      );
    },
  ],
});

conformance('cloudtrail:GetTrailStatus', {
  behaviour: "a shadow trail's status by its ARN",
  source:
    'botocore cloudtrail model, GetTrailStatusRequest.Name: "To get the status of a shadow trail (a replication of the trail in another Region), you must specify its ARN."',
  refuses: [
    'the name in another Region',
    async () => {
      await expect(
        cloudtrail(member, other).send(new GetTrailStatusCommand({ Name: 'own' })),
      ).rejects.toMatchObject({
        name: 'TrailNotFoundException',
      });
    },
  ],
  accepts: [
    'the ARN in another Region, and the name in the home Region',
    async () => {
      await cloudtrail(member, other).send(new GetTrailStatusCommand({ Name: memberTrail }));
      await cloudtrail(member).send(new GetTrailStatusCommand({ Name: 'own' }));
    },
  ],
});

conformance('cloudtrail:GetTrail', {
  behaviour: 'a member account reads the organization trail by its ARN, and cannot change it',
  source:
    'CloudTrail User Guide, "Creating a trail for an organization": "Users with CloudTrail permissions in member accounts can see this trail ... However, users in member accounts do not have sufficient permissions to delete the organization trail, turn logging on or off"; botocore cloudtrail model, GetTrailRequest.Name: "The name or the Amazon Resource Name (ARN) of the trail"',
  refuses: [
    'a member turning its logging off or deleting it',
    async () => {
      await expect(cloudtrail(member).send(new StopLoggingCommand({ Name: orgTrail }))).rejects.toMatchObject(
        {
          name: 'TrailNotFoundException',
        },
      );
      await expect(cloudtrail(member).send(new DeleteTrailCommand({ Name: orgTrail }))).rejects.toMatchObject(
        {
          name: 'TrailNotFoundException',
        },
      );
    },
  ],
  accepts: [
    'a member reading it by its ARN',
    async () => {
      const { Trail } = await cloudtrail(member).send(new GetTrailCommand({ Name: orgTrail }));
      expect(Trail).toMatchObject({ TrailARN: orgTrail, IsOrganizationTrail: true });
    },
  ],
});

conformance('cloudtrail:StartLogging', {
  behaviour: 'only in the home Region of a multi-region trail',
  source:
    'CloudTrail API Reference, StartLogging: "For a trail that is enabled in all Regions, this operation must be called from the Region in which the trail was created. This operation cannot be called on the shadow trails (replicated trails in other Regions) of a trail that is enabled in all Regions." (InvalidHomeRegionException)',
  refuses: [
    'another Region, by ARN (the delegated administrator) and by name (the owner)',
    async () => {
      await expect(
        cloudtrail(securityTooling, other).send(new StartLoggingCommand({ Name: orgTrail })),
      ).rejects.toMatchObject({ name: 'InvalidHomeRegionException' });
      await expect(
        cloudtrail(member, other).send(new StartLoggingCommand({ Name: 'own' })),
      ).rejects.toMatchObject({
        name: 'InvalidHomeRegionException',
      });
    },
  ],
  accepts: [
    'the home Region',
    async () => {
      await cloudtrail(member).send(new StartLoggingCommand({ Name: 'own' }));
      await cloudtrail(securityTooling).send(new StartLoggingCommand({ Name: orgTrail }));
    },
  ],
});

conformance('cloudtrail:StopLogging', {
  behaviour: 'only in the home Region of a multi-region trail',
  source:
    'CloudTrail API Reference, StopLogging: "For a trail enabled in all Regions, this operation must be called from the Region in which the trail was created, or an InvalidHomeRegionException will occur."',
  refuses: [
    'another Region',
    async () => {
      await expect(
        cloudtrail(member, other).send(new StopLoggingCommand({ Name: memberTrail })),
      ).rejects.toMatchObject({
        name: 'InvalidHomeRegionException',
      });
      expect((await cloudtrail(member).send(new GetTrailStatusCommand({ Name: 'own' }))).IsLogging).toBe(
        true,
      );
    },
  ],
  accepts: [
    'the home Region',
    async () => {
      await cloudtrail(member).send(new StopLoggingCommand({ Name: memberTrail }));
      expect((await cloudtrail(member).send(new GetTrailStatusCommand({ Name: 'own' }))).IsLogging).toBe(
        false,
      );
    },
  ],
});

conformance('cloudtrail:UpdateTrail', {
  behaviour: 'only in the home Region',
  source:
    'CloudTrail API Reference, UpdateTrail: "UpdateTrail must be called from the Region in which the trail was created; otherwise, an InvalidHomeRegionException is thrown."',
  refuses: [
    'another Region',
    async () => {
      await expect(
        cloudtrail(securityTooling, other).send(
          new UpdateTrailCommand({ Name: orgTrail, EnableLogFileValidation: true }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidHomeRegionException' });
    },
  ],
  accepts: [
    'the home Region',
    async () => {
      const res = await cloudtrail(securityTooling).send(
        new UpdateTrailCommand({ Name: orgTrail, EnableLogFileValidation: true }),
      );
      expect(res.LogFileValidationEnabled).toBe(true);
    },
  ],
});

conformance('cloudtrail:UpdateTrail', {
  behaviour: 'CloudWatch Logs delivery to a group and role of the calling account',
  source:
    'CloudTrail User Guide, "Organization delegated administrator", footnote 1: "Both the CloudWatch Logs log group and log role must exist in the calling account."; CloudTrail API Reference: InvalidCloudWatchLogsLogGroupArnException "This exception is thrown when the provided CloudWatch Logs log group is not valid", InvalidCloudWatchLogsRoleArnException "This exception is thrown when the provided role is not valid"',
  refuses: [
    "the management account's group and role, from the delegated administrator; a group that does not exist",
    async () => {
      await world
        .as(CloudWatchLogsClient, management)
        .send(new CreateLogGroupCommand({ logGroupName: '/logwarden/cloudtrail' }));
      const deliver = (account: string) =>
        cloudtrail(securityTooling).send(
          new UpdateTrailCommand({
            Name: orgTrail,
            CloudWatchLogsLogGroupArn: `arn:aws:logs:${region}:${account}:log-group:/logwarden/cloudtrail:*`,
            CloudWatchLogsRoleArn: `arn:aws:iam::${account}:role/logwarden-cloudtrail-to-logs`,
          }),
        );
      await expect(deliver(management)).rejects.toMatchObject({
        name: 'InvalidCloudWatchLogsLogGroupArnException',
      });
      await expect(deliver(securityTooling)).rejects.toMatchObject({
        name: 'InvalidCloudWatchLogsLogGroupArnException',
        message: expect.stringContaining('does not exist'),
      });
      await world
        .as(CloudWatchLogsClient, securityTooling)
        .send(new CreateLogGroupCommand({ logGroupName: '/logwarden/cloudtrail' }));
      await expect(
        cloudtrail(securityTooling).send(
          new UpdateTrailCommand({
            Name: orgTrail,
            CloudWatchLogsLogGroupArn: `arn:aws:logs:${region}:${securityTooling}:log-group:/logwarden/cloudtrail:*`,
            CloudWatchLogsRoleArn: `arn:aws:iam::${management}:role/logwarden-cloudtrail-to-logs`,
          }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidCloudWatchLogsRoleArnException' });
    },
  ],
  accepts: [
    "the calling account's own group and role",
    async () => {
      await deliveryRole(
        securityTooling,
        'logwarden-cloudtrail-to-logs',
        { service: 'cloudtrail.amazonaws.com' },
        cloudTrailActions,
      );
      const res = await cloudtrail(securityTooling).send(
        new UpdateTrailCommand({
          Name: orgTrail,
          CloudWatchLogsLogGroupArn: `arn:aws:logs:${region}:${securityTooling}:log-group:/logwarden/cloudtrail:*`,
          CloudWatchLogsRoleArn: `arn:aws:iam::${securityTooling}:role/logwarden-cloudtrail-to-logs`,
        }),
      );
      expect(res.CloudWatchLogsLogGroupArn).toContain(`:${securityTooling}:log-group:/logwarden/cloudtrail`);
    },
  ],
});

conformance('cloudtrail:UpdateTrail', {
  behaviour: 'CloudTrail tries the CloudWatch Logs role before it takes it',
  source:
    'CloudTrail User Guide, "Role policy document for CloudTrail to use CloudWatch Logs for monitoring": "The following example policy document contains the permissions required to create a CloudWatch log stream in the log group that you specify and to deliver CloudTrail events to that log stream" (logs:CreateLogStream and logs:PutLogEvents on the log_group_name:log-stream:CloudTrail_log_stream_name_prefix* streams); "CloudWatch log group and log stream naming for CloudTrail": the stream is account_ID_CloudTrail_trail_region. No AWS text says what CreateTrail and UpdateTrail check; AWS\'s answers as users report them: InvalidCloudWatchLogsRoleArnException "Access denied. Check the trust relationships for your role." (awslabs/dynamodb-continuous-backup#2), InvalidCloudWatchLogsLogGroupArnException "Access denied. Check the permissions for your role." (aws/aws-cdk#1963)',
  refuses: [
    'a role CloudTrail may not assume (trusted by another service, trusted only for another trail, or no role at all) and a role without logs:CreateLogStream, changing nothing',
    async () => {
      const group = `arn:aws:logs:${region}:${securityTooling}:log-group:/logwarden/cloudtrail:*`;
      const deliverWith = (role: string) =>
        cloudtrail(securityTooling).send(
          new UpdateTrailCommand({
            Name: orgTrail,
            CloudWatchLogsLogGroupArn: group,
            CloudWatchLogsRoleArn: role,
          }),
        );
      const before = (await cloudtrail(securityTooling).send(new GetTrailCommand({ Name: orgTrail }))).Trail;
      const lambdaTrusted = await deliveryRole(
        securityTooling,
        'trail-logs-lambda',
        { service: 'lambda.amazonaws.com' },
        cloudTrailActions,
      );
      const otherTrail = await deliveryRole(
        securityTooling,
        'trail-logs-other-trail',
        {
          service: 'cloudtrail.amazonaws.com',
          condition: {
            ArnEquals: { 'aws:SourceArn': `arn:aws:cloudtrail:${region}:${securityTooling}:trail/other` },
          },
        },
        cloudTrailActions,
      );
      for (const role of [lambdaTrusted, otherTrail, `arn:aws:iam::${securityTooling}:role/no-such-role`])
        await expect(deliverWith(role)).rejects.toMatchObject({
          name: 'InvalidCloudWatchLogsRoleArnException',
          message: expect.stringContaining('Check the trust relationships for your role'),
        });
      const putOnly = await deliveryRole(
        securityTooling,
        'trail-logs-put-only',
        { service: 'cloudtrail.amazonaws.com' },
        ['logs:PutLogEvents'],
      );
      await expect(deliverWith(putOnly)).rejects.toMatchObject({
        name: 'InvalidCloudWatchLogsLogGroupArnException',
        message: expect.stringContaining('Check the permissions for your role'),
      });
      const after = (await cloudtrail(securityTooling).send(new GetTrailCommand({ Name: orgTrail }))).Trail;
      expect(after?.CloudWatchLogsRoleArn).toBe(before?.CloudWatchLogsRoleArn);
    },
  ],
  accepts: [
    "the user guide's role: trusted by CloudTrail for this trail, creating and writing the trail's streams",
    async () => {
      const role = await deliveryRole(
        securityTooling,
        'trail-logs-this-trail',
        {
          service: 'cloudtrail.amazonaws.com',
          condition: { ArnLikeIfExists: { 'aws:SourceArn': orgTrail } },
        },
        cloudTrailActions,
      );
      const res = await cloudtrail(securityTooling).send(
        new UpdateTrailCommand({
          Name: orgTrail,
          CloudWatchLogsLogGroupArn: `arn:aws:logs:${region}:${securityTooling}:log-group:/logwarden/cloudtrail:*`,
          CloudWatchLogsRoleArn: role,
        }),
      );
      expect(res.CloudWatchLogsRoleArn).toBe(role);
    },
  ],
});

conformance('cloudtrail:UpdateTrail', {
  behaviour: 'only the management account converts a trail to or from an organization trail',
  source:
    'botocore cloudtrail model, UpdateTrailRequest.IsOrganizationTrail: "Only the management account for the organization can convert an organization trail to a non-organization trail, or convert a non-organization trail to an organization trail." (NotOrganizationMasterAccountException)',
  refuses: [
    'the delegated administrator turning the organization trail into an account trail, and a member turning its trail into an organization trail',
    async () => {
      await expect(
        cloudtrail(securityTooling).send(
          new UpdateTrailCommand({ Name: orgTrail, IsOrganizationTrail: false }),
        ),
      ).rejects.toMatchObject({ name: 'NotOrganizationMasterAccountException' });
      await expect(
        cloudtrail(member).send(new UpdateTrailCommand({ Name: 'own', IsOrganizationTrail: true })),
      ).rejects.toMatchObject({ name: 'NotOrganizationMasterAccountException' });
      const res = await cloudtrail(member).send(new DescribeTrailsCommand({ trailNameList: [orgTrail] }));
      expect(res.trailList?.[0]?.IsOrganizationTrail).toBe(true);
    },
  ],
  accepts: [
    'the management account converting it, both ways; the delegated administrator leaving it as it is',
    async () => {
      await cloudtrail(securityTooling).send(
        new UpdateTrailCommand({ Name: orgTrail, IsOrganizationTrail: true }),
      );
      const mgmt = cloudtrail(management);
      expect(
        (await mgmt.send(new UpdateTrailCommand({ Name: orgTrail, IsOrganizationTrail: false })))
          .IsOrganizationTrail,
      ).toBe(false);
      expect(
        (await mgmt.send(new UpdateTrailCommand({ Name: orgTrail, IsOrganizationTrail: true })))
          .IsOrganizationTrail,
      ).toBe(true);
    },
  ],
});

conformance('cloudtrail:PutEventSelectors', {
  behaviour: 'in the home Region, up to five selectors',
  source:
    'CloudTrail API Reference, PutEventSelectors: "The PutEventSelectors operation must be called from the Region in which the trail was created; otherwise, an InvalidHomeRegionException exception is thrown. You can configure up to five event selectors for each trail."',
  refuses: [
    'another Region, and six selectors',
    async () => {
      const selector = { ReadWriteType: 'All' as const, IncludeManagementEvents: true };
      await expect(
        cloudtrail(securityTooling, other).send(
          new PutEventSelectorsCommand({ TrailName: orgTrail, EventSelectors: [selector] }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidHomeRegionException' });
      await expect(
        cloudtrail(securityTooling).send(
          new PutEventSelectorsCommand({ TrailName: orgTrail, EventSelectors: Array(6).fill(selector) }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidEventSelectorsException' });
    },
  ],
  accepts: [
    'five selectors in the home Region',
    async () => {
      const selector = { ReadWriteType: 'All' as const, IncludeManagementEvents: true };
      await cloudtrail(securityTooling).send(
        new PutEventSelectorsCommand({ TrailName: orgTrail, EventSelectors: Array(5).fill(selector) }),
      );
      const res = await cloudtrail(securityTooling).send(
        new GetEventSelectorsCommand({ TrailName: orgTrail }),
      );
      expect(res.EventSelectors).toHaveLength(5);
    },
  ],
});

conformance('cloudtrail:GetEventSelectors', {
  behaviour: "a new trail's selectors are the default ones",
  source:
    'CloudTrail API Reference, PutEventSelectors: "By default, trails created without specific event selectors are configured to log all read and write management events, and no data events"; a name is the caller\'s own trail (DescribeTrails: "to return a trail of another account, specify its ARN")',
  refuses: [
    "another account's trail by name",
    async () => {
      await expect(
        cloudtrail(securityTooling).send(new GetEventSelectorsCommand({ TrailName: 'own' })),
      ).rejects.toMatchObject({ name: 'TrailNotFoundException' });
    },
  ],
  accepts: [
    "the owner's trail: all management events, read and write",
    async () => {
      const res = await cloudtrail(member).send(new GetEventSelectorsCommand({ TrailName: 'own' }));
      expect(res.EventSelectors).toEqual([
        expect.objectContaining({ ReadWriteType: 'All', IncludeManagementEvents: true }),
      ]);
    },
  ],
});

// Last: it deletes the member's own trail the tests above use.
conformance('cloudtrail:DeleteTrail', {
  behaviour:
    "only the trail's owner (or, for an organization trail, its delegated administrator by ARN) deletes it",
  source:
    'CloudTrail API Reference, DeleteTrail: "Deletes a trail. This operation must be called from the Region in which the trail was created"; a name is the caller\'s own trail, another account\'s trail is named by its ARN (DescribeTrails: "to return a trail of another account, specify its ARN"), and CloudTrail User Guide, "Organization delegated administrator": the management account remains the owner of organization trails',
  refuses: [
    "a member deleting another account's trail by ARN",
    async () => {
      await expect(
        cloudtrail(securityTooling).send(new DeleteTrailCommand({ Name: memberTrail })),
      ).rejects.toMatchObject({ name: 'TrailNotFoundException' });
    },
  ],
  accepts: [
    'the owner, by name',
    async () => {
      await cloudtrail(member).send(new DeleteTrailCommand({ Name: 'own' }));
      const left = await cloudtrail(member).send(new DescribeTrailsCommand({ trailNameList: ['own'] }));
      expect(left.trailList ?? []).toEqual([]);
    },
  ],
});

conformance('cloudtrail:CreateTrail', {
  behaviour: 'a CloudWatch Logs role only with its log group',
  source:
    'botocore cloudtrail model, CreateTrailRequest.CloudWatchLogsLogGroupArn (and UpdateTrailRequest\'s): "Not required unless you specify CloudWatchLogsRoleArn."; InvalidCloudWatchLogsLogGroupArnException: "This exception is thrown when the provided CloudWatch Logs log group is not valid."',
  refuses: [
    'a role without a log group, creating nothing',
    async () => {
      await expect(
        cloudtrail(member).send(
          new CreateTrailCommand({
            Name: 'role-only',
            S3BucketName: 'member-trail-bucket',
            CloudWatchLogsRoleArn: `arn:aws:iam::${member}:role/trail-logs`,
          }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidCloudWatchLogsLogGroupArnException' });
      await expect(
        cloudtrail(member).send(new DescribeTrailsCommand({ trailNameList: ['role-only'] })),
      ).resolves.toMatchObject({ trailList: [] });
    },
  ],
  accepts: [
    'neither, delivering to S3 alone',
    async () => {
      const res = await cloudtrail(member).send(
        new CreateTrailCommand({ Name: 'role-only', S3BucketName: 'member-trail-bucket' }),
      );
      expect(res.CloudWatchLogsRoleArn).toBeUndefined();
    },
  ],
});

// --- a trail of security-tooling's own, delivering to its CloudWatch Logs group --------------

const selectorsTrail = 'selectors';
const selectorsGroup = '/conformance/selectors';
const selectorsStream = `${securityTooling}_CloudTrail_${region}`;
const selectorsRolePolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: cloudTrailActions,
      Resource: `arn:aws:logs:${region}:${securityTooling}:log-group:${selectorsGroup}:log-stream:${selectorsStream}*`,
    },
  ],
});
let selectorsReady: Promise<void> | undefined;

/** The trail `selectors`, logging, delivering to `/conformance/selectors` through its role. */
function withSelectorsTrail(): Promise<void> {
  selectorsReady ??= (async () => {
    await world.as(S3Client, securityTooling).send(
      new CreateBucketCommand({
        Bucket: 'selectors-trail-bucket',
        CreateBucketConfiguration: { LocationConstraint: region },
      }),
    );
    await world
      .as(CloudWatchLogsClient, securityTooling)
      .send(new CreateLogGroupCommand({ logGroupName: selectorsGroup }));
    const iam = world.as(IAMClient, securityTooling, 'us-east-1');
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName: 'selectors-trail-logs',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'cloudtrail.amazonaws.com' },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'selectors-trail-logs',
        PolicyName: 'deliver',
        PolicyDocument: selectorsRolePolicy,
      }),
    );
    await cloudtrail(securityTooling).send(
      new CreateTrailCommand({
        Name: selectorsTrail,
        S3BucketName: 'selectors-trail-bucket',
        CloudWatchLogsLogGroupArn: `arn:aws:logs:${region}:${securityTooling}:log-group:${selectorsGroup}:*`,
        CloudWatchLogsRoleArn: Role!.Arn!,
      }),
    );
    await cloudtrail(securityTooling).send(new StartLoggingCommand({ Name: selectorsTrail }));
  })();
  return selectorsReady;
}

let probes = 0;
let prober: Promise<Credentials> | undefined;
/**
 * Makes a management write call (logs:CreateLogGroup) and answers whether the trail delivered
 * it. Made by a role session of security-tooling: the stand-in records a call in the account its
 * credentials name (a root client's x-moto-account-id is moto's alone).
 */
async function deliveredProbe(): Promise<boolean> {
  const name = `/conformance/probe-${++probes}`;
  prober ??= world
    .roleSession(securityTooling, 'selectors-prober', [
      { Effect: 'Allow', Action: 'logs:CreateLogGroup', Resource: '*' },
    ])
    .then((s) => s.credentials);
  await world
    .with(CloudWatchLogsClient, await prober)
    .send(new CreateLogGroupCommand({ logGroupName: name }));
  const logs = world.as(CloudWatchLogsClient, securityTooling);
  const events = await logs
    .send(
      new GetLogEventsCommand({
        logGroupName: selectorsGroup,
        logStreamName: selectorsStream,
        startFromHead: true,
      }),
    )
    .then(
      (r) => r.events ?? [],
      (err: Error) => {
        if (err.name === 'ResourceNotFoundException') return [];
        throw err;
      },
    );
  return events.some((e) => {
    const r = JSON.parse(e.message!) as { eventName?: string; requestParameters?: { logGroupName?: string } };
    return r.eventName === 'CreateLogGroup' && r.requestParameters?.logGroupName === name;
  });
}

const putSelectors = (input: Omit<PutEventSelectorsCommandInput, 'TrailName'>) =>
  cloudtrail(securityTooling).send(new PutEventSelectorsCommand({ TrailName: selectorsTrail, ...input }));

conformance('cloudtrail:PutEventSelectors', {
  behaviour: 'one kind of selectors per call, at least one, and each kind overwrites the other',
  source:
    'botocore cloudtrail model, PutEventSelectorsRequest.EventSelectors: "You can use either EventSelectors or AdvancedEventSelectors in a PutEventSelectors request, but not both. If you apply EventSelectors to a trail, any existing AdvancedEventSelectors are overwritten."; .AdvancedEventSelectors: "If you apply AdvancedEventSelectors to a trail, any existing EventSelectors are overwritten."; InvalidEventSelectorsException: "Specify a valid number of event selectors (1 to 5) for a trail."',
  refuses: [
    'basic and advanced selectors in one call, an empty list, and no selectors at all, changing nothing',
    async () => {
      await withSelectorsTrail();
      const before = await cloudtrail(securityTooling).send(
        new GetEventSelectorsCommand({ TrailName: selectorsTrail }),
      );
      for (const input of [
        {
          EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'All' as const }],
          AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }],
        },
        { EventSelectors: [] },
        {},
      ])
        await expect(putSelectors(input)).rejects.toMatchObject({ name: 'InvalidEventSelectorsException' });
      const after = await cloudtrail(securityTooling).send(
        new GetEventSelectorsCommand({ TrailName: selectorsTrail }),
      );
      expect(after.EventSelectors).toEqual(before.EventSelectors);
      expect(after.AdvancedEventSelectors ?? []).toEqual(before.AdvancedEventSelectors ?? []);
    },
  ],
  accepts: [
    'advanced selectors, then basic ones overwriting them, then advanced ones overwriting those',
    async () => {
      const advanced = [
        { Name: 'mgmt', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
      ];
      const basic = [{ IncludeManagementEvents: true, ReadWriteType: 'All' as const }];
      const get = () =>
        cloudtrail(securityTooling).send(new GetEventSelectorsCommand({ TrailName: selectorsTrail }));
      await putSelectors({ AdvancedEventSelectors: advanced });
      await putSelectors({ EventSelectors: basic });
      const afterBasic = await get();
      expect(afterBasic.AdvancedEventSelectors ?? []).toEqual([]);
      expect(afterBasic.EventSelectors).toEqual([expect.objectContaining(basic[0])]);
      await putSelectors({ AdvancedEventSelectors: advanced });
      const afterAdvanced = await get();
      expect(afterAdvanced.EventSelectors ?? []).toEqual([]);
      expect(afterAdvanced.AdvancedEventSelectors).toEqual(advanced);
    },
  ],
});

conformance('cloudtrail:PutEventSelectors', {
  behaviour: 'the trail delivers to CloudWatch Logs only the management events its selectors select',
  source:
    'CloudTrail API Reference, PutEventSelectors: "For each trail, if the event matches any event selector, the trail processes and logs the event. If the event doesn\'t match any event selector, the trail doesn\'t log the event." (its example: a write-only selector logs RunInstances, not GetConsoleOutput); CloudTrail User Guide, "Sending events to CloudWatch Logs": "CloudTrail sends only the events that match your trail settings"',
  refuses: [
    'a write call under a read-only basic selector, under a management selector that excludes its event source, and under no management selector',
    async () => {
      await withSelectorsTrail();
      await putSelectors({ EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'ReadOnly' }] });
      expect(await deliveredProbe()).toBe(false);
      await putSelectors({
        AdvancedEventSelectors: [
          {
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Management'] },
              { Field: 'eventSource', NotEquals: ['logs.amazonaws.com'] },
            ],
          },
        ],
      });
      expect(await deliveredProbe()).toBe(false);
      await putSelectors({
        AdvancedEventSelectors: [
          {
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Data'] },
              { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
            ],
          },
        ],
      });
      expect(await deliveredProbe()).toBe(false);
    },
  ],
  accepts: [
    'a write call under a write-only basic selector, under advanced management selectors for writes, and under the default selectors',
    async () => {
      await putSelectors({ EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'WriteOnly' }] });
      expect(await deliveredProbe()).toBe(true);
      await putSelectors({
        AdvancedEventSelectors: [
          {
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Management'] },
              { Field: 'readOnly', Equals: ['false'] },
            ],
          },
        ],
      });
      expect(await deliveredProbe()).toBe(true);
      await putSelectors({ EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'All' }] });
      expect(await deliveredProbe()).toBe(true);
    },
  ],
});

conformance('cloudtrail:GetTrailStatus', {
  behaviour: "the trail's latest CloudWatch Logs delivery and its error",
  source:
    'botocore cloudtrail model, GetTrailStatusResponse.LatestCloudWatchLogsDeliveryError: "Displays any CloudWatch Logs error that CloudTrail encountered when attempting to deliver logs to CloudWatch Logs."; .LatestCloudWatchLogsDeliveryTime: "Displays the most recent date and time when CloudTrail delivered logs to CloudWatch Logs." (no time of the error: the stand-in reports the latest attempt\'s)',
  refuses: [
    'to report a delivery its role no longer allows as delivered',
    async () => {
      await withSelectorsTrail();
      await world
        .as(IAMClient, securityTooling, 'us-east-1')
        .send(new DeleteRolePolicyCommand({ RoleName: 'selectors-trail-logs', PolicyName: 'deliver' }));
      const before = await cloudtrail(securityTooling).send(
        new GetTrailStatusCommand({ Name: selectorsTrail }),
      );
      expect(await deliveredProbe()).toBe(false);
      const status = await cloudtrail(securityTooling).send(
        new GetTrailStatusCommand({ Name: selectorsTrail }),
      );
      expect(status.IsLogging).toBe(true);
      expect(status.LatestCloudWatchLogsDeliveryError).toEqual(expect.stringContaining('logs:'));
      expect(status.LatestCloudWatchLogsDeliveryTime).toEqual(before.LatestCloudWatchLogsDeliveryTime);
    },
  ],
  accepts: [
    'the delivery time of a delivery that succeeds again, and no error',
    async () => {
      await world.as(IAMClient, securityTooling, 'us-east-1').send(
        new PutRolePolicyCommand({
          RoleName: 'selectors-trail-logs',
          PolicyName: 'deliver',
          PolicyDocument: selectorsRolePolicy,
        }),
      );
      const started = Date.now() - 1000;
      expect(await deliveredProbe()).toBe(true);
      const status = await cloudtrail(securityTooling).send(
        new GetTrailStatusCommand({ Name: selectorsTrail }),
      );
      expect(status.LatestCloudWatchLogsDeliveryError).toBeUndefined();
      expect(status.LatestCloudWatchLogsDeliveryTime!.getTime()).toBeGreaterThanOrEqual(started);
    },
  ],
});

conformance('cloudtrail:UpdateTrail', {
  behaviour: 'a multi-region trail includes global service events (CreateTrail likewise)',
  source:
    'AWS documents only InvalidParameterCombinationException, "This exception is thrown when the combination of parameters provided is not valid"; AWS\'s answer as users report it: "InvalidParameterCombinationException: Multi-Region trail must include global service events." (hashicorp/terraform#4723, cloudconformity/auto-remediate#4, awsdocs/aws-cloudformation-user-guide#908)',
  refuses: [
    'creating a multi-region trail without global service events, and turning a trail without them multi-region',
    async () => {
      await withSelectorsTrail();
      const ct = cloudtrail(securityTooling);
      await expect(
        ct.send(
          new CreateTrailCommand({
            Name: 'multi-no-global',
            S3BucketName: 'selectors-trail-bucket',
            IsMultiRegionTrail: true,
            IncludeGlobalServiceEvents: false,
          }),
        ),
      ).rejects.toMatchObject({
        name: 'InvalidParameterCombinationException',
        message: 'Multi-Region trail must include global service events.',
      });
      await ct.send(
        new CreateTrailCommand({
          Name: 'single-no-global',
          S3BucketName: 'selectors-trail-bucket',
          IncludeGlobalServiceEvents: false,
        }),
      );
      await expect(
        ct.send(new UpdateTrailCommand({ Name: 'single-no-global', IsMultiRegionTrail: true })),
      ).rejects.toMatchObject({ name: 'InvalidParameterCombinationException' });
      const { trailList } = await ct.send(new DescribeTrailsCommand({ trailNameList: ['single-no-global'] }));
      expect(trailList?.[0]).toMatchObject({ IsMultiRegionTrail: false, IncludeGlobalServiceEvents: false });
      expect(
        (await ct.send(new DescribeTrailsCommand({ trailNameList: ['multi-no-global'] }))).trailList,
      ).toEqual([]);
    },
  ],
  accepts: [
    'both in one UpdateTrail, and a multi-region trail created without saying (global service events by default)',
    async () => {
      const ct = cloudtrail(securityTooling);
      const res = await ct.send(
        new UpdateTrailCommand({
          Name: 'single-no-global',
          IsMultiRegionTrail: true,
          IncludeGlobalServiceEvents: true,
        }),
      );
      expect(res).toMatchObject({ IsMultiRegionTrail: true, IncludeGlobalServiceEvents: true });
      const created = await ct.send(
        new CreateTrailCommand({
          Name: 'multi-default',
          S3BucketName: 'selectors-trail-bucket',
          IsMultiRegionTrail: true,
        }),
      );
      expect(created).toMatchObject({ IsMultiRegionTrail: true, IncludeGlobalServiceEvents: true });
    },
  ],
});
