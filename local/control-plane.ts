import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { stateMachineName, type WorkflowId } from '../contracts/names';
import {
  aslFromTemplate,
  forEachState,
  resolveValue,
  runLocally,
  type CfnTemplate,
  type LocalRun,
  type TaskHandlers,
} from './asl';
import { bindTaskHandlers, type RoleCredentials } from './template-functions';

export interface Started {
  workflow: WorkflowId;
  name: string;
  duplicate: boolean;
  run?: LocalRun;
}

/**
 * The control plane, locally: each workflow is the ASL `cdk synth` produced, run by
 * aws-local-stepfunctions with the real handlers. Executions are started where AWS starts them
 * (the real dispatcher and alerter call StartExecution on the stand-in's Step Functions) and
 * run here (`runRecorded`); a nested StartExecution runs the child workflow the same way. An
 * execution name runs once, as in Step Functions.
 */
export class LocalControlPlane {
  private readonly definitions = new Map<WorkflowId, Record<string, unknown>>();
  private readonly handlers = new Map<WorkflowId, TaskHandlers>();
  /** Each state machine's role (its `RoleArn` in the template). */
  private readonly roles = new Map<WorkflowId, string>();
  private readonly started = new Set<string>();
  readonly runs: { workflow: WorkflowId; name: string; run: LocalRun }[] = [];

  constructor(
    template: CfnTemplate,
    private readonly region: string,
    account: string,
    /** Each function's execution-role credentials, as Lambda gives them (see bindTaskHandlers). */
    credentials: RoleCredentials,
  ) {
    const workflows: WorkflowId[] = ['cover-account-region', 'cover-account', 'cover-vpc', 'sweep'];
    for (const workflow of workflows) {
      const definition = aslFromTemplate(template, stateMachineName(workflow), region, account);
      this.definitions.set(workflow, definition);
      const [, machine] = Object.entries(template.Resources).find(
        ([, r]) =>
          r.Type === 'AWS::StepFunctions::StateMachine' &&
          r.Properties?.StateMachineName === stateMachineName(workflow),
      )!;
      this.roles.set(workflow, resolveValue(template, machine.Properties?.RoleArn, region, account));
      this.handlers.set(workflow, {
        ...bindTaskHandlers(template, definition, region, account, credentials),
        ...this.childWorkflows(definition),
      });
    }
  }

  /**
   * The state machines as the stack creates them, on the stand-in's Step Functions, so the
   * dispatcher's and the alerter's StartExecution calls meet what AWS would have: an existing
   * state machine, the idempotency of a name, ExecutionAlreadyExists.
   */
  async createStateMachines(sfn: SFNClient): Promise<void> {
    for (const [workflow, definition] of this.definitions)
      await sfn.send(
        new CreateStateMachineCommand({
          name: stateMachineName(workflow),
          definition: JSON.stringify(definition),
          roleArn: this.roles.get(workflow),
        }),
      );
  }

  /**
   * Runs every execution recorded on the stand-in's Step Functions (StartExecution by the
   * dispatcher or the alerter) that has not run here yet, under its name and with its input.
   */
  async runRecorded(sfn: SFNClient, account: string): Promise<Started[]> {
    const out: Started[] = [];
    for (const workflow of this.definitions.keys()) {
      const stateMachineArn = `arn:aws:states:${this.region}:${account}:stateMachine:${stateMachineName(workflow)}`;
      const executions = (await sfn.send(new ListExecutionsCommand({ stateMachineArn }))).executions ?? [];
      for (const e of executions.reverse()) {
        if (this.started.has(`${workflow}/${e.name}`)) continue;
        const { input } = await sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
        out.push(await this.start(workflow, e.name!, JSON.parse(input ?? '{}')));
      }
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
