import type { ControlName, ControlResult, ControlTarget, CoverageStatus } from '../../contracts/coverage';

function statusOf(actions: string[], failures: string[]): CoverageStatus {
  if (failures.length) return 'failed';
  return actions.length ? 'healed' : 'covered';
}

/** A control's result from what it found, changed and could not fix: the status follows. */
export function controlResult(
  control: ControlName,
  target: ControlTarget,
  evidence: Record<string, string>,
  actions: string[],
  failures: string[],
): ControlResult {
  return {
    control,
    ...target,
    status: statusOf(actions, failures),
    evidence,
    actions,
    ...(failures.length ? { reason: failures.join('; ') } : {}),
  };
}
