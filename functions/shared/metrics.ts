import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** One metric per source, each with its own `source` dimension next to the service one. */
export function addPerSource(metrics: Metrics, name: string, counts: Partial<Record<string, number>>): void {
  for (const [source, count] of Object.entries(counts)) {
    const metric = metrics.singleMetric();
    metric.addDimension('source', source);
    metric.addMetric(name, MetricUnit.Count, count ?? 0);
  }
}

/**
 * What the consumers' cores report through: structured log lines and counts. The handlers give
 * them Powertools (namespace `logwarden`, dimension `service` = `logwarden-<function>`); the
 * tests give them a recorder.
 */
export interface Observer {
  log(level: 'info' | 'warn' | 'error', message: string, attributes: Record<string, unknown>): void;
  count(name: string, value: number, dimensions?: Record<string, string>): void;
}

export function powertoolsObserver(logger: Logger, metrics: Metrics): Observer {
  return {
    log: (level, message, attributes) => logger[level](message, attributes),
    count: (name, value, dimensions) => {
      if (!dimensions || !Object.keys(dimensions).length) {
        metrics.addMetric(name, MetricUnit.Count, value);
        return;
      }
      const metric = metrics.singleMetric();
      for (const [k, v] of Object.entries(dimensions)) metric.addDimension(k, v);
      metric.addMetric(name, MetricUnit.Count, value);
    },
  };
}

/**
 * One metric in CloudWatch's embedded metric format: "a JSON specification used to instruct
 * CloudWatch Logs to automatically extract metric values embedded in structured log events"
 * (CloudWatch User Guide, "Specification: Embedded metric format"). A Lambda function's
 * standard output is its log group, so logging the line publishes the metric with exactly the
 * dimensions given (Powertools would add its `service` dimension).
 */
export function embeddedMetric(metric: {
  namespace: string;
  name: string;
  unit: 'Percent' | 'Count';
  value: number;
  dimensions: Record<string, string>;
  timestamp: Date;
}): string {
  return JSON.stringify({
    _aws: {
      Timestamp: metric.timestamp.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: metric.namespace,
          Dimensions: [Object.keys(metric.dimensions)],
          Metrics: [{ Name: metric.name, Unit: metric.unit }],
        },
      ],
    },
    ...metric.dimensions,
    [metric.name]: metric.value,
  });
}

/** Powertools' switch for every metric of a function (`POWERTOOLS_METRICS_DISABLED=true`). */
export const metricsDisabled = (env: Readonly<Record<string, string | undefined>>) =>
  env.POWERTOOLS_METRICS_DISABLED?.toLowerCase() === 'true';
