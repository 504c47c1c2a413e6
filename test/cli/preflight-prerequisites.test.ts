/**
 * `logwarden preflight`'s checks of the one-time steps this file's AWS sentences call for, on
 * mocked SDK clients: each is missing with the commands that take it, met once AWS answers so.
 */
import { AccountClient, GetRegionOptStatusCommand } from '@aws-sdk/client-account';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  GuardDutyClient,
  ListDetectorsCommand,
  ListOrganizationAdminAccountsCommand,
} from '@aws-sdk/client-guardduty';
import { IAMClient } from '@aws-sdk/client-iam';
import { ListRootsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { preflight, type AccountClients, type PreflightAccess } from '../../cli/preflight';
import type { LogwardenConfig } from '../../contracts/config';
import { environmentChecks, prerequisites } from '../../contracts/prerequisites';
import { exampleConfig } from '../stacks/example-app';

const guardDuty = mockClient(GuardDutyClient);
const accountApi = mockClient(AccountClient);
const orgs = mockClient(OrganizationsClient);
// Mocked so that nothing leaves the machine: what a test does not set up answers undefined.
const ssm = mockClient(SSMClient);
const others = [mockClient(IAMClient), ssm, mockClient(CloudFormationClient), mockClient(EC2Client)];

function clients(): AccountClients {
  return {
    account: new AccountClient({ region: 'us-east-1' }),
    orgs: new OrganizationsClient({ region: 'us-east-1' }),
    iam: new IAMClient({ region: 'us-east-1' }),
    cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }),
    guardDuty: (region) => new GuardDutyClient({ region }),
    ssm: (region) => new SSMClient({ region }),
    ec2: (region) => new EC2Client({ region }),
  };
}

/** Every account reached; what a test does not mock answers nothing (those checks are unknown). */
const access = (): PreflightAccess => ({
  management: { how: 'a test', clients: clients() },
  logArchive: { how: 'a test', clients: clients() },
  securityTooling: { how: 'a test', clients: clients() },
});

async function findingsOf(config: LogwardenConfig) {
  const findings = await preflight(config, access());
  return (id: string) => findings.find((f) => f.id === id)!;
}

beforeEach(() => {
  guardDuty.reset();
  accountApi.reset();
  orgs.reset();
  for (const o of others) o.reset();
});

describe('preflight: the GuardDuty administrator’s detector', () => {
  // "It also enables GuardDuty for the delegated GuardDuty administrator account ... in the current
  // Region" (GuardDuty User Guide, "Permissions required to designate a delegated GuardDuty
  // administrator account"); "You can have only one detector per account per Region"
  // (GuardDuty API Reference, CreateDetector).
  const config = exampleConfig();
  const region = config.homeRegion;

  it('is given by the designation: while that is missing, the designation is its fix, not create-detector', async () => {
    guardDuty.on(ListOrganizationAdminAccountsCommand).resolves({ AdminAccounts: [] });
    guardDuty.on(ListDetectorsCommand).resolves({ DetectorIds: [] });
    const finding = await findingsOf(config);
    expect(finding(`guardduty-admin-${region}`).status).toBe('missing');
    const detector = finding(`guardduty-detector-${region}`);
    expect(detector.status).toBe('missing');
    expect(detector.detail).toBe(`no detector in ${region} (guardduty-admin-${region} gives it)`);
    expect(detector.fix).toEqual([`# take guardduty-admin-${region} (above): it gives this too`]);
  });

  it('once designated, a detector that is gone since is created (only then)', async () => {
    guardDuty.on(ListOrganizationAdminAccountsCommand).resolves({
      AdminAccounts: [{ AdminAccountId: config.accounts.securityTooling, AdminStatus: 'ENABLED' }],
    });
    guardDuty.on(ListDetectorsCommand).resolves({ DetectorIds: [] });
    const finding = await findingsOf(config);
    expect(finding(`guardduty-admin-${region}`).status).toBe('met');
    const detector = finding(`guardduty-detector-${region}`);
    expect(detector.status).toBe('missing');
    expect(detector.fix).toContain(`aws guardduty create-detector --enable --region ${region}`);
  });

  it('the checklist takes create-detector only when list-detectors lists none, after the designation', () => {
    const list = prerequisites(config);
    const step = list.find((p) => p.id === `guardduty-detector-${region}`)!;
    expect(step.givenBy).toBe(`guardduty-admin-${region}`);
    expect(list.findIndex((p) => p.id === step.givenBy)).toBeLessThan(list.indexOf(step));
    expect(step.fix[0]).toMatch(/^# only when list-detectors lists none/);
  });
});

describe('preflight: service control policies enabled in the root', () => {
  // "Before you can create and attach a policy to your organization, you must enable that policy
  // type" (Organizations User Guide, "Enabling a policy type"); Root.PolicyTypes: "The types of
  // policies that are currently enabled for the root of the organization" (Organizations API
  // Reference, Root), each PolicyTypeSummary with Status ENABLED | PENDING_ENABLE | PENDING_DISABLE.
  const config = exampleConfig();
  const root = (PolicyTypes: { Type: 'SERVICE_CONTROL_POLICY'; Status: 'ENABLED' | 'PENDING_ENABLE' }[]) =>
    orgs.on(ListRootsCommand).resolves({ Roots: [{ Id: 'r-ab12', Name: 'Root', PolicyTypes }] });

  it('is missing while the root has no policy type enabled (PolicyTypes: []), fixed by enable-policy-type on the root', async () => {
    root([]);
    const found = (await findingsOf(config))('scp-policy-type');
    expect(found).toMatchObject({ status: 'missing', account: 'management' });
    expect(found.detail).toBe('SERVICE_CONTROL_POLICY is not enabled in r-ab12');
    expect(found.fix).toEqual(prerequisites(config).find((p) => p.id === 'scp-policy-type')!.fix);
    expect(found.fix.at(-1)).toBe(
      'aws organizations enable-policy-type --root-id "$root" --policy-type SERVICE_CONTROL_POLICY',
    );
    expect(orgs.commandCalls(ListRootsCommand)[0].args[0].input).toEqual({});
  });

  it('is missing, to wait for, while Organizations is enabling it', async () => {
    root([{ Type: 'SERVICE_CONTROL_POLICY', Status: 'PENDING_ENABLE' }]);
    const found = (await findingsOf(config))('scp-policy-type');
    expect(found.status).toBe('missing');
    expect(found.detail).toBe('SERVICE_CONTROL_POLICY is PENDING_ENABLE in r-ab12');
    expect(found.fix.join('\n')).not.toContain('enable-policy-type');
  });

  it('is met once the root lists it ENABLED', async () => {
    root([{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }]);
    const found = (await findingsOf(config))('scp-policy-type');
    expect(found).toMatchObject({ status: 'met', detail: 'SERVICE_CONTROL_POLICY ENABLED in r-ab12' });
  });

  it('comes after all features, which SCPs need, in the checklist', () => {
    const list = prerequisites(config);
    const step = list.find((p) => p.id === 'scp-policy-type')!;
    expect(step.requires).toEqual(['all-features']);
    expect(step.fix.filter((c) => !c.startsWith('#')).at(-1)).toBe(
      'aws organizations enable-policy-type --root-id "$root" --policy-type SERVICE_CONTROL_POLICY',
    );
  });
});

describe('preflight: the opt-in Regions of the logwarden accounts', () => {
  // "Regions introduced after March 20, 2019 are disabled by default" and are enabled account by
  // account (AWS Account Management Reference Guide, "Enable or disable AWS Regions in your
  // account"). Each account asks for its own: GetRegionOptStatus AccountId "If you don't specify
  // this parameter, it defaults to the Amazon Web Services account of the identity used to call
  // the operation" and "The management account can't specify its own AccountId" (Account
  // Management API Reference, GetRegionOptStatus).
  const optIn = 'eu-south-1';
  const config = exampleConfig({ governedRegions: ['eu-west-1', optIn] });
  const { management, logArchive, securityTooling } = config.accounts;
  const ids = [management, logArchive, securityTooling].map((a) => `region-enabled-${a}-${optIn}`);

  it('lists, for each of the three accounts, every opt-in Region it works in, and nothing for the others', () => {
    const list = prerequisites(config);
    const regionSteps = list.filter((p) => p.check.kind === 'region-enabled');
    expect(regionSteps.map((p) => p.id)).toEqual(ids);
    expect(regionSteps.map((p) => p.account)).toEqual(['management', 'logArchive', 'securityTooling']);
    expect(regionSteps[0].fix).toEqual([`aws account enable-region --region-name ${optIn}`]);
    expect(prerequisites(exampleConfig()).some((p) => p.check.kind === 'region-enabled')).toBe(false);
  });

  it('every step taken in the opt-in Region needs the account’s enablement first', () => {
    const list = [...prerequisites(config), ...environmentChecks(config)];
    const requires = (id: string) => list.find((p) => p.id === id)!.requires;
    expect(requires(`guardduty-admin-${optIn}`)).toContain(ids[0]);
    expect(requires(`guardduty-detector-${optIn}`)).toContain(ids[2]);
    expect(requires(`cdk-bootstrap-${logArchive}-${optIn}`)).toContain(ids[1]);
    expect(requires(`cdk-bootstrap-${logArchive}-eu-west-1`)).toEqual([]);
  });

  it('is missing while GetRegionOptStatus answers DISABLED, fixed by enable-region; asked without AccountId', async () => {
    accountApi.on(GetRegionOptStatusCommand).resolves({ RegionName: optIn, RegionOptStatus: 'DISABLED' });
    const finding = await findingsOf(config);
    for (const id of ids) {
      expect(finding(id).status).toBe('missing');
      expect(finding(id).fix).toEqual([`aws account enable-region --region-name ${optIn}`]);
    }
    expect(finding(ids[1]).detail).toBe(`${optIn} is DISABLED in ${logArchive}`);
    for (const call of accountApi.commandCalls(GetRegionOptStatusCommand))
      expect(call.args[0].input).toEqual({ RegionName: optIn });
  });

  it('a step in a disabled opt-in Region whose credentials are refused there is missing behind the enablement, not "no usable credentials"', async () => {
    accountApi.on(GetRegionOptStatusCommand).resolves({ RegionOptStatus: 'DISABLED' });
    ssm.on(GetParameterCommand).rejects(
      Object.assign(new Error('The security token included in the request is invalid.'), {
        name: 'UnrecognizedClientException',
      }),
    );
    const found = (await findingsOf(config))(`cdk-bootstrap-${logArchive}-${optIn}`);
    expect(found.status).toBe('missing');
    expect(found.detail).toBe(`needs ${ids[1]} first`);
  });

  it('when the opt-in status cannot be read, a refused credential in that Region says why it may be', async () => {
    accountApi
      .on(GetRegionOptStatusCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    ssm.on(GetParameterCommand).rejects(
      Object.assign(new Error('The security token included in the request is invalid.'), {
        name: 'UnrecognizedClientException',
      }),
    );
    const finding = await findingsOf(config);
    expect(finding(ids[1]).status).toBe('unknown');
    const found = finding(`cdk-bootstrap-${logArchive}-${optIn}`);
    expect(found.status).toBe('unknown');
    expect(found.detail).toContain(`${optIn} is an opt-in Region: if it is not enabled in this account`);
    expect(finding(`cdk-bootstrap-${logArchive}-eu-west-1`).detail).not.toContain('opt-in');
  });

  it('is met once ENABLED (or ENABLED_BY_DEFAULT), and waits while ENABLING', async () => {
    accountApi.on(GetRegionOptStatusCommand).resolves({ RegionOptStatus: 'ENABLED' });
    expect((await findingsOf(config))(ids[0])).toMatchObject({ status: 'met', detail: `${optIn} ENABLED` });
    accountApi.on(GetRegionOptStatusCommand).resolves({ RegionOptStatus: 'ENABLING' });
    const enabling = (await findingsOf(config))(ids[2]);
    expect(enabling.status).toBe('missing');
    expect(enabling.fix.join('\n')).not.toContain('enable-region');
  });
});
