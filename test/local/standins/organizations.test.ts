/**
 * Organizations read-only operations on logwarden's moto extension (real SDK): a delegated
 * administrator (for any service) reads the organization's accounts, as the GuardDuty control
 * does with DescribeAccount; any other member account is refused.
 */
import {
  DescribeAccountCommand,
  ListAccountsCommand,
  OrganizationsClient,
  RegisterDelegatedAdministratorCommand,
} from '@aws-sdk/client-organizations';
import { World, logArchive, management, member, securityTooling } from './world';

let world: World;

beforeAll(async () => {
  world = await World.start();
  await world.organization();
}, 60_000);

afterAll(() => world?.stop());

describe('Organizations read-only operations from member accounts', () => {
  it('a member that is no delegated administrator is refused', async () => {
    await expect(
      world
        .as(OrganizationsClient, member, 'us-east-1')
        .send(new DescribeAccountCommand({ AccountId: logArchive })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('a delegated administrator describes and lists the accounts', async () => {
    await world.as(OrganizationsClient, management, 'us-east-1').send(
      new RegisterDelegatedAdministratorCommand({
        AccountId: securityTooling,
        ServicePrincipal: 'guardduty.amazonaws.com',
      }),
    );
    const orgs = world.as(OrganizationsClient, securityTooling, 'us-east-1');
    const described = await orgs.send(new DescribeAccountCommand({ AccountId: member }));
    expect(described.Account).toMatchObject({ Id: member, Email: `${member}@example.com` });
    const listed = await orgs.send(new ListAccountsCommand({}));
    expect(listed.Accounts?.map((a) => a.Id).sort()).toEqual(
      [management, securityTooling, logArchive, member].sort(),
    );
  });
});
