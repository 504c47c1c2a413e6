import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeAccountCommand,
  ListAccountsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CliDeps, runCli } from '../../cli/main';
import { buildMatrix, renderHtml } from '../../cli/coverage-matrix';
import packageJson from '../../package.json';
import { exampleConfigPath, exampleConfigRaw } from '../stacks/example-app';

const ddb = mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);
const orgs = mockClient(OrganizationsClient);
const sts = mockClient(STSClient);

function cli() {
  const out: string[] = [];
  const err: string[] = [];
  const deps: CliDeps = {
    io: { out: (l) => out.push(l), err: (l) => err.push(l) },
    clients: () => ({
      ddb: new DynamoDBClient({}),
      sfn: new SFNClient({}),
      orgs: new OrganizationsClient({}),
      sts: new STSClient({}),
    }),
    sleep: async () => undefined,
    now: () => new Date('2026-11-29T01:02:03.456Z'),
    pollMs: 0,
    env: {},
  };
  const run = (...args: string[]) => runCli([...args, '--config', exampleConfigPath], deps);
  return { run, out, err, deps };
}

const item = (
  account: string,
  region: string,
  control: string,
  status: string,
  lastVerified = '2026-11-28T00:00:00Z',
) => ({
  account: { S: account },
  regionControl: { S: `${region}#${control}` },
  region: { S: region },
  control: { S: control },
  status: { S: status },
  lastVerified: { S: lastVerified },
});

const awsError = (name: string, message = name) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

beforeEach(() => {
  ddb.reset();
  sfn.reset();
  orgs.reset();
  sts.reset();
  orgs.on(DescribeAccountCommand).resolves({ Account: { Id: '444444444444' } });
  // The organization: one covered member, one the ledger never saw, the management account
  // (never swept) and a suspended account (no longer covered).
  orgs.on(ListAccountsCommand).resolves({
    Accounts: [
      { Id: '444444444444', State: 'ACTIVE' },
      { Id: '555555555555', State: 'ACTIVE' },
      { Id: '111111111111', State: 'ACTIVE' },
      { Id: '666666666666', State: 'SUSPENDED' },
    ],
  });
  ddb.on(ScanCommand).resolves({
    Items: [
      ...['flow-logs', 'trail', 'guardduty', 'subscription'].map((c) =>
        item('444444444444', 'eu-west-1', c, 'covered'),
      ),
      item('444444444444', 'eu-central-1', 'flow-logs', 'healed'),
      item('444444444444', 'eu-central-1', 'trail', 'failed'),
      item('444444444444', 'eu-central-1', 'guardduty', 'covered', '2026-11-26T23:00:00Z'),
      item('666666666666', 'eu-west-1', 'trail', 'covered'),
    ],
  });
});

describe('logwarden coverage', () => {
  it('joins the organization: an account with no ledger row is all gaps; a row older than two sweeps is stale', async () => {
    const c = cli();
    expect(await c.run('coverage')).toBe(0);
    const text = c.out.join('\n');
    expect(text).toMatch(/444444444444 {2}eu-west-1 +ok +ok +ok +ok\n/);
    // guardduty was verified 50 h ago: with rate(1 day), two sweeps are 48 h.
    expect(text).toMatch(/444444444444 {2}eu-central-1 {2}healed +FAILED +stale +gap\n/);
    expect(text).toMatch(/555555555555 {2}eu-west-1 +gap +gap +gap +gap\n/);
    expect(text).not.toContain('111111111111');
    expect(text).toContain('5/16 covered (31.3%)');
    expect(text).toContain('1 account(s) with no ledger row (gaps): 555555555555');
    expect(text).toContain('1 cell(s) stale: not verified in the last 48 h (two sweeps)');
    expect(text).toContain('not shown, no longer active in the organization: 666666666666');
  });

  it('--json carries gaps, stale cells with their recorded status, and the accounts', async () => {
    const c = cli();
    expect(await c.run('coverage', '--json')).toBe(0);
    const json = JSON.parse(c.out.join('\n'));
    expect(json).toMatchObject({
      percentCovered: 31.3,
      covered: 5,
      total: 16,
      staleAfterHours: 48,
      staleCells: 1,
      accountsWithoutRows: ['555555555555'],
      accountsNotInOrganization: ['666666666666'],
    });
    expect(json.matrix[1].controls.guardduty).toMatchObject({
      status: 'stale',
      recordedStatus: 'covered',
      lastVerified: '2026-11-26T23:00:00Z',
    });
    expect(json.matrix[1].controls.subscription).toEqual({ status: 'gap' });
    expect(json.matrix[2]).toMatchObject({ account: '555555555555', controls: { trail: { status: 'gap' } } });
  });

  it('--html FILE shows stale cells and the notes', async () => {
    const c = cli();
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'lw-')), 'coverage.html');
    expect(await c.run('coverage', '--html', file)).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('<h1>logwarden coverage: 31.3% (5/16)</h1>');
    // The cells travel as the page's data (drawn by its script): statuses, and the reasons a
    // click shows, the stale cell's among them.
    const data = JSON.parse(/<script type="application\/json" id="data">(.*?)<\/script>/s.exec(html)![1]);
    expect(data.statuses).toEqual(['covered', 'healed', 'failed', 'excluded', 'gap', 'stale']);
    expect(data.cells.join('')).toMatch(/2/);
    expect(data.reasons).toContain(
      'recorded covered, last verified 2026-11-26T23:00:00Z: not verified in 48 h',
    );
    expect(html).toContain('<p>1 account(s) with no ledger row (gaps): 555555555555</p>');
  });

  it('--html into a missing folder is one line before any AWS call, exit 2', async () => {
    const c = cli();
    expect(await c.run('coverage', '--html', '/nonexistent-lw/coverage.html')).toBe(2);
    expect(c.err).toEqual([
      'error: --html /nonexistent-lw/coverage.html: the folder /nonexistent-lw does not exist',
    ]);
    expect(ddb).not.toHaveReceivedCommand(ScanCommand);
  });

  it('a cron sweep schedule sets the stale threshold from its longest gap', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'lw-')), 'c.json');
    // Weekly on Sundays at 03:00: two sweeps are 14 days, so nothing here is stale.
    writeFileSync(
      file,
      JSON.stringify({
        ...exampleConfigRaw(),
        sweep: { scheduleExpression: 'cron(0 3 ? * SUN *)', maxConcurrency: 10 },
      }),
    );
    const c = cli();
    expect(await runCli(['coverage', '--json', '--config', file], c.deps)).toBe(0);
    expect(JSON.parse(c.out.join('\n'))).toMatchObject({ staleAfterHours: 336, staleCells: 0 });
  });
});

describe('logwarden remediate and sweep', () => {
  it('remediate --account --region --wait: starts cover-account-region, shows states and status, exit 0 on success', async () => {
    sfn.on(StartExecutionCommand).callsFake((input) => ({
      executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
    }));
    sfn
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({
        events: [
          {
            id: 2,
            type: 'ParallelStateEntered',
            stateEnteredEventDetails: { name: 'Controls' },
            timestamp: new Date(),
          },
          { id: 1, type: 'ExecutionStarted', timestamp: new Date() },
        ],
      })
      .resolves({
        events: [
          {
            id: 3,
            type: 'TaskStateEntered',
            stateEnteredEventDetails: { name: 'WriteLedger' },
            timestamp: new Date(),
          },
          {
            id: 2,
            type: 'ParallelStateEntered',
            stateEnteredEventDetails: { name: 'Controls' },
            timestamp: new Date(),
          },
        ],
      });
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
    const t = '2026-11-29T01:02:03.456Z';
    expect(c.out).toEqual([
      `started cover-account-region: arn:aws:states:eu-west-1:333333333333:execution:logwarden-cover-account-region:${start.name}`,
      `${t}  ${start.name}  entered Controls`,
      `${t}  ${start.name}  RUNNING`,
      `${t}  ${start.name}  entered WriteLedger`,
      `${t}  ${start.name}  SUCCEEDED`,
      'result: {"covered":3,"healed":1}',
    ]);
  });

  it('remediate --wait exits 1 when a control failed or the execution failed', async () => {
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: 'arn:aws:states:eu-west-1:333333333333:execution:x:y' });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
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
});

describe('the command line', () => {
  it.each([
    [['remediate'], "error: required option '--account <id>' not specified"],
    [
      ['remediate', '--account', '12'],
      "error: option '--account <id>' argument '12' is invalid. must be a 12-digit AWS account id",
    ],
    [
      ['remediate', '--account', '444444444444', '--region', 'ap-east-1'],
      'error: --region ap-east-1: not a governed region (governed: eu-west-1, eu-central-1)',
    ],
    [
      ['remediate', '--account', '444444444444', '--account', '555555555555'],
      '--account given twice; give it once',
    ],
    [
      ['remediate', '--account', '444444444444', '--region', 'eu-west-1', '--region', 'eu-central-1'],
      '--region given twice',
    ],
    [['coverage', '--html'], "error: option '--html <file>' argument missing"],
    [
      ['coverage', '--json', '--html', 'x.html'],
      "error: option '--json' cannot be used with option '--html <file>'",
    ],
    [['coverage', 'extra'], "error: too many arguments for 'coverage'"],
    [['sweep', 'now'], "error: too many arguments for 'sweep'"],
    [['frobnicate'], "error: unknown command 'frobnicate'"],
    [['coverage', '--verbose'], "error: unknown option '--verbose'"],
    [['coverage', '--timeout', 'soon'], "argument 'soon' is invalid. must be a number of seconds"],
  ])('a user mistake %j is one clear line, exit 2, and calls nothing', async (args, message) => {
    const c = cli();
    expect(await c.run(...args)).toBe(2);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toContain(message);
    expect(c.err.join('\n')).not.toMatch(/\n\s+at /);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('--version prints the package version; --help the commands and the exit codes; no argument the help', async () => {
    const c = cli();
    expect(await runCli(['--version'], c.deps)).toBe(0);
    expect(c.out).toEqual([packageJson.version]);
    const d = cli();
    expect(await runCli(['--help'], d.deps)).toBe(0);
    const help = d.out.join('\n');
    for (const word of [
      'coverage',
      'remediate',
      'sweep',
      'config',
      '--config',
      '--timeout',
      'Exit codes: 0 done',
    ])
      expect(help).toContain(word);
    const e = cli();
    expect(await runCli([], e.deps)).toBe(0);
    expect(e.out.join('\n')).toContain('Usage: logwarden');
    const f = cli();
    expect(await runCli(['remediate', '--help'], f.deps)).toBe(0);
    expect(f.out.join('\n')).toContain('--account <id>');
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

  it('with pipeline.regional, config check lists the pipelines and warns that the trail reaches one; config scp names every archive (issue 23 §6)', async () => {
    const regional = path.join(__dirname, '..', 'stacks', 'fixtures', 'regional.config.json');
    const c = cli();
    expect(await runCli(['config', 'check', '--config', regional], c.deps)).toBe(0);
    expect(c.out).toContain(
      'pipelines (pipeline.regional): eu-west-1 for eu-west-1; eu-central-1 for eu-central-1; us-east-1 for us-east-1, us-west-2',
    );
    expect(c.out).toContainEqual(
      expect.stringMatching(
        /^warning: pipeline.regional: the organization trail is multi-Region .* eu-west-1 only/,
      ),
    );
    const scp = cli();
    expect(await runCli(['config', 'scp', '--config', regional], scp.deps)).toBe(0);
    const buckets = (
      JSON.parse(scp.out.join('\n')) as { Statement: { Sid: string; Resource: string[] }[] }
    ).Statement[0].Resource.filter((r) => !r.endsWith('/*'));
    expect(buckets).toEqual(
      ['eu-west-1', 'eu-central-1', 'us-east-1'].flatMap((r) => [
        `arn:aws:s3:::logwarden-archive-222222222222-${r}`,
        `arn:aws:s3:::logwarden-archive-access-logs-222222222222-${r}`,
      ]),
    );
  });

  it('config check warns on opt-in Regions and an external organization trail without a log group (issue 21 §6, §8)', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'lw-')), 'c.json');
    const raw = exampleConfigRaw() as { accounts: { management: string }; homeRegion: string };
    writeFileSync(
      file,
      JSON.stringify({ ...raw, governedRegions: ['eu-west-1', 'eu-central-1', 'af-south-1'] }),
    );
    const c = cli();
    expect(await runCli(['config', 'check', '--config', file], c.deps)).toBe(0);
    expect(c.out[0]).toContain('config is valid');
    expect(c.out).toContainEqual(
      expect.stringMatching(/^warning: governedRegions: af-south-1 is an opt-in Region/),
    );
    // logwarden's own organization trail delivers to its group in security-tooling: no warning.
    expect(c.out.filter((l) => l.includes('trail.cloudWatchLogsGroupArn'))).toEqual([]);
    // An external organization trail without a configured group: its calls reach no pipeline.
    writeFileSync(
      file,
      JSON.stringify({
        ...raw,
        trail: {
          mode: 'external',
          arn: `arn:aws:cloudtrail:${raw.homeRegion}:${raw.accounts.management}:trail/aws-controltower-BaselineCloudTrail`,
        },
      }),
    );
    const e = cli();
    expect(await runCli(['config', 'check', '--config', file], e.deps)).toBe(0);
    expect(e.out).toContainEqual(
      expect.stringMatching(
        /^warning: trail.cloudWatchLogsGroupArn: the external organization trail has no CloudWatch Logs group/,
      ),
    );
  });
});

describe('AWS errors are one line with the documented exit code', () => {
  it('an unknown account is a usage error', async () => {
    orgs.on(DescribeAccountCommand).rejects(awsError('AccountNotFoundException'));
    const c = cli();
    expect(await c.run('remediate', '--account', '999999999999')).toBe(2);
    expect(c.err).toEqual([
      'error: --account 999999999999: unknown account, not in organization o-a1b2c3d4e5',
    ]);
  });

  it('no credentials: exit 5', async () => {
    ddb.on(ScanCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    const c = cli();
    expect(await c.run('coverage')).toBe(5);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toMatch(/^error: no AWS credentials/);
  });

  it.each([
    [
      'an expired SSO session',
      'The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login with the corresponding profile.',
      /^error: the AWS SSO session of this profile cannot give credentials \(The SSO session .*\): run aws sso login --profile/,
    ],
    [
      'a failing credential_process',
      'Command failed: /usr/local/bin/get-creds --role ops\nget-creds: vault sealed',
      /^error: the profile's credential_process failed \(Command failed: \/usr\/local\/bin\/get-creds --role ops get-creds: vault sealed\)/,
    ],
  ])('%s says so, exit 5 (issue 21 §23)', async (_name, message, expected) => {
    ddb.on(ScanCommand).rejects(Object.assign(new Error(message), { name: 'CredentialsProviderError' }));
    const c = cli();
    expect(await c.run('coverage')).toBe(5);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toMatch(expected);
  });

  it.each([
    [
      403,
      6,
      /^error: access denied: .* in account 333333333333, region eu-west-1 answered HTTP 403 with no error in the body/,
    ],
    [404, 3, /^error: not found: .* answered HTTP 404 with no error in the body/],
    [
      502,
      7,
      /^error: .* answered HTTP 502 with no error in the body: the service or a proxy on the way is failing/,
    ],
  ])(
    'an empty HTTP %i is named by its status, not UnknownError (issue 21 §23)',
    async (status, code, expected) => {
      ddb.on(ScanCommand).rejects(
        Object.assign(new Error('UnknownError'), {
          name: 'Unknown',
          $metadata: { httpStatusCode: status },
        }),
      );
      const c = cli();
      expect(await c.run('coverage')).toBe(code);
      expect(c.err).toHaveLength(1);
      expect(c.err[0]).toMatch(expected);
      expect(c.err[0]).not.toContain('UnknownError');
    },
  );

  it('expired credentials: exit 5', async () => {
    ddb
      .on(ScanCommand)
      .rejects(awsError('ExpiredTokenException', 'The security token included in the request is expired'));
    const c = cli();
    expect(await c.run('coverage')).toBe(5);
    expect(c.err[0]).toContain('AWS does not accept these credentials (ExpiredTokenException');
  });

  it('another account’s credentials: the ledger table is not found there, exit 3, and the line says whose credentials they are', async () => {
    ddb.on(ScanCommand).rejects(awsError('ResourceNotFoundException', 'Requested resource not found'));
    sts.on(GetCallerIdentityCommand).resolves({ Account: '777777777777' });
    const c = cli();
    expect(await c.run('coverage')).toBe(3);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toContain('error: not found in account 333333333333, region eu-west-1');
    expect(c.err[0]).toContain('ResourceNotFoundException (Requested resource not found)');
    expect(c.err[0]).toContain(
      'Your credentials are for account 777777777777, not the security-tooling account 333333333333.',
    );
  });

  it('a missing state machine: exit 3', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(
        awsError(
          'StateMachineDoesNotExist',
          "State Machine Does Not Exist: 'arn:aws:states:eu-west-1:333333333333:stateMachine:logwarden-sweep'",
        ),
      );
    sts.on(GetCallerIdentityCommand).resolves({ Account: '333333333333' });
    const c = cli();
    expect(await c.run('sweep')).toBe(3);
    expect(c.err).toEqual([
      "error: not found in account 333333333333, region eu-west-1: the AWS call answered StateMachineDoesNotExist (State Machine Does Not Exist: 'arn:aws:states:eu-west-1:333333333333:stateMachine:logwarden-sweep'). Is LogwardenControlPlane deployed there?",
    ]);
  });

  it('access denied: exit 6', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(
        awsError('AccessDeniedException', 'User: arn:aws:sts::333333333333:assumed-role/x is not authorized'),
      );
    const c = cli();
    expect(await c.run('sweep')).toBe(6);
    expect(c.err[0]).toMatch(/^error: access denied: the AWS call in account 333333333333, region eu-west-1/);
  });

  it('another AWS error after the SDK’s retries: exit 7', async () => {
    ddb.on(ScanCommand).rejects(awsError('ProvisionedThroughputExceededException', 'slow down'));
    const c = cli();
    expect(await c.run('coverage')).toBe(7);
    expect(c.err).toEqual([
      'error: the AWS call failed in account 333333333333, region eu-west-1: ProvisionedThroughputExceededException: slow down',
    ]);
  });

  it('a bug is one line, exit 70; LOGWARDEN_DEBUG adds the stack', async () => {
    ddb.on(ScanCommand).rejects(new TypeError('x is undefined'));
    const c = cli();
    expect(await c.run('coverage')).toBe(70);
    expect(c.err).toEqual([
      'error: internal error (TypeError: x is undefined); run again with LOGWARDEN_DEBUG=1 for the stack trace',
    ]);
    const d = cli();
    d.deps.env = { LOGWARDEN_DEBUG: '1' };
    expect(await d.run('coverage')).toBe(70);
    expect(d.err[0]).toMatch(/TypeError: x is undefined\n\s+at /);
  });
});

describe('coverage.html names accounts outside the view for what they are (issue 21 §23)', () => {
  const row = (account: string) => ({
    account,
    region: 'eu-west-1',
    control: 'trail' as const,
    status: 'healed' as const,
    lastVerified: '2026-11-28T00:00:00Z',
  });
  it('the security-tooling account, active but not shown, is not called "no longer active"; a closed one is', () => {
    const rows = [row('444444444444'), row('333333333333'), row('666666666666')] as Parameters<
      typeof buildMatrix
    >[0];
    const m = buildMatrix(rows, ['eu-west-1'], ['444444444444'], undefined, ['333333333333', '444444444444']);
    const html = renderHtml(m, '2026-11-28T00:00:00Z');
    expect(html).toContain('not shown here, active in the organization: 333333333333');
    expect(html).toContain('not shown, no longer active in the organization: 666666666666');
    expect(html).not.toMatch(/no longer active in the organization: [^<]*333333333333/);
  });
});
