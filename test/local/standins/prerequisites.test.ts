/**
 * The organization prerequisites of a real deployment (contracts/prerequisites.ts), taken on the
 * stand-ins by their own fix commands (local/scenario/prerequisites.ts): afterwards the security-tooling account may do what the
 * controls do in a real organization (Account API for a member, GuardDuty organization
 * configuration, an organization trail owned by the management account).
 */
import { AccountClient, ListRegionsCommand } from '@aws-sdk/client-account';
import { CloudTrailClient, CreateTrailCommand } from '@aws-sdk/client-cloudtrail';
import {
  CreateDetectorCommand,
  DescribeOrganizationConfigurationCommand,
  GuardDutyClient,
  ListDetectorsCommand,
} from '@aws-sdk/client-guardduty';
import {
  EnablePolicyTypeCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseConfig, type LogwardenConfig } from '../../../contracts/config';
import { actAsAdministrator, credentialsOf, organizationAccessRole } from '../../../local/emulated-org';
import { startMoto, type Moto } from '../../../local/moto';
import {
  addAccount,
  createOrganization,
  establishPrerequisites,
} from '../../../local/scenario/prerequisites';
import { asRoot } from '../../../local/standins/prerequisites';

const example = parseConfig(
  JSON.parse(readFileSync(path.join(__dirname, '../../../logwarden.config.json'), 'utf8')),
);
const member = '444444444444';
let moto: Moto;
let steps: string[];
let config: LogwardenConfig;

beforeAll(async () => {
  moto = await startMoto();
  const { management, logArchive, securityTooling } = example.accounts;
  const administrator = await actAsAdministrator(moto.endpoint, example);
  const admin = async (account: string) =>
    account === management ? administrator : credentialsOf(account, organizationAccessRole);
  const organizationId = await createOrganization({ management, admin }, moto.endpoint, [
    logArchive,
    securityTooling,
  ]);
  await addAccount(moto.endpoint, management, member);
  config = { ...example, organizationId };
  steps = await establishPrerequisites({
    config,
    management,
    logArchive,
    securityTooling,
    regions: config.governedRegions,
    admin,
  });
}, 120_000);

afterAll(() => moto?.stop());

describe('organization prerequisites on the stand-ins', () => {
  it('names each step by the commands it ran', () => {
    expect(steps).toContain(
      `delegated-admin-account (${config.accounts.management}): aws organizations register-delegated-administrator --account-id ${config.accounts.securityTooling} --service-principal account.amazonaws.com`,
    );
    expect(steps.filter((s) => s.includes('aws guardduty enable-organization-admin-account'))).toHaveLength(
      config.governedRegions.length,
    );
    // The designation gives the detector: create-detector, refused after it, is not run.
    for (const region of config.governedRegions)
      expect(steps).toContain(
        `guardduty-detector-${region} (${config.accounts.securityTooling}): given by guardduty-admin-${region}`,
      );
  });

  it('enabled service control policies in the root, as AWS lists them (ListRoots PolicyTypes)', async () => {
    // "Before you can create and attach a policy to your organization, you must enable that policy
    // type" (Organizations User Guide, "Enabling a policy type"); the step found the root with
    // list-roots --query 'Roots[0].Id'.
    const orgs = asRoot(OrganizationsClient, moto.endpoint, config.accounts.management, 'us-east-1');
    const [root] = (await orgs.send(new ListRootsCommand({}))).Roots ?? [];
    expect(root.PolicyTypes).toEqual([{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }]);
    expect(steps).toContainEqual(
      expect.stringMatching(/^scp-policy-type \(111111111111\): root=\$\(aws organizations list-roots/),
    );
    // An enabled type is refused: the step is taken only while it is not.
    await expect(
      orgs.send(new EnablePolicyTypeCommand({ RootId: root.Id, PolicyType: 'SERVICE_CONTROL_POLICY' })),
    ).rejects.toMatchObject({ name: 'PolicyTypeAlreadyEnabledException' });
  });

  it('the security-tooling account lists the regions of a member, reads the GuardDuty organization configuration and creates the organization trail', async () => {
    const { securityTooling, management } = config.accounts;
    const regions = await asRoot(AccountClient, moto.endpoint, securityTooling, config.homeRegion).send(
      new ListRegionsCommand({
        AccountId: member,
        RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'],
      }),
    );
    expect(regions.Regions?.map((r) => r.RegionName)).toContain(config.homeRegion);

    for (const region of config.governedRegions) {
      // The designation created the administrator's detector ("It also enables GuardDuty for the
      // delegated GuardDuty administrator account", GuardDuty User Guide, "Permissions required
      // to designate a delegated GuardDuty administrator account"); a second is refused ("You can
      // have only one detector per account per Region", CreateDetector).
      const gd = asRoot(GuardDutyClient, moto.endpoint, securityTooling, region);
      const [detector, ...more] = (await gd.send(new ListDetectorsCommand({}))).DetectorIds ?? [];
      expect(more).toEqual([]);
      await expect(gd.send(new CreateDetectorCommand({ Enable: true }))).rejects.toMatchObject({
        name: 'BadRequestException',
      });
      const org = await gd.send(new DescribeOrganizationConfigurationCommand({ DetectorId: detector }));
      expect(org.MemberAccountLimitReached).toBe(false);
    }

    await asRoot(S3Client, moto.endpoint, management, config.homeRegion).send(
      new CreateBucketCommand({
        Bucket: 'org-trail-bucket',
        CreateBucketConfiguration: { LocationConstraint: config.homeRegion as 'eu-west-1' },
      }),
    );
    const trail = await asRoot(CloudTrailClient, moto.endpoint, securityTooling, config.homeRegion).send(
      new CreateTrailCommand({
        Name: 'logwarden',
        S3BucketName: 'org-trail-bucket',
        IsOrganizationTrail: true,
      }),
    );
    expect(trail.TrailARN).toBe(`arn:aws:cloudtrail:${config.homeRegion}:${management}:trail/logwarden`);
  });
});
