import { z } from 'zod';
import { FlowLogFormatRegistry, parseFormatString } from './flow-log-formats';

/**
 * The registry a function runs with: logwarden's own formats plus any flow-log groups that
 * others created, given as the `flowLogFormats` setting: {"<log group>": "<format string>"}.
 */
export function flowLogRegistryFrom(raw: string | undefined): FlowLogFormatRegistry {
  const registry = new FlowLogFormatRegistry();
  if (!raw) return registry;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new Error(`is not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('must be an object of log group → format string');
  }
  for (const [group, format] of Object.entries(parsed)) {
    if (typeof format !== 'string') throw new Error(`["${group}"] must be a format string`);
    registry.register(group, parseFormatString(group, format));
  }
  return registry;
}

/** The environment field for flow-log groups others created (optional: logwarden's own formats always apply). */
export const envFlowLogFormats = () =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      try {
        return flowLogRegistryFrom(raw);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    });
