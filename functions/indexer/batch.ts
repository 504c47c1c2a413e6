import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisStreamRecord } from 'aws-lambda';
import { ByteBudget } from '../shared/byte-budget';
import { base64Bytes, declaredSize, MAX_PAYLOAD_BYTES } from '../shared/cwl-payload';
import { recordSightings, SightingBuffer } from '../shared/last-seen';
import type { Observer } from '../shared/metrics';
import { indexStreamRecord, IndexerDeps } from './indexer';

export interface LastSeenDeps {
  ddb: DynamoDBClient;
  table: string;
}

/**
 * Bytes of decoded payload the records of one batch may hold at the same time: four payloads of
 * the largest size (MAX_PAYLOAD_BYTES), whose parsed events and one part of documents each stay
 * well inside the indexer's 1,024 MB (measured: test/functions/indexer/memory.test.ts).
 */
export const DECODE_BUDGET_BYTES = 4 * MAX_PAYLOAD_BYTES;

const reasonOf = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/**
 * The indexer's per-record handler for Powertools' BatchProcessor. Every record leaves one
 * structured line: `record indexed` with its owner, log group, bytes and documents (per-owner
 * volume, read by a Contributor Insights rule), or `record failed` with its sequence number and
 * reason plus the `FailedRecords` metric; the error is rethrown so the record is reported as a
 * batch item failure and retried.
 */
export function indexerRecordHandler(
  deps: IndexerDeps,
  observe: Observer,
  sightings: SightingBuffer,
  budget = new ByteBudget(DECODE_BUDGET_BYTES),
) {
  return async (record: KinesisStreamRecord): Promise<void> => {
    const { sequenceNumber, data } = record.kinesis;
    let outcome;
    try {
      // The record's payload is read only once its declared size fits the batch's budget.
      const bytes = base64Bytes(data);
      outcome = await budget.with(bytes ? declaredSize(bytes) : 0, () =>
        indexStreamRecord(
          { data, sequenceNumber, arrivalMs: Math.round(record.kinesis.approximateArrivalTimestamp * 1000) },
          deps,
        ),
      );
    } catch (err) {
      observe.log('error', 'record failed', { sequenceNumber, reason: reasonOf(err) });
      observe.count('FailedRecords', 1);
      throw err;
    }
    observe.log('info', 'record indexed', {
      owner: outcome.owner,
      logGroup: outcome.logGroup,
      bytes: outcome.bytes,
      documents: outcome.documents,
      sequenceNumber,
    });
    observe.count('IndexedDocuments', outcome.indexed);
    observe.count('AlreadyIndexed', outcome.alreadyIndexed);
    observe.count('RejectedDocuments', outcome.rejected);
    observe.count('QuarantinedDocuments', outcome.quarantined);
    observe.count('InvalidUtf8Lines', outcome.invalidUtf8);
    observe.count('BulkRetries', outcome.retries);
    if (outcome.indicesCreated.length) {
      observe.count('IndicesCreated', outcome.indicesCreated.length);
      observe.log('info', 'indices created', { indices: outcome.indicesCreated });
    }
    for (const [source, n] of Object.entries(outcome.bySource)) {
      observe.count('IndexedDocuments', n ?? 0, { source });
    }
    if (outcome.rejected) {
      observe.log('warn', 'documents kept under rejected/', { sequenceNumber, rejected: outcome.rejected });
    }
    sightings.add(outcome.sightings);
  };
}

/** Writes the batch's sightings; a failure is logged and counted, never fails the batch. */
export async function flushSightings(deps: LastSeenDeps, buffer: SightingBuffer, observe: Observer) {
  const sightings = buffer.drain();
  if (!sightings.length) return;
  const { failed } = await recordSightings(deps.ddb, deps.table, sightings);
  for (const f of failed)
    observe.log('error', 'last-seen update failed', { ...f.sighting, reason: f.reason });
  if (failed.length) observe.count('LastSeenWriteFailures', failed.length);
}
