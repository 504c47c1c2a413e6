import { routeEvent, type EventBridgeEvent, type Route } from '../functions/dispatch/route';
import { stateMachineName, type WorkflowId } from '../contracts/names';
import {
  aslFromTemplate,
  forEachState,
  runLocally,
  type CfnTemplate,
  type LocalRun,
  type TaskHandlers,
} from './asl';
import { bindTaskHandlers } from './template-functions';

export interface Started {
  workflow: WorkflowId;
  name: string;
  duplicate: boolean;
  run?: LocalRun;
}

/**
 * The control plane, locally: the control-bus rules hand events to the dispatcher's own routing
 * code; each workflow is the ASL `cdk synth` produced, run by aws-local-stepfunctions with the
 * real handlers. A nested StartExecution
 * runs the child workflow the same way. An execution name runs once, as in Step Functions.
 */
export class LocalControlPlane {
  private readonly definitions = new Map<WorkflowId, Record<string, unknown>>();
  private readonly handlers = new Map<WorkflowId, TaskHandlers>();
  private readonly started = new Set<string>();
  readonly runs: { workflow: WorkflowId; name: string; run: LocalRun }[] = [];
  /** What the dispatcher decided for each event it received. */
  readonly routes: { trigger: string; eventId: string; route: Route }[] = [];

  constructor(
    template: CfnTemplate,
    private readonly region: string,
    account: string,
    private readonly governedRegions: readonly string[],
  ) {
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

  /**
   * The dispatcher's work, as its rule target hands it `{ trigger, event }`: the dispatcher's
   * own routing code picks the workflow, its input and its name. Only the EventBridge rules the
   * stacks deploy call this (see local/event-bus.ts).
   */
  async receive(input: { trigger: string; event: EventBridgeEvent }): Promise<Started | undefined> {
    const route = routeEvent(input.trigger, input.event, this.governedRegions);
    this.routes.push({ trigger: input.trigger, eventId: input.event.id, route });
    if (!route.start) return undefined;
    return this.start(route.workflow, route.name, route.input);
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
