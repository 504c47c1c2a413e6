/**
 * The Account API's region opt-in operations on logwarden's moto extension (real SDK), with the
 * refusals the Account API reference documents for `AccountId`.
 */
import {
  AccountClient,
  EnableRegionCommand,
  GetRegionOptStatusCommand,
  ListRegionsCommand,
} from '@aws-sdk/client-account';
import {
  EnableAWSServiceAccessCommand,
  OrganizationsClient,
  RegisterDelegatedAdministratorCommand,
} from '@aws-sdk/client-organizations';
import { World, management, member, outsider, securityTooling } from './world';

let world: World;
const enabled = ['ENABLED', 'ENABLED_BY_DEFAULT'] as const;

async function enabledRegions(client: AccountClient, accountId?: string): Promise<string[]> {
  const names: string[] = [];
  let NextToken: string | undefined;
  do {
    const res = await client.send(
      new ListRegionsCommand({ AccountId: accountId, RegionOptStatusContains: [...enabled], NextToken }),
    );
    names.push(...(res.Regions ?? []).map((r) => r.RegionName!));
    NextToken = res.NextToken;
  } while (NextToken);
  return names;
}

beforeAll(async () => {
  world = await World.start();
  await world.organization();
}, 60_000);

afterAll(() => world?.stop());

describe('Account API: ListRegions and GetRegionOptStatus', () => {
  it("an account's own regions need no organization", async () => {
    const regions = await enabledRegions(world.as(AccountClient, outsider));
    expect(regions).toContain('eu-west-1');
    expect(regions).not.toContain('eu-south-1'); // an opt-in region
  });

  it('AccountId is refused until trusted access is enabled, and to an account that is no delegated administrator', async () => {
    const tooling = world.as(AccountClient, securityTooling);
    await expect(enabledRegions(tooling, member)).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(enabledRegions(world.as(AccountClient, management), member)).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('Trusted access'),
    });
    const orgs = world.as(OrganizationsClient, management, 'us-east-1');
    // Trusted access first: "You attempted to register a delegated administrator before you
    // enabled service access. Call the EnableAWSServiceAccess API first." (botocore
    // organizations model, ConstraintViolationException SERVICE_ACCESS_NOT_ENABLED)
    const register = () =>
      orgs.send(
        new RegisterDelegatedAdministratorCommand({
          AccountId: securityTooling,
          ServicePrincipal: 'account.amazonaws.com',
        }),
      );
    await expect(register()).rejects.toMatchObject({
      name: 'ConstraintViolationException',
      Reason: 'SERVICE_ACCESS_NOT_ENABLED',
    });
    await orgs.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'account.amazonaws.com' }));
    expect(await enabledRegions(world.as(AccountClient, management), member)).toContain('eu-west-1');
    await expect(enabledRegions(tooling, member)).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await register();
    expect(await enabledRegions(tooling, member)).toContain('eu-west-1');
    // An account outside the organization stays refused.
    await expect(enabledRegions(tooling, outsider)).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it("the management account can't specify its own AccountId", async () => {
    const mgmt = world.as(AccountClient, management);
    await expect(enabledRegions(mgmt, management)).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
    });
    expect(await enabledRegions(mgmt)).toContain('us-east-1');
  });

  it('a region the management account opts in for a member is enabled for that member only', async () => {
    const mgmt = world.as(AccountClient, management);
    await mgmt.send(new EnableRegionCommand({ AccountId: member, RegionName: 'eu-south-1' }));
    const tooling = world.as(AccountClient, securityTooling);
    const status = async () =>
      (await tooling.send(new GetRegionOptStatusCommand({ AccountId: member, RegionName: 'eu-south-1' })))
        .RegionOptStatus;
    // Opting in takes time (conformance-account.test.ts): ENABLING, then ENABLED.
    expect(await status()).toBe('ENABLING');
    const deadline = Date.now() + 20_000;
    while ((await status()) === 'ENABLING' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 250));
    expect(await status()).toBe('ENABLED');
    expect(await enabledRegions(tooling, member)).toContain('eu-south-1');
    expect(await enabledRegions(world.as(AccountClient, securityTooling))).not.toContain('eu-south-1');
    await expect(
      mgmt.send(new EnableRegionCommand({ AccountId: member, RegionName: 'eu-west-1' })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
