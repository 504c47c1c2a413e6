import type { SearchClient } from '../functions/shared/opensearch/client';
import { indexPrefix } from '../functions/shared/opensearch/index-model';

async function search(client: SearchClient, body: object): Promise<Record<string, unknown>> {
  const res = await client.request('POST', `/${indexPrefix}*/_search`, JSON.stringify(body));
  if (res.status >= 300)
    throw new Error(`search answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
  return res.body as Record<string, unknown>;
}

type Buckets = { aggregations: Record<string, { buckets: { key: string | number; doc_count: number }[] }> };

/** Who stopped a trail: StopLogging calls, newest first. */
export async function whoStoppedATrail(client: SearchClient, size = 20) {
  const body = await search(client, {
    size,
    sort: [{ time: 'desc' }],
    query: {
      bool: { filter: [{ term: { 'api.operation': 'StopLogging' } }, { term: { class_uid: 6003 } }] },
    },
    _source: [
      'time',
      'time_dt',
      'actor.user.uid',
      'actor.user.name',
      'cloud.account.uid',
      'cloud.region',
      'src_endpoint.ip',
      'api.request.data.name',
    ],
  });
  return ((body.hits as { hits: { _source: Record<string, unknown> }[] }).hits ?? []).map((h) => h._source);
}

/** The sources with the most rejected flows. */
export async function topRejectedSources(client: SearchClient, size = 5) {
  const body = (await search(client, {
    size: 0,
    query: { bool: { filter: [{ term: { class_uid: 4001 } }, { term: { action: 'Denied' } }] } },
    aggs: { sources: { terms: { field: 'src_endpoint.ip', size } } },
  })) as unknown as Buckets;
  return body.aggregations.sources.buckets.map((b) => ({ source: String(b.key), flows: b.doc_count }));
}

/** GuardDuty findings by OCSF severity. */
export async function findingsBySeverity(client: SearchClient) {
  const body = (await search(client, {
    size: 0,
    query: { term: { class_uid: 2004 } },
    aggs: { severity: { terms: { field: 'severity', size: 10 } } },
  })) as unknown as Buckets;
  return body.aggregations.severity.buckets.map((b) => ({ severity: String(b.key), findings: b.doc_count }));
}
