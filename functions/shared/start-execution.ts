import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';

/** Step Functions execution names: 80 characters of [A-Za-z0-9-_]. */
export function executionName(...parts: string[]): string {
  return parts
    .join('-')
    .replace(/[^A-Za-z0-9_-]/g, '_')
    .slice(0, 80);
}

export interface Started {
  executionArn: string;
  duplicate: boolean;
}

/** Starts an execution by name; the same name again is reported as a duplicate, not an error. */
export async function startNamedExecution(
  sfn: SFNClient,
  stateMachineArn: string,
  name: string,
  input: unknown,
): Promise<Started> {
  try {
    const res = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
    );
    return { executionArn: res.executionArn as string, duplicate: false };
  } catch (err) {
    if ((err as Error).name !== 'ExecutionAlreadyExists') throw err;
    return {
      executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`,
      duplicate: true,
    };
  }
}
