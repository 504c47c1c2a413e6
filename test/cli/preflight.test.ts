/**
 * `logwarden preflight`'s check of the search domain's zones (issue 21 §10 follow-up): the home
 * region of the log-archive account must have as many Availability Zones available to that
 * account as `openSearch.zoneAwareness` needs, the configured `openSearch.availabilityZones`
 * among them. Zone names are per account, so only that account's DescribeAvailabilityZones can
 * say so.
 */
import { AccountClient } from '@aws-sdk/client-account';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeAvailabilityZonesCommand, EC2Client, type AvailabilityZone } from '@aws-sdk/client-ec2';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { preflight, renderFindings, type PreflightAccess } from '../../cli/preflight';
import { environmentChecks } from '../../contracts/prerequisites';
import { exampleConfig } from '../stacks/example-app';

const ec2 = mockClient(EC2Client);
const iam = mockClient(IAMClient);
const ssm = mockClient(SSMClient);
const regionsAsked: string[] = [];

const config = exampleConfig(); // eu-west-1, zoneAwareness, availabilityZones eu-west-1a and eu-west-1b
const id = 'availability-zones-eu-west-1';

/** Only the log-archive account is reached: the other accounts' prerequisites stay unknown, uncalled. */
function access(): PreflightAccess {
  const unavailable = { unavailable: 'not reached in this test' };
  return {
    management: unavailable,
    securityTooling: unavailable,
    logArchive: {
      how: 'a test',
      clients: {
        account: new AccountClient({ region: 'us-east-1' }),
        orgs: new OrganizationsClient({ region: 'us-east-1' }),
        iam: new IAMClient({ region: 'us-east-1' }),
        cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }),
        guardDuty: (region) => new GuardDutyClient({ region }),
        ssm: (region) => new SSMClient({ region }),
        ec2: (region) => {
          regionsAsked.push(region);
          return new EC2Client({ region });
        },
      },
    },
  };
}

const zone = (name: string, extra: Partial<AvailabilityZone> = {}): AvailabilityZone => ({
  ZoneName: name,
  State: 'available',
  ZoneType: 'availability-zone',
  RegionName: 'eu-west-1',
  ...extra,
});

async function finding(zones: AvailabilityZone[]) {
  ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: zones });
  const findings = await preflight(config, access());
  return { findings, found: findings.find((f) => f.id === id)! };
}

beforeEach(() => {
  ec2.reset();
  iam.reset();
  ssm.reset();
  regionsAsked.length = 0;
});

describe('preflight: the search domain’s Availability Zones', () => {
  it('is checked after the prerequisites, in the home region, with the log-archive account’s credentials', async () => {
    const { findings, found } = await finding([zone('eu-west-1a'), zone('eu-west-1b'), zone('eu-west-1c')]);
    expect(findings.at(-1)?.id).toBe(id);
    expect(found).toMatchObject({ status: 'met', account: 'logArchive', accountId: '222222222222' });
    expect(found.detail).toBe('3 available (eu-west-1a, eu-west-1b, eu-west-1c)');
    expect(ec2.commandCalls(DescribeAvailabilityZonesCommand)).toHaveLength(1);
    expect(ec2.commandCalls(DescribeAvailabilityZonesCommand)[0].args[0].input).toEqual({});
    expect(regionsAsked).toEqual(['eu-west-1']);
  });

  it('is missing when the account has fewer Availability Zones than zoneAwareness needs; Local Zones do not count', async () => {
    const { findings, found } = await finding([
      zone('eu-west-1a'),
      zone('eu-west-1-lhr-1a', { ZoneType: 'local-zone' }),
    ]);
    expect(found.status).toBe('missing');
    expect(found.detail).toBe(
      'eu-west-1 has 1 Availability Zone available to 222222222222 (eu-west-1a); the search domain needs 2',
    );
    expect(found.fix).toEqual(environmentChecks(config)[0].fix);
    expect(found.fix.join('\n')).toContain('aws ec2 describe-availability-zones --region eu-west-1');
    const report = renderFindings(config, access(), findings).join('\n');
    expect(report).toContain(
      `missing  ${id}: The log-archive account 222222222222 has 2 Availability Zones in eu-west-1`,
    );
  });

  it('is missing when a configured zone is not available to the account, naming it', async () => {
    const { found } = await finding([
      zone('eu-west-1a'),
      zone('eu-west-1c'),
      zone('eu-west-1b', { State: 'impaired' }),
    ]);
    expect(found.status).toBe('missing');
    expect(found.detail).toBe(
      'openSearch.availabilityZones names eu-west-1b, not available to 222222222222 in eu-west-1 (available: eu-west-1a, eu-west-1c)',
    );
  });

  it('without configured zones, counts them only (CDK looks them up at synth)', async () => {
    const raw = { ...config.openSearch } as Record<string, unknown>;
    delete raw.availabilityZones;
    const [check] = environmentChecks({ ...config, openSearch: raw as typeof config.openSearch });
    expect(check.check).toEqual({ kind: 'availability-zones', region: 'eu-west-1', count: 2, zones: [] });
    expect(check.title).toBe('The log-archive account 222222222222 has 2 Availability Zones in eu-west-1');
  });

  it('is unknown, not missing, when the call is refused', async () => {
    ec2
      .on(DescribeAvailabilityZonesCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'UnauthorizedOperation' }));
    const found = (await preflight(config, access())).find((f) => f.id === id)!;
    expect(found.status).toBe('unknown');
    expect(found.detail).toContain('UnauthorizedOperation');
  });
});
