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

/**
 * Errors of an API the local stand-in does not implement: moto answers with "not implemented"
 * or with an HTML error page the SDK cannot deserialize. Real AWS answers neither way.
 */
export function isNotEmulated(err: unknown): boolean {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const message = e?.message ?? '';
  return (
    e?.$metadata?.httpStatusCode === 501 ||
    e?.name === 'NotImplemented' ||
    /has not been implemented|not yet implemented/i.test(message) ||
    (e?.name === 'SyntaxError' && /Deserialization error/.test(message) && /<!doctype/i.test(message))
  );
}

/** The result of a control whose APIs the local stand-in lacks: never counted as covered. */
export function notEmulated(control: ControlName, target: ControlTarget, err: unknown): ControlResult {
  const e = err as Error & { $metadata?: { httpStatusCode?: number } };
  const answer = e.$metadata?.httpStatusCode ? `HTTP ${e.$metadata.httpStatusCode}` : e.name;
  return {
    control,
    ...target,
    status: 'not-emulated',
    evidence: {},
    actions: [],
    reason: `the local stand-in lacks an API this control needs (${answer})`,
  };
}
