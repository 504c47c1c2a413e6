import type { EventPattern } from './patterns';

/**
 * EventBridge pattern matching for the subset logwarden's patterns use: arrays of allowed
 * values, nested objects, `prefix` and `anything-but`. The local runner routes events with it,
 * and the tests prove each pattern catches the events it is meant for.
 */
export function matchesPattern(
  event: Record<string, unknown>,
  pattern: EventPattern | Record<string, unknown>,
): boolean {
  return Object.entries(pattern).every(([key, rule]) => matchValue(event?.[key], rule));
}

function matchValue(value: unknown, rule: unknown): boolean {
  if (Array.isArray(rule)) {
    const values = Array.isArray(value) ? value : [value];
    return rule.some((r) => values.some((v) => matchLeaf(v, r)));
  }
  if (rule && typeof rule === 'object') {
    if (!value || typeof value !== 'object') return false;
    return matchesPattern(value as Record<string, unknown>, rule as Record<string, unknown>);
  }
  return false;
}

function matchLeaf(value: unknown, rule: unknown): boolean {
  if (rule && typeof rule === 'object') {
    const r = rule as { prefix?: string; 'anything-but'?: unknown[] };
    if (r.prefix !== undefined) return typeof value === 'string' && value.startsWith(r.prefix);
    if (r['anything-but'] !== undefined) return value !== undefined && !r['anything-but'].includes(value);
    return false;
  }
  return value === rule;
}
