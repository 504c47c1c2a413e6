/**
 * Firehose's record format conversion, as the local run emulates it: the OCSF JSON documents the
 * transform returns, read with the OpenX JSON SerDe against the lake table's columns and written
 * as one Parquet object (Snappy) per delivery. Firehose Developer Guide, "Convert input data
 * format": it needs "a deserializer to read the JSON of your input data", "a schema to determine
 * how to interpret that data" (the Glue table) and "a serializer to convert the data to the
 * target columnar storage format"; "the converted data will not contain attributes that are not
 * specified in the schema". The emulation drops such attributes too, so a test that reads the
 * archive back sees what Firehose would have kept.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { archiveParquetCompression, lakeColumns, type ColumnType, type LakeColumn } from '../contracts/lake';

/**
 * Rows per row group. Firehose's ParquetSerDe sizes row groups in bytes (BlockSizeBytes, 256 MiB
 * by default), far above one delivery, so each object is one row group; this is that, in rows.
 */
const ROW_GROUP_ROWS = 1_000_000;

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
const gzipCodec = { GZIP: (b: Uint8Array) => new Uint8Array(gzipSync(b)) };

/** The documents of one or more Firehose records (newline-delimited OCSF JSON) as one Parquet object. */
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
    parquetWriteBuffer({ columnData, codec, compressors: gzipCodec, rowGroupSize: ROW_GROUP_ROWS }),
  );
}

/** Newline-delimited JSON documents, as the transform returns them, parsed. */
export function parseDocuments(ndjson: string): Record<string, unknown>[] {
  return ndjson
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * A Parquet object of the archive read back as OCSF documents: JSON columns parsed, absent
 * (null) attributes left out, 64-bit integers as numbers.
 */
export async function parquetToDocuments(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const rows = (await parquetReadObjects({
    file,
    compressors: { GZIP: (input: Uint8Array) => new Uint8Array(gunzipSync(input)) },
  })) as Record<string, unknown>[];
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
