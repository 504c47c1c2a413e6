/**
 * The one-time steps a real deployment takes in the management account (docs/deploying.md),
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
import {
  CloudWatchLogsClient,
  PutDestinationCommand,
  PutDestinationPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { createClient } from '../../functions/shared/clients';
import { destinationAccessPolicy } from '../../contracts/destination-policy';
import { centralStreamArn, destinationArn, destinationRoleName, names } from '../../contracts/names';
import type { Organization } from './organization';
import { ensureCentralStream } from '../emulated-central';
import { createOrganizationAccessRole } from '../emulated-org';

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
 * The organization with all features, created by the management account's administrator, with
 * the log-archive and security-tooling accounts in it; returns its id, which the configuration
 * names (logwarden.config.json `organizationId`, read by every `aws:PrincipalOrgID` condition).
 */
export async function createOrganization(
  people: Pick<People, 'management' | 'admin'>,
  endpoint: string,
  accounts: readonly string[],
): Promise<string> {
  const credentials = await people.admin(people.management);
  const orgs = new OrganizationsClient({ region: 'us-east-1', credentials });
  const created = await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  for (const account of accounts) await addAccount(endpoint, people.management, account);
  return created.Organization!.Id!;
}

export async function establishPrerequisites(org: People): Promise<string[]> {
  const credentials = await org.admin(org.management);
  const orgs = new OrganizationsClient({ region: 'us-east-1', credentials });
  const done = [
    `organization ${org.config.organizationId} with all features, management ${org.management}, accounts ${org.logArchive}, ${org.securityTooling}`,
  ];
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
  await deployDestinations(org, org.config.organizationId);
  done.push(
    `log-archive destinations ${names.logsDestination} in ${org.regions.join(', ')}, into ${org.config.homeRegion}'s stream ${names.centralStream}`,
  );
  return done;
}

/**
 * What LogwardenDestination-<region> deploys in the log-archive account: each governed region's
 * destination, into the home region's one central stream (`ensureCentralStream`: created by
 * whichever set-up runs first), with the destination stack's organization-only access policy
 * (`destinationAccessPolicy`), so the subscription control's account policies have a destination.
 */
async function deployDestinations(org: People, organizationId: string) {
  const credentials = await org.admin(org.logArchive);
  const home = org.config.homeRegion;
  const kinesis = createClient(KinesisClient, {
    region: home,
    http1: true,
    credentials: async () => credentials,
  });
  await ensureCentralStream(kinesis);
  for (const region of org.regions) {
    const logs = new CloudWatchLogsClient({ region, credentials });
    await logs.send(
      new PutDestinationCommand({
        destinationName: names.logsDestination,
        targetArn: centralStreamArn(home, org.logArchive),
        roleArn: `arn:aws:iam::${org.logArchive}:role/${destinationRoleName(region)}`,
      }),
    );
    await logs.send(
      new PutDestinationPolicyCommand({
        destinationName: names.logsDestination,
        accessPolicy: JSON.stringify(
          destinationAccessPolicy(destinationArn(region, org.logArchive), organizationId),
        ),
      }),
    );
  }
}
