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
import { parquetSchema, type FileMetaData, type SchemaTree } from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { writeColumn } from 'hyparquet-writer/src/column.js';
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
 * A leaf column of a class's schema: its path from the root, and what writing it needs, worked
 * out once a class (not once an object, nor once a row).
 */
interface Leaf {
  path: SchemaElement[];
  columnName: string;
  /** The levels of its values, Dremel's: one a value, or a null where an ancestor is null or an array empty. */
  maxDefinitionLevel: number;
  definitionLevels: number[];
  repetitionLevels: number[];
  values: unknown[];
  /**
   * Nulls not yet in the arrays: while every entry so far is an absent value at the same levels
   * (most of Network Activity's 1,548 leaves for a flow record), only their count is kept.
   */
  nulls: number;
  nullDefinitionLevel: number;
  nullRepetitionLevel: number;
}

/** One entry of a leaf: its levels and its value (undefined where absent). */
function pushEntry(leaf: Leaf, definitionLevel: number, repetitionLevel: number, value: unknown) {
  if (leaf.values.length === 0) {
    if (value === undefined) {
      if (leaf.nulls === 0) {
        leaf.nullDefinitionLevel = definitionLevel;
        leaf.nullRepetitionLevel = repetitionLevel;
      }
      if (definitionLevel === leaf.nullDefinitionLevel && repetitionLevel === leaf.nullRepetitionLevel) {
        leaf.nulls++;
        return;
      }
    }
    materializeNulls(leaf);
  }
  leaf.definitionLevels.push(definitionLevel);
  leaf.repetitionLevels.push(repetitionLevel);
  leaf.values.push(value);
}

/** The counted nulls into the arrays, as pushing each would have put them. */
function materializeNulls(leaf: Leaf) {
  if (!leaf.nulls) return;
  leaf.definitionLevels = new Array<number>(leaf.nulls).fill(leaf.nullDefinitionLevel);
  leaf.repetitionLevels = new Array<number>(leaf.nulls).fill(leaf.nullRepetitionLevel);
  leaf.values = new Array<unknown>(leaf.nulls).fill(undefined);
  leaf.nulls = 0;
}

/** A leaf emptied for the next row group. */
function resetLeaf(leaf: Leaf) {
  leaf.values = [];
  leaf.definitionLevels = [];
  leaf.repetitionLevels = [];
  leaf.nulls = 0;
}

/** A node of a class's schema tree, compiled for shredding rows into its leaves' levels. */
interface Shredder {
  name: string;
  repetition: 'OPTIONAL' | 'REPEATED' | 'REQUIRED';
  /** The leaf this node is, if it is one. */
  leaf?: Leaf;
  /** The leaves under this node, in schema order: what a null here gives a level to. */
  leaves: Leaf[];
  children: Shredder[];
  /** An OCSF object (a group that is not a LIST wrapper): a defined group adds a definition level even where a child is null. */
  struct: boolean;
  /** A LIST wrapper (parquet-format's three-level list): its child is its value, the array. */
  list: boolean;
  /** The repeated nodes above this one: an array element after the first repeats at this level plus one. */
  repeatedAbove: number;
}

interface ClassWriter {
  schema: SchemaElement[];
  /** The top-level columns, in schema order, each with its leaves. */
  columns: { name: string; node: Shredder; flat: boolean }[];
}

function compileNode(tree: SchemaTree, path: SchemaElement[], repeatedAbove: number): Shredder {
  const element = tree.element as SchemaElement;
  const here = [...path, element];
  const repetition = element.repetition_type ?? 'REQUIRED';
  const list =
    element.converted_type === 'LIST' &&
    tree.children.length === 1 &&
    tree.children[0].children.length <= 1 &&
    tree.children[0].element.repetition_type === 'REPEATED';
  const below = repeatedAbove + (repetition === 'REPEATED' ? 1 : 0);
  const children = tree.children.map((c) => compileNode(c, here, below));
  const node: Shredder = {
    name: element.name,
    repetition,
    children,
    leaves: children.flatMap((c) => c.leaves),
    struct: !!element.num_children && !element.type && !list,
    list,
    repeatedAbove,
  };
  if (!children.length) {
    node.leaf = {
      path: here,
      columnName: here
        .slice(1)
        .map((e) => e.name)
        .join('.'),
      maxDefinitionLevel: here.slice(1).filter((e) => e.repetition_type !== 'REQUIRED').length,
      definitionLevels: [],
      repetitionLevels: [],
      values: [],
      nulls: 0,
      nullDefinitionLevel: 0,
      nullRepetitionLevel: 0,
    };
    node.leaves = [node.leaf];
  }
  return node;
}

const classWriters = new Map<number, ClassWriter>();

/** A class's schema compiled for writing, once. */
function classWriter(classUid: number): ClassWriter {
  let compiled = classWriters.get(classUid);
  if (!compiled) {
    const schema = securityLakeParquetSchema(classUid);
    const root = parquetSchema({ schema } as unknown as FileMetaData);
    compiled = {
      schema,
      columns: root.children.map((c) => {
        const node = compileNode(c, [schema[0]], 0);
        return { name: node.name, node, flat: !!node.leaf };
      }),
    };
    classWriters.set(classUid, compiled);
  }
  return compiled;
}

/** A null (or an empty array) at a group: each leaf under it takes one null at these levels. */
function shredNull(node: Shredder, definitionLevel: number, repetitionLevel: number) {
  for (const leaf of node.leaves) pushEntry(leaf, definitionLevel, repetitionLevel, undefined);
}

/**
 * A value into the levels of the leaves under `node`, Dremel's record shredding, as
 * hyparquet-writer's encodeNestedValues (dremel.js) walks each leaf's path, here once for all the
 * leaves of a column: the same levels and values, in the same order, for every leaf.
 */
function shred(
  node: Shredder,
  value: unknown,
  definitionLevel: number,
  repetitionLevel: number,
  allowNull: boolean,
): void {
  const isNull = value === null || value === undefined;
  if (node.leaf) {
    if (isNull && node.repetition === 'REQUIRED' && !allowNull)
      throw new Error('parquet required value is undefined');
    pushEntry(
      node.leaf,
      isNull || node.repetition === 'REQUIRED' ? definitionLevel : definitionLevel + 1,
      repetitionLevel,
      value,
    );
    return;
  }
  if (isNull) {
    if (node.repetition !== 'OPTIONAL' && !allowNull) throw new Error('parquet required value is undefined');
    shredNull(node, definitionLevel, repetitionLevel);
    return;
  }
  if (node.repetition === 'REPEATED') {
    if (!Array.isArray(value)) throw new Error(`parquet repeated field ${node.name} must be an array`);
    if (!value.length) {
      shredNull(node, definitionLevel, repetitionLevel);
      return;
    }
    for (let i = 0; i < value.length; i++) {
      const rep = i === 0 ? repetitionLevel : node.repeatedAbove + 1;
      for (const child of node.children) shred(child, value[i], definitionLevel + 1, rep, false);
    }
    return;
  }
  if (!node.list && (typeof value !== 'object' || Array.isArray(value)))
    throw new Error(`parquet expected struct, got ${String(value)}`);
  const required = node.repetition === 'REQUIRED';
  for (const child of node.children) {
    const childValue = node.list ? value : (value as Record<string, unknown>)[child.name];
    const childIsNull = childValue === null || childValue === undefined;
    const nextDefinition = required || !(node.struct || !childIsNull) ? definitionLevel : definitionLevel + 1;
    shred(child, childValue, nextDefinition, repetitionLevel, required ? false : childIsNull);
  }
}

/** gzip of an empty page (a column all null in a row group has no values): the same bytes every time. */
const compressors = (() => {
  const small = new Map<string, Uint8Array>();
  return {
    GZIP: (bytes: Uint8Array): Uint8Array => {
      if (bytes.byteLength > 8) return gzipCodec.GZIP(bytes);
      const key = bytes.join(',');
      let out = small.get(key);
      if (!out) small.set(key, (out = gzipCodec.GZIP(bytes)));
      return out;
    },
  };
})();

type ColumnResult = ReturnType<typeof writeColumn>;

/** A leaf's levels and values through hyparquet-writer's own column writer. */
function writeLeaf(
  writer: ByteWriter,
  leaf: Leaf,
  codec: ParquetCodec,
  compressors: ParquetWriter['compressors'],
): ColumnResult {
  return writeColumn({
    writer,
    column: {
      columnName: leaf.columnName,
      element: leaf.path[leaf.path.length - 1] as never,
      schemaPath: leaf.path as never,
      codec,
      compressors,
      stats: true,
      pageSize: PARQUET_PAGE_BYTES,
      columnIndex: false,
      offsetIndex: true,
    },
    pageData: {
      values: leaf.values as never,
      definitionLevels: leaf.definitionLevels,
      repetitionLevels: leaf.repetitionLevels,
      maxDefinitionLevel: leaf.maxDefinitionLevel,
    },
  });
}

/** A column chunk written at offset 0 of a writer of its own: its bytes and the column writer's answer. */
interface WrittenChunk {
  bytes: Uint8Array;
  result: ColumnResult;
}

/**
 * A leaf whose entries are all absent at the same levels (every leaf under an object a row group
 * never holds). Its chunk is what another such leaf's is, with the same physical type, levels and
 * row count, but for its path and where it starts: written once an object by the column writer
 * into a writer of its own, then copied with its offsets moved. The bytes are those of writing it
 * (test/functions/shared/security-lake-parquet-bytes.test.ts).
 */
function writeNullLeaf(
  writer: ByteWriter,
  leaf: Leaf,
  codec: ParquetCodec,
  compressors: ParquetWriter['compressors'],
  written: Map<string, WrittenChunk>,
): ColumnResult {
  // What the chunk's bytes depend on: the leaf's element but its name, the repeated nodes above
  // it (its repetition levels' width), its levels and how many.
  const key = JSON.stringify([
    { ...leaf.path[leaf.path.length - 1], name: undefined },
    leaf.path.filter((e) => e.repetition_type === 'REPEATED').length,
    leaf.maxDefinitionLevel,
    leaf.nulls,
    leaf.nullDefinitionLevel,
    leaf.nullRepetitionLevel,
  ]);
  let chunk = written.get(key);
  if (!chunk) {
    const own = new ByteWriter();
    materializeNulls(leaf);
    const result = writeLeaf(own, leaf, codec, compressors);
    chunk = { bytes: new Uint8Array(own.getBuffer()), result };
    written.set(key, chunk);
  }
  const start = BigInt(writer.offset);
  writer.appendBytes(chunk.bytes);
  const { meta_data } = chunk.result.chunk;
  const { offsetIndex } = chunk.result;
  return {
    chunk: {
      meta_data: meta_data && {
        ...meta_data,
        path_in_schema: leaf.path.slice(1).map((e) => e.name),
        data_page_offset: meta_data.data_page_offset + start,
        dictionary_page_offset:
          meta_data.dictionary_page_offset === undefined
            ? undefined
            : meta_data.dictionary_page_offset + start,
      },
      file_offset: (chunk.result.chunk.file_offset ?? 0n) + start,
    },
    columnIndex: chunk.result.columnIndex,
    offsetIndex: offsetIndex && {
      page_locations: offsetIndex.page_locations.map((p) => ({ ...p, offset: p.offset + start })),
    },
    bloomFilter: chunk.result.bloomFilter,
  };
}

/**
 * Documents of one class as one Parquet object of the class's Security Lake schema. Security
 * Lake User Guide: "The same OCSF event class should apply to each record within a
 * Parquet-formatted object"; a document of another class is an error here.
 *
 * The bytes are what hyparquet-writer's parquetWriteBuffer writes of the rows (pinned by
 * test/functions/shared/security-lake-parquet-bytes.test.ts), written faster (issue 25): it
 * walks every row once for each of a class's 798-1,548 leaf columns, from the root, and looks up
 * each leaf's path in the schema again for every object. Here the schema is compiled once a
 * class, each column's rows are shredded into all its leaves in one walk, a null object gives
 * every leaf under it its null at once, an all-null page's gzip is made once, and a leaf whose
 * entries are all absent at the same levels is counted, not listed, and its chunk written once
 * an object and copied (writeNullLeaf); each other leaf's levels and values go to
 * hyparquet-writer's own column writer, and its ParquetWriter writes the footer, as
 * parquetWriteBuffer does.
 */
export function securityLakeParquet(
  documents: readonly Record<string, unknown>[],
  codec: ParquetCodec = archiveParquetCompression,
  /** Rows per row group (tests set a few, to write several groups from a small corpus). */
  rowGroupRows: number = ROW_GROUP_ROWS,
): Uint8Array {
  if (documents.length === 0) throw new Error('a Security Lake object needs at least one document');
  const classUid = documents[0].class_uid as number;
  const other = documents.find((d) => d.class_uid !== classUid);
  if (other) throw new Error(`one object holds one class: ${classUid} and ${String(other.class_uid)}`);
  const { schema, columns } = classWriter(classUid);
  const rows = documents.map(securityLakeRow);
  const writer = new ByteWriter();
  const pq = new ParquetWriter({ writer, schema: schema as never, codec, compressors });
  for (let start = 0; start < rows.length; start += rowGroupRows) {
    const group = rows.slice(start, start + rowGroupRows);
    const groupStartOffset = writer.offset;
    const chunks: ReturnType<typeof writeColumn>['chunk'][] = [];
    const nullChunks = new Map<string, WrittenChunk>();
    for (const { name, node, flat } of columns) {
      const data = group.map((r) => r[name]);
      for (const leaf of node.leaves) resetLeaf(leaf);
      if (flat) {
        // A top-level primitive: its definition levels only, as encodeNestedValues gives them.
        const leaf = node.leaf!;
        leaf.values = data;
        leaf.definitionLevels = data.map((v) => (v === null || v === undefined ? 0 : 1));
      } else for (const v of data) shred(node, v, 0, 0, false);
      for (const leaf of node.leaves) {
        const result =
          leaf.values.length === 0
            ? writeNullLeaf(writer, leaf, codec, pq.compressors, nullChunks)
            : writeLeaf(writer, leaf, codec, pq.compressors);
        // Not kept past the object: they hold its values.
        resetLeaf(leaf);
        chunks.push(result.chunk);
        pq.pendingIndexes.push(result);
      }
    }
    let totalByteSize = 0n;
    for (const { meta_data } of chunks) totalByteSize += meta_data?.total_uncompressed_size ?? 0n;
    pq.num_rows += BigInt(group.length);
    pq.row_groups.push({
      columns: chunks,
      total_byte_size: totalByteSize,
      num_rows: BigInt(group.length),
      total_compressed_size: BigInt(writer.offset - groupStartOffset),
    });
  }
  pq.finish();
  return new Uint8Array(writer.getBuffer());
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
