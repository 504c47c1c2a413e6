/**
 * The OpenSearch Dashboards saved objects logwarden ships: the index pattern of the OCSF indices,
 * saved searches, visualizations and four dashboards (CloudTrail activity, network, GuardDuty
 * findings, coverage over time). Each object is a line of a Dashboards 2.19 export (`id`, `type`,
 * `attributes`, `references`; inner JSON as strings: `visState`, `panelsJSON`,
 * `kibanaSavedObjectMeta.searchSourceJSON`), so the file written from it
 * (docs/dashboards/logwarden.ndjson) imports with `POST /api/saved_objects/_import`; the setup
 * function installs the same objects into the domain's `.kibana` index (setup.ts).
 *
 * Queries are Lucene syntax: Dashboards sends them as a `query_string` query, the same text.
 */
import { indexPrefix } from './index-model';

export interface SavedObject {
  id: string;
  type: 'index-pattern' | 'search' | 'visualization' | 'dashboard';
  attributes: Record<string, unknown>;
  references: { name: string; type: string; id: string }[];
  migrationVersion?: Record<string, string>;
}

/** The version of OpenSearch Dashboards the objects are written for (the domain's engine). */
export const dashboardsVersion = '2.19.0';
export const indexPatternId = 'logwarden-ocsf';

/** A bucket aggregation of a visualization, as Dashboards writes it in `visState.aggs`. */
export type VisAgg =
  | { id: string; enabled: true; type: 'count'; schema: 'metric'; params: Record<string, never> }
  | { id: string; enabled: true; type: 'sum' | 'cardinality'; schema: 'metric'; params: { field: string } }
  | {
      id: string;
      enabled: true;
      type: 'terms';
      schema: 'bucket' | 'segment' | 'split' | 'group';
      params: { field: string; size: number; order: 'desc'; orderBy: string };
    }
  | {
      id: string;
      enabled: true;
      type: 'date_histogram';
      schema: 'segment';
      params: { field: string; interval: 'd'; min_doc_count: 1 };
    };

const indexRef = 'kibanaSavedObjectMeta.searchSourceJSON.index';
const searchSource = (query: string) => ({
  searchSourceJSON: JSON.stringify({
    query: { query, language: 'lucene' },
    filter: [],
    indexRefName: indexRef,
  }),
});
const patternRef = [{ name: indexRef, type: 'index-pattern', id: indexPatternId }];

const count = (id = '1'): VisAgg => ({ id, enabled: true, type: 'count', schema: 'metric', params: {} });
const terms = (
  id: string,
  field: string,
  size = 10,
  schema: 'bucket' | 'segment' | 'group' = 'bucket',
  orderBy = '1',
): VisAgg => ({ id, enabled: true, type: 'terms', schema, params: { field, size, order: 'desc', orderBy } });

function visualization(
  id: string,
  title: string,
  type: 'table' | 'pie' | 'line',
  query: string,
  aggs: VisAgg[],
): SavedObject {
  const params =
    type === 'table'
      ? { perPage: 10, showPartialRows: false, showMetricsAtAllLevels: false, showTotal: false }
      : type === 'pie'
        ? { type: 'pie', addTooltip: true, addLegend: true, legendPosition: 'right', isDonut: true }
        : { type: 'line', addTooltip: true, addLegend: true, legendPosition: 'right' };
  return {
    id,
    type: 'visualization',
    attributes: {
      title,
      visState: JSON.stringify({ title, type, params, aggs }),
      uiStateJSON: '{}',
      description: '',
      version: 1,
      kibanaSavedObjectMeta: searchSource(query),
    },
    references: patternRef,
    migrationVersion: { visualization: '7.10.0' },
  };
}

function savedSearch(id: string, title: string, query: string, columns: string[]): SavedObject {
  return {
    id,
    type: 'search',
    attributes: {
      title,
      description: '',
      hits: 0,
      columns,
      sort: [['time', 'desc']],
      version: 1,
      kibanaSavedObjectMeta: searchSource(query),
    },
    references: patternRef,
    migrationVersion: { search: '7.9.3' },
  };
}

function dashboard(id: string, title: string, description: string, panels: string[]): SavedObject {
  return {
    id,
    type: 'dashboard',
    attributes: {
      title,
      hits: 0,
      description,
      panelsJSON: JSON.stringify(
        panels.map((_, i) => ({
          version: dashboardsVersion,
          gridData: { x: (i % 2) * 24, y: Math.floor(i / 2) * 15, w: 24, h: 15, i: String(i + 1) },
          panelIndex: String(i + 1),
          embeddableConfig: {},
          panelRefName: `panel_${i}`,
        })),
      ),
      optionsJSON: JSON.stringify({ hideBorders: false, useMargins: true }),
      version: 1,
      timeRestore: false,
      kibanaSavedObjectMeta: {
        searchSourceJSON: JSON.stringify({ query: { query: '', language: 'lucene' }, filter: [] }),
      },
    },
    references: panels.map((panel, i) => ({
      name: `panel_${i}`,
      type: panel.startsWith('search-') ? 'search' : 'visualization',
      id: panel,
    })),
    migrationVersion: { dashboard: '7.9.3' },
  };
}

/** OCSF classes (docs/ocsf-mapping.md). */
const apiActivity = 'class_uid:6003';
const authentication = 'class_uid:3002';
const networkActivity = 'class_uid:4001';
const detectionFinding = 'class_uid:2004';

export const savedObjects: SavedObject[] = [
  {
    id: indexPatternId,
    type: 'index-pattern',
    attributes: { title: `${indexPrefix}*`, timeFieldName: 'time' },
    references: [],
    migrationVersion: { 'index-pattern': '7.6.0' },
  },
  // CloudTrail activity: who did what, failed calls, root and console sign-ins.
  visualization('vis-ct-who-did-what', 'CloudTrail: who did what', 'table', apiActivity, [
    count(),
    terms('2', 'actor.user.uid'),
    terms('3', 'api.operation'),
  ]),
  visualization(
    'vis-ct-failed-calls',
    'CloudTrail: failed calls',
    'table',
    `${apiActivity} AND status_id:2`,
    [count(), terms('2', 'api.operation'), terms('3', 'api.response.error')],
  ),
  visualization(
    'vis-ct-root-and-console-sign-ins',
    'CloudTrail: root activity and console sign-ins',
    'table',
    `${authentication} OR (${apiActivity} AND actor.user.type:Root)`,
    [count(), terms('2', 'class_name'), terms('3', 'actor.user.type'), terms('4', 'actor.user.uid')],
  ),
  savedSearch('search-ct-failed-calls', 'CloudTrail: failed calls', `${apiActivity} AND status_id:2`, [
    'actor.user.uid',
    'api.operation',
    'api.response.error',
    'cloud.account.uid',
    'cloud.region',
  ]),
  savedSearch('search-console-sign-ins', 'Console sign-ins', authentication, [
    'actor.user.type',
    'actor.user.uid',
    'is_mfa',
    'status',
    'src_endpoint.ip',
  ]),
  // Network: rejected flows by source and destination, top talkers.
  visualization(
    'vis-net-rejected-flows',
    'Network: rejected flows by source and destination',
    'table',
    `${networkActivity} AND action:Denied`,
    [count(), terms('2', 'src_endpoint.ip'), terms('3', 'dst_endpoint.ip')],
  ),
  visualization('vis-net-top-talkers', 'Network: top talkers (bytes)', 'table', networkActivity, [
    { id: '1', enabled: true, type: 'sum', schema: 'metric', params: { field: 'traffic.bytes' } },
    terms('2', 'src_endpoint.ip'),
  ]),
  // GuardDuty findings by severity and type.
  visualization('vis-gd-by-severity', 'GuardDuty findings by severity', 'pie', detectionFinding, [
    count(),
    terms('2', 'severity', 10, 'segment'),
  ]),
  visualization('vis-gd-by-type', 'GuardDuty findings by type', 'table', detectionFinding, [
    count(),
    terms('2', 'finding_info.types', 20),
  ]),
  // Coverage over time: how many accounts sent each kind of event, per day.
  visualization(
    'vis-coverage-accounts-per-day',
    'Coverage: accounts reporting, per day and kind',
    'line',
    '*',
    [
      {
        id: '1',
        enabled: true,
        type: 'cardinality',
        schema: 'metric',
        params: { field: 'cloud.account.uid' },
      },
      {
        id: '2',
        enabled: true,
        type: 'date_histogram',
        schema: 'segment',
        params: { field: 'time', interval: 'd', min_doc_count: 1 },
      },
      terms('3', 'class_name', 10, 'group'),
    ],
  ),
  dashboard(
    'dash-cloudtrail',
    'logwarden: CloudTrail activity',
    'Who did what, failed calls, root and console sign-ins',
    [
      'vis-ct-who-did-what',
      'vis-ct-failed-calls',
      'vis-ct-root-and-console-sign-ins',
      'search-ct-failed-calls',
    ],
  ),
  dashboard('dash-network', 'logwarden: network', 'Rejected flows by source and destination, top talkers', [
    'vis-net-rejected-flows',
    'vis-net-top-talkers',
  ]),
  dashboard('dash-guardduty', 'logwarden: GuardDuty findings', 'Findings by severity and type', [
    'vis-gd-by-severity',
    'vis-gd-by-type',
  ]),
  dashboard(
    'dash-coverage',
    'logwarden: coverage over time',
    'Accounts reporting each kind of event, per day',
    ['vis-coverage-accounts-per-day'],
  ),
];

/** The objects as a Dashboards export file (ndjson), the import API's input. */
export function savedObjectsNdjson(): string {
  return savedObjects.map((o) => JSON.stringify(o)).join('\n') + '\n';
}

/**
 * A saved object as Dashboards stores it in its index: document `<type>:<id>`, the attributes
 * under the type's name (OpenSearch Dashboards, saved objects serializer: `{ type, [type]:
 * attributes, references, migrationVersion, updated_at }`).
 */
export function storedDocument(o: SavedObject): { id: string; source: Record<string, unknown> } {
  return {
    id: `${o.type}:${o.id}`,
    source: {
      type: o.type,
      [o.type]: o.attributes,
      references: o.references,
      ...(o.migrationVersion ? { migrationVersion: o.migrationVersion } : {}),
    },
  };
}

/** The index Dashboards keeps the shared (global tenant) saved objects in. */
export const dashboardsIndex = '.kibana';
