import { FlowLogFormatRegistry, parseFormatString } from './flow-log-formats';

/**
 * The registry a function runs with: logwarden's own formats plus any flow-log groups that
 * others created, given as FLOW_LOG_FORMATS = {"<log group>": "<format string>"}.
 */
export function flowLogRegistryFromEnv(env: NodeJS.ProcessEnv = process.env): FlowLogFormatRegistry {
  const registry = new FlowLogFormatRegistry();
  const raw = env.FLOW_LOG_FORMATS;
  if (!raw) return registry;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new Error(`FLOW_LOG_FORMATS is not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('FLOW_LOG_FORMATS must be an object of log group → format string');
  }
  for (const [group, format] of Object.entries(parsed)) {
    if (typeof format !== 'string') throw new Error(`FLOW_LOG_FORMATS["${group}"] must be a format string`);
    registry.register(group, parseFormatString(group, format));
  }
  return registry;
}
