/** A person creates a VPC in a member account; CloudTrail records the call where it was made. */
import { CreateVpcCommand, DescribeFlowLogsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { recordedCall } from './api-call';
import type { Organization } from './organization';
import type { Say } from './report';

export async function createVpc(org: Organization, account: string, region: string, cidrBlock: string) {
  const ec2 = new EC2Client({ region, credentials: await org.admin(account) });
  const call = await recordedCall(
    org,
    {
      caller: { account },
      region,
      service: 'ec2',
      eventName: 'CreateVpc',
    },
    () => ec2.send(new CreateVpcCommand({ CidrBlock: cidrBlock })),
  );
  const vpcId = call.result?.Vpc?.VpcId;
  return { ...call, vpcId, flowLogged: vpcId ? await hasFlowLog(ec2, vpcId) : false };
}

/**
 * A VPC made before logwarden, when no trail logs the account's calls: EventBridge never sees
 * the call ("To record events with a detail-type value of AWS API Call via CloudTrail, a
 * CloudTrail trail with logging enabled is required", EventBridge User Guide), so the stand-in
 * emits nothing for it and there is nothing to route.
 */
export async function vpcBeforeLogwarden(
  org: Organization,
  account: string,
  region: string,
  cidrBlock: string,
): Promise<string> {
  const ec2 = new EC2Client({ region, credentials: await org.admin(account) });
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: cidrBlock }))).Vpc?.VpcId;
  if (!vpcId) throw new Error(`the VPC of ${account} in ${region} went wrong`);
  return vpcId;
}

export async function hasFlowLog(ec2: EC2Client, vpcId: string): Promise<boolean> {
  const res = await ec2.send(
    new DescribeFlowLogsCommand({ Filter: [{ Name: 'resource-id', Values: [vpcId] }] }),
  );
  return (res.FlowLogs ?? []).some((f) => f.ResourceId === vpcId);
}

/** A VPC created in a member account (healed by cover-vpc), and one AWS refuses (starts nothing). */
export async function newVpcs(org: Organization, account: string, say: Say): Promise<void> {
  const region = org.config.homeRegion;
  const vpc = await createVpc(org, account, region, '10.40.0.0/16');
  say(
    `CreateVpc ${vpc.vpcId} in ${account} ${region} → ${vpc.started.map((s) => s.workflow).join(', ') || 'nothing'}: flow log ${vpc.flowLogged ? 'created' : 'MISSING'}`,
  );
  const refused = await createVpc(org, account, region, '10.0.0.0/8');
  say(
    `CreateVpc 10.0.0.0/8 refused (${refused.error?.code}) → ${refused.started.length ? 'STARTED a workflow' : 'nothing started'}`,
  );
  if (!vpc.flowLogged || refused.started.length) throw new Error('the VPC steps did not go as AWS would');
}
