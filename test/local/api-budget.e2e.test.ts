/**
 * The API budget of cover-account-region, measured through the counting proxy on the strict
 * stand-ins (scale/api-budget.ts): every call each function makes, per case, exactly. A change
 * that adds a call to a control fails here first; update the table and docs/scale.md's
 * "Measured API budget" together, with the reason.
 */
import {
  budgetCases,
  coveredTarget,
  formatApiBudget,
  measureApiBudget,
  modelledCalls,
  type ApiBudget,
  type BudgetCase,
  type BudgetLine,
} from '../../scale/api-budget';

let budget: ApiBudget;

beforeAll(async () => {
  budget = await measureApiBudget();
  console.log(formatApiBudget(budget));
}, 300_000);

const line = (l: BudgetLine) =>
  `${l.service}:${l.operation} ${l.kind} ${l.payer}${l.count > 1 ? ` ×${l.count}` : ''}`;

/** Per case and function: its calls in the order first made, `service:Operation kind payer [×n]`. */
const coveredMember = {
  'ensure-flow-logs': [
    'sts:AssumeRole auth admin',
    'ec2:DescribeVpcs read member',
    'ec2:DescribeFlowLogs read member',
  ],
  // Default event selectors (HasCustomEventSelectors false): not read.
  'ensure-trail': ['cloudtrail:DescribeTrails read admin', 'cloudtrail:GetTrailStatus read admin'],
  // The organization's settings are checked in the administrator's own cell, not per member.
  'ensure-guardduty': ['guardduty:ListDetectors read admin', 'guardduty:GetMembers read admin'],
  'ensure-subscription': [
    'dynamodb:GetItem read admin',
    'sts:AssumeRole auth admin',
    'logs:DescribeAccountPolicies read member',
  ],
  // The cell's four rows, then the coverage metric of a heal not started by the sweep (one Scan
  // of the ledger: docs/control-plane.md, coverage metric).
  'write-ledger': ['dynamodb:PutItem write admin ×4', 'dynamodb:Scan read admin'],
};
const expected: Record<BudgetCase, Record<string, string[]>> = {
  covered: coveredMember,
  // Outside the home region the trail cell verifies the trail from the home region (issue 21 §11): two reads.
  'covered-other-region': {
    ...coveredMember,
    'ensure-trail': ['cloudtrail:DescribeTrails read admin', 'cloudtrail:GetTrailStatus read admin'],
  },
  'covered-administrator': {
    'ensure-flow-logs': [
      'sts:AssumeRole auth admin',
      'ec2:DescribeVpcs read admin',
      'ec2:DescribeFlowLogs read admin',
    ],
    'ensure-trail': ['cloudtrail:DescribeTrails read admin', 'cloudtrail:GetTrailStatus read admin'],
    'ensure-guardduty': [
      'guardduty:ListDetectors read admin',
      'guardduty:DescribeOrganizationConfiguration read admin',
      'guardduty:GetDetector read admin',
      'logs:DescribeLogGroups read admin',
      'logs:DescribeResourcePolicies read admin',
      // The findings rule's state and pattern first (a rule disabled or replaced by PutRule is
      // put back), then its target.
      'events:DescribeRule read admin',
      'events:ListTargetsByRule read admin',
    ],
    'ensure-subscription': [
      'dynamodb:GetItem read admin',
      'sts:AssumeRole auth admin',
      'logs:DescribeAccountPolicies read admin',
    ],
    'write-ledger': coveredMember['write-ledger'],
  },
  new: {
    'ensure-flow-logs': [
      'sts:AssumeRole auth admin',
      'ec2:DescribeVpcs read member',
      'ec2:DescribeFlowLogs read member',
      'logs:DescribeLogGroups read member',
      'logs:CreateLogGroup write member',
      'logs:PutRetentionPolicy write member',
      'ec2:CreateFlowLogs write member',
    ],
    'ensure-trail': ['cloudtrail:DescribeTrails read admin', 'cloudtrail:GetTrailStatus read admin'],
    'ensure-guardduty': [
      'guardduty:ListDetectors read admin',
      'guardduty:GetMembers read admin',
      'guardduty:DescribeOrganizationConfiguration read admin',
      'organizations:DescribeAccount read admin',
      'guardduty:CreateMembers write admin',
      'logs:DescribeLogGroups read admin',
      'logs:DescribeResourcePolicies read admin',
      // The findings rule's state and pattern first (a rule disabled or replaced by PutRule is
      // put back), then its target.
      'events:DescribeRule read admin',
      'events:ListTargetsByRule read admin',
    ],
    'ensure-subscription': [
      // The cell's previous ledger row: may logwarden's own fallback filters remain?
      'dynamodb:GetItem read admin',
      'sts:AssumeRole auth admin',
      'logs:DescribeAccountPolicies read member',
      'logs:PutAccountPolicy write member',
    ],
    'write-ledger': coveredMember['write-ledger'],
  },
  drift: {
    'ensure-flow-logs': [
      'sts:AssumeRole auth admin',
      'ec2:DescribeVpcs read member',
      'ec2:DescribeFlowLogs read member',
      'logs:DescribeLogGroups read member',
      'ec2:CreateFlowLogs write member',
    ],
    'ensure-trail': [
      'cloudtrail:DescribeTrails read admin',
      'cloudtrail:GetEventSelectors read admin',
      'cloudtrail:PutEventSelectors write admin',
      'cloudtrail:GetTrailStatus read admin',
      'cloudtrail:StartLogging write admin',
    ],
    'ensure-guardduty': [
      'guardduty:ListDetectors read admin',
      'guardduty:GetMembers read admin',
      'guardduty:DescribeOrganizationConfiguration read admin',
      'guardduty:UpdateOrganizationConfiguration write admin',
      'organizations:DescribeAccount read admin',
      'guardduty:CreateMembers write admin',
      'logs:DescribeLogGroups read admin',
      'logs:DescribeResourcePolicies read admin',
      // The findings rule's state and pattern first (a rule disabled or replaced by PutRule is
      // put back), then its target.
      'events:DescribeRule read admin',
      'events:ListTargetsByRule read admin',
    ],
    'ensure-subscription': [
      // The cell's previous ledger row: may logwarden's own fallback filters remain?
      'dynamodb:GetItem read admin',
      'sts:AssumeRole auth admin',
      'logs:DescribeAccountPolicies read member',
      'logs:PutAccountPolicy write member',
    ],
    'write-ledger': coveredMember['write-ledger'],
  },
  // The selectors the trail's heal put back are custom: they must be read from now on.
  'covered-after-drift': {
    ...coveredMember,
    'ensure-trail': [
      'cloudtrail:DescribeTrails read admin',
      'cloudtrail:GetEventSelectors read admin',
      'cloudtrail:GetTrailStatus read admin',
    ],
  },
};

const statuses = (c: BudgetCase) => Object.fromEntries(budget[c].results.map((r) => [r.control, r.status]));

describe('API budget of cover-account-region (counting proxy, strict stand-ins)', () => {
  it.each(budgetCases)('%s: every call of every function, exactly', (c) => {
    const measured = Object.fromEntries(
      Object.entries(budget[c].functions).map(([fn, lines]) => [fn, lines.map(line)]),
    );
    expect(measured).toEqual(expected[c]);
  });

  it('each case is what it says: covered finds everything, new and drift heal', () => {
    for (const c of [
      'covered',
      'covered-other-region',
      'covered-administrator',
      'covered-after-drift',
    ] as const)
      expect(statuses(c)).toEqual({
        'flow-logs': 'covered',
        trail: 'covered',
        guardduty: 'covered',
        subscription: 'covered',
      });
    expect(statuses('new')).toEqual({
      'flow-logs': 'healed',
      trail: 'covered', // the organization trail exists before the account joins
      guardduty: 'healed',
      subscription: 'healed',
    });
    expect(statuses('drift')).toEqual({
      'flow-logs': 'healed',
      trail: 'healed',
      guardduty: 'healed',
      subscription: 'healed',
    });
  });

  it('a covered member cell: at most 2 reads and no write per control (the target of issue 15)', () => {
    for (const c of ['covered', 'covered-other-region'] as const)
      for (const [fn, lines] of Object.entries(budget[c].functions)) {
        if (!fn.startsWith('ensure-')) continue;
        const count = (kind: string) => lines.filter((l) => l.kind === kind).reduce((n, l) => n + l.count, 0);
        expect({ fn, c, reads: count('read') <= coveredTarget.reads, writes: count('write') }).toEqual({
          fn,
          c,
          reads: true,
          writes: 0,
        });
      }
  });

  it('the covered case is the call list the sweep simulation models, one entry per call', () => {
    expect(modelledCalls(budget)['ensure-subscription']).toEqual([
      { service: 'dynamodb', operation: 'GetItem', payer: 'admin' },
      { service: 'sts', operation: 'AssumeRole', payer: 'admin' },
      { service: 'logs', operation: 'DescribeAccountPolicies', payer: 'member' },
    ]);
  });
});
