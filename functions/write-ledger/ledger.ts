import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  controlNames,
  type ControlName,
  type ControlResult,
  type CoverageStatus,
  type FailedCell,
  type WorkflowOutput,
} from '../../contracts/coverage';
import { encodeLedgerItem, type LedgerRow } from '../../contracts/ledger';
import {
  coverageByControl,
  coverageMetric,
  type ControlCoverage,
  type Staleness,
} from '../../contracts/coverage-cells';
import { embeddedMetric } from '../shared/metrics';
import { readLedger } from '../shared/ledger-read';
import {
  afterWave,
  rolloutRecord,
  type AfterWaveInput,
  type RolloutProgress,
  type RolloutRecord,
} from './rollout';

/** What a workflow branch hands over: a control's result, or the error its Catch recorded. */
export type BranchOutput =
  | ControlResult
  | { control: ControlName; account: string; region: string; error: { Error?: string; Cause?: string } };

export interface LedgerInput {
  workflow: string;
  /** The sweep's step between two waves: add the wave up, say whether to go on (./rollout.ts). */
  afterWave?: AfterWaveInput;
  /** The sweep's last step: how the rollout went, recorded in the execution's output. */
  rollout?: RolloutProgress;
  /**
   * The sweep's last step: publish the coverage percentage over these accounts (its listing),
   * given as its waves (the sweep keeps the listing only in that form, for its state's size).
   */
  coverage?: { waves?: ({ account: string } | string)[][] };
  /**
   * The execution's own input (`$$.Execution.Input`), given to the ledger steps of the heal
   * workflows: its `trigger` says whether another workflow started it (then that workflow
   * publishes the coverage metric) or an event or a person did (then this heal publishes it).
   */
  executionInput?: { trigger?: string };
  executionArn: string;
  /**
   * When the execution started (`$$.Execution.StartTime`): a cell's row is only replaced by a
   * result of an execution that started at the same time or later, so that of concurrent heals
   * of one cell the newest check is what the ledger says, not the last writer.
   */
  executionStartTime?: string;
  results: unknown;
  /** Parent workflows (cover-account, sweep) only summarize: their children wrote the items. */
  summaryOnly?: boolean;
  /** A workflow step that failed outside any control (listing regions or accounts, say). */
  error?: { Error?: string; Cause?: string };
}

export type LedgerSummary = WorkflowOutput & {
  rollout?: RolloutRecord;
  coverage?: ControlCoverage[];
};

/**
 * How many failures a summary's output names; `counts.failed` keeps the total. Step Functions
 * refuses a state's input or output over 256 KiB ("Quotas", Step Functions Developer Guide), and
 * parents carry their children's summaries: a systematic failure in 17 regions × 4 controls of
 * every account must not turn the summary itself into a failure. The ledger holds every cell.
 */
export const MAX_FAILED_IN_SUMMARY = 20;
/**
 * How many UTF-8 bytes of one failure's reason a summary's output keeps (the ledger row keeps up
 * to 1,000 characters). cover-account collects one summary per region, each with up to five
 * failed cells (four controls and the workflow step): 34 Regions (17 opt-in, contracts/regions.ts)
 * × 5 cells of 1,000 characters of three-byte text would be about 500 KiB, twice the 256 KiB
 * quota, and the account's summary would fail where it should report the failures.
 */
export const MAX_REASON_BYTES_IN_SUMMARY = 400;
/** How many failures the SNS summary lists (an SNS message may be at most 256 KB). */
export const MAX_FAILED_IN_MESSAGE = 200;

export interface LedgerDeps {
  ddb: DynamoDBClient;
  sns: SNSClient;
  table: string;
  summaryTopicArn: string;
  now?: () => Date;
  /** Where the coverage metric goes, and what it is computed over (the handler sets it). */
  coverage?: {
    governedRegions: readonly string[];
    /** Two sweep periods: older rows are stale, as `logwarden coverage` shows them. */
    staleAfterMs: number;
    emit: (coverage: ControlCoverage[]) => void;
  };
}

/** A Catch output becomes a failed result whose reason is the error, so nothing fails silently. */
export function toResult(output: BranchOutput): ControlResult {
  if ('status' in output) return output;
  let cause = output.error?.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    cause = parsed.errorMessage ?? cause;
  } catch {
    // The cause is plain text.
  }
  return {
    control: output.control,
    account: output.account,
    region: output.region,
    status: 'failed',
    evidence: {},
    actions: [],
    reason: `${output.error?.Error ?? 'Error'}: ${cause}`.slice(0, 1000),
  };
}

/** A child workflow's own summary (cover-account-region's for cover-account, cover-account's for sweep). */
export interface ChildSummary {
  counts: Partial<Record<CoverageStatus, number>>;
  failed: FailedCell[];
}

/** What a workflow's results hold, in their order: control results, caught errors, children's summaries. */
export type Collected = BranchOutput | ChildSummary;

const isChildSummary = (c: Collected): c is ChildSummary => 'counts' in c && !('control' in c);

const isStatus = (s: string): s is CoverageStatus => ['covered', 'healed', 'failed', 'excluded'].includes(s);

/** A child's counts as the parent reads them: only known statuses, only non-negative integers. */
function childCounts(value: unknown): Partial<Record<CoverageStatus, number>> {
  const counts: Partial<Record<CoverageStatus, number>> = {};
  if (!value || typeof value !== 'object') return counts;
  for (const [status, n] of Object.entries(value as Record<string, unknown>))
    if (isStatus(status) && Number.isInteger(n) && (n as number) >= 0) counts[status] = n as number;
  return counts;
}

function collectInto(value: unknown, into: Collected[]): void {
  if (Array.isArray(value)) {
    for (const v of value) collectInto(v, into);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const v = value as Record<string, unknown>;
  if (typeof v.control === 'string' && controlNames.includes(v.control as ControlName)) {
    into.push(v as unknown as BranchOutput);
    return;
  }
  if (Array.isArray(v.results)) return collectInto(v.results, into);
  // A child workflow that failed as a whole (its Catch in the parent's Map).
  if (v.error && typeof v.error === 'object' && typeof v.account === 'string') {
    into.push({
      control: 'workflow' as ControlName,
      account: v.account,
      region: String(v.region ?? '-'),
      error: v.error as { Error?: string; Cause?: string },
    });
    return;
  }
  if (v.Output !== undefined)
    return collectInto(typeof v.Output === 'string' ? JSON.parse(v.Output) : v.Output, into);
  // A child workflow's summary: the parent reports its counts and its failures as they are.
  if (Array.isArray(v.failed)) {
    const failed = v.failed as FailedCell[];
    const counts = childCounts(v.counts);
    // A child that reported failures but no counts (an older output) still counts them.
    if (counts.failed === undefined && failed.length) counts.failed = failed.length;
    into.push({ counts, failed });
  }
}

/** Flattens nested workflow outputs (a Map of Parallels, a Map of child executions) into results. */
export function collectResults(value: unknown): Collected[] {
  const into: Collected[] = [];
  collectInto(value, into);
  return into;
}

/** What a workflow's collected entries add up to: counts per status and the failed cells. */
export function summarize(entries: (ControlResult | ChildSummary)[]): ChildSummary {
  const counts: Partial<Record<CoverageStatus, number>> = {};
  const add = (status: CoverageStatus, n: number) => (counts[status] = (counts[status] ?? 0) + n);
  const failed: FailedCell[] = [];
  for (const r of entries) {
    if ('counts' in r) {
      for (const [status, n] of Object.entries(r.counts)) add(status as CoverageStatus, n);
      failed.push(...r.failed);
      continue;
    }
    add(r.status, 1);
    if (r.status === 'failed')
      failed.push({
        account: r.account,
        region: r.region,
        control: r.control,
        reason: r.reason ?? 'unknown',
      });
  }
  return { counts, failed };
}

/**
 * Writes one ledger item per account × region × control (status, evidence, what was changed,
 * lastVerified, the execution) and publishes one summary when something failed. The sweep's
 * step between two waves (`afterWave`) only adds the wave up and decides whether to go on
 * (./rollout.ts); its last step (`coverage`) also publishes the coverage percentage per control.
 */
export async function writeLedger(input: LedgerInput, deps: LedgerDeps): Promise<LedgerSummary>;
export async function writeLedger(
  input: LedgerInput & { afterWave: AfterWaveInput },
  deps: LedgerDeps,
): Promise<RolloutProgress>;
export async function writeLedger(
  input: LedgerInput,
  deps: LedgerDeps,
): Promise<LedgerSummary | RolloutProgress> {
  if (input.afterWave) return afterWave(input.afterWave, collectResults(input.results), input.results);
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const collected = collectResults(input.results);
  const entries = collected.map((c) => (isChildSummary(c) ? c : toResult(c)));
  const results = entries.filter((e): e is ControlResult => !('counts' in e));
  const startedAt = input.executionStartTime ?? now;
  for (const r of input.summaryOnly ? [] : results) {
    try {
      await deps.ddb.send(
        new PutItemCommand({
          TableName: deps.table,
          Item: encodeLedgerItem(r, now, input.executionArn, startedAt),
          // "A condition expression ... must evaluate to true in order for the operation to
          // succeed" (DynamoDB API Reference, PutItem.ConditionExpression); ISO 8601 times in
          // UTC compare as strings.
          ConditionExpression: 'attribute_not_exists(executionStartTime) OR executionStartTime <= :startedAt',
          ExpressionAttributeValues: { ':startedAt': { S: startedAt } },
        }),
      );
    } catch (err) {
      // A newer execution already recorded this cell: its check stands.
      if (
        !(err instanceof ConditionalCheckFailedException) &&
        (err as Error).name !== 'ConditionalCheckFailedException'
      )
        throw err;
    }
  }
  const { counts, failed } = summarize(entries);
  const add = (status: CoverageStatus, n: number) => (counts[status] = (counts[status] ?? 0) + n);
  if (input.error) {
    add('failed', 1);
    failed.push({
      account: '-',
      region: '-',
      control: 'workflow',
      reason: `${input.error.Error ?? 'Error'}: ${input.error.Cause ?? ''}`.slice(0, 1000),
    });
  }
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  // Children's lists may already be cut short: their counts say how many failed in all.
  const failedTotal = Math.max(failed.length, counts.failed ?? 0);
  if (failedTotal) {
    await deps.sns.send(
      new PublishCommand({
        TopicArn: deps.summaryTopicArn,
        Subject: `logwarden: ${failedTotal} failure(s) in ${input.workflow}`.slice(0, 100),
        Message: [
          `${input.workflow} finished with ${failedTotal} failure(s); ${total} control result(s) in all.`,
          ...(input.rollout?.stopped ? [input.rollout.stopped] : []),
          `Execution: ${input.executionArn}`,
          '',
          ...failed
            .slice(0, MAX_FAILED_IN_MESSAGE)
            .map((f) => `- ${f.account} ${f.region} ${f.control}: ${f.reason}`),
          ...(failedTotal > MAX_FAILED_IN_MESSAGE
            ? [
                `… and ${failedTotal - MAX_FAILED_IN_MESSAGE} more: logwarden coverage shows every failed cell.`,
              ]
            : []),
          '',
          'Re-run one account and region with: logwarden remediate --account <id> --region <region> --wait',
        ].join('\n'),
      }),
    );
  }
  const coverage = !deps.coverage
    ? undefined
    : input.coverage
      ? await publishCoverage(input.coverage, deps)
      : publishesAfterHeal(input)
        ? await publishCoverage({}, deps)
        : undefined;
  return {
    workflow: input.workflow,
    executionArn: input.executionArn,
    counts,
    failed: summaryCells(failed),
    results,
    ...(input.rollout ? { rollout: rolloutRecord(input.rollout) } : {}),
    ...(coverage ? { coverage } : {}),
  };
}

/** The failed cells a summary's output names: the first few, each reason cut to a byte budget. */
export function summaryCells(failed: readonly FailedCell[]): FailedCell[] {
  return failed
    .slice(0, MAX_FAILED_IN_SUMMARY)
    .map((f) => ({ ...f, reason: cutToBytes(f.reason, MAX_REASON_BYTES_IN_SUMMARY) }));
}

/** `text` cut to at most `max` UTF-8 bytes, never inside a character; "…" marks a cut. */
export function cutToBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  const ellipsis = '…';
  let bytes = Buffer.byteLength(ellipsis);
  let end = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > max) break;
    bytes += size;
    end += ch.length;
  }
  return text.slice(0, end) + ellipsis;
}

/** The coverage metric's datapoints, one embedded-metric line per control. */
export function coverageMetricLines(coverage: ControlCoverage[], timestamp: Date): string[] {
  return coverage.map((c) =>
    embeddedMetric({
      namespace: coverageMetric.namespace,
      name: coverageMetric.metricName,
      unit: 'Percent',
      value: c.percent,
      dimensions: { [coverageMetric.dimension]: c.control },
      timestamp,
    }),
  );
}

/**
 * The `trigger` of executions another workflow started: the sweep starts cover-account, which
 * starts cover-account-region (workflows/sweep.ts, workflows/cover-account.ts). The parent
 * publishes once at its end, instead of one ledger scan per child.
 */
export const startedByWorkflow: readonly string[] = ['sweep', 'cover-account'];

/**
 * A heal (cover-account, cover-account-region, cover-vpc) that an event or a person started
 * publishes the coverage metric at its end, so that a repair (or a failure) between two sweeps
 * moves the metric and its alarm; the sweep and the executions it started do not.
 */
export function publishesAfterHeal(input: LedgerInput): boolean {
  if (input.workflow === 'sweep' || input.afterWave || !input.executionInput) return false;
  return !startedByWorkflow.includes(input.executionInput.trigger ?? '');
}

/**
 * The accounts a heal computes the metric over, without listing the organization: those with a
 * ledger row verified within the staleness window, which after a sweep are the accounts it
 * listed (it writes a row for each, `excluded` ones too), plus accounts healed since. An account
 * that left the organization drops out once its rows are stale, as it does from the sweep's list.
 */
export function recentlyVerifiedAccounts(rows: readonly LedgerRow[], staleness: Staleness): string[] {
  const since = staleness.now.getTime() - staleness.staleAfterMs;
  const accounts = new Set<string>();
  for (const r of rows) if (r.lastVerified && Date.parse(r.lastVerified) >= since) accounts.add(r.account);
  return [...accounts].sort();
}

/**
 * The coverage percentage per control over the accounts × the governed regions, from the whole
 * ledger (contracts/coverage-cells.ts, the rule `logwarden coverage` uses), handed to
 * `deps.coverage.emit` (the handler: one CloudWatch metric per control). The accounts are the
 * sweep's listing; after a heal, the recently verified accounts of the ledger.
 */
export async function publishCoverage(
  input: NonNullable<LedgerInput['coverage']>,
  deps: LedgerDeps,
): Promise<ControlCoverage[]> {
  const settings = deps.coverage!;
  const rows = await readLedger(deps.ddb, deps.table);
  const staleness = { now: (deps.now ?? (() => new Date()))(), staleAfterMs: settings.staleAfterMs };
  const listed = input.waves?.flat();
  const accounts = listed
    ? listed.map((a) => (typeof a === 'string' ? a : a.account))
    : recentlyVerifiedAccounts(rows, staleness);
  const coverage = coverageByControl(rows, accounts, settings.governedRegions, staleness);
  settings.emit(coverage);
  return coverage;
}
