/**
 * GuardDuty organization rules on the stand-in (local/standins/guardduty.py), each with the AWS
 * text it rests on: what AWS refuses, what it accepts. Real SDK clients, root users of the
 * emulated organization (world.ts).
 */
import {
  CreateDetectorCommand,
  CreateMembersCommand,
  DeleteDetectorCommand,
  DeleteMembersCommand,
  DescribeOrganizationConfigurationCommand,
  DisassociateMembersCommand,
  EnableOrganizationAdminAccountCommand,
  GetAdministratorAccountCommand,
  GetDetectorCommand,
  GetMembersCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  ListMembersCommand,
  StartMonitoringMembersCommand,
  StopMonitoringMembersCommand,
  UpdateDetectorCommand,
  UpdateOrganizationConfigurationCommand,
} from '@aws-sdk/client-guardduty';
import { OrganizationsClient, RemoveAccountFromOrganizationCommand } from '@aws-sdk/client-organizations';
import { conformance } from './conformance';
import { World, logArchive, management, member, outsider, region, securityTooling } from './world';

let world: World;
let admin: GuardDutyClient;
let adminDetector: string;

const other = 'eu-central-1';

async function detectorOf(account: string): Promise<string | undefined> {
  return (await world.as(GuardDutyClient, account).send(new ListDetectorsCommand({}))).DetectorIds?.[0];
}

async function autoEnable(mode: 'ALL' | 'NEW') {
  await admin.send(
    new UpdateOrganizationConfigurationCommand({
      DetectorId: adminDetector,
      AutoEnableOrganizationMembers: mode,
    }),
  );
}

async function relationship(account: string): Promise<string | undefined> {
  const res = await admin.send(new GetMembersCommand({ DetectorId: adminDetector, AccountIds: [account] }));
  return res.Members?.[0]?.RelationshipStatus;
}

async function addMember(account: string) {
  return admin.send(
    new CreateMembersCommand({
      DetectorId: adminDetector,
      AccountDetails: [{ AccountId: account, Email: `${account}@example.com` }],
    }),
  );
}

beforeAll(async () => {
  world = await World.start();
  await world.organization();
  admin = world.as(GuardDutyClient, securityTooling);
  adminDetector = (await admin.send(new CreateDetectorCommand({ Enable: true }))).DetectorId!;
}, 60_000);

afterAll(() => world?.stop());

conformance('guardduty:EnableOrganizationAdminAccount', {
  behaviour: 'only the management account designates the delegated administrator',
  source:
    'GuardDuty API Reference, EnableOrganizationAdminAccount: "Only the organization\'s management account can run this API operation."',
  refuses: [
    'the designation by another account',
    async () => {
      await expect(
        admin.send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: securityTooling })),
      ).rejects.toMatchObject({ name: 'BadRequestException' });
    },
  ],
  accepts: [
    'the designation by the management account',
    async () => {
      await world
        .as(GuardDutyClient, management)
        .send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: securityTooling }));
      expect(
        (await admin.send(new DescribeOrganizationConfigurationCommand({ DetectorId: adminDetector })))
          .AutoEnableOrganizationMembers,
      ).toBe('NONE');
    },
  ],
});

conformance('guardduty:EnableOrganizationAdminAccount', {
  behaviour: 'the same delegated administrator in every Region',
  source:
    'GuardDuty User Guide, "Changing the delegated GuardDuty administrator account": the old administrator is removed in each Region, then "To de-register existing delegated GuardDuty administrator account in AWS Organizations (One-time global action)"; "Each organization can have only one delegated GuardDuty administrator account per Region" (consolidating administrator accounts). The registration in Organizations is global: another account is refused while one is designated anywhere',
  refuses: [
    'another account in another Region',
    async () => {
      await expect(
        world
          .as(GuardDutyClient, management, other)
          .send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: logArchive })),
      ).rejects.toMatchObject({ name: 'BadRequestException', message: expect.stringContaining(region) });
    },
  ],
  accepts: [
    'the same account in another Region',
    async () => {
      await world
        .as(GuardDutyClient, management, other)
        .send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: securityTooling }));
    },
  ],
});

conformance('guardduty:EnableOrganizationAdminAccount', {
  behaviour: 'the designation enables GuardDuty for the administrator in that Region (its detector)',
  source:
    'GuardDuty User Guide, "Permissions required to designate a delegated GuardDuty administrator account": designating "enables GuardDuty for the delegated GuardDuty administrator account and also allows the delegated administrator account to enable and manage GuardDuty for other accounts in the organization in the current Region"; CreateDetector: "You can have only one detector per account per Region."',
  refuses: [
    '(does not do) a second detector where the administrator already had one',
    async () => {
      // securityTooling created adminDetector in `region` before the management account designated it there.
      expect((await admin.send(new ListDetectorsCommand({}))).DetectorIds).toEqual([adminDetector]);
    },
  ],
  accepts: [
    "the administrator's detector in a Region where it had none, enabled",
    async () => {
      // Designated in `other` by the block above, without a detector of its own there.
      const there = world.as(GuardDutyClient, securityTooling, other);
      const ids = (await there.send(new ListDetectorsCommand({}))).DetectorIds ?? [];
      expect(ids).toHaveLength(1);
      expect((await there.send(new GetDetectorCommand({ DetectorId: ids[0] }))).Status).toBe('ENABLED');
    },
  ],
});

conformance('guardduty:CreateDetector', {
  behaviour: 'one detector per account and Region',
  source:
    'GuardDuty API Reference, CreateDetector: "You can have only one detector per account per Region." AWS answers a second with BadRequestException "The request is rejected because a detector already exists for the current account."',
  refuses: [
    'a second detector of the same account in the same Region',
    async () => {
      await expect(admin.send(new CreateDetectorCommand({ Enable: true }))).rejects.toMatchObject({
        name: 'BadRequestException',
        message: 'The request is rejected because a detector already exists for the current account.',
      });
      expect((await admin.send(new ListDetectorsCommand({}))).DetectorIds).toEqual([adminDetector]);
    },
  ],
  accepts: [
    'the first detector of an account in a Region, another Region of the same account included',
    async () => {
      const third = 'us-west-2';
      const gd = world.as(GuardDutyClient, securityTooling, third);
      const created = (await gd.send(new CreateDetectorCommand({ Enable: true }))).DetectorId!;
      expect((await gd.send(new ListDetectorsCommand({}))).DetectorIds).toEqual([created]);
    },
  ],
});

conformance('guardduty:UpdateOrganizationConfiguration', {
  behaviour: 'autoEnable or autoEnableOrganizationMembers, one of them',
  source:
    'GuardDuty API Reference, UpdateOrganizationConfiguration: "You must provide a value for either autoEnableOrganizationMembers or autoEnable, but not both."',
  refuses: [
    'both, and neither',
    async () => {
      await expect(
        admin.send(
          new UpdateOrganizationConfigurationCommand({
            DetectorId: adminDetector,
            AutoEnable: true,
            AutoEnableOrganizationMembers: 'ALL',
          }),
        ),
      ).rejects.toMatchObject({ name: 'BadRequestException' });
      await expect(
        admin.send(new UpdateOrganizationConfigurationCommand({ DetectorId: adminDetector })),
      ).rejects.toMatchObject({ name: 'BadRequestException' });
    },
  ],
  accepts: [
    'autoEnable alone (new accounts: NEW), then autoEnableOrganizationMembers alone',
    async () => {
      await admin.send(
        new UpdateOrganizationConfigurationCommand({ DetectorId: adminDetector, AutoEnable: true }),
      );
      const described = () =>
        admin.send(new DescribeOrganizationConfigurationCommand({ DetectorId: adminDetector }));
      expect((await described()).AutoEnableOrganizationMembers).toBe('NEW');
      await autoEnable('ALL');
      expect((await described()).AutoEnableOrganizationMembers).toBe('ALL');
    },
  ],
});

conformance('guardduty:CreateMembers', {
  behaviour: "each account's email address",
  source: 'botocore guardduty model: AccountDetail.Email is required (min 1, max 64)',
  refuses: [
    'an account without Email',
    async () => {
      await expect(
        admin.send(
          new CreateMembersCommand({
            DetectorId: adminDetector,
            AccountDetails: [{ AccountId: member } as { AccountId: string; Email: string }],
          }),
        ),
      ).rejects.toMatchObject({ name: 'BadRequestException', message: expect.stringContaining('email') });
      expect(await relationship(member)).toBeUndefined();
    },
  ],
  accepts: [
    'an organization account with its Email: GuardDuty is enabled there',
    async () => {
      expect((await addMember(member)).UnprocessedAccounts).toEqual([]);
      expect(await relationship(member)).toBe('Enabled');
      const memberDetector = await detectorOf(member);
      expect(
        (await world.as(GuardDutyClient, member).send(new GetDetectorCommand({ DetectorId: memberDetector })))
          .Status,
      ).toBe('ENABLED');
    },
  ],
});

conformance('guardduty:CreateMembers', {
  behaviour: 'an existing member added again is processed, whoever else is not',
  source:
    'GuardDuty API Reference, CreateMembers: "GuardDuty applies your organization\'s auto-enable settings to the member accounts in this request, irrespective of the accounts being new or existing members" and "As a delegated administrator, using CreateMembers will enable GuardDuty in the added member accounts, with the exception of the organization delegated administrator account"',
  refuses: [
    'the delegated administrator account itself: unprocessed',
    async () => {
      const res = await addMember(securityTooling);
      expect(res.UnprocessedAccounts?.map((u) => u.AccountId)).toEqual([securityTooling]);
    },
  ],
  accepts: [
    'the member added again: nothing unprocessed, still Enabled under the same administrator',
    async () => {
      expect((await addMember(member)).UnprocessedAccounts).toEqual([]);
      expect(await relationship(member)).toBe('Enabled');
    },
  ],
});

conformance('guardduty:CreateMembers', {
  behaviour: "the management account needs GuardDuty's service-linked role",
  source:
    'GuardDuty User Guide, designating a delegated administrator: "The management account must have the GuardDuty service-linked role (SLR) so that the delegated GuardDuty administrator account can enable and manage GuardDuty in that account. Once you enable GuardDuty in a Region for the management account, this SLR gets created automatically."',
  refuses: [
    'the management account that never enabled GuardDuty',
    async () => {
      const res = await addMember(management);
      expect(res.UnprocessedAccounts?.map((u) => u.AccountId)).toEqual([management]);
      expect(await relationship(management)).toBeUndefined();
      expect(await detectorOf(management)).toBeUndefined();
    },
  ],
  accepts: [
    'the management account once it enabled GuardDuty in a Region',
    async () => {
      await world.as(GuardDutyClient, management, other).send(new CreateDetectorCommand({ Enable: true }));
      expect((await addMember(management)).UnprocessedAccounts).toEqual([]);
      expect(await relationship(management)).toBe('Enabled');
    },
  ],
});

conformance('guardduty:GetMembers', {
  behaviour: "the administrator's members, and only them",
  source:
    'GuardDuty API Reference, GetMembers: "Retrieves GuardDuty member accounts (of the current GuardDuty administrator account) specified by the account IDs."',
  refuses: [
    'an account that is not a member: unprocessed',
    async () => {
      const res = await admin.send(
        new GetMembersCommand({ DetectorId: adminDetector, AccountIds: [logArchive] }),
      );
      expect(res.Members).toEqual([]);
      expect(res.UnprocessedAccounts?.map((u) => u.AccountId)).toEqual([logArchive]);
    },
  ],
  accepts: [
    'a member, with its administrator and status',
    async () => {
      const res = await admin.send(
        new GetMembersCommand({ DetectorId: adminDetector, AccountIds: [member] }),
      );
      expect(res.Members?.[0]).toMatchObject({
        AccountId: member,
        AdministratorId: securityTooling,
        RelationshipStatus: 'Enabled',
      });
    },
  ],
});

conformance('guardduty:ListMembers', {
  behaviour: 'OnlyAssociated',
  source:
    'botocore guardduty model, ListMembersRequest.OnlyAssociated: "Specifies whether to only return associated members or to return all members (including members who haven\'t been invited yet or have been disassociated)."',
  refuses: [
    'an outside account that was only created, with OnlyAssociated true',
    async () => {
      await addMember(outsider);
      const res = await admin.send(
        new ListMembersCommand({ DetectorId: adminDetector, OnlyAssociated: 'true' }),
      );
      expect(res.Members?.map((m) => m.AccountId)).not.toContain(outsider);
    },
  ],
  accepts: [
    'it with OnlyAssociated false, as Created',
    async () => {
      const res = await admin.send(
        new ListMembersCommand({ DetectorId: adminDetector, OnlyAssociated: 'false' }),
      );
      expect(res.Members?.find((m) => m.AccountId === outsider)?.RelationshipStatus).toBe('Created');
    },
  ],
});

conformance('guardduty:GetAdministratorAccount', {
  behaviour: "a member's administrator",
  source:
    'GuardDuty API Reference, GetAdministratorAccount: "Provides the details of the GuardDuty administrator account associated with the current GuardDuty member account."',
  refuses: [
    'an administrator for an account that has none',
    async () => {
      await world.as(GuardDutyClient, logArchive).send(new CreateDetectorCommand({ Enable: true }));
      const res = await world
        .as(GuardDutyClient, logArchive)
        .send(new GetAdministratorAccountCommand({ DetectorId: await detectorOf(logArchive) }));
      expect(res.Administrator).toBeUndefined();
    },
  ],
  accepts: [
    "the member's administrator",
    async () => {
      const res = await world
        .as(GuardDutyClient, member)
        .send(new GetAdministratorAccountCommand({ DetectorId: await detectorOf(member) }));
      expect(res.Administrator).toMatchObject({ AccountId: securityTooling, RelationshipStatus: 'Enabled' });
    },
  ],
});

conformance('guardduty:DescribeOrganizationConfiguration', {
  behaviour: 'only the delegated administrator',
  source:
    'GuardDuty User Guide, managing accounts with Organizations: the delegated administrator "is granted permission to enable and manage GuardDuty for all accounts in the organization within that Region"; AWS documents no answer for other accounts: the stricter BadRequestException',
  refuses: [
    "a member's own detector",
    async () => {
      await expect(
        world
          .as(GuardDutyClient, member)
          .send(new DescribeOrganizationConfigurationCommand({ DetectorId: await detectorOf(member) })),
      ).rejects.toMatchObject({ name: 'BadRequestException' });
    },
  ],
  accepts: [
    "the administrator's detector",
    async () => {
      const res = await admin.send(
        new DescribeOrganizationConfigurationCommand({ DetectorId: adminDetector }),
      );
      expect(res.AutoEnableOrganizationMembers).toBe('ALL');
    },
  ],
});

conformance('guardduty:UpdateDetector', {
  behaviour: 'an organization member disabling GuardDuty itself',
  source:
    'GuardDuty API Reference, DisassociateFromAdministratorAccount: "With autoEnableOrganizationMembers configuration for your organization set to ALL, you\'ll receive an error if you attempt to disable GuardDuty in a member account." AWS names no other way for a member to disable it; UpdateDetector(enable=false) is held to the same (the stricter answer)',
  refuses: [
    'the member disabling its detector under auto-enable ALL',
    async () => {
      const gd = world.as(GuardDutyClient, member);
      const id = await detectorOf(member);
      await expect(
        gd.send(new UpdateDetectorCommand({ DetectorId: id, Enable: false })),
      ).rejects.toMatchObject({
        name: 'BadRequestException',
      });
      expect((await gd.send(new GetDetectorCommand({ DetectorId: id }))).Status).toBe('ENABLED');
    },
  ],
  accepts: [
    'it under auto-enable NEW',
    async () => {
      await autoEnable('NEW');
      const gd = world.as(GuardDutyClient, member);
      const id = await detectorOf(member);
      await gd.send(new UpdateDetectorCommand({ DetectorId: id, Enable: false }));
      expect((await gd.send(new GetDetectorCommand({ DetectorId: id }))).Status).toBe('DISABLED');
      await gd.send(new UpdateDetectorCommand({ DetectorId: id, Enable: true }));
    },
  ],
});

conformance('guardduty:StopMonitoringMembers', {
  behaviour: 'stopping an organization member',
  source:
    'GuardDuty API Reference, StopMonitoringMembers: "With autoEnableOrganizationMembers configuration for your organization set to ALL, you\'ll receive an error if you attempt to stop monitoring the member accounts in your organization."',
  refuses: [
    'under auto-enable ALL',
    async () => {
      await autoEnable('ALL');
      await expect(
        admin.send(new StopMonitoringMembersCommand({ DetectorId: adminDetector, AccountIds: [member] })),
      ).rejects.toMatchObject({ name: 'BadRequestException' });
      expect(await relationship(member)).toBe('Enabled');
    },
  ],
  accepts: [
    'under auto-enable NEW: the member is Disabled',
    async () => {
      await autoEnable('NEW');
      await admin.send(new StopMonitoringMembersCommand({ DetectorId: adminDetector, AccountIds: [member] }));
      expect(await relationship(member)).toBe('Disabled');
    },
  ],
});

conformance('guardduty:StartMonitoringMembers', {
  behaviour: 'restarting a stopped member',
  source:
    'GuardDuty API Reference, StartMonitoringMembers: "Turns on GuardDuty monitoring of the specified member accounts. Use this operation to restart monitoring of accounts that you stopped monitoring with the StopMonitoringMembers operation."',
  refuses: [
    'an account that is not a member: unprocessed',
    async () => {
      const res = await admin.send(
        new StartMonitoringMembersCommand({ DetectorId: adminDetector, AccountIds: [logArchive] }),
      );
      expect(res.UnprocessedAccounts?.map((u) => u.AccountId)).toEqual([logArchive]);
    },
  ],
  accepts: [
    'the stopped member: Enabled again',
    async () => {
      const res = await admin.send(
        new StartMonitoringMembersCommand({ DetectorId: adminDetector, AccountIds: [member] }),
      );
      expect(res.UnprocessedAccounts).toEqual([]);
      expect(await relationship(member)).toBe('Enabled');
    },
  ],
});

conformance('guardduty:DisassociateMembers', {
  behaviour: 'disassociating an organization member',
  source:
    'GuardDuty API Reference, DisassociateMembers: "With autoEnableOrganizationMembers configuration for your organization set to ALL, you\'ll receive an error if you attempt to disassociate a member account before removing them from your organization."',
  refuses: [
    'under auto-enable ALL',
    async () => {
      await autoEnable('ALL');
      await expect(
        admin.send(new DisassociateMembersCommand({ DetectorId: adminDetector, AccountIds: [member] })),
      ).rejects.toMatchObject({ name: 'BadRequestException' });
      expect(await relationship(member)).toBe('Enabled');
    },
  ],
  accepts: [
    'under auto-enable NEW: the member is Removed',
    async () => {
      await autoEnable('NEW');
      await admin.send(new DisassociateMembersCommand({ DetectorId: adminDetector, AccountIds: [member] }));
      expect(await relationship(member)).toBe('Removed');
    },
  ],
});

conformance('guardduty:DeleteMembers', {
  behaviour: 'deleting an organization member',
  source:
    'GuardDuty API Reference, DeleteMembers: "With autoEnableOrganizationMembers configuration for your organization set to ALL, you\'ll receive an error if you attempt to disable GuardDuty for a member account in your organization."',
  refuses: [
    'under auto-enable ALL',
    async () => {
      await addMember(member);
      await autoEnable('ALL');
      await expect(
        admin.send(new DeleteMembersCommand({ DetectorId: adminDetector, AccountIds: [member] })),
      ).rejects.toMatchObject({ name: 'BadRequestException' });
      expect(await relationship(member)).toBe('Enabled');
    },
  ],
  accepts: [
    'under auto-enable NEW: the member is gone',
    async () => {
      await autoEnable('NEW');
      await admin.send(new DeleteMembersCommand({ DetectorId: adminDetector, AccountIds: [member] }));
      expect(await relationship(member)).toBeUndefined();
    },
  ],
});

conformance('guardduty:DisassociateMembers', {
  behaviour: 'under auto-enable ALL, a member that has left the organization',
  source:
    'GuardDuty API Reference, DisassociateMembers: "With autoEnableOrganizationMembers configuration for your organization set to ALL, you\'ll receive an error if you attempt to disassociate a member account before removing them from your organization."',
  refuses: [
    'the member while it is in the organization',
    async () => {
      await addMember(member);
      await autoEnable('ALL');
      await expect(
        admin.send(new DisassociateMembersCommand({ DetectorId: adminDetector, AccountIds: [member] })),
      ).rejects.toMatchObject({ name: 'BadRequestException' });
    },
  ],
  accepts: [
    'the same member once it was removed from the organization: Removed',
    async () => {
      await world
        .as(OrganizationsClient, management, 'us-east-1')
        .send(new RemoveAccountFromOrganizationCommand({ AccountId: member }));
      await admin.send(new DisassociateMembersCommand({ DetectorId: adminDetector, AccountIds: [member] }));
      expect(await relationship(member)).toBe('Removed');
    },
  ],
});

conformance('guardduty:DeleteDetector', {
  behaviour: "the administrator's detector while it has members",
  source:
    'GuardDuty User Guide, "Suspending or disabling GuardDuty": "All member accounts must be disassociated or deleted before you can suspend or disable GuardDuty." AWS names no error: the stand-in answers BadRequestException, as for the other refusals of a detector change.',
  refuses: [
    'suspending (UpdateDetector Enable false) or deleting the detector of an administrator with an associated member',
    async () => {
      await addMember(logArchive);
      expect(await relationship(logArchive)).toBeDefined();
      await expect(
        admin.send(new UpdateDetectorCommand({ DetectorId: adminDetector, Enable: false })),
      ).rejects.toMatchObject({ name: 'BadRequestException' });
      await expect(
        admin.send(new DeleteDetectorCommand({ DetectorId: adminDetector })),
      ).rejects.toMatchObject({
        name: 'BadRequestException',
      });
      expect((await admin.send(new GetDetectorCommand({ DetectorId: adminDetector }))).Status).toBe(
        'ENABLED',
      );
    },
  ],
  accepts: [
    'suspending, then deleting, a detector without members (the administrator in another Region)',
    async () => {
      const gd = world.as(GuardDutyClient, securityTooling, 'us-west-2');
      const [id] = (await gd.send(new ListDetectorsCommand({}))).DetectorIds!;
      await gd.send(new UpdateDetectorCommand({ DetectorId: id, Enable: false }));
      expect((await gd.send(new GetDetectorCommand({ DetectorId: id }))).Status).toBe('DISABLED');
      await gd.send(new DeleteDetectorCommand({ DetectorId: id }));
      expect((await gd.send(new ListDetectorsCommand({}))).DetectorIds).toEqual([]);
    },
  ],
});
