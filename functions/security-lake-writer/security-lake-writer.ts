import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  securityLakeClassOf,
  securityLakeObjectKey,
  securityLakeObjects,
} from '../../contracts/security-lake';
import { keepRejected } from '../indexer/indexer';
import { isParquet, parquetToDocuments, parseDocuments, readArchiveObject } from '../shared/lake-parquet';
import { securityLakeParquet } from '../shared/security-lake-parquet';

type Document = Record<string, unknown> & { class_uid: number; time: number };

export interface SecurityLakeWriterDeps {
  /** Reads the archive and keeps what cannot be filed under its `rejected/` prefix. */
  s3: S3Client;
  archiveBucket: string;
  dataLakeBucket: string;
  /** The Region of Security Lake's bucket, every object's `region=` (contracts securityLakePartitionOf). */
  lakeRegion: string;
  /**
   * The S3 client of one custom source: acting as the provider role Security Lake created for
   * it, assumed with the external id. "Security Lake creates an IAM role that permits the custom
   * source to write to the specified location in your S3 bucket" (Security Lake User Guide).
   */
  lakeS3For: (sourceName: string) => S3Client;
}

export interface WriteOutcome {
  documents: number;
  /** Security Lake objects written (or written again, on a redelivery). */
  objects: number;
  /** Documents written, by custom source. */
  written: Record<string, number>;
  /** Documents of classes Security Lake does not take from logwarden: they stay in the archive only. */
  notSent: number;
  /** Documents of a class it takes that have no partition (no AWS account id or time): kept under rejected/. */
  rejected: number;
}

/** The archive object's documents: Parquet (what Firehose's conversion writes) or newline-delimited JSON, gzip or not. */
export async function archiveDocuments(bytes: Uint8Array): Promise<Document[]> {
  if (isParquet(bytes)) return (await parquetToDocuments(bytes)) as Document[];
  const gzip = bytes.byteLength > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  const text = Buffer.from(gzip ? gunzipSync(bytes) : bytes).toString('utf8');
  return parseDocuments(text) as Document[];
}

/** The digest an archive object's Security Lake objects are named by (contracts securityLakeObjectKey). */
export function archiveDigest(object: { bucket: string; key: string }): string {
  return createHash('sha256').update(`${object.bucket}/${object.key}`).digest('hex').slice(0, 32);
}

/**
 * One archive object into Security Lake: its documents grouped by custom source, account and
 * event day (contracts/security-lake.ts), each group written as one Parquet object, in time
 * order, under the source's partition, by the source's provider role. Keys are deterministic,
 * so a retried message overwrites what an earlier attempt wrote. Documents of a class Security
 * Lake takes but with no partition are kept in the archive's rejected/ prefix and counted (the
 * stack alarms on them); a failed write throws, so the message comes back and, after its
 * receives, waits in the dead-letter queue.
 */
export async function writeArchiveObject(
  deps: SecurityLakeWriterDeps,
  object: { bucket: string; key: string },
): Promise<WriteOutcome> {
  const docs = await archiveDocuments(await readArchiveObject(deps.s3, object));

  const notSent = docs.filter((d) => !securityLakeClassOf(d.class_uid));
  const taken = docs.filter((d) => securityLakeClassOf(d.class_uid));
  const { objects, skipped: unfiled } = securityLakeObjects(taken, deps.lakeRegion);

  const digest = archiveDigest(object);
  const written: Record<string, number> = {};
  for (const o of objects) {
    const key = securityLakeObjectKey(o.prefix, digest);
    await deps.lakeS3For(o.partition.sourceName).send(
      new PutObjectCommand({
        Bucket: deps.dataLakeBucket,
        Key: key,
        Body: securityLakeParquet(o.docs),
        ContentType: 'application/vnd.apache.parquet',
        Metadata: { 'logwarden-archive-key': object.key },
      }),
    );
    written[o.partition.sourceName] = (written[o.partition.sourceName] ?? 0) + o.docs.length;
  }
  if (unfiled.length)
    await keepRejected(deps, `security-lake/${digest}`, {
      reason:
        'no Security Lake partition: a document of a class Security Lake takes needs a 12-digit cloud.account.uid and a time',
      source: `s3://${object.bucket}/${object.key}`,
      documents: unfiled,
    });
  return {
    documents: docs.length,
    objects: objects.length,
    written,
    notSent: notSent.length,
    rejected: unfiled.length,
  };
}
