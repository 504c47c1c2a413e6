/**
 * EC2 CreateFlowLogs idempotency on logwarden's moto extension (real SDK): a repeated client
 * token with the same parameters returns the first result and creates nothing, even after the
 * flow log was deleted; with other parameters it is refused (EC2 "Ensuring idempotency").
 */
import {
  CreateFlowLogsCommand,
  CreateVpcCommand,
  DeleteFlowLogsCommand,
  DescribeFlowLogsCommand,
  EC2Client,
  type CreateFlowLogsCommandInput,
} from '@aws-sdk/client-ec2';
import { World, member } from './world';

let world: World;
let ec2: EC2Client;
let vpcId: string;

const request = (token: string, extra: Partial<CreateFlowLogsCommandInput> = {}) =>
  new CreateFlowLogsCommand({
    ResourceIds: [vpcId],
    ResourceType: 'VPC',
    TrafficType: 'ALL',
    LogDestinationType: 'cloud-watch-logs',
    LogGroupName: '/logwarden/vpc-flow-logs',
    DeliverLogsPermissionArn: `arn:aws:iam::${member}:role/logwarden-flow-logs`,
    ClientToken: token,
    ...extra,
  });

const flowLogIds = async () =>
  ((await ec2.send(new DescribeFlowLogsCommand({}))).FlowLogs ?? []).map((f) => f.FlowLogId!).sort();

beforeAll(async () => {
  world = await World.start();
  ec2 = world.as(EC2Client, member);
  vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
}, 60_000);

afterAll(() => world?.stop());

describe('CreateFlowLogs client tokens', () => {
  it('a replay returns the first result and creates nothing', async () => {
    const first = await ec2.send(request('cover-vpc-1'));
    const again = await ec2.send(request('cover-vpc-1'));
    expect(again.FlowLogIds).toEqual(first.FlowLogIds);
    expect(await flowLogIds()).toEqual(first.FlowLogIds);
  });

  it('after DeleteFlowLogs the same token still answers with the deleted flow log; a fresh token heals', async () => {
    const [deleted] = await flowLogIds();
    await ec2.send(new DeleteFlowLogsCommand({ FlowLogIds: [deleted] }));
    const replay = await ec2.send(request('cover-vpc-1'));
    expect(replay.FlowLogIds).toEqual([deleted]);
    expect(await flowLogIds()).toEqual([]);
    const fresh = await ec2.send(request('cover-vpc-2'));
    expect(fresh.FlowLogIds).toHaveLength(1);
    expect(fresh.FlowLogIds).not.toEqual([deleted]);
    expect(await flowLogIds()).toEqual(fresh.FlowLogIds);
  });

  it('the same token with different parameters is IdempotentParameterMismatch', async () => {
    await expect(ec2.send(request('cover-vpc-2', { TrafficType: 'REJECT' }))).rejects.toMatchObject({
      name: 'IdempotentParameterMismatch',
    });
  });
});
