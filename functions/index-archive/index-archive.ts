import type { TrustTable } from '../../contracts/trusted-sources';
import type { CwlLogEvent } from '../shared/cwl-payload';
import type { FlowLogFormatRegistry } from '../shared/flow-log-formats';
import { documentId, labels, normalizeLogEvent } from '../shared/normalize';
import { indexFor } from '../shared/opensearch/index-model';
import { bulkIndex, createMissingIndices, type IndexEntry } from '../indexer/bulk';
import { keepRejected, type IndexerDeps } from '../indexer/indexer';
import { directFlowPayload } from '../transform/flow-log-text';
import { parquetRows, readArchiveObject } from '../shared/lake-parquet';

/** The stream indexer's dependencies: the same OpenSearch, archive and normalizer settings. */
export type IndexArchiveDeps = IndexerDeps;

/**
 * The object an S3 "Object Created" event names: "detail": { "bucket": { "name" }, "object": {
 * "key" } } (Amazon S3 User Guide, "EventBridge event message structure"). Anything else is
 * refused with the field that is missing.
 */
export function createdObjectOf(body: string): { bucket: string; key: string } {
  let event: {
    'detail-type'?: unknown;
    detail?: { bucket?: { name?: unknown }; object?: { key?: unknown } };
  };
  try {
    event = JSON.parse(body) as typeof event;
  } catch (err) {
    throw new Error(`message body is not JSON: ${(err as Error).message}`);
  }
  if (event['detail-type'] !== 'Object Created')
    throw new Error(`detail-type is ${String(event['detail-type'])}, not "Object Created"`);
  const bucket = event.detail?.bucket?.name;
  const key = event.detail?.object?.key;
  if (typeof bucket !== 'string' || !bucket) throw new Error('detail.bucket.name is missing');
  if (typeof key !== 'string' || !key) throw new Error('detail.object.key is missing');
  return { bucket, key };
}

interface ArchiveRow {
  raw_data?: string;
  cloud?: string;
  metadata?: string;
}

/**
 * A row of the direct path's archive as the log event it came from: its id and arrival are the
 * document's `metadata.uid` and `metadata.logged_time` (functions/shared/ocsf/document.ts), its
 * text `raw_data`, or, for a line that was not valid UTF-8, `raw_data`'s bytes.
 */
function eventOf(row: ArchiveRow): { event: CwlLogEvent; owner: string; region: string } {
  const cloud = JSON.parse(row.cloud ?? 'null') as { region?: string; account?: { uid?: string } } | null;
  const metadata = JSON.parse(row.metadata ?? 'null') as {
    uid?: string;
    logged_time?: number;
    labels?: string[];
  } | null;
  const raw = row.raw_data;
  if (typeof raw !== 'string') throw new Error('row has no raw_data');
  if (!metadata?.uid || typeof metadata.logged_time !== 'number')
    throw new Error('row has no metadata.uid or metadata.logged_time');
  if (!cloud?.region || !cloud.account?.uid) throw new Error('row has no cloud.region or cloud.account.uid');
  const invalid = metadata.labels?.includes(labels.invalidUtf8);
  const event: CwlLogEvent = invalid
    ? {
        id: metadata.uid,
        timestamp: metadata.logged_time,
        message: Buffer.from(raw, 'base64').toString('utf8'),
        invalidUtf8Base64: raw,
      }
    : { id: metadata.uid, timestamp: metadata.logged_time, message: raw };
  return { event, owner: cloud.account.uid, region: cloud.region };
}

/**
 * Each row's document, rebuilt with the normalizer the transform used, from the row's line, its
 * account and Region: the document the stream path would index, under the id `documentId`
 * gives it (owner, group and event id), so a second delivery of the same object writes nothing
 * new (a `create` of an existing id is a 409).
 */
export function entriesOf(
  rows: ArchiveRow[],
  formats: FlowLogFormatRegistry,
  trust: TrustTable,
): IndexEntry[] {
  return rows.map((row) => {
    const { event, owner, region } = eventOf(row);
    const payload = directFlowPayload(owner, region, [event]);
    const doc = normalizeLogEvent(payload, event, formats, trust);
    return { id: documentId(payload, doc), index: indexFor(doc, event.timestamp).index, doc };
  });
}

export interface ObjectOutcome {
  documents: number;
  indexed: number;
  alreadyIndexed: number;
  rejected: number;
}

/** Reads one archive object and indexes its documents; throws when some must be tried again. */
export async function indexArchiveObject(
  deps: IndexArchiveDeps,
  object: { bucket: string; key: string },
): Promise<ObjectOutcome> {
  const bytes = await readArchiveObject(deps.s3, object);
  const rows = await parquetRows<ArchiveRow>(bytes, ['raw_data', 'cloud', 'metadata']);
  const entries = entriesOf(rows, deps.formats, deps.trust);
  await createMissingIndices(
    deps.search,
    entries.map((e) => e.index),
    deps.knownIndices ?? new Set(),
  );
  const result = await bulkIndex(deps.search, entries, { ...deps.bulk, deadline: deps.deadline?.() });
  for (const r of result.rejected)
    await keepRejected(deps, `index-archive/${r.entry.index}/${r.entry.id}`, {
      reason: r.reason,
      status: r.status,
      index: r.entry.index,
      id: r.entry.id,
      source: `s3://${object.bucket}/${object.key}`,
      document: r.entry.doc,
    });
  if (result.failed.length)
    throw new Error(
      `${result.failed.length} of ${entries.length} documents of ${object.key} not indexed yet: ${result.failed[0].reason}`,
    );
  return {
    documents: entries.length,
    indexed: result.indexed,
    alreadyIndexed: result.alreadyIndexed,
    rejected: result.rejected.length,
  };
}
