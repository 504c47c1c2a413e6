import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildExample, exampleConfig, templateOf } from './example-app';
import { coverageMetric } from '../../contracts/coverage-cells';

/**
 * Issue 21 §22: every metric the docs say is alarmed, is. The list is the docs' own alarm tables
 * (docs/pipeline.md, docs/control-plane.md); the alarms are read from the synthesized templates
 * of every stack. Both ways: a documented alarm that is missing or watches another metric fails,
 * and so does an alarm the docs do not list.
 */
interface DocumentedAlarm {
  page: string;
  name: string;
  namespace: string;
  metric: string;
  on: string;
}

const docsDir = path.join(__dirname, '..', '..', 'docs');
const unquote = (cell: string) => cell.trim().replace(/^`|`$/g, '');

function documentedAlarms(page: string): DocumentedAlarm[] {
  const lines = readFileSync(path.join(docsDir, page), 'utf8').split('\n');
  const rows: DocumentedAlarm[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\|\s*alarm\s*\|\s*namespace\s*\|\s*metric\s*\|\s*on\s*\|/.test(lines[i])) continue;
    for (let j = i + 2; j < lines.length && lines[j].startsWith('|'); j++) {
      const [name, namespace, metric, on] = lines[j].split('|').slice(1, 5).map(unquote);
      rows.push({ page, name, namespace, metric, on });
    }
  }
  return rows;
}

const documented = ['pipeline.md', 'control-plane.md'].flatMap(documentedAlarms);

type AlarmProps = {
  AlarmName: string;
  Namespace?: string;
  MetricName?: string;
  Dimensions?: { Name: string; Value: unknown }[];
  Metrics?: { Expression?: string; MetricStat?: { Metric: { MetricName: string } } }[];
  AlarmActions?: unknown[];
};
const built = buildExample(exampleConfig());
const stacks = [
  built.central,
  built.controlPlane,
  built.memberBaseline,
  built.managementForwarder,
  ...(built.managementHomeForwarder ? [built.managementHomeForwarder] : []),
  ...built.destinations,
  ...(built.managementTrailSubscription ? [built.managementTrailSubscription] : []),
];
const synthesized: AlarmProps[] = stacks.flatMap((s) =>
  Object.values(templateOf(s).findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties as AlarmProps),
);

describe('the alarms the docs promise (issue 21 §22)', () => {
  it('the docs list alarms, among them the transform’s FailedRecords and ReingestFailed', () => {
    expect(documented.length).toBeGreaterThan(30);
    const transform = documented.filter((d) => d.on === 'logwarden-transform').map((d) => d.metric);
    expect(transform).toEqual(expect.arrayContaining(['FailedRecords', 'ReingestFailed']));
  });

  it.each(documented.map((d) => [`${d.name} (${d.page})`, d] as const))(
    '%s is synthesized, on the documented metric, with an action',
    (_, doc) => {
      const alarm = synthesized.find((a) => a.AlarmName === doc.name);
      expect(alarm).toBeDefined();
      expect(alarm!.AlarmActions?.length).toBeGreaterThan(0);
      if (doc.namespace === 'expression') {
        const used = (alarm!.Metrics ?? []).map((m) => m.Expression ?? m.MetricStat?.Metric.MetricName ?? '');
        expect(used.some((u) => u.includes(doc.metric))).toBe(true);
        return;
      }
      expect({ namespace: alarm!.Namespace, metric: alarm!.MetricName }).toEqual({
        namespace: doc.namespace,
        metric: doc.metric,
      });
      const dimension = (name: string) => alarm!.Dimensions?.find((d) => d.Name === name)?.Value;
      // Powertools metrics carry the function as the `service` dimension; EventBridge's by rule
      // name; the coverage metric (contracts/coverage-cells.ts) its control as `control`.
      if (doc.namespace === 'logwarden')
        expect(
          dimension(doc.metric === coverageMetric.metricName ? coverageMetric.dimension : 'service'),
        ).toBe(doc.on);
      if (doc.namespace === 'AWS/Events') expect(dimension('RuleName')).toBe(doc.on);
    },
  );

  it('every synthesized alarm is in the docs', () => {
    const listed = new Set(documented.map((d) => d.name));
    expect(synthesized.map((a) => a.AlarmName).filter((n) => !listed.has(n))).toEqual([]);
  });
});
