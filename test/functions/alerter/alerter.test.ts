import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ALERTER_TIMEOUT_SECONDS } from '../../../contracts/function-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { names } from '../../../contracts/names';
import { TrustTable } from '../../../contracts/trusted-sources';
import {
  AlerterDeps,
  alertOnStreamRecord,
  ClaimHeldError,
  DEFAULT_CLAIM_LEASE_MS,
  executionNameFor,
  HealNotStartedError,
} from '../../../functions/alerter/alerter';
import type { CwlPayload } from '../../../functions/shared/cwl-payload';
import { documentId, normalizePayload } from '../../../functions/shared/normalize';
import * as baseEvent from '../../../functions/shared/ocsf/base-event';
import * as cloudTrail from '../../../functions/shared/ocsf/cloudtrail';
import * as flowLog from '../../../functions/shared/ocsf/flow-log';
import {
  FlowLogFormatRegistry,
  flowLogGroupFor,
  logwardenFormat,
} from '../../../functions/shared/flow-log-formats';
import { cwlPayload, encodeCwl, flowLogSamples, realCloudTrailEvents } from '../../../local/corpus';
import { compileRules } from '../../../functions/alerter/detections';
import { detectionRules, type DetectionRule } from '../../../contracts/detections';

const detectionSettings = { guardDutyMinSeverity: 7 };
import { dedupeTable } from '../../fixtures/dedupe-table';
import { gzipBomb } from '../../fixtures/gzip-bomb';

const sns = mockClient(SNSClient);
const sfn = mockClient(SFNClient);
const ddb = mockClient(DynamoDBClient);
const stateMachineArn = 'arn:aws:states:eu-west-1:333333333333:stateMachine:logwarden-cover-account-region';
const management = '111111111111';
const orgTrailGroup = '/logwarden/org-trail';
const trust = new TrustTable([
  { kind: 'cloudtrail', logGroup: orgTrailGroup, owner: management },
  { kind: 'guardduty', logGroup: names.guardDutyFindingsLogGroup, owner: '333333333333' },
]);
const formats = new FlowLogFormatRegistry();
const all = realCloudTrailEvents();
const stop = all.find((e) => e.event.eventName === 'StopLogging')!.event;
const deleteFlowLogs = all.find((e) => e.event.eventName === 'DeleteFlowLogs')!.event;
const ordinary = all
  .filter((e) => e.event.eventName === 'GetPasswordData')
  .slice(0, 5)
  .map((e) => e.event);
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
  // The Stratus corpus anonymizes regions; these are the ones its tamper events name.
  governedRegions: [stop.awsRegion as string, deleteFlowLogs.awsRegion as string],
  managementAccount: management,
  organizationTrail: true,
  inFlight: new Map(),
  now: () => 1_732_800_000_000,
  ...extra,
});

/** A payload from the organization trail's group, owned by the management account. */
const fromTrail = (events: object[], extra: Partial<Parameters<typeof cwlPayload>[1]> = {}) =>
  cwlPayload(
    events.map((e) => JSON.stringify(e)),
    { logGroup: orgTrailGroup, owner: management, ...extra },
  );
const keyOf = (payload: CwlPayload, i = 0) =>
  documentId(payload, normalizePayload(payload, formats, trust)[i]);

let table: ReturnType<typeof dedupeTable>;
beforeEach(() => {
  sns.reset();
  sfn.reset();
  ddb.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  sfn.on(StartExecutionCommand).callsFake((input) => ({
    executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
  }));
  table = dedupeTable(ddb);
});

describe('alerter', () => {
  it('one alert and one execution per tamper event, none for ordinary events', async () => {
    const payload = fromTrail([...ordinary, stop, deleteFlowLogs]);
    const outcome = await alertOnStreamRecord(encodeCwl(payload), deps());
    const stopKey = keyOf(payload, ordinary.length);
    expect(outcome.alerted).toEqual([stopKey, keyOf(payload, ordinary.length + 1)]);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 2);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);

    const start = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(start.name).toBe(executionNameFor(stopKey));
    expect(JSON.parse(start.input!)).toEqual({
      account: stop.recipientAccountId,
      region: stop.awsRegion,
      trigger: 'tamper',
      eventName: 'StopLogging',
      eventId: stop.eventID,
    });

    const publish = sns.commandCalls(PublishCommand)[0].args[0].input;
    expect(publish.Message).toContain('Who:       "arn:aws:iam::143434273843:user/christophe" ("IAMUser")');
    expect(publish.Message).toContain('What:      "cloudtrail.amazonaws.com" "StopLogging"');
    expect(publish.Message).toContain('Target:    "name=stratus-red-team-ct-stop-trail-buykxbqejv"');
    expect(publish.Message).toContain('Source IP: "86.245.153.234"');
    expect(publish.Message).toContain(`Event id:  "${stop.eventID}"`);
    expect(publish.Message).toContain(
      `Self-heal: starting arn:aws:states:eu-west-1:333333333333:execution:logwarden-cover-account-region:${start.name}`,
    );
    expect(publish.MessageAttributes?.account.StringValue).toBe(stop.recipientAccountId);
    expect(publish.MessageAttributes?.execution.StringValue).toContain(':execution:');
    const flowAlert = sns.commandCalls(PublishCommand)[1].args[0].input;
    expect(flowAlert.Message).toContain('Target:    "FlowLogId=fl-0e17aa62a21d4bbfe"');
    expect(table.get(stopKey)).toMatchObject({
      state: { S: 'alerted' },
      heal: { S: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${start.name}` },
      expiresAt: { N: String(1_732_800_000 + (168 + 24) * 3600) },
    });
  });

  describe('decides from the payload and a look at each line before normalizing (issue 26)', () => {
    afterEach(() => jest.restoreAllMocks());

    it("normalizes only the trail's lines that name a tamper call, and still alerts on them", async () => {
      const payload = fromTrail([...ordinary, stop, deleteFlowLogs]);
      const keys = [keyOf(payload, ordinary.length), keyOf(payload, ordinary.length + 1)];
      const apiActivity = jest.spyOn(cloudTrail, 'toApiActivity');
      const outcome = await alertOnStreamRecord(encodeCwl(payload), deps());
      expect(outcome.alerted).toEqual(keys);
      // Before: every line of the payload, the five GetPasswordData included.
      expect(apiActivity).toHaveBeenCalledTimes(2);
    });

    it('normalizes nothing of a payload no trusted trail sent: flow records, application lines', async () => {
      const spies = [
        jest.spyOn(cloudTrail, 'toApiActivity'),
        jest.spyOn(flowLog, 'toNetworkActivity'),
        jest.spyOn(baseEvent, 'toBaseEvent'),
      ];
      const flow = flowLogSamples().find((s) => s.format.split(/\s+/).length === 14)!;
      const flowPayload = cwlPayload(flow.records, { logGroup: flowLogGroupFor(logwardenFormat) });
      const app = cwlPayload(['START RequestId: 1', JSON.stringify(stop)], {
        logGroup: '/aws/lambda/orders',
      });
      // With logwarden's detection rules too: none can flag a flow record or an application line.
      const withRules = deps({ detections: compileRules(detectionRules), detectionSettings });
      for (const p of [flowPayload, app])
        for (const d of [deps(), withRules])
          expect(await alertOnStreamRecord(encodeCwl(p), d)).toEqual({
            alerted: [],
            detected: [],
            duplicates: [],
            notGoverned: [],
          });
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
    });

    it('normalizes a flow payload when a rule can flag a flow record, and alerts on it', async () => {
      const toPort22: DetectionRule = {
        ...detectionRules[0],
        id: 'flow-to-port-22',
        severity: 'High',
        when: {
          all: [
            { field: 'class_uid', equals: 4001 },
            { field: 'dst_endpoint.port', equals: 22 },
          ],
        },
      };
      // A record of logwarden's own format, about the payload's owner, to port 22.
      const owner = '123456789012';
      const given: Record<string, string> = {
        version: '8',
        'account-id': owner,
        'interface-id': 'eni-1235b8ca123456789',
        srcaddr: '203.0.113.9',
        dstaddr: '172.31.16.21',
        srcport: '20641',
        dstport: '22',
        protocol: '6',
        action: 'ACCEPT',
        'log-status': 'OK',
      };
      const values = logwardenFormat.fields.map((f) => given[f] ?? '-');
      const flowPayload = cwlPayload([values.join(' ')], {
        logGroup: flowLogGroupFor(logwardenFormat),
        owner,
      });
      const rules = compileRules([toPort22]);
      expect(rules[0].mayMatchPlainDocuments).toBe(true);
      const outcome = await alertOnStreamRecord(
        encodeCwl(flowPayload),
        deps({ detections: rules, detectionSettings }),
      );
      expect(outcome.detected).toHaveLength(1);
    });

    it('a tamper call whose name is spelled with JSON escapes is read in full and still alerts', async () => {
      // RFC 8259 §7: any character may be escaped as \uXXXX; CloudTrail's writer does not, a forger may.
      const line = JSON.stringify(stop).replace('"StopLogging"', '"Stop\\u004cogging"');
      expect(line).not.toContain('StopLogging');
      const payload = cwlPayload([line], { logGroup: orgTrailGroup, owner: management });
      const outcome = await alertOnStreamRecord(encodeCwl(payload), deps());
      expect(outcome.alerted).toEqual([keyOf(payload)]);
    });
  });

  it('a re-delivery of the same events alerts no one twice and starts nothing new', async () => {
    const record = encodeCwl(fromTrail([stop]));
    await alertOnStreamRecord(record, deps());
    const again = await alertOnStreamRecord(record, deps());
    expect(again).toEqual({
      alerted: [],
      detected: [],
      duplicates: [keyOf(fromTrail([stop]))],
      notGoverned: [],
    });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  });

  it('the same record twice in one batch, processed concurrently, alerts once', async () => {
    const record = encodeCwl(fromTrail([stop]));
    const shared = deps();
    const outcomes = await Promise.all([
      alertOnStreamRecord(record, shared),
      alertOnStreamRecord(record, shared),
    ]);
    expect(outcomes.flatMap((o) => o.alerted)).toHaveLength(1);
    expect(outcomes.flatMap((o) => o.duplicates)).toHaveLength(1);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('two containers racing on one event: the claim decides; the loser is a duplicate or retries into one', async () => {
    const record = encodeCwl(fromTrail([stop]));
    const settled = await Promise.allSettled([
      alertOnStreamRecord(record, deps()),
      alertOnStreamRecord(record, deps()),
    ]);
    const alerted = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value.alerted : []));
    expect(alerted).toHaveLength(1);
    for (const s of settled) {
      // The loser either found the event alerted, or found the claim in flight and fails to retry.
      if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(ClaimHeldError);
    }
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    // Any retry finds the event alerted: no second alert.
    expect((await alertOnStreamRecord(record, deps())).duplicates).toHaveLength(1);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('when SNS fails the claim is released and the record fails; the retry alerts', async () => {
    sns.on(PublishCommand).rejectsOnce(new Error('SNS down')).resolves({ MessageId: 'm-2' });
    const record = encodeCwl(fromTrail([stop]));
    await expect(alertOnStreamRecord(record, deps())).rejects.toThrow('SNS down');
    expect(table.size).toBe(0);
    expect((await alertOnStreamRecord(record, deps())).alerted).toHaveLength(1);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
  });

  it('a claim left by a crashed attempt is taken over once its lease ran out, so the alert is not lost', async () => {
    const record = encodeCwl(fromTrail([stop]));
    const key = keyOf(fromTrail([stop]));
    table.set(key, {
      eventId: { S: key },
      state: { S: 'claimed' },
      claimToken: { S: 'crashed' },
      leaseUntil: { N: String(1_732_800_000_000 + 60_000) },
    });
    await expect(alertOnStreamRecord(record, deps())).rejects.toBeInstanceOf(ClaimHeldError);
    const later = deps({ now: () => 1_732_800_000_000 + 120_000 });
    expect((await alertOnStreamRecord(record, later)).alerted).toEqual([key]);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('a retry that finds a crashed attempt’s claim waits out its lease, over as many retries as it takes, instead of spending the record’s retries at once', async () => {
    // Lambda retries a stream record at once: "If the function is invoked but returns an error,
    // Lambda retries until the records expire, exceed the maximum age ..., or reach the
    // configured retry quota" (Lambda Developer Guide, Kinesis event source mappings), 10 here.
    const record = encodeCwl(fromTrail([stop]));
    const key = keyOf(fromTrail([stop]));
    let clock = 1_732_800_000_000;
    table.set(key, {
      eventId: { S: key },
      state: { S: 'claimed' },
      claimToken: { S: 'crashed' },
      leaseUntil: { N: String(clock + DEFAULT_CLAIM_LEASE_MS) },
    });
    const slept: number[] = [];
    const waiting = (budget: number) =>
      deps({
        now: () => clock,
        leaseWaitBudgetMs: () => budget,
        sleep: async (ms) => {
          slept.push(ms);
          clock += ms;
        },
      });
    // Without time to wait (the old behaviour), every retry fails in a moment.
    for (let i = 0; i < 10; i++)
      await expect(alertOnStreamRecord(record, deps({ now: () => clock }))).rejects.toBeInstanceOf(
        ClaimHeldError,
      );
    // With 35 s to spare per attempt, each retry waits what it can; once the lease is over one of
    // them takes the claim over and alerts, within a few of the record's retries.
    let attempts = 0;
    let alerted: string[] = [];
    while (!alerted.length && attempts < 10) {
      attempts++;
      alerted = await alertOnStreamRecord(record, waiting(35_000)).then(
        (o) => o.alerted,
        (err: Error) => {
          expect(err).toBeInstanceOf(ClaimHeldError);
          return [];
        },
      );
    }
    expect(alerted).toEqual([key]);
    expect(attempts).toBe(3);
    expect(slept.every((ms) => ms <= 35_000)).toBe(true);
    expect(slept.reduce((a, b) => a + b, 0)).toBe(DEFAULT_CLAIM_LEASE_MS + 1);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('the claim lease outlives the alerter’s timeout, so a live attempt is never taken over', () => {
    expect(DEFAULT_CLAIM_LEASE_MS).toBeGreaterThan(ALERTER_TIMEOUT_SECONDS * 1000);
  });

  it('an execution that already exists (same name) is reused, and the alert still names it', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' }));
    const payload = fromTrail([stop]);
    await alertOnStreamRecord(encodeCwl(payload), deps());
    expect(sns.commandCalls(PublishCommand)[0].args[0].input.Message).toContain(
      `:execution:logwarden-cover-account-region:tamper-${keyOf(payload)}`,
    );
  });

  describe('the alert does not depend on the heal (issue 21 §20)', () => {
    it('Step Functions throttled: the alert is sent first, the failure is reported separately, the retry starts only the heal', async () => {
      sfn
        .on(StartExecutionCommand)
        .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
        .callsFake((input) => ({
          executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
        }));
      const payload = fromTrail([stop]);
      const record = encodeCwl(payload);
      await expect(alertOnStreamRecord(record, deps())).rejects.toBeInstanceOf(HealNotStartedError);
      const sent = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
      expect(sent).toHaveLength(2);
      expect(sent[0].Message).toContain('What:      "cloudtrail.amazonaws.com" "StopLogging"');
      expect(sent[1].Subject).toMatch(/^logwarden: self-heal did not start for StopLogging/);
      expect(sent[1].Message).toContain('ThrottlingException: Rate exceeded');
      expect(sent[1].MessageAttributes?.eventId.StringValue).toBe(stop.eventID);
      expect(table.get(keyOf(payload))).toMatchObject({ state: { S: 'alerted' }, heal: { S: 'pending' } });

      // The retry: no second alert, the heal starts.
      const retry = await alertOnStreamRecord(record, deps());
      expect(retry).toEqual({ alerted: [], detected: [], duplicates: [keyOf(payload)], notGoverned: [] });
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
      expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 2);
      expect(table.get(keyOf(payload))?.heal?.S).toContain(':execution:');
      // Once started, a further re-delivery does nothing at all.
      await alertOnStreamRecord(record, deps());
      expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 2);
    });

    it('the heal role refused: the alert is still sent', async () => {
      sfn.on(StartExecutionCommand).rejects(
        Object.assign(new Error('not authorized to perform: states:StartExecution'), {
          name: 'AccessDeniedException',
        }),
      );
      await expect(alertOnStreamRecord(encodeCwl(fromTrail([deleteFlowLogs])), deps())).rejects.toThrow(
        /did not start .*AccessDeniedException/,
      );
      const sent = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
      expect(sent[0].Message).toContain('Target:    "FlowLogId=fl-0e17aa62a21d4bbfe"');
      expect(sent[1].Message).toContain('AccessDeniedException');
    });
  });

  it('a tamper event in a region logwarden does not govern alerts but starts no heal', async () => {
    const payload = fromTrail([{ ...stop, awsRegion: 'ap-southeast-4' }]);
    const outcome = await alertOnStreamRecord(encodeCwl(payload), deps());
    expect(outcome.notGoverned).toHaveLength(1);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(sns.commandCalls(PublishCommand)[0].args[0].input.Message).toContain(
      'Self-heal: NOT started (region not governed by logwarden)',
    );
  });

  it('a tamper event in an account scope.excludeAccounts lists is alerted, never healed', async () => {
    const payload = fromTrail([stop]);
    const account = stop.recipientAccountId as string;
    const outcome = await alertOnStreamRecord(encodeCwl(payload), deps({ excludedAccounts: [account] }));
    expect(outcome.notGoverned).toHaveLength(1);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(sns.commandCalls(PublishCommand)[0].args[0].input.Message).toContain(
      `Self-heal: NOT started (scope.excludeAccounts lists ${account}: logwarden does not govern it)`,
    );
  });

  describe('a tamper event in the management account (outside the member baseline)', () => {
    // The management account's own records, as the organization trail logs them.
    const inManagement = (event: Record<string, unknown>) => ({
      ...event,
      recipientAccountId: management,
      userIdentity: { ...(event.userIdentity as object), accountId: management },
    });

    it('StopLogging of the organization trail is healed in the control-plane account, same region', async () => {
      const payload = fromTrail([inManagement(stop)]);
      const outcome = await alertOnStreamRecord(encodeCwl(payload), deps());
      expect(outcome.alerted).toHaveLength(1);
      expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
      const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input!);
      // 333333333333 is the account of stateMachineArn: CloudTrail's delegated administrator.
      expect(input).toMatchObject({ account: '333333333333', region: stop.awsRegion, trigger: 'tamper' });
      const message = sns.commandCalls(PublishCommand)[0].args[0].input.Message!;
      expect(message).toContain(`Account:   "${management}"`);
    });

    it('with account trails, nothing of logwarden runs there: alerted, no heal', async () => {
      const payload = fromTrail([inManagement(stop)]);
      const outcome = await alertOnStreamRecord(encodeCwl(payload), deps({ organizationTrail: false }));
      expect(outcome.notGoverned).toHaveLength(1);
      expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
      expect(sns.commandCalls(PublishCommand)[0].args[0].input.Message).toContain(
        'Self-heal: NOT started (the management account is outside the member baseline',
      );
    });

    it('DeleteFlowLogs there is alerted without a heal (no logwarden member role exists there)', async () => {
      const payload = fromTrail([inManagement(deleteFlowLogs)]);
      const outcome = await alertOnStreamRecord(encodeCwl(payload), deps());
      expect(outcome.notGoverned).toHaveLength(1);
      expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    });
  });

  describe("the GuardDuty administrator's membership calls (issue 21 §5)", () => {
    const admin = '333333333333';
    const byAdmin = (eventName: string, accountIds: string[]) => ({
      ...stop,
      eventID: `gd-${eventName}`,
      eventSource: 'guardduty.amazonaws.com',
      eventName,
      recipientAccountId: admin,
      userIdentity: { ...(stop.userIdentity as object), accountId: admin },
      requestParameters: { detectorId: 'd', accountIds },
      responseElements: { unprocessedAccounts: [] },
    });

    it.each(['DisassociateMembers', 'DeleteMembers', 'StopMonitoringMembers'])(
      '%s heals each member named in accountIds, not the administrator',
      async (eventName) => {
        // GuardDuty API Reference, DisassociateMembers: "accountIds: A list of account IDs of the
        // GuardDuty member accounts that you want to disassociate from the administrator account."
        const payload = fromTrail([byAdmin(eventName, ['444444444444', '555555555555'])]);
        const outcome = await alertOnStreamRecord(encodeCwl(payload), deps());
        expect(outcome.alerted).toHaveLength(1);
        expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
        const inputs = sfn
          .commandCalls(StartExecutionCommand)
          .map((c) => JSON.parse(c.args[0].input.input!) as { account: string; region: string });
        expect(inputs.map((i) => i.account)).toEqual(['444444444444', '555555555555']);
        expect(inputs.every((i) => i.region === stop.awsRegion)).toBe(true);
        const names = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name);
        expect(new Set(names).size).toBe(2);
      },
    );
  });

  it('execution names are valid Step Functions names', () => {
    expect(executionNameFor('a/b c:d'.repeat(20))).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });
});

describe('alerter under attack (issue 10 §1)', () => {
  it('a workload’s forged StopLogging for another account alerts no one and starts nothing', async () => {
    const forged = cwlPayload([JSON.stringify({ ...stop, recipientAccountId: '555555555555' })], {
      logGroup: '/aws/lambda/orders',
      owner: '444444444444',
    });
    expect(await alertOnStreamRecord(encodeCwl(forged), deps())).toEqual({
      alerted: [],
      detected: [],
      duplicates: [],
      notGoverned: [],
    });
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(ddb).not.toHaveReceivedCommand(PutItemCommand);
  });

  it('the forgery cannot suppress the genuine alert by landing first with the same eventID', async () => {
    // The attacker read the eventID from its own EventBridge copy and writes it first, even into a
    // group named like the trail's, in its own account.
    for (const [logGroup, owner] of [
      ['/aws/lambda/orders', '444444444444'],
      [orgTrailGroup, '444444444444'],
    ]) {
      await alertOnStreamRecord(encodeCwl(cwlPayload([JSON.stringify(stop)], { logGroup, owner })), deps());
    }
    const genuine = await alertOnStreamRecord(encodeCwl(fromTrail([stop])), deps());
    expect(genuine.alerted).toHaveLength(1);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });
});

describe('alerter under bad input (issue 21 §13, §14)', () => {
  it('a record with a malformed payload or a gzip bomb is reported unreadable; the StopLogging beside it still alerts', async () => {
    const [head, tail] = JSON.stringify(fromTrail([{}])).split('{}');
    const bomb = gzipBomb(head, 1024 ** 3, tail).toString('base64');
    const malformed = encodeCwl({ ...fromTrail([stop]), subscriptionFilters: 5 });
    for (const data of [malformed, bomb]) {
      const outcome = await alertOnStreamRecord(data, deps());
      expect(outcome).toMatchObject({
        alerted: [],
        unreadable: expect.stringMatching(/subscriptionFilters|too large/),
      });
    }
    expect((await alertOnStreamRecord(encodeCwl(fromTrail([stop])), deps())).alerted).toHaveLength(1);
  });
});

describe('namespaced ids under attack: the same id from two writers (issue 21 §26)', () => {
  // Account mode: each member's trail group is trusted for its own account's records, so a member
  // can write a genuine-looking, trusted StopLogging about itself with any eventID it likes.
  const perAccount = new TrustTable([{ kind: 'cloudtrail', logGroup: orgTrailGroup, owner: 'self' }]);
  const victim = '444444444444';
  const attacker = '555555555555';
  const about = (account: string) => ({ ...stop, recipientAccountId: account, eventID: 'shared-event-id' });
  const fromMember = (account: string) =>
    cwlPayload([JSON.stringify(about(account))], { logGroup: orgTrailGroup, owner: account });

  it('a trusted writer that lands first with the victim’s eventID cannot suppress the victim’s alert', async () => {
    const d = deps({ trust: perAccount, managementAccount: management });
    const first = await alertOnStreamRecord(encodeCwl(fromMember(attacker)), d);
    const genuine = await alertOnStreamRecord(encodeCwl(fromMember(victim)), d);
    expect(first.alerted).toHaveLength(1);
    expect(genuine.alerted).toHaveLength(1);
    expect(genuine.duplicates).toEqual([]);
    expect(first.alerted[0]).not.toBe(genuine.alerted[0]);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
  });

  it('the same CloudWatch Logs event id in two owners’ payloads gives two keys; a re-delivery keeps its key', () => {
    const a = fromMember(victim);
    const b = fromMember(attacker);
    b.logEvents = b.logEvents.map((e, i) => ({ ...e, id: a.logEvents[i].id }));
    const key = (p: CwlPayload) => documentId(p, normalizePayload(p, formats, perAccount)[0]);
    expect(key(a)).not.toBe(key(b));
    expect(key(structuredClone(a))).toBe(key(a));
  });
});
