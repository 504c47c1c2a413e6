/**
 * `logwarden preflight`'s checks of the one-time steps this file's AWS sentences call for, on
 * mocked SDK clients: each is missing with the commands that take it, met once AWS answers so.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  GuardDutyClient,
  ListDetectorsCommand,
  ListOrganizationAdminAccountsCommand,
} from '@aws-sdk/client-guardduty';
import { IAMClient } from '@aws-sdk/client-iam';
import { ListRootsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { preflight, type AccountClients, type PreflightAccess } from '../../cli/preflight';
import type { LogwardenConfig } from '../../contracts/config';
import { prerequisites } from '../../contracts/prerequisites';
import { exampleConfig } from '../stacks/example-app';

const guardDuty = mockClient(GuardDutyClient);
const orgs = mockClient(OrganizationsClient);
// Mocked so that nothing leaves the machine: what a test does not set up answers undefined.
const others = [
  mockClient(IAMClient),
  mockClient(SSMClient),
  mockClient(CloudFormationClient),
  mockClient(EC2Client),
];

function clients(): AccountClients {
  return {
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

  it('is missing while the root has no policy type enabled (PolicyTypes: []), fixed by enable-policy-type on that root', async () => {
    root([]);
    const found = (await findingsOf(config))('scp-policy-type');
    expect(found).toMatchObject({ status: 'missing', account: 'management' });
    expect(found.detail).toBe('SERVICE_CONTROL_POLICY is not enabled in r-ab12');
    expect(found.fix).toEqual([
      'aws organizations enable-policy-type --root-id r-ab12 --policy-type SERVICE_CONTROL_POLICY',
    ]);
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
