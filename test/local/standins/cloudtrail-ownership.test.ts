/**
 * Organization-trail ownership on logwarden's moto extension (real SDK): the trail the delegated
 * administrator creates belongs to the management account; a name means the caller's own trail;
 * the trail's ARN works for the delegated administrator and for no one else.
 */
import {
  CloudTrailClient,
  CreateTrailCommand,
  DeleteTrailCommand,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  ListTagsCommand,
  StartLoggingCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  EnableAWSServiceAccessCommand,
  OrganizationsClient,
  RegisterDelegatedAdministratorCommand,
} from '@aws-sdk/client-organizations';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { conformance } from './conformance';
import { World, management, member, region, securityTooling } from './world';

let world: World;
let tooling: CloudTrailClient;
let trailArn: string;

beforeAll(async () => {
  world = await World.start();
  await world.organization();
  await world.as(S3Client, management).send(
    new CreateBucketCommand({
      Bucket: 'org-trail-bucket',
      CreateBucketConfiguration: { LocationConstraint: region },
    }),
  );
  tooling = world.as(CloudTrailClient, securityTooling);
  // Organization trails need trusted access for CloudTrail (conformance-cloudtrail.test.ts).
  await world
    .as(OrganizationsClient, management, 'us-east-1')
    .send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'cloudtrail.amazonaws.com' }));
}, 60_000);

afterAll(() => world?.stop());

describe('organization trail ownership', () => {
  it('only the management account or a registered delegated administrator creates an organization trail', async () => {
    const create = () =>
      tooling.send(
        new CreateTrailCommand({
          Name: 'logwarden-org-trail',
          S3BucketName: 'org-trail-bucket',
          IsOrganizationTrail: true,
          IsMultiRegionTrail: true,
          // As functions/ensure-trail creates it: its mark, read back by `logwarden uninstall`.
          TagsList: [{ Key: 'managed-by', Value: 'logwarden' }],
        }),
      );
    await expect(create()).rejects.toMatchObject({ name: 'NotOrganizationMasterAccountException' });
    await world.as(OrganizationsClient, management, 'us-east-1').send(
      new RegisterDelegatedAdministratorCommand({
        AccountId: securityTooling,
        ServicePrincipal: 'cloudtrail.amazonaws.com',
      }),
    );
    trailArn = (await create()).TrailARN!;
    expect(trailArn).toBe(`arn:aws:cloudtrail:${region}:${management}:trail/logwarden-org-trail`);
  });

  it('DescribeTrails by name returns nothing to the delegated administrator; by ARN it returns the trail', async () => {
    const byName = await tooling.send(new DescribeTrailsCommand({ trailNameList: ['logwarden-org-trail'] }));
    expect(byName.trailList).toEqual([]);
    const byArn = await tooling.send(new DescribeTrailsCommand({ trailNameList: [trailArn] }));
    expect(byArn.trailList?.map((t) => [t.TrailARN, t.IsOrganizationTrail])).toEqual([[trailArn, true]]);
  });

  it('by ARN the delegated administrator manages it; by name it is not found', async () => {
    await tooling.send(new StartLoggingCommand({ Name: trailArn }));
    expect((await tooling.send(new GetTrailStatusCommand({ Name: trailArn }))).IsLogging).toBe(true);
    expect((await tooling.send(new GetEventSelectorsCommand({ TrailName: trailArn }))).TrailARN).toBe(
      trailArn,
    );
    await expect(
      tooling.send(new GetTrailStatusCommand({ Name: 'logwarden-org-trail' })),
    ).rejects.toMatchObject({
      name: 'TrailNotFoundException',
    });
  });

  it('creating it again is TrailAlreadyExistsException, from any region of the multi-region trail', async () => {
    for (const where of [region, 'eu-central-1'])
      await expect(
        world.as(CloudTrailClient, securityTooling, where).send(
          new CreateTrailCommand({
            Name: 'logwarden-org-trail',
            S3BucketName: 'org-trail-bucket',
            IsOrganizationTrail: true,
            IsMultiRegionTrail: true,
          }),
        ),
      ).rejects.toMatchObject({ name: 'TrailAlreadyExistsException' });
  });

  it('a member account cannot touch the organization trail', async () => {
    await expect(
      world.as(CloudTrailClient, member).send(new StopLoggingCommand({ Name: trailArn })),
    ).rejects.toMatchObject({ name: 'TrailNotFoundException' });
    expect((await tooling.send(new GetTrailStatusCommand({ Name: trailArn }))).IsLogging).toBe(true);
  });
});

// After the ownership tests, which use the trail: `logwarden uninstall` reads the organization
// trail's tags and deletes it with the security-tooling account's credentials, as its
// delegated administrator (functions/ensure-trail manages it from there).
conformance('cloudtrail:ListTags', {
  behaviour: "the delegated administrator reads the organization trail's tags by its ARN",
  source:
    'CloudTrail User Guide, "Organization delegated administrator": the delegated administrator "has administrative permissions on all organization trails" and "The management account remains the owner of any CloudTrail organization resources the delegated administrator creates"; AWS What\'s New, 8 Nov 2022: "users and roles in the delegated administrator account can perform administrative operations such as create, update, query, and delete on their organization\'s event data stores and organization trails". AWS documents nothing about a member account\'s ListTags of the organization trail: the stand-in gives it none of the tags',
  refuses: [
    "a member account reading the organization trail's tags",
    async () => {
      const read = await world
        .as(CloudTrailClient, member)
        .send(new ListTagsCommand({ ResourceIdList: [trailArn] }));
      expect(read.ResourceTagList?.flatMap((r) => r.TagsList ?? [])).toEqual([]);
    },
  ],
  accepts: [
    'the delegated administrator reading them by ARN',
    async () => {
      const read = await tooling.send(new ListTagsCommand({ ResourceIdList: [trailArn] }));
      expect(read.ResourceTagList).toEqual([
        { ResourceId: trailArn, TagsList: [{ Key: 'managed-by', Value: 'logwarden' }] },
      ]);
    },
  ],
});

conformance('cloudtrail:DeleteTrail', {
  behaviour:
    'by name or ARN, the delegated administrator the organization trail; an unknown trail is not found',
  source:
    'CloudTrail API Reference, DeleteTrail, Name: "Specifies the name or the CloudTrail ARN of the trail to be deleted"; TrailNotFoundException: "This exception is thrown when the trail with the given name is not found"; the delegated administrator can "delete" organization trails (AWS What\'s New, 8 Nov 2022, CloudTrail delegated administrator)',
  refuses: [
    'a trail that is not there, by name: TrailNotFoundException, nothing deleted',
    async () => {
      await expect(tooling.send(new DeleteTrailCommand({ Name: 'no-such-trail' }))).rejects.toMatchObject({
        name: 'TrailNotFoundException',
      });
      expect(
        (await tooling.send(new DescribeTrailsCommand({ trailNameList: [trailArn] }))).trailList,
      ).toHaveLength(1);
    },
  ],
  accepts: [
    "the delegated administrator deleting the management account's organization trail by its ARN",
    async () => {
      await tooling.send(new DeleteTrailCommand({ Name: trailArn }));
      expect(
        (await tooling.send(new DescribeTrailsCommand({ trailNameList: [trailArn] }))).trailList,
      ).toEqual([]);
    },
  ],
});
