import {
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';

/** An account as `logwarden coverage` names it: its name and the OU it sits in. */
export interface DirectoryAccount {
  name?: string;
  /** Its parent: an OU id, or the root id. */
  ou: string;
  /** Its parents from its own OU up to the root (the OU filter matches nested OUs too). */
  ouPath: string[];
}

export interface OrgDirectory {
  accounts: Map<string, DirectoryAccount>;
  /** OU (and root) id → name. */
  ous: Map<string, string>;
}

/**
 * The organization's tree, read from the root down: two calls per OU (ListOrganizationalUnitsForParent
 * and ListAccountsForParent, each paginated) instead of one ListParents per account and level.
 */
export async function readDirectory(orgs: OrganizationsClient): Promise<OrgDirectory> {
  const directory: OrgDirectory = { accounts: new Map(), ous: new Map() };
  const roots = [];
  let NextToken: string | undefined;
  do {
    const res = await orgs.send(new ListRootsCommand({ NextToken }));
    roots.push(...(res?.Roots ?? []));
    NextToken = res?.NextToken;
  } while (NextToken);
  const queue: { id: string; path: string[] }[] = [];
  for (const root of roots)
    if (root.Id) {
      directory.ous.set(root.Id, root.Name ?? 'Root');
      queue.push({ id: root.Id, path: [root.Id] });
    }
  while (queue.length) {
    const parent = queue.shift()!;
    let token: string | undefined;
    do {
      const res = await orgs.send(
        new ListOrganizationalUnitsForParentCommand({ ParentId: parent.id, NextToken: token }),
      );
      for (const ou of res?.OrganizationalUnits ?? [])
        if (ou.Id) {
          directory.ous.set(ou.Id, ou.Name ?? ou.Id);
          queue.push({ id: ou.Id, path: [ou.Id, ...parent.path] });
        }
      token = res?.NextToken;
    } while (token);
    do {
      const res = await orgs.send(
        new ListAccountsForParentCommand({ ParentId: parent.id, NextToken: token }),
      );
      for (const a of res?.Accounts ?? [])
        if (a.Id) directory.accounts.set(a.Id, { name: a.Name, ou: parent.id, ouPath: parent.path });
      token = res?.NextToken;
    } while (token);
  }
  return directory;
}
