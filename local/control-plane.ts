import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
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
import { bindTaskHandlers, type Credentials, type RoleCredentials } from './template-functions';

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
 * execution name runs once, as in Step Functions, and an execution recorded on the stand-in is
 * closed there when its run here ends (SUCCEEDED or FAILED), so a later StartExecution of the
 * same name meets a closed execution, as it would in AWS.
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
    private readonly account: string,
    /** Each function's execution-role credentials, as Lambda gives them (see bindTaskHandlers). */
    credentials: RoleCredentials,
    /**
     * A state machine's role credentials, as Step Functions obtains them to run it
     * (states.amazonaws.com, with the state machine's ARN as aws:SourceArn): a nested
     * StartExecution is made with them, so the parent's role must allow it.
     */
    private readonly stateMachineCredentials?: (
      roleArn: string,
      stateMachineArn: string,
    ) => Promise<Credentials>,
    /** The stand-in whose Step Functions records the executions (closed there when they end). */
    private readonly standinEndpoint?: string,
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
        ...this.childWorkflows(workflow, definition),
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
        out.push(await this.start(workflow, e.name!, JSON.parse(input ?? '{}'), e.executionArn));
      }
    }
    return out;
  }

  /**
   * Runs an execution here. `recordedAs` is its ARN on the stand-in's Step Functions, when it was
   * started there: it is closed there with the run's end.
   */
  async start(workflow: WorkflowId, name: string, input: unknown, recordedAs?: string): Promise<Started> {
    const key = `${workflow}/${name}`;
    if (this.started.has(key)) return { workflow, name, duplicate: true };
    this.started.add(key);
    let run: LocalRun;
    try {
      run = await runLocally(this.definitions.get(workflow)!, input, this.handlers.get(workflow)!, {
        executionName: name,
      });
    } catch (err) {
      if (recordedAs) await this.closeRecorded(recordedAs, 'FAILED');
      throw err;
    }
    if (recordedAs) await this.closeRecorded(recordedAs, 'SUCCEEDED', run.output);
    this.runs.push({ workflow, name, run });
    return { workflow, name, duplicate: false, run };
  }

  /** Tells the stand-in's Step Functions that an execution it recorded has ended. */
  private async closeRecorded(executionArn: string, status: 'SUCCEEDED' | 'FAILED', output?: unknown) {
    if (!this.standinEndpoint) return;
    const res = await fetch(`${this.standinEndpoint}/logwarden-standins/execution-ended`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ executionArn, status, output }),
    });
    if (!res.ok)
      throw new Error(`logwarden-standins/execution-ended answered ${res.status}: ${await res.text()}`);
  }

  /** An SFN client signing as the state machine of `workflow` (its role), if the host gives them. */
  private async asStateMachine(workflow: WorkflowId): Promise<SFNClient | undefined> {
    if (!this.stateMachineCredentials) return undefined;
    const arn = `arn:aws:states:${this.region}:${this.account}:stateMachine:${stateMachineName(workflow)}`;
    const credentials = await this.stateMachineCredentials(this.roles.get(workflow)!, arn);
    return new SFNClient({ region: this.region, credentials });
  }

  /** Task states that start another workflow (.sync:2) run it here and answer as Step Functions does. */
  private childWorkflows(parent: WorkflowId, definition: Record<string, unknown>): TaskHandlers {
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
        // Step Functions starts the child with the parent's role, then follows it (.sync:2:
        // DescribeExecution), both on the stand-in, where the role's policy is evaluated.
        const sfn = await this.asStateMachine(parent);
        const executionArn = sfn
          ? (
              await sfn.send(
                new StartExecutionCommand({
                  stateMachineArn: p.StateMachineArn,
                  name: p.Name,
                  input: JSON.stringify(input),
                }),
              )
            ).executionArn!
          : `arn:aws:states:${this.region}:local:execution:${p.Name}`;
        const child = await this.start(workflow, p.Name, input, sfn ? executionArn : undefined);
        if (sfn) await sfn.send(new DescribeExecutionCommand({ executionArn }));
        return { ExecutionArn: executionArn, Status: 'SUCCEEDED', Output: child.run?.output };
      };
    });
    return handlers;
  }
}
