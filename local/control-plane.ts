import { matchesPattern } from '../events/match';
import { triggers } from '../events/patterns';
import { routeEvent, type EventBridgeEvent } from '../functions/dispatch/route';
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

  /** Every trigger pattern the event matches, routed; returns what was started. */
  async dispatch(event: EventBridgeEvent & Record<string, unknown>): Promise<Started[]> {
    const out: Started[] = [];
    for (const trigger of triggers.filter((t) => matchesPattern(event, t.pattern))) {
      const route = routeEvent(trigger.id, event, this.governedRegions);
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
    detail: {
      eventName: 'CreateAccountResult',
      serviceEventDetails: { createAccountStatus: { state: 'SUCCEEDED', accountId: account } },
    },
  };
}
