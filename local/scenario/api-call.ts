/**
 * A person's API call in an account, made on the stand-in and recorded the way CloudTrail
 * records it: the record (with `errorCode` when AWS refused the call) is emitted as an event in
 * the account and region of the call, where only the deployed rules decide what it starts.
 */
import { apiCallEvent, cloudTrailRecord, type ApiCall, type AwsEvent } from '../aws-events';
import type { Started } from '../control-plane';
import type { Organization } from './organization';

export interface RecordedCall<T> {
  result?: T;
  error?: { code: string; message: string };
  event: AwsEvent;
  /** The executions the event started (none when no deployed rule caught it). */
  started: Started[];
}

export async function recordedCall<T>(
  org: Organization,
  call: Omit<ApiCall, 'responseElements' | 'error'>,
  send: () => Promise<T>,
  responseElements: (result: T) => Record<string, unknown> | null = () => null,
  /** When CloudTrail says the call was made (default: now). */
  at?: Date,
): Promise<RecordedCall<T>> {
  let result: T | undefined;
  let error: RecordedCall<T>['error'];
  try {
    result = await send();
  } catch (err) {
    const e = err as { name?: string; Code?: string; message?: string };
    error = { code: e.Code ?? e.name ?? 'Error', message: e.message ?? String(err) };
  }
  const event = apiCallEvent(
    cloudTrailRecord(
      {
        ...call,
        error,
        responseElements: result === undefined ? null : responseElements(result),
      },
      at,
    ),
  );
  const started = await org.emit(event);
  return { result, error, event, started };
}
