/**
 * Every control paginates: an account with 250 VPCs, 60 of them already carrying logwarden's
 * flow log, is covered in full by cover-account-region (synthesized ASL, real handlers, strict
 * stand-ins): every VPC ends with exactly one flow log, none duplicated. The stand-in pages
 * DescribeVpcs and DescribeFlowLogs as EC2 does (MaxResults, NextToken; local/standins/ec2.py),
 * checked here first; the control's own NextToken loops are unit-tested with pages of 1,000
 * (test/functions/controls/ensure-flow-logs.test.ts).
 */
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateFlowLogsCommand, CreateVpcCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { names } from '../../contracts/names';
import { flowLogGroupFor, logFormatString, logwardenFormat } from '../../functions/shared/flow-log-formats';
import { startCountingProxy, type CountingProxy } from '../../local/counting-proxy';
import { ledgerStatuses, member, memberFlowLogs } from '../../local/emulated-org';
import { startMoto, type Moto } from '../../local/moto';
import { existingAccount } from '../../local/scenario/onboard';
import { emulateOrganization, type Organization } from '../../local/scenario/organization';

let moto: Moto;
let proxy: CountingProxy;
let org: Organization;
let ec2: EC2Client;
let region: string;
const VPCS = 250;
const FLOW_LOGS = 60;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startCountingProxy(moto.endpoint);
  org = await emulateOrganization(proxy.endpoint, { members: [member] });
  region = org.config.homeRegion;
  await existingAccount(org, member); // the default VPC and one of the account's own
  ec2 = new EC2Client({ region, credentials: await org.admin(member) });
  for (let i = 2; i < VPCS; i++)
    await ec2.send(new CreateVpcCommand({ CidrBlock: `10.${100 + Math.floor(i / 200)}.${i % 200}.0/24` }));
}, 300_000);

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

async function allVpcIds(pageSize?: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let pages = 0;
  let NextToken: string | undefined;
  do {
    const res = await ec2.send(new DescribeVpcsCommand({ MaxResults: pageSize, NextToken }));
    ids.push(...(res.Vpcs ?? []).map((v) => v.VpcId!));
    NextToken = res.NextToken;
    pages++;
  } while (NextToken);
  return { ids, pages };
}

describe('pagination: 250 VPCs, 60 flow logs', () => {
  it('the stand-in pages DescribeVpcs as EC2 does: MaxResults 5 to 1,000, then NextToken', async () => {
    const whole = await allVpcIds();
    expect(whole).toMatchObject({ pages: 1 });
    expect(whole.ids).toHaveLength(VPCS);
    const paged = await allVpcIds(100);
    expect(paged.pages).toBe(3);
    expect(paged.ids).toEqual(whole.ids);
    expect(new Set(paged.ids).size).toBe(VPCS);
    await expect(ec2.send(new DescribeVpcsCommand({ MaxResults: 4 }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
    await expect(ec2.send(new DescribeVpcsCommand({ MaxResults: 1001 }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
  });

  it('cover-account-region covers every VPC with exactly one flow log, none duplicated', async () => {
    const { ids } = await allVpcIds(1000);
    // 60 VPCs already carry logwarden's flow log, created as the control creates it.
    const group = flowLogGroupFor(logwardenFormat);
    await new CloudWatchLogsClient({ region, credentials: await org.admin(member) }).send(
      new CreateLogGroupCommand({ logGroupName: group }),
    );
    const already = ids.filter((_, i) => i % 4 === 0).slice(0, FLOW_LOGS);
    expect(already).toHaveLength(FLOW_LOGS);
    const created = await ec2.send(
      new CreateFlowLogsCommand({
        ResourceType: 'VPC',
        ResourceIds: already,
        TrafficType: 'ALL',
        LogDestinationType: 'cloud-watch-logs',
        LogGroupName: group,
        LogFormat: logFormatString(logwardenFormat),
        MaxAggregationInterval: 60,
        DeliverLogsPermissionArn: `arn:aws:iam::${member}:role/${names.flowLogsDeliveryRole}`,
      }),
    );
    expect(created.FlowLogIds).toHaveLength(FLOW_LOGS);

    proxy.reset();
    await org.plane.start('cover-account-region', 'pagination-250', { account: member, region });
    const after = await memberFlowLogs(region);
    expect(after.vpcs).toHaveLength(VPCS);
    expect(after.covered).toEqual(after.vpcs);
    expect(after.count).toBe(VPCS); // exactly one each: the 60 kept, 190 created
    expect((await ledgerStatuses())[`${region}#flow-logs`]).toBe('healed');
    const flowLogCalls = proxy.calls.filter((c) => c.fn === 'ensure-flow-logs' && c.service === 'ec2');
    expect(flowLogCalls.map((c) => c.operation)).toEqual([
      'DescribeVpcs',
      'DescribeFlowLogs',
      'CreateFlowLogs',
    ]);

    // Again: covered, nothing created.
    proxy.reset();
    await org.plane.start('cover-account-region', 'pagination-250-again', { account: member, region });
    expect((await memberFlowLogs(region)).count).toBe(VPCS);
    expect((await ledgerStatuses())[`${region}#flow-logs`]).toBe('covered');
  }, 300_000);
});
