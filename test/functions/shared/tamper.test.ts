import { FlowLogFormatRegistry } from '../../../functions/shared/flow-log-formats';
import { normalizePayload } from '../../../functions/shared/normalize';
import { isCoverageTamper, mayBeCoverageTamper } from '../../../functions/shared/tamper';
import {
  cwlPayload,
  guardDutyEvents,
  pantherCloudTrailLogs,
  realCloudTrailEvents,
} from '../../../local/corpus';
import { testTrust } from '../../fixtures/trust';

const registry = new FlowLogFormatRegistry();
const docOf = (event: object) =>
  normalizePayload(cwlPayload([JSON.stringify(event)]), registry, testTrust)[0];
const call = (eventSource: string, eventName: string, requestParameters: object = {}, extra: object = {}) =>
  docOf({
    eventVersion: '1.09',
    // Every CloudTrail record names its caller and source; one without is kept as a parse error.
    userIdentity: {
      type: 'IAMUser',
      arn: 'arn:aws:iam::111122223333:user/mallory',
      accountId: '111122223333',
    },
    sourceIPAddress: '203.0.113.7',
    eventSource,
    eventName,
    eventID: `${eventName}-1`,
    requestParameters,
    ...extra,
  });

describe('isCoverageTamper', () => {
  it('flags the real Stratus detonations that switch logging off, and nothing else in them', () => {
    const flagged = realCloudTrailEvents()
      .filter(({ event }) => isCoverageTamper(docOf(event)))
      .map(({ event }) => `${event.eventSource} ${event.eventName}`);
    expect(new Set(flagged)).toEqual(
      new Set([
        'cloudtrail.amazonaws.com StopLogging',
        'cloudtrail.amazonaws.com DeleteTrail',
        'cloudtrail.amazonaws.com PutEventSelectors',
        'ec2.amazonaws.com DeleteFlowLogs',
      ]),
    );
  });

  it.each([
    ['cloudtrail.amazonaws.com', 'StopLogging'],
    ['cloudtrail.amazonaws.com', 'DeleteTrail'],
    ['cloudtrail.amazonaws.com', 'UpdateTrail'],
    ['cloudtrail.amazonaws.com', 'PutEventSelectors'],
    ['cloudtrail.amazonaws.com', 'PutInsightSelectors'],
    ['cloudtrail.amazonaws.com', 'DeleteEventDataStore'],
    ['guardduty.amazonaws.com', 'DeleteDetector'],
    ['guardduty.amazonaws.com', 'DisassociateFromAdministratorAccount'],
    ['guardduty.amazonaws.com', 'DisassociateFromMasterAccount'],
    ['guardduty.amazonaws.com', 'DeleteMembers'],
    ['guardduty.amazonaws.com', 'DisassociateMembers'],
    ['guardduty.amazonaws.com', 'StopMonitoringMembers'],
    ['guardduty.amazonaws.com', 'DisableOrganizationAdminAccount'],
    ['ec2.amazonaws.com', 'DeleteFlowLogs'],
    ['logs.amazonaws.com', 'DeleteSubscriptionFilter'],
    ['logs.amazonaws.com', 'DeleteAccountPolicy'],
    ['logs.amazonaws.com', 'DeleteDestination'],
  ])('%s %s is tamper', (source, name) => {
    expect(isCoverageTamper(call(source, name))).toBe(true);
  });

  it('UpdateOrganizationConfiguration only when it switches auto-enable off (issue 21 §5)', () => {
    // GuardDuty API Reference, UpdateOrganizationConfiguration: autoEnableOrganizationMembers
    // "NONE: Indicates that GuardDuty will not be automatically enabled for any account in the
    // organization"; the older autoEnable is a boolean.
    const update = (params: object) =>
      isCoverageTamper(
        call('guardduty.amazonaws.com', 'UpdateOrganizationConfiguration', { detectorId: 'd', ...params }),
      );
    expect(update({ autoEnableOrganizationMembers: 'NONE' })).toBe(true);
    expect(update({ autoEnable: false })).toBe(true);
    expect(update({ autoEnableOrganizationMembers: 'ALL' })).toBe(false);
    expect(update({ autoEnableOrganizationMembers: 'NEW' })).toBe(false);
  });

  it('UpdateDetector only when it disables the detector', () => {
    expect(
      isCoverageTamper(call('guardduty.amazonaws.com', 'UpdateDetector', { detectorId: 'd', enable: false })),
    ).toBe(true);
    expect(
      isCoverageTamper(call('guardduty.amazonaws.com', 'UpdateDetector', { detectorId: 'd', enable: true })),
    ).toBe(false);
    expect(
      isCoverageTamper(
        call('guardduty.amazonaws.com', 'UpdateDetector', { findingPublishingFrequency: 'SIX_HOURS' }),
      ),
    ).toBe(false);
  });

  it('DeleteLogGroup only on a covered group', () => {
    expect(
      isCoverageTamper(
        call('logs.amazonaws.com', 'DeleteLogGroup', { logGroupName: '/logwarden/vpc-flow-logs/lw-vpc-v8' }),
      ),
    ).toBe(true);
    expect(
      isCoverageTamper(call('logs.amazonaws.com', 'DeleteLogGroup', { logGroupName: '/aws/lambda/scratch' })),
    ).toBe(false);
    expect(
      isCoverageTamper(
        call('logs.amazonaws.com', 'DeleteLogGroup', { logGroupName: 'aws-cloudtrail-logs' }),
        ['aws-cloudtrail-logs'],
      ),
    ).toBe(true);
  });

  it('logwarden’s subscription control removing its own fallback filter is not tamper; anyone else’s removal is', () => {
    const byRole = (arn: string, filterName: string) =>
      call(
        'logs.amazonaws.com',
        'DeleteSubscriptionFilter',
        { logGroupName: '/app/orders', filterName },
        {
          userIdentity: { type: 'AssumedRole', arn, accountId: '111122223333' },
        },
      );
    const control = 'arn:aws:sts::111122223333:assumed-role/logwarden-member-execution/logwarden-control';
    expect(isCoverageTamper(byRole(control, 'logwarden-central-eu-west-1'))).toBe(false);
    // Another filter, another session of the role, another role: tamper as before.
    expect(isCoverageTamper(byRole(control, 'splunk'))).toBe(true);
    expect(
      isCoverageTamper(
        byRole(
          'arn:aws:sts::111122223333:assumed-role/logwarden-member-execution/someone',
          'logwarden-central-eu-west-1',
        ),
      ),
    ).toBe(true);
    expect(
      isCoverageTamper(
        byRole('arn:aws:sts::111122223333:assumed-role/Admin/mallory', 'logwarden-central-eu-west-1'),
      ),
    ).toBe(true);
  });

  it('a failed attempt changed nothing and is not tamper', () => {
    expect(
      isCoverageTamper(call('cloudtrail.amazonaws.com', 'StopLogging', {}, { errorCode: 'AccessDenied' })),
    ).toBe(false);
  });

  it('ordinary events, findings and plain logs are not tamper', () => {
    expect(isCoverageTamper(call('cloudtrail.amazonaws.com', 'StartLogging'))).toBe(false);
    expect(isCoverageTamper(call('ec2.amazonaws.com', 'CreateFlowLogs'))).toBe(false);
    for (const { event } of guardDutyEvents()) expect(isCoverageTamper(docOf(event))).toBe(false);
    expect(isCoverageTamper(normalizePayload(cwlPayload(['StopLogging']), registry, testTrust)[0])).toBe(
      false,
    );
  });

  it('agrees with the Panther CloudTrail-stop rule fixtures', () => {
    const fixtures = pantherCloudTrailLogs().filter((f) => f.source.startsWith('AWS.CloudTrail.Stopped'));
    expect(fixtures.length).toBeGreaterThan(0);
    for (const { event } of fixtures) {
      const expected = ['StopLogging', 'DeleteTrail'].includes(event.eventName as string) && !event.errorCode;
      expect(isCoverageTamper(docOf(event))).toBe(expected);
    }
  });

  describe('each condition of the predicate, where a StrykerJS mutant survived (issue 21 §27)', () => {
    const group = { logGroupName: '/logwarden/vpc-flow-logs/lw-vpc-v8' };

    it('only DeleteLogGroup of a covered group: logwarden’s own CreateLogGroup and PutRetentionPolicy on it are not tamper', () => {
      for (const operation of [
        'CreateLogGroup',
        'PutRetentionPolicy',
        'TagResource',
        'PutSubscriptionFilter',
      ])
        expect(isCoverageTamper(call('logs.amazonaws.com', operation, group))).toBe(false);
      expect(isCoverageTamper(call('logs.amazonaws.com', 'DeleteLogGroup', group))).toBe(true);
    });

    it('DeleteLogGroup and UpdateDetector count only from their own service', () => {
      expect(isCoverageTamper(call('s3.amazonaws.com', 'DeleteLogGroup', group))).toBe(false);
      for (const service of ['securityhub.amazonaws.com', 'macie2.amazonaws.com', 'logs.amazonaws.com'])
        expect(isCoverageTamper(call(service, 'UpdateDetector', { detectorId: 'd', enable: false }))).toBe(
          false,
        );
    });

    it('UpdateDetector with enable "false" written as a string disables the detector too; "true" does not', () => {
      expect(
        isCoverageTamper(
          call('guardduty.amazonaws.com', 'UpdateDetector', { detectorId: 'd', enable: 'false' }),
        ),
      ).toBe(true);
      expect(
        isCoverageTamper(
          call('guardduty.amazonaws.com', 'UpdateDetector', { detectorId: 'd', enable: 'true' }),
        ),
      ).toBe(false);
    });

    it('only an API Activity document: the same api fields on another class are not tamper', () => {
      const stop = call('cloudtrail.amazonaws.com', 'StopLogging');
      expect(isCoverageTamper(stop)).toBe(true);
      for (const class_uid of [0, 6001, 6002, 2004, 4001])
        expect(isCoverageTamper({ ...stop, class_uid })).toBe(false);
      expect(isCoverageTamper({ ...stop, status_id: 2 })).toBe(false);
      expect(isCoverageTamper({ ...stop, api: { operation: 'StopLogging' } })).toBe(false);
      expect(isCoverageTamper({ ...stop, api: { service: { name: 'cloudtrail.amazonaws.com' } } })).toBe(
        false,
      );
    });
  });
});

describe('isCoverageTamper on names that are also Object properties', () => {
  it('reads an eventSource such as toString or constructor as no tamper, without throwing', () => {
    for (const source of ['toString', 'valueOf', 'constructor', '__proto__', 'hasOwnProperty'])
      expect(isCoverageTamper(call(source, 'StopLogging'))).toBe(false);
    expect(isCoverageTamper(call('cloudtrail.amazonaws.com', 'StopLogging'))).toBe(true);
  });
});

describe('mayBeCoverageTamper: the look before normalizing (issue 26)', () => {
  it('is true for every corpus line whose document is tampering, and false for most lines', () => {
    const lines = [
      ...realCloudTrailEvents().map((e) => JSON.stringify(e.event)),
      ...pantherCloudTrailLogs().map((e) => JSON.stringify(e.event)),
      ...guardDutyEvents().map((e) => JSON.stringify(e.event)),
    ];
    const tampering = lines.filter((l) =>
      isCoverageTamper(normalizePayload(cwlPayload([l]), registry, testTrust)[0]),
    );
    expect(tampering.length).toBeGreaterThanOrEqual(10);
    for (const l of tampering) expect(mayBeCoverageTamper(l)).toBe(true);
    expect(lines.filter((l) => mayBeCoverageTamper(l)).length).toBeLessThan(lines.length / 4);
  });

  it('is true for the calls that are tamper only with some parameters', () => {
    const docs = [
      call('guardduty.amazonaws.com', 'UpdateDetector', { detectorId: 'd1', enable: false }),
      call('guardduty.amazonaws.com', 'UpdateOrganizationConfiguration', {
        detectorId: 'd1',
        autoEnableOrganizationMembers: 'NONE',
      }),
      call('logs.amazonaws.com', 'DeleteLogGroup', { logGroupName: '/logwarden/cloudtrail' }),
    ];
    for (const doc of docs) {
      expect(isCoverageTamper(doc)).toBe(true);
      expect(mayBeCoverageTamper(doc.raw_data as string)).toBe(true);
    }
  });

  it('reads in full a line with a JSON escape, which can spell a call name without its letters', () => {
    expect(mayBeCoverageTamper('{"eventName":"Stop\\u004cogging"}')).toBe(true);
    expect(mayBeCoverageTamper('{"eventName":"GetPasswordData"}')).toBe(false);
  });
});
