/**
 * One batch through a stream consumer's real handler in a fresh process, printing its peak RSS
 * last (`peak-rss-mb <n>`), for memory.test.ts. Arguments: the consumer (`indexer` or
 * `alerter`) and the batch (`bombs`: 100 records of 1 MiB of gzip that expand to 1 GiB each;
 * `large`: 24 records of 15 MiB each; `tiny-events`: one record of 16 MiB of empty log events).
 * OpenSearch, S3, DynamoDB, SNS and Step Functions answer at once; nothing leaves the process.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { gzipSync } from 'node:zlib';
import { makeHandler as alerterHandler } from '../../../functions/alerter/handler';
import { makeHandler as indexerHandler } from '../../../functions/indexer/handler';
import { MAX_PAYLOAD_BYTES } from '../../../functions/shared/cwl-payload';
import { FlowLogFormatRegistry } from '../../../functions/shared/flow-log-formats';
import type { SearchClient } from '../../../functions/shared/opensearch/client';
import { cwlPayload } from '../../../local/corpus';
import { gzipBomb } from '../../fixtures/gzip-bomb';
import { testTrust } from '../../fixtures/trust';

/** A client whose every call answers `{}` at once. */
function answering<C extends { send: unknown }>(client: C): C {
  client.send = (async () => ({})) as C['send'];
  return client;
}

/** OpenSearch taking every document: one 201 per action line, without parsing the sources. */
const search: SearchClient = {
  async request(method, _path, body) {
    if (method !== 'POST') return { status: 200, body: {} };
    let actions = 0;
    for (let i = 0, line = 0; i < (body ?? '').length; line++) {
      const next = body!.indexOf('\n', i);
      if (line % 2 === 0) actions++;
      i = next < 0 ? body!.length : next + 1;
    }
    return {
      status: 200,
      body: { items: Array.from({ length: actions }, () => ({ create: { status: 201 } })) },
    };
  },
};

function batch(kind: string): string[] {
  const [head, tail] = JSON.stringify(cwlPayload(['@'])).split('@');
  if (kind === 'bombs') {
    const bomb = gzipBomb(head, 1024 ** 3, tail).toString('base64');
    return Array.from({ length: 100 }, () => bomb);
  }
  if (kind === 'large') {
    const large = gzipBomb(head, 15 * 1024 * 1024, tail).toString('base64');
    return Array.from({ length: 24 }, () => large);
  }
  if (kind === 'tiny-events') {
    const event = '{"id":"1","timestamp":1732800000000,"message":""}';
    const count = Math.floor((MAX_PAYLOAD_BYTES - head.length - 100) / (event.length + 1));
    const text = head.replace(/"logEvents":\[.*$/, `"logEvents":[${Array(count).fill(event).join(',')}]}`);
    return [gzipSync(text).toString('base64')];
  }
  throw new Error(`no batch ${kind}`);
}

async function main() {
  const [consumer, kind] = process.argv.slice(2);
  const event: KinesisStreamEvent = {
    Records: batch(kind).map(
      (data, i) =>
        ({
          eventSource: 'aws:kinesis',
          kinesis: {
            data,
            sequenceNumber: String(i),
            approximateArrivalTimestamp: 1732800000,
            partitionKey: 'p',
          },
        }) as KinesisStreamRecord,
    ),
  };
  const common = {
    formats: new FlowLogFormatRegistry(),
    trust: testTrust,
    logger: new Logger({ logLevel: 'ERROR' }),
    metrics: new Metrics({ namespace: 'logwarden-test', serviceName: `logwarden-${consumer}` }),
  };
  const handler =
    consumer === 'indexer'
      ? indexerHandler({
          ...common,
          search,
          s3: answering(new S3Client({ region: 'eu-west-1' })),
          archiveBucket: 'archive',
          knownIndices: new Set(),
          lastSeen: { ddb: answering(new DynamoDBClient({ region: 'eu-west-1' })), table: 'last-seen' },
        })
      : alerterHandler({
          ...common,
          sns: answering(new SNSClient({ region: 'eu-west-1' })),
          sfn: answering(new SFNClient({ region: 'eu-west-1' })),
          ddb: answering(new DynamoDBClient({ region: 'eu-west-1' })),
          topicArn: 'arn:aws:sns:eu-west-1:222222222222:logwarden-alerts',
          stateMachineArn:
            'arn:aws:states:eu-west-1:333333333333:stateMachine:logwarden-cover-account-region',
          dedupeTable: 'dedupe',
          dedupeHours: 168,
          governedRegions: ['eu-west-1'],
          managementAccount: '111111111111',
          organizationTrail: true,
          inFlight: new Map(),
        });
  const response = await handler(event);
  console.log(JSON.stringify(response));
  console.log(`peak-rss-mb ${Math.round(process.resourceUsage().maxRSS / 1024)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
