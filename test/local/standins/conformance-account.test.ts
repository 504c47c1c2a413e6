/**
 * The Account API's Region opt-in on the stand-in (local/standins/account.py), each rule with the
 * AWS text it rests on: who may name an `AccountId`, and opting in as AWS does it, ENABLING
 * first, ENABLED once done, not reversible until then. Real SDK clients, root users of the
 * emulated organization (world.ts).
 */
import {
  AccountClient,
  DisableRegionCommand,
  EnableRegionCommand,
  GetRegionOptStatusCommand,
  ListRegionsCommand,
} from '@aws-sdk/client-account';
import {
  EnableAWSServiceAccessCommand,
  OrganizationsClient,
  RegisterDelegatedAdministratorCommand,
} from '@aws-sdk/client-organizations';
import { conformance } from './conformance';
import { optInRegions } from '../../../contracts/regions';
import { World, management, member, securityTooling } from './world';
import { emittedEvents } from '../../../local/standins/prerequisites';

let world: World;
const optIn = 'eu-south-1';

const account = (who: string) => world.as(AccountClient, who);

async function status(region: string): Promise<string | undefined> {
  return (
    await account(management).send(new GetRegionOptStatusCommand({ AccountId: member, RegionName: region }))
  ).RegionOptStatus;
}

/** The status once the change settles (the stand-in takes LOGWARDEN_STANDINS_OPT_IN_SECONDS, 2 s). */
async function settled(region: string): Promise<string | undefined> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const now = await status(region);
    if (!now?.endsWith('ING') || Date.now() > deadline) return now;
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  world = await World.start();
  await world.organization();
  await world
    .as(OrganizationsClient, management, 'us-east-1')
    .send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'account.amazonaws.com' }));
}, 60_000);

afterAll(() => world?.stop());

const enabling =
  'botocore account model, EnableRegionRequest.RegionName: "When you enable a Region, Amazon Web Services performs actions to prepare your account in that Region [...] This process takes a few minutes for most accounts, but it can take several hours. You cannot use the Region until this process is complete. Furthermore, you cannot disable the Region until the enabling process is fully completed."';
const disabling =
  'botocore account model, DisableRegionRequest.RegionName: "This process takes a few minutes for most accounts, but this can take several hours. You cannot enable the Region until the disabling process is fully completed."; ConflictException (409): "For example, this happens if you try to enable a Region that is currently being disabled (in a status of DISABLING)."';

conformance('account:EnableRegion', {
  behaviour: 'asynchronous: ENABLING first, ENABLED once done',
  source: `${enabling}; RegionOptStatus: ENABLED | ENABLING | DISABLING | DISABLED | ENABLED_BY_DEFAULT`,
  refuses: [
    'the Region as enabled at once',
    async () => {
      await account(management).send(new EnableRegionCommand({ AccountId: member, RegionName: optIn }));
      expect(await status(optIn)).toBe('ENABLING');
      const enabled = await account(management).send(
        new ListRegionsCommand({ AccountId: member, RegionOptStatusContains: ['ENABLED'], MaxResults: 50 }),
      );
      expect(enabled.Regions?.map((r) => r.RegionName)).not.toContain(optIn);
    },
  ],
  accepts: [
    'ENABLED once it finishes',
    async () => {
      expect(await settled(optIn)).toBe('ENABLED');
    },
  ],
});

conformance('account:DisableRegion', {
  behaviour: 'not until enabling finished; DISABLING first, DISABLED once done',
  source: `${enabling}; ${disabling}`,
  refuses: [
    'disabling a Region that is still ENABLING',
    async () => {
      await account(management).send(
        new EnableRegionCommand({ AccountId: member, RegionName: 'eu-south-2' }),
      );
      await expect(
        account(management).send(new DisableRegionCommand({ AccountId: member, RegionName: 'eu-south-2' })),
      ).rejects.toMatchObject({ name: 'ConflictException', $metadata: { httpStatusCode: 409 } });
      expect(await status('eu-south-2')).toBe('ENABLING');
    },
  ],
  accepts: [
    'disabling it once ENABLED',
    async () => {
      expect(await settled('eu-south-2')).toBe('ENABLED');
      await account(management).send(
        new DisableRegionCommand({ AccountId: member, RegionName: 'eu-south-2' }),
      );
      expect(await status('eu-south-2')).toBe('DISABLING');
      expect(await settled('eu-south-2')).toBe('DISABLED');
    },
  ],
});

conformance('account:EnableRegion', {
  behaviour: 'not while the Region is DISABLING',
  source: disabling,
  refuses: [
    'enabling a Region that is still DISABLING',
    async () => {
      await account(management).send(new DisableRegionCommand({ AccountId: member, RegionName: optIn }));
      await expect(
        account(management).send(new EnableRegionCommand({ AccountId: member, RegionName: optIn })),
      ).rejects.toMatchObject({ name: 'ConflictException', $metadata: { httpStatusCode: 409 } });
    },
  ],
  accepts: [
    'enabling it again once DISABLED',
    async () => {
      expect(await settled(optIn)).toBe('DISABLED');
      await account(management).send(new EnableRegionCommand({ AccountId: member, RegionName: optIn }));
      expect(await status(optIn)).toBe('ENABLING');
    },
  ],
});

const alreadyThere =
  'AWS\'s answer to EnableRegion of a Region already ENABLED or ENABLING: HTTP 400 ValidationException "Unable to switch region status because of its current opt-in status." (hashicorp/terraform-provider-aws#41430; PR #41678: "when attempting to enable a region that is already in the enabling or enabled status, an error occurs")';

conformance('account:EnableRegion', {
  behaviour: 'not a Region already ENABLING or ENABLED',
  source: alreadyThere,
  refuses: [
    'enabling it again while ENABLING, and once ENABLED',
    async () => {
      const enable = () =>
        account(management).send(new EnableRegionCommand({ AccountId: member, RegionName: 'il-central-1' }));
      await enable();
      await expect(enable()).rejects.toMatchObject({
        name: 'ValidationException',
        message: 'Unable to switch region status because of its current opt-in status.',
        $metadata: { httpStatusCode: 400 },
      });
      expect(await settled('il-central-1')).toBe('ENABLED');
      await expect(enable()).rejects.toMatchObject({ name: 'ValidationException' });
    },
  ],
  accepts: [
    'a Region that is DISABLED',
    async () => {
      expect(await status('me-central-1')).toBe('DISABLED');
      await account(management).send(
        new EnableRegionCommand({ AccountId: member, RegionName: 'me-central-1' }),
      );
      expect(await status('me-central-1')).toBe('ENABLING');
    },
  ],
});

conformance('account:DisableRegion', {
  behaviour: 'not a Region already DISABLING or DISABLED',
  source: `AWS documents nothing for DisableRegion of a DISABLED or DISABLING Region; the stricter answer, by symmetry with EnableRegion: ${alreadyThere}`,
  refuses: [
    'disabling a DISABLED Region, and one already DISABLING',
    async () => {
      const disable = (RegionName: string) =>
        account(management).send(new DisableRegionCommand({ AccountId: member, RegionName }));
      await expect(disable('af-south-1')).rejects.toMatchObject({
        name: 'ValidationException',
        message: 'Unable to switch region status because of its current opt-in status.',
      });
      expect(await settled('me-central-1')).toBe('ENABLED');
      await disable('me-central-1');
      await expect(disable('me-central-1')).rejects.toMatchObject({ name: 'ValidationException' });
    },
  ],
  accepts: [
    'disabling an ENABLED Region (DISABLING, then DISABLED)',
    async () => {
      expect(await settled('me-central-1')).toBe('DISABLED');
      await account(management).send(
        new EnableRegionCommand({ AccountId: member, RegionName: 'me-central-1' }),
      );
      expect(await settled('me-central-1')).toBe('ENABLED');
      await account(management).send(
        new DisableRegionCommand({ AccountId: member, RegionName: 'me-central-1' }),
      );
      expect(await status('me-central-1')).toBe('DISABLING');
    },
  ],
});

conformance('account:GetRegionOptStatus', {
  behaviour: 'the management account names its members, not itself',
  source:
    'Account API Reference, AccountId: "To use this parameter, the caller must be an identity in the organization\'s management account or a delegated administrator account. The specified account ID must be a member account in the same organization. [...] The management account can\'t specify its own AccountId. It must call the operation in standalone context by not including the AccountId parameter."; AWS\'s answer: AccessDeniedException "(The management account can only be managed using the standalone context from the management account)" (aws-samples/data-perimeter-helper#8, account:ListRegions)',
  refuses: [
    'the management account naming itself, and a member that is no delegated administrator',
    async () => {
      await expect(
        account(management).send(new GetRegionOptStatusCommand({ AccountId: management, RegionName: optIn })),
      ).rejects.toMatchObject({
        name: 'AccessDeniedException',
        message: expect.stringContaining('standalone context from the management account'),
        $metadata: { httpStatusCode: 403 },
      });
      await expect(
        account(securityTooling).send(
          new GetRegionOptStatusCommand({ AccountId: member, RegionName: optIn }),
        ),
      ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    },
  ],
  accepts: [
    'the management account naming a member, and itself without AccountId',
    async () => {
      expect(await status('eu-west-1')).toBe('ENABLED_BY_DEFAULT');
      const own = await account(management).send(new GetRegionOptStatusCommand({ RegionName: 'eu-west-1' }));
      expect(own.RegionOptStatus).toBe('ENABLED_BY_DEFAULT');
    },
  ],
});

conformance('account:ListRegions', {
  behaviour: 'Regions that need opting in start DISABLED; MaxResults 1 to 50',
  source:
    'AWS General Reference, "Regions and Zones": Regions introduced after March 20, 2019 are disabled by default; botocore account model, ListRegionsRequest.MaxResults: min 1, max 50',
  refuses: [
    'an opt-in Region as enabled, and MaxResults 51',
    async () => {
      const res = await account(member).send(
        new ListRegionsCommand({
          RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'],
          MaxResults: 50,
        }),
      );
      expect(res.Regions?.map((r) => r.RegionName)).not.toContain('ap-east-1');
      await expect(account(member).send(new ListRegionsCommand({ MaxResults: 51 }))).rejects.toMatchObject({
        name: 'ValidationException',
      });
    },
  ],
  accepts: [
    'the default Regions as ENABLED_BY_DEFAULT',
    async () => {
      const res = await account(member).send(
        new ListRegionsCommand({ RegionOptStatusContains: ['ENABLED_BY_DEFAULT'], MaxResults: 50 }),
      );
      expect(res.Regions?.map((r) => r.RegionName)).toEqual(
        expect.arrayContaining(['us-east-1', 'eu-west-1']),
      );
    },
  ],
});

conformance('account:GetRegionOptStatus', {
  behaviour:
    'every opt-in Region logwarden governs (contracts/regions.ts, which the stand-in reads) is known, DISABLED at first',
  source:
    'Account Management Reference, "Enable or disable AWS Regions in your account": "Opt-in Regions – Regions launched after March 20, 2019 are disabled by default"; "Default Regions – Regions launched before March 20, 2019 are enabled by default. [...] Default Regions cannot be enabled or disabled."',
  refuses: [
    'any of them as enabled',
    async () => {
      const res = await account(securityTooling).send(
        new ListRegionsCommand({
          RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'],
          MaxResults: 50,
        }),
      );
      const enabled = res.Regions?.map((r) => r.RegionName) ?? [];
      expect(enabled.filter((r) => optInRegions.includes(r!))).toEqual([]);
    },
  ],
  accepts: [
    'each of them, ap-southeast-6 included, as DISABLED',
    async () => {
      expect(optInRegions).toContain('ap-southeast-6');
      for (const RegionName of optInRegions) {
        const res = await account(securityTooling).send(new GetRegionOptStatusCommand({ RegionName }));
        expect([RegionName, res.RegionOptStatus]).toEqual([RegionName, 'DISABLED']);
      }
    },
  ],
});

const optInEvents =
  'Account Management Reference, "Monitoring Account Management events with EventBridge": "When you enable or disable a Region in an account, either from the Console or from the API, an asynchronous task is kicked off. [...] an EventBridge event will be sent to the calling account when either the enable or disable process has started, and again once either process has completed." (example event: region us-east-1, detail accountId, regionName, status); Regions that need no opt-in cannot be enabled (manage-acct-regions: "Default Regions cannot be enabled or disabled")';

/** The Region Opt-In Status Change events about `region` the stand-in sent since `after`. */
async function optInEventsSince(after: number, region = 'me-south-1') {
  const { events } = await emittedEvents(world.moto.endpoint, after);
  return events
    .filter((e) => e['detail-type'] === 'Region Opt-In Status Change' && e.detail.regionName === region)
    .map((e) => ({ to: `${e.account}/${e.region}`, ...e.detail }));
}

conformance('account:EnableRegion', {
  behaviour:
    'Region Opt-In Status Change sent to the calling account: ENABLING when it starts, ENABLED when done; none for a default Region',
  source: optInEvents,
  refuses: [
    'an event for a default Region, which cannot be enabled',
    async () => {
      const { next } = await emittedEvents(world.moto.endpoint);
      await expect(
        account(management).send(new EnableRegionCommand({ AccountId: member, RegionName: 'eu-central-1' })),
      ).rejects.toMatchObject({ name: 'ValidationException' });
      expect(await optInEventsSince(next, 'eu-central-1')).toEqual([]);
    },
  ],
  accepts: [
    'ENABLING at once, ENABLED once the opt-in finished, both to the management account that called',
    async () => {
      const { next } = await emittedEvents(world.moto.endpoint);
      await account(management).send(
        new EnableRegionCommand({ AccountId: member, RegionName: 'me-south-1' }),
      );
      expect(await optInEventsSince(next)).toEqual([
        { to: `${management}/us-east-1`, accountId: member, regionName: 'me-south-1', status: 'ENABLING' },
      ]);
      expect(await settled('me-south-1')).toBe('ENABLED');
      expect(await optInEventsSince(next)).toEqual([
        { to: `${management}/us-east-1`, accountId: member, regionName: 'me-south-1', status: 'ENABLING' },
        { to: `${management}/us-east-1`, accountId: member, regionName: 'me-south-1', status: 'ENABLED' },
      ]);
    },
  ],
});

conformance('account:ListRegions', {
  behaviour: 'a delegated administrator names member accounts, not the management account',
  source:
    'Account API Reference, AccountId: "The specified account ID must be a member account in the same organization." AWS documents no error code for another account naming the management account: AccessDeniedException, the stricter answer',
  refuses: [
    'the management account named by the delegated administrator',
    async () => {
      await world.as(OrganizationsClient, management, 'us-east-1').send(
        new RegisterDelegatedAdministratorCommand({
          AccountId: securityTooling,
          ServicePrincipal: 'account.amazonaws.com',
        }),
      );
      await expect(
        account(securityTooling).send(new ListRegionsCommand({ AccountId: management })),
      ).rejects.toMatchObject({
        name: 'AccessDeniedException',
        message: expect.stringContaining('must be a member account in the same organization'),
      });
    },
  ],
  accepts: [
    'a member named by the delegated administrator, and the management account in its own standalone context',
    async () => {
      const res = await account(securityTooling).send(
        new ListRegionsCommand({ AccountId: member, RegionOptStatusContains: ['ENABLED_BY_DEFAULT'] }),
      );
      expect(res.Regions?.map((r) => r.RegionName)).toContain('eu-west-1');
      const own = await account(management).send(
        new ListRegionsCommand({ RegionOptStatusContains: ['ENABLED_BY_DEFAULT'] }),
      );
      expect(own.Regions?.map((r) => r.RegionName)).toContain('eu-west-1');
    },
  ],
});

conformance('account:ListRegions', {
  behaviour: 'a NextToken it did not issue is a validation error',
  source:
    'botocore account model, ListRegions errors: ValidationException ("The operation failed because one of the input parameters was invalid"), AccessDeniedException, TooManyRequestsException, InternalServerException; NextToken: "This is the NextToken from a previously truncated response."',
  refuses: [
    'a token of its own making',
    async () => {
      await expect(
        account(member).send(new ListRegionsCommand({ NextToken: 'not-a-token' })),
      ).rejects.toMatchObject({ name: 'ValidationException' });
    },
  ],
  accepts: [
    'the token of a truncated answer',
    async () => {
      const first = await account(member).send(new ListRegionsCommand({ MaxResults: 5 }));
      expect(first.NextToken).toBeDefined();
      const next = await account(member).send(
        new ListRegionsCommand({ MaxResults: 5, NextToken: first.NextToken }),
      );
      expect(next.Regions?.length).toBeGreaterThan(0);
    },
  ],
});
