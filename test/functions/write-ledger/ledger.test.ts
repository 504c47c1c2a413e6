import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { optInRegions } from '../../../contracts/regions';
import {
  cutToBytes,
  MAX_FAILED_IN_MESSAGE,
  MAX_FAILED_IN_SUMMARY,
  MAX_REASON_BYTES_IN_SUMMARY,
  writeLedger,
} from '../../../functions/write-ledger/ledger';

const ddb = mockClient(DynamoDBClient);
const sns = mockClient(SNSClient);
const deps = {
  ddb: new DynamoDBClient({}),
  sns: new SNSClient({}),
  table: 'logwarden-coverage',
  summaryTopicArn: 'arn:aws:sns:eu-west-1:333333333333:logwarden-coverage-summary',
  now: () => new Date('2026-11-29T00:00:00Z'),
};
const exec = 'arn:aws:states:eu-west-1:333333333333:execution:logwarden-cover-account-region:x';

beforeEach(() => {
  ddb.reset();
  sns.reset();
});

describe('writeLedger', () => {
  it('one item per account × region × control, with evidence, lastVerified and the execution; no summary when all is well', async () => {
    const summary = await writeLedger(
      {
        workflow: 'cover-account-region',
        executionArn: exec,
        results: [
          {
            control: 'flow-logs',
            account: '444444444444',
            region: 'eu-west-1',
            status: 'healed',
            evidence: { 'vpc-1': 'fl-1' },
            actions: ['created flow log fl-1 for vpc-1'],
          },
        ],
      },
      deps,
    );
    expect(ddb).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: 'logwarden-coverage',
      Item: expect.objectContaining({
        account: { S: '444444444444' },
        regionControl: { S: 'eu-west-1#flow-logs' },
        status: { S: 'healed' },
        evidence: { M: { 'vpc-1': { S: 'fl-1' } } },
        lastVerified: { S: '2026-11-29T00:00:00.000Z' },
        lastExecutionArn: { S: exec },
      }),
    });
    expect(summary.counts).toEqual({ healed: 1 });
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it('a caught error is recorded as failed with its reason, and one summary goes out', async () => {
    const summary = await writeLedger(
      {
        workflow: 'cover-account-region',
        executionArn: exec,
        results: [
          {
            control: 'trail',
            account: '444444444444',
            region: 'eu-west-1',
            error: {
              Error: 'AccessDeniedException',
              Cause: JSON.stringify({ errorMessage: 'not authorized' }),
            },
          },
          {
            control: 'subscription',
            account: '444444444444',
            region: 'eu-west-1',
            status: 'covered',
            evidence: {},
            actions: [],
          },
        ],
      },
      deps,
    );
    expect(summary.failed).toEqual([
      {
        account: '444444444444',
        region: 'eu-west-1',
        control: 'trail',
        reason: 'AccessDeniedException: not authorized',
      },
    ]);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns.commandCalls(PublishCommand)[0].args[0].input.Message).toContain(
      '- 444444444444 eu-west-1 trail: AccessDeniedException: not authorized',
    );
  });

  it('a parent workflow only summarizes its children’s failures and writes no item', async () => {
    const summary = await writeLedger(
      {
        workflow: 'cover-account',
        executionArn: exec,
        summaryOnly: true,
        results: [
          { failed: [{ account: '4', region: 'eu-west-1', control: 'guardduty', reason: 'x' }], counts: {} },
          {
            account: '4',
            region: 'eu-central-1',
            error: { Error: 'States.Timeout', Cause: 'took too long' },
          },
        ],
      },
      deps,
    );
    expect(ddb).not.toHaveReceivedCommand(PutItemCommand);
    expect(summary.failed.map((f) => `${f.region}:${f.control}`)).toEqual([
      'eu-west-1:guardduty',
      'eu-central-1:workflow',
    ]);
    expect(summary.counts).toEqual({ failed: 2 });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('a cover-account summary carries the counts of its regions, as its Map hands them over', async () => {
    // What the Regions Map returns: one resultSelector output ({failed, counts}) per child execution.
    const summary = await writeLedger(
      {
        workflow: 'cover-account',
        executionArn: exec,
        summaryOnly: true,
        results: [
          { failed: [], counts: { healed: 4 } },
          { failed: [], counts: { covered: 2, healed: 1, excluded: 1 } },
        ],
      },
      deps,
    );
    expect(summary.counts).toEqual({ healed: 5, covered: 2, excluded: 1 });
    expect(summary.failed).toEqual([]);
    expect(ddb).not.toHaveReceivedCommand(PutItemCommand);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it('a sweep adds up its accounts’ summaries; a failed child counts once, and a whole failed child counts too', async () => {
    const failedCell = {
      account: '5',
      region: 'eu-west-1',
      control: 'trail' as const,
      reason: 'AccessDenied',
    };
    const summary = await writeLedger(
      {
        workflow: 'sweep',
        executionArn: exec,
        summaryOnly: true,
        results: [
          { failed: [], counts: { covered: 8 } },
          { failed: [failedCell], counts: { covered: 6, healed: 1, failed: 1 } },
          { account: '6', error: { Error: 'States.Timeout', Cause: 'took too long' } },
        ],
      },
      deps,
    );
    expect(summary.counts).toEqual({ covered: 14, healed: 1, failed: 2 });
    expect(summary.failed).toEqual([
      failedCell,
      { account: '6', region: '-', control: 'workflow', reason: 'States.Timeout: took too long' },
    ]);
    expect(sns.commandCalls(PublishCommand)[0].args[0].input.Message).toContain(
      'sweep finished with 2 failure(s); 17 control result(s) in all.',
    );
  });

  it('a sweep where every region of every account failed: the output names 20 failures and counts them all, and stays far below 256 KiB', async () => {
    const regions = Array.from({ length: 17 }, (_, i) => `region-${i}`);
    const accountSummary = (account: string) => ({
      // What each cover-account returns (already cut to 20) through the sweep's resultSelector.
      failed: regions
        .flatMap((region) =>
          ['flow-logs', 'trail', 'guardduty', 'subscription'].map((control) => ({
            account,
            region,
            control,
            reason:
              'BadRequestException: the security-tooling account is not the GuardDuty delegated administrator',
          })),
        )
        .slice(0, MAX_FAILED_IN_SUMMARY),
      counts: { failed: 68 },
    });
    const summary = await writeLedger(
      {
        workflow: 'sweep',
        executionArn: exec,
        summaryOnly: true,
        results: Array.from({ length: 1000 }, (_, i) => accountSummary(String(100000000000 + i))),
      },
      deps,
    );
    expect(summary.counts).toEqual({ failed: 68_000 });
    expect(summary.failed).toHaveLength(MAX_FAILED_IN_SUMMARY);
    expect(Buffer.byteLength(JSON.stringify(summary))).toBeLessThan(16 * 1024);
    const message = sns.commandCalls(PublishCommand)[0].args[0].input;
    expect(message.Subject).toBe('logwarden: 68000 failure(s) in sweep');
    expect(message.Message).toContain(`… and ${68_000 - MAX_FAILED_IN_MESSAGE} more`);
    expect(Buffer.byteLength(message.Message!)).toBeLessThan(256 * 1024);
  });

  it('an account where every control failed in every Region, with long non-ASCII reasons: what cover-account collects stays below 256 KiB', async () => {
    // "Maximum input or output size for a task, state, or execution: 256 KiB of data as a
    // UTF-8 encoded string" (Step Functions Developer Guide, "Step Functions service quotas").
    const defaultRegions = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1'];
    const more = ['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'ap-south-1'];
    const rest = ['ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2'];
    const regions = [...defaultRegions, ...more, ...rest, ...optInRegions];
    expect(regions).toHaveLength(34);
    const account = '444444444444';
    const reason = '拒否'.repeat(3000);
    const regionResults = [];
    for (const region of regions) {
      const summary = await writeLedger(
        {
          workflow: 'cover-account-region',
          executionArn: exec,
          results: (['flow-logs', 'trail', 'guardduty', 'subscription'] as const).map((control) => ({
            control,
            account,
            region,
            error: { Error: 'AccessDeniedException', Cause: JSON.stringify({ errorMessage: reason }) },
          })),
        },
        deps,
      );
      // The parent's resultSelector: { failed, counts } of the child's output.
      regionResults.push({ failed: summary.failed, counts: summary.counts });
    }
    const mapState = { account, listed: { account, regions }, regionResults };
    expect(Buffer.byteLength(JSON.stringify(mapState))).toBeLessThan(256 * 1024);
    // The ledger row keeps the longer reason; the summary a prefix of it.
    const row = ddb.commandCalls(PutItemCommand)[0].args[0].input.Item!;
    expect(row.reason.S).toHaveLength(1000);
    expect(regionResults[0].failed[0].reason.startsWith('AccessDeniedException: 拒否')).toBe(true);
    const accountSummary = await writeLedger(
      { workflow: 'cover-account', executionArn: exec, summaryOnly: true, results: regionResults },
      deps,
    );
    expect(accountSummary.counts).toEqual({ failed: 136 });
    expect(Buffer.byteLength(JSON.stringify(accountSummary))).toBeLessThan(16 * 1024);
  });

  it('cutToBytes: never cuts inside a character, marks a cut, and leaves short text alone', () => {
    expect(cutToBytes('short', 10)).toBe('short');
    expect(cutToBytes('', 10)).toBe('');
    const cut = cutToBytes('😀'.repeat(10), 10);
    expect(cut).toBe('😀…');
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(10);
    const long = cutToBytes('a'.repeat(1000), MAX_REASON_BYTES_IN_SUMMARY);
    expect(Buffer.byteLength(long)).toBe(MAX_REASON_BYTES_IN_SUMMARY);
    expect(long.endsWith('…')).toBe(true);
  });

  it('counts from a child are read as counts: unknown statuses and non-integers are ignored', async () => {
    const summary = await writeLedger(
      {
        workflow: 'cover-account',
        executionArn: exec,
        summaryOnly: true,
        results: [{ failed: [], counts: { covered: 2, bogus: 5, healed: -1, failed: 'x' } }],
      },
      deps,
    );
    expect(summary.counts).toEqual({ covered: 2 });
  });

  it('a workflow step that failed outside any control counts as one failure', async () => {
    const summary = await writeLedger(
      {
        workflow: 'sweep',
        executionArn: exec,
        summaryOnly: true,
        results: [],
        error: { Error: 'AccessDeniedException', Cause: 'organizations:ListAccounts' },
      },
      deps,
    );
    expect(summary.counts).toEqual({ failed: 1 });
    expect(summary.failed).toHaveLength(1);
  });
  // Issue 21 §21: concurrent heals of one cell. "A condition expression ... must evaluate to true
  // in order for the operation to succeed" (DynamoDB API Reference, PutItem): a row is replaced
  // only by an execution that started at the same time or later; an older one's write is refused
  // with ConditionalCheckFailedException, which is not an error here.
  it('a row is written only by an execution as new as the one that wrote it; an older one is skipped', async () => {
    ddb
      .on(PutItemCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );
    const summary = await writeLedger(
      {
        workflow: 'cover-account-region',
        executionArn: exec,
        executionStartTime: '2026-11-28T23:59:58.000Z',
        results: [
          {
            control: 'flow-logs',
            account: '444444444444',
            region: 'eu-west-1',
            status: 'failed',
            evidence: {},
            actions: [],
            reason: 'vpc-1: FlowLogAlreadyExists',
          },
        ],
      },
      deps,
    );
    expect(ddb).toHaveReceivedCommandWith(PutItemCommand, {
      ConditionExpression: 'attribute_not_exists(executionStartTime) OR executionStartTime <= :startedAt',
      ExpressionAttributeValues: { ':startedAt': { S: '2026-11-28T23:59:58.000Z' } },
      Item: expect.objectContaining({ executionStartTime: { S: '2026-11-28T23:59:58.000Z' } }),
    });
    // This execution still reports what it found.
    expect(summary.counts).toEqual({ failed: 1 });
  });

  it('any other write error still fails the ledger step', async () => {
    ddb.on(PutItemCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(
      writeLedger(
        {
          workflow: 'cover-account-region',
          executionArn: exec,
          results: [
            {
              control: 'trail',
              account: '444444444444',
              region: 'eu-west-1',
              status: 'covered',
              evidence: {},
              actions: [],
            },
          ],
        },
        deps,
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});
