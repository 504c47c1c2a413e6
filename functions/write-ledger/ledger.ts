import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  controlNames,
  type ControlName,
  type ControlResult,
  type CoverageStatus,
  type WorkflowOutput,
} from '../../contracts/coverage';
import { encodeLedgerItem } from '../../contracts/ledger';

/** What a workflow branch hands over: a control's result, or the error its Catch recorded. */
export type BranchOutput =
  | ControlResult
  | { control: ControlName; account: string; region: string; error: { Error?: string; Cause?: string } };

export interface LedgerInput {
  workflow: string;
  executionArn: string;
  results: unknown;
  /** Parent workflows (cover-account, sweep) only summarize: their children wrote the items. */
  summaryOnly?: boolean;
  /** A workflow step that failed outside any control (listing regions or accounts, say). */
  error?: { Error?: string; Cause?: string };
}

export type LedgerSummary = WorkflowOutput;

export interface LedgerDeps {
  ddb: DynamoDBClient;
  sns: SNSClient;
  table: string;
  summaryTopicArn: string;
  now?: () => Date;
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

/** Flattens nested workflow outputs (a Map of Parallels) into control results. */
export function collectResults(value: unknown): BranchOutput[] {
  if (Array.isArray(value)) return value.flatMap(collectResults);
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.control === 'string' && controlNames.includes(v.control as ControlName))
      return [v as unknown as BranchOutput];
    if (Array.isArray(v.results)) return collectResults(v.results);
    // A child workflow that failed as a whole (its Catch in the parent's Map).
    if (v.error && typeof v.error === 'object' && typeof v.account === 'string') {
      return [
        {
          control: 'workflow' as ControlName,
          account: v.account,
          region: String(v.region ?? '-'),
          error: v.error as { Error?: string; Cause?: string },
        },
      ];
    }
    if (v.Output !== undefined)
      return collectResults(typeof v.Output === 'string' ? JSON.parse(v.Output) : v.Output);
    // A child workflow's summary: its failures are what the parent reports.
    if (Array.isArray(v.failed)) {
      return (v.failed as { account: string; region: string; control: ControlName; reason: string }[]).map(
        (f) => ({
          control: f.control,
          account: f.account,
          region: f.region,
          status: 'failed' as const,
          evidence: {},
          actions: [],
          reason: f.reason,
        }),
      );
    }
  }
  return [];
}

/**
 * Writes one ledger item per account × region × control (status, evidence, what was changed,
 * lastVerified, the execution) and publishes one summary when something failed.
 */
export async function writeLedger(input: LedgerInput, deps: LedgerDeps): Promise<LedgerSummary> {
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const results = collectResults(input.results).map(toResult);
  for (const r of input.summaryOnly ? [] : results) {
    await deps.ddb.send(
      new PutItemCommand({
        TableName: deps.table,
        Item: encodeLedgerItem(r, now, input.executionArn),
      }),
    );
  }
  const counts: Partial<Record<CoverageStatus, number>> = {};
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  const failed: LedgerSummary['failed'] = results
    .filter((r) => r.status === 'failed')
    .map((r) => ({
      account: r.account,
      region: r.region,
      control: r.control,
      reason: r.reason ?? 'unknown',
    }));
  if (input.error) {
    failed.push({
      account: '-',
      region: '-',
      control: 'workflow',
      reason: `${input.error.Error ?? 'Error'}: ${input.error.Cause ?? ''}`.slice(0, 1000),
    });
  }
  if (failed.length) {
    await deps.sns.send(
      new PublishCommand({
        TopicArn: deps.summaryTopicArn,
        Subject: `logwarden: ${failed.length} failure(s) in ${input.workflow}`.slice(0, 100),
        Message: [
          `${input.workflow} finished with ${failed.length} failure(s); ${results.length} control result(s) in all.`,
          `Execution: ${input.executionArn}`,
          '',
          ...failed.map((f) => `- ${f.account} ${f.region} ${f.control}: ${f.reason}`),
          '',
          'Re-run one account and region with: logwarden remediate --account <id> --region <region> --wait',
        ].join('\n'),
      }),
    );
  }
  return { workflow: input.workflow, executionArn: input.executionArn, counts, failed, results };
}
