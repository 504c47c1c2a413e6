import { matchesPattern } from '../events/match';
import { busPattern, triggers } from '../events/patterns';
import { dispatchEnv } from '../functions/dispatch/env';
import { routeEvent, type EventBridgeEvent, type RouteContext } from '../functions/dispatch/route';
import { stateMachineName, type WorkflowId } from '../contracts/names';
import {
  aslFromTemplate,
  forEachState,
  runLocally,
  type CfnTemplate,
  type LocalRun,
  type TaskHandlers,
} from './asl';
import { bindTaskHandlers, templateFunctions } from './template-functions';

export interface Started {
  workflow: WorkflowId;
  name: string;
  duplicate: boolean;
  run?: LocalRun;
}

/**
 * The control plane, locally: events are matched against the same patterns the EventBridge
 * rules use and routed by the dispatcher's own code; each workflow is the ASL `cdk synth`
 * produced, run by aws-local-stepfunctions with the real handlers. A nested StartExecution
 * runs the child workflow the same way. An execution name runs once, as in Step Functions.
 */
export class LocalControlPlane {
  private readonly definitions = new Map<WorkflowId, Record<string, unknown>>();
  private readonly handlers = new Map<WorkflowId, TaskHandlers>();
  private readonly started = new Set<string>();
  readonly runs: { workflow: WorkflowId; name: string; run: LocalRun }[] = [];
  private readonly routing: RouteContext;

  constructor(
    template: CfnTemplate,
    private readonly region: string,
    account: string,
    governedRegions: readonly string[],
  ) {
    // The dispatcher's own settings, as the stack gives them to it.
    const dispatcher = templateFunctions(template, region, account).find((f) => f.name === 'dispatch');
    if (!dispatcher) throw new Error('the template has no dispatch function');
    const settings = dispatchEnv.parse(dispatcher.environment);
    this.routing = { governedRegions, managementAccount: settings.managementAccount };
    const workflows: WorkflowId[] = ['cover-account-region', 'cover-account', 'cover-vpc', 'sweep'];
    for (const workflow of workflows) {
      const definition = aslFromTemplate(template, stateMachineName(workflow), region, account);
      this.definitions.set(workflow, definition);
      this.handlers.set(workflow, {
        ...bindTaskHandlers(template, definition, region, account),
        ...this.childWorkflows(definition),
      });
    }
  }

  /** Every trigger pattern the event matches, routed; returns what was started. */
  async dispatch(event: EventBridgeEvent & Record<string, unknown>): Promise<Started[]> {
    const out: Started[] = [];
    for (const trigger of triggers.filter((t) =>
      matchesPattern(event, busPattern(t, this.routing.managementAccount)),
    )) {
      const route = routeEvent(trigger.id, event, this.routing);
      if (route.start) out.push(await this.start(route.workflow, route.name, route.input));
    }
    return out;
  }

  async start(workflow: WorkflowId, name: string, input: unknown): Promise<Started> {
    const key = `${workflow}/${name}`;
    if (this.started.has(key)) return { workflow, name, duplicate: true };
    this.started.add(key);
    const run = await runLocally(this.definitions.get(workflow)!, input, this.handlers.get(workflow)!, {
      executionName: name,
    });
    this.runs.push({ workflow, name, run });
    return { workflow, name, duplicate: false, run };
  }

  /** Task states that start another workflow (.sync:2) run it here and answer as Step Functions does. */
  private childWorkflows(definition: Record<string, unknown>): TaskHandlers {
    const handlers: TaskHandlers = {};
    forEachState(definition, (stateName, state) => {
      if (
        state.Type !== 'Task' ||
        !String(state.Resource).startsWith('arn:aws:states:::states:startExecution')
      )
        return;
      handlers[stateName] = async (params: unknown) => {
        const p = params as { StateMachineArn: string; Name: string; Input: unknown };
        const workflow = p.StateMachineArn.split(':stateMachine:logwarden-')[1] as WorkflowId;
        const input = typeof p.Input === 'string' ? JSON.parse(p.Input) : p.Input;
        const child = await this.start(workflow, p.Name, input);
        return {
          ExecutionArn: `arn:aws:states:${this.region}:local:execution:${p.Name}`,
          Status: 'SUCCEEDED',
          Output: child.run?.output,
        };
      };
    });
    return handlers;
  }
}

/** The event Organizations sends when an account it created is ready. */
export function accountCreatedEvent(account: string, managementAccount: string) {
  return {
    version: '0',
    id: `create-${account}`,
    'detail-type': 'AWS Service Event via CloudTrail',
    source: 'aws.organizations',
    account: managementAccount,
    region: 'us-east-1',
    time: new Date().toISOString(),
    detail: {
      eventName: 'CreateAccountResult',
      serviceEventDetails: { createAccountStatus: { state: 'SUCCEEDED', accountId: account } },
    },
  };
}
