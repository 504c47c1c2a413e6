/**
 * The Parquet objects logwarden writes into Security Lake are OCSF-shaped: each class's schema is
 * derived from the compiled OCSF 1.1.0 schema, and every document comes back whole.
 *
 * Amazon Security Lake User Guide, "Collecting data from custom sources in Security Lake":
 * "Before sending the data, the custom source must convert the logs and events to the Open
 * Cybersecurity Schema Framework (OCSF) and meet the source requirements for Security Lake
 * including partitioning, parquet file format and object size and rate requirements." User
 * Guide, "Open Cybersecurity Schema Framework (OCSF) in Security Lake": "Logs and events that are
 * written to Security Lake from custom sources must adhere to the OCSF schema and an Apache
 * Parquet format. Subscribers can treat the logs and events as generic Parquet records or apply
 * the OCSF schema event class to more accurately interpret the information contained in a
 * record."
 */
import { readFileSync } from 'node:fs';
import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';
import { gunzipSync } from 'node:zlib';
import { securityLakeClasses } from '../../../contracts/security-lake';
import { securityLakeStructDepth } from '../../../contracts/security-lake-ocsf';
import {
  securityLakeParquet,
  securityLakeParquetToDocuments,
  securityLakeRow,
} from '../../../functions/shared/security-lake-parquet';
import { corpusDocuments } from '../../ocsf/corpus-documents';
import { ocsfSchemaPath } from '../../ocsf/validator';

type Doc = Record<string, unknown> & { class_uid: number };
interface Attr {
  type: string;
  object_type?: string;
  is_array?: boolean;
}
const compiled = JSON.parse(readFileSync(ocsfSchemaPath, 'utf8')) as {
  classes: Record<string, { uid: number; attributes: Record<string, Attr> }>;
  objects: Record<string, { attributes: Record<string, Attr> }>;
  dictionary: { types: { attributes: Record<string, { type?: string }> } };
};

/** The corpus as the archive holds it (JSON: no undefined members). */
const corpus = corpusDocuments().map(({ doc }) => JSON.parse(JSON.stringify(doc)) as Doc);

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** An OCSF primitive type's root type: the dictionary's super type chain, to the end. */
function rootType(t: string): string {
  const types = compiled.dictionary.types.attributes;
  while (types[t]?.type) t = types[t].type!;
  return t;
}

/** The Parquet primitive each OCSF root type is written as (the mapping the contract states). */
const expectedPrimitive: Record<string, { type: string; converted_type?: string }> = {
  string_t: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  integer_t: { type: 'INT32' },
  long_t: { type: 'INT64' },
  boolean_t: { type: 'BOOLEAN' },
  float_t: { type: 'DOUBLE' },
  json_t: { type: 'BYTE_ARRAY', converted_type: 'JSON' },
};

interface Node {
  element: { name: string; type?: string; converted_type?: string; repetition_type?: string };
  children: Node[];
}

/**
 * Every column of a written object checked against the compiled schema: an attribute of the
 * class (or of the object its parent column is), a struct exactly where the attribute is an
 * object (within the depth), a LIST exactly where it is an array, and the primitive its OCSF type
 * maps to. Returns the leaf columns it checked.
 */
function checkAgainstCompiled(
  nodes: Node[],
  attributes: Record<string, Attr>,
  depth: number,
  path: string,
): number {
  let leaves = 0;
  for (const node of nodes) {
    const name = node.element.name;
    const a = attributes[name];
    expect([`${path}${name}`, a !== undefined]).toEqual([`${path}${name}`, true]);
    let value = node;
    const jsonWhole =
      a.type === 'object_t' &&
      (depth >= securityLakeStructDepth ||
        Object.keys(compiled.objects[a.object_type!].attributes).length === 0);
    if (a.is_array && !jsonWhole) {
      // parquet-format's three-level LIST: <name> (LIST) { repeated group list { element } }.
      expect(node.element.converted_type).toBe('LIST');
      expect(node.children).toHaveLength(1);
      expect(node.children[0].element).toMatchObject({ name: 'list', repetition_type: 'REPEATED' });
      value = node.children[0].children[0];
      expect(value.element.name).toBe('element');
    } else {
      expect([`${path}${name}`, node.element.converted_type]).not.toEqual([`${path}${name}`, 'LIST']);
    }
    if (jsonWhole) {
      expect([`${path}${name}`, value.element.type, value.element.converted_type]).toEqual([
        `${path}${name}`,
        'BYTE_ARRAY',
        'JSON',
      ]);
      leaves++;
    } else if (a.type === 'object_t') {
      const object = compiled.objects[a.object_type!];
      expect(value.element.type).toBeUndefined();
      expect(value.children.map((c) => c.element.name).sort()).toEqual(Object.keys(object.attributes).sort());
      leaves += checkAgainstCompiled(value.children, object.attributes, depth + 1, `${path}${name}.`);
    } else {
      const want = expectedPrimitive[rootType(a.type)];
      expect([`${path}${name}`, a.type, value.element.type, value.element.converted_type]).toEqual([
        `${path}${name}`,
        a.type,
        want.type,
        want.converted_type,
      ]);
      leaves++;
    }
  }
  return leaves;
}

describe('Security Lake objects are OCSF-shaped Parquet (functions/shared/security-lake-parquet.ts)', () => {
  const figures: string[] = [];
  afterAll(() => console.log(figures.join('\n')));

  for (const cls of securityLakeClasses) {
    describe(`${cls.eventClass} (${cls.classUid})`, () => {
      const docs = corpus.filter((d) => d.class_uid === cls.classUid);
      let bytes: Uint8Array;
      beforeAll(() => {
        bytes = securityLakeParquet(docs);
      });

      it('the corpus has documents of the class', () => {
        expect(docs.length).toBeGreaterThan(0);
      });

      it("every column is an attribute of the class's compiled OCSF schema, of its type; every class attribute is a column", async () => {
        const schema = parquetSchema(parquetMetadata(toArrayBuffer(bytes))) as unknown as Node;
        const classAttributes = Object.values(compiled.classes).find(
          (c) => c.uid === cls.classUid,
        )!.attributes;
        expect(schema.children.map((c) => c.element.name).sort()).toEqual(
          Object.keys(classAttributes).sort(),
        );
        const leaves = checkAgainstCompiled(schema.children, classAttributes, 0, '');
        figures.push(
          `${cls.eventClass}: ${docs.length} documents, ${leaves} leaf columns, ${bytes.byteLength} bytes`,
        );
        // OCSF objects are Parquet groups: at least `metadata` and `time` are as the class says.
        const metadata = schema.children.find((c) => c.element.name === 'metadata')!;
        expect(metadata.children.length).toBeGreaterThan(0);
        const time = schema.children.find((c) => c.element.name === 'time')!;
        expect(time.element.type).toBe('INT64');
        expect(time.element.converted_type).toBeUndefined();
      });

      it('every document reads back equal to the original: nothing lost, nothing added, no unmapped added', async () => {
        for (const d of docs) expect(securityLakeRow(d).unmapped ?? null).toEqual(d.unmapped ?? null);
        const back = await securityLakeParquetToDocuments(bytes);
        expect(back).toEqual(docs);
      });

      it('hyparquet reads it without logwarden’s reader: objects are nested records, not JSON text', async () => {
        const rows = (await parquetReadObjects({
          file: toArrayBuffer(bytes),
          compressors: { GZIP: (input: Uint8Array) => new Uint8Array(gunzipSync(input)) },
        })) as Record<string, unknown>[];
        expect(rows).toHaveLength(docs.length);
        const metadata = rows[0].metadata as Record<string, unknown>;
        expect(typeof metadata).toBe('object');
        expect(metadata.version).toBe((docs[0].metadata as Record<string, unknown>).version);
      });
    });
  }

  it('what the class schema lacks, or a column cannot hold, goes into unmapped under its path and comes back', async () => {
    const base = corpus.find((d) => d.class_uid === 6003)!;
    const doc: Doc = {
      ...base,
      logwarden_extra: { a: [1, null, 'x'] },
      actor: { ...(base.actor as object), user: { name: 'alice', nickname: 'al' } },
      severity_id: 'high',
      unmapped: { 'requestParameters.name': 'trail', logwarden_extra: 'already here', nested: { n: null } },
    };
    const [back] = await securityLakeParquetToDocuments(securityLakeParquet([doc]));
    expect(back.unmapped).toEqual({
      'requestParameters.name': 'trail',
      logwarden_extra: 'already here',
      nested: { n: null },
      'logwarden_extra#2': { a: [1, null, 'x'] },
      'actor.user.nickname': 'al',
      severity_id: 'high',
    });
    expect((back.actor as { user: unknown }).user).toEqual({ name: 'alice' });
    expect(back.severity_id).toBeUndefined();
    // Everything else as it was.
    const without = (d: Record<string, unknown>, keys: string[]) =>
      Object.fromEntries(Object.entries(d).filter(([k]) => !keys.includes(k)));
    expect(without(back, ['unmapped'])).toEqual({
      ...without(doc, ['logwarden_extra', 'severity_id', 'unmapped']),
      actor: { ...(base.actor as object), user: { name: 'alice' } },
    });
  });

  it('an array element its column cannot hold goes into unmapped under its index', async () => {
    const base = corpus.find((d) => d.class_uid === 6003 && Array.isArray(d.resources))!;
    const resources = base.resources as unknown[];
    const doc: Doc = { ...base, resources: [...resources, 'not an object'] };
    const [back] = await securityLakeParquetToDocuments(securityLakeParquet([doc]));
    expect(back.resources).toEqual([...resources, null]);
    expect(back.unmapped).toMatchObject({ [`resources[${resources.length}]`]: 'not an object' });
  });

  it('one object holds one class: Security Lake\'s "The same OCSF event class should apply to each record within a Parquet-formatted object"', () => {
    const a = corpus.find((d) => d.class_uid === 6003)!;
    const b = corpus.find((d) => d.class_uid === 3002)!;
    expect(() => securityLakeParquet([a, b])).toThrow(/one class/);
  });
});
