import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { decodeCwlBase64, isControlMessage } from '../shared/cwl-payload';
import type { FlowLogFormatRegistry } from '../shared/flow-log-formats';
import { normalizePayload, SourceKind, sourceKindOf } from '../shared/normalize';
import type { SearchClient } from '../shared/opensearch/client';
import { bulkIndex, BulkOptions, DocumentOutcome } from './bulk';

export interface IndexerDeps {
  search: SearchClient;
  s3: S3Client;
  /** The archive bucket: rejected documents go under its `rejected/` prefix. */
  archiveBucket: string;
  formats: FlowLogFormatRegistry;
  bulk?: BulkOptions;
}

export interface RecordOutcome {
  indexed: number;
  rejected: number;
  bySource: Partial<Record<SourceKind, number>>;
  retries: number;
}

/** A document or record that OpenSearch will never take: kept in S3 with the reason. */
export async function keepRejected(
  deps: Pick<IndexerDeps, 's3' | 'archiveBucket'>,
  key: string,
  content: Record<string, unknown>,
): Promise<void> {
  await deps.s3.send(
    new PutObjectCommand({
      Bucket: deps.archiveBucket,
      Key: `rejected/${new Date().toISOString().slice(0, 10)}/${key}.json`,
      Body: JSON.stringify(content),
      ContentType: 'application/json',
    }),
  );
}

const safeKey = (s: string) => s.replace(/[^A-Za-z0-9._:-]/g, '_');

export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
}

/**
 * Indexes the documents of one stream record (one CloudWatch Logs payload). Resolves when
 * every document is indexed or kept under rejected/; throws RetryLaterError when some could
 * not be indexed yet, so the record is reported as a batch item failure and retried.
 */
export async function indexStreamRecord(
  data: string,
  recordKey: string,
  deps: IndexerDeps,
): Promise<RecordOutcome> {
  const outcome: RecordOutcome = { indexed: 0, rejected: 0, bySource: {}, retries: 0 };
  const decoded = decodeCwlBase64(data);
  if (!decoded.ok) {
    await keepRejected(deps, `record-${safeKey(recordKey)}`, { reason: decoded.error, record: data });
    outcome.rejected = 1;
    return outcome;
  }
  if (isControlMessage(decoded.payload)) return outcome;
  const docs = normalizePayload(decoded.payload, deps.formats);
  const result = await bulkIndex(deps.search, docs, deps.bulk);
  await Promise.all(
    result.rejected.map((r: DocumentOutcome) =>
      keepRejected(deps, safeKey(r.doc.metadata.uid), {
        reason: r.reason,
        status: r.status,
        document: r.doc,
      }),
    ),
  );
  for (const doc of docs) {
    const kind = sourceKindOf(doc);
    outcome.bySource[kind] = (outcome.bySource[kind] ?? 0) + 1;
  }
  outcome.indexed = result.indexed;
  outcome.rejected = result.rejected.length;
  outcome.retries = result.retries;
  if (result.failed.length) {
    const first = result.failed[0];
    throw new RetryLaterError(
      `${result.failed.length} of ${docs.length} documents not indexed yet (${first.status} ${first.reason})`,
    );
  }
  return outcome;
}
