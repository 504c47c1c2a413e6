/**
 * `npx tsx bench/functions-cpu.ts`: the CPU time each pipeline function spends per GB of
 * CloudWatch Logs input (the log events' message bytes), per source of bench/sources.ts, and the
 * GB-seconds per GB that makes at each function's memory (issue 26 §2). The transform runs as
 * bundled for Lambda (bench/sides.ts); the indexer and the alerter run from source, their AWS
 * and OpenSearch answers given in-process (every `_bulk` item created, every claim won), so the
 * figure is their own CPU: decoding, normalizing, serializing, deciding. What a function waits
 * for (OpenSearch, S3, DynamoDB) is billed too and is not in it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { gunzipSync } from 'node:zlib';
import { detectionRules } from '../contracts/detections';
import { ALERTER_MEMORY_MB, INDEXER_MEMORY_MB, TRANSFORM_MEMORY_MB } from '../contracts/function-runtime';
import { alertOnStreamRecord } from '../functions/alerter/alerter';
import { compileRules } from '../functions/alerter/detections';
import { indexStreamRecord } from '../functions/indexer/indexer';
import { FlowLogFormatRegistry } from '../functions/shared/flow-log-formats';
import type { SearchClient } from '../functions/shared/opensearch/client';
import { benchTrust } from './bench-trust';
import { corpusRecords, firehoseEvents } from './corpus-batch';
import { transformed } from './sides';
import { benchSources } from './sources';

const GB = 1024 ** 3;
const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

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

async function main() {
  const megabytes = Number(process.env.FUNCTIONS_CPU_MB ?? 16);
  const formats = new FlowLogFormatRegistry();
  const trust = benchTrust();
  const alerterDeps = {
    sns: answeringClient(new SNSClient({ region: 'eu-west-1' })),
    sfn: answeringClient(new SFNClient({ region: 'eu-west-1' })),
    ddb: answeringClient(new DynamoDBClient({ region: 'eu-west-1' })),
    topicArn: 'arn:aws:sns:eu-west-1:222222222222:logwarden-alerts',
    stateMachineArn: 'arn:aws:states:eu-west-1:222222222222:stateMachine:logwarden-cover-account-region',
    dedupeTable: 'dedupe',
    dedupeHours: 168,
    formats,
    trust,
    governedRegions: ['eu-west-1', 'us-east-1'],
    managementAccount: '111111111111',
    organizationTrail: true,
    detections: compileRules(detectionRules),
    detectionSettings: { guardDutyMinSeverity: 7 },
  };
  const indexerDeps = {
    search,
    s3: answeringClient(new S3Client({ region: 'eu-west-1' })),
    archiveBucket: 'archive',
    formats,
    trust,
    knownIndices: new Set<string>(),
  };
  const memory = { transform: TRANSFORM_MEMORY_MB, indexer: INDEXER_MEMORY_MB, alerter: ALERTER_MEMORY_MB };
  console.log(
    `CPU seconds per GB of CloudWatch Logs input (${megabytes} MB of stream records per source, Node.js ${process.version}), and GB-seconds per GB at ${memory.transform}/${memory.indexer}/${memory.alerter} MB\n`,
  );
  console.log(
    '| source | transform s/GB | indexer s/GB | alerter s/GB | GB-s per GB: transform, indexer, alerter |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  for (const source of benchSources()) {
    if (!source.messages.length) continue;
    const records = corpusRecords(megabytes * 1024 * 1024, [{ ...source, weight: 1 }]);
    let inputGb = 0;
    for (const r of records) {
      const payload = JSON.parse(gunzipSync(Buffer.from(r.data, 'base64')).toString('utf8')) as {
        logEvents: { message: string }[];
      };
      for (const e of payload.logEvents) inputGb += Buffer.byteLength(e.message) / GB;
    }
    // One pass first, so each function's code is compiled before it is timed.
    const events = firehoseEvents(records, 500);
    const run = {
      transform: async () => {
        for (const e of events) await transformed(e);
      },
      indexer: async () => {
        for (const [i, r] of records.entries())
          await indexStreamRecord(
            { data: r.data, sequenceNumber: String(i), arrivalMs: 1_732_800_000_000 },
            indexerDeps,
          );
      },
      alerter: async () => {
        for (const r of records) await alertOnStreamRecord(r.data, { ...alerterDeps, inFlight: new Map() });
      },
    };
    const perGb: Record<keyof typeof run, number> = { transform: 0, indexer: 0, alerter: 0 };
    for (const fn of Object.keys(run) as (keyof typeof run)[]) {
      await run[fn]();
      const start = cpuSeconds();
      await run[fn]();
      perGb[fn] = (cpuSeconds() - start) / inputGb;
    }
    const gbs = (fn: keyof typeof run) => ((perGb[fn] * memory[fn]) / 1024).toFixed(0);
    console.log(
      `| ${source.name} | ${perGb.transform.toFixed(0)} | ${perGb.indexer.toFixed(0)} | ${perGb.alerter.toFixed(1)} | ${gbs('transform')}, ${gbs('indexer')}, ${gbs('alerter')} |`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
