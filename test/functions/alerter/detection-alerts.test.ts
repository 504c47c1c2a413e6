import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { detectionRules } from '../../../contracts/detections';
import { names } from '../../../contracts/names';
import { TrustTable } from '../../../contracts/trusted-sources';
import { AlerterDeps, alertOnStreamRecord, detectionKey } from '../../../functions/alerter/alerter';
import { compileRules, DETECTION_RESPONSE } from '../../../functions/alerter/detections';
import { FlowLogFormatRegistry } from '../../../functions/shared/flow-log-formats';
import { documentId, normalizePayload } from '../../../functions/shared/normalize';
import { cwlPayload, encodeCwl, pantherGuardDutyFixtures, realCloudTrailEvents } from '../../../local/corpus';
import { dedupeTable } from '../../fixtures/dedupe-table';

const sns = mockClient(SNSClient);
const sfn = mockClient(SFNClient);
const ddb = mockClient(DynamoDBClient);
const stateMachineArn = 'arn:aws:states:eu-west-1:333333333333:stateMachine:logwarden-cover-account-region';
const management = '111111111111';
const orgTrailGroup = '/logwarden/org-trail';
const findingsOwner = '333333333333';
const trust = new TrustTable([
  { kind: 'cloudtrail', logGroup: orgTrailGroup, owner: management },
  { kind: 'guardduty', logGroup: names.guardDutyFindingsLogGroup, owner: findingsOwner },
]);
const formats = new FlowLogFormatRegistry();
const stratus = realCloudTrailEvents();
const eventOf = (file: string, name: string) =>
  stratus.find((e) => e.source === file && e.event.eventName === name)!.event;
const consoleLogin = eventOf('aws.initial-access.console-login-without-mfa.json', 'ConsoleLogin');
const stop = eventOf('aws.defense-evasion.cloudtrail-stop.json', 'StopLogging');
const ordinary = stratus.filter((e) => e.event.eventName === 'GetPasswordData').map((e) => e.event);
const highFinding = pantherGuardDutyFixtures().find((f) => f.testName === 'High Sev Finding')!.event;
const lowFinding = pantherGuardDutyFixtures().find((f) => f.testName === 'Low Sev Finding')!.event;

const deps = (extra: Partial<AlerterDeps> = {}): AlerterDeps => ({
  sns: new SNSClient({ region: 'eu-west-1' }),
  sfn: new SFNClient({ region: 'eu-west-1' }),
  ddb: new DynamoDBClient({ region: 'eu-west-1' }),
  topicArn: 'arn:aws:sns:eu-west-1:222222222222:logwarden-alerts',
  stateMachineArn,
  dedupeTable: 'dedupe',
  dedupeHours: 168,
  formats,
  trust,
  governedRegions: ['eu-west-1'],
  managementAccount: management,
  organizationTrail: true,
  inFlight: new Map(),
  now: () => 1_732_800_000_000,
  detections: compileRules(detectionRules),
  detectionSettings: { guardDutyMinSeverity: 7 },
  ...extra,
});

const fromTrail = (events: object[]) =>
  cwlPayload(
    events.map((e) => JSON.stringify(e)),
    { logGroup: orgTrailGroup, owner: management },
  );
const fromFindings = (events: object[]) =>
  cwlPayload(
    events.map((e) => JSON.stringify(e)),
    { logGroup: names.guardDutyFindingsLogGroup, owner: findingsOwner },
  );
const published = () =>
  sns.commandCalls(PublishCommand).map(
    (c) =>
      c.args[0].input as { Message: string; Subject: string } & {
        MessageAttributes: Record<string, { StringValue: string }>;
      },
  );

beforeEach(() => {
  sns.reset();
  sfn.reset();
  ddb.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  sfn
    .on(StartExecutionCommand)
    .resolves({ executionArn: 'arn:aws:states:eu-west-1:333333333333:execution:x:y' });
  dedupeTable(ddb);
});

describe('detection alerts (issue 24 §3)', () => {
  it('a console sign-in without MFA: one alert with severity, account, region, actor, console link and what logwarden did', async () => {
    const payload = fromTrail([...ordinary, consoleLogin]);
    const outcome = await alertOnStreamRecord(encodeCwl(payload), deps());
    const doc = normalizePayload(payload, formats, trust).at(-1)!;
    expect(outcome.detected).toEqual([detectionKey(documentId(payload, doc))]);
    expect(outcome.alerted).toEqual([]);
    const [alert] = published();
    expect(published()).toHaveLength(1);
    expect(alert.Subject).toBe('logwarden [Medium] console-login-without-mfa in 562283505220 eu-west-2r');
    expect(alert.Message).toContain('Severity:  Medium');
    expect(alert.Message).toContain('Account:   "562283505220"');
    expect(alert.Message).toContain('Region:    "eu-west-2r"');
    expect(alert.Message).toContain(
      'Actor:     "arn:aws:iam::562283505220:user/stratus-red-team-nmfalu-jfzdtsvchl"',
    );
    expect(alert.Message).toContain(
      `Console:   https://eu-west-2r.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-2r#/events/${consoleLogin.eventID as string}`,
    );
    expect(alert.Message).toContain(`logwarden: ${DETECTION_RESPONSE}`);
    expect(alert.MessageAttributes.rules.StringValue).toBe('console-login-without-mfa');
    // A detection changes nothing: no heal started.
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('a re-delivery alerts no one twice', async () => {
    const record = encodeCwl(fromTrail([consoleLogin]));
    await alertOnStreamRecord(record, deps());
    const again = await alertOnStreamRecord(record, deps());
    expect(again.detected).toEqual([]);
    expect(again.duplicates).toHaveLength(1);
    expect(published()).toHaveLength(1);
  });

  it('GuardDuty: a High finding alerts with its own severity and the finding’s console page; a Low one does not', async () => {
    const outcome = await alertOnStreamRecord(encodeCwl(fromFindings([lowFinding, highFinding])), deps());
    expect(outcome.detected).toHaveLength(1);
    const [alert] = published();
    expect(alert.Subject).toMatch(/^logwarden \[High\] guardduty-finding in /);
    const detail = highFinding.detail as { id: string; region: string };
    expect(alert.Message).toContain(
      `Console:   https://${detail.region}.console.aws.amazon.com/guardduty/home?region=${detail.region}#/findings?fId=${detail.id}`,
    );
    expect(alert.Message).toContain(
      'What:      "GuardDuty PrivilegeEscalation:IAMUser/AdministrativePermissions',
    );
  });

  it('the configured floor decides: at 9 the High finding is not alerted', async () => {
    const outcome = await alertOnStreamRecord(
      encodeCwl(fromFindings([highFinding])),
      deps({ detectionSettings: { guardDutyMinSeverity: 9 } }),
    );
    expect(outcome.detected).toEqual([]);
    expect(published()).toHaveLength(0);
  });

  it('a trail stopped where logwarden does not govern: one alert, the tamper alert naming the rule, no heal', async () => {
    const outcome = await alertOnStreamRecord(encodeCwl(fromTrail([stop])), deps());
    expect(outcome.notGoverned).toHaveLength(1);
    expect(outcome.detected).toEqual([]);
    const [alert] = published();
    expect(published()).toHaveLength(1);
    expect(alert.Message).toContain('Rules:     logging-disabled-outside-governance');
    expect(alert.Message).toContain('Self-heal: NOT started (region not governed by logwarden)');
    expect(alert.Message).toContain('Severity:  High');
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('the same trail stopped where logwarden governs: healed, and the rule does not flag it', async () => {
    await alertOnStreamRecord(
      encodeCwl(fromTrail([stop])),
      deps({ governedRegions: [stop.awsRegion as string] }),
    );
    const [alert] = published();
    expect(alert.Message).not.toContain('Rules:');
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  });

  it('a disabled rule raises nothing', async () => {
    const outcome = await alertOnStreamRecord(
      encodeCwl(fromTrail([consoleLogin])),
      deps({ detections: compileRules(detectionRules.filter((r) => r.id !== 'console-login-without-mfa')) }),
    );
    expect(outcome.detected).toEqual([]);
    expect(published()).toHaveLength(0);
  });
});
