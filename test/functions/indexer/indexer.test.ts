import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { FlowLogFormatRegistry } from '../../../functions/shared/flow-log-formats';
import type { SearchClient } from '../../../functions/shared/opensearch/client';
import { indexStreamRecord, RetryLaterError } from '../../../functions/indexer/indexer';
import { cwlPayload, encodeCwl, realCloudTrailEvents } from '../../../local/corpus';

const s3Mock = mockClient(S3Client);
const noSleep = { sleep: async () => undefined };

interface BulkCall {
  actions: { index: { _index: string; _id: string } }[];
}

/** An OpenSearch stand-in for unit tests: answers each bulk item with the next scripted status. */
function scriptedSearch(statusesPerCall: number[][]): SearchClient & { calls: BulkCall[] } {
  const calls: BulkCall[] = [];
  return {
    calls,
    async request(_method, _path, body) {
      const lines = (body ?? '').trim().split('\n');
      const actions = lines.filter((_, i) => i % 2 === 0).map((l) => JSON.parse(l));
      calls.push({ actions });
      const statuses = statusesPerCall[calls.length - 1] ?? actions.map(() => 201);
      return {
        status: 200,
        body: {
          errors: statuses.some((s) => s >= 300),
          items: actions.map((_, i) => ({
            index: {
              status: statuses[i],
              ...(statuses[i] >= 300
                ? {
                    error: {
                      type:
                        statuses[i] === 429 ? 'es_rejected_execution_exception' : 'mapper_parsing_exception',
                      reason: `status ${statuses[i]}`,
                    },
                  }
                : {}),
            },
          })),
        },
      };
    },
  };
}

const events = realCloudTrailEvents()
  .slice(0, 3)
  .map((e) => JSON.stringify(e.event));
const record = encodeCwl(cwlPayload(events, { logGroup: 'aws-cloudtrail-logs' }));
const deps = (search: SearchClient) => ({
  search,
  s3: new S3Client({ region: 'eu-west-1' }),
  archiveBucket: 'archive',
  formats: new FlowLogFormatRegistry(),
  bulk: noSleep,
});

beforeEach(() => {
  s3Mock.reset();
  s3Mock.on(PutObjectCommand).resolves({});
});

describe('indexer', () => {
  it('routes a bulk answer of 201, 429 and 400: retries the 429, keeps the 400 under rejected/ with its reason', async () => {
    const search = scriptedSearch([[201, 429, 400], [201]]);
    const outcome = await indexStreamRecord(record, '4950', deps(search));
    expect(outcome).toMatchObject({ indexed: 2, rejected: 1, retries: 1 });
    // The retry carried only the throttled document, with the same deterministic id.
    expect(search.calls[1].actions).toEqual([search.calls[0].actions[1]]);
    expect(search.calls[0].actions.map((a) => a.index._id)).toEqual(
      realCloudTrailEvents()
        .slice(0, 3)
        .map((e) => e.event.eventID),
    );
    expect(search.calls[0].actions[0].index._index).toMatch(/^logwarden-ocsf-\d{4}\.\d{2}\.\d{2}$/);
    const puts = s3Mock.commandCalls(PutObjectCommand);
    expect(puts).toHaveLength(1);
    const put = puts[0].args[0].input;
    expect(put.Key).toMatch(
      new RegExp(`^rejected/\\d{4}-\\d{2}-\\d{2}/${search.calls[0].actions[2].index._id}\\.json$`),
    );
    const kept = JSON.parse(put.Body as string);
    expect(kept).toMatchObject({ status: 400, reason: 'mapper_parsing_exception: status 400' });
    expect(kept.document.raw_data).toBe(events[2]);
  });

  it('a 429 that never clears is not acknowledged: the record fails and will be retried', async () => {
    const search = scriptedSearch([[201, 429, 201], [429], [429], [429], [429]]);
    await expect(indexStreamRecord(record, '4951', deps(search))).rejects.toBeInstanceOf(RetryLaterError);
    expect(search.calls).toHaveLength(5);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('a 5xx for the whole request is retried, then indexes', async () => {
    let call = 0;
    const search: SearchClient = {
      async request(method, path, body) {
        call++;
        if (call === 1) return { status: 503, body: { error: 'unavailable' } };
        return scriptedSearch([]).request(method, path, body);
      },
    };
    const outcome = await indexStreamRecord(record, '4952', deps(search));
    expect(outcome).toMatchObject({ indexed: 3, rejected: 0, retries: 1 });
  });

  it('an undecodable record is kept under rejected/ with the reason, never dropped', async () => {
    const outcome = await indexStreamRecord('H4sIAAAA-not-really', '4953', deps(scriptedSearch([])));
    expect(outcome.rejected).toBe(1);
    const kept = JSON.parse(s3Mock.commandCalls(PutObjectCommand)[0].args[0].input.Body as string);
    expect(kept).toEqual({ reason: 'corrupt base64', record: 'H4sIAAAA-not-really' });
  });

  it('a control message indexes nothing', async () => {
    const search = scriptedSearch([]);
    const control = encodeCwl({
      ...cwlPayload(['CWL CONTROL MESSAGE: Checking health of destination']),
      messageType: 'CONTROL_MESSAGE',
    });
    expect(await indexStreamRecord(control, '4954', deps(search))).toMatchObject({ indexed: 0, rejected: 0 });
    expect(search.calls).toHaveLength(0);
  });
});
