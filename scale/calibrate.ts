import { coveredCalls, type CallModel, type ModelledCall, type Payer } from './model';

/** One API's calls in a measured case, as the API budget (scale/api-budget.ts) counts them. */
export interface MeasuredLine {
  service: string;
  operation: string;
  count: number;
  payer: Payer;
  global?: boolean;
}

/** The measured cases the simulation is calibrated from, each with its calls per function. */
export interface MeasuredCoveredCases {
  /** A member's cell in the home region. */
  covered: { functions: Record<string, MeasuredLine[]> };
  /** A member's cell in another governed region. */
  'covered-other-region': { functions: Record<string, MeasuredLine[]> };
  /** The security-tooling account's own cell, home region. */
  'covered-administrator': { functions: Record<string, MeasuredLine[]> };
}

/** A measured API's calls as the simulation models them: one entry per call. */
export const expand = (lines: MeasuredLine[] = []): ModelledCall[] =>
  lines.flatMap((l) =>
    Array.from({ length: l.count }, () => ({
      service: l.service,
      operation: l.operation,
      payer: l.payer,
      ...(l.global ? { region: 'global' as const } : {}),
    })),
  );

/**
 * The simulation's calls, per cell, from the measured API budget of already covered cells. The
 * trail control's calls depend on the region (the multi-region trail is read in the home
 * region's cell), the others' on whose cell it is (the security-tooling account's own cell checks
 * the organization's settings); the security-tooling account's cells in other regions take its
 * own lists with the trail as any other region's. Functions the budget does not measure
 * (list-regions, list-accounts) keep the lists read from the code.
 */
export function callModelFromBudget(budget: MeasuredCoveredCases): CallModel {
  const measured = new Set(
    Object.values(budget).flatMap((c: { functions: Record<string, MeasuredLine[]> }) =>
      Object.keys(c.functions),
    ),
  );
  return (fn, cell) => {
    if (!measured.has(fn)) return coveredCalls[fn];
    if (fn === 'ensure-trail')
      return expand(budget[cell.home ? 'covered' : 'covered-other-region'].functions[fn]);
    if (cell.administrator) return expand(budget['covered-administrator'].functions[fn]);
    return expand(budget[cell.home ? 'covered' : 'covered-other-region'].functions[fn]);
  };
}
