import { archiveSourceKinds, lakeColumns, lakePartitionKeys } from '../../contracts/lake';
import { sourceKindOf } from '../../functions/shared/normalize';
import { corpusDocuments } from '../ocsf/corpus-documents';

const documents = corpusDocuments();

describe('the lake table holds every attribute the transform writes', () => {
  // Firehose Developer Guide, "Convert input data format": "The schema created in AWS Glue Data
  // Catalog should match the input data structure. Otherwise, the converted data will not
  // contain attributes that are not specified in the schema." So an attribute the table lacks
  // would be lost in the Parquet archive.
  it('every top-level attribute of every corpus document is a column of a type that holds it', () => {
    const byName = new Map(lakeColumns.map((c) => [c.name, c]));
    const missing = new Set<string>();
    const mistyped = new Set<string>();
    for (const { doc } of documents) {
      for (const [name, value] of Object.entries(doc)) {
        if (value === undefined) continue;
        const column = byName.get(name);
        if (!column) {
          missing.add(name);
          continue;
        }
        const fits =
          column.json === true
            ? typeof value === 'object'
            : column.type === 'string'
              ? typeof value === 'string'
              : column.type === 'boolean'
                ? typeof value === 'boolean'
                : Number.isInteger(value) &&
                  (column.type === 'bigint' || Math.abs(value as number) < 2 ** 31);
        if (!fits) mistyped.add(`${name}: ${JSON.stringify(value).slice(0, 40)}`);
      }
    }
    expect([...missing]).toEqual([]);
    expect([...mistyped]).toEqual([]);
  });

  it('no column is a partition key too, and every source kind the transform files is one', () => {
    const names = new Set(lakeColumns.map((c) => c.name));
    for (const k of lakePartitionKeys) expect(names.has(k.name)).toBe(false);
    const kinds = new Set(documents.map(({ doc }) => sourceKindOf(doc)));
    for (const kind of kinds) expect(archiveSourceKinds).toContain(kind);
  });
});
