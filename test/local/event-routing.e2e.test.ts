/**
 * Events in, healing out, locally: the local control plane matches events against the
 * patterns in events/, routes them with the dispatcher's code and runs the synthesized
 * workflows with the real handlers against moto, nested executions included.
 */
import { CloudTrailClient, DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CreateVpcCommand,
  DeleteFlowLogsCommand,
  DescribeFlowLogsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { accountCreatedEvent, LocalControlPlane } from '../../local/control-plane';
import { startMoto, type Moto } from '../../local/moto';
import {
  credentialsOf,
  deployControlPlane,
  e2eConfig as config,
  ledgerStatuses,
} from '../../local/emulated-org';

const newAccount = '555555555555';
let moto: Moto;
let plane: LocalControlPlane;

const apiCall = (
  id: string,
  account: string,
  region: string,
  source: string,
  detail: Record<string, unknown>,
) => ({
  version: '0',
  id,
  'detail-type': 'AWS API Call via CloudTrail',
  source,
  account,
  region,
  time: '2026-11-29T01:00:00Z',
  resources: [],
  detail: { awsRegion: region, recipientAccountId: account, ...detail },
});

async function ec2In(account: string, region: string) {
  return new EC2Client({ region, credentials: await credentialsOf(account, 'logwarden-member-execution') });
}

beforeAll(async () => {
  moto = await startMoto();
  const { template } = await deployControlPlane(moto.endpoint);
  plane = new LocalControlPlane(
    template,
    config.homeRegion,
    config.accounts.securityTooling,
    config.governedRegions,
  );
}, 120_000);

afterAll(async () => {
  await moto?.stop();
});

describe('event routing (local control plane)', () => {
  it('an account created in the organization is covered in every governed region (cover-account → cover-account-region)', async () => {
    const event = accountCreatedEvent(newAccount, config.accounts.management);
    const [started] = await plane.dispatch(event);
    expect(started).toMatchObject({
      workflow: 'cover-account',
      // Coalesced: one cover-account per account and 5-minute window (functions/dispatch/route.ts).
      name: expect.stringMatching(/^account-555555555555-\d{12}$/),
      duplicate: false,
    });
    expect(plane.runs.map((r) => r.workflow).sort()).toEqual([
      'cover-account',
      'cover-account-region',
      'cover-account-region',
    ]);
    for (const region of config.governedRegions) {
      const flowLogs =
        (await (await ec2In(newAccount, region)).send(new DescribeFlowLogsCommand({}))).FlowLogs ?? [];
      expect(flowLogs).toHaveLength(1); // the default VPC's
    }
    expect((await plane.dispatch(event))[0]).toMatchObject({ duplicate: true });
  }, 180_000);

  it('running cover-account three times gives an identical state: no duplicate flow logs, trails or ledger rows', async () => {
    const snapshot = async () => {
      const perRegion = [];
      for (const region of config.governedRegions) {
        const flowLogs =
          (await (await ec2In(newAccount, region)).send(new DescribeFlowLogsCommand({}))).FlowLogs ?? [];
        perRegion.push(flowLogs.map((f) => `${f.ResourceId}:${f.FlowLogId}`).sort());
      }
      const trails =
        (await new CloudTrailClient({ region: config.homeRegion }).send(new DescribeTrailsCommand({})))
          .trailList ?? [];
      return { perRegion, trails: trails.map((t) => t.TrailARN), ledger: await ledgerStatuses(newAccount) };
    };
    const before = await snapshot();
    for (const i of [1, 2, 3])
      await plane.start('cover-account', `manual-${newAccount}-${i}`, {
        account: newAccount,
        trigger: 'manual',
      });
    const after = await snapshot();
    expect(after.perRegion).toEqual(before.perRegion);
    expect(after.trails).toEqual(before.trails);
    expect(after.trails).toHaveLength(1);
    expect(Object.keys(after.ledger).sort()).toEqual(Object.keys(before.ledger).sort());
    expect(after.ledger['eu-west-1#flow-logs']).toBe('covered');
  }, 180_000);

  it('a VPC created later is covered through cover-vpc', async () => {
    const ec2 = await ec2In(newAccount, 'eu-central-1');
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }))).Vpc!.VpcId!;
    const event = apiCall('vpc-555', newAccount, 'eu-central-1', 'aws.ec2', {
      eventSource: 'ec2.amazonaws.com',
      eventName: 'CreateVpc',
      responseElements: { vpc: { vpcId } },
    });
    const [started] = await plane.dispatch(event);
    expect(started).toMatchObject({ workflow: 'cover-vpc', duplicate: false });
    const flowLogs = (await ec2.send(new DescribeFlowLogsCommand({}))).FlowLogs ?? [];
    expect(flowLogs.map((f) => f.ResourceId)).toContain(vpcId);
  }, 120_000);

  it('DeleteFlowLogs is healed by cover-account-region, and its re-delivery starts nothing', async () => {
    const ec2 = await ec2In(newAccount, 'eu-west-1');
    const [victim] = (await ec2.send(new DescribeFlowLogsCommand({}))).FlowLogs ?? [];
    await ec2.send(new DeleteFlowLogsCommand({ FlowLogIds: [victim.FlowLogId!] }));
    const event = apiCall('delete-fl-555', newAccount, 'eu-west-1', 'aws.ec2', {
      eventSource: 'ec2.amazonaws.com',
      eventName: 'DeleteFlowLogs',
    });
    const [started] = await plane.dispatch(event);
    expect(started).toMatchObject({ workflow: 'cover-account-region', duplicate: false });
    const after = (await ec2.send(new DescribeFlowLogsCommand({}))).FlowLogs ?? [];
    expect(after.map((f) => f.ResourceId)).toContain(victim.ResourceId);
    expect((await plane.dispatch(event))[0]).toMatchObject({ duplicate: true });
    expect((await ledgerStatuses(newAccount))['eu-west-1#flow-logs']).toBe('healed');
  }, 120_000);

  it('an event in a region that is not governed starts nothing', async () => {
    const event = apiCall('stop-ap', newAccount, 'ap-east-1', 'aws.cloudtrail', {
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'StopLogging',
    });
    expect(await plane.dispatch(event)).toEqual([]);
  });
});
