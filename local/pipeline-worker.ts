/**
 * The log-archive account's consumers, locally, in a process of their own; each consumer runs
 * with the environment the central stack gives it and its own execution role's credentials
 * (LOGWARDEN_FUNCTION_ENVIRONMENTS), the Firehose stand-in with the delivery stream's role
 * (LOGWARDEN_FIREHOSE_CREDENTIALS); the process itself has no credentials. It drains the
 * central stream from the checkpoint in LOGWARDEN_CHECKPOINT: the Firehose stand-in with the
 * real transform into S3, the real indexer into OpenSearch, the real alerter into SNS. It
 * prints one JSON line of what it did, failures included.
 *
 * Checkpoints follow the event source mapping's contract for partial batch responses: a shard
 * is committed only up to the record before its first failed one, so the next run reads the
 * failed record again (and re-processes, idempotently, what followed it). A consumer that
 * throws fails every record of its batch, as a Lambda error does.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import type { FirehoseOutputRecord, FirehoseTransformEvent } from '../functions/transform/transform';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createClient, inFunctionEnvironment } from '../functions/shared/clients';
import { FirehoseS3Client, deliverToArchive, type DeliveryStats } from './firehose-driver';
import { StreamReader, toKinesisStreamEvent } from './kinesis-reader';
import { commitPositions, type ConsumerFailure } from './checkpoint';

type Consumer = (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse>;

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (local/scenario/pipeline.ts sets it)`);
  return value;
}

/** What the central stack gives each consumer, its role's credentials included (drainPipeline). */
const functionEnvironments = JSON.parse(requiredEnv('LOGWARDEN_FUNCTION_ENVIRONMENTS')) as Record<
  string,
  Record<string, string>
>;

function environmentOf(name: string): Record<string, string | undefined> {
  if (!functionEnvironments[name]) throw new Error(`no environment for ${name}`);
  return { ...process.env, ...functionEnvironments[name] };
}

/**
 * A consumer's real handler, built by its factory from its own environment and run in it, so
 * every client it builds signs with its own execution role.
 */
async function consumer<E, R>(name: 'transform' | 'indexer' | 'alerter'): Promise<(event: E) => Promise<R>> {
  const mod = (await import(`../functions/${name}/handler`)) as {
    makeHandler: (deps: unknown) => (event: E) => Promise<R>;
    depsFromEnv: (env: Record<string, string | undefined>) => unknown;
  };
  const env = environmentOf(name);
  const handler = inFunctionEnvironment(env, () => mod.makeHandler(mod.depsFromEnv(env)));
  return (event) => inFunctionEnvironment(env, () => handler(event));
}

async function main() {
  const stream = requiredEnv('LOGWARDEN_STREAM');
  const checkpoint = requiredEnv('LOGWARDEN_CHECKPOINT');
  const region = requiredEnv('AWS_REGION');
  const streamArn = `arn:aws:kinesis:${region}:${requiredEnv('LOGWARDEN_ACCOUNT')}:stream/${stream}`;
  const committed = existsSync(checkpoint)
    ? (JSON.parse(readFileSync(checkpoint, 'utf8')) as Record<string, string>)
    : {};
  // The event source mapping reads the stream with the function's execution role (Lambda
  // Developer Guide, Kinesis: the execution role needs kinesis:GetRecords, GetShardIterator ...):
  // the indexer's here, for both consumers' shared read.
  const kinesis = inFunctionEnvironment(environmentOf('indexer'), () =>
    createClient(KinesisClient, { http1: true }),
  );
  const reader = new StreamReader(kinesis, stream, { ...committed });
  // Firehose writes the archive with the delivery stream's role.
  const firehose = JSON.parse(requiredEnv('LOGWARDEN_FIREHOSE_CREDENTIALS')) as {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
  };
  const s3 = createClient(FirehoseS3Client, { credentials: async () => firehose });
  const transform = await consumer<FirehoseTransformEvent, { records: FirehoseOutputRecord[] }>('transform');
  const consumers: [string, Consumer][] = [
    ['indexer', await consumer<KinesisStreamEvent, KinesisStreamBatchResponse>('indexer')],
    ['alerter', await consumer<KinesisStreamEvent, KinesisStreamBatchResponse>('alerter')],
  ];
  const stats: DeliveryStats = { invocations: 0, ok: 0, dropped: 0, processingFailed: 0, objects: [] };
  let records = 0;
  const failures: ConsumerFailure[] = [];
  const frozen = new Set<string>();
  // Halves the transform re-ingests come back through the stream: read until it is drained.
  for (let round = 0; round < 20; round++) {
    const read = await reader.read();
    if (!read.length) break;
    const batch = read.map((r) => r.record);
    records += batch.length;
    await deliverToArchive(
      batch,
      {
        s3,
        bucket: requiredEnv('LOGWARDEN_ARCHIVE_BUCKET'),
        sourceStreamArn: streamArn,
        transform,
        runId: requiredEnv('LOGWARDEN_RUN_ID'),
      },
      stats,
    );
    const event = toKinesisStreamEvent(batch, streamArn, region);
    const roundFailures: ConsumerFailure[] = [];
    for (const [consumer, handler] of consumers) {
      try {
        const res = await handler(event);
        for (const f of res.batchItemFailures)
          roundFailures.push({
            consumer,
            sequenceNumber: f.itemIdentifier,
            reason: 'reported in batchItemFailures',
          });
      } catch (err) {
        for (const r of batch)
          roundFailures.push({
            consumer,
            sequenceNumber: r.SequenceNumber!,
            reason: `handler threw: ${(err as Error).message}`,
          });
      }
    }
    commitPositions(committed, read, roundFailures, frozen);
    failures.push(...roundFailures);
  }
  writeFileSync(checkpoint, JSON.stringify(committed));
  console.log(
    JSON.stringify({
      records,
      archive: stats,
      failures: failures.map((f) => `${f.consumer}: ${f.sequenceNumber}: ${f.reason}`),
    }),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
