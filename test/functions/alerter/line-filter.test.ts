/**
 * The alerter's look at each raw line before normalizing it (issue 26 §2): it may let through a
 * line nothing flags, never hold back one the full path (normalize, isCoverageTamper, every rule)
 * would alert on.
 */
import fc from 'fast-check';
import { lineFilter } from '../../../functions/alerter/alerter';
import { compileRules, matchingRules, type DetectionContext } from '../../../functions/alerter/detections';
import { FlowLogFormatRegistry } from '../../../functions/shared/flow-log-formats';
import { normalizeLogEvent } from '../../../functions/shared/normalize';
import { isCoverageTamper } from '../../../functions/shared/tamper';
import {
  cwlPayload,
  guardDutyEvents,
  pantherCloudTrailLogs,
  realCloudTrailEvents,
} from '../../../local/corpus';
import { testTrust } from '../../fixtures/trust';

const registry = new FlowLogFormatRegistry();
const rules = compileRules();

/** What the full path finds in a line: tampering, and whether a rule flags its document. */
function fullPath(line: string, ctx: DetectionContext): { tamper: boolean; detected: boolean } {
  const payload = cwlPayload([line], { logGroup: 'aws-cloudtrail-logs' });
  const doc = normalizeLogEvent(payload, payload.logEvents[0], registry, testTrust);
  return { tamper: isCoverageTamper(doc), detected: matchingRules(doc, rules, ctx).length > 0 };
}
const fullPathAlerts = (line: string, ctx: DetectionContext) => {
  const { tamper, detected } = fullPath(line, ctx);
  return tamper || detected;
};

/** The alerter's look at a line of a payload trusted for CloudTrail (`mayTamper`), or not. */
const passes = (line: string, minSeverity: number, mayTamper = true) =>
  lineFilter(rules, mayTamper, { guardDutyMinSeverity: minSeverity })!({
    id: '1',
    timestamp: 0,
    message: line,
  });

/** A tiny seeded generator, so one fast-check integer decides every choice of a line's spelling. */
function random(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

interface Spelling {
  seed: number;
  /** Share of characters written as `\uXXXX`; 0 for most lines. */
  escapes: number;
  space: string;
}

/** JSON text of a value, spelt as any writer may: key order, whitespace, escapes, number forms. */
function spell(value: unknown, how: Spelling): string {
  const next = random(how.seed);
  const sp = () => (next() < 0.5 ? '' : how.space);
  const str = (s: string) =>
    '"' +
    [...s]
      .map((c) => {
        const code = c.charCodeAt(0);
        if (next() < how.escapes || code < 0x20 || c.length > 1)
          return [...c].map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
        if (c === '"' || c === '\\') return `\\${c}`;
        if (c === '/' && next() < 0.3) return '\\/';
        return c;
      })
      .join('') +
    '"';
  const num = (n: number) => {
    const plain = JSON.stringify(n);
    const r = next();
    if (r < 0.2 && Number.isInteger(n) && Math.abs(n) < 1e15) return `${n}.0`;
    if (r < 0.4 && Number.isFinite(n)) return n.toExponential().replace('+', '');
    return plain;
  };
  const write = (v: unknown): string => {
    if (typeof v === 'string') return str(v);
    if (typeof v === 'number') return num(v);
    if (v === null || typeof v === 'boolean') return String(v);
    if (Array.isArray(v)) return `[${sp()}${v.map(write).join(`,${sp()}`)}${sp()}]`;
    const entries = Object.entries(v as object).filter(([, x]) => x !== undefined);
    for (let i = entries.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [entries[i], entries[j]] = [entries[j], entries[i]];
    }
    return `{${sp()}${entries.map(([k, x]) => `${str(k)}${sp()}:${sp()}${write(x)}`).join(`,${sp()}`)}${sp()}}`;
  };
  return write(value);
}

const spelling: fc.Arbitrary<Spelling> = fc.record({
  seed: fc.integer(),
  escapes: fc.oneof(fc.constant(0), fc.constant(0), fc.double({ min: 0, max: 0.3, noNaN: true })),
  space: fc.constantFrom(' ', '\n', '\t', ' \r\n  '),
});

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const names = (...known: string[]) => fc.oneof(fc.constantFrom(...known), fc.string());
const port = fc.oneof(fc.constantFrom(-1, 0, 22, 80, 3389, 5985, 5986, 65535), fc.integer(), fc.string());
const cidr = fc.oneof(fc.constantFrom('0.0.0.0/0', '::/0', '10.0.0.0/8', '203.0.113.7/32'), fc.string());

const cloudTrailRecord = fc.record(
  {
    eventVersion: fc.constantFrom('1.08', '1.09', '1.11'),
    eventSource: names(
      'cloudtrail.amazonaws.com',
      'guardduty.amazonaws.com',
      'iam.amazonaws.com',
      'ec2.amazonaws.com',
      'logs.amazonaws.com',
      'signin.amazonaws.com',
      'sts.amazonaws.com',
      's3.amazonaws.com',
    ),
    eventName: fc.oneof(
      names(
        'StopLogging',
        'DeleteTrail',
        'UpdateTrail',
        'PutEventSelectors',
        'DeleteDetector',
        'UpdateDetector',
        'UpdateOrganizationConfiguration',
        'DeleteMembers',
        'DeleteFlowLogs',
        'DeleteLogGroup',
        'DeleteSubscriptionFilter',
        'ConsoleLogin',
        'AssumeRole',
        'CreateAccessKey',
        'CreateUser',
        'AuthorizeSecurityGroupIngress',
        'CreateServiceLinkedRole',
        'DescribeInstances',
        'GetObject',
        'Unknown',
      ),
      fc.integer(),
    ),
    eventTime: fc.constantFrom('2026-12-07T06:00:00Z', 'not a time'),
    eventID: fc.uuid(),
    eventType: fc.constantFrom('AwsApiCall', 'AwsServiceEvent', 'AwsConsoleSignIn'),
    awsRegion: fc.constantFrom('eu-west-1', 'us-east-1', 'ap-south-2'),
    recipientAccountId: fc.constantFrom('123456789012', '111122223333'),
    sourceIPAddress: fc.constantFrom('203.0.113.7', 'AWS Internal', 'cloudtrail.amazonaws.com'),
    requestID: maybe(fc.uuid()),
    errorCode: maybe(fc.constantFrom('AccessDenied', 'Client.UnauthorizedOperation')),
    readOnly: maybe(fc.boolean()),
    severity: maybe(
      fc.oneof(fc.double({ min: -20, max: 20, noNaN: true }), fc.string(), fc.array(fc.integer())),
    ),
    userIdentity: fc.record(
      {
        type: names('Root', 'IAMUser', 'AssumedRole', 'AWSService', 'FederatedUser'),
        arn: fc.constantFrom('arn:aws:iam::123456789012:root', 'arn:aws:iam::123456789012:user/mallory'),
        accountId: fc.constantFrom('123456789012', '111122223333'),
        userName: maybe(fc.constantFrom('mallory', 'alice')),
        principalId: maybe(fc.string()),
        invokedBy: maybe(fc.constantFrom('cloudformation.amazonaws.com')),
      },
      { requiredKeys: ['type', 'arn', 'accountId'] },
    ),
    requestParameters: maybe(
      fc.record(
        {
          userName: fc.constantFrom('mallory', 'alice', 'bob'),
          cidrIp: cidr,
          ipProtocol: fc.oneof(fc.constantFrom('-1', 'all', 'tcp', 'udp'), fc.integer()),
          fromPort: port,
          toPort: port,
          ipPermissions: fc.record({
            items: fc.array(
              fc.record(
                {
                  ipProtocol: fc.constantFrom('-1', 'all', 'tcp'),
                  fromPort: port,
                  toPort: port,
                  ipRanges: fc.record({ items: fc.array(fc.record({ cidrIp: cidr }), { maxLength: 2 }) }),
                  ipv6Ranges: fc.record({ items: fc.array(fc.record({ cidrIpv6: cidr }), { maxLength: 2 }) }),
                },
                { requiredKeys: [] },
              ),
              { maxLength: 2 },
            ),
          }),
          enable: fc.oneof(fc.boolean(), fc.constantFrom('false', 'true')),
          autoEnable: fc.oneof(fc.boolean(), fc.constant('false')),
          autoEnableOrganizationMembers: fc.constantFrom('NONE', 'ALL', 'NEW'),
          logGroupName: fc.constantFrom('/logwarden/cloudtrail', 'app/orders', 'aws-cloudtrail-logs'),
          accountIds: fc.array(fc.constantFrom('111122223333', '444455556666'), { maxLength: 2 }),
        },
        { requiredKeys: [] },
      ),
    ),
    responseElements: maybe(fc.record({ ConsoleLogin: fc.constantFrom('Success', 'Failure') })),
    additionalEventData: maybe(
      fc.record(
        {
          MFAUsed: fc.constantFrom('Yes', 'No'),
          SamlProviderArn: fc.constant('arn:aws:iam::123456789012:saml-provider/idp'),
          LoginTo: fc.constant('https://console.aws.amazon.com'),
        },
        { requiredKeys: [] },
      ),
    ),
    extra: maybe(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })),
  },
  { requiredKeys: ['eventVersion', 'eventSource', 'eventName', 'userIdentity', 'sourceIPAddress'] },
);

const guardDutyEvent = fc.record({
  version: fc.constant('0'),
  source: fc.constant('aws.guardduty'),
  'detail-type': fc.constant('GuardDuty Finding'),
  account: fc.constant('123456789012'),
  region: fc.constantFrom('eu-west-1', 'us-east-1'),
  time: fc.constant('2026-12-07T06:00:00Z'),
  detail: fc.record(
    {
      schemaVersion: fc.constant('2.0'),
      accountId: fc.constant('123456789012'),
      region: fc.constantFrom('eu-west-1', 'us-east-1'),
      id: fc.stringMatching(/^[0-9a-f]{8,32}$/),
      type: fc.constantFrom(
        'Recon:EC2/PortProbeUnprotectedPort',
        'Stealth:IAMUser/CloudTrailLoggingDisabled',
      ),
      title: fc.string(),
      severity: fc.oneof(
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.constantFrom(2, 5, 7, 8.9, 9, 10, 6.999),
        fc.string(),
        fc.integer(),
      ),
      createdAt: fc.constant('2026-12-07T05:00:00.000Z'),
      updatedAt: fc.constantFrom('2026-12-07T05:00:00.000Z', '2026-12-07T06:00:00.000Z'),
      service: fc.record(
        {
          archived: fc.boolean(),
          additionalInfo: fc.record({ sample: fc.boolean() }, { requiredKeys: [] }),
          detectorId: fc.stringMatching(/^[0-9a-f]{8}$/),
          count: fc.integer({ min: 1, max: 5 }),
          severity: fc.double({ min: 0, max: 10, noNaN: true }),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['severity', 'id', 'type'] },
  ),
});

const line = fc.oneof(
  { weight: 4, arbitrary: cloudTrailRecord.map(({ extra, ...r }) => ({ ...extra, ...r })) },
  { weight: 1, arbitrary: guardDutyEvent },
);
const context = fc.record({
  minSeverity: fc.oneof(fc.constantFrom(4, 7, 9), fc.double({ min: 0, max: 10, noNaN: true })),
  governed: fc.boolean(),
});

describe('the alerter looks at each line before normalizing it (issue 26 §2)', () => {
  it('every rule of contracts/detections.json has a look, so lines are filtered at all', () => {
    expect(rules.filter((r) => !r.mayMatchLine).map((r) => r.rule.id)).toEqual([]);
    expect(lineFilter(rules, true, { guardDutyMinSeverity: 7 })).toBeDefined();
  });

  it('never holds back a line the full path alerts on: any spelling, key order, escape or whitespace', () => {
    let alerted = 0;
    let heldBack = 0;
    fc.assert(
      fc.property(line, spelling, context, (record, how, { minSeverity, governed }) => {
        const text = spell(record, how);
        const ctx: DetectionContext = {
          settings: { guardDutyMinSeverity: minSeverity },
          governed: () => governed,
        };
        const { tamper, detected } = fullPath(text, ctx);
        // The rules' own looks, without the tamper look (a payload trusted for GuardDuty only).
        if (detected) expect(passes(text, minSeverity, false)).toBe(true);
        if (tamper || detected) {
          alerted++;
          expect(passes(text, minSeverity)).toBe(true);
        } else if (!passes(text, minSeverity)) heldBack++;
      }),
      { numRuns: 3000 },
    );
    // The property saw lines both ways: alerts it let through, and lines it spared normalizing.
    expect(alerted).toBeGreaterThan(50);
    expect(heldBack).toBeGreaterThan(500);
  });

  it('lets every corpus line through that alerts, and holds back most of the rest', () => {
    const ctx: DetectionContext = { settings: { guardDutyMinSeverity: 7 }, governed: () => false };
    const lines = [
      ...realCloudTrailEvents().map((e) => JSON.stringify(e.event)),
      ...pantherCloudTrailLogs().map((e) => JSON.stringify(e.event)),
      ...guardDutyEvents().map((e) => JSON.stringify(e.event)),
    ];
    const alerting = lines.filter((l) => fullPathAlerts(l, ctx));
    expect(alerting.length).toBeGreaterThan(20);
    for (const l of alerting) expect(passes(l, 7)).toBe(true);
    expect(lines.filter((l) => passes(l, 7)).length).toBeLessThan(lines.length / 2);
  });

  it('reads a finding by its severity member, and in full when the member is no plain number', () => {
    const finding = (severity: string) =>
      `{"source":"aws.guardduty","detail":{"id":"f1","severity" : ${severity},"type":"Recon:EC2/PortProbeUnprotectedPort"}}`;
    expect(passes(finding('5.0'), 7)).toBe(false);
    expect(passes(finding('8'), 7)).toBe(true);
    expect(passes(finding('70e-1'), 7)).toBe(true);
    expect(passes(finding('"8"'), 7)).toBe(true);
    expect(passes(finding('5').replace('"severity"', '"sev\\u0065rity"'), 7)).toBe(true);
  });

  it('reads a CloudTrail line in full when a JSON escape may spell a name the rules look for', () => {
    const call = (name: string) =>
      `{"eventVersion":"1.09","eventSource":"iam.amazonaws.com","eventName":"${name}","userIdentity":{"type":"IAMUser"}}`;
    expect(passes(call('ListUsers'), 7)).toBe(false);
    expect(passes(call('CreateAccessKey'), 7)).toBe(true);
    expect(passes(call('Create\\u0041ccessKey'), 7)).toBe(true);
    expect(passes(call('Create\\u0041ccessKey'), 7, false)).toBe(true);
  });
});
