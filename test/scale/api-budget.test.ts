/**
 * The API budget's bookkeeping (scale/api-budget.ts), without stand-ins: counted calls grouped
 * per function and API with their payer, and a covered case turned into the simulation's lists.
 */
import type { CountedCall } from '../../local/counting-proxy';
import { modelledCalls, summarize, type ApiBudget } from '../../scale/api-budget';

const admin = '333333333333';
const cell = { account: '444444444444', region: 'eu-central-1' };
const call = (fn: string, service: string, operation: string, account: string, region = cell.region) =>
  ({
    fn,
    service,
    operation,
    kind: operation === 'AssumeRole' ? 'auth' : operation.startsWith('Put') ? 'write' : 'read',
    account,
    region,
    status: 200,
  }) as CountedCall;

describe('summarize', () => {
  it('groups per function and API in first-call order, with the payer from the credentials', () => {
    const out = summarize(
      [
        call('ensure-flow-logs', 'sts', 'AssumeRole', admin),
        call('ensure-flow-logs', 'ec2', 'DescribeVpcs', cell.account),
        call('write-ledger', 'dynamodb', 'PutItem', admin, 'eu-west-1'),
        call('ensure-guardduty', 'organizations', 'DescribeAccount', admin, 'us-east-1'),
        call('write-ledger', 'dynamodb', 'PutItem', admin, 'eu-west-1'),
      ],
      cell,
      admin,
    );
    expect(out).toEqual({
      'ensure-flow-logs': [
        { service: 'sts', operation: 'AssumeRole', kind: 'auth', count: 1, payer: 'admin' },
        { service: 'ec2', operation: 'DescribeVpcs', kind: 'read', count: 1, payer: 'member' },
      ],
      'write-ledger': [
        { service: 'dynamodb', operation: 'PutItem', kind: 'write', count: 2, payer: 'admin' },
      ],
      // Answered in us-east-1 whatever the cell's region: a global endpoint.
      'ensure-guardduty': [
        {
          service: 'organizations',
          operation: 'DescribeAccount',
          kind: 'read',
          count: 1,
          payer: 'admin',
          global: true,
        },
      ],
    });
  });

  it("a call with a third account's credentials, or credentials never seen issued, is an error", () => {
    expect(() =>
      summarize([call('ensure-trail', 'cloudtrail', 'DescribeTrails', '111111111111')], cell, admin),
    ).toThrow(/neither the administrator's nor 444444444444's/);
    expect(() =>
      summarize(
        [{ ...call('ensure-trail', 'cloudtrail', 'DescribeTrails', admin), account: undefined }],
        cell,
        admin,
      ),
    ).toThrow(/an unknown account/);
  });
});

describe('modelledCalls', () => {
  it('one entry per call, for the four controls, from the chosen covered case', () => {
    const lines = (n: number) => [
      {
        service: 'ec2',
        operation: 'DescribeVpcs',
        kind: 'read' as const,
        count: n,
        payer: 'member' as const,
      },
    ];
    const caseOf = (n: number) => ({
      account: cell.account,
      region: cell.region,
      results: [],
      functions: { 'ensure-flow-logs': lines(n), 'write-ledger': lines(9) },
    });
    const budget = {
      covered: caseOf(2),
      'covered-other-region': caseOf(1),
    } as unknown as ApiBudget;
    const home = modelledCalls(budget);
    expect(home['ensure-flow-logs']).toEqual([
      { service: 'ec2', operation: 'DescribeVpcs', payer: 'member' },
      { service: 'ec2', operation: 'DescribeVpcs', payer: 'member' },
    ]);
    expect(home['ensure-trail']).toEqual([]);
    expect(home['write-ledger']).toBeUndefined(); // the simulation runs write-ledger for real
    expect(modelledCalls(budget, 'covered-other-region')['ensure-flow-logs']).toHaveLength(1);
  });
});
