/**
 * A person's API call in an account, made on the stand-in, which records it the way CloudTrail
 * records it (local/standins/events.py: the signing principal, the request's parameters, the
 * response, `errorCode` when AWS refused the call); that record, in its EventBridge envelope, is
 * put on the default bus of the account and region of the call, where only the deployed rules
 * decide what it starts. The run writes nothing of the record itself.
 */
import type { ApiCall, AwsEvent } from '../aws-events';
import { emittedEvents } from '../standins/prerequisites';
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
  /** The call as CloudTrail will name it: who, where, which service and operation. */
  call: Pick<ApiCall, 'caller' | 'region' | 'service' | 'eventName'>,
  send: () => Promise<T>,
  /**
   * When the event says the call was made (default: as the stand-in recorded it). Tests of
   * coalescing windows give two calls the same instant; nothing else of the record changes.
   */
  at?: Date,
): Promise<RecordedCall<T>> {
  const { next } = await emittedEvents(org.endpoint);
  let result: T | undefined;
  let error: RecordedCall<T>['error'];
  try {
    result = await send();
  } catch (err) {
    const e = err as { name?: string; Code?: string; message?: string };
    error = { code: e.Code ?? e.name ?? 'Error', message: e.message ?? String(err) };
  }
  const recorded = (await emittedEvents(org.endpoint, next)).events.find(
    (e) =>
      e['detail-type'] === 'AWS API Call via CloudTrail' &&
      e.detail.eventSource === `${call.service}.amazonaws.com` &&
      e.detail.eventName === call.eventName &&
      e.account === call.caller.account,
  );
  if (!recorded)
    throw new Error(
      `the stand-in recorded no ${call.service}:${call.eventName} of ${call.caller.account} (${error?.code ?? 'accepted'})`,
    );
  const event = at
    ? { ...recorded, time: isoSeconds(at), detail: { ...recorded.detail, eventTime: isoSeconds(at) } }
    : recorded;
  const started = await org.emit(event);
  return { result, error, event, started };
}

const isoSeconds = (d: Date) => d.toISOString().replace(/\.\d+Z$/, 'Z');
