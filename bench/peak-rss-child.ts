/**
 * The peak-RSS run of `npm run bench`, bundled like the function (bundled-transform.ts) and run
 * by plain `node` in a fresh process: the Firehose event's JSON is read and parsed as Lambda's
 * runtime hands it over, transformed, and the response serialized, so the figure is what the
 * function holds and not what the benchmark's own tooling (tsx, the corpus) does.
 * Argument: the file holding the event's JSON. Prints the peak RSS in MB.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { readFileSync } from 'node:fs';
import { FlowLogFormatRegistry } from '../functions/shared/flow-log-formats';
import { transformFirehoseEvent } from '../functions/transform/transform';
import { benchTrust } from './bench-trust';

/** Stands in for Kinesis: records that do not fit the response are re-ingested and accepted. */
const acceptingKinesis = {
  send: async (command: { input: { Records: unknown[] } }) => ({
    FailedRecordCount: 0,
    Records: command.input.Records.map((_, i) => ({ SequenceNumber: String(i), ShardId: 'shardId-0' })),
  }),
} as unknown as KinesisClient;

async function main() {
  const event = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const { records } = await transformFirehoseEvent(event, {
    formats: new FlowLogFormatRegistry(),
    trust: benchTrust(),
    kinesis: acceptingKinesis,
  });
  if (Buffer.byteLength(JSON.stringify({ records })) > 6_000_000)
    throw new Error('response over 6,000,000 bytes');
  console.log(Math.round(process.resourceUsage().maxRSS / 1024));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
