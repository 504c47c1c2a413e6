/**
 * The log-archive account's consumers, locally, in a process of their own (its environment is
 * the log-archive account's, as the central stack gives each function its own). It drains the
 * central stream from the checkpoint in LOGWARDEN_CHECKPOINT: the Firehose stand-in with the
 * real transform into S3, the real indexer into OpenSearch, the real alerter into SNS. It
 * prints one JSON line of what it did.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import type { FirehoseOutputRecord, FirehoseTransformEvent } from '../functions/transform/transform';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createClient } from '../functions/shared/clients';
import { deliverToArchive, type DeliveryStats } from './firehose-driver';
import { StreamReader, toKinesisStreamEvent } from './kinesis-reader';

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (local/start.ts sets it)`);
  return value;
}

/** A consumer's real handler, built by its factory from this process's environment. */
async function consumer<E, R>(name: 'transform' | 'indexer' | 'alerter') {
  const mod = (await import(`../functions/${name}/handler`)) as {
    makeHandler: (deps: unknown) => (event: E) => Promise<R>;
    depsFromEnv: (env: NodeJS.ProcessEnv) => unknown;
  };
  return mod.makeHandler(mod.depsFromEnv(process.env));
}

async function main() {
  const stream = requiredEnv('LOGWARDEN_STREAM');
  const checkpoint = requiredEnv('LOGWARDEN_CHECKPOINT');
  const region = requiredEnv('AWS_REGION');
  const streamArn = `arn:aws:kinesis:${region}:${requiredEnv('LOGWARDEN_ACCOUNT')}:stream/${stream}`;
  const positions = existsSync(checkpoint)
    ? (JSON.parse(readFileSync(checkpoint, 'utf8')) as Record<string, string>)
    : {};
  const reader = new StreamReader(createClient(KinesisClient, { http1: true }), stream, positions);
  const transform = await consumer<FirehoseTransformEvent, { records: FirehoseOutputRecord[] }>('transform');
  const indexer = await consumer<KinesisStreamEvent, KinesisStreamBatchResponse>('indexer');
  const alerter = await consumer<KinesisStreamEvent, KinesisStreamBatchResponse>('alerter');
  const stats: DeliveryStats = { invocations: 0, ok: 0, dropped: 0, processingFailed: 0, objects: [] };
  let records = 0;
  const failures: string[] = [];
  // Halves the transform re-ingests come back through the stream: read until it is drained.
  for (let round = 0; round < 20; round++) {
    const batch = (await reader.read()).map((r) => r.record);
    if (!batch.length) break;
    records += batch.length;
    await deliverToArchive(
      batch,
      {
        s3: createClient(S3Client),
        bucket: requiredEnv('ARCHIVE_BUCKET'),
        sourceStreamArn: streamArn,
        transform,
      },
      stats,
    );
    const event = toKinesisStreamEvent(batch, streamArn, region);
    for (const [name, handler] of [
      ['indexer', indexer],
      ['alerter', alerter],
    ] as const) {
      const res = await handler(event);
      failures.push(...res.batchItemFailures.map((f) => `${name}: ${f.itemIdentifier}`));
    }
  }
  writeFileSync(checkpoint, JSON.stringify(reader.positions));
  console.log(JSON.stringify({ records, archive: stats, failures }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
