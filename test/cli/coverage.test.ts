import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { CliDeps, runCli } from '../../cli/main';
import { csvHeader } from '../../cli/coverage-matrix';
import { exampleConfig, exampleConfigPath } from '../stacks/example-app';

const ddb = mockClient(DynamoDBClient);
const orgs = mockClient(OrganizationsClient);

const config = exampleConfig();
const [r1, r2] = config.governedRegions;
const ROOT = 'r-ab12';
const WORKLOADS = 'ou-ab12-workload';
const PROD = 'ou-ab12-prod0001';
const SANDBOX = 'ou-ab12-sandbox1';

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
  return { run, out, err };
}

const item = (account: string, region: string, control: string, status: string, reason?: string) => ({
  account: { S: account },
  regionControl: { S: `${region}#${control}` },
  region: { S: region },
  control: { S: control },
  status: { S: status },
  lastVerified: { S: '2026-11-28T12:00:00Z' },
  ...(reason ? { reason: { S: reason } } : {}),
});
const controls = ['flow-logs', 'trail', 'guardduty', 'subscription'];

beforeEach(() => {
  ddb.reset();
  orgs.reset();
  // Root → Workloads → Prod (444…), Root → Sandbox (555…), 777… at the root.
  orgs.on(ListAccountsCommand).resolves({
    Accounts: ['444444444444', '555555555555', '777777777777'].map((Id) => ({ Id, State: 'ACTIVE' })),
  });
  orgs.on(ListRootsCommand).resolves({ Roots: [{ Id: ROOT, Name: 'Root' }] });
  orgs
    .on(ListOrganizationalUnitsForParentCommand)
    .resolves({ OrganizationalUnits: [] })
    .on(ListOrganizationalUnitsForParentCommand, { ParentId: ROOT })
    .resolves({
      OrganizationalUnits: [
        { Id: WORKLOADS, Name: 'Workloads' },
        { Id: SANDBOX, Name: 'Sandbox' },
      ],
    })
    .on(ListOrganizationalUnitsForParentCommand, { ParentId: WORKLOADS })
    .resolves({ OrganizationalUnits: [{ Id: PROD, Name: 'Prod' }] });
  orgs
    .on(ListAccountsForParentCommand)
    .resolves({ Accounts: [] })
    .on(ListAccountsForParentCommand, { ParentId: ROOT })
    .resolves({ Accounts: [{ Id: '777777777777', Name: 'shared-services' }] })
    .on(ListAccountsForParentCommand, { ParentId: PROD })
    .resolves({ Accounts: [{ Id: '444444444444', Name: 'payments-prod' }] })
    .on(ListAccountsForParentCommand, { ParentId: SANDBOX })
    .resolves({ Accounts: [{ Id: '555555555555', Name: 'sandbox-1' }] });
  ddb.on(ScanCommand).resolves({
    Items: [
      ...controls.flatMap((c) => [r1, r2].map((r) => item('444444444444', r, c, 'covered'))),
      item(
        '444444444444',
        r2,
        'trail',
        'failed',
        'AccessDeniedException: not authorized to perform cloudtrail:StartLogging',
      ),
      ...controls.flatMap((c) =>
        [r1, r2].map((r) =>
          item('555555555555', r, c, 'excluded', `scope.excludeOUs: 555555555555 is in ${SANDBOX}`),
        ),
      ),
      ...controls.map((c) => item('777777777777', r1, c, 'healed')),
    ],
  });
});

describe('logwarden coverage at 3,600 cells: filters, reasons, formats (issue 23 §4)', () => {
  it('table mode prints why a cell failed and why an account is excluded, and the OU of each row', async () => {
    const c = cli();
    expect(await c.run('coverage')).toBe(0);
    const text = c.out.join('\n');
    expect(text).toMatch(new RegExp(`444444444444 {2}${r2} +ok +FAILED +ok +ok +Prod\\n`));
    expect(text).toContain(
      `444444444444 ${r2} trail: FAILED: AccessDeniedException: not authorized to perform cloudtrail:StartLogging`,
    );
    // An excluded account: one line, not one per cell.
    expect(text).toContain(
      `555555555555 every cell shown: excl: scope.excludeOUs: 555555555555 is in ${SANDBOX}`,
    );
    expect(text.match(/555555555555 .*scope\.excludeOUs/g)).toHaveLength(1);
  });

  it('--ou takes nested OUs; --region, --control and --status narrow the cells; the percentage is of what is shown', async () => {
    const c = cli();
    expect(await c.run('coverage', '--ou', WORKLOADS, '--control', 'trail', '--output', 'json')).toBe(0);
    const json = JSON.parse(c.out.join('\n'));
    expect(json.matrix.map((r: { account: string }) => r.account)).toEqual(['444444444444', '444444444444']);
    expect(json.matrix[0]).toMatchObject({ accountName: 'payments-prod', ou: PROD, ouName: 'Prod' });
    expect(Object.keys(json.matrix[0].controls)).toEqual(['trail']);
    expect(json).toMatchObject({ covered: 1, total: 2, percentCovered: 50 });

    const d = cli();
    expect(await d.run('coverage', '--status', 'failed,gap', '--region', r2)).toBe(0);
    const text = d.out.join('\n');
    const tableRows = text.split('\n').filter((l) => /^\d{12} /.test(l));
    // 444 has a failed trail; 777 has no row in r2 (gaps); 555 is excluded: not shown.
    expect(tableRows).toEqual([
      expect.stringMatching(new RegExp(`^444444444444 {2}${r2} +- +FAILED +- +-`)),
      expect.stringMatching(new RegExp(`^777777777777 {2}${r2} +gap +gap +gap +gap`)),
    ]);
    expect(text).toContain('5 cell(s) match the status filter');
  });

  it('--account keeps only those accounts and does not list every other account as "not shown"', async () => {
    const c = cli();
    expect(await c.run('coverage', '--account', '777777777777')).toBe(0);
    const text = c.out.join('\n');
    expect(text).not.toContain('444444444444');
    expect(text).toContain('4/8 covered (50%)');
  });

  it('--output csv: one line per cell, quoted where needed, formulas defused', async () => {
    ddb.on(ScanCommand).resolves({
      Items: [item('444444444444', r1, 'trail', 'failed', '=HYPERLINK("x"), then "quoted"')],
    });
    const c = cli();
    expect(
      await c.run('coverage', '--output', 'csv', '--account', '444444444444', '--control', 'trail'),
    ).toBe(0);
    const lines = c.out.join('\n').split('\n');
    expect(lines[0]).toBe(csvHeader.join(','));
    expect(lines[1]).toBe(
      `444444444444,payments-prod,${PROD},Prod,${r1},trail,failed,failed,2026-11-28T12:00:00Z,"'=HYPERLINK(""x""), then ""quoted"""`,
    );
    expect(lines).toHaveLength(1 + config.governedRegions.length);
    expect(lines[2]).toBe(`444444444444,payments-prod,${PROD},Prod,${r2},trail,gap,,,`);
  });

  it.each([
    [
      ['--status', 'broken'],
      /'--status <statuses>' argument 'broken' is invalid\. unknown status broken \(one of: covered, healed, failed, excluded, gap, stale\)/,
    ],
    [
      ['--control', 'trail,vpc'],
      /'--control <controls>' argument 'trail,vpc' is invalid\. unknown control vpc/,
    ],
    [
      ['--output', 'xml'],
      /'--output <format>' argument 'xml' is invalid\. unknown format xml \(one of: table, json, csv\)/,
    ],
    [
      ['--account', '1234'],
      /'--account <ids>' argument '1234' is invalid\. must be a 12-digit AWS account id/,
    ],
    [['--ou', 'Sandbox'], /'--ou <ids>' argument 'Sandbox' is invalid\. Sandbox is not an OU id/],
    [
      ['--region', 'eu-west-1,'],
      /'--region <regions>' argument 'eu-west-1,' is invalid\. an empty item in the list/,
    ],
    [['--output', 'csv', '--json'], /option '--output <format>' cannot be used with option '--json'/],
  ])('coverage %j: one line naming the argument, exit 2, no AWS call', async (args, message) => {
    const c = cli();
    expect(await c.run('coverage', ...args)).toBe(2);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toMatch(message);
    expect(ddb.calls()).toHaveLength(0);
  });

  it.each([
    [
      ['--region', 'mars-east-1'],
      `error: --region mars-east-1: not a governed region (governed: ${config.governedRegions.join(', ')})`,
    ],
    [
      ['--account', '999999999999'],
      `error: --account 999999999999: not an active account of organization ${config.organizationId} that logwarden lists`,
    ],
    [
      ['--ou', 'ou-ab12-gone0001'],
      `error: --ou ou-ab12-gone0001: no such OU or root in organization ${config.organizationId}`,
    ],
  ])('coverage %j: a value the organization or the config does not have, exit 2', async (args, message) => {
    const c = cli();
    expect(await c.run('coverage', ...args)).toBe(2);
    expect(c.err).toEqual([message]);
  });
});
