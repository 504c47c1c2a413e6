import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { KinesisStreamRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { flushSightings, indexerRecordHandler } from '../../../functions/indexer/batch';
import { bulkIndex, createMissingIndices } from '../../../functions/indexer/bulk';
import {
  IndexerDeps,
  indexStreamRecord,
  PART_EVENTS,
  RetryLaterError,
} from '../../../functions/indexer/indexer';
import { TrustTable } from '../../../contracts/trusted-sources';
import { FlowLogFormatRegistry } from '../../../functions/shared/flow-log-formats';
import { SightingBuffer } from '../../../functions/shared/last-seen';
import type { Observer } from '../../../functions/shared/metrics';
import { documentId, normalizePayload } from '../../../functions/shared/normalize';
import { signedSearchClient, type SearchClient } from '../../../functions/shared/opensearch/client';
import { cwlPayload, encodeCwl, realCloudTrailEvents } from '../../../local/corpus';
import { createServer, type AddressInfo } from 'node:net';
import { gzipBomb } from '../../fixtures/gzip-bomb';
import { testOwner, testTrust } from '../../fixtures/trust';

const s3Mock = mockClient(S3Client);
const ddbMock = mockClient(DynamoDBClient);
const noSleep = { sleep: async () => undefined };
const formats = new FlowLogFormatRegistry();

interface BulkCall {
  actions: { create: { _index: string; _id: string } }[];
  sources: Record<string, unknown>[];
}

/** An OpenSearch stand-in for unit tests: answers each bulk item with the next scripted status. */
function scriptedSearch(statusesPerCall: number[][]): SearchClient & { calls: BulkCall[]; puts: string[] } {
  const calls: BulkCall[] = [];
  const puts: string[] = [];
  const errorType = (s: number) =>
    s === 429
      ? 'es_rejected_execution_exception'
      : s === 409
        ? 'version_conflict_engine_exception'
        : 'mapper_parsing_exception';
  return {
    calls,
    puts,
    async request(method, path, body) {
      if (method === 'PUT') {
        puts.push(path);
        return { status: 200, body: { acknowledged: true } };
      }
      const lines = (body ?? '').trim().split('\n');
      const actions = lines.filter((_, i) => i % 2 === 0).map((l) => JSON.parse(l));
      const sources = lines.filter((_, i) => i % 2 === 1).map((l) => JSON.parse(l));
      calls.push({ actions, sources });
      const statuses = statusesPerCall[calls.length - 1] ?? actions.map(() => 201);
      return {
        status: 200,
        body: {
          errors: statuses.some((s) => s >= 300),
          items: actions.map((_, i) => ({
            create: {
              status: statuses[i],
              ...(statuses[i] >= 300
                ? { error: { type: errorType(statuses[i]), reason: `status ${statuses[i]}` } }
                : {}),
            },
          })),
        },
      };
    },
  };
}

const stop = realCloudTrailEvents().find((e) => e.event.eventName === 'StopLogging')!.event;
const events = realCloudTrailEvents()
  .slice(0, 3)
  .map((e) => JSON.stringify(e.event));
const payload = cwlPayload(events, { logGroup: 'aws-cloudtrail-logs' });
const record = encodeCwl(payload);
const arrivalMs = 1_732_800_000_000;
const input = (data: string, sequenceNumber = '4950') => ({ data, sequenceNumber, arrivalMs });
const deps = (search: SearchClient): IndexerDeps => ({
  search,
  s3: new S3Client({ region: 'eu-west-1' }),
  archiveBucket: 'archive',
  formats,
  trust: testTrust,
  bulk: noSleep,
  knownIndices: new Set(),
});

beforeEach(() => {
  s3Mock.reset();
  s3Mock.on(PutObjectCommand).resolves({});
  ddbMock.reset();
});

describe('indexer', () => {
  it('routes a bulk answer of 201, 429 and 400: retries the 429, keeps the 400 under rejected/ with its reason', async () => {
    const search = scriptedSearch([[201, 429, 400], [201]]);
    const outcome = await indexStreamRecord(input(record), deps(search));
    expect(outcome).toMatchObject({ indexed: 2, rejected: 1, retries: 1, documents: 3 });
    // The retry carried only the throttled document, with the same deterministic id.
    expect(search.calls[1].actions).toEqual([search.calls[0].actions[1]]);
    const docs = normalizePayload(payload, formats, testTrust);
    expect(search.calls[0].actions.map((a) => a.create._id)).toEqual(docs.map((d) => documentId(payload, d)));
    expect(search.calls[0].actions[0].create._index).toMatch(
      /^logwarden-ocsf-(quarantine-)?\d{4}\.\d{2}\.\d{2}$/,
    );
    const puts = s3Mock.commandCalls(PutObjectCommand);
    expect(puts).toHaveLength(1);
    const put = puts[0].args[0].input;
    expect(put.Key).toMatch(
      new RegExp(`^rejected/\\d{4}-\\d{2}-\\d{2}/${search.calls[0].actions[2].create._id}\\.json$`),
    );
    const kept = JSON.parse(put.Body as string);
    expect(kept).toMatchObject({
      status: 400,
      reason: 'mapper_parsing_exception: status 400',
      sequenceNumber: '4950',
    });
    expect(kept.document.raw_data).toBe(events[2]);
  });

  it('writes with create only: a 409 version conflict on a replay counts as already indexed, not a rejection', async () => {
    const search = scriptedSearch([[201, 409, 409]]);
    const outcome = await indexStreamRecord(input(record), deps(search));
    expect(outcome).toMatchObject({ indexed: 1, alreadyIndexed: 2, rejected: 0 });
    expect(Object.keys(search.calls[0].actions[0])).toEqual(['create']);
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('a 429 that never clears is not acknowledged: the record fails and will be retried', async () => {
    const search = scriptedSearch([[201, 429, 201], [429], [429], [429], [429]]);
    await expect(indexStreamRecord(input(record, '4951'), deps(search))).rejects.toBeInstanceOf(
      RetryLaterError,
    );
    expect(search.calls).toHaveLength(5);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('a 5xx for the whole request is retried, then indexes', async () => {
    let call = 0;
    const inner = scriptedSearch([]);
    const search: SearchClient = {
      async request(method, path, body) {
        if (method === 'POST' && ++call === 1) return { status: 503, body: { error: 'unavailable' } };
        return inner.request(method, path, body);
      },
    };
    const outcome = await indexStreamRecord(input(record, '4952'), deps(search));
    expect(outcome).toMatchObject({ indexed: 3, rejected: 0, retries: 1 });
  });

  it('an undecodable record is kept under rejected/ with the reason, never dropped', async () => {
    const outcome = await indexStreamRecord(input('H4sIAAAA-not-really', '4953'), deps(scriptedSearch([])));
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
    expect(await indexStreamRecord(input(control, '4954'), deps(search))).toMatchObject({
      indexed: 0,
      rejected: 0,
    });
    expect(search.calls).toHaveLength(0);
  });

  it('deep JSON beside a StopLogging: the StopLogging is indexed, the deep line kept as a parse error', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const search = scriptedSearch([]);
    const data = encodeCwl(cwlPayload([deep, JSON.stringify(stop)], { logGroup: 'aws-cloudtrail-logs' }));
    const outcome = await indexStreamRecord(input(data), deps(search));
    expect(outcome).toMatchObject({ indexed: 2, rejected: 0 });
    const [kept, indexed] = search.calls[0].sources;
    expect(kept).toMatchObject({
      unmapped: { parse_error: 'JSON nested deeper than 32 levels' },
      raw_data: deep,
    });
    expect(indexed).toMatchObject({ class_uid: 6003, api: { operation: 'StopLogging' } });
  });

  it('a document that cannot be serialized is rejected alone; its neighbours are indexed', async () => {
    const docs = normalizePayload(payload, formats, testTrust);
    docs[1].unmapped = { bad: BigInt(1) };
    const entries = docs.map((doc) => ({ doc, id: documentId(payload, doc), index: 'logwarden-ocsf-x' }));
    const search = scriptedSearch([]);
    const result = await bulkIndex(search, entries, noSleep);
    expect(result.indexed).toBe(2);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0].reason).toMatch(/^document cannot be serialized/);
    expect(search.calls[0].actions.map((a) => a.create._id)).toEqual([entries[0].id, entries[2].id]);
  });

  it('sizes _bulk bodies in UTF-8 bytes, as the domain counts them, not in UTF-16 units', async () => {
    const docs = normalizePayload(payload, formats, testTrust).map((doc) => ({
      ...doc,
      message: '日本語のログ'.repeat(2_000), // 3 UTF-8 bytes per UTF-16 unit
    }));
    const entries = docs.map((doc) => ({ doc, id: documentId(payload, doc), index: 'logwarden-ocsf-x' }));
    const bodies: string[] = [];
    const search: SearchClient = {
      async request(_method, _path, body) {
        bodies.push(body ?? '');
        const n = (body ?? '').trim().split('\n').length / 2;
        return {
          status: 200,
          body: { items: Array.from({ length: n }, () => ({ create: { status: 201 } })) },
        };
      },
    };
    const maxBodyBytes = 60_000;
    const result = await bulkIndex(search, entries, { ...noSleep, maxBodyBytes });
    expect(result.indexed).toBe(docs.length);
    expect(bodies.length).toBeGreaterThan(1);
    for (const b of bodies) expect(Buffer.byteLength(b)).toBeLessThanOrEqual(maxBodyBytes + 2);
  });

  it('a 413 for a body past the domain’s request size sends it again in halves instead of rejecting its documents', async () => {
    // OpenSearch Service quotas, "Network quotas": "Maximum size of HTTP request payloads", by
    // instance type; past it the request is refused whole with 413.
    const docs = normalizePayload(payload, formats, testTrust);
    const entries = docs.map((doc) => ({ doc, id: documentId(payload, doc), index: 'logwarden-ocsf-x' }));
    const sizes: number[] = [];
    let limit = Infinity;
    const search: SearchClient = {
      async request(_method, _path, body) {
        const n = (body ?? '').trim().split('\n').length / 2;
        sizes.push(n);
        if (limit === Infinity) limit = Buffer.byteLength(body ?? '') - 1; // the first body is too large
        if (Buffer.byteLength(body ?? '') > limit)
          return { status: 413, body: { message: 'Request Entity Too Large' } };
        return {
          status: 200,
          body: { items: Array.from({ length: n }, () => ({ create: { status: 201 } })) },
        };
      },
    };
    const result = await bulkIndex(search, entries, noSleep);
    expect(result.rejected).toEqual([]);
    expect(result.indexed).toBe(docs.length);
    expect(sizes[0]).toBe(docs.length);
    expect(Math.max(...sizes.slice(1))).toBeLessThan(docs.length);
  });

  it('quarantines documents whose time is outside the ingestion window, and counts indices it creates', async () => {
    const lines = [
      JSON.stringify({ ...stop, eventTime: '1999-01-01T00:00:00Z' }),
      JSON.stringify({ ...stop, eventID: 'x', eventTime: new Date(arrivalMs).toISOString() }),
    ];
    const search = scriptedSearch([]);
    const d = deps(search);
    const outcome = await indexStreamRecord(
      input(encodeCwl(cwlPayload(lines, { logGroup: 'aws-cloudtrail-logs' }))),
      d,
    );
    expect(outcome.quarantined).toBe(1);
    expect(search.calls[0].actions.map((a) => a.create._index)).toEqual([
      'logwarden-ocsf-quarantine-2024.11.28',
      'logwarden-ocsf-2024.11.28',
    ]);
    expect(outcome.indicesCreated.sort()).toEqual([
      'logwarden-ocsf-2024.11.28',
      'logwarden-ocsf-quarantine-2024.11.28',
    ]);
    // Known now: the next record asks for nothing.
    const again = await indexStreamRecord(
      input(encodeCwl(cwlPayload(lines, { logGroup: 'aws-cloudtrail-logs' }))),
      d,
    );
    expect(again.indicesCreated).toEqual([]);
    expect(search.puts).toHaveLength(2);
  });

  it('createMissingIndices: 200 is created, resource_already_exists is known, anything else is left to bulk', async () => {
    const answers: Record<string, { status: number; body: unknown }> = {
      '/a': { status: 200, body: { acknowledged: true } },
      '/b': { status: 400, body: { error: { type: 'resource_already_exists_exception' } } },
      '/c': { status: 403, body: { error: { type: 'security_exception' } } },
    };
    const known = new Set<string>();
    const search: SearchClient = { request: async (_m, path) => answers[path] };
    expect(await createMissingIndices(search, ['a', 'b', 'c', 'a'], known)).toEqual(['a']);
    expect([...known].sort()).toEqual(['a', 'b']);
  });
});

/** An Observer that records what the handler logs and counts. */
function recorder(): Observer & {
  lines: [string, string, Record<string, unknown>][];
  counts: Record<string, number>;
} {
  const lines: [string, string, Record<string, unknown>][] = [];
  const counts: Record<string, number> = {};
  return {
    lines,
    counts,
    log: (level, message, attributes) => lines.push([level, message, attributes]),
    count: (name, value, dimensions) => {
      const key = dimensions ? `${name}{${Object.entries(dimensions).join(',')}}` : name;
      counts[key] = (counts[key] ?? 0) + value;
    },
  };
}

const kinesisRecord = (data: string, sequenceNumber: string): KinesisStreamRecord =>
  ({
    kinesis: { data, sequenceNumber, approximateArrivalTimestamp: arrivalMs / 1000, partitionKey: 'p' },
  }) as KinesisStreamRecord;

describe('indexer record handler: every record leaves a line and failures a metric (issue 10 §4, issue 11)', () => {
  it('logs one structured line per stream record with owner, log group, bytes and documents', async () => {
    const observe = recorder();
    await indexerRecordHandler(
      deps(scriptedSearch([])),
      observe,
      new SightingBuffer(),
    )(kinesisRecord(record, '1'));
    const line = observe.lines.find(([, m]) => m === 'record indexed')!;
    expect(line[2]).toMatchObject({
      owner: testOwner,
      logGroup: 'aws-cloudtrail-logs',
      bytes: Buffer.from(record, 'base64').length,
      documents: 3,
    });
    expect(observe.counts.IndexedDocuments).toBe(3);
    expect(observe.counts.FailedRecords).toBeUndefined();
    expect(observe.counts['IndexedDocuments{source,cloudtrail}']).toBe(3);
  });

  it('OpenSearch refusing connections: the record fails with a logged reason and the FailedRecords metric', async () => {
    // A real connection to a port nothing listens on: the signed client's fetch is refused.
    const refusing = signedSearchClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'eu-west-1',
      credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }),
    });
    const observe = recorder();
    const handle = indexerRecordHandler(deps(refusing), observe, new SightingBuffer());
    await expect(
      handle(kinesisRecord(record, '49590338271490256608559692538361571095921575989136588898')),
    ).rejects.toThrow(RetryLaterError);
    expect(observe.lines).toContainEqual([
      'error',
      'record failed',
      {
        sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
        reason: expect.stringMatching(
          /^RetryLaterError: 3 of 3 documents not indexed yet \(0 network: fetch failed\)/,
        ),
      },
    ]);
    expect(observe.counts.FailedRecords).toBe(1);
  });

  it('last seen: a batch writes one forward-only item per account and source', async () => {
    const buffer = new SightingBuffer();
    const observe = recorder();
    const handle = indexerRecordHandler(deps(scriptedSearch([])), observe, buffer);
    await handle(kinesisRecord(record, '1'));
    await handle(kinesisRecord(record, '2'));
    ddbMock.on(UpdateItemCommand).resolves({});
    await flushSightings(
      { ddb: new DynamoDBClient({ region: 'eu-west-1' }), table: 'last-seen' },
      buffer,
      observe,
    );
    const updates = ddbMock.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
    const keys = updates.map((u) => `${u.Key!.account.S}#${u.Key!.source.S}`).sort();
    const accounts = new Set(
      realCloudTrailEvents()
        .slice(0, 3)
        .map((e) => `${e.event.recipientAccountId}#cloudtrail`),
    );
    expect(keys).toEqual([...accounts, `${testOwner}#any`].sort());
    expect(updates[0].ConditionExpression).toBe('attribute_not_exists(lastSeen) OR lastSeen < :at');
    expect(updates[0].ExpressionAttributeValues).toEqual({ ':at': { N: String(arrivalMs) } });
  });
});

describe('indexer under bad input and faults (issue 21 §13, §14, §18, §19)', () => {
  it('a payload whose subscriptionFilters is not a list is kept under rejected/ alone; its neighbour is indexed', async () => {
    const observe = recorder();
    const handle = indexerRecordHandler(deps(scriptedSearch([])), observe, new SightingBuffer());
    const bad = encodeCwl({ ...cwlPayload(['odd']), subscriptionFilters: 5 });
    await handle(kinesisRecord(bad, '10'));
    await handle(kinesisRecord(record, '11'));
    const kept = JSON.parse(s3Mock.commandCalls(PutObjectCommand)[0].args[0].input.Body as string);
    expect(kept).toEqual({
      reason: 'not a CloudWatch Logs payload: subscriptionFilters is not a list of names',
      record: bad,
    });
    expect(observe.counts).toMatchObject({ RejectedDocuments: 1, IndexedDocuments: 3 });
    expect(observe.counts.FailedRecords).toBeUndefined();
  });

  it('1 MB of gzip that expands to 1 GiB is kept under rejected/ alone, never inflated', async () => {
    const [head, tail] = JSON.stringify(cwlPayload(['@'])).split('@');
    const bomb = gzipBomb(head, 1024 ** 3, tail).toString('base64');
    const outcome = await indexStreamRecord(input(bomb, '12'), deps(scriptedSearch([])));
    expect(outcome.rejected).toBe(1);
    const kept = JSON.parse(s3Mock.commandCalls(PutObjectCommand)[0].args[0].input.Body as string);
    expect(kept.reason).toMatch(/^payload too large: its gzip trailer declares \d+ bytes/);
    expect(kept.record).toBe(bomb);
  });

  /** OpenSearch answering each bulk item with a block until `blockedCalls` bulk calls have passed. */
  function blockedSearch(blockedCalls: number, type: string, status: number) {
    let calls = 0;
    const search: SearchClient & { calls: () => number } = {
      calls: () => calls,
      async request(method, _path, body) {
        if (method === 'PUT') return { status: 200, body: {} };
        calls++;
        const actions = (body ?? '').trim().split('\n').length / 2;
        const blocked = calls <= blockedCalls;
        return {
          status: 200,
          body: {
            errors: blocked,
            items: Array.from({ length: actions }, () => ({
              create: blocked
                ? {
                    status,
                    error: {
                      type,
                      reason:
                        'index [logwarden-ocsf-2024.11.28] blocked by: [FORBIDDEN/8/index write (api)];',
                    },
                  }
                : { status: 201 },
            })),
          },
        };
      },
    };
    return search;
  }

  it.each([
    ['a write block', 'cluster_block_exception', 403],
    ['the flood-stage read-only block', 'cluster_block_exception', 429],
    ['a closed index', 'index_closed_exception', 400],
  ])(
    '%s is retried, not rejected for good: the documents are indexed once it lifts',
    async (_name, type, status) => {
      const search = blockedSearch(2, type, status);
      const outcome = await indexStreamRecord(input(record, '13'), deps(search));
      expect(outcome).toMatchObject({ indexed: 3, rejected: 0, retries: 2 });
      expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
    },
  );

  it('a block that outlasts the retries fails the record for a later retry, and no metric counts it as indexed', async () => {
    const observe = recorder();
    const handle = indexerRecordHandler(
      deps(blockedSearch(99, 'cluster_block_exception', 403)),
      observe,
      new SightingBuffer(),
    );
    await expect(handle(kinesisRecord(record, '14'))).rejects.toThrow(
      /3 of 3 documents not indexed yet \(403 cluster_block_exception/,
    );
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
    expect(observe.counts.FailedRecords).toBe(1);
    // Freshness reads IndexedDocuments{source=cloudtrail}: nothing was accepted, nothing is counted.
    expect(observe.counts['IndexedDocuments{source,cloudtrail}']).toBeUndefined();
  });

  it('a cluster-wide block answering the whole _bulk request 403 is retried too', async () => {
    let call = 0;
    const inner = scriptedSearch([]);
    const search: SearchClient = {
      async request(method, path, body) {
        if (method === 'POST' && ++call === 1)
          return {
            status: 403,
            body: {
              error: {
                type: 'cluster_block_exception',
                reason: 'blocked by: [FORBIDDEN/6/cluster read-only (api)];',
              },
              status: 403,
            },
          };
        return inner.request(method, path, body);
      },
    };
    expect(await indexStreamRecord(input(record, '15'), deps(search))).toMatchObject({
      indexed: 3,
      rejected: 0,
    });
  });

  it('only what OpenSearch created counts as indexed per source: a rejected document does not', async () => {
    const observe = recorder();
    const handle = indexerRecordHandler(
      deps(scriptedSearch([[201, 400, 201]])),
      observe,
      new SightingBuffer(),
    );
    await handle(kinesisRecord(record, '16'));
    expect(observe.counts['IndexedDocuments{source,cloudtrail}']).toBe(2);
    expect(observe.counts.RejectedDocuments).toBe(1);
  });

  it('an OpenSearch that accepts connections and never answers: the record fails in bounded time, logged and counted', async () => {
    const sockets: import('node:net').Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket.unref()));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silent.unref(); // never what keeps jest running
    try {
      const port = (silent.address() as AddressInfo).port;
      const search = signedSearchClient({
        endpoint: `http://127.0.0.1:${port}`,
        region: 'eu-west-1',
        credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }),
        timeoutMs: 200,
      });
      const observe = recorder();
      const handle = indexerRecordHandler(
        { ...deps(search), bulk: { ...noSleep, maxAttempts: 2 } },
        observe,
        new SightingBuffer(),
      );
      await expect(handle(kinesisRecord(record, '17'))).rejects.toThrow(
        /not indexed yet \(0 network: .*timeout/i,
      );
      expect(observe.counts.FailedRecords).toBe(1);
      expect(observe.lines.find(([, m]) => m === 'record failed')?.[2]).toMatchObject({
        sequenceNumber: '17',
      });
    } finally {
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });

  it('past the deadline the handler sets from the function timeout, no new _bulk request starts', async () => {
    const search = scriptedSearch([]);
    const late = { ...deps(search), deadline: () => Date.now() - 1 };
    await expect(indexStreamRecord(input(record, '18'), late)).rejects.toThrow(
      /3 of 3 documents not indexed yet \(0 not sent: the function is near its timeout\)/,
    );
    expect(search.calls).toHaveLength(0);
  });

  it('a payload larger than one part is indexed part by part, every event once', async () => {
    const many = cwlPayload(Array.from({ length: 2 * PART_EVENTS + 1 }, (_, i) => `line ${i}`));
    const search = scriptedSearch([]);
    const outcome = await indexStreamRecord(input(encodeCwl(many)), deps(search));
    expect(outcome).toMatchObject({ documents: 2 * PART_EVENTS + 1, indexed: 2 * PART_EVENTS + 1 });
    expect(search.calls.map((c) => c.actions.length)).toEqual([PART_EVENTS, PART_EVENTS, 1]);
    const ids = search.calls.flatMap((c) => c.actions.map((a) => a.create._id));
    expect(new Set(ids).size).toBe(2 * PART_EVENTS + 1);
  });
});

describe('namespaced ids under attack: the same id from two writers (issue 21 §26)', () => {
  /** OpenSearch's create: 201 the first time an _id is written, 409 version_conflict after. */
  function createOnce(): SearchClient & { stored: Map<string, Record<string, unknown>> } {
    const stored = new Map<string, Record<string, unknown>>();
    return {
      stored,
      async request(method, _path, body) {
        if (method === 'PUT') return { status: 200, body: {} };
        const lines = (body ?? '').trim().split('\n');
        const items = [];
        for (let i = 0; i < lines.length; i += 2) {
          const id = JSON.parse(lines[i]).create._id as string;
          if (stored.has(id))
            items.push({ create: { status: 409, error: { type: 'version_conflict_engine_exception' } } });
          else {
            stored.set(id, JSON.parse(lines[i + 1]));
            items.push({ create: { status: 201 } });
          }
        }
        return { status: 200, body: { items } };
      },
    };
  }

  // Account mode: every member's trail group is trusted for its own account's records.
  const perAccount = new TrustTable([{ kind: 'cloudtrail', logGroup: 'aws-cloudtrail-logs', owner: 'self' }]);
  /** Two owners' payloads whose one log event has the same CloudWatch Logs id and the given lines. */
  const twoWriters = (line: (owner: string) => string, logGroup: string) => {
    const [genuine, forged] = ['444444444444', '555555555555'].map((owner) =>
      cwlPayload([line(owner)], { logGroup, owner }),
    );
    forged.logEvents[0].id = genuine.logEvents[0].id;
    return { genuine, forged };
  };

  it.each([
    [
      'a trusted trail record with the victim’s eventID',
      (owner: string) => JSON.stringify({ ...stop, recipientAccountId: owner, eventID: 'shared' }),
      'aws-cloudtrail-logs',
      6003,
    ],
    ['an application line', () => 'the same line', 'app/orders', 0],
  ])(
    '%s, landing first from another owner, cannot take the genuine document’s place',
    async (_name, line, logGroup, classUid) => {
      const search = createOnce();
      const { genuine, forged } = twoWriters(line, logGroup);
      const d = { ...deps(search), trust: perAccount };
      expect(await indexStreamRecord(input(encodeCwl(forged), '20'), d)).toMatchObject({ indexed: 1 });
      expect(await indexStreamRecord(input(encodeCwl(genuine), '21'), d)).toMatchObject({
        indexed: 1,
        alreadyIndexed: 0,
      });
      const docs = [...search.stored.values()] as {
        class_uid: number;
        cloud: { account: { uid: string } };
      }[];
      expect(docs.map((doc) => [doc.class_uid, doc.cloud.account.uid])).toEqual([
        [classUid, '555555555555'],
        [classUid, '444444444444'],
      ]);
      // A re-delivery of the genuine payload is the same document.
      expect(await indexStreamRecord(input(encodeCwl(genuine), '22'), d)).toMatchObject({
        indexed: 0,
        alreadyIndexed: 1,
      });
    },
  );
});
