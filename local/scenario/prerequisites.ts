/**
 * The one-time steps a real deployment takes in the management account (README, deploying),
 * taken on the stand-in when it emulates Organizations strictly (logwarden's moto extension,
 * local/standins, answers `/logwarden-standins/health`): the organization with all features,
 * its accounts under the ids the config names, trusted access and the security-tooling account
 * as delegated administrator for the Account API, CloudTrail and StackSets, and as GuardDuty's
 * administrator in every governed region. Each step says where it happened.
 */
import {
  CreateOrganizationCommand,
  EnableAWSServiceAccessCommand,
  OrganizationsClient,
  RegisterDelegatedAdministratorCommand,
} from '@aws-sdk/client-organizations';
import { EnableOrganizationAdminAccountCommand, GuardDutyClient } from '@aws-sdk/client-guardduty';
import type { Organization } from './organization';

const services = [
  'account.amazonaws.com',
  'cloudtrail.amazonaws.com',
  'member.org.stacksets.cloudformation.amazonaws.com',
  'guardduty.amazonaws.com',
] as const;

/** Whether the stand-in is logwarden's moto extension (it serves the set-up endpoints). */
export async function strictStandIns(endpoint: string): Promise<boolean> {
  const res = await fetch(`${endpoint}/logwarden-standins/health`).catch(() => undefined);
  return res?.status === 200;
}

/** Adds an account under a chosen id to the organization (moto's CreateAccount draws one). */
export async function addAccount(endpoint: string, management: string, accountId: string) {
  const res = await fetch(`${endpoint}/logwarden-standins/organization-account`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ managementAccount: management, accountId, email: `${accountId}@example.com` }),
  });
  if (res.status !== 200) throw new Error(`adding ${accountId} to the organization: ${await res.text()}`);
}

/** Takes the management account's one-time steps on the stand-in; returns what was done. */
export async function establishPrerequisites(org: Organization, endpoint: string): Promise<string[]> {
  const credentials = await org.admin(org.management);
  const orgs = new OrganizationsClient({ region: 'us-east-1', credentials });
  await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  for (const account of [org.logArchive, org.securityTooling])
    await addAccount(endpoint, org.management, account);
  const done = [`organization with all features, management ${org.management}`];
  for (const service of services) {
    await orgs.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: service }));
    if (service !== 'guardduty.amazonaws.com')
      await orgs.send(
        new RegisterDelegatedAdministratorCommand({
          AccountId: org.securityTooling,
          ServicePrincipal: service,
        }),
      );
    done.push(
      `trusted access for ${service}${service === 'guardduty.amazonaws.com' ? '' : `, ${org.securityTooling} delegated administrator`}`,
    );
  }
  for (const region of org.regions)
    await new GuardDutyClient({ region, credentials }).send(
      new EnableOrganizationAdminAccountCommand({ AdminAccountId: org.securityTooling }),
    );
  done.push(`GuardDuty administrator ${org.securityTooling} in ${org.regions.join(', ')}`);
  return done;
}
