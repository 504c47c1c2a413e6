/**
 * GuardDuty organization administration on logwarden's moto extension, with the calls the
 * GuardDuty control makes (real SDK): delegation by the management account, the organization
 * configuration, CreateMembers enabling the member's detector, suspension and re-enabling.
 */
import {
  CreateDetectorCommand,
  CreateMembersCommand,
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
  UpdateOrganizationConfigurationCommand,
} from '@aws-sdk/client-guardduty';
import { World, management, member, outsider, securityTooling } from './world';

let world: World;
let admin: GuardDutyClient;
let adminDetector: string;

async function memberDetectorStatus(account: string) {
  const gd = world.as(GuardDutyClient, account);
  const ids = (await gd.send(new ListDetectorsCommand({}))).DetectorIds ?? [];
  if (!ids.length) return undefined;
  return (await gd.send(new GetDetectorCommand({ DetectorId: ids[0] }))).Status;
}

beforeAll(async () => {
  world = await World.start();
  await world.organization();
  admin = world.as(GuardDutyClient, securityTooling);
  adminDetector = (await admin.send(new CreateDetectorCommand({ Enable: true }))).DetectorId!;
}, 60_000);

afterAll(() => world?.stop());

describe('GuardDuty organization administration', () => {
  it('refuses the organization configuration until the management account delegates', async () => {
    await expect(
      admin.send(new DescribeOrganizationConfigurationCommand({ DetectorId: adminDetector })),
    ).rejects.toMatchObject({ name: 'BadRequestException' });
    // Only the management account may delegate.
    await expect(
      admin.send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: securityTooling })),
    ).rejects.toMatchObject({ name: 'BadRequestException' });
    await world
      .as(GuardDutyClient, management)
      .send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: securityTooling }));
    const config = await admin.send(
      new DescribeOrganizationConfigurationCommand({ DetectorId: adminDetector }),
    );
    expect(config.AutoEnableOrganizationMembers).toBe('NONE');
    await admin.send(
      new UpdateOrganizationConfigurationCommand({
        DetectorId: adminDetector,
        AutoEnableOrganizationMembers: 'ALL',
      }),
    );
    expect(
      (await admin.send(new DescribeOrganizationConfigurationCommand({ DetectorId: adminDetector })))
        .AutoEnableOrganizationMembers,
    ).toBe('ALL');
  });

  it('CreateMembers of an organization account enables GuardDuty there', async () => {
    const before = await admin.send(
      new GetMembersCommand({ DetectorId: adminDetector, AccountIds: [member] }),
    );
    expect(before.Members).toEqual([]);
    expect(before.UnprocessedAccounts?.[0]?.AccountId).toBe(member);
    expect(await memberDetectorStatus(member)).toBeUndefined();

    const res = await admin.send(
      new CreateMembersCommand({
        DetectorId: adminDetector,
        AccountDetails: [{ AccountId: member, Email: `${member}@example.com` }],
      }),
    );
    expect(res.UnprocessedAccounts).toEqual([]);
    const after = await admin.send(
      new GetMembersCommand({ DetectorId: adminDetector, AccountIds: [member] }),
    );
    expect(after.Members?.[0]).toMatchObject({
      AccountId: member,
      AdministratorId: securityTooling,
      RelationshipStatus: 'Enabled',
    });
    expect(await memberDetectorStatus(member)).toBe('ENABLED');
    const gdMember = world.as(GuardDutyClient, member);
    const [memberDetector] = (await gdMember.send(new ListDetectorsCommand({}))).DetectorIds!;
    expect(
      (await gdMember.send(new GetAdministratorAccountCommand({ DetectorId: memberDetector }))).Administrator,
    ).toMatchObject({ AccountId: securityTooling, RelationshipStatus: 'Enabled' });
  });

  it('the admin itself and accounts outside the organization are not enabled', async () => {
    const res = await admin.send(
      new CreateMembersCommand({
        DetectorId: adminDetector,
        AccountDetails: [
          { AccountId: securityTooling, Email: 'admin@example.com' },
          { AccountId: outsider, Email: 'outsider@example.com' },
        ],
      }),
    );
    expect(res.UnprocessedAccounts?.map((u) => u.AccountId)).toEqual([securityTooling]);
    const outside = await admin.send(
      new GetMembersCommand({ DetectorId: adminDetector, AccountIds: [outsider] }),
    );
    expect(outside.Members?.[0]?.RelationshipStatus).toBe('Created'); // an invitation would be needed
    expect(await memberDetectorStatus(outsider)).toBeUndefined();
    const listed = await admin.send(new ListMembersCommand({ DetectorId: adminDetector }));
    expect(listed.Members?.map((m) => m.AccountId)).toEqual([member]); // only associated ones
  });

  it('suspension is refused under ALL; under NEW, StartMonitoringMembers re-enables a suspended member', async () => {
    await expect(
      admin.send(new StopMonitoringMembersCommand({ DetectorId: adminDetector, AccountIds: [member] })),
    ).rejects.toMatchObject({ name: 'BadRequestException' });
    await admin.send(
      new UpdateOrganizationConfigurationCommand({
        DetectorId: adminDetector,
        AutoEnableOrganizationMembers: 'NEW',
      }),
    );
    await admin.send(new StopMonitoringMembersCommand({ DetectorId: adminDetector, AccountIds: [member] }));
    const suspended = await admin.send(
      new GetMembersCommand({ DetectorId: adminDetector, AccountIds: [member] }),
    );
    expect(suspended.Members?.[0]?.RelationshipStatus).toBe('Disabled');
    expect(await memberDetectorStatus(member)).toBe('DISABLED');

    const res = await admin.send(
      new StartMonitoringMembersCommand({ DetectorId: adminDetector, AccountIds: [member] }),
    );
    expect(res.UnprocessedAccounts).toEqual([]);
    const resumed = await admin.send(
      new GetMembersCommand({ DetectorId: adminDetector, AccountIds: [member] }),
    );
    expect(resumed.Members?.[0]?.RelationshipStatus).toBe('Enabled');
    expect(await memberDetectorStatus(member)).toBe('ENABLED');
  });

  it('a disassociated member comes back only through CreateMembers', async () => {
    await admin.send(new DisassociateMembersCommand({ DetectorId: adminDetector, AccountIds: [member] }));
    const removed = await admin.send(
      new GetMembersCommand({ DetectorId: adminDetector, AccountIds: [member] }),
    );
    expect(removed.Members?.[0]?.RelationshipStatus).toBe('Removed');
    const start = await admin.send(
      new StartMonitoringMembersCommand({ DetectorId: adminDetector, AccountIds: [member] }),
    );
    expect(start.UnprocessedAccounts?.[0]?.AccountId).toBe(member);
    await admin.send(
      new CreateMembersCommand({
        DetectorId: adminDetector,
        AccountDetails: [{ AccountId: member, Email: `${member}@example.com` }],
      }),
    );
    const back = await admin.send(new GetMembersCommand({ DetectorId: adminDetector, AccountIds: [member] }));
    expect(back.Members?.[0]?.RelationshipStatus).toBe('Enabled');
  });

  it('a detector id of another account is refused', async () => {
    await expect(
      world
        .as(GuardDutyClient, member)
        .send(new GetMembersCommand({ DetectorId: adminDetector, AccountIds: [member] })),
    ).rejects.toMatchObject({ name: 'BadRequestException' });
  });
});
