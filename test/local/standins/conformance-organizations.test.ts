/**
 * Organizations read-only operations from member accounts on the stand-in
 * (local/standins/organization.py), with the AWS text it rests on. Real SDK clients, root users
 * of the emulated organization (world.ts).
 */
import {
  CreateOrganizationalUnitCommand,
  DescribeAccountCommand,
  EnableAWSServiceAccessCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  OrganizationsClient,
  RegisterDelegatedAdministratorCommand,
} from '@aws-sdk/client-organizations';
import { conformance } from './conformance';
import { World, logArchive, management, member, securityTooling } from './world';

let world: World;
const orgs = (account: string) => world.as(OrganizationsClient, account, 'us-east-1');
const source =
  'Organizations User Guide, "AWS services that you can use with AWS Organizations": a member account registered as a delegated administrator can call the read-only Organizations operations (DescribeAccount, ListAccounts, ...); other member accounts get AccessDeniedException ("You don\'t have permissions to access this resource")';

beforeAll(async () => {
  world = await World.start();
  await world.organization();
  // Trusted access before its delegated administrator (ConstraintViolationException
  // SERVICE_ACCESS_NOT_ENABLED otherwise).
  await orgs(management).send(
    new EnableAWSServiceAccessCommand({ ServicePrincipal: 'guardduty.amazonaws.com' }),
  );
  await orgs(management).send(
    new RegisterDelegatedAdministratorCommand({
      AccountId: securityTooling,
      ServicePrincipal: 'guardduty.amazonaws.com',
    }),
  );
}, 60_000);

afterAll(() => world?.stop());

conformance('organizations:DescribeAccount', {
  behaviour: 'read by the management account and delegated administrators',
  source,
  refuses: [
    'a member that is no delegated administrator',
    async () => {
      await expect(
        orgs(member).send(new DescribeAccountCommand({ AccountId: logArchive })),
      ).rejects.toMatchObject({
        name: 'AccessDeniedException',
      });
    },
  ],
  accepts: [
    'a delegated administrator',
    async () => {
      const res = await orgs(securityTooling).send(new DescribeAccountCommand({ AccountId: member }));
      expect(res.Account).toMatchObject({ Id: member, Email: `${member}@example.com` });
    },
  ],
});

conformance('organizations:ListAccounts', {
  behaviour: 'read by the management account and delegated administrators',
  source,
  refuses: [
    'a member that is no delegated administrator',
    async () => {
      await expect(orgs(member).send(new ListAccountsCommand({}))).rejects.toMatchObject({
        name: 'AccessDeniedException',
      });
    },
  ],
  accepts: [
    'a delegated administrator: every account',
    async () => {
      const res = await orgs(securityTooling).send(new ListAccountsCommand({}));
      expect(res.Accounts?.map((a) => a.Id).sort()).toEqual(
        [management, securityTooling, logArchive, member].sort(),
      );
    },
  ],
});

conformance('organizations:ListParents', {
  behaviour: "read by the management account and delegated administrators (the scope's OU rules)",
  source,
  refuses: [
    'a member that is no delegated administrator',
    async () => {
      await expect(orgs(member).send(new ListParentsCommand({ ChildId: logArchive }))).rejects.toMatchObject({
        name: 'AccessDeniedException',
      });
    },
  ],
  accepts: [
    "a delegated administrator: the account's parent, the root here",
    async () => {
      const res = await orgs(securityTooling).send(new ListParentsCommand({ ChildId: member }));
      expect(res.Parents).toEqual([
        expect.objectContaining({ Type: 'ROOT', Id: expect.stringMatching(/^r-/) }),
      ]);
    },
  ],
});

conformance('organizations:ListParents', {
  behaviour: 'a child the organization lacks is ChildNotFoundException',
  source:
    'botocore organizations model, ListParents errors: AccessDeniedException, AWSOrganizationsNotInUseException, ChildNotFoundException ("We can\'t find an organizational unit (OU) or Amazon Web Services account with the ChildId that you specified."), InvalidInputException, ServiceException, TooManyRequestsException',
  refuses: [
    'an account outside the organization, and an OU that does not exist',
    async () => {
      for (const ChildId of ['999999999999', 'ou-abcd-12345678'])
        await expect(orgs(management).send(new ListParentsCommand({ ChildId }))).rejects.toMatchObject({
          name: 'ChildNotFoundException',
        });
    },
  ],
  accepts: [
    'an OU of the organization: its parent, the root',
    async () => {
      const ParentId = await rootId();
      const ou = await orgs(management).send(
        new CreateOrganizationalUnitCommand({ ParentId, Name: 'child-of-root' }),
      );
      const res = await orgs(securityTooling).send(
        new ListParentsCommand({ ChildId: ou.OrganizationalUnit!.Id! }),
      );
      expect(res.Parents).toEqual([{ Id: ParentId, Type: 'ROOT' }]);
    },
  ],
});

conformance('organizations:ListRoots', {
  behaviour: 'read by the management account and delegated administrators',
  source,
  refuses: [
    'a member that is no delegated administrator',
    async () => {
      await expect(orgs(member).send(new ListRootsCommand({}))).rejects.toMatchObject({
        name: 'AccessDeniedException',
      });
    },
  ],
  accepts: [
    'the management account',
    async () => {
      const res = await orgs(management).send(new ListRootsCommand({}));
      expect(res.Roots).toHaveLength(1);
    },
  ],
});

/** The root's id, read by the management account. */
async function rootId(): Promise<string> {
  const res = await orgs(management).send(new ListRootsCommand({}));
  return res.Roots![0].Id!;
}

// `logwarden coverage` reads the organization's tree from the root down (cli/org-directory.ts).
conformance('organizations:ListOrganizationalUnitsForParent', {
  behaviour: "read by the management account and delegated administrators (coverage's OU names)",
  source,
  refuses: [
    'a member that is no delegated administrator',
    async () => {
      const ParentId = await rootId();
      await expect(
        orgs(member).send(new ListOrganizationalUnitsForParentCommand({ ParentId })),
      ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    },
  ],
  accepts: [
    "a delegated administrator: the root's OUs",
    async () => {
      const ParentId = await rootId();
      const ou = await orgs(management).send(
        new CreateOrganizationalUnitCommand({ ParentId, Name: 'coverage-tree' }),
      );
      const res = await orgs(securityTooling).send(new ListOrganizationalUnitsForParentCommand({ ParentId }));
      expect(res.OrganizationalUnits).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Id: ou.OrganizationalUnit!.Id, Name: 'coverage-tree' }),
        ]),
      );
    },
  ],
});

conformance('organizations:ListAccountsForParent', {
  behaviour: "read by the management account and delegated administrators (coverage's account names)",
  source,
  refuses: [
    'a member that is no delegated administrator',
    async () => {
      const ParentId = await rootId();
      await expect(orgs(member).send(new ListAccountsForParentCommand({ ParentId }))).rejects.toMatchObject({
        name: 'AccessDeniedException',
      });
    },
  ],
  accepts: [
    'a delegated administrator: the accounts directly under the root',
    async () => {
      const ParentId = await rootId();
      const res = await orgs(securityTooling).send(new ListAccountsForParentCommand({ ParentId }));
      expect(res.Accounts?.map((a) => a.Id)).toEqual(expect.arrayContaining([member, logArchive]));
    },
  ],
});
