import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { waitFor } from '../../cli/progress';

const sfn = mockClient(SFNClient);
const t = new Date('2026-11-29T01:00:00Z');
const parent =
  'arn:aws:states:eu-west-1:333333333333:execution:logwarden-cover-account:manual-444444444444-x';
const child = (region: string) =>
  `arn:aws:states:eu-west-1:333333333333:execution:logwarden-cover-account-region:${region}-abc`;

function watcher() {
  const out: string[] = [];
  const err: string[] = [];
  const deps = {
    out: (l: string) => out.push(l),
    err: (l: string) => err.push(l),
    sleep: async () => undefined,
    now: () => t,
    pollMs: 0,
  };
  return { out, err, deps };
}

beforeEach(() => sfn.reset());

describe('--wait progress', () => {
  it('cover-account: the states entered, then one line per child execution as its status changes', async () => {
    const submitted = (id: number, region: string) => ({
      id,
      type: 'TaskSubmitted' as const,
      timestamp: t,
      taskSubmittedEventDetails: {
        resourceType: 'states',
        resource: 'startExecution.sync:2',
        output: JSON.stringify({ ExecutionArn: child(region), StartDate: 1 }),
      },
    });
    sfn
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({
        events: [
          submitted(4, 'eu-west-1'),
          { id: 3, type: 'MapStateEntered', timestamp: t, stateEnteredEventDetails: { name: 'Regions' } },
          {
            id: 2,
            type: 'TaskStateEntered',
            timestamp: t,
            stateEnteredEventDetails: { name: 'ListRegions' },
          },
          { id: 1, type: 'ExecutionStarted', timestamp: t },
        ],
      })
      .resolvesOnce({ events: [submitted(5, 'eu-central-1'), submitted(4, 'eu-west-1')] })
      .resolves({
        events: [
          { id: 6, type: 'TaskStateEntered', timestamp: t, stateEnteredEventDetails: { name: 'Summarize' } },
          submitted(5, 'eu-central-1'),
        ],
      });
    const status: Record<string, string[]> = {
      [child('eu-west-1')]: ['RUNNING', 'SUCCEEDED'],
      [child('eu-central-1')]: ['FAILED'],
      [parent]: ['RUNNING', 'RUNNING', 'SUCCEEDED'],
    };
    sfn.on(DescribeExecutionCommand).callsFake(({ executionArn }: { executionArn: string }) => {
      const list = status[executionArn];
      const s = list.length > 1 ? (list.shift() as string) : list[0];
      return s === 'SUCCEEDED' && executionArn === parent
        ? {
            status: s,
            output: JSON.stringify({
              counts: { healed: 4, failed: 1 },
              failed: [{ account: '444444444444', region: 'eu-central-1', control: 'workflow', reason: 'x' }],
            }),
          }
        : { status: s };
    });
    const w = watcher();
    expect(await waitFor(new SFNClient({}), parent, w.deps)).toBe(1);
    const p = '2026-11-29T01:00:00.000Z';
    expect(w.out).toEqual([
      `${p}  manual-444444444444-x  entered ListRegions`,
      `${p}  manual-444444444444-x  entered Regions`,
      `${p}  eu-west-1-abc  RUNNING`,
      `${p}  manual-444444444444-x  RUNNING`,
      `${p}  eu-west-1-abc  SUCCEEDED`,
      `${p}  eu-central-1-abc  FAILED`,
      `${p}  manual-444444444444-x  entered Summarize`,
      `${p}  manual-444444444444-x  SUCCEEDED`,
      'result: {"healed":4,"failed":1}',
    ]);
    expect(w.err).toEqual(['failed: 444444444444 eu-central-1 workflow: x']);
    // A child that ended is not described again.
    const described = sfn
      .commandCalls(DescribeExecutionCommand)
      .filter((c) => c.args[0].input.executionArn === child('eu-west-1'));
    expect(described).toHaveLength(2);
  });

  it('sweep: the Map Run’s counts and its child executions, listed by mapRunArn, each time they change', async () => {
    const sweep = 'arn:aws:states:eu-west-1:333333333333:execution:logwarden-sweep:manual-sweep-x';
    const mapRunArn = 'arn:aws:states:eu-west-1:333333333333:mapRun:logwarden-sweep/Accounts:run1';
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        { id: 3, type: 'MapRunStarted', timestamp: t, mapRunStartedEventDetails: { mapRunArn } },
        { id: 2, type: 'MapStateEntered', timestamp: t, stateEnteredEventDetails: { name: 'Accounts' } },
        { id: 1, type: 'ExecutionStarted', timestamp: t },
      ],
    });
    const counts = (succeeded: number, running: number, pending: number, failed = 0) => ({
      executionCounts: {
        succeeded,
        running,
        pending,
        failed,
        timedOut: 0,
        aborted: 0,
        total: 3,
        resultsWritten: 0,
      },
    });
    sfn
      .on(DescribeMapRunCommand)
      .resolvesOnce(counts(0, 2, 1))
      .resolvesOnce(counts(0, 2, 1))
      .resolves(counts(2, 0, 0, 1));
    const e = (name: string, status: ExecutionStatus) => ({
      executionArn: `${sweep}/${name}`,
      stateMachineArn: 'arn:aws:states:eu-west-1:333333333333:stateMachine:logwarden-sweep/Accounts',
      name,
      status,
      startDate: t,
    });
    sfn
      .on(ListExecutionsCommand)
      .resolvesOnce({ executions: [e('a1', 'RUNNING'), e('a2', 'RUNNING')] })
      .resolvesOnce({ executions: [e('a1', 'RUNNING'), e('a2', 'RUNNING')] })
      .resolvesOnce({ executions: [e('a1', 'SUCCEEDED')], nextToken: 'p2' })
      .resolves({ executions: [e('a2', 'FAILED'), e('a3', 'SUCCEEDED')] });
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: 'RUNNING' })
      .resolvesOnce({ status: 'RUNNING' })
      .resolves({ status: 'SUCCEEDED', output: JSON.stringify({ counts: { covered: 16 }, failed: [] }) });
    const w = watcher();
    expect(await waitFor(new SFNClient({}), sweep, w.deps)).toBe(0);
    const p = '2026-11-29T01:00:00.000Z';
    expect(w.out).toEqual([
      `${p}  manual-sweep-x  entered Accounts`,
      `${p}  map run  0/3 child executions done (0 succeeded, 0 failed), 2 running, 1 pending`,
      `${p}  a1  RUNNING`,
      `${p}  a2  RUNNING`,
      `${p}  manual-sweep-x  RUNNING`,
      `${p}  map run  3/3 child executions done (2 succeeded, 1 failed), 0 running, 0 pending`,
      `${p}  a1  SUCCEEDED`,
      `${p}  a2  FAILED`,
      `${p}  a3  SUCCEEDED`,
      `${p}  manual-sweep-x  SUCCEEDED`,
      'result: {"covered":16}',
    ]);
    expect(
      sfn.commandCalls(ListExecutionsCommand).every((c) => c.args[0].input.mapRunArn === mapRunArn),
    ).toBe(true);
  });
});
