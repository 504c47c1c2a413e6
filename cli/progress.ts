import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import type { WorkflowOutput } from '../contracts/coverage';
import { exitCode } from './errors';

export interface ProgressDeps {
  out: (line: string) => void;
  err: (line: string) => void;
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
  /** Between two looks at the executions. */
  pollMs: number;
}

const running = (status: string | undefined) => status === 'RUNNING' || status === 'PENDING_REDRIVE';
const nameOf = (executionArn: string) => executionArn.split(':').pop() as string;

/**
 * What one look adds to what the person already saw. Step Functions APIs used, each as its API
 * reference describes it:
 * - GetExecutionHistory (reverseOrder, newest first): the states the execution entered since the
 *   last look; `TaskSubmitted` of a `startExecution.sync` task carries the child's ExecutionArn
 *   (cover-account's regions); `MapRunStarted` carries the Distributed Map's mapRunArn (sweep).
 * - DescribeExecution for each child started by a task, until it ends.
 * - DescribeMapRun (executionCounts) and ListExecutions with mapRunArn for a Map Run's children.
 */
class ExecutionWatch {
  private lastEventId = 0;
  /** Children started by a task (cover-account's regions), by ARN: the last status shown. */
  private readonly children = new Map<string, string | undefined>();
  /** Children of a Map Run (sweep's accounts), by ARN: the last status shown. */
  private readonly mapRunChildren = new Map<string, string | undefined>();
  private readonly mapRuns = new Map<string, string>();

  constructor(
    private readonly sfn: SFNClient,
    private readonly executionArn: string,
    private readonly deps: ProgressDeps,
  ) {}

  private line(subject: string, what: string) {
    this.deps.out(`${this.deps.now().toISOString()}  ${subject}  ${what}`);
  }

  /** New history events, oldest first: pages newest-first until the last one already seen. */
  private async newEvents(): Promise<HistoryEvent[]> {
    const fresh: HistoryEvent[] = [];
    let nextToken: string | undefined;
    pages: do {
      const page = await this.sfn.send(
        new GetExecutionHistoryCommand({
          executionArn: this.executionArn,
          reverseOrder: true,
          maxResults: 100,
          nextToken,
        }),
      );
      for (const event of page.events ?? []) {
        if ((event.id ?? 0) <= this.lastEventId) break pages;
        fresh.push(event);
      }
      nextToken = page.nextToken;
    } while (nextToken);
    fresh.reverse();
    if (fresh.length) this.lastEventId = fresh[fresh.length - 1].id ?? this.lastEventId;
    return fresh;
  }

  private async followHistory(name: string) {
    for (const event of await this.newEvents()) {
      if (event.type?.endsWith('StateEntered') && event.stateEnteredEventDetails?.name)
        this.line(name, `entered ${event.stateEnteredEventDetails.name}`);
      const submitted = event.taskSubmittedEventDetails;
      if (submitted?.resourceType === 'states' && submitted.resource?.startsWith('startExecution')) {
        try {
          const child = (JSON.parse(submitted.output ?? '{}') as { ExecutionArn?: string }).ExecutionArn;
          if (child && !this.children.has(child)) this.children.set(child, undefined);
        } catch {
          // An output that is not JSON names no child; the parent's own status still shows.
        }
      }
      const mapRunArn = event.mapRunStartedEventDetails?.mapRunArn;
      if (mapRunArn && !this.mapRuns.has(mapRunArn)) this.mapRuns.set(mapRunArn, '');
    }
  }

  private async followChildren() {
    for (const [child, seen] of this.children) {
      if (seen && !running(seen)) continue;
      const res = await this.sfn.send(new DescribeExecutionCommand({ executionArn: child }));
      if (res.status !== seen) {
        this.children.set(child, res.status);
        this.line(nameOf(child), res.status ?? 'UNKNOWN');
      }
    }
  }

  private async followMapRuns() {
    for (const [mapRunArn, lastCounts] of this.mapRuns) {
      const run = await this.sfn.send(new DescribeMapRunCommand({ mapRunArn }));
      const c = run.executionCounts;
      if (c) {
        const done = (c.succeeded ?? 0) + (c.failed ?? 0) + (c.timedOut ?? 0) + (c.aborted ?? 0);
        const counts = `${done}/${c.total ?? 0} child executions done (${c.succeeded ?? 0} succeeded, ${
          (c.failed ?? 0) + (c.timedOut ?? 0) + (c.aborted ?? 0)
        } failed), ${c.running ?? 0} running, ${c.pending ?? 0} pending`;
        if (counts !== lastCounts) {
          this.mapRuns.set(mapRunArn, counts);
          this.line('map run', counts);
        }
      }
      let nextToken: string | undefined;
      do {
        const page = await this.sfn.send(
          new ListExecutionsCommand({ mapRunArn, maxResults: 1000, nextToken }),
        );
        for (const e of page.executions ?? []) {
          if (!e.executionArn) continue;
          const seen = this.mapRunChildren.get(e.executionArn);
          if (e.status !== seen) {
            this.mapRunChildren.set(e.executionArn, e.status);
            this.line(e.name ?? nameOf(e.executionArn), e.status ?? 'UNKNOWN');
          }
        }
        nextToken = page.nextToken;
      } while (nextToken);
    }
  }

  /** One look: new states, children's changes, then the execution's own status (returned). */
  async look() {
    const name = nameOf(this.executionArn);
    await this.followHistory(name);
    // Map Run children are listed by the Map Run; DescribeExecution is only for task-started ones.
    await this.followMapRuns();
    await this.followChildren();
    return this.sfn.send(new DescribeExecutionCommand({ executionArn: this.executionArn }));
  }
}

/**
 * Waits for an execution to end, printing a line per state entered, per child execution whose
 * status changed, and per change of the execution's own status. Exit 0 when it succeeded with no
 * failed control, 1 otherwise.
 */
export async function waitFor(sfn: SFNClient, executionArn: string, deps: ProgressDeps): Promise<number> {
  const watch = new ExecutionWatch(sfn, executionArn, deps);
  const name = nameOf(executionArn);
  let last: string | undefined;
  for (;;) {
    const res = await watch.look();
    if (res.status !== last) {
      deps.out(`${deps.now().toISOString()}  ${name}  ${res.status}`);
      last = res.status;
    }
    if (res.status === 'SUCCEEDED') {
      const output = (res.output ? JSON.parse(res.output) : {}) as Partial<WorkflowOutput>;
      if (output.counts) deps.out(`result: ${JSON.stringify(output.counts)}`);
      for (const f of output.failed ?? [])
        deps.err(`failed: ${f.account} ${f.region} ${f.control}: ${f.reason}`);
      return output.failed?.length ? exitCode.failed : exitCode.ok;
    }
    if (!running(res.status)) {
      deps.err(`execution ${res.status}: ${res.error ?? ''} ${res.cause ?? ''}`.trim());
      return exitCode.failed;
    }
    await deps.sleep(deps.pollMs);
  }
}
