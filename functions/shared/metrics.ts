import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** One metric per source, each with its own `source` dimension next to the service one. */
export function addPerSource(metrics: Metrics, name: string, counts: Partial<Record<string, number>>): void {
  for (const [source, count] of Object.entries(counts)) {
    const metric = metrics.singleMetric();
    metric.addDimension('source', source);
    metric.addMetric(name, MetricUnit.Count, count ?? 0);
  }
}
