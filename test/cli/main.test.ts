import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DescribeAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CliDeps, runCli } from '../../cli/main';
import { exampleConfigPath, exampleConfigRaw } from '../stacks/example-app';

const ddb = mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);
const orgs = mockClient(OrganizationsClient);

function cli() {
  const out: string[] = [];
  const err: string[] = [];
  const deps: CliDeps = {
    io: { out: (l) => out.push(l), err: (l) => err.push(l) },
    clients: () => ({
      ddb: new DynamoDBClient({}),
      sfn: new SFNClient({}),
      orgs: new OrganizationsClient({}),
    }),
    sleep: async () => undefined,
    now: () => new Date('2026-11-29T01:02:03.456Z'),
  };
  const run = (...args: string[]) => runCli([...args, '--config', exampleConfigPath], deps);
  return { run, out, err, deps };
}

const item = (account: string, region: string, control: string, status: string) => ({
  account: { S: account },
  regionControl: { S: `${region}#${control}` },
  region: { S: region },
  control: { S: control },
  status: { S: status },
  lastVerified: { S: '2026-11-28T00:00:00Z' },
});

beforeEach(() => {
  ddb.reset();
  sfn.reset();
  orgs.reset();
  orgs.on(DescribeAccountCommand).resolves({ Account: { Id: '444444444444' } });
  ddb.on(ScanCommand).resolves({
    Items: [
      ...['flow-logs', 'trail', 'guardduty', 'subscription'].map((c) =>
        item('444444444444', 'eu-west-1', c, 'covered'),
      ),
      item('444444444444', 'eu-central-1', 'flow-logs', 'healed'),
      item('444444444444', 'eu-central-1', 'trail', 'failed'),
    ],
  });
});

describe('logwarden CLI', () => {
  it('coverage: the matrix as a table with % covered; gaps shown as gaps', async () => {
    const c = cli();
    expect(await c.run('coverage')).toBe(0);
    const text = c.out.join('\n');
    expect(text).toMatch(/444444444444 {2}eu-west-1 +ok +ok +ok +ok\n/);
    expect(text).toMatch(/444444444444 {2}eu-central-1 {2}healed +FAILED +gap +gap/);
    expect(text).toContain('5/8 covered (62.5%)');
  });

  it('coverage --json and --html FILE', async () => {
    const c = cli();
    await c.run('coverage', '--json');
    const json = JSON.parse(c.out.join('\n'));
    expect(json).toMatchObject({ percentCovered: 62.5, covered: 5, total: 8 });
    expect(json.matrix[1].controls.guardduty).toEqual({ status: 'gap' });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'lw-')), 'coverage.html');
    await c.run('coverage', '--html', file);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('<h1>logwarden coverage: 62.5% (5/8)</h1>');
    expect(html).toContain('title="failed · verified 2026-11-28T00:00:00Z"');
  });

  it('remediate --account --region --wait: starts cover-account-region, shows progress, exit 0 on success', async () => {
    sfn.on(StartExecutionCommand).callsFake((input) => ({
      executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
    }));
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: 'RUNNING' })
      .resolves({
        status: 'SUCCEEDED',
        output: JSON.stringify({ counts: { covered: 3, healed: 1 }, failed: [] }),
      });
    const c = cli();
    expect(await c.run('remediate', '--account', '444444444444', '--region', 'eu-central-1', '--wait')).toBe(
      0,
    );
    const start = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(start.stateMachineArn).toBe(
      'arn:aws:states:eu-west-1:333333333333:stateMachine:logwarden-cover-account-region',
    );
    expect(JSON.parse(start.input!)).toEqual({
      account: '444444444444',
      region: 'eu-central-1',
      trigger: 'manual',
    });
    expect(start.name).toBe('manual-444444444444-eu-central-1-2026-11-29T010203456Z');
    expect(c.out).toEqual([
      `started cover-account-region: arn:aws:states:eu-west-1:333333333333:execution:logwarden-cover-account-region:${start.name}`,
      '2026-11-29T01:02:03.456Z  RUNNING',
      '2026-11-29T01:02:03.456Z  SUCCEEDED',
      'result: {"covered":3,"healed":1}',
    ]);
  });

  it('remediate --wait exits non-zero when a control failed or the execution failed', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });
    sfn.on(DescribeExecutionCommand).resolves({
      status: 'SUCCEEDED',
      output: JSON.stringify({
        counts: { failed: 1 },
        failed: [{ account: '444444444444', region: 'eu-west-1', control: 'trail', reason: 'AccessDenied' }],
      }),
    });
    const c = cli();
    expect(await c.run('remediate', '--account', '444444444444', '--wait')).toBe(1);
    expect(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.stateMachineArn).toContain(
      ':stateMachine:logwarden-cover-account',
    );
    expect(c.err).toEqual(['failed: 444444444444 eu-west-1 trail: AccessDenied']);
    sfn
      .on(DescribeExecutionCommand)
      .resolves({ status: 'FAILED', error: 'States.Timeout', cause: 'timed out' });
    const d = cli();
    expect(await d.run('remediate', '--account', '444444444444', '--wait')).toBe(1);
    expect(d.err).toEqual(['execution FAILED: States.Timeout timed out']);
  });

  it('sweep [--wait] starts the sweep', async () => {
    sfn.on(StartExecutionCommand).resolves({
      executionArn: 'arn:aws:states:eu-west-1:333333333333:execution:logwarden-sweep:manual-sweep',
    });
    const c = cli();
    expect(await c.run('sweep')).toBe(0);
    expect(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.stateMachineArn).toBe(
      'arn:aws:states:eu-west-1:333333333333:stateMachine:logwarden-sweep',
    );
  });

  it.each([
    [['remediate'], 'error: remediate needs --account ID'],
    [['remediate', '--account', '12'], 'error: --account 12: must be a 12-digit AWS account id'],
    [
      ['remediate', '--account', '444444444444', '--region', 'ap-east-1'],
      'error: --region ap-east-1: not a governed region (governed: eu-west-1, eu-central-1)',
    ],
    [['coverage', '--html'], 'error: --html needs a value'],
    [['frobnicate'], 'error: unknown command: frobnicate'],
    [['coverage', '--verbose'], 'error: unknown option --verbose'],
  ])('a user mistake %j is one clear line, exit 2', async (args, message) => {
    const c = cli();
    expect(await c.run(...args)).toBe(2);
    expect(c.err[0]).toContain(message);
    expect(c.err.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('an unknown account and missing credentials are clear errors too', async () => {
    orgs
      .on(DescribeAccountCommand)
      .rejects(Object.assign(new Error('nope'), { name: 'AccountNotFoundException' }));
    const c = cli();
    expect(await c.run('remediate', '--account', '999999999999')).toBe(2);
    expect(c.err[0]).toBe('error: --account 999999999999: unknown account, not in organization o-a1b2c3d4e5');
    ddb.on(ScanCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    const d = cli();
    expect(await d.run('coverage')).toBe(2);
    expect(d.err[0]).toContain('error: no AWS credentials');
  });

  it('a broken config names the field, exit 2', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'lw-')), 'c.json');
    writeFileSync(file, JSON.stringify({ ...exampleConfigRaw(), governedRegions: ['eu-central-1'] }));
    const c = cli();
    expect(await runCli(['coverage', '--config', file], c.deps)).toBe(2);
    expect(c.err[0]).toContain('governedRegions: must include the home region eu-west-1');
  });

  it('config check', async () => {
    const c = cli();
    expect(await c.run('config', 'check')).toBe(0);
    expect(c.out[0]).toContain('config is valid');
  });
});
