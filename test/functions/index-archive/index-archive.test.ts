/**
 * Search for the direct flow-log path: the archive's Parquet objects, read back and indexed with
 * the documents the stream path would index, under deterministic ids.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import type { SQSEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { FlowLogFormatRegistry, logwardenFormat } from '../../../functions/shared/flow-log-formats';
import type { SearchClient } from '../../../functions/shared/opensearch/client';
import { transformFirehoseEvent } from '../../../functions/transform/transform';
import {
  createdObjectOf,
  indexArchiveObject,
  type IndexArchiveDeps,
} from '../../../functions/index-archive/index-archive';
import { makeHandler } from '../../../functions/index-archive/handler';
import { documentsToParquet, parseDocuments } from '../../../local/lake-parquet';
import { testTrust as trust } from '../../fixtures/trust';

const s3Mock = mockClient(S3Client);
const formats = new FlowLogFormatRegistry();
const OWNER = '123456789012';
const ARRIVAL = 1732800000000;
const BUCKET = 'logwarden-archive-222222222222-eu-west-1';
const KEY = 'ocsf/source=vpcflow/date=2024-11-28/logwarden-flow-logs-1-2024-11-28-13-20-00-abc.parquet';

/** An OpenSearch stand-in that keeps ids: a second `create` of an id is a 409, as OpenSearch answers. */
function rememberingSearch(failWith?: number): SearchClient & { docs: Map<string, Record<string, unknown>> } {
  const docs = new Map<string, Record<string, unknown>>();
  return {
    docs,
    async request(method, _path, body) {
      if (method === 'PUT') return { status: 200, body: { acknowledged: true } };
      const lines = (body ?? '').trim().split('\n');
      const items = [];
      for (let i = 0; i < lines.length; i += 2) {
        const { create } = JSON.parse(lines[i]) as { create: { _index: string; _id: string } };
        const key = `${create._index}/${create._id}`;
        const status = failWith ?? (docs.has(key) ? 409 : 201);
        if (status === 201) docs.set(key, JSON.parse(lines[i + 1]));
        items.push({
          create: {
            status,
            ...(status >= 300
              ? {
                  error: {
                    type: status === 409 ? 'version_conflict_engine_exception' : 'mapper_parsing_exception',
                    reason: `status ${status}`,
                  },
                }
              : {}),
          },
        });
      }
      return { status: 200, body: { errors: items.some((x) => x.create.status >= 300), items } };
    },
  };
}

const line = (src: string) =>
  [
    '2',
    OWNER,
    'eni-1',
    src,
    '10.0.0.2',
    '443',
    '51000',
    '6',
    '10',
    '840',
    '1732799940',
    '1732800000',
    'ACCEPT',
    'OK',
  ]
    .concat(Array(logwardenFormat.fields.length - 14).fill('-'))
    .join(' ');

/** What the direct path's transform writes for these lines, as the archive's Parquet object. */
async function archived(lines: string[]) {
  const { records } = await transformFirehoseEvent(
    {
      region: 'eu-west-1',
      records: [
        {
          recordId: 'r-0',
          approximateArrivalTimestamp: ARRIVAL,
          data: Buffer.from(lines.join('\n') + '\n').toString('base64'),
        },
      ],
    },
    { input: 'flow-log-text', formats, trust, kinesis: new KinesisClient({ region: 'eu-west-1' }) },
  );
  const docs = parseDocuments(Buffer.from(records[0].data as string, 'base64').toString('utf8'));
  return { docs, parquet: documentsToParquet(docs) };
}

function serve(bytes: Uint8Array) {
  s3Mock.on(GetObjectCommand, { Bucket: BUCKET, Key: KEY }).callsFake(() => ({
    Body: { transformToByteArray: async () => bytes },
  }));
}

const deps = (search: SearchClient): IndexArchiveDeps => ({
  s3: new S3Client({ region: 'eu-west-1' }),
  search,
  archiveBucket: BUCKET,
  formats,
  trust,
  bulk: { sleep: async () => undefined, maxAttempts: 2 },
});

const objectCreated = (key = KEY) =>
  JSON.stringify({
    'detail-type': 'Object Created',
    source: 'aws.s3',
    detail: { bucket: { name: BUCKET }, object: { key } },
  });

beforeEach(() => s3Mock.reset());

describe('index-archive: the direct path’s archive objects into OpenSearch', () => {
  it('indexes every row as the document the transform wrote (rebuilt from raw_data, account and Region), and a re-delivery writes nothing new', async () => {
    const lines = [line('10.0.0.1'), line('10.0.0.3'), 'not a flow record'];
    const { docs, parquet } = await archived(lines);
    serve(parquet);
    const search = rememberingSearch();
    const first = await indexArchiveObject(deps(search), { bucket: BUCKET, key: KEY });
    expect(first).toEqual({ documents: 3, indexed: 3, alreadyIndexed: 0, rejected: 0 });
    expect([...search.docs.values()]).toEqual(docs);
    const again = await indexArchiveObject(deps(search), { bucket: BUCKET, key: KEY });
    expect(again).toEqual({ documents: 3, indexed: 0, alreadyIndexed: 3, rejected: 0 });
    expect(search.docs.size).toBe(3);
  });

  it('documents OpenSearch cannot take now fail the message (it comes back); refused ones are kept under rejected/', async () => {
    const { parquet } = await archived([line('10.0.0.1')]);
    serve(parquet);
    await expect(
      indexArchiveObject(deps(rememberingSearch(429)), { bucket: BUCKET, key: KEY }),
    ).rejects.toThrow(/not indexed yet/);
    s3Mock.on(PutObjectCommand).resolves({});
    const kept = await indexArchiveObject(deps(rememberingSearch(400)), { bucket: BUCKET, key: KEY });
    expect(kept.rejected).toBe(1);
    expect(s3Mock.commandCalls(PutObjectCommand)[0].args[0].input.Key).toMatch(
      /^rejected\/.*index-archive\//,
    );
  });

  it('an event that is not an S3 Object Created event is refused with the field that is wrong', () => {
    expect(createdObjectOf(objectCreated())).toEqual({ bucket: BUCKET, key: KEY });
    expect(() => createdObjectOf('{')).toThrow(/not JSON/);
    expect(() => createdObjectOf(JSON.stringify({ 'detail-type': 'Object Deleted' }))).toThrow(/detail-type/);
    expect(() => createdObjectOf(JSON.stringify({ 'detail-type': 'Object Created', detail: {} }))).toThrow(
      /detail.bucket.name/,
    );
  });

  it('the handler reports partial batch failures: the message that failed, not the batch', async () => {
    const { parquet } = await archived([line('10.0.0.1')]);
    serve(parquet);
    const handler = makeHandler({
      ...deps(rememberingSearch()),
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'test', serviceName: 'test' }),
    });
    const event = {
      Records: [
        { messageId: 'm-1', body: objectCreated() },
        { messageId: 'm-2', body: '{"detail-type":"Object Deleted"}' },
      ],
    } as unknown as SQSEvent;
    expect(await handler(event)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }] });
  });
});
