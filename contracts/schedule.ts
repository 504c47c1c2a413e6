/**
 * The longest time between two runs of an EventBridge Scheduler expression, so that
 * `logwarden coverage` can call a ledger row stale when no sweep verified it in two periods.
 * Syntax from the EventBridge Scheduler User Guide, "Schedule types": `rate(value unit)` with
 * unit minute(s) | hour(s) | day(s), and `cron(minutes hours day-of-month month day-of-week
 * year)` with `*`, `?`, `,`, `-`, `/`, month names JAN–DEC and weekday names SUN–SAT (1 = SUN).
 * The `L`, `W` and `#` forms are refused: say the threshold with --stale-after instead.
 */
export class ScheduleError extends Error {
  override name = 'ScheduleError';
}

const MINUTE = 60_000;
const units: Record<string, number> = {
  minute: MINUTE,
  minutes: MINUTE,
  hour: 60 * MINUTE,
  hours: 60 * MINUTE,
  day: 24 * 60 * MINUTE,
  days: 24 * 60 * MINUTE,
};
const monthNames = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const dayNames = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** The values a cron field allows, within [min, max]. */
function cronField(field: string, min: number, max: number, names: string[] = [], nameBase = 1): Set<number> {
  const value = (s: string) => {
    const byName = names.indexOf(s.toUpperCase());
    const n = byName >= 0 ? byName + nameBase : Number(s);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new ScheduleError(`cron field "${field}": ${s} is not in ${min}–${max}`);
    return n;
  };
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const withoutNames = part.toUpperCase().replace(/[A-Z]{3}/g, (m) => (names.includes(m) ? '' : m));
    if (/[LW#]/.test(withoutNames))
      throw new ScheduleError(`cron field "${field}": L, W and # are not supported here`);
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new ScheduleError(`cron field "${field}": bad step`);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') [lo, hi] = [min, max];
    else if (range.includes('-')) [lo, hi] = range.split('-').map(value) as [number, number];
    else [lo, hi] = [value(range), stepText === undefined ? value(range) : max];
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** Longest gap between two consecutive runs of a cron expression, over two years from 2026. */
function cronMaxGapMs(body: string): number {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6)
    throw new ScheduleError(
      `cron(${body}): needs 6 fields (minutes hours day-of-month month day-of-week year)`,
    );
  const [mi, ho, dom, mo, dow, yr] = fields;
  const minutes = [...cronField(mi, 0, 59)].sort((a, b) => a - b);
  const hours = [...cronField(ho, 0, 23)].sort((a, b) => a - b);
  const days = cronField(dom, 1, 31);
  const months = cronField(mo, 1, 12, monthNames);
  const weekdays = cronField(dow, 1, 7, dayNames);
  const years = cronField(yr, 1970, 2199);
  const anyDom = dom === '*' || dom === '?';
  const anyDow = dow === '*' || dow === '?';
  const start = Date.UTC(2026, 0, 1);
  let previous: number | undefined;
  let maxGap = 0;
  for (let day = 0; day < 2 * 366; day++) {
    const d = new Date(start + day * 24 * 60 * MINUTE);
    const matches =
      years.has(d.getUTCFullYear()) &&
      months.has(d.getUTCMonth() + 1) &&
      (anyDom || days.has(d.getUTCDate())) &&
      (anyDow || weekdays.has(d.getUTCDay() + 1));
    if (!matches) continue;
    for (const h of hours)
      for (const m of minutes) {
        const t = d.getTime() + (h * 60 + m) * MINUTE;
        if (previous !== undefined) maxGap = Math.max(maxGap, t - previous);
        previous = t;
      }
  }
  if (maxGap === 0) throw new ScheduleError(`cron(${body}) does not run at least twice in two years`);
  return maxGap;
}

/** The longest time between two runs of the schedule, in milliseconds. */
export function scheduleIntervalMs(expression: string): number {
  const rate = /^rate\((\d+)\s+([a-z]+)\)$/.exec(expression.trim());
  if (rate) {
    const unit = units[rate[2]];
    if (!unit || Number(rate[1]) < 1)
      throw new ScheduleError(`${expression}: not a rate(value unit) expression`);
    return Number(rate[1]) * unit;
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (cron) return cronMaxGapMs(cron[1]);
  throw new ScheduleError(`${expression}: a sweep needs a recurring rate() or cron() expression`);
}
