import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { runCli, type CliDeps } from '../../cli/main';
import { archiveBucketName, centralStreamArn, names } from '../../contracts/names';
import { makeHandler } from '../../functions/indexer/handler';
import { FlowLogFormatRegistry } from '../../functions/shared/flow-log-formats';
import type { SearchClient } from '../../functions/shared/opensearch/client';
import { cwlPayload, encodeCwl, realCloudTrailEvents } from '../../local/corpus';
import { testTrust } from '../fixtures/trust';
import { exampleConfigPath } from '../stacks/example-app';

const s3 = mockClient(S3Client);
const lambda = mockClient(LambdaClient);
const kinesis = mockClient(KinesisClient);
const firehose = mockClient(FirehoseClient);
/** The Region each Firehose client replay made was for, in order. */
let firehoseRegions: string[] = [];
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
  firehose.reset();
  firehoseRegions = [];
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
        firehose: (r: string) => (firehoseRegions.push(r), new FirehoseClient({ region: r })),
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
/**
 * An error object's name as Firehose writes it: "<evaluated prefix><suffix>, where the suffix has
 * the format <Firehose stream name>-<Firehose stream version>-<year>-<month>-<day>-<hour>-<minute>-
 * <second>-<uuid><file extension>" (Firehose Developer Guide, "Configure Amazon S3 object name format").
 */
const objectOf = (stream: string, n: number) =>
  `${stream}-1-2026-11-29-01-02-03-0b1c2d3e-0000-4000-8000-00000000000${n}`;
const centralObject = (n: number) => objectOf(names.archiveFirehose, n);
const flowLogObject = (n: number) => objectOf(names.flowLogsFirehose, n);
/** A Firehose error object of the central stream's delivery stream holding these records. */
const errorObject = (records: string[]) =>
  Buffer.from(
    records.map((rawData) => JSON.stringify({ errorCode: 'Lambda.ProcessingFailed', rawData })).join('\n'),
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
    expect(first.out.at(-1)).toBe(
      'replayed 2 object(s): 2 document(s), 0 record(s); 0 kept as they are; 0 not replayed',
    );
    expect(search.stored.size).toBe(2);
    const again = cli();
    expect(await again.run('--from', 'rejected')).toBe(0);
    expect(search.stored.size).toBe(2);
  });

  it('a record Firehose kept in errors/ goes back into the central stream, byte for byte', async () => {
    objects[`errors/processing-failed/2026/11/29/${centralObject(1)}.gz`] = gzipSync(
      [record, record]
        .map((rawData) => JSON.stringify({ errorCode: 'Lambda.ProcessingFailed', rawData }))
        .join('\n'),
    );
    const c = cli();
    expect(await c.run('--from', 'errors')).toBe(0);
    const put = kinesis.commandCalls(PutRecordsCommand)[0].args[0].input;
    expect(put.StreamARN).toBe(centralStreamArn('eu-west-1', '222222222222'));
    expect(put.Records!.map((r) => Buffer.from(r.Data!).toString('base64'))).toEqual([record, record]);
  });

  it('a record kept decompressed goes back gzip, as CloudWatch Logs writes it and the stream decompresses it', async () => {
    const plain = gunzipSync(Buffer.from(record, 'base64'));
    objects[`errors/processing-failed/2026/11/29/${centralObject(2)}`] = Buffer.from(
      JSON.stringify({ errorCode: 'Lambda.ProcessingFailed', rawData: plain.toString('base64') }),
    );
    const c = cli();
    expect(await c.run('--from', 'errors')).toBe(0);
    const data = Buffer.from(kinesis.commandCalls(PutRecordsCommand)[0].args[0].input.Records![0].Data!);
    expect([data[0], data[1]]).toEqual([0x1f, 0x8b]);
    expect(gunzipSync(data)).toEqual(plain);
  });

  it('a record Firehose could not decompress stays in errors/: put back, it would fail again', async () => {
    objects[`errors/decompression-failed/2026/11/29/${centralObject(1)}`] = Buffer.from(
      JSON.stringify({ rawData: Buffer.from('not gzip').toString('base64') }),
    );
    const c = cli();
    expect(await c.run('--from', 'errors')).toBe(0);
    expect(kinesis).not.toHaveReceivedCommand(PutRecordsCommand);
    expect(c.out[0]).toBe(
      `kept errors/decompression-failed/2026/11/29/${centralObject(1)}: records Firehose could not decompress; they would fail again; not replayed`,
    );
    // Kept is not replayed: the summary counts it apart.
    expect(c.out.at(-1)).toBe(
      'replayed 0 object(s): 0 document(s), 0 record(s); 1 kept as they are; 0 not replayed',
    );
  });

  it('a record the Parquet conversion refused is the stream record, compressed: it goes back into the central stream', async () => {
    // Firehose Developer Guide, "Troubleshoot decompression in Firehose": "If Amazon Data Firehose
    // errors out in the processing steps after decompression like Dynamic Partitioning and Data
    // Format Conversion, the record is delivered in compressed format to the error S3 bucket";
    // "Handling errors for data format conversion" gives its error record (rawData,
    // sequenceNumber, subSequenceNumber, dataCatalogTable, ...).
    objects[`errors/format-conversion-failed/2026/11/29/${centralObject(1)}`] = Buffer.from(
      JSON.stringify({
        attemptsMade: 1,
        ErrorCode: 'DataFormatConversion.SchemaMismatch',
        rawData: record,
        sequenceNumber: '4950',
        subSequenceNumber: 0,
      }),
    );
    const c = cli();
    expect(await c.run('--from', 'errors')).toBe(0);
    const put = kinesis.commandCalls(PutRecordsCommand)[0].args[0].input;
    expect(put.StreamARN).toBe(centralStreamArn('eu-west-1', '222222222222'));
    expect(put.Records!.map((r) => Buffer.from(r.Data!).toString('base64'))).toEqual([record]);
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
    objects[`errors/processing-failed/2026/11/29/${centralObject(1)}`] = Buffer.from(
      JSON.stringify({ rawData: record }),
    );
    const c = cli();
    expect(await c.run('--dry-run')).toBe(0);
    expect(c.out[0]).toBe(
      `would replay errors/processing-failed/2026/11/29/${centralObject(1)}: 1 record(s) back into ${centralStreamArn('eu-west-1', '222222222222')}`,
    );
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

describe('logwarden replay: each object on its own, PutRecords within its limits, each record where its stream belongs', () => {
  const stream = centralStreamArn('eu-west-1', '222222222222');
  const putCalls = () => kinesis.commandCalls(PutRecordsCommand).map((c) => c.args[0].input);

  it('an archived object fails alone, with how to restore it; the objects after it are replayed', async () => {
    // S3 API Reference, GetObject: "If the object you are retrieving is stored in the S3 Glacier
    // Flexible Retrieval storage class, the S3 Glacier Deep Archive storage class, ... before you
    // can retrieve the object you must first restore a copy using RestoreObject. Otherwise, this
    // operation returns an InvalidObjectState error." The lifecycle moves every prefix there.
    const archived = `errors/processing-failed/2026/11/29/${centralObject(1)}`;
    const later = `errors/processing-failed/2026/11/29/${centralObject(2)}`;
    objects[archived] = errorObject([record]);
    objects[later] = errorObject([record]);
    s3.on(GetObjectCommand, { Key: archived }).rejects(
      Object.assign(new Error('The operation is not valid for the object storage class'), {
        name: 'InvalidObjectState',
        StorageClass: 'DEEP_ARCHIVE',
      }),
    );
    const c = cli();
    expect(await c.run('--from', 'errors')).toBe(1);
    expect(putCalls()).toHaveLength(1);
    expect(c.out.at(-1)).toBe(
      'replayed 1 object(s): 0 document(s), 1 record(s); 0 kept as they are; 1 not replayed',
    );
    expect(c.err).toEqual([
      `not replayed: ${archived}: archived (DEEP_ARCHIVE): restore a copy first, then replay again once it is restored: ` +
        `aws s3api restore-object --bucket ${archiveBucketName('222222222222', 'eu-west-1')} --key ${archived} ` +
        `--restore-request '{"Days":7,"GlacierJobParameters":{"Tier":"Bulk"}}' (docs/operating.md)`,
    ]);
  });

  it('an object that is not JSON fails alone, in every source; the others are replayed', async () => {
    objects[`errors/processing-failed/2026/11/29/${centralObject(1)}`] = Buffer.from('{"rawData": trunc');
    objects[`errors/processing-failed/2026/11/29/${centralObject(2)}`] = errorObject([record]);
    objects['aws/lambda/uuid/shardId-0/2026/11/29/a.json'] = Buffer.from('not json');
    objects['rejected/2026-11-29/x.json'] = Buffer.from('{');
    // What the indexer keeps of a document it could not serialize: nothing to index, not a failure.
    objects['rejected/2026-11-29/y.json'] = Buffer.from(
      JSON.stringify({ reason: 'r', status: 400, serializationError: 'cyclic', raw_data: 'line' }),
    );
    const c = cli();
    expect(await c.run()).toBe(1);
    expect(c.out).toContain(
      'kept rejected/2026-11-29/y.json: a document the indexer could not serialize (its raw_data only); not replayable',
    );
    expect(putCalls()).toHaveLength(1);
    expect(c.err).toEqual([
      'not replayed: rejected/2026-11-29/x.json: not what the indexer keeps (not JSON): not replayed',
      `not replayed: errors/processing-failed/2026/11/29/${centralObject(1)}: line 1 is not a Firehose error record (not JSON): not replayed`,
      'not replayed: aws/lambda/uuid/shardId-0/2026/11/29/a.json: not an invocation record (not JSON): not replayed',
    ]);
  });

  it('501 records go in two PutRecords calls, each within 500 entries and 5 MiB', async () => {
    // Kinesis API Reference, PutRecords: "Each PutRecords request can support up to 500 records.
    // Each record in the request can be as large as 1 MiB, up to a limit of 5 MiB for the entire
    // request, including partition keys."
    objects[`errors/processing-failed/2026/11/29/${centralObject(1)}`] = errorObject(
      Array.from({ length: 501 }, () => record),
    );
    // Seven records of 900,000 bytes (random, gzip): 6.3 MB, more than one request holds.
    const big = Array.from({ length: 7 }, () =>
      gzipSync(randomBytes(900_000), { level: 0 }).toString('base64'),
    );
    objects[`errors/processing-failed/2026/11/29/${centralObject(2)}`] = errorObject(big);
    const c = cli();
    expect(await c.run('--from', 'errors')).toBe(0);
    const calls = putCalls();
    expect(calls.map((p) => p.Records!.length)).toEqual([500, 1, 5, 2]);
    for (const p of calls) {
      expect(p.StreamARN).toBe(stream);
      const bytes = p.Records!.reduce((n, r) => n + r.Data!.length + Buffer.byteLength(r.PartitionKey!), 0);
      expect(bytes).toBeLessThanOrEqual(5 * 1024 * 1024);
    }
    expect(c.out.at(-1)).toBe(
      'replayed 2 object(s): 0 document(s), 508 record(s); 0 kept as they are; 0 not replayed',
    );
  });

  it('entries PutRecords failed (FailedRecordCount, ErrorCode) are retried alone; those that keep failing are reported, not counted', async () => {
    // Kinesis API Reference, PutRecordsResultEntry: "A record that fails to be added to the stream
    // includes ErrorCode and ErrorMessage in the result."
    const a = gzipSync('a').toString('base64');
    const b = gzipSync('b').toString('base64');
    objects[`errors/processing-failed/2026/11/29/${centralObject(1)}`] = errorObject([a, b]);
    let call = 0;
    kinesis.on(PutRecordsCommand).callsFake((input: { Records: { Data: Uint8Array }[] }) => {
      call++;
      return {
        FailedRecordCount: input.Records.filter((r) => gunzipSync(r.Data).toString() === 'b').length,
        Records: input.Records.map((r, i) =>
          gunzipSync(r.Data).toString() === 'b' && call < 3
            ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' }
            : { SequenceNumber: String(i), ShardId: 's' },
        ),
      };
    });
    const retried = cli();
    expect(await retried.run('--from', 'errors')).toBe(0);
    expect(putCalls().map((p) => p.Records!.length)).toEqual([2, 1, 1]);
    expect(retried.out.at(-1)).toBe(
      'replayed 1 object(s): 0 document(s), 2 record(s); 0 kept as they are; 0 not replayed',
    );

    // Failing every time: after the attempts, reported failed, and only what landed counted.
    kinesis.reset();
    kinesis.on(PutRecordsCommand).callsFake((input: { Records: { Data: Uint8Array }[] }) => ({
      FailedRecordCount: 1,
      Records: input.Records.map((r, i) =>
        gunzipSync(r.Data).toString() === 'b'
          ? { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure.' }
          : { SequenceNumber: String(i), ShardId: 's' },
      ),
    }));
    const failing = cli();
    expect(await failing.run('--from', 'errors')).toBe(1);
    expect(putCalls()).toHaveLength(5);
    expect(failing.out.at(-1)).toBe(
      'replayed 0 object(s): 0 document(s), 1 record(s); 0 kept as they are; 1 not replayed',
    );
    expect(failing.err[0]).toContain(
      '1 of 2 record(s) not put into the stream after 5 attempt(s) (InternalFailure: Internal service failure.); replay again',
    );
  });

  it('an error object without records sends nothing', async () => {
    objects[`errors/processing-failed/2026/11/29/${centralObject(1)}`] = Buffer.from(
      `${JSON.stringify({ errorCode: 'Lambda.ProcessingFailed' })}\n\n`,
    );
    const c = cli();
    expect(await c.run('--from', 'errors')).toBe(0);
    expect(kinesis).not.toHaveReceivedCommand(PutRecordsCommand);
    expect(c.out[0]).toBe(
      `kept errors/processing-failed/2026/11/29/${centralObject(1)}: no record (rawData) in it; nothing to replay`,
    );
  });

  it('the direct flow-log path’s failures go back to the flow-log stream of their Region, as plain text, never into the central stream', async () => {
    // Both delivery streams write the same error prefix; Firehose names each object after its
    // stream (Firehose Developer Guide, "Configure Amazon S3 object name format"), and a
    // ProcessingFailed record names the transform that failed it: "lambdaArn - The Amazon
    // Resource Name (ARN) of the Lambda function" (Firehose Developer Guide, "Handle failure in
    // data transformation"), in the Region of its stream. A flow-log record is "plain text"
    // (VPC User Guide, "Publish flow logs to Amazon Data Firehose").
    const line =
      '2 123456789012 eni-0a1b2c3d 10.0.0.1 10.0.0.2 443 49152 6 10 840 1732800000 1732800060 ACCEPT OK';
    const key = `errors/processing-failed/2026/11/29/${flowLogObject(1)}`;
    objects[key] = Buffer.from(
      JSON.stringify({
        attemptsMade: 1,
        errorCode: 'Lambda.ProcessingFailed',
        rawData: Buffer.from(line).toString('base64'),
        lambdaArn: 'arn:aws:lambda:eu-central-1:222222222222:function:logwarden-flow-logs-transform:$LATEST',
      }),
    );
    firehose.on(PutRecordBatchCommand).callsFake((input: { Records: unknown[] }) => ({
      FailedPutCount: 0,
      RequestResponses: input.Records.map((_, i) => ({ RecordId: `r${i}` })),
    }));
    const c = cli();
    expect(await c.run('--from', 'errors')).toBe(0);
    expect(kinesis).not.toHaveReceivedCommand(PutRecordsCommand);
    expect(firehoseRegions).toEqual(['eu-central-1']);
    const batch = firehose.commandCalls(PutRecordBatchCommand)[0].args[0].input;
    expect(batch.DeliveryStreamName).toBe(names.flowLogsFirehose);
    expect(batch.Records!.map((r) => Buffer.from(r.Data!).toString('utf8'))).toEqual([line]);
    expect(c.out.at(-1)).toBe(
      'replayed 1 object(s): 0 document(s), 1 record(s); 0 kept as they are; 0 not replayed',
    );
  });

  it('a direct-path record that names no Region, or an object no logwarden stream wrote, is refused: nothing sent anywhere', async () => {
    const plain = Buffer.from(
      '2 123456789012 eni-0a1b2c3d - - - - - - - 1732800000 1732800060 - NODATA',
    ).toString('base64');
    const conversion = `errors/format-conversion-failed/2026/11/29/${flowLogObject(1)}`;
    objects[conversion] = Buffer.from(
      JSON.stringify({ ErrorCode: 'DataFormatConversion.SchemaMismatch', rawData: plain }),
    );
    const foreign = 'errors/processing-failed/2026/11/29/someone-elses-stream-1-2026-11-29-01-02-03-x';
    objects[foreign] = Buffer.from(JSON.stringify({ rawData: plain }));
    const c = cli();
    expect(await c.run('--from', 'errors')).toBe(1);
    expect(kinesis).not.toHaveReceivedCommand(PutRecordsCommand);
    expect(firehose).not.toHaveReceivedCommand(PutRecordBatchCommand);
    expect(c.err).toEqual([
      `not replayed: ${conversion}: written by ${names.flowLogsFirehose} (the direct flow-log path), and a record names no transform (lambdaArn), so not the Region of its stream; not replayed: put its rawData back by hand into ${names.flowLogsFirehose} of its Region (docs/operating.md, "replaying the direct flow-log path by hand")`,
      `not replayed: ${foreign}: not written by ${names.archiveFirehose} or ${names.flowLogsFirehose} (the object's name starts with the stream's): not replayed`,
    ]);
  });
});
