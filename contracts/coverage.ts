/**
 * What every control returns, what the ledger stores per account × region × control, and what a
 * workflow hands back: the vocabulary the functions, the workflows, the CLI and the local run share.
 */
export type ControlName = 'flow-logs' | 'trail' | 'guardduty' | 'subscription';
export const controlNames: readonly ControlName[] = ['flow-logs', 'trail', 'guardduty', 'subscription'];

/**
 * covered: found as it should be, nothing written · healed: something was missing or wrong and
 * was repaired · failed: could not verify or repair (reason says why) · excluded: not governed.
 * What a local stand-in lacks is local/'s business, never a status of the runtime.
 */
export type CoverageStatus = 'covered' | 'healed' | 'failed' | 'excluded';

export interface ControlTarget {
  account: string;
  region: string;
}

export interface ControlResult extends ControlTarget {
  control: ControlName;
  status: CoverageStatus;
  /** Resource ids that prove the status (flow-log ids by VPC, trail ARN, detector id…). */
  evidence: Record<string, string>;
  /** What was changed and why, one sentence each. Empty when nothing was written. */
  actions: string[];
  reason?: string;
}

/** A failure a workflow reports: one control, or the workflow step itself. */
export interface FailedCell {
  account: string;
  region: string;
  control: ControlName | 'workflow';
  reason: string;
}

/** What every workflow returns (its ledger step's output), and what the CLI's --wait reads. */
export interface WorkflowOutput {
  workflow: string;
  executionArn: string;
  counts: Partial<Record<CoverageStatus, number>>;
  failed: FailedCell[];
  results: ControlResult[];
}
