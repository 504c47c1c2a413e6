import type { KinesisStreamEvent } from 'aws-lambda';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  type _Record,
} from '@aws-sdk/client-kinesis';

/**
 * Reads a stream the way a consumer does. `positions` (shard → last sequence number read)
 * remembers where each shard was left, so the next call returns only what arrived since; it is
 * plain data, so a checkpoint can outlive the process.
 */
export class StreamReader {
  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
    readonly positions: Record<string, string> = {},
  ) {}

  async read(): Promise<{ shardId: string; record: _Record }[]> {
    const shards =
      (await this.kinesis.send(new ListShardsCommand({ StreamName: this.streamName }))).Shards ?? [];
    const out: { shardId: string; record: _Record }[] = [];
    for (const shard of shards) {
      const shardId = shard.ShardId as string;
      const after = this.positions[shardId];
      let iterator = (
        await this.kinesis.send(
          new GetShardIteratorCommand({
            StreamName: this.streamName,
            ShardId: shardId,
            ...(after
              ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: after }
              : { ShardIteratorType: 'TRIM_HORIZON' }),
          }),
        )
      ).ShardIterator;
      for (;;) {
        const res = await this.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        for (const record of res.Records ?? []) {
          out.push({ shardId, record });
          this.positions[shardId] = record.SequenceNumber as string;
        }
        iterator = res.NextShardIterator;
        if (!res.Records?.length || !iterator) break;
      }
    }
    return out;
  }
}

/** Stream records as Lambda's Kinesis event source mapping hands them to a function. */
export function toKinesisStreamEvent(
  records: _Record[],
  streamArn: string,
  region: string,
): KinesisStreamEvent {
  return {
    Records: records.map((r) => ({
      kinesis: {
        data: Buffer.from(r.Data as Uint8Array).toString('base64'),
        sequenceNumber: r.SequenceNumber as string,
        partitionKey: r.PartitionKey as string,
        kinesisSchemaVersion: '1.0',
        approximateArrivalTimestamp: (r.ApproximateArrivalTimestamp?.getTime() ?? 0) / 1000,
      },
      eventSource: 'aws:kinesis',
      eventID: `${streamArn}:${r.SequenceNumber}`,
      eventSourceARN: streamArn,
      eventVersion: '1.0',
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: '',
      awsRegion: region,
    })),
  };
}
