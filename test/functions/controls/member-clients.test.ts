import { EC2Client, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import {
  isAssumeRoleDenied,
  memberCredentials,
  MemberRoleUnavailable,
} from '../../../functions/shared/member-clients';

const denied = Object.assign(
  new Error(
    'User: arn:aws:sts::333333333333:assumed-role/logwarden-control-ensure-flow-logs/x is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::555555555555:role/logwarden-member-execution',
  ),
  { name: 'AccessDenied' },
);

describe('member credentials', () => {
  it('a denied AssumeRole (the StackSet has not created the role yet) becomes MemberRoleUnavailable', async () => {
    const creds = memberCredentials('555555555555', 'eu-west-1', async () => {
      throw denied;
    });
    const err = await creds().catch((e: Error) => e);
    expect(err).toBeInstanceOf(MemberRoleUnavailable);
    expect(err).toMatchObject({ name: 'MemberRoleUnavailable', account: '555555555555', cause: denied });
    expect((err as Error).message).toContain('arn:aws:iam::555555555555:role/logwarden-member-execution');
  });

  it('an SDK call through those credentials fails with that name, which the workflows retry', async () => {
    const ec2 = new EC2Client({
      region: 'eu-west-1',
      credentials: memberCredentials('555555555555', 'eu-west-1', async () => {
        throw denied;
      }),
    });
    await expect(ec2.send(new DescribeVpcsCommand({}))).rejects.toMatchObject({
      name: 'MemberRoleUnavailable',
    });
  });

  it('other errors pass through unchanged: a throttled STS, or an AccessDenied of a member API', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
    await expect(
      memberCredentials('555555555555', 'eu-west-1', async () => {
        throw throttled;
      })(),
    ).rejects.toBe(throttled);
    expect(
      isAssumeRoleDenied(
        Object.assign(new Error('not authorized to perform: ec2:CreateFlowLogs'), { name: 'AccessDenied' }),
      ),
    ).toBe(false);
    expect(isAssumeRoleDenied(denied)).toBe(true);
  });

  it('one session for every client that shares the provider, renewed before it expires; a refusal is not kept', async () => {
    let calls = 0;
    let expiresIn = 900_000;
    let refuse = true;
    const creds = memberCredentials('555555555555', 'eu-west-1', async () => {
      calls++;
      if (refuse) throw denied;
      return {
        accessKeyId: `AKIA${calls}`,
        secretAccessKey: 's',
        expiration: new Date(Date.now() + expiresIn),
      };
    });
    await expect(creds()).rejects.toBeInstanceOf(MemberRoleUnavailable);
    refuse = false; // the StackSet instance arrived
    const [a, b] = await Promise.all([creds(), creds()]);
    expect(a).toBe(b);
    expect(await creds()).toBe(a);
    expect(calls).toBe(2);

    // A session within a minute of its end is not handed out: STS is asked again.
    expiresIn = 30_000;
    const short = memberCredentials('555555555555', 'eu-west-1', async () => {
      calls++;
      return {
        accessKeyId: `AKIA${calls}`,
        secretAccessKey: 's',
        expiration: new Date(Date.now() + expiresIn),
      };
    });
    const first = await short();
    expect(await short()).not.toBe(first);
    expect(calls).toBe(4);
  });
});
