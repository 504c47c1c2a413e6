import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { TrustTable } from '../../../contracts/trusted-sources';
import { makeHandler } from '../../../functions/alerter/handler';
import { FlowLogFormatRegistry } from '../../../functions/shared/flow-log-formats';
import { cwlPayload, encodeCwl, realCloudTrailEvents } from '../../../local/corpus';
import { toKinesisStreamEvent } from '../../../local/kinesis-reader';
import { dedupeTable } from '../../fixtures/dedupe-table';

const sns = mockClient(SNSClient);
const sfn = mockClient(SFNClient);
const ddb = mockClient(DynamoDBClient);
const stateMachineArn = 'arn:aws:states:eu-west-1:333333333333:stateMachine:logwarden-cover-account-region';
const stop = realCloudTrailEvents().find((e) => e.event.eventName === 'StopLogging')!.event;
const data = encodeCwl(
  cwlPayload([JSON.stringify(stop)], { logGroup: '/logwarden/org-trail', owner: '111111111111' }),
);

function handlerWithOutput() {
  const handler = makeHandler({
    sns: new SNSClient({ region: 'eu-west-1' }),
    sfn: new SFNClient({ region: 'eu-west-1' }),
    ddb: new DynamoDBClient({ region: 'eu-west-1' }),
    topicArn: 'arn:aws:sns:eu-west-1:222222222222:logwarden-alerts',
    stateMachineArn,
    dedupeTable: 'dedupe',
    dedupeHours: 168,
    formats: new FlowLogFormatRegistry(),
    trust: new TrustTable([{ kind: 'cloudtrail', logGroup: '/logwarden/org-trail', owner: '111111111111' }]),
    governedRegions: [stop.awsRegion as string],
    managementAccount: '111111111111',
    organizationTrail: true,
    inFlight: new Map(),
    logger: new Logger({ serviceName: 'logwarden-alerter' }),
    metrics: new Metrics({ namespace: 'logwarden', serviceName: 'logwarden-alerter' }),
  });
  return handler;
}

const records = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    Data: Buffer.from(data, 'base64'),
    SequenceNumber: `4959000000000000000000000000000000000000000000000000000${i}`,
    PartitionKey: 'p',
    ApproximateArrivalTimestamp: new Date(),
  }));

beforeEach(() => {
  sns.reset();
  sfn.reset();
  ddb.reset();
  dedupeTable(ddb);
  sfn.on(StartExecutionCommand).callsFake((input) => ({
    executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
  }));
});

const captured = async <T>(run: () => Promise<T>) => {
  // Powertools writes metrics and info lines to stdout, warnings and errors to stderr.
  const writes = [process.stdout, process.stderr].map((s) =>
    jest.spyOn(s, 'write').mockImplementation(() => true),
  );
  try {
    const result = await run();
    return { result, out: writes.flatMap((w) => w.mock.calls.map((c) => String(c[0]))).join('') };
  } finally {
    for (const w of writes) w.mockRestore();
  }
};

describe('alerter handler (issue 11)', () => {
  it('a record duplicated within one batch (processed in parallel by the BatchProcessor) sends one alert', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    const event = toKinesisStreamEvent(
      records(2),
      'arn:aws:kinesis:eu-west-1:222222222222:stream/s',
      'eu-west-1',
    );
    const { result } = await captured(() => handlerWithOutput()(event));
    expect(result.batchItemFailures).toEqual([]);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('a failed record is logged with its sequence number and reason, and counted in FailedRecords', async () => {
    sns.on(PublishCommand).rejects(new Error('SNS down'));
    const event = toKinesisStreamEvent(
      records(1),
      'arn:aws:kinesis:eu-west-1:222222222222:stream/s',
      'eu-west-1',
    );
    const { result, out } = await captured(() => handlerWithOutput()(event));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: records(1)[0].SequenceNumber }]);
    const failed = out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .find((l) => l.message === 'record failed');
    expect(failed).toMatchObject({ sequenceNumber: records(1)[0].SequenceNumber, reason: 'Error: SNS down' });
    expect(out).toContain('"FailedRecords"');
  });
});
