/**
 * The organization's one-time steps on the stand-in (local/standins/onboarding.py), which the
 * local run takes as contracts/prerequisites.ts prints them and `logwarden preflight` checks:
 * each rule with the AWS text it rests on (the botocore models and API references, as quoted in
 * onboarding.py). Real SDK clients, root users of the emulated organizations (world.ts).
 */
import {
  ActivateOrganizationsAccessCommand,
  CloudFormationClient,
  DescribeOrganizationsAccessCommand,
} from '@aws-sdk/client-cloudformation';
import { CloudTrailClient, RegisterOrganizationDelegatedAdminCommand } from '@aws-sdk/client-cloudtrail';
import {
  EnableOrganizationAdminAccountCommand,
  GuardDutyClient,
  ListOrganizationAdminAccountsCommand,
} from '@aws-sdk/client-guardduty';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  AcceptHandshakeCommand,
  CreateOrganizationCommand,
  DescribeOrganizationCommand,
  DescribeResourcePolicyCommand,
  EnableAllFeaturesCommand,
  EnableAWSServiceAccessCommand,
  EnablePolicyTypeCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListDelegatedAdministratorsCommand,
  ListRootsCommand,
  OrganizationsClient,
  PutResourcePolicyCommand,
  RegisterDelegatedAdministratorCommand,
} from '@aws-sdk/client-organizations';
import { conformance } from './conformance';
import { World, management, member, securityTooling } from './world';

let world: World;
/** A second organization, created with consolidated billing only. */
const billingOnly = '777777777777';
const billingMember = '888888888888';
let handshakeId: string;

const orgs = (account: string) => world.as(OrganizationsClient, account, 'us-east-1');
const stacksets = 'member.org.stacksets.cloudformation.amazonaws.com';
const delegationPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${member}:root` },
      Action: ['organizations:ListDelegatedAdministrators'],
      Resource: '*',
    },
  ],
});

beforeAll(async () => {
  world = await World.start();
  await world.organization();
  await orgs(billingOnly).send(new CreateOrganizationCommand({ FeatureSet: 'CONSOLIDATED_BILLING' }));
  const res = await world.fixture('organization-account', {
    managementAccount: billingOnly,
    accountId: billingMember,
    email: `${billingMember}@example.com`,
  });
  if (res.status !== 200) throw new Error(JSON.stringify(res.body));
}, 60_000);

afterAll(() => world?.stop());

conformance('organizations:EnableAllFeatures', {
  behaviour: 'the management account starts it, once, with a handshake',
  source:
    'Organizations API Reference, EnableAllFeatures: "This operation is required only for organizations that were created explicitly with only the consolidated billing features enabled. [...] This operation can be called only from the organization\'s management account."; a second request: HandshakeConstraintViolationException, ORGANIZATION_ALREADY_HAS_ALL_FEATURES',
  refuses: [
    'a member account, and an organization that has all features',
    async () => {
      await expect(orgs(billingMember).send(new EnableAllFeaturesCommand({}))).rejects.toMatchObject({
        name: 'AccessDeniedException',
      });
      await expect(orgs(management).send(new EnableAllFeaturesCommand({}))).rejects.toMatchObject({
        name: 'HandshakeConstraintViolationException',
        Reason: 'ORGANIZATION_ALREADY_HAS_ALL_FEATURES',
      });
    },
  ],
  accepts: [
    "the consolidated-billing organization's management account: an ENABLE_ALL_FEATURES handshake",
    async () => {
      const res = await orgs(billingOnly).send(new EnableAllFeaturesCommand({}));
      expect(res.Handshake).toMatchObject({ Action: 'ENABLE_ALL_FEATURES', State: 'OPEN' });
      handshakeId = res.Handshake!.Id!;
    },
  ],
});

const allFeatures =
  'Organizations API Reference, EnableAWSServiceAccess: "You can only call this operation from the organization\'s management account and only if the organization has enabled all features." (ConstraintViolationException, ORGANIZATION_NOT_IN_ALL_FEATURES_MODE); RegisterDelegatedAdministrator likewise';

conformance('organizations:EnableAWSServiceAccess', {
  behaviour: 'only with all features',
  source: allFeatures,
  refuses: [
    'the consolidated-billing organization',
    async () => {
      await expect(
        orgs(billingOnly).send(
          new EnableAWSServiceAccessCommand({ ServicePrincipal: 'account.amazonaws.com' }),
        ),
      ).rejects.toMatchObject({
        name: 'ConstraintViolationException',
        Reason: 'ORGANIZATION_NOT_IN_ALL_FEATURES_MODE',
      });
    },
  ],
  accepts: [
    'an organization with all features (Account Management; StackSets comes by ActivateOrganizationsAccess)',
    async () => {
      await orgs(management).send(
        new EnableAWSServiceAccessCommand({ ServicePrincipal: 'account.amazonaws.com' }),
      );
    },
  ],
});

conformance('organizations:EnablePolicyType', {
  behaviour: 'service control policies only with all features; listed by ListRoots once enabled',
  source:
    'Organizations API Reference, EnablePolicyType: "You can enable a policy type in a root only if that policy type is available in the organization"; botocore PolicyTypeNotAvailableForOrganizationException: "you can enable SCPs only after you enable all features in the organization"; User Guide, "Enabling a policy type": "Before you can create and attach a policy to your organization, you must enable that policy type."',
  refuses: [
    'SCPs in the consolidated-billing organization, whose root lists no policy type',
    async () => {
      const [root] = (await orgs(billingOnly).send(new ListRootsCommand({}))).Roots ?? [];
      expect(root.PolicyTypes).toEqual([]);
      await expect(
        orgs(billingOnly).send(
          new EnablePolicyTypeCommand({ RootId: root.Id, PolicyType: 'SERVICE_CONTROL_POLICY' }),
        ),
      ).rejects.toMatchObject({ name: 'PolicyTypeNotAvailableForOrganizationException' });
    },
  ],
  accepts: [
    'SCPs in an organization with all features: its root lists them ENABLED',
    async () => {
      const [root] = (await orgs(management).send(new ListRootsCommand({}))).Roots ?? [];
      expect(root.PolicyTypes).toEqual([]);
      await orgs(management).send(
        new EnablePolicyTypeCommand({ RootId: root.Id, PolicyType: 'SERVICE_CONTROL_POLICY' }),
      );
      const [after] = (await orgs(management).send(new ListRootsCommand({}))).Roots ?? [];
      expect(after.PolicyTypes).toEqual([{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }]);
    },
  ],
});

const serviceAccessFirst =
  'botocore organizations model, ConstraintViolationException Reason SERVICE_ACCESS_NOT_ENABLED: "You attempted to register a delegated administrator before you enabled service access. Call the EnableAWSServiceAccess API first."; for StackSets, CloudFormation ActivateOrganizationsAccess: "Activate trusted access with Organizations"';

conformance('organizations:RegisterDelegatedAdministrator', {
  behaviour: 'only once trusted access for the service is enabled',
  source: serviceAccessFirst,
  refuses: [
    'the StackSets delegated administrator before ActivateOrganizationsAccess',
    async () => {
      await expect(
        orgs(management).send(
          new RegisterDelegatedAdministratorCommand({
            AccountId: securityTooling,
            ServicePrincipal: stacksets,
          }),
        ),
      ).rejects.toMatchObject({
        name: 'ConstraintViolationException',
        Reason: 'SERVICE_ACCESS_NOT_ENABLED',
      });
    },
  ],
  accepts: [
    "the Account Management delegated administrator, that service's access being enabled",
    async () => {
      await orgs(management).send(
        new RegisterDelegatedAdministratorCommand({
          AccountId: securityTooling,
          ServicePrincipal: 'account.amazonaws.com',
        }),
      );
    },
  ],
});

const cloudformation = (account: string) => world.as(CloudFormationClient, account);

conformance('cloudformation:ActivateOrganizationsAccess', {
  behaviour: 'the management account activates trusted access for StackSets',
  source:
    'CloudFormation API Reference, ActivateOrganizationsAccess: "Activate trusted access with Organizations. With trusted access between StackSets and Organizations activated, the management account has permissions to create and manage StackSets for your organization." (InvalidOperationException otherwise)',
  refuses: [
    'a member account',
    async () => {
      await expect(
        cloudformation(member).send(new ActivateOrganizationsAccessCommand({})),
      ).rejects.toMatchObject({
        name: 'InvalidOperationException',
      });
    },
  ],
  accepts: [
    'the management account',
    async () => {
      await cloudformation(management).send(new ActivateOrganizationsAccessCommand({}));
    },
  ],
});

conformance('organizations:RegisterDelegatedAdministrator', {
  behaviour: 'only with all features',
  source: allFeatures,
  refuses: [
    'the consolidated-billing organization',
    async () => {
      await expect(
        orgs(billingOnly).send(
          new RegisterDelegatedAdministratorCommand({
            AccountId: billingMember,
            ServicePrincipal: stacksets,
          }),
        ),
      ).rejects.toMatchObject({
        name: 'ConstraintViolationException',
        Reason: 'ORGANIZATION_NOT_IN_ALL_FEATURES_MODE',
      });
    },
  ],
  accepts: [
    'an organization with all features: the StackSets delegated administrator, after ActivateOrganizationsAccess',
    async () => {
      await orgs(management).send(
        new RegisterDelegatedAdministratorCommand({
          AccountId: securityTooling,
          ServicePrincipal: stacksets,
        }),
      );
    },
  ],
});

conformance('organizations:AcceptHandshake', {
  behaviour: 'the management account finalizes all features',
  source:
    'Organizations API Reference, AcceptHandshake: "Enable all features final confirmation handshake: only a principal from the management account."; Handshake.Action ENABLE_ALL_FEATURES: "Created accounts do not receive this because those accounts were created by the organization\'s management account and approval is inferred"',
  refuses: [
    'a member account',
    async () => {
      await expect(
        orgs(billingMember).send(new AcceptHandshakeCommand({ HandshakeId: handshakeId })),
      ).rejects.toMatchObject({
        name: 'AccessDeniedException',
      });
    },
  ],
  accepts: [
    'the management account: the organization has all features',
    async () => {
      const res = await orgs(billingOnly).send(new AcceptHandshakeCommand({ HandshakeId: handshakeId }));
      expect(res.Handshake?.State).toBe('ACCEPTED');
      expect(
        (await orgs(billingOnly).send(new DescribeOrganizationCommand({}))).Organization?.FeatureSet,
      ).toBe('ALL');
    },
  ],
});

conformance('organizations:DescribeResourcePolicy', {
  behaviour: 'the management account and delegated administrators read it',
  source:
    'Organizations API Reference, DescribeResourcePolicy: "This operation can be called only from the organization\'s management account or by a member account that is a delegated administrator for an Amazon Web Services service."; without a policy: ResourcePolicyNotFoundException',
  refuses: [
    'a member that is no delegated administrator, and a policy that does not exist',
    async () => {
      await expect(orgs(member).send(new DescribeResourcePolicyCommand({}))).rejects.toMatchObject({
        name: 'AccessDeniedException',
      });
      await expect(orgs(management).send(new DescribeResourcePolicyCommand({}))).rejects.toMatchObject({
        name: 'ResourcePolicyNotFoundException',
      });
    },
  ],
  accepts: [
    'the delegated administrator, once the policy exists',
    async () => {
      await orgs(management).send(new PutResourcePolicyCommand({ Content: delegationPolicy }));
      const res = await orgs(securityTooling).send(new DescribeResourcePolicyCommand({}));
      expect(JSON.parse(res.ResourcePolicy!.Content!)).toEqual(JSON.parse(delegationPolicy));
    },
  ],
});

conformance('organizations:PutResourcePolicy', {
  behaviour: 'the management account delegates read-only actions',
  source:
    'Organizations API Reference, PutResourcePolicy: "You can only call this operation from the organization\'s management account."; User Guide: "it\'s possible to delegate any Organizations read-only action using this policy"',
  refuses: [
    'a member account',
    async () => {
      await expect(
        orgs(member).send(new PutResourcePolicyCommand({ Content: delegationPolicy })),
      ).rejects.toMatchObject({
        name: 'AccessDeniedException',
      });
    },
  ],
  accepts: [
    'the management account: the account it names may call the action it allows',
    async () => {
      await orgs(management).send(new PutResourcePolicyCommand({ Content: delegationPolicy }));
      const res = await orgs(member).send(new ListDelegatedAdministratorsCommand({}));
      expect(res.DelegatedAdministrators?.map((a) => a.Id)).toContain(securityTooling);
    },
  ],
});

const readOnly =
  'Organizations User Guide, "AWS services that you can use with AWS Organizations": a member account registered as a delegated administrator can call the read-only Organizations operations; other member accounts get AccessDeniedException, unless the resource-based delegation policy allows them the action';

conformance('organizations:ListDelegatedAdministrators', {
  behaviour: 'read by delegated administrators and the accounts the delegation policy names',
  source: readOnly,
  refuses: [
    'a member the policy does not name',
    async () => {
      await expect(
        orgs(billingMember).send(new ListDelegatedAdministratorsCommand({})),
      ).rejects.toMatchObject({
        name: 'AccessDeniedException',
      });
    },
  ],
  accepts: [
    'a delegated administrator',
    async () => {
      const res = await orgs(securityTooling).send(
        new ListDelegatedAdministratorsCommand({ ServicePrincipal: stacksets }),
      );
      expect(res.DelegatedAdministrators?.map((a) => a.Id)).toEqual([securityTooling]);
    },
  ],
});

conformance('organizations:ListAWSServiceAccessForOrganization', {
  behaviour: 'read by delegated administrators',
  source: readOnly,
  refuses: [
    'a member that is no delegated administrator and that the policy does not name for it',
    async () => {
      await expect(
        orgs(member).send(new ListAWSServiceAccessForOrganizationCommand({})),
      ).rejects.toMatchObject({
        name: 'AccessDeniedException',
      });
    },
  ],
  accepts: [
    'a delegated administrator',
    async () => {
      const res = await orgs(securityTooling).send(new ListAWSServiceAccessForOrganizationCommand({}));
      expect(res.EnabledServicePrincipals?.map((p) => p.ServicePrincipal)).toContain(stacksets);
    },
  ],
});

conformance('cloudformation:DescribeOrganizationsAccess', {
  behaviour: 'the management account, or a delegated administrator with CallAs',
  source:
    'CloudFormation API Reference, DescribeOrganizationsAccess: "Retrieves information about the account\'s OrganizationAccess status. This API can be called either by the management account or the delegated administrator by using the CallAs parameter. This API can also be called without the CallAs parameter by the management account."',
  refuses: [
    'the delegated administrator without CallAs, and a member account',
    async () => {
      for (const account of [securityTooling, member])
        await expect(
          cloudformation(account).send(new DescribeOrganizationsAccessCommand({})),
        ).rejects.toMatchObject({ name: 'InvalidOperationException' });
    },
  ],
  accepts: [
    'the management account, and the delegated administrator calling as DELEGATED_ADMIN',
    async () => {
      expect((await cloudformation(management).send(new DescribeOrganizationsAccessCommand({}))).Status).toBe(
        'ENABLED',
      );
      const asAdmin = await cloudformation(securityTooling).send(
        new DescribeOrganizationsAccessCommand({ CallAs: 'DELEGATED_ADMIN' }),
      );
      expect(asAdmin.Status).toBe('ENABLED');
    },
  ],
});

conformance('cloudtrail:RegisterOrganizationDelegatedAdmin', {
  behaviour: 'trusted access first; never the management account; the service-linked role',
  source:
    'CloudTrail API Reference, RegisterOrganizationDelegatedAdmin errors: CloudTrailAccessNotEnabledException ("trusted access has not been enabled between CloudTrail and Organizations"), CannotDelegateManagementAccountException; CloudTrail User Guide, "Organization delegated administrator": registering through CloudTrail creates the service-linked role in the management account',
  refuses: [
    'before trusted access, and the management account itself',
    async () => {
      const ct = world.as(CloudTrailClient, management);
      await expect(
        ct.send(new RegisterOrganizationDelegatedAdminCommand({ MemberAccountId: securityTooling })),
      ).rejects.toMatchObject({ name: 'CloudTrailAccessNotEnabledException' });
      await orgs(management).send(
        new EnableAWSServiceAccessCommand({ ServicePrincipal: 'cloudtrail.amazonaws.com' }),
      );
      await expect(
        ct.send(new RegisterOrganizationDelegatedAdminCommand({ MemberAccountId: management })),
      ).rejects.toMatchObject({ name: 'CannotDelegateManagementAccountException' });
    },
  ],
  accepts: [
    'a member: registered, and AWSServiceRoleForCloudTrail exists',
    async () => {
      await world
        .as(CloudTrailClient, management)
        .send(new RegisterOrganizationDelegatedAdminCommand({ MemberAccountId: securityTooling }));
      const admins = await orgs(management).send(
        new ListDelegatedAdministratorsCommand({ ServicePrincipal: 'cloudtrail.amazonaws.com' }),
      );
      expect(admins.DelegatedAdministrators?.map((a) => a.Id)).toEqual([securityTooling]);
      const role = await world
        .as(IAMClient, management, 'us-east-1')
        .send(new GetRoleCommand({ RoleName: 'AWSServiceRoleForCloudTrail' }));
      expect(role.Role?.Path).toBe('/aws-service-role/cloudtrail.amazonaws.com/');
    },
  ],
});

conformance('guardduty:ListOrganizationAdminAccounts', {
  behaviour: 'only the management account lists the delegated administrator',
  source:
    'GuardDuty API Reference, ListOrganizationAdminAccounts: "Lists the accounts designated as GuardDuty delegated administrators. Only the organization\'s management account can run this API operation."',
  refuses: [
    'another account',
    async () => {
      await expect(
        world.as(GuardDutyClient, securityTooling).send(new ListOrganizationAdminAccountsCommand({})),
      ).rejects.toMatchObject({ name: 'BadRequestException' });
    },
  ],
  accepts: [
    'the management account: the designated administrator',
    async () => {
      const gd = world.as(GuardDutyClient, management);
      await gd.send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: securityTooling }));
      const res = await gd.send(new ListOrganizationAdminAccountsCommand({}));
      expect(res.AdminAccounts).toEqual([{ AdminAccountId: securityTooling, AdminStatus: 'ENABLED' }]);
    },
  ],
});
