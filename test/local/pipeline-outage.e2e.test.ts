/**
 * The local consumers after an OpenSearch outage: the drain reports the records the indexer
 * failed, checkpoints each shard before its first failure, and the next drain reads them again
 * so every document reaches OpenSearch. Archive objects of the two drains never overwrite each
 * other.
 */
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startMoto, type Moto } from '../../local/moto';
import { startOpenSearch, type LocalSearch } from '../../local/opensearch';
import { analyst, refreshAsOperator } from '../../local/scenario/search';
import { emulateOrganization } from '../../local/scenario/organization';
import { deployPipeline, drainPipeline, shipCorpus, type Pipeline } from '../../local/scenario/pipeline';

const member = '444444444444';
let moto: Moto;
let search: LocalSearch;
let pipeline: Pipeline;
let closedPort: number;

beforeAll(async () => {
  [moto, search] = await Promise.all([startMoto(), startOpenSearch()]);
  const org = await emulateOrganization(moto.endpoint, { members: [member] });
  await org.createAccount(member);
  pipeline = await deployPipeline(org, search, mkdtempSync(path.join(tmpdir(), 'logwarden-outage-')));
  // A port nothing listens on any more: connections are refused, OpenSearch is down. (A server
  // in this process would not answer: the drain blocks this process while it runs.)
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}, 300_000);

afterAll(async () => {
  await Promise.all([moto?.stop(), search?.stop()]);
});

describe('the local consumers after an OpenSearch outage', () => {
  it('report what failed, keep it unread, and index it on the next drain', async () => {
    await shipCorpus(pipeline, member);
    const down = await drainPipeline(pipeline, {
      env: { OPENSEARCH_ENDPOINT: `http://127.0.0.1:${closedPort}` },
    });
    expect(down.records).toBeGreaterThan(0);
    const indexerFailures = down.failures.filter((f) => f.startsWith('indexer: '));
    expect(indexerFailures.length).toBeGreaterThan(0);
    await expect(
      drainPipeline(pipeline, {
        strict: true,
        env: { OPENSEARCH_ENDPOINT: `http://127.0.0.1:${closedPort}` },
      }),
    ).rejects.toThrow(/the pipeline failed \d+ records/);

    const up = await drainPipeline(pipeline, { strict: true });
    expect(up.records).toBeGreaterThanOrEqual(indexerFailures.length);
    expect(up.failures).toEqual([]);
    await refreshAsOperator(pipeline.org, search);
    const client = await analyst(pipeline.org, search);
    const count = (await client.request('GET', '/logwarden-ocsf-*/_count')).body as { count: number };
    expect(count.count).toBeGreaterThan(300);
    // Every drain wrote objects of its own: none overwritten.
    const objects = [...down.archive.objects, ...up.archive.objects];
    expect(new Set(objects).size).toBe(objects.length);

    const after = await drainPipeline(pipeline, { strict: true });
    expect(after.records).toBe(0);
  }, 600_000);
});
