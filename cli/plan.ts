/**
 * `logwarden plan`: every control run read-only in its own function (the event's `plan: true`,
 * functions/shared/control-handler.ts), per account × region × control, printing the calls a
 * heal would make, with their parameters, or "nothing". Out-of-scope accounts are shown
 * `excluded` with their rule, and no control runs there.
 */
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { controlNames, type ControlName, type ControlResult } from '../contracts/coverage';
import type { Scope } from '../contracts/scope';
import type { PlannedCall } from '../functions/shared/read-only';
import { describeCall } from '../functions/shared/read-only';
import { scopeRuleFor } from '../functions/shared/scope';

/** What a control function answers to a plan event. */
export type PlanAnswer = ControlResult & { planned?: PlannedCall[] };

export interface PlanEvent {
  account: string;
  region: string;
  execution: string;
  plan: true;
}

/** Runs one control for one cell, read-only: the Lambda function in AWS, its handler locally. */
export type InvokeControl = (control: ControlName, event: PlanEvent) => Promise<PlanAnswer>;

export type PlannedCell =
  | { account: string; region: string; control: ControlName; excluded: string }
  | { account: string; region: string; control: ControlName; answer: PlanAnswer }
  | { account: string; region: string; control: ControlName; error: string };

/** Cells planned at the same time: the controls' own quotas, as the sweep's maxConcurrency. */
export const PLAN_CONCURRENCY = 4;

export async function planCells(options: {
  accounts: readonly string[];
  regions: readonly string[];
  scope: Scope;
  orgs: OrganizationsClient;
  invoke: InvokeControl;
  /** The plan's name (an execution name: letters, digits, - and _). */
  execution: string;
  concurrency?: number;
}): Promise<PlannedCell[]> {
  const work: (() => Promise<PlannedCell>)[] = [];
  const out: PlannedCell[] = [];
  for (const account of options.accounts) {
    const rule = await scopeRuleFor(options.orgs, account, options.scope);
    for (const region of options.regions)
      for (const control of controlNames) {
        if (rule) {
          out.push({ account, region, control, excluded: rule });
          continue;
        }
        work.push(async () => {
          try {
            const answer = await options.invoke(control, {
              account,
              region,
              execution: options.execution,
              plan: true,
            });
            return { account, region, control, answer };
          } catch (err) {
            return { account, region, control, error: (err as Error).message.slice(0, 500) };
          }
        });
      }
  }
  const results: PlannedCell[] = new Array(work.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(options.concurrency ?? PLAN_CONCURRENCY, work.length) }, async () => {
      while (next < work.length) {
        const i = next++;
        results[i] = await work[i]();
      }
    }),
  );
  return [...out, ...results].sort(
    (a, b) =>
      a.account.localeCompare(b.account) ||
      a.region.localeCompare(b.region) ||
      controlNames.indexOf(a.control) - controlNames.indexOf(b.control),
  );
}

/** One line per cell (and one per planned call below it). */
export function renderPlan(cells: readonly PlannedCell[]): string[] {
  const lines: string[] = [];
  for (const c of cells) {
    const at = `${c.account} ${c.region} ${c.control}`;
    if ('excluded' in c) lines.push(`${at}: excluded (${c.excluded})`);
    else if ('error' in c) lines.push(`${at}: could not plan: ${c.error}`);
    else {
      const planned = c.answer.planned ?? [];
      const found = c.answer.reason && c.answer.status === 'failed' ? ` (found: ${c.answer.reason})` : '';
      if (!planned.length) lines.push(`${at}: nothing${found}`);
      else {
        lines.push(`${at}: ${planned.length} call(s)${found}`);
        for (const call of planned) lines.push(`    ${describeCall(call)}`);
      }
    }
  }
  const counted = cells.filter((c) => 'answer' in c);
  const changing = counted.filter((c) => 'answer' in c && (c.answer.planned ?? []).length).length;
  lines.push(
    `plan: ${changing} of ${counted.length} cells would change, ${cells.length - counted.length} excluded or not planned; nothing was changed`,
  );
  return lines;
}
