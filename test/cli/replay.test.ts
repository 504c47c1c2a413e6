import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { runCli, type CliDeps } from '../../cli/main';
import { archiveBucketName, names } from '../../contracts/names';
import { makeHandler } from '../../functions/indexer/handler';
import { FlowLogFormatRegistry } from '../../functions/shared/flow-log-formats';
import type { SearchClient } from '../../functions/shared/opensearch/client';
import { cwlPayload, encodeCwl, realCloudTrailEvents } from '../../local/corpus';
import { testTrust } from '../fixtures/trust';
import { exampleConfigPath } from '../stacks/example-app';

const s3 = mockClient(S3Client);
const lambda = mockClient(LambdaClient);
const kinesis = mockClient(KinesisClient);
const indexerArn = 'arn:aws:lambda:eu-west-1:222222222222:function:logwarden-indexer';
const alerterArn = 'arn:aws:lambda:eu-west-1:222222222222:function:logwarden-alerter';

/** OpenSearch's create: 201 the first time an _id is written, 409 after; blocked while `blocked`. */
const search = {
  stored: new Map<string, unknown>(),
  blocked: false,
  async request(method: string, _path: string, body?: string) {
    if (method === 'PUT') return { status: 200, body: {} };
    const lines = (body ?? '').trim().split('\n');
    const items = [];
    for (let i = 0; i < lines.length; i += 2) {
      const id = JSON.parse(lines[i]).create._id as string;
      if (search.blocked)
        items.push({
          create: { status: 403, error: { type: 'cluster_block_exception', reason: 'index write (api)' } },
        });
      else if (search.stored.has(id))
        items.push({ create: { status: 409, error: { type: 'version_conflict_engine_exception' } } });
      else {
        search.stored.set(id, JSON.parse(lines[i + 1]));
        items.push({ create: { status: 201 } });
      }
    }
    return { status: 200, body: { items } };
  },
} satisfies SearchClient & Record<string, unknown>;

/** The archive bucket: keys to what a real run would have kept there. */
let objects: Record<string, Buffer> = {};
const keptBy = new S3Client({ region: 'eu-west-1' });

/** The real indexer handler, answering Lambda Invoke as the deployed function would. */
const indexer = makeHandler({
  search,
  s3: keptBy,
  archiveBucket: 'archive',
  formats: new FlowLogFormatRegistry(),
  trust: testTrust,
  knownIndices: new Set(),
  bulk: { sleep: async () => undefined, maxAttempts: 2 },
  lastSeen: { ddb: new DynamoDBClient({ region: 'eu-west-1' }), table: 'last-seen' },
  logger: new Logger({ logLevel: 'SILENT' }),
  metrics: new Metrics({ namespace: 'logwarden-test' }),
});

beforeEach(() => {
  objects = {};
  search.stored.clear();
  search.blocked = false;
  s3.reset();
  lambda.reset();
  kinesis.reset();
  s3.on(PutObjectCommand).callsFake((input: { Key: string; Body: string }) => {
    objects[input.Key] = Buffer.from(input.Body);
    return {};
  });
  s3.on(ListObjectsV2Command).callsFake((input: { Bucket: string; Prefix: string }) => ({
    // Only the archive, by its fixed name for the example config (contracts/names.ts).
    Contents:
      input.Bucket === archiveBucketName('222222222222', 'eu-west-1')
        ? Object.keys(objects)
            .filter((k) => k.startsWith(input.Prefix))
            .map((Key) => ({ Key }))
        : [],
  }));
  s3.on(GetObjectCommand).callsFake((input: { Key: string }) => ({
    // What the replay reads of a GetObject body.
    Body: { transformToByteArray: async () => new Uint8Array(objects[input.Key]) },
  }));
  lambda.on(InvokeCommand).callsFake(async (input: { FunctionName: string; Payload: Uint8Array }) => {
    const event = JSON.parse(Buffer.from(input.Payload).toString());
    const result = input.FunctionName === indexerArn ? await indexer(event) : { batchItemFailures: [] };
    return { StatusCode: 200, Payload: Buffer.from(JSON.stringify(result)) };
  });
  kinesis.on(PutRecordsCommand).callsFake((input: { Records: unknown[] }) => ({
    FailedRecordCount: 0,
    Records: input.Records.map((_, i) => ({ SequenceNumber: String(i), ShardId: 's' })),
  }));
});

function cli(configPath = exampleConfigPath) {
  const out: string[] = [];
  const err: string[] = [];
  const regions: string[] = [];
  const deps: CliDeps = {
    io: { out: (l) => out.push(l), err: (l) => err.push(l) },
    clients: () => ({
      ddb: new DynamoDBClient({}),
      sfn: new SFNClient({}),
      orgs: new OrganizationsClient({}),
      sts: new STSClient({}),
    }),
    replayClients: (_config, _timeouts, region) => (
      regions.push(region),
      {
        s3: new S3Client({ region: 'eu-west-1' }),
        lambda: new LambdaClient({ region: 'eu-west-1' }),
        kinesis: new KinesisClient({ region: 'eu-west-1' }),
      }
    ),
    sleep: async () => undefined,
    now: () => new Date('2026-11-29T01:02:03.456Z'),
    pollMs: 0,
    env: {},
  };
  const run = (...args: string[]) =>
    runCli(['replay', '--indexer', indexerArn, ...args, '--config', configPath], deps);
  return { run, out, err, regions };
}

const stop = realCloudTrailEvents().find((e) => e.event.eventName === 'StopLogging')!.event;
const record = encodeCwl(
  cwlPayload([JSON.stringify(stop), 'an application line'], { logGroup: 'aws-cloudtrail-logs' }),
);
const kinesisEvent = (data: string) => ({
  Records: [
    { kinesis: { data, sequenceNumber: '4950', approximateArrivalTimestamp: 1732800000, partitionKey: 'p' } },
  ],
});

describe('logwarden replay (issue 21 §19)', () => {
  it('documents kept under rejected/ are indexed by a replay once OpenSearch takes them; a second replay writes nothing', async () => {
    // An indexer whose OpenSearch refused both documents for good kept them under rejected/.
    const refusing: SearchClient = {
      request: async (method, _path, body) =>
        method === 'PUT'
          ? { status: 200, body: {} }
          : {
              status: 200,
              body: {
                items: (body ?? '')
                  .trim()
                  .split('\n')
                  .filter((_, i) => i % 2 === 0)
                  .map(() => ({
                    create: { status: 400, error: { type: 'mapper_parsing_exception', reason: 'x' } },
                  })),
              },
            },
    };
    const before = makeHandler({
      search: refusing,
      s3: keptBy,
      archiveBucket: 'archive',
      formats: new FlowLogFormatRegistry(),
      trust: testTrust,
      knownIndices: new Set(),
      lastSeen: { ddb: new DynamoDBClient({ region: 'eu-west-1' }), table: 'last-seen' },
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'logwarden-test' }),
    });
    await before(kinesisEvent(record) as never);
    expect(Object.keys(objects).filter((k) => k.startsWith('rejected/'))).toHaveLength(2);

    // A write block now: nothing is indexed, the command says so and exits 1.
    search.blocked = true;
    const blocked = cli();
    expect(await blocked.run('--from', 'rejected')).toBe(1);
    expect(blocked.err.join('\n')).toContain('not indexed yet');
    expect(search.stored.size).toBe(0);

    search.blocked = false;
    const first = cli();
    expect(await first.run('--from', 'rejected')).toBe(0);
    expect(first.out.at(-1)).toBe('replayed 2 object(s): 2 document(s), 0 record(s); 0 not replayed');
    expect(search.stored.size).toBe(2);
    const again = cli();
    expect(await again.run('--from', 'rejected')).toBe(0);
    expect(search.stored.size).toBe(2);
  });

  it('a record Firehose kept in errors/ goes back into the central stream, byte for byte', async () => {
    objects['errors/processing-failed/2026/11/29/obj-1.gz'] = gzipSync(
      [record, record]
        .map((rawData) => JSON.stringify({ errorCode: 'Lambda.ProcessingFailed', rawData }))
        .join('\n'),
    );
    const c = cli();
    expect(await c.run('--from', 'errors')).toBe(0);
    const put = kinesis.commandCalls(PutRecordsCommand)[0].args[0].input;
    expect(put.StreamName).toBe(names.centralStream);
    expect(put.Records!.map((r) => Buffer.from(r.Data!).toString('base64'))).toEqual([record, record]);
  });

  it('a record kept decompressed goes back gzip, as CloudWatch Logs writes it and the stream decompresses it', async () => {
    const plain = gunzipSync(Buffer.from(record, 'base64'));
    objects['errors/processing-failed/2026/11/29/obj-2'] = Buffer.from(
      JSON.stringify({ errorCode: 'Lambda.ProcessingFailed', rawData: plain.toString('base64') }),
    );
    const c = cli();
    expect(await c.run('--from', 'errors')).toBe(0);
    const data = Buffer.from(kinesis.commandCalls(PutRecordsCommand)[0].args[0].input.Records![0].Data!);
    expect([data[0], data[1]]).toEqual([0x1f, 0x8b]);
    expect(gunzipSync(data)).toEqual(plain);
  });

  it('a record Firehose could not decompress stays in errors/: put back, it would fail again', async () => {
    objects['errors/decompression-failed/2026/11/29/obj-1'] = Buffer.from(
      JSON.stringify({ rawData: Buffer.from('not gzip').toString('base64') }),
    );
    const c = cli();
    expect(await c.run('--from', 'errors')).toBe(0);
    expect(kinesis).not.toHaveReceivedCommand(PutRecordsCommand);
    expect(c.out[0]).toBe(
      'kept errors/decompression-failed/2026/11/29/obj-1: records Firehose could not decompress; they would fail again; not replayed',
    );
  });

  it('a document the Parquet conversion refused stays in errors/: it is OCSF, not a stream record', async () => {
    // Firehose Developer Guide, "Handling errors for data format conversion": "When Amazon Data
    // Firehose can't parse or deserialize a record (for example, when the data doesn't match the
    // schema), it writes it to Amazon S3 with an error prefix": rawData is the transform's output.
    const ocsf = Buffer.from(JSON.stringify({ class_uid: 'not an int', raw_data: 'line' })).toString(
      'base64',
    );
    objects['errors/format-conversion-failed/2026/11/29/obj-1'] = Buffer.from(
      JSON.stringify({ ErrorCode: 'DataFormatConversion.SchemaMismatch', rawData: ocsf }),
    );
    const c = cli();
    expect(await c.run('--from', 'errors')).toBe(0);
    expect(kinesis).not.toHaveReceivedCommand(PutRecordsCommand);
    expect(c.out[0]).toBe(
      'kept errors/format-conversion-failed/2026/11/29/obj-1: documents the lake table cannot hold, not stream records; not replayed',
    );
  });

  it('a batch the on-failure destination kept goes back to the function that failed it, not to the stream', async () => {
    const invocation = (fn: string) =>
      JSON.stringify({
        requestContext: { functionArn: fn, condition: 'RetryAttemptsExhausted' },
        version: '1.0',
        KinesisBatchInfo: { batchSize: 1 },
        payload: JSON.stringify(kinesisEvent(record)),
      });
    objects['aws/lambda/uuid/shardId-0/2026/11/29/a.json'] = Buffer.from(invocation(indexerArn));
    objects['aws/lambda/uuid/shardId-0/2026/11/29/b.json'] = Buffer.from(invocation(alerterArn));
    const c = cli();
    expect(await c.run('--from', 'failed')).toBe(0);
    expect(lambda.commandCalls(InvokeCommand).map((call) => call.args[0].input.FunctionName)).toEqual([
      indexerArn,
      alerterArn,
    ]);
    expect(kinesis).not.toHaveReceivedCommand(PutRecordsCommand);
    expect(search.stored.size).toBe(2);
  });

  it('--dry-run lists and replays nothing; an unknown source is a usage error', async () => {
    objects['errors/processing-failed/2026/11/29/obj-1'] = Buffer.from(JSON.stringify({ rawData: record }));
    const c = cli();
    expect(await c.run('--dry-run')).toBe(0);
    expect(c.out[0]).toMatch(/^would replay errors\/processing-failed\/2026\/11\/29\/obj-1: 1 record/);
    expect(kinesis).not.toHaveReceivedCommand(PutRecordsCommand);
    const bad = cli();
    expect(await bad.run('--from', 'everything')).toBe(2);
    expect(bad.err[0]).toContain('unknown source(s) everything');
  });

  it('with pipeline.regional, --region replays that pipeline: its archive, in its region; a region without a pipeline is a usage error', async () => {
    const regional = path.join(__dirname, '..', 'stacks', 'fixtures', 'regional.config.json');
    const c = cli(regional);
    expect(await c.run('--region', 'eu-central-1', '--dry-run')).toBe(0);
    expect(c.regions).toEqual(['eu-central-1']);
    expect(s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input.Bucket)).toContain(
      archiveBucketName('222222222222', 'eu-central-1'),
    );
    // us-west-2 is governed, but its logs go to the pipeline of its group, in us-east-1.
    const grouped = cli(regional);
    expect(await grouped.run('--region', 'us-west-2')).toBe(2);
    expect(grouped.err[0]).toBe(
      'error: --region us-west-2 runs no pipeline (pipeline regions: eu-west-1, eu-central-1, us-east-1)',
    );
    // Without pipeline.regional only the home region has one.
    const central = cli();
    expect(await central.run('--region', 'eu-central-1')).toBe(2);
    expect(central.regions).toEqual([]);
  });
});
