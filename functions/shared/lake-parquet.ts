/**
 * OCSF documents as Parquet objects with the lake table's columns (contracts/lake.ts), and back.
 * One writer and one reader for the local run's emulation of Firehose's record format
 * conversion (local/lake-parquet.ts), for the Security Lake writer, which reads the archive's
 * objects with it (what it writes into Security Lake has the OCSF shape of each class:
 * security-lake-parquet.ts), for the archive indexer (index-archive), and for the tests that
 * read the archive back. Both functions read an archive object with `readArchiveObject`.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import {
  archiveParquetCompression,
  lakeColumns,
  type ColumnType,
  type LakeColumn,
} from '../../contracts/lake';

/**
 * Rows per row group. Firehose's ParquetSerDe sizes row groups in bytes (BlockSizeBytes, 256 MiB
 * by default), far above one delivery, so each object is one row group; this is that, in rows.
 */
export const ROW_GROUP_ROWS = 1_000_000;

/**
 * The uncompressed size a data page stays under: Firehose's ParquetSerDe PageSizeBytes default
 * ("The default is 1 MiB"), and Security Lake's custom-source guidance, "Data page size should
 * be limited to 1 MB (uncompressed)" (Security Lake User Guide).
 */
export const PARQUET_PAGE_BYTES = 1024 * 1024;

const parquetTypes = { int: 'INT32', bigint: 'INT64', boolean: 'BOOLEAN', string: 'STRING' } as const;

/** A value a column cannot hold: Firehose writes such a record to its error prefix. */
export class ConversionError extends Error {}

function cell(column: LakeColumn, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  const fits: Record<ColumnType, boolean> = {
    int: Number.isInteger(value) && Math.abs(value as number) < 2 ** 31,
    bigint: Number.isSafeInteger(value),
    boolean: typeof value === 'boolean',
    string: true,
  };
  if (!fits[column.type])
    throw new ConversionError(`${column.name}: ${JSON.stringify(value).slice(0, 60)} is not ${column.type}`);
  if (column.type === 'bigint') return BigInt(value as number);
  // The OpenX SerDe's string inspector treats a non-string value "as strings" (its JSON text).
  if (column.type === 'string' && typeof value !== 'string') return JSON.stringify(value);
  return value;
}

/** Throws a ConversionError when a column of the table cannot hold the document's value. */
export function convertible(doc: Record<string, unknown>): void {
  for (const column of lakeColumns) cell(column, doc[column.name]);
}

/** The compressions Firehose's ParquetSerDe offers besides UNCOMPRESSED (its `Compression`). */
export type ParquetCodec = 'SNAPPY' | 'GZIP';

/** Parquet's GZIP codec is gzip (RFC 1952); Node's zlib writes and reads it. */
export const gzipCodec = { GZIP: (b: Uint8Array) => new Uint8Array(gzipSync(b)) };

/**
 * A Parquet object's rows (only `columns`, when given), its GZIP pages read with Node's zlib
 * (contracts/lake.ts archiveParquetCompression).
 */
export async function parquetRows<Row = Record<string, unknown>>(
  bytes: Uint8Array,
  columns?: string[],
): Promise<Row[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return (await parquetReadObjects({
    file,
    columns,
    compressors: { GZIP: (input: Uint8Array) => new Uint8Array(gunzipSync(input)) },
  })) as Row[];
}

/** The bytes of an archive object an event names. */
export async function readArchiveObject(s3: S3Client, object: { bucket: string; key: string }) {
  const res = await s3.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key }));
  const bytes = await res.Body?.transformToByteArray();
  if (!bytes) throw new Error(`s3://${object.bucket}/${object.key} has no body`);
  return bytes;
}

/** OCSF documents as one Parquet object of the lake table's columns. */
export function documentsToParquet(
  documents: readonly Record<string, unknown>[],
  codec: ParquetCodec = archiveParquetCompression,
): Uint8Array {
  const columnData = lakeColumns.map((column) => ({
    name: column.name,
    type: parquetTypes[column.type],
    data: documents.map((doc) => cell(column, doc[column.name])),
  }));
  return new Uint8Array(
    parquetWriteBuffer({
      columnData,
      codec,
      compressors: gzipCodec,
      rowGroupSize: ROW_GROUP_ROWS,
      pageSize: PARQUET_PAGE_BYTES,
    }),
  );
}

/** Parquet objects begin and end with the magic "PAR1" (Apache Parquet file format). */
export function isParquet(bytes: Uint8Array): boolean {
  const magic = (at: number) => Buffer.from(bytes.subarray(at, at + 4)).toString('latin1') === 'PAR1';
  return bytes.byteLength >= 12 && magic(0) && magic(bytes.byteLength - 4);
}

/**
 * A Parquet object of the lake's columns read back as OCSF documents: JSON columns parsed,
 * absent (null) attributes left out, 64-bit integers as numbers.
 */
export async function parquetToDocuments(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  const rows = await parquetRows(bytes);
  const byName = new Map(lakeColumns.map((c) => [c.name, c]));
  return rows.map((row) => {
    const doc: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(row)) {
      if (value === null || value === undefined) continue;
      const column = byName.get(name);
      doc[name] =
        typeof value === 'bigint' ? Number(value) : column?.json ? JSON.parse(value as string) : value;
    }
    return doc;
  });
}

/** Newline-delimited JSON documents, as the transform returns them, parsed. */
export function parseDocuments(ndjson: string): Record<string, unknown>[] {
  return ndjson
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
