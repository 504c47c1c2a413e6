import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { ControlName, ControlResult, CoverageStatus } from './coverage';

/** One row of the coverage ledger, as the CLI and the local run read it. */
export interface LedgerRow {
  account: string;
  region: string;
  control: ControlName;
  status: CoverageStatus;
  /** What proved the status (ControlResult.evidence). */
  evidence?: Record<string, string>;
  lastVerified?: string;
  reason?: string;
}

export type LedgerItem = Record<string, AttributeValue>;

/** The ledger's key: partition `account`, sort `region#control`. */
export const ledgerSortKey = (region: string, control: string) => `${region}#${control}`;

/**
 * A control result as the ledger stores it, with when it was verified and by which execution,
 * and when that execution started (a row is replaced only by a newer execution's result).
 */
export function encodeLedgerItem(
  result: ControlResult,
  verifiedAt: string,
  executionArn: string,
  executionStartTime: string = verifiedAt,
): LedgerItem {
  return {
    account: { S: result.account },
    regionControl: { S: ledgerSortKey(result.region, result.control) },
    region: { S: result.region },
    control: { S: result.control },
    status: { S: result.status },
    evidence: { M: Object.fromEntries(Object.entries(result.evidence).map(([k, v]) => [k, { S: v }])) },
    actions: { L: result.actions.map((a) => ({ S: a })) },
    ...(result.reason ? { reason: { S: result.reason } } : {}),
    lastVerified: { S: verifiedAt },
    lastExecutionArn: { S: executionArn },
    executionStartTime: { S: executionStartTime },
  };
}

/** A ledger item read back. */
export function decodeLedgerItem(item: LedgerItem): LedgerRow {
  const [region, control] = (item.regionControl.S as string).split('#');
  return {
    account: item.account.S as string,
    region: item.region?.S ?? region,
    control: (item.control?.S ?? control) as ControlName,
    status: item.status.S as CoverageStatus,
    evidence: Object.fromEntries(
      Object.entries(item.evidence?.M ?? {}).flatMap(([k, v]) => (v.S === undefined ? [] : [[k, v.S]])),
    ),
    lastVerified: item.lastVerified?.S,
    reason: item.reason?.S,
  };
}
