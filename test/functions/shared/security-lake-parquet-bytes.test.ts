/**
 * The bytes of the Security Lake objects the corpus makes, pinned: the writer is made faster
 * (issue 25) without changing what it writes. Each class's documents as one object, each
 * document as its own object (what a small archive object makes), and the class repeated to
 * 12,000 rows, each as the SHA-256 of the bytes written before the writer was made faster
 * (hyparquet-writer 0.17.0's parquetWriteBuffer over the whole columns). A change of
 * hyparquet-writer, of zlib's gzip output or of the class schemas changes them: check then that
 * the objects read back equal (security-lake-parquet.test.ts) and pin the new bytes.
 */
import { createHash } from 'node:crypto';
import { securityLakeClasses } from '../../../contracts/security-lake';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { gzipCodec, PARQUET_PAGE_BYTES } from '../../../functions/shared/lake-parquet';
import {
  securityLakeColumnsOf,
  securityLakeParquet,
  securityLakeParquetSchema,
  securityLakeRow,
} from '../../../functions/shared/security-lake-parquet';
import { corpusDocuments } from '../../ocsf/corpus-documents';

type Doc = Record<string, unknown> & { class_uid: number };
const corpus = corpusDocuments().map(({ doc }) => JSON.parse(JSON.stringify(doc)) as Doc);
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Each class's objects' digests: [whole class, every document alone, the class repeated to 12,000 rows]. */
function digests(classUid: number): [string, string, string] {
  const docs = corpus.filter((d) => d.class_uid === classUid);
  const alone = createHash('sha256');
  for (const d of docs) alone.update(sha(securityLakeParquet([d])));
  const many = Array.from({ length: 12_000 }, (_, i) => docs[i % docs.length]);
  return [sha(securityLakeParquet(docs)), alone.digest('hex'), sha(securityLakeParquet(many))];
}

const pinned: Record<number, [string, string, string]> = {
  2004: [
    '7fe54cfb7bed76e26840db4c8ee093e1c42b00bee57bc2f7d1206034cda49179',
    '72d86b47b77118a80baf9c8bcad55154c79a2c7f735c4df1a9c936fac382cce4',
    '6f68ffef7ca592e69fc9899628c8ee8e6d2eed6e072edf126876cb2f6ac7977c',
  ],
  3001: [
    '5455a63038eb8180fd24506d494e71220ee43062d60e2943d98ad464a62b0050',
    'ed7fe632e0e9ebdf8151c36c257b843457e4f3bc032ddaef0b7151d624a1e811',
    '58220b20506fc65e1aeaa68f2661d214fed731402b691d43b7c9b164d268fa83',
  ],
  3002: [
    'f3ba65287d5bb16e8cee2b589a7bfcd7cf50fe1ac7c594d10f415f1997888846',
    '02353e8e159c8571a76dc10aee9d6e18a8d583e5ecde9afd9766b555711101ef',
    'a407cab6ce71035bbcaf0f41a16368816a9b4c90a42066dd72ad0d95fd9a82f4',
  ],
  4001: [
    '7a8c30c896c91c1f92c93717f209687cae85c55c46e285a4de52ae17e75ec35b',
    'e96c5d01c614b75bf4e494199d0fc672caccdff1e1282ad192309a89db477d85',
    'bcaf8bdac44d71769951daf20988c8d7f2f87aee9b7809b0c6edf9f7d7263733',
  ],
  6003: [
    '934c6867b5648ab4e33a10491e1ddfb18274a6d669cdd6c096b410c83257dd65',
    '139092ecd8ca46af3a5361e1f7d92c53e71b20a9baf79672ec38d7e3b7964000',
    'cd6b8536f74ee580fd45aa1ecdf0ba6cac15a6f48a9a122aa353bf115f0a9678',
  ],
};

describe('the Security Lake objects of the corpus are byte for byte what they were (issue 25)', () => {
  for (const cls of securityLakeClasses)
    it(`${cls.eventClass} (${cls.classUid})`, () => {
      expect(digests(cls.classUid)).toEqual(pinned[cls.classUid]);
    });

  // Several row groups (the deployed 1,000,000 rows a group are more than the corpus has): the
  // same bytes as hyparquet-writer's own parquetWriteBuffer writes of the same rows and schema.
  for (const cls of securityLakeClasses)
    it(`${cls.eventClass} (${cls.classUid}) in row groups of 1 and 5 rows, as parquetWriteBuffer writes them`, () => {
      const docs = corpus.filter((d) => d.class_uid === cls.classUid).slice(0, 12);
      const rows = docs.map(securityLakeRow);
      for (const rowGroupSize of [1, 5]) {
        const reference = parquetWriteBuffer({
          columnData: securityLakeColumnsOf(cls.classUid).map((c) => ({
            name: c.name,
            data: rows.map((r) => r[c.name]),
          })),
          schema: securityLakeParquetSchema(cls.classUid) as never,
          codec: 'GZIP',
          compressors: gzipCodec,
          rowGroupSize,
          pageSize: PARQUET_PAGE_BYTES,
        });
        expect(sha(securityLakeParquet(docs, 'GZIP', rowGroupSize))).toBe(sha(new Uint8Array(reference)));
      }
    });

  it('a document with what its class lacks (unmapped) and misfit values', () => {
    const base = corpus.find((d) => d.class_uid === 6003)!;
    const doc: Doc = {
      ...base,
      logwarden_extra: { a: [1, null, 'x'] },
      actor: { ...(base.actor as object), user: { name: 'alice', nickname: 'al' } },
      severity_id: 'high',
      resources: [...((base.resources as unknown[]) ?? []), 'not an object', null],
      unmapped: { 'requestParameters.name': 'trail', nested: { n: null } },
    };
    expect(sha(securityLakeParquet([doc, base]))).toBe(
      '4e93a261b46be8ea3d60a3ca921c56febc8f40298de2661d57593720ad78cd3e',
    );
  });
});
