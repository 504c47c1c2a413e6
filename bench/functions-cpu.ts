/**
 * `npx tsx bench/functions-cpu.ts`: the CPU time each function that handles the pipeline's bytes
 * spends per GB of log input (the log events' message bytes; the flow-log lines on the direct
 * path), per source of bench/sources.ts, and the GB-seconds per GB that makes at each function's
 * memory (issue 26 §2). Measured on the functions' runtime with Lambda's heap flags for each
 * function's memory (bench/function-runtime.ts: one child per memory size).
 *
 * Each function is fed what it is sent as deployed:
 * - the transform on the central stream: the CloudWatch Logs payloads decompressed, as the
 *   stream's Decompression processor hands them over (local/firehose-decompression.ts), in
 *   events of the deployed processor buffer, at the deployed response limit;
 * - the transform on the direct path (flowLogs.delivery firehose): flow-log lines in
 *   logwarden's format, one record per line as VPC Flow Logs puts them
 *   (local/firehose-direct.ts), in events of that stream's processor buffer;
 * - the indexer and the alerter: the Kinesis stream's gzip records;
 * - index-archive: Parquet archive objects of the direct-path transform's documents;
 * - the Security Lake writer (archive.securityLake): Parquet archive objects of the central
 *   transform's documents.
 * The transform runs as bundled for Lambda (bench/sides.ts); the other functions from source,
 * their AWS and OpenSearch answers given in-process (every `_bulk` item created, every claim
 * won, every object read back), so the figure is their own CPU: decoding, normalizing,
 * serializing, deciding. What a function waits for (OpenSearch, S3, DynamoDB) is billed too and
 * is not in it. Firehose's decompression and Parquet conversion are Firehose's, not timed.
 *
 * Options (environment): FUNCTIONS_CPU_MB, the MB of stream records per source (default 4);
 * FUNCTIONS_CPU_ONLY, the functions to measure, comma-separated (`alerter,indexer`; default all).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { gunzipSync } from 'node:zlib';
import { detectionRules } from '../contracts/detections';
import { ALERTER_MEMORY_MB, INDEXER_MEMORY_MB, TRANSFORM_MEMORY_MB } from '../contracts/function-runtime';
import type { FirehoseInputRecord, FirehoseTransformEvent } from '../functions/transform/transform';
import type { SearchClient } from '../functions/shared/opensearch/client';
import { logwardenFormat } from '../functions/shared/flow-log-formats';
import { decompressRecord } from '../local/firehose-decompression';
import { flowLogLines } from '../local/firehose-direct';
import { benchTrust } from './bench-trust';
import { corpusRecords } from './corpus-batch';
import { benchMemoryMb, runAsFunctionRuntime, runtimeNote } from './function-runtime';
import { benchSources, type BenchSource } from './sources';

const GB = 1024 ** 3;
const REGION = 'eu-west-1';
const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/**
 * The functions measured, each at the memory its stack gives it (contracts/function-runtime.ts:
 * the stacks read the same constants; scale/pipeline.ts functionMemoryMb bills them at it).
 */
const functions = {
  transform: TRANSFORM_MEMORY_MB,
  indexer: INDEXER_MEMORY_MB,
  alerter: ALERTER_MEMORY_MB,
  transformDirect: TRANSFORM_MEMORY_MB, // stacks/central/flow-logs-firehose.ts
  indexArchive: INDEXER_MEMORY_MB, // stacks/central/archive-indexer.ts
  securityLakeWriter: INDEXER_MEMORY_MB, // stacks/central/security-lake.ts
} as const;
type Fn = keyof typeof functions;

/** Documents per archive object the benchmark builds (Firehose writes larger ones; per GB the same work). */
const DOCUMENTS_PER_OBJECT = 20_000;

/** OpenSearch answering every `_bulk` item created and every index created. */
const search: SearchClient = {
  async request(_method, path, body) {
    if (path === '/_bulk') {
      const lines = (body ?? '').split('\n').filter(Boolean).length / 2;
      return {
        status: 200,
        body: { items: Array.from({ length: lines }, () => ({ create: { status: 201 } })) },
      };
    }
    return { status: 200, body: {} };
  },
};

/** AWS clients whose every call succeeds at once (a claim won, a message published, an execution started). */
function answeringClient<T extends { send: unknown }>(client: T): T {
  (client as { send: unknown }).send = async () => ({});
  return client;
}

/** An S3 client that reads back `objects[key]` and accepts every write. */
function archiveS3(objects: Map<string, Uint8Array>): S3Client {
  const client = new S3Client({ region: REGION });
  (client as { send: unknown }).send = async (command: unknown) => {
    if (command instanceof GetObjectCommand) {
      const bytes = objects.get(command.input.Key ?? '');
      if (!bytes) throw new Error(`no archive object ${command.input.Key}`);
      return { Body: { transformToByteArray: async () => bytes } };
    }
    return {};
  };
  return client;
}

/** Message bytes of the CloudWatch Logs payloads in gzip stream records. */
function messageGb(records: FirehoseInputRecord[]): number {
  let gb = 0;
  for (const r of records) {
    const payload = JSON.parse(gunzipSync(Buffer.from(r.data, 'base64')).toString('utf8')) as {
      logEvents: { message: string }[];
    };
    for (const e of payload.logEvents) gb += Buffer.byteLength(e.message) / GB;
  }
  return gb;
}

/** Records grouped into events of at most `bufferBytes` (counted as Firehose counts what it sends). */
function buffered(
  records: { recordId: string; data: string; approximateArrivalTimestamp?: number }[],
  bufferBytes: number,
) {
  const events: FirehoseInputRecord[][] = [];
  let batch: FirehoseInputRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = Buffer.byteLength(r.data, 'base64');
    if (batch.length && bytes + size > bufferBytes) {
      events.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(r);
    bytes += size;
  }
  if (batch.length) events.push(batch);
  return events;
}

/** The documents of a transform response's Ok records (newline-delimited JSON, base64). */
function okDocuments(out: { result: string; data?: string }[]): Record<string, unknown>[] {
  const docs: Record<string, unknown>[] = [];
  for (const r of out)
    if (r.result === 'Ok' && r.data)
      for (const line of Buffer.from(r.data, 'base64').toString('utf8').split('\n'))
        if (line) docs.push(JSON.parse(line) as Record<string, unknown>);
  return docs;
}

async function measure() {
  const memoryMb = benchMemoryMb();
  const here = (Object.keys(functions) as Fn[]).filter((f) => functions[f] === memoryMb && chosen(f));
  const megabytes = Number(process.env.FUNCTIONS_CPU_MB ?? 4);
  const { transformFirehoseEvent, formats, trust } = await import('./sides');
  const { PROCESSOR_BUFFER_MB, CENTRAL_STREAM_DECOMPRESSES } =
    await import('../stacks/central/firehose-archive');
  const { DIRECT_PROCESSOR_BUFFER_MB } = await import('../stacks/central/flow-logs-firehose');
  const { alertOnStreamRecord } = await import('../functions/alerter/alerter');
  const { compileRules } = await import('../functions/alerter/detections');
  const { indexStreamRecord } = await import('../functions/indexer/indexer');
  const { indexArchiveObject } = await import('../functions/index-archive/index-archive');
  const { writeArchiveObject } = await import('../functions/security-lake-writer/security-lake-writer');
  const { documentsToParquet } = await import('../functions/shared/lake-parquet');
  const { FlowLogFormatRegistry } = await import('../functions/shared/flow-log-formats');
  // The functions run from source get the source's registry; the bundled transform its own.
  const sourceFormats = new FlowLogFormatRegistry();
  if (!CENTRAL_STREAM_DECOMPRESSES)
    throw new Error('the central stream no longer decompresses: feed the transform gzip');

  const kinesis = answeringClient(new KinesisClient({ region: REGION }));
  const objects = new Map<string, Uint8Array>();
  const s3 = archiveS3(objects);
  const alerterDeps = {
    sns: answeringClient(new SNSClient({ region: REGION })),
    sfn: answeringClient(new SFNClient({ region: REGION })),
    ddb: answeringClient(new DynamoDBClient({ region: REGION })),
    topicArn: 'arn:aws:sns:eu-west-1:222222222222:logwarden-alerts',
    stateMachineArn: 'arn:aws:states:eu-west-1:222222222222:stateMachine:logwarden-cover-account-region',
    dedupeTable: 'dedupe',
    dedupeHours: 168,
    formats: sourceFormats,
    trust: benchTrust(),
    governedRegions: [REGION, 'us-east-1'],
    managementAccount: '111111111111',
    organizationTrail: true,
    detections: compileRules(detectionRules),
    detectionSettings: { guardDutyMinSeverity: 7 },
  };
  const indexerDeps = {
    search,
    s3,
    archiveBucket: 'archive',
    formats: sourceFormats,
    trust: benchTrust(),
    knownIndices: new Set<string>(),
  };
  const lakeDeps = {
    s3,
    archiveBucket: 'archive',
    dataLakeBucket: 'aws-security-data-lake-eu-west-1-bench',
    lakeRegion: REGION,
    lakeS3For: () => answeringClient(new S3Client({ region: REGION })),
  };

  /** Archive objects of documents, as Firehose's conversion writes them (not timed: Firehose's work). */
  const archive = (docs: Record<string, unknown>[], name: string): string[] => {
    const keys: string[] = [];
    for (let i = 0; i < docs.length; i += DOCUMENTS_PER_OBJECT) {
      const key = `ocsf/${name}/${i}.parquet`;
      objects.set(key, documentsToParquet(docs.slice(i, i + DOCUMENTS_PER_OBJECT)));
      keys.push(key);
    }
    return keys;
  };
  /** The transform over `events`; with `keep`, the documents it answered (parsed after, untimed). */
  const transformAll = async (events: FirehoseTransformEvent[], input?: 'flow-log-text', keep = false) => {
    const out: { result: string; data?: string }[][] = [];
    for (const e of events) {
      const { records } = await transformFirehoseEvent(e, { formats, trust, kinesis, input });
      if (keep) out.push(records);
    }
    return out.flatMap(okDocuments);
  };

  const rows: { source: string; fn: Fn; perGb: number }[] = [];
  const time = async (source: string, fn: Fn, inputGb: number, run: () => Promise<unknown>) => {
    if (!here.includes(fn)) return;
    await run(); // once first, so the code is compiled before it is timed
    const start = cpuSeconds();
    await run();
    rows.push({ source, fn, perGb: (cpuSeconds() - start) / inputGb });
  };

  const sources = benchSources().filter((s) => s.messages.length);
  for (const source of sources) {
    const records = corpusRecords(megabytes * 1024 * 1024, [{ ...source, weight: 1 }]);
    const inputGb = messageGb(records);
    // What the central stream's Decompression processor hands the transform.
    const decompressed = records.map((r) => {
      const d = decompressRecord(Buffer.from(r.data, 'base64'));
      if (!d.ok) throw new Error(`${source.name}: ${d.errorMessage}`);
      return { ...r, data: d.data.toString('base64') };
    });
    const central = buffered(decompressed, PROCESSOR_BUFFER_MB * 1024 * 1024).map(
      (batch): FirehoseTransformEvent => ({
        records: batch,
        sourceKinesisStreamArn: 'arn:aws:kinesis:eu-west-1:222222222222:stream/logwarden-central',
      }),
    );
    await time(source.name, 'transform', inputGb, () => transformAll(central));
    await time(source.name, 'indexer', inputGb, async () => {
      for (const [i, r] of records.entries())
        await indexStreamRecord(
          { data: r.data, sequenceNumber: String(i), arrivalMs: 1_732_800_000_000 },
          indexerDeps,
        );
    });
    await time(source.name, 'alerter', inputGb, async () => {
      for (const r of records) await alertOnStreamRecord(r.data, { ...alerterDeps, inFlight: new Map() });
    });
    if (here.includes('securityLakeWriter')) {
      const keys = archive(await transformAll(central, undefined, true), source.name);
      await time(source.name, 'securityLakeWriter', inputGb, async () => {
        for (const key of keys) await writeArchiveObject(lakeDeps, { bucket: 'archive', key });
      });
    }
    if (isLogwardenFlow(source) && (here.includes('transformDirect') || here.includes('indexArchive'))) {
      const direct = directEvents(source, inputGb, DIRECT_PROCESSOR_BUFFER_MB * 1024 * 1024);
      await time(source.name, 'transformDirect', direct.inputGb, () =>
        transformAll(direct.events, 'flow-log-text'),
      );
      const keys = archive(await transformAll(direct.events, 'flow-log-text', true), `${source.name}-direct`);
      await time(source.name, 'indexArchive', direct.inputGb, async () => {
        for (const key of keys) await indexArchiveObject(indexerDeps, { bucket: 'archive', key });
      });
    }
  }
  console.log(
    `\nCPU seconds per GB of log input (${megabytes} MB of stream records per source; ${runtimeNote()})\n`,
  );
  console.log('| function (memory) | source | CPU s per GB | GB-s per GB |');
  console.log('| --- | --- | --- | --- |');
  for (const r of rows)
    console.log(
      `| ${r.fn} (${memoryMb} MB) | ${r.source} | ${r.perGb.toFixed(1)} | ${((r.perGb * memoryMb) / 1024).toFixed(1)} |`,
    );
}

const isLogwardenFlow = (source: BenchSource) => source.name === "flow logs, logwarden's format";

/**
 * The direct path's events for about the same input: the lines a flow log in logwarden's format
 * delivers (local/firehose-direct.ts flowLogLines), one record each, until their bytes reach the
 * stream path's message bytes, grouped by the direct stream's processor buffer.
 */
function directEvents(source: BenchSource, targetGb: number, bufferBytes: number) {
  const lines = flowLogLines(
    {
      FlowLogId: 'fl-bench',
      ResourceId: 'vpc-0bench',
      LogFormat: logwardenFormat.fields.map((f) => `\${${f}}`).join(' '),
    },
    source.owner,
    REGION,
  );
  if (!lines.length) throw new Error('no flow-log lines in logwarden format');
  const records: FirehoseInputRecord[] = [];
  let gb = 0;
  for (let i = 0; gb < targetGb; i++) {
    const line = lines[i % lines.length];
    gb += Buffer.byteLength(line) / GB;
    records.push({
      recordId: `d-${i}`,
      data: Buffer.from(line, 'utf8').toString('base64'),
      approximateArrivalTimestamp: 1_732_800_000_000 + i,
    });
  }
  const events = buffered(records, bufferBytes).map((batch): FirehoseTransformEvent => ({
    records: batch,
    deliveryStreamArn: 'arn:aws:firehose:eu-west-1:222222222222:deliverystream/logwarden-flow-logs',
    region: REGION,
  }));
  return { events, inputGb: gb };
}

/** `FUNCTIONS_CPU_ONLY=alerter,indexer`: measure only these functions (all when unset). */
const only = process.env.FUNCTIONS_CPU_ONLY?.split(',').map((f) => f.trim());
const unknown = only?.filter((f) => !(f in functions));
if (unknown?.length)
  throw new Error(
    `FUNCTIONS_CPU_ONLY: ${unknown.join(', ')} not one of ${Object.keys(functions).join(', ')}`,
  );
const chosen = (fn: Fn) => !only || only.includes(fn);

async function main() {
  // One child per memory size: each function measured with Lambda's heap for its own memory.
  const chosenFns = (Object.keys(functions) as Fn[]).filter(chosen);
  for (const mb of new Set(chosenFns.map((f) => functions[f]))) {
    const code = runAsFunctionRuntime(__filename, mb);
    if (code === undefined) return measure(); // in the child
    if (code) process.exit(code);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
