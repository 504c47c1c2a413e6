/**
 * Every one-time step a real organization takes before logwarden is deployed, as data, in one
 * place: what it is, why logwarden needs it, the AWS CLI commands that do it, the read-only
 * commands that show it, and what `logwarden preflight` checks (cli/preflight.ts). The deploy
 * guide's checklist is generated from this list (scripts/prerequisites-doc.ts, a test fails when
 * docs/deploying.md differs), and the local run establishes its emulated organization by running
 * these very fix commands on the stand-ins (local/scenario/prerequisites.ts), so the checklist,
 * the local world and the checks cannot drift apart.
 *
 * To add a prerequisite: add an entry to `prerequisites()` with a `check` kind; teach
 * cli/preflight.ts that kind (the type system insists), and the local run's command runner any
 * new AWS CLI command its fix uses.
 */
import { pipelineRegions } from './pipelines';
import { searchZoneCount, type LogwardenConfig } from './config';
import { isOptInRegion } from './regions';

export type AccountKey = 'management' | 'logArchive' | 'securityTooling';

/** How each account is named to a person. */
export const accountTitles: Record<AccountKey, string> = {
  management: 'management account',
  logArchive: 'log-archive account',
  securityTooling: 'security-tooling account',
};

/** A statement of an IAM-language policy, as the prerequisites write and check them. */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal: { AWS?: string | string[]; Service?: string | string[] };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** What `logwarden preflight` reads to tell whether a prerequisite is met. */
export type Check =
  /** DescribeOrganization: all features, and the configuration's organization and management account. */
  | { kind: 'all-features' }
  /** ListAWSServiceAccessForOrganization lists the service principal. */
  | { kind: 'trusted-access'; servicePrincipal: string }
  /**
   * ListDelegatedAdministrators for the service principal lists the security-tooling account;
   * with `serviceLinkedRole`, that role exists in the management account too (the service's own
   * registration creates it, Organizations' does not).
   */
  | { kind: 'delegated-admin'; servicePrincipal: string; serviceLinkedRole?: string }
  /** CloudFormation DescribeOrganizationsAccess answers ENABLED. */
  | { kind: 'stacksets-trusted-access' }
  /** GuardDuty ListOrganizationAdminAccounts in the region lists the security-tooling account, ENABLED. */
  | { kind: 'guardduty-admin'; region: string }
  /** GuardDuty ListDetectors / GetDetector of the security-tooling account in the region: one, enabled. */
  | { kind: 'guardduty-detector'; region: string }
  /** Organizations DescribeResourcePolicy holds a statement that allows what `statement` allows. */
  | { kind: 'organizations-resource-policy'; statement: PolicyStatement }
  /**
   * Account GetRegionOptStatus of the region, with the account's own credentials and no AccountId
   * (it "defaults to the Amazon Web Services account of the identity used to call the operation";
   * "The management account can't specify its own AccountId"): ENABLED or ENABLED_BY_DEFAULT.
   */
  | { kind: 'region-enabled'; region: string }
  /** Organizations ListRoots: the root's PolicyTypes hold `policyType` with Status ENABLED. */
  | { kind: 'policy-type-enabled'; policyType: 'SERVICE_CONTROL_POLICY' }
  /** IAM GetRole in the log-archive account: the role exists and trusts `trustedService`. */
  | { kind: 'break-glass-role'; roleName: string; trustedService: string }
  /**
   * The CDK bootstrap of the account and region: its version parameter (what `cdk deploy`
   * reads) at `minVersion` or later, and its deploy role trusting the account itself.
   */
  | { kind: 'cdk-bootstrap'; region: string; minVersion: number }
  /**
   * EC2 DescribeAvailabilityZones in the region, with the account's credentials: at least `count`
   * Availability Zones available to it, `zones` (the configured ones) among them.
   */
  | { kind: 'availability-zones'; region: string; count: number; zones: string[] };

export interface Prerequisite {
  /** Stable and unique: names it in preflight's output and in tests. */
  id: string;
  /** What it is. */
  title: string;
  /** Why logwarden needs it. */
  why: string;
  /** The account whose credentials take the step and answer the check. */
  account: AccountKey;
  /** The AWS CLI commands that take the step, in order. */
  fix: string[];
  /** Read-only AWS CLI commands that show it was taken. */
  verify: string[];
  /** Steps AWS refuses this one without (`id`s); the list is in an order that respects them. */
  requires: string[];
  /**
   * An earlier step (`id`) whose taking gives this one as well: `fix` is then taken only when
   * `verify` shows it missing (it was undone since, or that step was taken before this list).
   */
  givenBy?: string;
  check: Check;
}

/** The CDK bootstrap qualifier the stacks use (aws-cdk-lib DefaultStackSynthesizer's default). */
export const cdkQualifier = 'hnb659fds';

/**
 * The bootstrap version the synthesized stacks require (their `requiresBootstrapStackVersion`,
 * checked by a test): `cdk deploy` refuses an environment whose version parameter is older.
 */
export const cdkBootstrapMinVersion = 6;

export const cdkBootstrapVersionParameter = `/cdk-bootstrap/${cdkQualifier}/version`;

export function cdkDeployRoleName(account: string, region: string): string {
  return `cdk-${cdkQualifier}-deploy-role-${account}-${region}`;
}

/** The role CloudTrail's own delegated-administrator registration creates in the management account. */
export const cloudTrailServiceLinkedRole = 'AWSServiceRoleForCloudTrail';

export const servicePrincipals = {
  account: 'account.amazonaws.com',
  cloudTrail: 'cloudtrail.amazonaws.com',
  stackSets: 'member.org.stacksets.cloudformation.amazonaws.com',
} as const;

/**
 * Whether the management account forwards calls on the organization trail from the home Region
 * (events/patterns.ts managementRegion 'home'): not with trail.mode account, where logwarden keeps
 * no organization trail. With a home Region other than us-east-1 that is its own stack,
 * `LogwardenManagementForwarder-<homeRegion>` (stacks/logwarden-app.ts).
 */
export const forwardsTrailChangesFromHome = (config: LogwardenConfig): boolean =>
  config.trail.mode !== 'account';

/**
 * Where logwarden's stacks are deployed: each account and region `cdk bootstrap` must prepare
 * ("Before you deploy a CDK stack into an AWS environment, the environment must first be
 * bootstrapped", CDK Developer Guide, "Bootstrapping"). test/stacks/deployment-environments.test.ts
 * builds the app for each trail mode and home Region and compares its stacks with this list.
 */
export function deploymentEnvironments(config: LogwardenConfig): { account: AccountKey; region: string }[] {
  const envs: { account: AccountKey; region: string }[] = [];
  const add = (account: AccountKey, region: string) => {
    if (!envs.some((e) => e.account === account && e.region === region)) envs.push({ account, region });
  };
  // LogwardenCentral in the home region, LogwardenDestination-<region> in each governed region.
  add('logArchive', config.homeRegion);
  for (const region of config.governedRegions) add('logArchive', region);
  // LogwardenArchiveReplica (archive.replica), when it is in the log-archive account; in another
  // account its bootstrap is that account's (docs/deploying.md).
  const replica = config.archive.replica;
  if (replica?.account === config.accounts.logArchive) add('logArchive', replica.region);
  // LogwardenControlPlane.
  add('securityTooling', config.homeRegion);
  // LogwardenManagementForwarder: Organizations' events are delivered in us-east-1.
  add('management', 'us-east-1');
  // LogwardenManagementForwarder-<homeRegion>: the organization trail's changes, in its Region.
  if (forwardsTrailChangesFromHome(config)) add('management', config.homeRegion);
  // LogwardenManagementTrailSubscription (trail.mode external): an existing organization trail's
  // group in the management account, in its own region.
  const group = config.trail.mode === 'external' ? config.trail.cloudWatchLogsGroupArn : undefined;
  const [, , , groupRegion, groupAccount] = group?.split(':') ?? [];
  if (group && groupAccount === config.accounts.management) add('management', groupRegion);
  return envs;
}

/**
 * The Regions each logwarden account works in: every governed Region (the management account is
 * governed like any member; the log-archive account holds a destination in each, the
 * security-tooling account the GuardDuty administrator's detector) and where its stacks are
 * deployed (deploymentEnvironments).
 */
export function accountRegions(config: LogwardenConfig): Record<AccountKey, string[]> {
  const regions: Record<AccountKey, string[]> = {
    management: [...config.governedRegions],
    logArchive: [...config.governedRegions],
    securityTooling: [...config.governedRegions],
  };
  for (const env of deploymentEnvironments(config))
    if (!regions[env.account].includes(env.region)) regions[env.account].push(env.region);
  return regions;
}

export interface PrerequisiteOptions {
  /** Which Regions are opt-in (contracts/regions.ts); the deploy guide's placeholders choose their own. */
  isOptIn?: (region: string) => boolean;
}

const regionEnabledId = (config: LogwardenConfig, account: AccountKey, region: string) =>
  `region-enabled-${config.accounts[account]}-${region}`;

/**
 * The opt-in Regions each logwarden account must have enabled: "Regions introduced after March 20,
 * 2019 are disabled by default" and are enabled account by account (AWS Account Management
 * Reference Guide, "Enable or disable AWS Regions in your account"). Each account enables and
 * checks its own (EnableRegion and GetRegionOptStatus without AccountId: "If you don't specify
 * this parameter, it defaults to the Amazon Web Services account of the identity used to call the
 * operation"; "The management account can't specify its own AccountId").
 */
export function regionOptInPrerequisites(
  config: LogwardenConfig,
  options: PrerequisiteOptions = {},
): Prerequisite[] {
  const isOptIn = options.isOptIn ?? isOptInRegion;
  const regions = accountRegions(config);
  return (Object.keys(regions) as AccountKey[]).flatMap((account) =>
    regions[account].filter(isOptIn).map((region): Prerequisite => ({
      id: regionEnabledId(config, account, region),
      title: `The ${accountTitles[account]} ${config.accounts[account]} has the opt-in Region ${region} enabled`,
      why: `Only for an opt-in Region (introduced after March 20, 2019; contracts/regions.ts lists them): ${region} is disabled in every account until that account enables it; the ${accountTitles[account]} works there (its stacks, or the controls of a governed Region), and AWS refuses its credentials at ${region}'s endpoints until then. Enabling takes minutes to hours (ENABLING).`,
      account,
      fix: [`aws account enable-region --region-name ${region}`],
      verify: [`aws account get-region-opt-status --region-name ${region}`],
      requires: [],
      check: { kind: 'region-enabled', region },
    })),
  );
}

const json = (value: unknown) => `'${JSON.stringify(value)}'`;

/** The statement the silent-accounts checker needs in the organization's resource policy. */
export function silentAccountsStatement(config: LogwardenConfig): PolicyStatement {
  return {
    Sid: 'LogwardenSilentAccounts',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${config.accounts.logArchive}:root` },
    Action: 'organizations:ListAccounts',
    Resource: '*',
  };
}

/** The trust of the break-glass role: people of the log-archive account with MFA, and CloudFormation. */
export function breakGlassTrustPolicy(config: LogwardenConfig) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${config.accounts.logArchive}:root` },
        Action: 'sts:AssumeRole',
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
      },
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudformation.amazonaws.com' },
        Action: 'sts:AssumeRole',
      },
    ],
  };
}

/** Every prerequisite of a deployment of `config`, in an order that respects `requires`. */
export function prerequisites(config: LogwardenConfig, options: PrerequisiteOptions = {}): Prerequisite[] {
  const { logArchive, securityTooling } = config.accounts;
  // The opt-in Regions first: every step taken in one of them needs it (`inRegion`).
  const list: Prerequisite[] = regionOptInPrerequisites(config, options);
  const inRegion = (account: AccountKey, region: string) =>
    list.some((p) => p.id === regionEnabledId(config, account, region))
      ? [regionEnabledId(config, account, region)]
      : [];
  const organization = 'all-features';

  list.push({
    id: organization,
    title: `The organization ${config.organizationId} has all features`,
    why: 'Trusted access, delegated administrators, resource policies and SCPs exist only in an organization with all features; the configuration names this organization and its management account.',
    account: 'management',
    fix: [
      'h=$(aws organizations enable-all-features --query Handshake.Id --output text)',
      '# once every invited account has approved (accounts the organization created need not):',
      'aws organizations accept-handshake --handshake-id "$h"',
    ],
    verify: ['aws organizations describe-organization'],
    requires: [],
    check: { kind: 'all-features' },
  });

  const trusted = (key: string, principal: string, title: string, why: string) =>
    list.push({
      id: `trusted-access-${key}`,
      title,
      why,
      account: 'management',
      fix: [`aws organizations enable-aws-service-access --service-principal ${principal}`],
      verify: ['aws organizations list-aws-service-access-for-organization'],
      requires: [organization],
      check: { kind: 'trusted-access', servicePrincipal: principal },
    });
  const delegated = (key: string, principal: string, fix: string, title: string, why: string, slr?: string) =>
    list.push({
      id: `delegated-admin-${key}`,
      title,
      why,
      account: 'management',
      fix: [fix],
      verify: [
        `aws organizations list-delegated-administrators --service-principal ${principal}`,
        ...(slr ? [`aws iam get-role --role-name ${slr}`] : []),
      ],
      requires: [organization, `trusted-access-${key}`],
      check: {
        kind: 'delegated-admin',
        servicePrincipal: principal,
        ...(slr ? { serviceLinkedRole: slr } : {}),
      },
    });

  trusted(
    'account',
    servicePrincipals.account,
    'Trusted access for the Account Management service',
    'The controls list the Regions of each member account (account:ListRegions with an AccountId), which the Account API answers only with trusted access.',
  );
  delegated(
    'account',
    servicePrincipals.account,
    `aws organizations register-delegated-administrator --account-id ${securityTooling} --service-principal ${servicePrincipals.account}`,
    `The security-tooling account ${securityTooling} is delegated administrator for the Account Management service`,
    "ListRegions with another account's AccountId is answered only to the management account or a delegated administrator: without it every sweep and new-account run covers nothing.",
  );
  trusted(
    'cloudtrail',
    servicePrincipals.cloudTrail,
    'Trusted access for CloudTrail',
    'The organization trail is created and repaired from the security-tooling account; CloudTrail registers a delegated administrator only with trusted access (CloudTrailAccessNotEnabledException).',
  );
  delegated(
    'cloudtrail',
    servicePrincipals.cloudTrail,
    `aws cloudtrail register-organization-delegated-admin --member-account-id ${securityTooling}`,
    `The security-tooling account ${securityTooling} is CloudTrail's delegated administrator, registered through CloudTrail`,
    'The trail control manages the organization trail as its delegated administrator. Registered through the Organizations API instead, CloudTrail creates no service-linked role and the organization trail cannot be managed from security-tooling.',
    cloudTrailServiceLinkedRole,
  );
  list.push({
    id: 'trusted-access-stacksets',
    title: 'Trusted access for CloudFormation StackSets',
    why: 'The member baseline (the roles the controls assume, the forwarding rules) is a service-managed StackSet: it reaches every account only with StackSets trusted access.',
    account: 'management',
    fix: ['aws cloudformation activate-organizations-access'],
    verify: ['aws cloudformation describe-organizations-access'],
    requires: [organization],
    check: { kind: 'stacksets-trusted-access' },
  });
  delegated(
    'stacksets',
    servicePrincipals.stackSets,
    `aws organizations register-delegated-administrator --account-id ${securityTooling} --service-principal ${servicePrincipals.stackSets}`,
    `The security-tooling account ${securityTooling} is delegated administrator for StackSets`,
    'LogwardenControlPlane, in the security-tooling account, owns the service-managed member baseline StackSet.',
  );

  for (const region of config.governedRegions) {
    list.push({
      id: `guardduty-admin-${region}`,
      title: `The security-tooling account ${securityTooling} is GuardDuty's delegated administrator in ${region}`,
      why: `The GuardDuty control enrolls every account of ${region} as a member of the security-tooling account's detector, which only the delegated administrator may do; the delegation is per Region and only the management account can make it (it also enables GuardDuty's trusted access).`,
      account: 'management',
      fix: [
        `aws guardduty enable-organization-admin-account --admin-account-id ${securityTooling} --region ${region}`,
      ],
      verify: [`aws guardduty list-organization-admin-accounts --region ${region}`],
      requires: [...inRegion('management', region), organization],
      check: { kind: 'guardduty-admin', region },
    });
  }
  for (const region of config.governedRegions) {
    list.push({
      id: `guardduty-detector-${region}`,
      title: `The security-tooling account ${securityTooling} has a GuardDuty detector in ${region}`,
      // "It also enables GuardDuty for the delegated GuardDuty administrator account ... in the
      // current Region" (GuardDuty User Guide, "Permissions required to designate a delegated
      // GuardDuty administrator account"); "You can have only one detector per account per
      // Region" (CreateDetector): after the designation, create-detector is refused.
      why: `The delegated administrator manages the organization's members through its own detector; without one the GuardDuty control fails in ${region}. Designating the delegated administrator in ${region} creates and enables it, and GuardDuty allows one detector per account and Region, so create-detector is refused once it exists.`,
      account: 'securityTooling',
      fix: [
        `# only when list-detectors lists none in ${region} (the designation creates it; a second is refused):`,
        `aws guardduty create-detector --enable --region ${region}`,
      ],
      verify: [`aws guardduty list-detectors --region ${region}`],
      requires: inRegion('securityTooling', region),
      givenBy: `guardduty-admin-${region}`,
      check: { kind: 'guardduty-detector', region },
    });
  }

  const statement = silentAccountsStatement(config);
  list.push({
    id: 'silent-accounts-policy',
    title: `The organization's resource policy lets the log-archive account ${logArchive} list the accounts`,
    why: 'The silent-accounts checker in the log-archive account lists the organization’s accounts (organizations:ListAccounts) to see which stopped sending; the management account delegates exactly that read.',
    account: 'management',
    fix: [
      `aws organizations put-resource-policy --content ${json({ Version: '2012-10-17', Statement: [statement] })}`,
    ],
    verify: ['aws organizations describe-resource-policy'],
    requires: [organization],
    check: { kind: 'organizations-resource-policy', statement },
  });

  list.push(scpPolicyTypePrerequisite(organization));

  const roleName = config.breakGlassRoleArn.split('/').pop() as string;
  list.push({
    id: 'break-glass-role',
    title: `The break-glass role ${roleName} in the log-archive account ${logArchive}`,
    why: "It alone may delete, disable or re-write the archive key and change the archive bucket's Object Lock, lifecycle or policy; it is the OpenSearch master user, and CloudFormation acts as it to deploy a change to the archive's protections.",
    account: 'logArchive',
    fix: [
      `aws iam create-role --role-name ${roleName} --assume-role-policy-document ${json(breakGlassTrustPolicy(config))}`,
      `aws iam attach-role-policy --role-name ${roleName} --policy-arn arn:aws:iam::aws:policy/AdministratorAccess`,
    ],
    verify: [`aws iam get-role --role-name ${roleName}`],
    requires: [],
    check: { kind: 'break-glass-role', roleName, trustedService: 'cloudformation.amazonaws.com' },
  });

  for (const env of deploymentEnvironments(config)) {
    const account = config.accounts[env.account];
    list.push({
      id: `cdk-bootstrap-${account}-${env.region}`,
      title: `CDK bootstrap of the ${accountTitles[env.account]} ${account} in ${env.region}`,
      why: `cdk deploy puts logwarden's stacks there through the bootstrap's roles and asset bucket; each account deploys with its own credentials, so the bootstrap trusts only its own account (no --trust).${
        env.account === 'management' && env.region === config.homeRegion && env.region !== 'us-east-1'
          ? ` Here: LogwardenManagementForwarder-${config.homeRegion}, which forwards the organization trail's changes from its Region (not with trail.mode account, and the us-east-1 stack does it when the home Region is us-east-1).`
          : ''
      }`,
      account: env.account,
      fix: [`npx cdk bootstrap aws://${account}/${env.region}`],
      verify: [
        `aws ssm get-parameter --name ${cdkBootstrapVersionParameter} --region ${env.region}`,
        `aws iam get-role --role-name ${cdkDeployRoleName(account, env.region)}`,
      ],
      requires: inRegion(env.account, env.region),
      check: { kind: 'cdk-bootstrap', region: env.region, minVersion: cdkBootstrapMinVersion },
    });
  }
  // Unused ids would hide a typo in `requires`.
  const ids = new Set(list.map((p) => p.id));
  for (const p of list) {
    for (const r of p.requires) if (!ids.has(r)) throw new Error(`${p.id} requires unknown ${r}`);
    const given = p.givenBy === undefined ? -1 : list.findIndex((q) => q.id === p.givenBy);
    if (p.givenBy !== undefined && !(given >= 0 && given < list.indexOf(p)))
      throw new Error(`${p.id} is given by ${p.givenBy}, which is not an earlier step`);
  }
  return list;
}

/**
 * Service control policies enabled in the organization's root, for the archive guard SCP
 * (contracts/archive-guard-scp.ts, docs/deploying.md step 4): "Before you can create and attach a
 * policy to your organization, you must enable that policy type" (Organizations User Guide,
 * "Enabling a policy type"). An organization has one root; EnablePolicyType refuses a type that is
 * already enabled (PolicyTypeAlreadyEnabledException), hence the condition.
 */
export function scpPolicyTypePrerequisite(organization = 'all-features'): Prerequisite {
  return {
    id: 'scp-policy-type',
    title: 'Service control policies are enabled in the organization root',
    why: 'The archive guard SCP (after the first deployment, below) keeps even the log-archive account’s root user from changing the archive’s protections; Organizations creates and attaches a policy only of a type enabled in the root, and SCPs exist only with all features.',
    account: 'management',
    fix: [
      '# only when list-roots does not show SERVICE_CONTROL_POLICY ENABLED in the root’s PolicyTypes (an enabled type is refused):',
      "root=$(aws organizations list-roots --query 'Roots[0].Id' --output text)",
      'aws organizations enable-policy-type --root-id "$root" --policy-type SERVICE_CONTROL_POLICY',
    ],
    verify: ['aws organizations list-roots'],
    requires: [organization],
    check: { kind: 'policy-type-enabled', policyType: 'SERVICE_CONTROL_POLICY' },
  };
}

/**
 * What the deployment needs of an account that no one-time step gives it, checked by `logwarden
 * preflight` after the prerequisites: a fix is a change to the configuration, never a command
 * that creates something (so the local run, which takes the prerequisites, has none to take).
 */
export function environmentChecks(config: LogwardenConfig): Prerequisite[] {
  // A search domain in each pipeline region (pipeline.regional: one per region or group).
  const enabled = new Set(regionOptInPrerequisites(config).map((p) => p.id));
  return pipelineRegions(config).map((region) => {
    const check = zonesCheck(config, region);
    const needs = regionEnabledId(config, 'logArchive', region);
    return enabled.has(needs) ? { ...check, requires: [needs] } : check;
  });
}

function zonesCheck(config: LogwardenConfig, region: string): Prerequisite {
  const { logArchive } = config.accounts;
  const home = region === config.homeRegion;
  const count = searchZoneCount(config.openSearch);
  const zones =
    (home ? config.openSearch.availabilityZones : config.pipeline.availabilityZones?.[region]) ?? [];
  const field = home ? 'openSearch.availabilityZones' : `pipeline.availabilityZones.${region}`;
  const list = `aws ec2 describe-availability-zones --region ${region} --query "AvailabilityZones[?ZoneType=='availability-zone'].ZoneName"`;
  return {
    id: `availability-zones-${region}`,
    title: `The log-archive account ${logArchive} has ${count} Availability Zone${count > 1 ? 's' : ''} in ${region}${zones.length ? ` (${zones.join(', ')})` : ''}`,
    why: `The search domain's VPC spans ${count} zone${count > 1 ? 's' : ''} of ${home ? 'the home region' : `the pipeline region ${region}`} (openSearch.zoneAwareness); zone names are the account's own ("AWS maps the physical Availability Zones randomly to the Availability Zone names for each AWS account", AWS RAM User Guide, "Availability Zone IDs"), so the configured ones must be available to the log-archive account.`,
    account: 'logArchive',
    fix: [
      `# set ${field} to ${count} of the zones this lists (or openSearch.zoneAwareness to false for one):`,
      `# ${list}`,
    ],
    verify: [list],
    requires: [],
    check: { kind: 'availability-zones', region, count, zones },
  };
}
