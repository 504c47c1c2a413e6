import { callModelFromBudget, type MeasuredCoveredCases, type MeasuredLine } from '../../scale/calibrate';
import { coveredCalls } from '../../scale/model';

const line = (service: string, operation: string, payer: 'admin' | 'member', count = 1): MeasuredLine => ({
  service,
  operation,
  payer,
  count,
});

describe('the simulation calibrated from the measured API budget', () => {
  const budget: MeasuredCoveredCases = {
    covered: {
      functions: {
        'ensure-trail': [line('cloudtrail', 'GetTrailStatus', 'admin')],
        'ensure-guardduty': [
          line('guardduty', 'ListDetectors', 'member'),
          line('guardduty', 'GetMembers', 'admin'),
        ],
      },
    },
    'covered-other-region': {
      functions: {
        'ensure-trail': [],
        'ensure-guardduty': [
          line('guardduty', 'ListDetectors', 'member'),
          line('guardduty', 'GetMembers', 'admin'),
        ],
      },
    },
    'covered-administrator': {
      functions: {
        'ensure-trail': [line('cloudtrail', 'GetTrailStatus', 'admin')],
        'ensure-guardduty': [line('guardduty', 'DescribeOrganizationConfiguration', 'admin', 2)],
      },
    },
  };
  const model = callModelFromBudget(budget);
  const cell = (home: boolean, administrator: boolean) => ({
    account: '1',
    region: 'r',
    home,
    administrator,
  });

  it('takes each cell’s calls from the matching case, one entry per call', () => {
    expect(model('ensure-trail', cell(true, false))).toEqual([
      { service: 'cloudtrail', operation: 'GetTrailStatus', payer: 'admin' },
    ]);
    expect(model('ensure-trail', cell(false, true))).toEqual([]);
    expect(model('ensure-guardduty', cell(false, false))?.map((c) => c.operation)).toEqual([
      'ListDetectors',
      'GetMembers',
    ]);
    expect(model('ensure-guardduty', cell(false, true))?.map((c) => c.operation)).toEqual([
      'DescribeOrganizationConfiguration',
      'DescribeOrganizationConfiguration',
    ]);
  });

  it('keeps the lists read from the code for functions the budget does not measure', () => {
    expect(model('list-regions', cell(true, false))).toBe(coveredCalls['list-regions']);
  });
});
