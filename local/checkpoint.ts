import type { _Record } from '@aws-sdk/client-kinesis';

/** A record a consumer failed. */
export interface ConsumerFailure {
  consumer: string;
  sequenceNumber: string;
  reason: string;
}

/**
 * Advances `committed` (shard → last sequence number processed) over what was read, as an
 * event source mapping does with partial batch responses: each shard stops before its first
 * failed record, and once a shard has failed, later reads in the same run never move it on.
 * `frozen` remembers those shards. A failure that names no record is the whole batch's: "Lambda
 * treats a batch as a complete failure if you return any of the following: An empty string
 * itemIdentifier; A null itemIdentifier; An itemIdentifier with a bad key name" (Lambda Developer
 * Guide, "Configuring partial batch response with Kinesis Data Streams"), so no shard of the
 * read moves on.
 */
export function commitPositions(
  committed: Record<string, string>,
  read: readonly { shardId: string; record: _Record }[],
  failures: readonly ConsumerFailure[],
  frozen: Set<string>,
): void {
  const failed = new Set(failures.map((f) => f.sequenceNumber));
  if (failures.some((f) => typeof f.sequenceNumber !== 'string' || f.sequenceNumber === '')) {
    for (const { shardId } of read) frozen.add(shardId);
    return;
  }
  for (const { shardId, record } of read) {
    if (frozen.has(shardId)) continue;
    if (failed.has(record.SequenceNumber as string)) {
      frozen.add(shardId);
      continue;
    }
    committed[shardId] = record.SequenceNumber as string;
  }
}
