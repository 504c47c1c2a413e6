/**
 * The window of event times logwarden believes, around the moment a record reached the central
 * stream (Kinesis `approximateArrivalTimestamp`, set by the service and the same on every replay).
 * CloudWatch Logs itself refuses log events more than 14 days old or 2 hours ahead
 * (PutLogEvents), so genuine events fall inside; a writer's claimed time outside it can neither
 * open an index nor an archive partition of its choosing.
 */
export const INGESTION_WINDOW = { pastMs: 14 * 24 * 3600 * 1000, futureMs: 3600 * 1000 } as const;

export function withinIngestionWindow(eventMs: number, arrivalMs: number): boolean {
  return (
    Number.isFinite(eventMs) &&
    eventMs >= arrivalMs - INGESTION_WINDOW.pastMs &&
    eventMs <= arrivalMs + INGESTION_WINDOW.futureMs
  );
}

/** `YYYY-MM-DD` (UTC) of an epoch-ms time. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The day an event is filed under: its own, when believable; otherwise the day it arrived. */
export function filingDay(eventMs: number, arrivalMs: number): { day: string; clamped: boolean } {
  return withinIngestionWindow(eventMs, arrivalMs)
    ? { day: utcDay(eventMs), clamped: false }
    : { day: utcDay(arrivalMs), clamped: true };
}
