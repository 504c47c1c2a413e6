import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { createHash } from 'node:crypto';

/** Step Functions execution names: 80 characters of [A-Za-z0-9-_]. */
export function executionName(...parts: string[]): string {
  return parts
    .join('-')
    .replace(/[^A-Za-z0-9_-]/g, '_')
    .slice(0, 80);
}

/** A short, stable name part for an event id (any length, any characters). */
export function eventNamePart(eventId: string): string {
  return createHash('sha256').update(eventId).digest('hex').slice(0, 16);
}

export interface Started {
  executionArn: string;
  /** No execution was started: one by this name is running, or this very request already ran. */
  duplicate: boolean;
}

const isAlreadyExists = (err: unknown) => (err as Error)?.name === 'ExecutionAlreadyExists';

/**
 * Starts an execution by name. A name that exists means a duplicate only while that execution
 * runs: "If the execution is closed or if the input is different, it returns a 400
 * ExecutionAlreadyExists error" (Step Functions API Reference, StartExecution), so the error
 * alone does not say that anything is still healing. When the named execution has closed and a
 * `rerunName` is given (one per event), the event starts its own execution under that name; a
 * re-delivery of the same event meets that name and starts nothing.
 */
export async function startNamedExecution(
  sfn: SFNClient,
  stateMachineArn: string,
  name: string,
  input: unknown,
  rerunName?: string,
): Promise<Started> {
  const arnOf = (n: string) => `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${n}`;
  const start = async (n: string) =>
    (await sfn.send(new StartExecutionCommand({ stateMachineArn, name: n, input: JSON.stringify(input) })))
      .executionArn as string;
  try {
    return { executionArn: await start(name), duplicate: false };
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  if (!rerunName || rerunName === name) return { executionArn: arnOf(name), duplicate: true };
  const ran = await sfn.send(new DescribeExecutionCommand({ executionArn: arnOf(name) }));
  const status = ran.status;
  // The window's execution was this very request (a re-delivered event): nothing more to start.
  if (ran.input === JSON.stringify(input)) return { executionArn: arnOf(name), duplicate: true };
  // PENDING_REDRIVE: a redrive of it is about to run.
  if (status === 'RUNNING' || status === 'PENDING_REDRIVE')
    return { executionArn: arnOf(name), duplicate: true };
  try {
    return { executionArn: await start(rerunName), duplicate: false };
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    return { executionArn: arnOf(rerunName), duplicate: true };
  }
}
