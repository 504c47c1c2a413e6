import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  type _Record,
} from '@aws-sdk/client-kinesis';

/**
 * Reads a stream the way a consumer does: from each shard's iterator onwards. `positions`
 * remembers where each shard was left, so the next call returns only what arrived since.
 */
export class StreamReader {
  private readonly positions = new Map<string, string>();

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
    private readonly from: 'TRIM_HORIZON' | 'LATEST' = 'TRIM_HORIZON',
  ) {}

  async read(): Promise<{ shardId: string; record: _Record }[]> {
    const shards =
      (await this.kinesis.send(new ListShardsCommand({ StreamName: this.streamName }))).Shards ?? [];
    const out: { shardId: string; record: _Record }[] = [];
    for (const shard of shards) {
      const shardId = shard.ShardId as string;
      let iterator =
        this.positions.get(shardId) ??
        (
          await this.kinesis.send(
            new GetShardIteratorCommand({
              StreamName: this.streamName,
              ShardId: shardId,
              ShardIteratorType: this.from,
            }),
          )
        ).ShardIterator;
      for (;;) {
        const res = await this.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        for (const record of res.Records ?? []) out.push({ shardId, record });
        iterator = res.NextShardIterator;
        if (!res.Records?.length || !iterator) break;
      }
      if (iterator) this.positions.set(shardId, iterator);
    }
    return out;
  }
}
