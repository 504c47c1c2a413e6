/**
 * `logwarden preflight`: every prerequisite of contracts/prerequisites.ts checked with read-only
 * calls, each reported met, missing (with the commands that fix it) or unknown (with why it
 * could not be checked). docs/operating.md documents the output, the options and the exit codes.
 */
import { AccountClient, GetRegionOptStatusCommand } from '@aws-sdk/client-account';
import { CloudFormationClient, DescribeOrganizationsAccessCommand } from '@aws-sdk/client-cloudformation';
import {
  GetDetectorCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  paginateListOrganizationAdminAccounts,
} from '@aws-sdk/client-guardduty';
import { DescribeAvailabilityZonesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  DescribeOrganizationCommand,
  DescribeResourcePolicyCommand,
  OrganizationsClient,
  paginateListAWSServiceAccessForOrganization,
  paginateListDelegatedAdministrators,
  paginateListRoots,
} from '@aws-sdk/client-organizations';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { LogwardenConfig } from '../contracts/config';
import { isOptInRegion } from '../contracts/regions';
import {
  accountTitles,
  cdkBootstrapVersionParameter,
  cdkDeployRoleName,
  environmentChecks,
  prerequisites,
  type AccountKey,
  type Check,
  type PolicyStatement,
  type Prerequisite,
} from '../contracts/prerequisites';
import { recordCallSites, timeoutOptions, type CliTimeouts } from './clients';
import { exitCode, explain } from './errors';

export type Status = 'met' | 'missing' | 'unknown';

export interface Finding {
  id: string;
  title: string;
  status: Status;
  /** What was found (missing), or why it could not be checked (unknown). */
  detail: string;
  account: AccountKey;
  accountId: string;
  /** The commands that fix it (missing only). */
  fix: string[];
  /** Why logwarden needs it. */
  why: string;
}

/** What a check reads, in one account: region-bound services are made per region. */
export interface AccountClients {
  /** The Account Management API, global (its endpoint is in us-east-1). */
  account: AccountClient;
  orgs: OrganizationsClient;
  iam: IAMClient;
  cloudFormation: CloudFormationClient;
  guardDuty: (region: string) => GuardDutyClient;
  ssm: (region: string) => SSMClient;
  ec2: (region: string) => EC2Client;
}

/** How preflight reaches one account: its clients and how their credentials were found, or why it cannot. */
export type AccountAccess = { clients: AccountClients; how: string } | { unavailable: string };

export type PreflightAccess = Record<AccountKey, AccountAccess>;

export interface PreflightOptions {
  managementProfile?: string;
  logArchiveProfile?: string;
  securityToolingProfile?: string;
  assumeRole?: string;
}

const optionOf: Record<AccountKey, string> = {
  management: '--management-profile',
  logArchive: '--log-archive-profile',
  securityTooling: '--security-tooling-profile',
};

/** The account of a credential provider (undefined: the SDK's default chain), or the error why not. */
export type WhoAmI = (credentials: AwsCredentialIdentityProvider | undefined) => Promise<string>;

function clientsWith(
  credentials: AwsCredentialIdentityProvider | undefined,
  config: LogwardenConfig,
  timeouts: CliTimeouts,
): AccountClients {
  const common = () => ({ ...timeoutOptions(timeouts), ...(credentials ? { credentials } : {}) });
  return {
    // Organizations, IAM and Account Management are global: their endpoints are in us-east-1.
    account: recordCallSites(new AccountClient({ region: 'us-east-1', ...common() })),
    orgs: recordCallSites(new OrganizationsClient({ region: 'us-east-1', ...common() })),
    iam: recordCallSites(new IAMClient({ region: 'us-east-1', ...common() })),
    cloudFormation: recordCallSites(new CloudFormationClient({ region: config.homeRegion, ...common() })),
    guardDuty: (region) => recordCallSites(new GuardDutyClient({ region, ...common() })),
    ssm: (region) => recordCallSites(new SSMClient({ region, ...common() })),
    ec2: (region) => recordCallSites(new EC2Client({ region, ...common() })),
  };
}

/**
 * Credentials for each account: a named profile when given; else, with --assume-role, that role
 * of the account assumed from the management account's credentials; else the default
 * credentials when they are that account's. Every set is checked with STS GetCallerIdentity,
 * so credentials of the wrong account are never used to decide anything.
 */
export async function resolveAccess(
  config: LogwardenConfig,
  options: PreflightOptions,
  timeouts: CliTimeouts,
  whoAmI: WhoAmI = defaultWhoAmI(timeouts),
): Promise<PreflightAccess> {
  const describe = async (
    key: AccountKey,
    credentials: AwsCredentialIdentityProvider | undefined,
    how: string,
  ): Promise<AccountAccess> => {
    const expected = config.accounts[key];
    let actual: string;
    try {
      actual = await whoAmI(credentials);
    } catch (err) {
      return { unavailable: `${how}: ${reason(err)}` };
    }
    if (actual !== expected)
      return { unavailable: `${how} are for account ${actual}, not the ${accountTitles[key]} ${expected}` };
    return { clients: clientsWith(credentials, config, timeouts), how };
  };
  const profileOf: Record<AccountKey, string | undefined> = {
    management: options.managementProfile,
    logArchive: options.logArchiveProfile,
    securityTooling: options.securityToolingProfile,
  };
  const managementCredentials = options.managementProfile
    ? fromIni({ profile: options.managementProfile })
    : undefined;
  const management = await describe(
    'management',
    managementCredentials,
    options.managementProfile ? `profile ${options.managementProfile}` : 'the default credentials',
  );
  const other = async (key: AccountKey): Promise<AccountAccess> => {
    const profile = profileOf[key];
    if (profile) return describe(key, fromIni({ profile }), `profile ${profile}`);
    const account = config.accounts[key];
    if (options.assumeRole) {
      if ('unavailable' in management)
        return {
          unavailable: `--assume-role needs the management account's credentials (${management.unavailable})`,
        };
      const roleArn = `arn:aws:iam::${account}:role/${options.assumeRole}`;
      const assumed = fromTemporaryCredentials({
        params: { RoleArn: roleArn, RoleSessionName: 'logwarden-preflight' },
        ...(managementCredentials ? { masterCredentials: managementCredentials } : {}),
        clientConfig: { region: config.homeRegion },
      });
      return describe(key, assumed, `role ${options.assumeRole} assumed from the management account`);
    }
    const viaDefault = await describe(key, undefined, 'the default credentials');
    return 'unavailable' in viaDefault
      ? {
          unavailable: `no credentials for the ${accountTitles[key]} ${account}: give ${optionOf[key]} or --assume-role (${viaDefault.unavailable})`,
        }
      : viaDefault;
  };
  return {
    management,
    logArchive: await other('logArchive'),
    securityTooling: await other('securityTooling'),
  };
}

function defaultWhoAmI(timeouts: CliTimeouts): WhoAmI {
  return async (credentials) => {
    const sts = recordCallSites(
      new STSClient({
        region: 'us-east-1',
        ...timeoutOptions(timeouts),
        ...(credentials ? { credentials } : {}),
      }),
    );
    const me = await sts.send(new GetCallerIdentityCommand({}));
    return me.Account as string;
  };
}

/** One line for an error that kept a check from answering. */
function reason(err: unknown): string {
  const explained = explain(err, { account: '?', region: '?' });
  const e = err as Error;
  const what = `${e?.name ?? 'Error'}: ${(e?.message ?? String(err)).replace(/\s+/g, ' ').slice(0, 200)}`;
  switch (explained.kind) {
    case 'accessDenied':
      return `access denied (${what})`;
    case 'credentials':
      return `no usable credentials (${what})`;
    case 'unreachable':
      return explained.line;
    default:
      return what;
  }
}

/**
 * Why credentials that work elsewhere are refused in a Region: an opt-in Region not enabled in
 * the account ("Regions introduced after March 20, 2019 are disabled by default", AWS Account
 * Management Reference Guide), whose endpoints refuse its credentials as invalid.
 */
function optInHint(check: Check, err: unknown): string {
  const region = 'region' in check ? check.region : undefined;
  if (!region || !isOptInRegion(region) || explain(err, { account: '?', region }).kind !== 'credentials')
    return '';
  return `; ${region} is an opt-in Region: if it is not enabled in this account, its endpoints refuse the account's credentials (aws account get-region-opt-status --region-name ${region})`;
}

const errorName = (err: unknown) => (err as Error)?.name;

/** What a check found; `fix` replaces the prerequisite's commands when the state needs others. */
interface Answer {
  met: boolean;
  detail: string;
  fix?: string[];
}

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** IAM's wildcard match: `*` any run of characters, `?` one. */
const wildcard = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  ).test(value);

/** An account principal: its id, or its root ARN (IAM's two spellings of "the account"). */
const isAccountPrincipal = (principal: string, account: string) =>
  principal === account || principal === `arn:aws:iam::${account}:root`;

/** Whether `policy` has an Allow statement that grants what `wanted` grants (no conditions). */
export function policyAllows(
  policy: { Statement?: PolicyStatement | PolicyStatement[] },
  wanted: PolicyStatement,
) {
  const [account] = asList(wanted.Principal.AWS).map((p) => p.split(':')[4] ?? p);
  return asList(policy.Statement).some(
    (s) =>
      s.Effect === 'Allow' &&
      !s.Condition &&
      asList(s.Principal?.AWS).some((p) => p === '*' || isAccountPrincipal(p, account)) &&
      asList(wanted.Action).every((a) => asList(s.Action).some((p) => wildcard(p, a))) &&
      asList(s.Resource ?? '*').includes('*'),
  );
}

/** Whether a trust policy lets `principal` (a service, or an account) assume the role. */
function trusts(document: string | undefined, principal: { service?: string; account?: string }) {
  if (!document) return false;
  // IAM returns the trust policy URL-encoded (IAM API Reference, Role: "AssumeRolePolicyDocument
  // ... URL-encoded compliant with RFC 3986").
  const policy = JSON.parse(decodeURIComponent(document)) as {
    Statement: PolicyStatement | PolicyStatement[];
  };
  return asList(policy.Statement).some(
    (s) =>
      s.Effect === 'Allow' &&
      asList(s.Action).some((a) => wildcard(a, 'sts:AssumeRole')) &&
      (principal.service
        ? asList(s.Principal?.Service).includes(principal.service)
        : asList(s.Principal?.AWS).some((p) => isAccountPrincipal(p, principal.account as string))),
  );
}

/** Reads shared by several checks, made once per run. */
class Reads {
  private cache = new Map<string, Promise<unknown>>();
  once<T>(key: string, read: () => Promise<T>): Promise<T> {
    if (!this.cache.has(key)) this.cache.set(key, read());
    return this.cache.get(key) as Promise<T>;
  }
}

async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(page);
  return all;
}

async function answer(
  check: Check,
  p: Prerequisite,
  clients: AccountClients,
  config: LogwardenConfig,
  reads: Reads,
): Promise<Answer> {
  const { management, securityTooling } = config.accounts;
  const account = config.accounts[p.account];
  switch (check.kind) {
    case 'all-features': {
      let org;
      try {
        org = (await reads.once('org', () => clients.orgs.send(new DescribeOrganizationCommand({}))))
          .Organization;
      } catch (err) {
        if (errorName(err) === 'AWSOrganizationsNotInUseException')
          return {
            met: false,
            detail: `the management account ${management} is in no organization`,
            fix: ['aws organizations create-organization --feature-set ALL'],
          };
        throw err;
      }
      if (org?.Id !== config.organizationId || org?.MasterAccountId !== management)
        return {
          met: false,
          detail: `these credentials see organization ${org?.Id} with management account ${org?.MasterAccountId}; the configuration names ${config.organizationId} and ${management}`,
          fix: [
            `# use the management account's credentials, or correct organizationId and accounts.management in the configuration`,
          ],
        };
      return org.FeatureSet === 'ALL'
        ? { met: true, detail: 'feature set ALL' }
        : { met: false, detail: `feature set ${org.FeatureSet}` };
    }
    case 'trusted-access': {
      const pages = await reads.once('service-access', () =>
        collect(paginateListAWSServiceAccessForOrganization({ client: clients.orgs }, {})),
      );
      const enabled = pages.flatMap((pg) => pg.EnabledServicePrincipals ?? []).map((s) => s.ServicePrincipal);
      return enabled.includes(check.servicePrincipal)
        ? { met: true, detail: `${check.servicePrincipal} enabled` }
        : { met: false, detail: `${check.servicePrincipal} is not among the enabled services` };
    }
    case 'delegated-admin': {
      const pages = await collect(
        paginateListDelegatedAdministrators(
          { client: clients.orgs },
          { ServicePrincipal: check.servicePrincipal },
        ),
      );
      const admins = pages.flatMap((pg) => pg.DelegatedAdministrators ?? []);
      const ours = admins.find((a) => a.Id === securityTooling);
      if (!ours)
        return {
          met: false,
          detail: admins.length
            ? `its delegated administrators are ${admins.map((a) => a.Id).join(', ')}, not ${securityTooling}`
            : `no delegated administrator for ${check.servicePrincipal}`,
        };
      if (ours.Status && ours.Status !== 'ACTIVE')
        return { met: false, detail: `${securityTooling} is ${ours.Status}, not ACTIVE` };
      if (check.serviceLinkedRole) {
        try {
          await clients.iam.send(new GetRoleCommand({ RoleName: check.serviceLinkedRole }));
        } catch (err) {
          if (errorName(err) !== 'NoSuchEntityException') throw err;
          return {
            met: false,
            detail: `${securityTooling} is registered, but the service-linked role ${check.serviceLinkedRole} is missing in the management account: it was registered through Organizations, not through the service`,
            fix: [
              `aws organizations deregister-delegated-administrator --account-id ${securityTooling} --service-principal ${check.servicePrincipal}`,
              ...p.fix,
            ],
          };
        }
      }
      return { met: true, detail: `${securityTooling} is delegated administrator` };
    }
    case 'stacksets-trusted-access': {
      const res = await clients.cloudFormation.send(new DescribeOrganizationsAccessCommand({}));
      return res.Status === 'ENABLED'
        ? { met: true, detail: 'ENABLED' }
        : { met: false, detail: `organizations access is ${res.Status}` };
    }
    case 'guardduty-admin': {
      const pages = await collect(
        paginateListOrganizationAdminAccounts({ client: clients.guardDuty(check.region) }, {}),
      );
      const admins = pages.flatMap((pg) => pg.AdminAccounts ?? []);
      const ours = admins.find((a) => a.AdminAccountId === securityTooling);
      if (ours?.AdminStatus === 'ENABLED') return { met: true, detail: `${securityTooling} ENABLED` };
      return {
        met: false,
        detail: ours
          ? `${securityTooling} is ${ours.AdminStatus}`
          : admins.length
            ? `the delegated administrator is ${admins.map((a) => a.AdminAccountId).join(', ')}`
            : `no delegated administrator in ${check.region}`,
      };
    }
    case 'guardduty-detector': {
      const gd = clients.guardDuty(check.region);
      const [detector] = (await gd.send(new ListDetectorsCommand({}))).DetectorIds ?? [];
      if (!detector) return { met: false, detail: `no detector in ${check.region}` };
      const status = (await gd.send(new GetDetectorCommand({ DetectorId: detector }))).Status;
      return status === 'ENABLED'
        ? { met: true, detail: `detector ${detector} ENABLED` }
        : {
            met: false,
            detail: `detector ${detector} is ${status}`,
            fix: [
              `aws guardduty update-detector --detector-id ${detector} --enable --region ${check.region}`,
            ],
          };
    }
    case 'organizations-resource-policy': {
      let content: string | undefined;
      try {
        content = (await clients.orgs.send(new DescribeResourcePolicyCommand({}))).ResourcePolicy?.Content;
      } catch (err) {
        if (errorName(err) === 'ResourcePolicyNotFoundException')
          return { met: false, detail: 'the organization has no resource policy' };
        throw err;
      }
      if (policyAllows(JSON.parse(content ?? '{}'), check.statement))
        return { met: true, detail: `allows ${asList(check.statement.Action).join(', ')}` };
      return {
        met: false,
        detail: `the organization's resource policy does not allow ${asList(check.statement.Action).join(', ')} to ${asList(check.statement.Principal.AWS).join(', ')}`,
        // put-resource-policy replaces the whole policy: keep what others delegated.
        fix: [
          'aws organizations describe-resource-policy --query ResourcePolicy.Content --output text > policy.json',
          `# add this statement to the Statement list of policy.json: ${JSON.stringify(check.statement)}`,
          'aws organizations put-resource-policy --content file://policy.json',
        ],
      };
    }
    case 'region-enabled': {
      // No AccountId: the caller's own account ("If you don't specify this parameter, it defaults
      // to the Amazon Web Services account of the identity used to call the operation"; "The
      // management account can't specify its own AccountId", Account Management API Reference,
      // GetRegionOptStatus). RegionOptStatus: ENABLED | ENABLING | DISABLING | DISABLED |
      // ENABLED_BY_DEFAULT.
      const res = await clients.account.send(new GetRegionOptStatusCommand({ RegionName: check.region }));
      const status = res.RegionOptStatus;
      if (status === 'ENABLED' || status === 'ENABLED_BY_DEFAULT')
        return { met: true, detail: `${check.region} ${status}` };
      if (status === 'ENABLING')
        return {
          met: false,
          detail: `${check.region} is ENABLING in ${account}`,
          fix: [`# AWS is enabling it (minutes to hours): run preflight again later`],
        };
      return { met: false, detail: `${check.region} is ${status} in ${account}` };
    }
    case 'policy-type-enabled': {
      // "Before you can create and attach a policy to your organization, you must enable that
      // policy type" (Organizations User Guide, "Enabling a policy type"); Root.PolicyTypes:
      // "The types of policies that are currently enabled for the root", each with Status
      // ENABLED, PENDING_ENABLE or PENDING_DISABLE (Organizations API Reference, PolicyTypeSummary).
      const pages = await collect(paginateListRoots({ client: clients.orgs }, {}));
      const [root] = pages.flatMap((pg) => pg.Roots ?? []);
      if (!root) return { met: false, detail: 'the organization has no root these credentials can list' };
      const type = (root.PolicyTypes ?? []).find((t) => t.Type === check.policyType);
      if (type?.Status === 'ENABLED')
        return { met: true, detail: `${check.policyType} ENABLED in ${root.Id}` };
      return {
        met: false,
        detail: type
          ? `${check.policyType} is ${type.Status} in ${root.Id}`
          : `${check.policyType} is not enabled in ${root.Id}`,
        ...(type?.Status === 'PENDING_ENABLE'
          ? { fix: ['# Organizations is enabling it: run preflight again in a few minutes'] }
          : {}),
      };
    }
    case 'break-glass-role': {
      let role;
      try {
        role = (await clients.iam.send(new GetRoleCommand({ RoleName: check.roleName }))).Role;
      } catch (err) {
        if (errorName(err) === 'NoSuchEntityException')
          return { met: false, detail: `no role ${check.roleName} in ${account}` };
        throw err;
      }
      return trusts(role?.AssumeRolePolicyDocument, { service: check.trustedService })
        ? { met: true, detail: `exists and trusts ${check.trustedService}` }
        : {
            met: false,
            detail: `${check.roleName} does not trust ${check.trustedService}, so CloudFormation cannot deploy a change to the archive's protections as it`,
            fix: [
              `# add to the trust policy of ${check.roleName}: {"Effect":"Allow","Principal":{"Service":"${check.trustedService}"},"Action":"sts:AssumeRole"}`,
            ],
          };
    }
    case 'cdk-bootstrap': {
      let version: number;
      try {
        const res = await clients
          .ssm(check.region)
          .send(new GetParameterCommand({ Name: cdkBootstrapVersionParameter }));
        version = Number(res.Parameter?.Value);
      } catch (err) {
        if (errorName(err) === 'ParameterNotFound')
          return {
            met: false,
            detail: `not bootstrapped: no ${cdkBootstrapVersionParameter} in ${check.region}`,
          };
        throw err;
      }
      if (!(version >= check.minVersion))
        return { met: false, detail: `bootstrap version ${version}, older than ${check.minVersion}` };
      const deployRole = cdkDeployRoleName(account, check.region);
      let role;
      try {
        role = (await clients.iam.send(new GetRoleCommand({ RoleName: deployRole }))).Role;
      } catch (err) {
        if (errorName(err) === 'NoSuchEntityException')
          return { met: false, detail: `bootstrap version ${version}, but no deploy role ${deployRole}` };
        throw err;
      }
      return trusts(role?.AssumeRolePolicyDocument, { account })
        ? { met: true, detail: `bootstrap version ${version}, deploy role trusts ${account}` }
        : { met: false, detail: `the deploy role ${deployRole} does not trust its own account ${account}` };
    }
    case 'availability-zones': {
      // "Describes the Availability Zones, Local Zones, and Wavelength Zones that are available
      // to you"; ZoneType "The valid values are availability-zone, local-zone, and
      // wavelength-zone" (EC2 API Reference, DescribeAvailabilityZones, AvailabilityZone). The
      // search subnets need Availability Zones; the state of one is "available" unless an event
      // impairs it.
      const res = await clients.ec2(check.region).send(new DescribeAvailabilityZonesCommand({}));
      const zones = (res.AvailabilityZones ?? []).filter(
        (z) => (z.ZoneType ?? 'availability-zone') === 'availability-zone',
      );
      const available = zones.filter((z) => z.State === 'available').map((z) => z.ZoneName as string);
      const listed = available.length ? available.join(', ') : 'none';
      const absent = check.zones.filter((z) => !available.includes(z));
      if (available.length < check.count)
        return {
          met: false,
          detail: `${check.region} has ${available.length} Availability Zone${available.length === 1 ? '' : 's'} available to ${account} (${listed}); the search domain needs ${check.count}`,
        };
      if (absent.length)
        return {
          met: false,
          detail: `openSearch.availabilityZones names ${absent.join(', ')}, not available to ${account} in ${check.region} (available: ${listed})`,
        };
      return { met: true, detail: `${available.length} available (${listed})` };
    }
  }
}

/** The error behind each unknown finding, for the exit code. */
const unknownCauses = new WeakMap<Finding, unknown>();

/** Checks every prerequisite; a check's error makes it unknown, never stops the others. */
export async function preflight(config: LogwardenConfig, access: PreflightAccess): Promise<Finding[]> {
  const reads = new Reads();
  const findings: Finding[] = [];
  // The prerequisites, then what no step gives an account (environmentChecks).
  for (const p of [...prerequisites(config), ...environmentChecks(config)]) {
    const base = {
      id: p.id,
      title: p.title,
      account: p.account,
      accountId: config.accounts[p.account],
      why: p.why,
    };
    const needs = p.requires.filter((id) => findings.find((f) => f.id === id)?.status === 'missing');
    const where = access[p.account];
    let found: Finding;
    if ('unavailable' in where) {
      found = { ...base, status: 'unknown', detail: where.unavailable, fix: [] };
    } else {
      try {
        const a = await answer(p.check, p, where.clients, config, reads);
        // A step an earlier missing one gives (GuardDuty's designation creates the administrator's
        // detector): that step is the fix, and this one's own commands would then be refused.
        const givenBy =
          p.givenBy && findings.find((f) => f.id === p.givenBy)?.status === 'missing' ? p.givenBy : undefined;
        found = a.met
          ? { ...base, status: 'met', detail: a.detail, fix: [] }
          : givenBy
            ? {
                ...base,
                status: 'missing',
                detail: `${a.detail} (${givenBy} gives it)`,
                fix: [`# take ${givenBy} (above): it gives this too`],
              }
            : {
                ...base,
                status: 'missing',
                detail: needs.length ? `${a.detail} (needs ${needs.join(', ')} first)` : a.detail,
                fix: a.fix ?? p.fix,
              };
      } catch (err) {
        // What AWS will not even read before a required step (an organization without all
        // features has no trusted access to list) is missing, not unknown.
        found = needs.length
          ? { ...base, status: 'missing', detail: `needs ${needs.join(', ')} first`, fix: p.fix }
          : { ...base, status: 'unknown', detail: reason(err) + optInHint(p.check, err), fix: [] };
        if (!needs.length) unknownCauses.set(found, err);
      }
    }
    findings.push(found);
  }
  return findings;
}

/**
 * 0 when every prerequisite is met; 1 while anything is missing; otherwise (only unknowns) the
 * CLI's code for the first unknown's cause (5 credentials, 6 access denied, 4 unreachable, 7 AWS).
 */
export function preflightExitCode(findings: Finding[]): number {
  if (findings.some((f) => f.status === 'missing')) return exitCode.failed;
  const unknown = findings.find((f) => f.status === 'unknown');
  if (!unknown) return exitCode.ok;
  const cause = unknownCauses.get(unknown);
  return cause === undefined ? exitCode.credentials : explain(cause, { account: '?', region: '?' }).code;
}

/** The report a person reads: one block per prerequisite, the fix under each missing one. */
export function renderFindings(
  config: LogwardenConfig,
  access: PreflightAccess,
  findings: Finding[],
): string[] {
  const lines = [`preflight of organization ${config.organizationId}: ${findings.length} prerequisites`];
  for (const key of Object.keys(access) as AccountKey[]) {
    const a = access[key];
    lines.push(
      `  ${accountTitles[key]} ${config.accounts[key]}: ${'unavailable' in a ? `not reached (${a.unavailable})` : a.how}`,
    );
  }
  lines.push('');
  for (const f of findings) {
    lines.push(`${f.status.padEnd(8)} ${f.id}: ${f.title}`);
    if (f.status === 'met') continue;
    const where = access[f.account];
    const unreached = 'unavailable' in where && where.unavailable === f.detail;
    lines.push(
      `         ${f.status === 'missing' ? 'found' : 'not checked'}: ${unreached ? `the ${accountTitles[f.account]} is not reached (above)` : f.detail}`,
    );
    if (f.status !== 'missing') continue;
    lines.push(`         why: ${f.why}`);
    lines.push(`         fix, with credentials of the ${accountTitles[f.account]} ${f.accountId}:`);
    for (const c of f.fix) lines.push(`           ${c}`);
  }
  const count = (s: Status) => findings.filter((f) => f.status === s).length;
  const [met, missing, unknown] = [count('met'), count('missing'), count('unknown')];
  lines.push('');
  lines.push(
    `${met} met, ${missing} missing, ${unknown} unknown: ${missing ? 'not ready' : unknown ? 'not proven ready' : 'ready to deploy'}`,
  );
  return lines;
}
