import { ListParentsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AccountClient, ListRegionsCommand } from '@aws-sdk/client-account';
import { mockClient } from 'aws-sdk-client-mock';
import { excludedBy, type Scope } from '../../../contracts/scope';
import { excludedCells, ouPathOf, scopeRuleFor } from '../../../functions/shared/scope';
import { makeHandler as listRegions } from '../../../functions/list-regions/handler';

const management = '111111111111';
const member = '444444444444';
const none: Scope = {
  includeOUs: [],
  excludeOUs: [],
  excludeAccounts: [],
  coverManagementAccount: false,
  managementAccount: management,
};
const orgs = mockClient(OrganizationsClient);
const account = mockClient(AccountClient);

/** member → ou-ab12-sandbox1 → ou-ab12-workload → r-ab12 */
function organization() {
  orgs.reset();
  orgs
    .on(ListParentsCommand, { ChildId: member })
    .resolves({ Parents: [{ Id: 'ou-ab12-sandbox1', Type: 'ORGANIZATIONAL_UNIT' }] })
    .on(ListParentsCommand, { ChildId: 'ou-ab12-sandbox1' })
    .resolves({ Parents: [{ Id: 'ou-ab12-workload', Type: 'ORGANIZATIONAL_UNIT' }] })
    .on(ListParentsCommand, { ChildId: 'ou-ab12-workload' })
    .resolves({ Parents: [{ Id: 'r-ab12', Type: 'ROOT' }] });
}

describe('scope', () => {
  it('names the rule that excludes an account, in order: management, accounts, excluded OUs, included OUs', () => {
    const path = ['ou-ab12-sandbox1', 'ou-ab12-workload', 'r-ab12'];
    expect(excludedBy(member, path, none)).toBeUndefined();
    expect(excludedBy(management, [], none)).toBe(
      'scope.coverManagementAccount is false: the management account is not covered',
    );
    expect(excludedBy(management, [], { ...none, coverManagementAccount: true })).toBeUndefined();
    expect(excludedBy(member, path, { ...none, excludeAccounts: [member] })).toBe(
      `scope.excludeAccounts lists ${member}`,
    );
    // An excluded OU nested in an included one still excludes.
    expect(
      excludedBy(member, path, {
        ...none,
        includeOUs: ['ou-ab12-workload'],
        excludeOUs: ['ou-ab12-sandbox1'],
      }),
    ).toBe(`scope.excludeOUs: ${member} is in ou-ab12-sandbox1`);
    expect(excludedBy(member, path, { ...none, includeOUs: ['ou-ab12-workload'] })).toBeUndefined();
    expect(excludedBy(member, path, { ...none, includeOUs: ['ou-ab12-prod1234'] })).toBe(
      `scope.includeOUs: ${member} is in none of ou-ab12-prod1234`,
    );
  });

  it('walks ListParents up to the root, and asks Organizations only when an OU rule needs it', async () => {
    organization();
    const client = new OrganizationsClient({ region: 'us-east-1' });
    expect(await ouPathOf(client, member)).toEqual(['ou-ab12-sandbox1', 'ou-ab12-workload', 'r-ab12']);
    orgs.resetHistory();
    expect(await scopeRuleFor(client, member, { ...none, excludeAccounts: [member] })).toBe(
      `scope.excludeAccounts lists ${member}`,
    );
    expect(await scopeRuleFor(client, member, none)).toBeUndefined();
    expect(orgs.commandCalls(ListParentsCommand)).toHaveLength(0);
    expect(await scopeRuleFor(client, member, { ...none, excludeOUs: ['ou-ab12-workload'] })).toBe(
      `scope.excludeOUs: ${member} is in ou-ab12-workload`,
    );
  });

  it('follows NextToken when a ListParents page comes back empty', async () => {
    // Organizations API Reference, ListParents: "These operations can occasionally return an empty
    // set of results even when there are more results available. The NextToken response parameter
    // value is null only when there are no more results to display."
    orgs.reset();
    orgs.on(ListParentsCommand).callsFake((input: { ChildId: string; NextToken?: string }) => {
      if (input.ChildId === member)
        return input.NextToken === 't'
          ? { Parents: [{ Id: 'ou-ab12-sandbox1', Type: 'ORGANIZATIONAL_UNIT' }] }
          : { Parents: [], NextToken: 't' };
      if (input.ChildId === 'ou-ab12-sandbox1') return { Parents: [{ Id: 'r-ab12', Type: 'ROOT' }] };
      throw new Error(`unexpected ${JSON.stringify(input)}`);
    });
    const client = new OrganizationsClient({ region: 'us-east-1' });
    expect(await ouPathOf(client, member)).toEqual(['ou-ab12-sandbox1', 'r-ab12']);
    expect(orgs.commandCalls(ListParentsCommand).map((c) => c.args[0].input)).toEqual([
      { ChildId: member },
      { ChildId: member, NextToken: 't' },
      { ChildId: 'ou-ab12-sandbox1' },
    ]);
    // The OU rule sees the OU the second page named.
    expect(await scopeRuleFor(client, member, { ...none, excludeOUs: ['ou-ab12-sandbox1'] })).toBe(
      `scope.excludeOUs: ${member} is in ou-ab12-sandbox1`,
    );
  });

  it('gives up, with an error, on a ListParents that never names a parent but keeps a NextToken', async () => {
    orgs.reset();
    orgs.on(ListParentsCommand).resolves({ Parents: [], NextToken: 'again' });
    const client = new OrganizationsClient({ region: 'us-east-1' });
    await expect(ouPathOf(client, member)).rejects.toThrow(/no parent in 10 pages/);
    expect(orgs.commandCalls(ListParentsCommand)).toHaveLength(10);
  });

  it('cover-account: an out-of-scope account lists no region and hands over every cell as excluded, with the rule', async () => {
    organization();
    account.reset();
    account
      .on(ListRegionsCommand)
      .resolves({ Regions: [{ RegionName: 'eu-west-1' }, { RegionName: 'eu-central-1' }] });
    const deps = {
      account: new AccountClient({ region: 'us-east-1' }),
      orgs: new OrganizationsClient({ region: 'us-east-1' }),
      governedRegions: ['eu-west-1', 'eu-central-1'],
      controlAccount: '333333333333',
      scope: { ...none, excludeOUs: ['ou-ab12-sandbox1'] },
      managementAccountClient: () => new AccountClient({ region: 'us-east-1' }),
    };
    const listed = await listRegions(deps)({ account: member });
    expect(listed.regions).toEqual([]);
    expect(account.commandCalls(ListRegionsCommand)).toHaveLength(0);
    expect(listed.excluded).toEqual(
      excludedCells(member, deps.governedRegions, `scope.excludeOUs: ${member} is in ou-ab12-sandbox1`),
    );
    expect(listed.excluded).toHaveLength(8);
    expect(new Set(listed.excluded.map((c) => c.status))).toEqual(new Set(['excluded']));
    // Moved into an included OU: covered again.
    const back = await listRegions({ ...deps, scope: { ...none, includeOUs: ['ou-ab12-workload'] } })({
      account: member,
    });
    expect(back).toEqual({ account: member, regions: ['eu-west-1', 'eu-central-1'], excluded: [] });
  });

  it("cover-account with scope.coverManagementAccount: the management account's regions in its own standalone context", async () => {
    orgs.reset();
    orgs
      .on(ListParentsCommand, { ChildId: management })
      .resolves({ Parents: [{ Id: 'r-ab12', Type: 'ROOT' }] });
    account.reset();
    account.on(ListRegionsCommand).resolves({ Regions: [{ RegionName: 'eu-west-1' }] });
    const standalone = jest.fn(() => new AccountClient({ region: 'us-east-1' }));
    const deps = {
      account: new AccountClient({ region: 'us-east-1' }),
      orgs: new OrganizationsClient({ region: 'us-east-1' }),
      governedRegions: ['eu-west-1', 'eu-central-1'],
      controlAccount: '333333333333',
      scope: { ...none, coverManagementAccount: true },
      managementAccountClient: standalone,
    };
    // "The specified account ID must be a member account in the same organization" (Account API
    // Reference, AccountId): the management account is listed without AccountId, by its own role.
    expect(await listRegions(deps)({ account: management })).toEqual({
      account: management,
      regions: ['eu-west-1'],
      excluded: [],
    });
    expect(standalone).toHaveBeenCalledTimes(1);
    expect(account.commandCalls(ListRegionsCommand).map((c) => c.args[0].input.AccountId)).toEqual([
      undefined,
    ]);
    // A member is still named by AccountId from the control account.
    orgs.on(ListParentsCommand, { ChildId: member }).resolves({ Parents: [{ Id: 'r-ab12', Type: 'ROOT' }] });
    await listRegions(deps)({ account: member });
    expect(standalone).toHaveBeenCalledTimes(1);
    expect(account.commandCalls(ListRegionsCommand).map((c) => c.args[0].input.AccountId)).toEqual([
      undefined,
      member,
    ]);
  });
});
