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
 * `frozen` remembers those shards.
 */
export function commitPositions(
  committed: Record<string, string>,
  read: readonly { shardId: string; record: _Record }[],
  failures: readonly ConsumerFailure[],
  frozen: Set<string>,
): void {
  const failed = new Set(failures.map((f) => f.sequenceNumber));
  for (const { shardId, record } of read) {
    if (frozen.has(shardId)) continue;
    if (failed.has(record.SequenceNumber as string)) {
      frozen.add(shardId);
      continue;
    }
    committed[shardId] = record.SequenceNumber as string;
  }
}
