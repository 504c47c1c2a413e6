import { matchesPattern } from '../../events/match';
import {
  busPattern,
  managementForwardedTriggers,
  managementForwardedTriggersIn,
  memberForwardedTriggers,
  triggers,
  type EventPattern,
} from '../../events/patterns';
import { names } from '../../contracts/names';
import { apiCallEvent } from '../../local/aws-events';
import { realCloudTrailEvents } from '../../local/corpus';

const management = '111111111111';
const member = '444444444444';

const apiCall = (source: string, detail: Record<string, unknown>, account = member) => ({
  source,
  account,
  'detail-type': 'AWS API Call via CloudTrail',
  detail,
});

const triggered = (event: object): string[] =>
  triggers.filter((t) => matchesPattern(event as Record<string, unknown>, t.pattern)).map((t) => t.id);
/** What the control bus rules start: the forwarded pattern plus the account checks. */
const onBus = (event: object): string[] =>
  triggers
    .filter((t) => matchesPattern(event as Record<string, unknown>, busPattern(t, management)))
    .map((t) => t.id);

describe('matchesPattern (EventBridge semantics for what the patterns use)', () => {
  const p = (detail: Record<string, unknown>): EventPattern => ({ detail });
  it('exists:false matches an absent field only; exists:true a present leaf only', () => {
    expect(matchesPattern({ detail: {} }, p({ errorCode: [{ exists: false }] }))).toBe(true);
    expect(matchesPattern({ detail: { errorCode: 'X' } }, p({ errorCode: [{ exists: false }] }))).toBe(false);
    expect(matchesPattern({ detail: { errorCode: 'X' } }, p({ errorCode: [{ exists: true }] }))).toBe(true);
    expect(matchesPattern({ detail: {} }, p({ errorCode: [{ exists: true }] }))).toBe(false);
    // Exists matching works on leaf nodes only.
    expect(matchesPattern({ detail: { e: { a: 1 } } }, p({ e: [{ exists: true }] }))).toBe(false);
  });
  it('values match by type; arrays in the event match when any element does', () => {
    expect(matchesPattern({ detail: { enable: false } }, p({ enable: [false] }))).toBe(true);
    expect(matchesPattern({ detail: { enable: 'false' } }, p({ enable: [false] }))).toBe(false);
    expect(matchesPattern({ detail: { ids: ['a', 'b'] } }, p({ ids: ['b'] }))).toBe(true);
    expect(matchesPattern({ detail: { ids: [] } }, p({ ids: ['b'] }))).toBe(false);
  });
  it('prefix and anything-but; a missing field matches neither', () => {
    expect(matchesPattern({ detail: { f: 'logwarden-x' } }, p({ f: [{ prefix: 'logwarden-' }] }))).toBe(true);
    expect(matchesPattern({ detail: {} }, p({ f: [{ prefix: 'logwarden-' }] }))).toBe(false);
    expect(matchesPattern({ account: '2' }, { account: [{ 'anything-but': ['1'] }] })).toBe(true);
    expect(matchesPattern({ account: '1' }, { account: [{ 'anything-but': ['1'] }] })).toBe(false);
    expect(matchesPattern({}, { account: [{ 'anything-but': ['1'] }] })).toBe(false);
  });
  it('wildcard: the whole string, each * any characters (none included), an escaped * a star itself', () => {
    // The archive indexer's rule (stacks/central/archive-indexer.ts directObjectKeyPattern).
    const key = (k: string) => ({ detail: { object: { key: k } } });
    const rule = {
      detail: { object: { key: [{ wildcard: 'ocsf/source=*/date=*/logwarden-flow-logs-*' }] } },
    };
    expect(
      matchesPattern(key('ocsf/source=flow/date=2026-12-07/logwarden-flow-logs-1-x.parquet'), rule),
    ).toBe(true);
    expect(matchesPattern(key('ocsf/source=/date=/logwarden-flow-logs-'), rule)).toBe(true);
    expect(matchesPattern(key('ocsf/source=flow/date=2026-12-07/logwarden-archive-1-x.parquet'), rule)).toBe(
      false,
    );
    expect(matchesPattern(key('x/ocsf/source=a/date=b/logwarden-flow-logs-1'), rule)).toBe(false);
    expect(matchesPattern({ detail: { object: { key: 7 } } }, rule)).toBe(false);
    const star = { f: [{ wildcard: 'a\\*b.c' }] };
    expect(matchesPattern({ detail: { f: 'a*b.c' } }, p(star))).toBe(true);
    expect(matchesPattern({ detail: { f: 'axb.c' } }, p(star))).toBe(false);
    expect(matchesPattern({ detail: { f: 'a*bxc' } }, p(star))).toBe(false);
  });
  it('an unsupported filter is an error, not a silent mismatch', () => {
    expect(() => matchesPattern({ detail: { n: 1 } }, p({ n: [{ numeric: ['>', 0] }] }))).toThrow(
      /unsupported content filter/,
    );
  });
});

describe('trigger patterns (events/)', () => {
  it('real Stratus detonations that switch logging off trigger the healing workflow, the rest trigger nothing', () => {
    const hits = realCloudTrailEvents()
      .map(({ event }) => [event.eventName, onBus({ ...apiCallEvent(event), account: member })] as const)
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

  it('a failed call (errorCode present) starts nothing, for every CloudTrail trigger', () => {
    const calls: [string, Record<string, unknown>][] = [
      ['aws.ec2', { eventSource: 'ec2.amazonaws.com', eventName: 'CreateVpc' }],
      ['aws.ec2', { eventSource: 'ec2.amazonaws.com', eventName: 'DeleteFlowLogs' }],
      ['aws.cloudtrail', { eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging' }],
      ['aws.cloudtrail', { eventSource: 'cloudtrail.amazonaws.com', eventName: 'DeleteTrail' }],
      ['aws.guardduty', { eventSource: 'guardduty.amazonaws.com', eventName: 'DeleteDetector' }],
      [
        'aws.logs',
        {
          eventSource: 'logs.amazonaws.com',
          eventName: 'DeleteAccountPolicy',
          requestParameters: { policyType: 'SUBSCRIPTION_FILTER_POLICY' },
        },
      ],
    ];
    for (const [source, detail] of calls) {
      expect(onBus(apiCall(source, detail))).toHaveLength(1);
      expect(triggered(apiCall(source, { ...detail, errorCode: 'TrailNotFoundException' }))).toEqual([]);
    }
    // The real StopLogging of the corpus, failed.
    const stop = realCloudTrailEvents().find(({ event }) => event.eventName === 'StopLogging')!.event;
    expect(triggered(apiCallEvent({ ...stop, errorCode: 'AccessDenied', errorMessage: 'no' }))).toEqual([]);
  });

  it('account creation (SUCCEEDED only) and joins, recorded by the management account', () => {
    const created = (state: string) => ({
      source: 'aws.organizations',
      account: management,
      'detail-type': 'AWS Service Event via CloudTrail',
      detail: {
        eventName: 'CreateAccountResult',
        serviceEventDetails: { createAccountStatus: { state, accountId: '555555555555' } },
      },
    });
    expect(onBus(created('SUCCEEDED'))).toEqual(['account-created']);
    expect(onBus(created('FAILED'))).toEqual([]);
    const joined = {
      source: 'aws.organizations',
      account: management,
      'detail-type': 'AWS Service Event via CloudTrail',
      detail: {
        eventName: 'AccountJoinedOrganization',
        serviceEventDetails: { accountId: '555555555555', joinedMethod: 'INVITED' },
      },
    };
    expect(onBus(joined)).toEqual(['account-joined']);
    // MoveAccount: "This operation can be called only from the organization's management
    // account" (Organizations API Reference, MoveAccount).
    const moved = {
      source: 'aws.organizations',
      account: management,
      'detail-type': 'AWS API Call via CloudTrail',
      detail: { eventName: 'MoveAccount', requestParameters: { accountId: '555555555555' } },
    };
    expect(onBus(moved)).toEqual(['account-moved']);
    expect(onBus({ ...moved, account: member })).toEqual([]);
    expect(onBus({ ...moved, detail: { ...moved.detail, errorCode: 'AccessDenied' } })).toEqual([]);
    // The same events claimed by any other account start nothing on the bus.
    expect(onBus({ ...created('SUCCEEDED'), account: member })).toEqual([]);
    expect(onBus({ ...joined, account: member })).toEqual([]);
    // An ENABLE_ALL_FEATURES handshake accepted by a member is no join.
    const handshake = apiCall('aws.organizations', {
      eventSource: 'organizations.amazonaws.com',
      eventName: 'AcceptHandshake',
      responseElements: { handshake: { action: 'ENABLE_ALL_FEATURES' } },
    });
    expect(triggered(handshake)).toEqual([]);
    expect(triggered({ ...handshake, account: management })).toEqual([]);
  });

  it('region opt-in (ENABLED only), from the management account or a member', () => {
    const optIn = (status: string, account: string) => ({
      source: 'aws.account',
      account,
      'detail-type': 'Region Opt-In Status Change',
      detail: { accountId: member, regionName: 'eu-south-2', status },
    });
    expect(onBus(optIn('ENABLED', management))).toEqual(['region-opted-in']);
    expect(onBus(optIn('ENABLED', member))).toEqual(['region-opted-in']);
    expect(onBus(optIn('ENABLING', member))).toEqual([]);
  });

  it('VPC creation, GuardDuty disabled (UpdateDetector only with enable=false), subscription drift', () => {
    for (const name of ['CreateVpc', 'CreateDefaultVpc'])
      expect(onBus(apiCall('aws.ec2', { eventSource: 'ec2.amazonaws.com', eventName: name }))).toEqual([
        'vpc-created',
      ]);
    for (const name of ['DeleteDetector', 'DisassociateFromAdministratorAccount'])
      expect(
        onBus(apiCall('aws.guardduty', { eventSource: 'guardduty.amazonaws.com', eventName: name })),
      ).toEqual(['guardduty-disabled']);
    // The administrator's membership calls name the members: their own trigger (route.ts heals them).
    for (const name of ['DisassociateMembers', 'DeleteMembers', 'StopMonitoringMembers'])
      expect(
        onBus(apiCall('aws.guardduty', { eventSource: 'guardduty.amazonaws.com', eventName: name })),
      ).toEqual(['guardduty-members-changed']);
    const update = (requestParameters: Record<string, unknown>) =>
      apiCall('aws.guardduty', {
        eventSource: 'guardduty.amazonaws.com',
        eventName: 'UpdateDetector',
        requestParameters,
      });
    expect(onBus(update({ detectorId: 'd', enable: false }))).toEqual(['guardduty-detector-disabled']);
    expect(onBus(update({ detectorId: 'd', enable: true }))).toEqual([]);
    expect(onBus(update({ detectorId: 'd', findingPublishingFrequency: 'SIX_HOURS' }))).toEqual([]);

    const logs = (eventName: string, requestParameters: Record<string, unknown>) =>
      apiCall('aws.logs', { eventSource: 'logs.amazonaws.com', eventName, requestParameters });
    for (const name of ['PutAccountPolicy', 'DeleteAccountPolicy']) {
      expect(onBus(logs(name, { policyName: 'x', policyType: 'SUBSCRIPTION_FILTER_POLICY' }))).toEqual([
        'subscription-policy-changed',
      ]);
      expect(onBus(logs(name, { policyName: 'x', policyType: 'DATA_PROTECTION_POLICY' }))).toEqual([]);
    }
    for (const name of ['PutSubscriptionFilter', 'DeleteSubscriptionFilter']) {
      expect(onBus(logs(name, { logGroupName: '/app', filterName: 'logwarden-central-eu-west-1' }))).toEqual([
        'subscription-filter-changed',
      ]);
      expect(onBus(logs(name, { logGroupName: '/app', filterName: 'someone-elses' }))).toEqual([]);
    }
  });

  it('the GuardDuty findings rule replaced by PutRule (disabled, or a pattern that matches nothing) starts a heal', () => {
    // EventBridge API Reference, PutRule: "If you are updating an existing rule, the rule is
    // replaced with what you specify in this PutRule command." A PutRule naming the findings rule
    // with State DISABLED, or with a pattern no finding matches, silences GuardDuty findings as
    // surely as DeleteRule. The record is shaped as the EventBridge User Guide's CloudTrail
    // example of PutRule ("requestParameters":{"description":"","name":"cttest2","state":"ENABLED",
    // "eventPattern":"...","scheduleExpression":""}, "responseElements":{"ruleArn":...}).
    const admin = '333333333333';
    const putRule = (name: string, state: string, eventPattern: string, errorCode?: string) => ({
      ...apiCall(
        'aws.events',
        {
          eventVersion: '1.08',
          userIdentity: {
            type: 'AssumedRole',
            accountId: admin,
            arn: `arn:aws:sts::${admin}:assumed-role/admin/x`,
          },
          eventTime: '2026-12-07T21:00:00Z',
          eventSource: 'events.amazonaws.com',
          eventName: 'PutRule',
          awsRegion: 'eu-west-1',
          sourceIPAddress: 'AWS Internal',
          userAgent: 'AWS CloudWatch Console',
          requestParameters: { description: '', name, state, eventPattern, scheduleExpression: '' },
          responseElements: errorCode ? null : { ruleArn: `arn:aws:events:eu-west-1:${admin}:rule/${name}` },
          ...(errorCode ? { errorCode } : {}),
          eventType: 'AwsApiCall',
          apiVersion: '2015-10-07',
          recipientAccountId: admin,
        },
        admin,
      ),
      region: 'eu-west-1',
    });
    const findings = JSON.stringify({ source: ['aws.guardduty'], 'detail-type': ['GuardDuty Finding'] });
    const nothing = JSON.stringify({ source: ['aws.guardduty'], 'detail-type': ['No Such Event'] });
    expect(onBus(putRule(names.guardDutyFindingsRule, 'DISABLED', findings))).toEqual([
      'findings-rule-replaced',
    ]);
    expect(onBus(putRule(names.guardDutyFindingsRule, 'ENABLED', nothing))).toEqual([
      'findings-rule-replaced',
    ]);
    // Someone else's rule, or a PutRule EventBridge refused, starts nothing.
    expect(onBus(putRule('someone-elses-rule', 'DISABLED', findings))).toEqual([]);
    expect(
      onBus(putRule(names.guardDutyFindingsRule, 'DISABLED', findings, 'AccessDeniedException')),
    ).toEqual([]);
  });

  it('member triggers claimed by the management account start nothing on the bus; its trail calls start the management trigger', () => {
    const stop = apiCall(
      'aws.cloudtrail',
      { eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging' },
      management,
    );
    expect(triggered(stop)).toEqual(['org-trail-changed', 'trail-changed']);
    // Issue 21 §6: the management account's StopLogging (of the organization trail) is its own
    // trigger, pinned to that account; the member trigger still refuses it.
    expect(onBus(stop)).toEqual(['org-trail-changed']);
    expect(onBus({ ...stop, account: member })).toEqual(['trail-changed']);
  });

  it('forwarding: the management account forwards Organizations and opt-in events, members the rest; opt-in from us-east-1', () => {
    expect(managementForwardedTriggers.map((t) => t.id)).toEqual([
      'account-created',
      'account-joined',
      'account-moved',
      'region-opted-in',
      'org-trail-changed',
    ]);
    // Organizations and opt-in events are seen in us-east-1, trail calls in the trail's home Region.
    expect(managementForwardedTriggersIn('home').map((t) => t.id)).toEqual(['org-trail-changed']);
    expect(memberForwardedTriggers.map((t) => t.id)).not.toContain('account-created');
    expect(memberForwardedTriggers.map((t) => t.id)).toContain('region-opted-in');
    expect(triggers.filter((t) => t.memberRegions === 'us-east-1').map((t) => t.id)).toEqual([
      'region-opted-in',
    ]);
  });
});
