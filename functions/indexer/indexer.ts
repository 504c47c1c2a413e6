import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { TrustTable } from '../../contracts/trusted-sources';
import { decodeCwlBase64, isControlMessage, type CwlLogEvent } from '../shared/cwl-payload';
import type { FlowLogFormatRegistry } from '../shared/flow-log-formats';
import { SightingBuffer, sightingsOf, type Sighting } from '../shared/last-seen';
import { documentId, normalizeEvents, SourceKind, sourceKindOf } from '../shared/normalize';
import { indexFor, indexPrefix } from '../shared/opensearch/index-model';
import type { OcsfDocument } from '../shared/ocsf/document';
import type { SearchClient } from '../shared/opensearch/client';
import { bulkIndex, BulkOptions, createMissingIndices, DocumentOutcome, IndexEntry } from './bulk';

export interface IndexerDeps {
  search: SearchClient;
  s3: S3Client;
  /** The archive bucket: rejected documents go under its `rejected/` prefix. */
  archiveBucket: string;
  formats: FlowLogFormatRegistry;
  trust: TrustTable;
  bulk?: BulkOptions;
  /** Indices this container knows exist (kept across invocations). */
  knownIndices?: Set<string>;
  /** Epoch ms after which no more `_bulk` request starts (set per invocation by the handler). */
  deadline?: () => number | undefined;
}

/** A Kinesis record as the indexer needs it. */
export interface StreamRecordInput {
  data: string;
  sequenceNumber: string;
  /** Kinesis `approximateArrivalTimestamp`, epoch ms. */
  arrivalMs: number;
}

export interface RecordOutcome {
  owner?: string;
  logGroup?: string;
  /** Bytes of the record as it arrived (gzip). */
  bytes: number;
  documents: number;
  indexed: number;
  alreadyIndexed: number;
  rejected: number;
  quarantined: number;
  invalidUtf8: number;
  indicesCreated: string[];
  bySource: Partial<Record<SourceKind, number>>;
  retries: number;
  sightings: Sighting[];
}

/** A document or record that OpenSearch will never take: kept in S3 with the reason. */
export async function keepRejected(
  deps: Pick<IndexerDeps, 's3' | 'archiveBucket'>,
  key: string,
  content: Record<string, unknown>,
): Promise<void> {
  let body: string;
  try {
    body = JSON.stringify(content);
  } catch (err) {
    // What cannot be serialized is kept as far as it can be: the reason and the raw line.
    const document = content.document as { raw_data?: unknown } | undefined;
    body = JSON.stringify({
      reason: content.reason,
      status: content.status,
      serializationError: (err as Error).message,
      raw_data: document?.raw_data,
    });
  }
  await deps.s3.send(
    new PutObjectCommand({
      Bucket: deps.archiveBucket,
      Key: `rejected/${new Date().toISOString().slice(0, 10)}/${key}.json`,
      Body: body,
      ContentType: 'application/json',
    }),
  );
}

const safeKey = (s: string) => s.replace(/[^A-Za-z0-9._:-]/g, '_');

export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
}

/**
 * How many of a payload's log events are normalized and sent at a time: a large payload (up to
 * MAX_PAYLOAD_BYTES, tens of thousands of lines) is indexed in parts, so the record holds one
 * part's documents rather than all of them (a document weighs a kilobyte or more on the heap,
 * however short its line). Each part is also cut at about 2 MB of lines, under a _bulk body.
 */
export const PART_EVENTS = 2000;
export const PART_CHARS = 2 * 1024 * 1024;

function partEnd(events: readonly CwlLogEvent[], start: number): number {
  let chars = 0;
  let end = start;
  while (end < events.length && end - start < PART_EVENTS && (end === start || chars < PART_CHARS)) {
    chars += events[end].message.length;
    end++;
  }
  return end;
}

/**
 * Indexes the documents of one stream record (one CloudWatch Logs payload), a part at a time.
 * Resolves when every document is indexed or kept under rejected/; throws RetryLaterError when
 * some could not be indexed yet, so the record is reported as a batch item failure and retried
 * (the documents already created are then 409s, counted as already indexed). The counts say what
 * OpenSearch accepted: a document still waiting for a retry is not "indexed" for any metric.
 */
export async function indexStreamRecord(
  record: StreamRecordInput,
  deps: IndexerDeps,
): Promise<RecordOutcome> {
  const outcome: RecordOutcome = {
    bytes: Buffer.byteLength(record.data, 'base64'),
    documents: 0,
    indexed: 0,
    alreadyIndexed: 0,
    rejected: 0,
    quarantined: 0,
    invalidUtf8: 0,
    indicesCreated: [],
    bySource: {},
    retries: 0,
    sightings: [],
  };
  const decoded = decodeCwlBase64(record.data);
  if (!decoded.ok) {
    await keepRejected(deps, `record-${safeKey(record.sequenceNumber)}`, {
      reason: decoded.error,
      record: record.data,
    });
    outcome.rejected = 1;
    return outcome;
  }
  const payload = decoded.payload;
  outcome.owner = payload.owner;
  outcome.logGroup = payload.logGroup;
  if (isControlMessage(payload)) return outcome;
  const events = payload.logEvents;
  outcome.documents = events.length;
  outcome.invalidUtf8 = events.filter((e) => e.invalidUtf8Base64 !== undefined).length;
  const failed: DocumentOutcome[] = [];
  const sightings = new SightingBuffer();
  for (let start = 0; start < events.length;) {
    const end = partEnd(events, start);
    const docs = normalizeEvents(payload, deps.formats, deps.trust, start, end);
    start = end;
    const entries: IndexEntry[] = docs.map((doc) => {
      const { index, quarantined } = indexFor(doc, record.arrivalMs);
      if (quarantined) outcome.quarantined++;
      return { doc, id: documentId(payload, doc), index };
    });
    outcome.indicesCreated.push(
      ...(await createMissingIndices(
        deps.search,
        entries.map((e) => e.index),
        deps.knownIndices ?? new Set(),
      )),
    );
    const result = await bulkIndex(deps.search, entries, {
      ...deps.bulk,
      deadline: deps.deadline?.() ?? deps.bulk?.deadline,
    });
    await Promise.all(
      result.rejected.map((r: DocumentOutcome) =>
        keepRejected(deps, safeKey(r.entry.id), {
          reason: r.reason,
          status: r.status,
          sequenceNumber: record.sequenceNumber,
          id: r.entry.id,
          index: r.entry.index,
          document: r.entry.doc,
        }),
      ),
    );
    for (const { doc } of result.created) {
      const kind = sourceKindOf(doc);
      outcome.bySource[kind] = (outcome.bySource[kind] ?? 0) + 1;
    }
    outcome.indexed += result.indexed;
    outcome.alreadyIndexed += result.alreadyIndexed;
    outcome.rejected += result.rejected.length;
    outcome.retries += result.retries;
    failed.push(...result.failed);
    sightings.add(sightingsOf(payload, docs, record.arrivalMs));
  }
  if (failed.length) {
    const first = failed[0];
    throw new RetryLaterError(
      `${failed.length} of ${events.length} documents not indexed yet (${first.status} ${first.reason})`,
    );
  }
  outcome.sightings = sightings.drain();
  return outcome;
}

/**
 * What `logwarden replay` sends the indexer for documents kept under rejected/ (cli/replay.ts):
 * each as it was kept, with its deterministic `_id` and its index, so a document already there is
 * a 409 and nothing is written twice.
 */
export interface ReplayDocumentsEvent {
  logwardenReplay: 'documents';
  documents: { id: string; index: string; document: OcsfDocument }[];
}

export interface ReplayDocumentsResult {
  indexed: number;
  alreadyIndexed: number;
  /** Refused again for good (still kept under rejected/, where they were). */
  rejected: { id: string; reason: string }[];
  /** Not indexed yet (throttled, blocked, unreachable): replay again later. */
  failed: { id: string; reason: string }[];
}

export function isReplayDocuments(event: unknown): event is ReplayDocumentsEvent {
  const e = event as Partial<ReplayDocumentsEvent> | null;
  return e?.logwardenReplay === 'documents' && Array.isArray(e.documents);
}

/** Indexes replayed documents with the same `create` as the stream path. */
export async function replayDocuments(
  deps: IndexerDeps,
  event: ReplayDocumentsEvent,
): Promise<ReplayDocumentsResult> {
  const entries: IndexEntry[] = event.documents
    // Only logwarden's own indices: the writer role can write no other anyway.
    .filter(
      (d) =>
        typeof d?.id === 'string' &&
        typeof d.index === 'string' &&
        d.index.startsWith(indexPrefix) &&
        d.document,
    )
    .map((d) => ({ id: d.id, index: d.index, doc: d.document }));
  await createMissingIndices(
    deps.search,
    entries.map((e) => e.index),
    deps.knownIndices ?? new Set(),
  );
  const result = await bulkIndex(deps.search, entries, { ...deps.bulk, deadline: deps.deadline?.() });
  const brief = (o: DocumentOutcome) => ({ id: o.entry.id, reason: o.reason });
  return {
    indexed: result.indexed,
    alreadyIndexed: result.alreadyIndexed,
    rejected: result.rejected.map(brief),
    failed: result.failed.map(brief),
  };
}
