import { Logger } from '@aws-lambda-powertools/logger';
import { SFNClient } from '@aws-sdk/client-sfn';
import { stateMachineArn } from '../../contracts/names';
import { createClient } from '../shared/clients';
import { requiredEnv } from '../shared/env';
import { EventBridgeEvent, routeEvent } from './route';
import { startNamedExecution } from '../shared/start-execution';

const logger = new Logger();
const sfn = createClient(SFNClient);
const governedRegions = requiredEnv('GOVERNED_REGIONS').split(',');

/** EventBridge rule target: { trigger, event } → the workflow that heals it, by deterministic name. */
export async function handler(input: { trigger: string; event: EventBridgeEvent }) {
  const route = routeEvent(input.trigger, input.event, governedRegions);
  if (!route.start) {
    logger.info('event starts nothing', {
      trigger: input.trigger,
      eventId: input.event?.id,
      reason: route.reason,
    });
    return route;
  }
  const arn = stateMachineArn(route.workflow, requiredEnv('AWS_REGION'), requiredEnv('CONTROL_ACCOUNT'));
  const started = await startNamedExecution(sfn, arn, route.name, route.input);
  logger.info(started.duplicate ? 'duplicate event, execution exists' : 'started', {
    trigger: input.trigger,
    ...started,
  });
  return { ...route, ...started };
}
