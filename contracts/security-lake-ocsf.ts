/**
 * The Parquet shape of logwarden's Security Lake objects: for each class a custom source takes
 * (contracts/security-lake.ts), a column tree derived from the compiled OCSF 1.1.0 schema
 * (test/ocsf/schema/ocsf-1.1.0.schema.json). The tree is kept, derived, in
 * security-lake-ocsf-columns.json, so that the writer does not carry the whole compiled schema;
 * test/contracts/security-lake-ocsf.test.ts derives it again from the compiled schema and
 * requires the two to be equal (`npx tsx scripts/security-lake-ocsf-columns.ts` writes it).
 *
 * Amazon Security Lake User Guide, "Collecting data from custom sources in Security Lake":
 * "Before sending the data, the custom source must convert the logs and events to the Open
 * Cybersecurity Schema Framework (OCSF) and meet the source requirements for Security Lake
 * including partitioning, parquet file format and object size and rate requirements"; "Logs and
 * events that are written to Security Lake from custom sources must adhere to the OCSF schema
 * and an Apache Parquet format" (User Guide, "Open Cybersecurity Schema Framework (OCSF) in
 * Security Lake").
 *
 * The mapping:
 * - an OCSF object is a Parquet group (a struct), its attributes the group's fields;
 * - an attribute with `is_array` is a Parquet LIST of its element type;
 * - string_t and the types built on it (ip_t, url_t, datetime_t, ...) are STRING (UTF8);
 *   integer_t and port_t INT32; long_t and timestamp_t INT64 (timestamp_t as the epoch
 *   milliseconds OCSF defines, an unannotated INT64: Security Lake's own tables query `time` as a
 *   number, `from_unixtime(time/1000)`); boolean_t BOOLEAN; float_t DOUBLE;
 * - json_t, and the object `object` (free-form, no attributes: `unmapped`, `data`), are JSON
 *   text (BYTE_ARRAY annotated JSON), as they have no fixed fields;
 * - objects nest up to `securityLakeStructDepth` levels; an object attribute deeper than that
 *   (OCSF objects are recursive: process.parent_process, user.groups, ...) is JSON text of its
 *   whole value. No public text of Security Lake states the nesting depth of its own tables, so
 *   this depth is logwarden's choice: deep enough for every attribute logwarden's documents use
 *   as a struct (checked in the test), shallow enough to keep a class to a few hundred columns.
 */

/** How many object levels become Parquet groups (`actor.user.account.uid` is three). */
export const securityLakeStructDepth = 3;

export type SecurityLakeParquetType = 'STRING' | 'INT32' | 'INT64' | 'BOOLEAN' | 'DOUBLE' | 'JSON';

/** One column of a class's Parquet schema: an OCSF attribute. */
export interface OcsfColumn {
  name: string;
  /** The OCSF type (`string_t`, `timestamp_t`, ...) or, for an object, `object:<object name>`. */
  ocsf: string;
  /** The attribute is an OCSF array (a Parquet LIST, unless the column is JSON text). */
  array?: true;
  /** A primitive or JSON-text column: its Parquet type. */
  parquet?: SecurityLakeParquetType;
  /** A struct column: its fields. */
  fields?: OcsfColumn[];
}

/** The compiled schema's parts the derivation reads (ocsf-schema-compiler output). */
export interface CompiledOcsfSchema {
  version: string;
  classes: Record<string, { uid?: number; attributes: Record<string, CompiledAttribute> }>;
  objects: Record<string, { attributes: Record<string, CompiledAttribute> }>;
  dictionary: { types: { attributes: Record<string, { type?: string }> } };
}

interface CompiledAttribute {
  type: string;
  object_type?: string;
  is_array?: boolean;
}

const primitiveParquet: Record<string, SecurityLakeParquetType> = {
  string_t: 'STRING',
  integer_t: 'INT32',
  long_t: 'INT64',
  boolean_t: 'BOOLEAN',
  float_t: 'DOUBLE',
  json_t: 'JSON',
};

/**
 * The Parquet type of an OCSF primitive type: its own, or its super type's (the dictionary's
 * `type`: timestamp_t is a long_t, port_t an integer_t, ip_t a string_t ...).
 */
export function parquetTypeOf(schema: CompiledOcsfSchema, ocsfType: string): SecurityLakeParquetType {
  const types = schema.dictionary.types.attributes;
  let t: string | undefined = ocsfType;
  for (let hops = 0; t && hops < 10; hops++) {
    if (primitiveParquet[t]) return primitiveParquet[t];
    t = types[t]?.type;
  }
  throw new Error(`OCSF type ${ocsfType} has no primitive type`);
}

function columnsOf(
  schema: CompiledOcsfSchema,
  attributes: Record<string, CompiledAttribute>,
  depth: number,
): OcsfColumn[] {
  return Object.keys(attributes)
    .sort()
    .map((name) => {
      const a = attributes[name];
      const array = a.is_array ? ({ array: true } as const) : {};
      if (a.type !== 'object_t')
        return { name, ocsf: a.type, ...array, parquet: parquetTypeOf(schema, a.type) };
      const objectName = a.object_type ?? 'object';
      const object = schema.objects[objectName];
      const ocsf = `object:${objectName}`;
      if (!object) throw new Error(`OCSF object ${objectName} is not in the schema`);
      if (depth >= securityLakeStructDepth || Object.keys(object.attributes).length === 0)
        return { name, ocsf, ...array, parquet: 'JSON' as const };
      return { name, ocsf, ...array, fields: columnsOf(schema, object.attributes, depth + 1) };
    });
}

/** A class's columns (its attributes, sorted by name), derived from the compiled schema. */
export function classColumns(schema: CompiledOcsfSchema, classUid: number): OcsfColumn[] {
  const cls = Object.values(schema.classes).find((c) => c.uid === classUid);
  if (!cls) throw new Error(`OCSF class ${classUid} is not in the schema`);
  return columnsOf(schema, cls.attributes, 0);
}

/** The derived file's content: the OCSF version and each class's columns by class uid. */
export interface SecurityLakeOcsfColumns {
  ocsfVersion: string;
  structDepth: number;
  classes: Record<string, OcsfColumn[]>;
}

export function securityLakeOcsfColumns(
  schema: CompiledOcsfSchema,
  classUids: readonly number[],
): SecurityLakeOcsfColumns {
  return {
    ocsfVersion: schema.version,
    structDepth: securityLakeStructDepth,
    classes: Object.fromEntries(classUids.map((uid) => [String(uid), classColumns(schema, uid)])),
  };
}
