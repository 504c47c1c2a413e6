import { parseConfig } from '../../../contracts/config';
import { names } from '../../../contracts/names';
import {
  decodeTrustedSources,
  encodeTrustedSources,
  TrustTable,
  trustedSourcesFromConfig,
} from '../../../contracts/trusted-sources';
import { FlowLogFormatRegistry } from '../../../functions/shared/flow-log-formats';
import { transformEnv } from '../../../functions/transform/env';
import { documentId, labels, normalizePayload } from '../../../functions/shared/normalize';
import { cwlPayload, guardDutyEvents, realCloudTrailEvents } from '../../../local/corpus';
import example from '../../../logwarden.config.json';

const management = '111111111111';
const securityTooling = '333333333333';
const orgGroupArn = `arn:aws:logs:eu-west-1:${management}:log-group:/logwarden/org-trail:*`;
const config = (trail: object) => parseConfig({ ...example, trail: { ...example.trail, ...trail } });
const formats = new FlowLogFormatRegistry();
const stop = realCloudTrailEvents().find((e) => e.event.eventName === 'StopLogging')!.event;
const finding = guardDutyEvents()[0].event;

describe('the trusted-source table, derived from the config', () => {
  it('organization mode: the trail group of the account its ARN names, and the findings group of security tooling', () => {
    expect(
      trustedSourcesFromConfig(config({ mode: 'organization', cloudWatchLogsGroupArn: orgGroupArn })),
    ).toEqual([
      { kind: 'guardduty', logGroup: names.guardDutyFindingsLogGroup, owner: securityTooling },
      { kind: 'cloudtrail', logGroup: '/logwarden/org-trail', owner: management },
    ]);
  });

  it('account mode: the configured group name in every account, for its own records', () => {
    expect(
      trustedSourcesFromConfig(config({ mode: 'account', cloudWatchLogsGroupArn: orgGroupArn }))[1],
    ).toEqual({ kind: 'cloudtrail', logGroup: '/logwarden/org-trail', owner: 'self' });
  });

  it('without a trail group no CloudTrail is trusted (the freshness and silence alarms then say so)', () => {
    expect(trustedSourcesFromConfig(config({ mode: 'organization' })).map((s) => s.kind)).toEqual([
      'guardduty',
    ]);
  });

  it('travels as an environment value and back; a broken value is a clear error at cold start', () => {
    const sources = trustedSourcesFromConfig(config({ cloudWatchLogsGroupArn: orgGroupArn }));
    expect(decodeTrustedSources(encodeTrustedSources(sources))).toEqual(sources);
    const env = (value?: string) => () =>
      transformEnv.parse({ MAX_REINGEST_HOPS: '5', TRUSTED_SOURCES: value });
    expect(env('{')).toThrow(/environment variable TRUSTED_SOURCES: is not JSON/);
    expect(env('[{"kind":"cloudtrail","logGroup":"g","owner":"me"}]')).toThrow(
      /environment variable TRUSTED_SOURCES: \[0.owner\]/,
    );
    expect(env(undefined)).toThrow('environment variable TRUSTED_SOURCES: is not set');
    expect(env('[]')().trustedSources).toBeInstanceOf(TrustTable);
  });
});

describe('trusted sources only (issue 10 §1)', () => {
  const org = new TrustTable(
    trustedSourcesFromConfig(config({ mode: 'organization', cloudWatchLogsGroupArn: orgGroupArn })),
  );
  const perAccount = new TrustTable(
    trustedSourcesFromConfig(config({ mode: 'account', cloudWatchLogsGroupArn: orgGroupArn })),
  );
  const one = (event: object, logGroup: string, owner: string, trust = org) =>
    normalizePayload(cwlPayload([JSON.stringify(event)], { logGroup, owner }), formats, trust)[0];

  it('the organization trail’s group in the management account is CloudTrail, for any account', () => {
    const doc = one(stop, '/logwarden/org-trail', management);
    expect(doc.class_uid).toBe(6003);
    expect(doc.cloud.account.uid).toBe(stop.recipientAccountId);
  });

  it('a workload’s forged CloudTrail line for another account is an application event of its owner', () => {
    const forged = { ...stop, recipientAccountId: '555555555555' };
    for (const [group, owner] of [
      ['/aws/lambda/orders', '444444444444'],
      // The same group name in the wrong account is not the trail's group.
      ['/logwarden/org-trail', '444444444444'],
    ]) {
      const doc = one(forged, group, owner);
      expect(doc.class_uid).toBe(0);
      expect(doc.cloud.account.uid).toBe(owner);
      expect(doc.metadata.labels).toContain(labels.untrustedCloudTrail);
      expect(doc.raw_data).toBe(JSON.stringify(forged));
    }
  });

  it('a forged GuardDuty finding outside the administrator’s findings group is an application event', () => {
    const doc = one(finding, names.guardDutyFindingsLogGroup, '444444444444');
    expect(doc.class_uid).toBe(0);
    expect(doc.metadata.labels).toContain(labels.untrustedGuardDuty);
    expect(one(finding, names.guardDutyFindingsLogGroup, securityTooling).class_uid).toBe(2004);
  });

  it('account mode: each account’s trail group carries its own records only', () => {
    const own = { ...stop, recipientAccountId: '444444444444' };
    expect(one(own, '/logwarden/org-trail', '444444444444', perAccount).class_uid).toBe(6003);
    const other = { ...stop, recipientAccountId: '555555555555' };
    expect(one(other, '/logwarden/org-trail', '444444444444', perAccount).class_uid).toBe(0);
  });

  it('document ids are namespaced by owner and log group: a reused eventID cannot overwrite the genuine one', () => {
    const payloads = [
      cwlPayload([JSON.stringify(stop)], { logGroup: '/logwarden/org-trail', owner: management }),
      cwlPayload([JSON.stringify(stop)], { logGroup: '/logwarden/org-trail', owner: '444444444444' }),
      cwlPayload([JSON.stringify(stop)], { logGroup: '/aws/lambda/orders', owner: management }),
    ];
    const ids = payloads.map((p) => documentId(p, normalizePayload(p, formats, org)[0]));
    expect(new Set(ids).size).toBe(3);
    // A re-delivery of the genuine payload keeps its id.
    const again = structuredClone(payloads[0]);
    expect(documentId(again, normalizePayload(again, formats, org)[0])).toBe(ids[0]);
  });
});
