/**
 * The detections in the run: the alerts the alerter raised on the corpus read back from SNS, and
 * every rule of contracts/detections.json scored over the labelled corpus (local/detection-scorecard.ts).
 */
import { scoreRules, scorecardLines } from '../detection-scorecard';
import type { Organization } from './organization';
import { readAlerts, type Pipeline } from './pipeline';
import type { Say } from './report';

const line = (alert: string, prefix: string) =>
  alert
    .split('\n')
    .find((l) => l.startsWith(prefix))
    ?.slice(prefix.length)
    .trim();

/**
 * The detection alerts read back after the corpus went through the pipeline: counted per rule,
 * one example of each shown. The run needs a GuardDuty alert of High severity or more and at
 * least one alert of another rule.
 */
export async function showDetectionAlerts(p: Pipeline, say: Say): Promise<void> {
  const alerts = [...new Set(await readAlerts(p))];
  const detections = alerts.filter((a) => a.startsWith('logwarden detection:'));
  const perRule = new Map<string, string[]>();
  for (const a of detections)
    for (const rule of (line(a, 'Rules:') ?? '').split(', '))
      perRule.set(rule, [...(perRule.get(rule) ?? []), a]);
  say(`detection alerts read back from SNS → SQS: ${detections.length}`);
  for (const [rule, list] of [...perRule].sort()) {
    const first = list[0];
    say(
      `  ${rule.padEnd(36)} ${String(list.length).padStart(3)}  e.g. [${line(first, 'Severity:')}] ${line(first, 'Account:')} ${line(first, 'Region:')} ${line(first, 'Actor:')} · ${line(first, 'Console:')}`,
    );
  }
  const guardDutyHigh = (perRule.get('guardduty-finding') ?? []).filter((a) =>
    ['High', 'Critical'].includes(line(a, 'Severity:') ?? ''),
  );
  const ruleAlerts = [...perRule.keys()].filter((r) => r !== 'guardduty-finding');
  if (!guardDutyHigh.length || !ruleAlerts.length)
    throw new Error(
      `the alerts read back hold ${guardDutyHigh.length} GuardDuty alerts of High severity or more and alerts of ${ruleAlerts.length} other rules; the run needs one of each`,
    );
}

/** Per rule: the corpus detonations it caught and the events it flagged by mistake. */
export function printDetectionScorecard(org: Organization, say: Say): void {
  say(
    'detection rules over the labelled corpus (Stratus Red Team detonations, Panther fixtures with their expected outcome, GuardDuty findings):',
  );
  for (const l of scorecardLines(scoreRules(org.config))) say(`        ${l}`);
}
