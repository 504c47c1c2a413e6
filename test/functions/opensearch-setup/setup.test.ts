import { installSearchSetup } from '../../../functions/opensearch-setup/setup';
import type { SearchClient } from '../../../functions/shared/opensearch/client';

/** A tiny in-memory OpenSearch for the setup's describe-then-write logic. */
function memorySearch(): SearchClient & { writes: string[] } {
  const store = new Map<string, unknown>();
  const writes: string[] = [];
  return {
    writes,
    async request(method, path, body) {
      const key = path.split('?')[0];
      if (method === 'PUT') {
        writes.push(key);
        store.set(key, JSON.parse(body ?? '{}'));
        return { status: 200, body: { acknowledged: true } };
      }
      if (!store.has(key)) return { status: 404, body: { error: 'not found' } };
      const saved = store.get(key) as Record<string, unknown>;
      if (key.startsWith('/_index_template/'))
        return { status: 200, body: { index_templates: [{ name: key, index_template: saved }] } };
      if (key.startsWith('/_plugins/_ism/'))
        return { status: 200, body: { _seq_no: 3, _primary_term: 1, ...saved } };
      return { status: 200, body: { [key.split('/').pop() as string]: saved } };
    },
  };
}

describe('installSearchSetup', () => {
  it('installs template, ISM policy and roles once; a second run writes nothing', async () => {
    const search = memorySearch();
    const first = await installSearchSetup(search, {
      retentionDays: 90,
      writerRoleArns: ['arn:aws:iam::222222222222:role/indexer'],
    });
    expect(first).toEqual([
      'installed index template logwarden-ocsf',
      'installed ISM policy logwarden-ocsf-retention (90 days)',
      'configured role logwarden_writer for 1 IAM role(s)',
      'configured role logwarden_reader for 0 IAM role(s)',
    ]);
    const writes = search.writes.length;
    expect(
      await installSearchSetup(search, {
        retentionDays: 90,
        writerRoleArns: ['arn:aws:iam::222222222222:role/indexer'],
      }),
    ).toEqual([]);
    expect(search.writes).toHaveLength(writes);
  });

  it('a changed retention updates only the ISM policy', async () => {
    const search = memorySearch();
    await installSearchSetup(search, { retentionDays: 90 });
    search.writes.length = 0;
    expect(await installSearchSetup(search, { retentionDays: 30 })).toEqual([
      'installed ISM policy logwarden-ocsf-retention (30 days)',
    ]);
    expect(search.writes).toEqual(['/_plugins/_ism/policies/logwarden-ocsf-retention']);
  });

  it('without fine-grained access control (the local node) it touches no security API', async () => {
    const search = memorySearch();
    await installSearchSetup(search, { retentionDays: 90 });
    expect(search.writes.some((w) => w.includes('_security'))).toBe(false);
  });
});
