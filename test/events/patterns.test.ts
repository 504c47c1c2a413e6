import { matchesPattern } from '../../events/match';
import { triggers } from '../../events/patterns';
import { realCloudTrailEvents } from '../../local/corpus';

/** A CloudTrail record as EventBridge delivers it ("AWS API Call via CloudTrail"). */
function viaEventBridge(ct: Record<string, unknown>, source = `aws.${String(ct.eventSource).split('.')[0]}`) {
  return {
    version: '0',
    id: `ev-${ct.eventID}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source,
    account: ct.recipientAccountId,
    region: ct.awsRegion,
    time: ct.eventTime,
    resources: [],
    detail: ct,
  };
}

const triggered = (event: Record<string, unknown>) =>
  triggers.filter((t) => matchesPattern(event, t.pattern)).map((t) => t.id);

describe('trigger patterns (events/)', () => {
  it('real Stratus detonations that switch logging off trigger the healing workflow, the rest trigger nothing', () => {
    const hits = realCloudTrailEvents()
      .map(({ event }) => [event.eventName, triggered(viaEventBridge(event))] as const)
      .filter(([, ids]) => ids.length);
    expect(new Map(hits)).toEqual(
      new Map([
        ['StopLogging', ['trail-changed']],
        ['DeleteTrail', ['trail-changed']],
        ['PutEventSelectors', ['trail-changed']],
        ['DeleteFlowLogs', ['flow-logs-deleted']],
      ]),
    );
  });

  it('account creation (SUCCEEDED only), handshake, region opt-in (ENABLED only), VPC creation', () => {
    const created = (state: string) => ({
      source: 'aws.organizations',
      'detail-type': 'AWS Service Event via CloudTrail',
      detail: {
        eventName: 'CreateAccountResult',
        serviceEventDetails: { createAccountStatus: { state, accountId: '555555555555' } },
      },
    });
    expect(triggered(created('SUCCEEDED'))).toEqual(['account-created']);
    expect(triggered(created('FAILED'))).toEqual([]);
    expect(
      triggered({
        source: 'aws.organizations',
        'detail-type': 'AWS API Call via CloudTrail',
        detail: { eventName: 'AcceptHandshake' },
      }),
    ).toEqual(['account-joined']);
    const optIn = (status: string) => ({
      source: 'aws.account',
      'detail-type': 'Region Opt-In Status Change',
      detail: { accountId: '1', regionName: 'eu-south-2', status },
    });
    expect(triggered(optIn('ENABLED'))).toEqual(['region-opted-in']);
    expect(triggered(optIn('ENABLING'))).toEqual([]);
    for (const name of ['CreateVpc', 'CreateDefaultVpc']) {
      expect(
        triggered({
          source: 'aws.ec2',
          'detail-type': 'AWS API Call via CloudTrail',
          detail: { eventSource: 'ec2.amazonaws.com', eventName: name },
        }),
      ).toEqual(['vpc-created']);
    }
  });

  it('GuardDuty disable/disassociate and DeleteAccountPolicy heal the account and region', () => {
    for (const name of [
      'DeleteDetector',
      'UpdateDetector',
      'DisassociateFromAdministratorAccount',
      'DisassociateMembers',
    ]) {
      expect(
        triggered({
          source: 'aws.guardduty',
          'detail-type': 'AWS API Call via CloudTrail',
          detail: { eventSource: 'guardduty.amazonaws.com', eventName: name },
        }),
      ).toEqual(['guardduty-disabled']);
    }
    expect(
      triggered({
        source: 'aws.logs',
        'detail-type': 'AWS API Call via CloudTrail',
        detail: { eventSource: 'logs.amazonaws.com', eventName: 'DeleteAccountPolicy' },
      }),
    ).toEqual(['subscription-policy-deleted']);
  });
});
