import { lakeColumns } from '../../contracts/lake';
import { sourceKindOf } from '../../functions/shared/normalize';
import { ConversionError, documentsToParquet, parquetToDocuments } from '../../local/lake-parquet';
import { corpusDocuments } from '../ocsf/corpus-documents';

/** Each corpus document as the archive's JSON held it: serialized, parsed back. */
const asArchived = corpusDocuments().map(
  ({ doc }) => JSON.parse(JSON.stringify(doc)) as Record<string, unknown>,
);

describe('the Parquet archive (local/lake-parquet.ts, the emulated Firehose conversion)', () => {
  it('holds every corpus document exactly as the JSON archive did, per source', async () => {
    const bySource = new Map<string, Record<string, unknown>[]>();
    for (const doc of asArchived) {
      const kind = sourceKindOf(doc as never);
      bySource.set(kind, [...(bySource.get(kind) ?? []), doc]);
    }
    expect([...bySource.keys()].sort()).toEqual([
      'application',
      'cloudtrail',
      'guardduty',
      'parse_error',
      'vpcflow',
    ]);
    for (const [, docs] of bySource) {
      for (const codec of ['GZIP', 'SNAPPY'] as const) {
        expect(await parquetToDocuments(documentsToParquet(docs, codec))).toEqual(docs);
      }
    }
  });

  it('drops an attribute the table does not declare, as Firehose does: the table must declare all', async () => {
    // Firehose Developer Guide, "Convert input data format": "the converted data will not
    // contain attributes that are not specified in the schema".
    const doc = { ...asArchived[0], not_a_column: 'x' };
    expect(lakeColumns.map((c) => c.name)).not.toContain('not_a_column');
    const [back] = await parquetToDocuments(documentsToParquet([doc]));
    expect(back).toEqual(asArchived[0]);
  });

  it('refuses a value its column cannot hold, naming the column', () => {
    expect(() => documentsToParquet([{ ...asArchived[0], class_uid: 'API Activity' }])).toThrow(
      ConversionError,
    );
    expect(() => documentsToParquet([{ ...asArchived[0], class_uid: 'API Activity' }])).toThrow(/class_uid/);
  });
});
