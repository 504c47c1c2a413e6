import { parseConfig } from '../../../contracts/config';
import { names } from '../../../contracts/names';
import {
  decodeTrustedSources,
  encodeTrustedSources,
  TrustTable,
  trustedSourcesFromConfig,
} from '../../../contracts/trusted-sources';
import {
  flowLogGroupFor,
  FlowLogFormatRegistry,
  logwardenFormat,
} from '../../../functions/shared/flow-log-formats';
import { transformEnv } from '../../../functions/transform/env';
import { documentId, labels, normalizePayload } from '../../../functions/shared/normalize';
import { cwlPayload, guardDutyEvents, realCloudTrailEvents } from '../../../local/corpus';
import example from '../../../logwarden.config.json';

const management = '111111111111';
const securityTooling = '333333333333';
const trailGroup = names.trailLogGroup;
const config = (trail: object, flowLogGroups: object[] = []) =>
  parseConfig({
    ...example,
    flowLogs: { ...example.flowLogs, groups: flowLogGroups },
    trail: { ...example.trail, ...trail },
  });
const formats = new FlowLogFormatRegistry();
const stop = realCloudTrailEvents().find((e) => e.event.eventName === 'StopLogging')!.event;
const finding = guardDutyEvents()[0].event;

describe('the trusted-source table, derived from the config', () => {
  // CloudTrail User Guide, "Organization delegated administrator", footnote 1: "Both the
  // CloudWatch Logs log group and log role must exist in the calling account." The organization
  // trail is created and updated from security-tooling, its delegated administrator (issue 21 §2).
  it('organization mode: the trail group of security tooling (the calling account), and its findings group', () => {
    expect(trustedSourcesFromConfig(config({ mode: 'organization' }))).toEqual([
      { kind: 'guardduty', logGroup: names.guardDutyFindingsLogGroup, owner: securityTooling },
      { kind: 'cloudtrail', logGroup: trailGroup, owner: securityTooling },
    ]);
  });

  it('account mode: logwarden’s trail group in every account, for its own records', () => {
    expect(trustedSourcesFromConfig(config({ mode: 'account' }))[1]).toEqual({
      kind: 'cloudtrail',
      logGroup: trailGroup,
      owner: 'self',
    });
  });

  it('travels as an environment value and back; a broken value is a clear error at cold start', () => {
    const sources = trustedSourcesFromConfig(config({ mode: 'organization' }));
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
  const org = new TrustTable(trustedSourcesFromConfig(config({ mode: 'organization' })));
  const perAccount = new TrustTable(trustedSourcesFromConfig(config({ mode: 'account' })));
  const one = (event: object, logGroup: string, owner: string, trust = org) =>
    normalizePayload(cwlPayload([JSON.stringify(event)], { logGroup, owner }), formats, trust)[0];

  it('the organization trail’s group in security tooling is CloudTrail, for any account', () => {
    const doc = one(stop, trailGroup, securityTooling);
    expect(doc.class_uid).toBe(6003);
    expect(doc.cloud.account.uid).toBe(stop.recipientAccountId);
  });

  it('a workload’s forged CloudTrail line for another account is an application event of its owner', () => {
    const forged = { ...stop, recipientAccountId: '555555555555' };
    for (const [group, owner] of [
      ['/aws/lambda/orders', '444444444444'],
      // The same group name in the wrong account is not the trail's group.
      [trailGroup, '444444444444'],
      // Nor is the management account's, which CloudTrail cannot deliver the trail to.
      [trailGroup, management],
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
    expect(one(own, trailGroup, '444444444444', perAccount).class_uid).toBe(6003);
    const other = { ...stop, recipientAccountId: '555555555555' };
    expect(one(other, trailGroup, '444444444444', perAccount).class_uid).toBe(0);
  });

  it('document ids are namespaced by owner and log group: a reused eventID cannot overwrite the genuine one', () => {
    const payloads = [
      cwlPayload([JSON.stringify(stop)], { logGroup: trailGroup, owner: securityTooling }),
      cwlPayload([JSON.stringify(stop)], { logGroup: trailGroup, owner: '444444444444' }),
      cwlPayload([JSON.stringify(stop)], { logGroup: '/aws/lambda/orders', owner: management }),
    ];
    const ids = payloads.map((p) => documentId(p, normalizePayload(p, formats, org)[0]));
    expect(new Set(ids).size).toBe(3);
    // A re-delivery of the genuine payload keeps its id.
    const again = structuredClone(payloads[0]);
    expect(documentId(again, normalizePayload(again, formats, org)[0])).toBe(ids[0]);
  });
});

describe('flow records from trusted flow-log groups only (issue 21 §16)', () => {
  const member = '444444444444';
  const line = (account: string, action = 'REJECT') =>
    `2 ${account} eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 ${action} OK`;
  const lwLine = (account: string) =>
    logwardenFormat.fields
      .map(
        (f) =>
          ({
            version: '8',
            'account-id': account,
            srcaddr: '10.0.0.1',
            dstaddr: '10.0.0.2',
            action: 'ACCEPT',
            'log-status': 'OK',
            start: '1700000000',
            end: '1700000060',
          })[f] ?? '-',
      )
      .join(' ');
  const doc = (message: string, logGroup: string, owner: string, trust = new TrustTable([])) =>
    normalizePayload(cwlPayload([message], { logGroup, owner }), formats, trust)[0];

  it('a member’s application line shaped like a default-format flow record stays the member’s application event, flagged', () => {
    const d = doc(line('999999999999'), '/aws/lambda/orders', member);
    expect(d.class_uid).toBe(0);
    expect(d.metadata.product.name).toBe('Application logs');
    expect(d.cloud.account.uid).toBe(member);
    expect(d.metadata.labels).toEqual([labels.untrustedVpcFlow]);
    expect(d.raw_data).toBe(line('999999999999'));
  });

  it('a flow-log group logwarden creates carries its owner’s records: another account’s is an application event', () => {
    const group = flowLogGroupFor(logwardenFormat);
    expect(doc(lwLine(member), group, member)).toMatchObject({
      class_uid: 4001,
      cloud: { account: { uid: member } },
    });
    // "unknown": an interface an AWS service created (Amazon VPC User Guide, account-id).
    expect(doc(lwLine('unknown'), group, member).class_uid).toBe(4001);
    const forged = doc(lwLine('999999999999'), group, member);
    expect(forged).toMatchObject({ class_uid: 0, cloud: { account: { uid: member } } });
    expect(forged.metadata.labels).toEqual([labels.untrustedVpcFlow]);
  });

  it('a configured flow-log group: records about any account from the owner the config names, none from another owner', () => {
    const sources = trustedSourcesFromConfig(config({}, [{ logGroup: 'central-flows', owner: member }]));
    expect(sources).toContainEqual({ kind: 'vpcflow', logGroup: 'central-flows', owner: member });
    const trust = new TrustTable(sources);
    expect(doc(line('999999999999'), 'central-flows', member, trust)).toMatchObject({
      class_uid: 4001,
      cloud: { account: { uid: '999999999999' } },
    });
    const elsewhere = doc(line('999999999999'), 'central-flows', '555555555555', trust);
    expect(elsewhere).toMatchObject({ class_uid: 0, cloud: { account: { uid: '555555555555' } } });
    expect(elsewhere.metadata.labels).toEqual([labels.untrustedVpcFlow]);
  });

  it('a configured "self" group with its own format: each account’s own records only', () => {
    const format = '${version} ${account-id} ${srcaddr} ${dstaddr} ${action} ${log-status}';
    const trust = new TrustTable(
      trustedSourcesFromConfig(config({}, [{ logGroup: 'flows', owner: 'self', format }])),
    );
    expect(doc(`5 ${member} 10.0.0.1 10.0.0.2 ACCEPT OK`, 'flows', member, trust).class_uid).toBe(4001);
    expect(doc(`5 999999999999 10.0.0.1 10.0.0.2 ACCEPT OK`, 'flows', member, trust).class_uid).toBe(0);
  });

  it('a configured format with an unknown field is refused when the function starts', () => {
    const bad = encodeTrustedSources([
      { kind: 'vpcflow', logGroup: 'flows', owner: 'self', format: '${version} ${nonsense}' },
    ]);
    expect(() => transformEnv.parse({ MAX_REINGEST_HOPS: '5', TRUSTED_SOURCES: bad })).toThrow(
      /unknown field\(s\) nonsense/,
    );
    expect(() =>
      decodeTrustedSources('[{"kind":"cloudtrail","logGroup":"g","owner":"self","format":"x"}]'),
    ).toThrow(/only a vpcflow source has a format/);
  });
});
