/**
 * The peak-RSS run of `npm run bench`: the transform's handler (`makeHandler`, with Powertools'
 * Logger and Metrics and an SDK Kinesis client, as functions/transform/index.ts builds it),
 * bundled like the function (bundled-transform.ts) and run by plain `node` with Lambda's heap
 * flags in a fresh process. It reads one Firehose event's JSON as Lambda's runtime hands it over,
 * handles it, and serializes the response, so the figure is what the function holds and not what
 * the benchmark's own tooling (tsx, the corpus) does.
 * Argument: the file holding the event's JSON. Prints `peak-rss-mb <n>` last.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { readFileSync } from 'node:fs';
import { FlowLogFormatRegistry } from '../functions/shared/flow-log-formats';
import { makeHandler } from '../functions/transform/handler';
import { DEFAULT_MAX_HOPS } from '../functions/transform/transform';
import { benchTrust } from './bench-trust';

/** The SDK client, answering PutRecords itself: the records past the response are accepted. */
function acceptingKinesis(): KinesisClient {
  const kinesis = new KinesisClient({ region: 'eu-west-1' });
  kinesis.send = (async (command: PutRecordsCommand) => ({
    FailedRecordCount: 0,
    Records: (command.input.Records ?? []).map((_, i) => ({
      SequenceNumber: String(i),
      ShardId: 'shardId-0',
    })),
  })) as unknown as KinesisClient['send'];
  return kinesis;
}

async function main() {
  const handler = makeHandler({
    kinesis: acceptingKinesis(),
    formats: new FlowLogFormatRegistry(),
    trust: benchTrust(),
    maxHops: DEFAULT_MAX_HOPS,
    logger: new Logger({ logLevel: 'WARN' }),
    metrics: new Metrics({ namespace: 'logwarden-bench', serviceName: 'logwarden-transform' }),
  });
  const event = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const response = JSON.stringify(await handler(event));
  if (Buffer.byteLength(response) > 6_000_000) throw new Error('response over 6,000,000 bytes');
  console.log(`peak-rss-mb ${Math.round(process.resourceUsage().maxRSS / 1024)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
