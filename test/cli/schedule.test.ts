import { scheduleIntervalMs, ScheduleError } from '../../contracts/schedule';

const H = 3_600_000;

describe('scheduleIntervalMs: the longest time between two sweeps', () => {
  it.each([
    ['rate(1 day)', 24 * H],
    ['rate(12 hours)', 12 * H],
    ['rate(30 minutes)', 0.5 * H],
    ['rate(1 hour)', H],
    ['cron(0 3 * * ? *)', 24 * H],
    ['cron(0 3 ? * SUN *)', 7 * 24 * H],
    ['cron(0 3 ? * MON-FRI *)', 3 * 24 * H], // Friday to Monday
    ['cron(0 0,12 * * ? *)', 12 * H],
    ['cron(0/15 * * * ? *)', 0.25 * H],
    ['cron(0 2 1 * ? *)', 31 * 24 * H],
    // the last Wednesday of December 2026 to the first of July 2027
    ['cron(0 6 ? JUL,DEC WED *)', Date.UTC(2027, 6, 7) - Date.UTC(2026, 11, 30)],
  ])('%s', (expression, expected) => {
    expect(scheduleIntervalMs(expression)).toBe(expected);
  });

  it.each([
    'at(2026-12-01T00:00:00)',
    'rate(0 days)',
    'rate(1 week)',
    'cron(0 3 * * ?)',
    'cron(0 3 L * ? *)',
    'cron(0 3 ? * 6#3 *)',
    'cron(0 25 * * ? *)',
    'cron(0 3 1 1 ? 2020)',
  ])('%s is refused with a reason', (expression) => {
    expect(() => scheduleIntervalMs(expression)).toThrow(ScheduleError);
  });
});
