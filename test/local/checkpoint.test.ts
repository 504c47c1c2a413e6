import type { _Record } from '@aws-sdk/client-kinesis';
import { commitPositions } from '../../local/checkpoint';

const rec = (shardId: string, seq: string) => ({ shardId, record: { SequenceNumber: seq } as _Record });

describe('commitPositions (the local consumers’ checkpoint)', () => {
  it('commits each shard only up to the record before its first failure, and never past it later in the run', () => {
    const committed: Record<string, string> = { a: '0' };
    const frozen = new Set<string>();
    commitPositions(
      committed,
      [rec('a', '1'), rec('a', '2'), rec('a', '3'), rec('b', '10'), rec('b', '11')],
      [{ consumer: 'indexer', sequenceNumber: '2', reason: 'refused' }],
      frozen,
    );
    expect(committed).toEqual({ a: '1', b: '11' });
    // Re-ingested records read later in the same run leave the failed shard where it stopped.
    commitPositions(committed, [rec('a', '4'), rec('b', '12')], [], frozen);
    expect(committed).toEqual({ a: '1', b: '12' });
  });

  it('a shard whose first record failed keeps its previous checkpoint', () => {
    const committed: Record<string, string> = {};
    commitPositions(
      committed,
      [rec('a', '1'), rec('a', '2')],
      [{ consumer: 'alerter', sequenceNumber: '1', reason: 'x' }],
      new Set(),
    );
    expect(committed).toEqual({});
  });

  it.each([
    ['an empty', ''],
    ['a null', null],
  ])('a failure with %s itemIdentifier fails the whole batch: no shard of the read moves on', (_, id) => {
    // "Lambda treats a batch as a complete failure if you return any of the following: An empty
    // string itemIdentifier; A null itemIdentifier; An itemIdentifier with a bad key name"
    // (Lambda Developer Guide, "Configuring partial batch response with Kinesis Data Streams").
    const committed: Record<string, string> = { a: '0', b: '9' };
    const frozen = new Set<string>();
    commitPositions(
      committed,
      [rec('a', '1'), rec('b', '10')],
      [{ consumer: 'indexer', sequenceNumber: id as string, reason: 'x' }],
      frozen,
    );
    expect(committed).toEqual({ a: '0', b: '9' });
    expect([...frozen].sort()).toEqual(['a', 'b']);
  });
});
