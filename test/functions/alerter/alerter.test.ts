import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { alertOnStreamRecord, executionNameFor } from '../../../functions/alerter/alerter';
import { FlowLogFormatRegistry } from '../../../functions/shared/flow-log-formats';
import { cwlPayload, encodeCwl, realCloudTrailEvents } from '../../../local/corpus';

const sns = mockClient(SNSClient);
const sfn = mockClient(SFNClient);
const ddb = mockClient(DynamoDBClient);
const stateMachineArn = 'arn:aws:states:eu-west-1:333333333333:stateMachine:logwarden-cover-account-region';
const deps = {
  sns: new SNSClient({ region: 'eu-west-1' }),
  sfn: new SFNClient({ region: 'eu-west-1' }),
  ddb: new DynamoDBClient({ region: 'eu-west-1' }),
  topicArn: 'arn:aws:sns:eu-west-1:222222222222:logwarden-alerts',
  stateMachineArn,
  dedupeTable: 'dedupe',
  dedupeHours: 168,
  formats: new FlowLogFormatRegistry(),
  now: () => 1_732_800_000_000,
};

const all = realCloudTrailEvents();
const stop = all.find((e) => e.event.eventName === 'StopLogging')!.event;
const deleteFlowLogs = all.find((e) => e.event.eventName === 'DeleteFlowLogs')!.event;
const ordinary = all
  .filter((e) => e.event.eventName === 'GetPasswordData')
  .slice(0, 5)
  .map((e) => e.event);

function remember() {
  const seen = new Set<string>();
  ddb
    .on(GetItemCommand)
    .callsFake((input) =>
      seen.has(input.Key.eventId.S) ? { Item: { eventId: input.Key.eventId, alerted: { BOOL: true } } } : {},
    );
  ddb.on(PutItemCommand).callsFake((input) => {
    seen.add(input.Item.eventId.S);
    return {};
  });
}

beforeEach(() => {
  sns.reset();
  sfn.reset();
  ddb.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  sfn.on(StartExecutionCommand).callsFake((input) => ({
    executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
  }));
  remember();
});

describe('alerter', () => {
  it('one alert and one execution per tamper event, none for ordinary events', async () => {
    const record = encodeCwl(
      cwlPayload(
        [...ordinary, stop, deleteFlowLogs].map((e) => JSON.stringify(e)),
        { logGroup: 'aws-cloudtrail-logs' },
      ),
    );
    const outcome = await alertOnStreamRecord(record, deps);
    expect(outcome.alerted).toEqual([stop.eventID, deleteFlowLogs.eventID]);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 2);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);

    const start = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(start.name).toBe(executionNameFor(stop.eventID as string));
    expect(JSON.parse(start.input!)).toEqual({
      account: stop.recipientAccountId,
      region: stop.awsRegion,
      trigger: 'tamper',
      eventName: 'StopLogging',
      eventId: stop.eventID,
    });

    const publish = sns.commandCalls(PublishCommand)[0].args[0].input;
    expect(publish.Message).toContain('Who:       arn:aws:iam::143434273843:user/christophe (IAMUser)');
    expect(publish.Message).toContain('What:      cloudtrail.amazonaws.com StopLogging');
    expect(publish.Message).toContain('Target:    name=stratus-red-team-ct-stop-trail-buykxbqejv');
    expect(publish.Message).toContain('Source IP: 86.245.153.234');
    expect(publish.Message).toContain(
      `Self-heal: started arn:aws:states:eu-west-1:333333333333:execution:logwarden-cover-account-region:${start.name}`,
    );
    expect(publish.MessageAttributes?.account.StringValue).toBe(stop.recipientAccountId);
    expect(publish.MessageAttributes?.execution.StringValue).toContain(':execution:');
    const flowAlert = sns.commandCalls(PublishCommand)[1].args[0].input;
    expect(flowAlert.Message).toContain('Target:    FlowLogId=fl-0e17aa62a21d4bbfe');
  });

  it('a re-delivery of the same events alerts no one twice and starts nothing new', async () => {
    const record = encodeCwl(cwlPayload([JSON.stringify(stop)], { logGroup: 'aws-cloudtrail-logs' }));
    await alertOnStreamRecord(record, deps);
    const again = await alertOnStreamRecord(record, deps);
    expect(again).toEqual({ alerted: [], duplicates: [stop.eventID] });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    const put = ddb.commandCalls(PutItemCommand)[0].args[0].input;
    expect(Number(put.Item!.expiresAt.N)).toBe(1_732_800_000 + (168 + 24) * 3600);
  });

  it('an execution that already exists (same name) is reused, and the alert still names it', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' }));
    const record = encodeCwl(cwlPayload([JSON.stringify(stop)], { logGroup: 'aws-cloudtrail-logs' }));
    await alertOnStreamRecord(record, deps);
    expect(sns.commandCalls(PublishCommand)[0].args[0].input.Message).toContain(
      `:execution:logwarden-cover-account-region:tamper-${stop.eventID}`,
    );
  });

  it('when SNS fails the record fails (to be retried) and the event is not marked alerted', async () => {
    sns.on(PublishCommand).rejects(new Error('SNS down'));
    const record = encodeCwl(cwlPayload([JSON.stringify(stop)], { logGroup: 'aws-cloudtrail-logs' }));
    await expect(alertOnStreamRecord(record, deps)).rejects.toThrow('SNS down');
    expect(ddb).not.toHaveReceivedCommand(PutItemCommand);
  });

  it('execution names are valid Step Functions names', () => {
    expect(executionNameFor('a/b c:d'.repeat(20))).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });
});
