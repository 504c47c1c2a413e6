import type { EventPattern } from './patterns';

/**
 * EventBridge pattern matching for the subset logwarden's patterns use, with EventBridge's
 * semantics (EventBridge User Guide, "Creating event patterns" and "Content filtering"):
 *
 * - a pattern field holds an array of allowed values, or a nested object of further fields;
 *   every field of the pattern must match, fields the pattern does not name are ignored;
 * - an array in the event matches when any of its elements matches any allowed value;
 * - values match exactly and by type (`false` is not `"false"`);
 * - `{ "prefix": "s" }` matches a string starting with `s`;
 * - `{ "wildcard": "a*b" }` matches a whole string where each `*` stands for any characters, none
 *   included ("Content filtering", wildcard matching), and an escaped `\*` for a star itself;
 * - `{ "anything-but": [..] }` matches a present value not listed;
 * - `{ "exists": true|false }` matches on whether the field is present. It works on leaf nodes
 *   only: a field holding an object is not a leaf, so `exists: true` does not match it.
 *
 * The local runner routes events with it, and the tests prove each pattern catches the events
 * it is meant for and no others.
 */
export function matchesPattern(
  event: Record<string, unknown>,
  pattern: EventPattern | Record<string, unknown>,
): boolean {
  return Object.entries(pattern).every(([key, rule]) => matchValue(event?.[key], rule));
}

function matchValue(value: unknown, rule: unknown): boolean {
  if (Array.isArray(rule)) {
    if (Array.isArray(value)) {
      // An empty array in the event is no value at all: only `exists: false` matches it.
      if (!value.length) return rule.some((r) => isExists(r) && r.exists === false);
      return rule.some((r) => value.some((v) => matchLeaf(v, r)));
    }
    return rule.some((r) => matchLeaf(value, r));
  }
  if (rule && typeof rule === 'object') {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
    return matchesPattern(value as Record<string, unknown>, rule as Record<string, unknown>);
  }
  throw new Error(`an event pattern field must be an array or an object, got ${JSON.stringify(rule)}`);
}

function isExists(rule: unknown): rule is { exists: boolean } {
  return !!rule && typeof rule === 'object' && 'exists' in rule;
}

function matchLeaf(value: unknown, rule: unknown): boolean {
  if (rule && typeof rule === 'object') {
    const r = rule as { prefix?: string; wildcard?: string; 'anything-but'?: unknown[]; exists?: boolean };
    const keys = Object.keys(r);
    if (keys.length !== 1)
      throw new Error(`unsupported content filter ${JSON.stringify(rule)} (one operator per filter)`);
    if (r.prefix !== undefined) return typeof value === 'string' && value.startsWith(r.prefix);
    if (r.wildcard !== undefined) return typeof value === 'string' && wildcardRegExp(r.wildcard).test(value);
    if (r['anything-but'] !== undefined)
      return value !== undefined && (typeof value !== 'object' || value === null)
        ? !r['anything-but'].includes(value)
        : false;
    if (r.exists !== undefined) {
      const isLeaf = value === null || typeof value !== 'object';
      return r.exists ? value !== undefined && isLeaf : value === undefined;
    }
    throw new Error(`unsupported content filter ${JSON.stringify(rule)}`);
  }
  return value === rule;
}

/** A wildcard filter as a whole-string expression: `*` any characters, `\*` and `\\` themselves. */
function wildcardRegExp(wildcard: string): RegExp {
  let source = '';
  for (let i = 0; i < wildcard.length; i++) {
    const c = wildcard[i];
    if (c === '\\' && (wildcard[i + 1] === '*' || wildcard[i + 1] === '\\')) source += `\\${wildcard[++i]}`;
    else if (c === '*') source += '.*';
    else source += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}
