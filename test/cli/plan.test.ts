import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { CliDeps, runCli } from '../../cli/main';
import { exampleConfigPath } from '../stacks/example-app';

const lambda = mockClient(LambdaClient);
const orgs = mockClient(OrganizationsClient);

function cli() {
  const out: string[] = [];
  const deps: CliDeps = {
    io: { out: (l) => out.push(l), err: (l) => out.push(`ERR ${l}`) },
    clients: () => ({
      ddb: new DynamoDBClient({}),
      sfn: new SFNClient({}),
      orgs: new OrganizationsClient({}),
      sts: new STSClient({}),
      lambda: new LambdaClient({}),
    }),
    sleep: async () => undefined,
    now: () => new Date('2026-11-29T01:02:03.456Z'),
    pollMs: 0,
    env: {},
  };
  return { out, run: (...args: string[]) => runCli([...args, '--config', exampleConfigPath], deps) };
}

describe('logwarden plan', () => {
  beforeEach(() => {
    lambda.reset();
    orgs.reset();
    orgs.on(ListAccountsCommand).resolves({
      Accounts: [
        { Id: '444444444444', State: 'ACTIVE' },
        { Id: '111111111111', State: 'ACTIVE' },
      ],
    });
    lambda.on(InvokeCommand).callsFake((input: { FunctionName: string; Payload: Uint8Array }) => {
      const event = JSON.parse(Buffer.from(input.Payload).toString('utf8'));
      const control = input.FunctionName.replace('logwarden-control-ensure-', '');
      const planned =
        control === 'flow-logs'
          ? [{ service: 'EC2', operation: 'CreateFlowLogs', input: { ResourceIds: ['vpc-1'] } }]
          : [];
      return {
        Payload: Buffer.from(
          JSON.stringify({
            ...event,
            control,
            status: planned.length ? 'healed' : 'covered',
            evidence: {},
            actions: [],
            planned,
          }),
        ),
      };
    });
  });

  it('invokes every control of every cell read-only (plan: true) and prints the calls a heal would make, or nothing', async () => {
    const { out, run } = cli();
    expect(await run('plan', '--region', 'eu-west-1')).toBe(0);
    expect(out).toEqual([
      '444444444444 eu-west-1 flow-logs: 1 call(s)',
      '    EC2 CreateFlowLogs {"ResourceIds":["vpc-1"]}',
      '444444444444 eu-west-1 trail: nothing',
      '444444444444 eu-west-1 guardduty: nothing',
      '444444444444 eu-west-1 subscription: nothing',
      'plan: 1 of 4 cells would change, 0 excluded or not planned; nothing was changed',
    ]);
    const events = lambda.commandCalls(InvokeCommand).map((c) => ({
      fn: c.args[0].input.FunctionName,
      event: JSON.parse(Buffer.from(c.args[0].input.Payload as Uint8Array).toString('utf8')),
    }));
    expect(events.map((e) => e.fn).sort()).toEqual([
      'logwarden-control-ensure-flow-logs',
      'logwarden-control-ensure-guardduty',
      'logwarden-control-ensure-subscription',
      'logwarden-control-ensure-trail',
    ]);
    for (const e of events)
      expect(e.event).toMatchObject({ account: '444444444444', region: 'eu-west-1', plan: true });
  });

  it('an out-of-scope account is shown excluded, with the rule, and no control runs there', async () => {
    const { out, run } = cli();
    expect(await run('plan', '--account', '111111111111', '--region', 'eu-west-1')).toBe(0);
    expect(out[0]).toBe(
      '111111111111 eu-west-1 flow-logs: excluded (scope.coverManagementAccount is false: the management account is not covered)',
    );
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it('an ungoverned region is a usage error', async () => {
    const { out, run } = cli();
    expect(await run('plan', '--region', 'ap-east-1')).toBe(2);
    expect(out.join('\n')).toContain('--region ap-east-1: not a governed region');
  });
});
