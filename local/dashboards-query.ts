/**
 * The search OpenSearch Dashboards sends for a visualization of the shipped saved objects
 * (functions/shared/opensearch/dashboards.ts): the saved search source's Lucene query as a
 * `query_string`, and the visualization's aggregations, each bucket aggregation nested in the one
 * before it and the metric inside the innermost (what the Dashboards data plugin builds from
 * `visState.aggs`). Dashboards cannot run here: the tests run this search on the local node and
 * check its answer against the matching documents themselves.
 */
import type { SavedObject, VisAgg } from '../functions/shared/opensearch/dashboards';

export interface VisualizationSearch {
  title: string;
  query: string;
  aggs: VisAgg[];
  body: Record<string, unknown>;
}

function metricAgg(agg: VisAgg): Record<string, unknown> | undefined {
  if (agg.type === 'sum') return { sum: { field: agg.params.field } };
  if (agg.type === 'cardinality') return { cardinality: { field: agg.params.field } };
  return undefined; // count: every bucket's doc_count
}

export function visualizationSearch(object: SavedObject): VisualizationSearch {
  if (object.type !== 'visualization')
    throw new Error(`${object.id} is a ${object.type}, not a visualization`);
  const attributes = object.attributes as {
    title: string;
    visState: string;
    kibanaSavedObjectMeta: { searchSourceJSON: string };
  };
  const vis = JSON.parse(attributes.visState) as { aggs: VisAgg[] };
  const source = JSON.parse(attributes.kibanaSavedObjectMeta.searchSourceJSON) as {
    query: { query: string; language: string };
  };
  if (source.query.language !== 'lucene') throw new Error(`${object.id}: only Lucene queries are translated`);
  const metric = vis.aggs.find((a) => a.schema === 'metric')!;
  const buckets = vis.aggs.filter((a) => a.schema !== 'metric');
  const metricBody = metricAgg(metric);
  let inner: Record<string, unknown> | undefined = metricBody ? { [metric.id]: metricBody } : undefined;
  for (const agg of [...buckets].reverse()) {
    const body =
      agg.type === 'terms'
        ? {
            terms: {
              field: agg.params.field,
              size: agg.params.size,
              order:
                agg.params.orderBy === metric.id && metricBody ? { [metric.id]: 'desc' } : { _count: 'desc' },
            },
          }
        : agg.type === 'date_histogram'
          ? { date_histogram: { field: agg.params.field, calendar_interval: '1d', min_doc_count: 1 } }
          : undefined;
    if (!body) throw new Error(`${object.id}: aggregation ${agg.type} is not translated`);
    inner = { [agg.id]: { ...body, ...(inner ? { aggs: inner } : {}) } };
  }
  return {
    title: attributes.title,
    query: source.query.query,
    aggs: vis.aggs,
    body: {
      size: 0,
      query: { query_string: { query: source.query.query, analyze_wildcard: true } },
      aggs: inner,
    },
  };
}
