/**
 * The one-time steps of a real deployment (contracts/prerequisites.ts), taken on the stand-ins
 * when they emulate Organizations strictly (logwarden's moto extension, local/standins, answers
 * `/logwarden-standins/health`): each prerequisite's own fix commands, run as the SDK calls they
 * stand for (local/aws-cli.ts) with the credentials of the account the list names; `cdk
 * bootstrap` as the two resources of the bootstrap template that `cdk deploy` reads. The
 * organization starts with consolidated billing only, so that every step, all features
 * included, is taken here.
 */
import { CreateOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { prerequisites, type Prerequisite } from '../../contracts/prerequisites';
import type { Organization } from './organization';
import { createOrganizationAccessRole } from '../emulated-org';
import { runAwsCli, type Credentials } from '../aws-cli';
import { bootstrapTemplate, resolveTemplate } from '../cdk-bootstrap';

/** Whether the stand-in is logwarden's moto extension (it serves the set-up endpoints). */
export async function strictStandIns(endpoint: string): Promise<boolean> {
  const res = await fetch(`${endpoint}/logwarden-standins/health`).catch(() => undefined);
  return res?.status === 200;
}

/**
 * Adds an account under a chosen id to the organization (moto's CreateAccount draws one), with
 * the OrganizationAccountAccessRole Organizations creates in it.
 */
export async function addAccount(endpoint: string, management: string, accountId: string) {
  const res = await fetch(`${endpoint}/logwarden-standins/organization-account`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ managementAccount: management, accountId, email: `${accountId}@example.com` }),
  });
  if (res.status !== 200) throw new Error(`adding ${accountId} to the organization: ${await res.text()}`);
  await createOrganizationAccessRole(endpoint, accountId);
}

/** Takes the management account's one-time steps on the stand-in; returns what was done. */
type People = Pick<
  Organization,
  'config' | 'management' | 'logArchive' | 'securityTooling' | 'regions' | 'admin'
>;

/**
 * The organization, created by the management account's administrator with consolidated billing
 * only (all features is the first prerequisite), with the log-archive and security-tooling
 * accounts in it; returns its id, which the configuration names (logwarden.config.json
 * `organizationId`, read by every `aws:PrincipalOrgID` condition).
 */
export async function createOrganization(
  people: Pick<People, 'management' | 'admin'>,
  endpoint: string,
  accounts: readonly string[],
): Promise<string> {
  const credentials = await people.admin(people.management);
  const orgs = new OrganizationsClient({ region: 'us-east-1', credentials });
  const created = await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'CONSOLIDATED_BILLING' }));
  for (const account of accounts) await addAccount(endpoint, people.management, account);
  return created.Organization!.Id!;
}

/** Every prerequisite `skip` names, and every one that requires it (AWS refuses those without it). */
export function skippedWith(list: readonly Prerequisite[], skip: readonly string[]): Set<string> {
  const skipped = new Set(skip);
  for (const p of list) if (p.requires.some((r) => skipped.has(r))) skipped.add(p.id);
  return skipped;
}

/**
 * Takes every prerequisite of the list but those `skip` names (and those that require them), each
 * by its own fix commands, as the account it names; returns what was done, one line each.
 */
export async function establishPrerequisites(org: People, skip: readonly string[] = []): Promise<string[]> {
  const list = prerequisites(org.config);
  const skipped = skippedWith(list, skip);
  const done: string[] = [];
  for (const p of list) {
    if (skipped.has(p.id)) continue;
    const account = org.config.accounts[p.account];
    // Given by a step this run took (GuardDuty's designation creates the administrator's
    // detector): its fix would be refused (CreateDetector: one detector per account and Region).
    if (p.givenBy && !skipped.has(p.givenBy)) {
      done.push(`${p.id} (${account}): given by ${p.givenBy}`);
      continue;
    }
    const credentials = await org.admin(account);
    const vars = new Map<string, string>();
    for (const command of p.fix) {
      const bootstrap = /^npx cdk bootstrap aws:\/\/(\d{12})\/([a-z0-9-]+)$/.exec(command);
      if (bootstrap) await emulateCdkBootstrap(credentials, bootstrap[1], bootstrap[2]);
      else await runAwsCli(command, { credentials, region: org.config.homeRegion, vars });
    }
    done.push(`${p.id} (${account}): ${p.fix.filter((c) => !c.startsWith('#')).join(' && ')}`);
  }
  return done;
}

/**
 * `cdk bootstrap aws://<account>/<region>`, as far as `cdk deploy` and the preflight read it: the
 * bootstrap template's version parameter and deploy role (its name and trust), resolved from the
 * template the aws-cdk CLI ships, created with the account's credentials.
 */
async function emulateCdkBootstrap(credentials: Credentials, account: string, region: string) {
  const resources = resolveTemplate(bootstrapTemplate(), { account, region });
  const version = resources.CdkBootstrapVersion.Properties as { Name: string; Value: string };
  await new SSMClient({ region, credentials }).send(
    new PutParameterCommand({ Name: version.Name, Value: version.Value, Type: 'String' }),
  );
  const role = resources.DeploymentActionRole.Properties as {
    RoleName: string;
    AssumeRolePolicyDocument: object;
  };
  await new IAMClient({ region: 'us-east-1', credentials }).send(
    new CreateRoleCommand({
      RoleName: role.RoleName,
      AssumeRolePolicyDocument: JSON.stringify(role.AssumeRolePolicyDocument),
    }),
  );
}
