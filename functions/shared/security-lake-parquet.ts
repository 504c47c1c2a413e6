/**
 * OCSF documents as the Parquet objects logwarden writes into Security Lake, and back: one
 * schema a class, derived from the compiled OCSF schema (contracts/security-lake-ocsf.ts), with
 * OCSF objects as Parquet groups, arrays as LISTs and each primitive in its OCSF type's Parquet
 * type. The archive's own layout (lake-parquet.ts, the lake table's columns) is not this one.
 *
 * Nothing lost: what a class's schema has no column for (an attribute it lacks), or a value its
 * column cannot hold, goes into `unmapped`, where OCSF puts "the attributes that are not mapped
 * to the event schema", under its path in the document (`actor.user.x`, `resources[1].y`).
 */
import { parquetWriteBuffer } from 'hyparquet-writer';
import { archiveParquetCompression } from '../../contracts/lake';
import type { OcsfColumn, SecurityLakeOcsfColumns } from '../../contracts/security-lake-ocsf';
import derivedColumns from '../../contracts/security-lake-ocsf-columns.json';
import {
  gzipCodec,
  PARQUET_PAGE_BYTES,
  parquetRows,
  ROW_GROUP_ROWS,
  type ParquetCodec,
} from './lake-parquet';

const columnsByClass = (derivedColumns as SecurityLakeOcsfColumns).classes;

/** A Parquet schema element, as hyparquet-writer takes it (parquet-format's SchemaElement). */
interface SchemaElement {
  name: string;
  type?: 'BYTE_ARRAY' | 'INT32' | 'INT64' | 'BOOLEAN' | 'DOUBLE';
  converted_type?: 'UTF8' | 'JSON' | 'LIST';
  repetition_type?: 'OPTIONAL' | 'REPEATED' | 'REQUIRED';
  num_children?: number;
}

const primitive: Record<NonNullable<OcsfColumn['parquet']>, Omit<SchemaElement, 'name'>> = {
  STRING: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  JSON: { type: 'BYTE_ARRAY', converted_type: 'JSON' },
  INT32: { type: 'INT32' },
  INT64: { type: 'INT64' },
  BOOLEAN: { type: 'BOOLEAN' },
  DOUBLE: { type: 'DOUBLE' },
};

/** The value of one column (not its LIST wrapper), as schema elements, depth first. */
function valueElements(name: string, column: OcsfColumn): SchemaElement[] {
  if (column.fields)
    return [
      { name, repetition_type: 'OPTIONAL', num_children: column.fields.length },
      ...column.fields.flatMap(columnElements),
    ];
  return [{ name, repetition_type: 'OPTIONAL', ...primitive[column.parquet!] }];
}

/**
 * A column as schema elements: an OCSF array is the three-level LIST of parquet-format
 * (LogicalTypes.md, "Lists": `<list-repetition> group <name> (LIST) { repeated group list {
 * <element-repetition> <element-type> element; } }`); JSON text holds the whole value.
 */
function columnElements(column: OcsfColumn): SchemaElement[] {
  if (!column.array || column.parquet === 'JSON') return valueElements(column.name, column);
  return [
    { name: column.name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    ...valueElements('element', column),
  ];
}

/** The columns of a class Security Lake takes from logwarden. */
export function securityLakeColumnsOf(classUid: number): OcsfColumn[] {
  const columns = columnsByClass[String(classUid)];
  if (!columns) throw new Error(`OCSF class ${classUid} has no Security Lake columns`);
  return columns;
}

/** The Parquet schema of a class's Security Lake objects (root first). */
export function securityLakeParquetSchema(classUid: number): SchemaElement[] {
  const columns = securityLakeColumnsOf(classUid);
  return [{ name: 'root', num_children: columns.length }, ...columns.flatMap(columnElements)];
}

/** Where a value nothing in the schema can hold goes: `unmapped`, under its path. */
type Misfits = [path: string, value: unknown][];

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A primitive as its column holds it, or `misfit` when the column cannot. */
const misfit = Symbol('misfit');
function primitiveValue(column: OcsfColumn, v: unknown): unknown {
  switch (column.parquet) {
    case 'JSON':
      return v;
    case 'STRING':
      return typeof v === 'string' ? v : misfit;
    case 'INT32':
      return Number.isInteger(v) && Math.abs(v as number) < 2 ** 31 ? v : misfit;
    case 'INT64':
      return Number.isSafeInteger(v) ? BigInt(v as number) : misfit;
    case 'BOOLEAN':
      return typeof v === 'boolean' ? v : misfit;
    case 'DOUBLE':
      return typeof v === 'number' && Number.isFinite(v) ? v : misfit;
    default:
      return misfit;
  }
}

/** One value of a column (an array's element, or the column's value), or `misfit`. */
function columnValue(column: OcsfColumn, v: unknown, path: string, misfits: Misfits): unknown {
  if (!column.fields) return primitiveValue(column, v);
  if (!isPlainObject(v)) return misfit;
  return structValue(column.fields, v, path, misfits);
}

function structValue(
  fields: readonly OcsfColumn[],
  obj: Record<string, unknown>,
  path: string,
  misfits: Misfits,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const known = new Set(fields.map((f) => f.name));
  for (const [name, v] of Object.entries(obj))
    if (!known.has(name) && v !== undefined) misfits.push([`${path}${name}`, v]);
  for (const column of fields) {
    const v = obj[column.name];
    const at = `${path}${column.name}`;
    if (v === undefined || v === null) {
      out[column.name] = null;
    } else if (column.array && column.parquet !== 'JSON') {
      if (!Array.isArray(v)) {
        misfits.push([at, v]);
        out[column.name] = null;
        continue;
      }
      out[column.name] = v.map((e, i) => {
        if (e === null || e === undefined) return null;
        const value = columnValue(column, e, `${at}[${i}].`, misfits);
        if (value !== misfit) return value;
        misfits.push([`${at}[${i}]`, e]);
        return null;
      });
    } else {
      const value = columnValue(column, v, `${at}.`, misfits);
      if (value === misfit) misfits.push([at, v]);
      out[column.name] = value === misfit ? null : value;
    }
  }
  return out;
}

/**
 * A document as a row of its class's Security Lake schema: what the schema cannot hold is added
 * to `unmapped` (a key already there is kept; the misfit then takes the first free
 * `<path>#<n>`), so every value the document had is in the row.
 */
export function securityLakeRow(doc: Record<string, unknown>): Record<string, unknown> {
  const columns = securityLakeColumnsOf(doc.class_uid as number);
  const misfits: Misfits = [];
  const row = structValue(columns, doc, '', misfits);
  if (misfits.length === 0) return row;
  const given = doc.unmapped;
  const unmapped: Record<string, unknown> = isPlainObject(given)
    ? { ...given }
    : given === undefined || given === null
      ? {}
      : { unmapped: given };
  for (const [path, value] of misfits) {
    let key = path;
    for (let n = 2; key in unmapped; n++) key = `${path}#${n}`;
    unmapped[key] = value;
  }
  row.unmapped = unmapped;
  return row;
}

/**
 * Documents of one class as one Parquet object of the class's Security Lake schema. Security
 * Lake User Guide: "The same OCSF event class should apply to each record within a
 * Parquet-formatted object"; a document of another class is an error here.
 */
export function securityLakeParquet(
  documents: readonly Record<string, unknown>[],
  codec: ParquetCodec = archiveParquetCompression,
): Uint8Array {
  if (documents.length === 0) throw new Error('a Security Lake object needs at least one document');
  const classUid = documents[0].class_uid as number;
  const other = documents.find((d) => d.class_uid !== classUid);
  if (other) throw new Error(`one object holds one class: ${classUid} and ${String(other.class_uid)}`);
  const columns = securityLakeColumnsOf(classUid);
  const rows = documents.map(securityLakeRow);
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: columns.map((c) => ({ name: c.name, data: rows.map((r) => r[c.name]) })),
      schema: securityLakeParquetSchema(classUid) as never,
      codec,
      compressors: gzipCodec,
      rowGroupSize: ROW_GROUP_ROWS,
      pageSize: PARQUET_PAGE_BYTES,
    }),
  );
}

/**
 * A value read back by its column: null attributes of a struct left out, 64-bit integers as
 * numbers; JSON text as hyparquet parsed it (its nulls are the document's own).
 */
function readValue(column: OcsfColumn, v: unknown): unknown {
  if (v === null || v === undefined || column.parquet === 'JSON') return v;
  // A null element is read as undefined; the document had null there.
  if (column.array) return (v as unknown[]).map((e) => readElement(column, e) ?? null);
  return readElement(column, v);
}

function readElement(column: OcsfColumn, v: unknown): unknown {
  if (v === null || v === undefined) return v;
  if (column.fields) return readStruct(column.fields, v as Record<string, unknown>);
  return typeof v === 'bigint' ? Number(v) : v;
}

function readStruct(fields: readonly OcsfColumn[], row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of fields) {
    const v = row[column.name];
    if (v !== null && v !== undefined) out[column.name] = readValue(column, v);
  }
  return out;
}

/**
 * A Security Lake object read back as OCSF documents: absent (null) attributes left out, JSON
 * text parsed (hyparquet parses JSON-annotated columns), 64-bit integers as numbers.
 */
export async function securityLakeParquetToDocuments(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  const rows = await parquetRows(bytes);
  return rows.map((row) => {
    const classUid = row.class_uid as number;
    return readStruct(securityLakeColumnsOf(classUid), row);
  });
}
