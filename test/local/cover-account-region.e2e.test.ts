/**
 * End to end on a real stand-in: moto server (multi-account through STS AssumeRole), the
 * cover-account-region ASL that `cdk synth` produces, run by aws-local-stepfunctions with every
 * Task bound to the real handler, configured with the environment the stack gives it.
 */
import { CloudTrailClient, GetTrailStatusCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { startMoto, type Moto } from '../../local/moto';
import {
  deployControlPlane,
  e2eConfig as config,
  ledgerStatuses,
  memberFlowLogs,
} from '../../local/emulated-org';

let moto: Moto;
let cover: Awaited<ReturnType<typeof deployControlPlane>>['cover'];

beforeAll(async () => {
  moto = await startMoto();
  ({ cover } = await deployControlPlane(moto.endpoint));
}, 120_000);

afterAll(async () => {
  await moto?.stop();
});

describe('cover-account-region against moto (synthesized ASL, real handlers)', () => {
  it('a new account is covered in every governed region; what moto cannot emulate says so', async () => {
    for (const region of config.governedRegions) await cover(region, `new-${region}`);
    for (const region of config.governedRegions) {
      const fl = await memberFlowLogs(region);
      expect(fl.vpcs).toHaveLength(2); // the default VPC and the member's own
      expect(fl.covered).toEqual(fl.vpcs);
    }
    const statuses = await ledgerStatuses();
    for (const region of config.governedRegions) {
      expect(statuses[`${region}#flow-logs`]).toBe('healed');
      expect(statuses[`${region}#guardduty`]).toBe('not-emulated');
      expect(statuses[`${region}#subscription`]).toBe('not-emulated');
    }
    // The organization trail is created once (first region), then found.
    expect([statuses['eu-west-1#trail'], statuses['eu-central-1#trail']].sort()).toEqual([
      'covered',
      'healed',
    ]);
  }, 120_000);

  it('running it three times gives an identical state: no duplicate flow logs or trails', async () => {
    const before = await Promise.all(config.governedRegions.map((r) => memberFlowLogs(r)));
    for (let i = 0; i < 3; i++)
      for (const region of config.governedRegions) await cover(region, `again-${i}-${region}`);
    const after = await Promise.all(config.governedRegions.map((r) => memberFlowLogs(r)));
    expect(after).toEqual(before);
    const statuses = await ledgerStatuses();
    for (const region of config.governedRegions) {
      expect(statuses[`${region}#flow-logs`]).toBe('covered');
      expect(statuses[`${region}#trail`]).toBe('covered');
    }
  }, 120_000);

  it('StopLogging is healed', async () => {
    const ct = new CloudTrailClient({ region: config.homeRegion });
    await ct.send(new StopLoggingCommand({ Name: 'logwarden-org-trail' }));
    expect((await ct.send(new GetTrailStatusCommand({ Name: 'logwarden-org-trail' }))).IsLogging).toBe(false);
    await cover('eu-west-1', 'after-stop-logging');
    expect((await ct.send(new GetTrailStatusCommand({ Name: 'logwarden-org-trail' }))).IsLogging).toBe(true);
    expect((await ledgerStatuses())['eu-west-1#trail']).toBe('healed');
  }, 60_000);
});
