/**
 * End to end on the strict stand-ins (moto with logwarden's extension, the organization's
 * prerequisites and the log-archive destinations in place; multi-account through AssumeRole), the
 * cover-account-region ASL that `cdk synth` produces, run by aws-local-stepfunctions with every
 * Task bound to the real handler, configured with the environment the stack gives it.
 */
import { CloudTrailClient, GetTrailStatusCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { DeleteFlowLogsCommand, DescribeFlowLogsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { organizationTrailArn } from '../../contracts/names';
import {
  credentialsOf,
  e2eConfig as config,
  ledgerStatuses,
  member,
  memberFlowLogs,
  organizationAccessRole,
} from '../../local/emulated-org';
import { startMoto, type Moto } from '../../local/moto';
import { disagreements, judge } from '../../local/judge';
import { readLedger } from '../../cli/ledger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { existingAccount } from '../../local/scenario/onboard';
import { emulateOrganization, type Organization } from '../../local/scenario/organization';

let moto: Moto;
let org: Organization;
const cover = (region: string, name: string) =>
  org.plane.start('cover-account-region', name, { account: member, region });

beforeAll(async () => {
  moto = await startMoto();
  org = await emulateOrganization(moto.endpoint, { members: [member] });
  await existingAccount(org, member);
}, 300_000);

afterAll(async () => {
  await moto?.stop();
});

describe('cover-account-region against moto (synthesized ASL, real handlers)', () => {
  it('a new account is covered in every governed region; every control on the strict stand-ins', async () => {
    for (const region of config.governedRegions) await cover(region, `new-${region}`);
    for (const region of config.governedRegions) {
      const fl = await memberFlowLogs(region);
      expect(fl.vpcs).toHaveLength(2); // the default VPC and the member's own
      expect(fl.covered).toEqual(fl.vpcs);
    }
    const statuses = await ledgerStatuses();
    for (const region of config.governedRegions) {
      expect(statuses[`${region}#flow-logs`]).toBe('healed');
      for (const control of ['guardduty', 'subscription'])
        expect(statuses[`${region}#${control}`]).toMatch(/^(covered|healed)$/);
    }
    // The organization trail is created once (first region), then found.
    expect([statuses['eu-west-1#trail'], statuses['eu-central-1#trail']].sort()).toEqual([
      'covered',
      'healed',
    ]);
    // The ledger agrees with the stand-ins' state, read by the judge (local/judge.ts).
    const verdicts = await judge(org, [member], config.governedRegions);
    expect(disagreements(verdicts, await readLedger(new DynamoDBClient({}), 'logwarden-coverage'))).toEqual(
      [],
    );
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
    // The delegated administrator reaches the organization trail only by the management account's ARN.
    const trailArn = organizationTrailArn(config.homeRegion, config.accounts.management, config.trail.name);
    const ct = new CloudTrailClient({ region: config.homeRegion });
    await ct.send(new StopLoggingCommand({ Name: trailArn }));
    expect((await ct.send(new GetTrailStatusCommand({ Name: trailArn }))).IsLogging).toBe(false);
    await cover('eu-west-1', 'after-stop-logging');
    expect((await ct.send(new GetTrailStatusCommand({ Name: trailArn }))).IsLogging).toBe(true);
    expect((await ledgerStatuses())['eu-west-1#trail']).toBe('healed');
  }, 60_000);

  // Issue 21 §21: twenty concurrent heals of one cell after DeleteFlowLogs. One creates the flow
  // log; the others meet "FlowLogAlreadyExists" ("There is an existing Flow Log with the same
  // configuration and log destination"), which is success for logwarden's own destination, and
  // the ledger keeps the newest execution's result, not the last writer's.
  it('twenty concurrent heals of one cell: one flow log per VPC, and the ledger says covered or healed', async () => {
    const region = 'eu-central-1';
    const ec2 = new EC2Client({ region, credentials: await credentialsOf(member, organizationAccessRole) });
    const ids = ((await ec2.send(new DescribeFlowLogsCommand({}))).FlowLogs ?? []).map((f) => f.FlowLogId!);
    await ec2.send(new DeleteFlowLogsCommand({ FlowLogIds: ids }));
    const outputs = await Promise.all(Array.from({ length: 20 }, (_, i) => cover(region, `concurrent-${i}`)));
    const fl = await memberFlowLogs(region);
    expect(fl.covered).toEqual(fl.vpcs);
    expect(fl.count).toBe(fl.vpcs.length);
    expect(outputs.flatMap((o) => (o.run?.output as { failed: unknown[] }).failed)).toEqual([]);
    expect((await ledgerStatuses())[`${region}#flow-logs`]).toMatch(/^(covered|healed)$/);
  }, 240_000);
});
