import { Logger } from '@aws-lambda-powertools/logger';
import type { ControlResult, ControlTarget } from '../../contracts/coverage';

const logger = new Logger();

export interface ControlEvent extends ControlTarget {
  vpcIds?: string[];
}

/** Checks the event every control receives from its workflow; a bad one is a bug upstream. */
export function parseControlEvent(event: unknown): ControlEvent {
  const e = event as Partial<ControlEvent>;
  if (!e || !/^\d{12}$/.test(String(e.account)) || typeof e.region !== 'string' || !e.region) {
    throw new Error(`a control needs {account, region}; got ${JSON.stringify(event).slice(0, 200)}`);
  }
  return {
    account: e.account as string,
    region: e.region,
    vpcIds: Array.isArray(e.vpcIds) ? e.vpcIds : undefined,
  };
}

/** Logs what a control found and did, so every change is explained in its log too. */
export function reportControl(result: ControlResult): ControlResult {
  logger.info(`${result.control} ${result.status}`, { ...result });
  return result;
}
