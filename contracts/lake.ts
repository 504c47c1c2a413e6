/**
 * The archive as a lake: the Glue table that describes it, its partitions and the named queries.
 * One source of truth for the stack (Glue table, Firehose's conversion schema, Athena named
 * queries), the local Parquet writer and the tests.
 */

/** What the transform files an event under (`source=` in the archive's keys). */
export const archiveSourceKinds = [
  'cloudtrail',
  'vpcflow',
  'guardduty',
  'application',
  'parse_error',
] as const;
export type ArchiveSourceKind = (typeof archiveSourceKinds)[number];
/** A Firehose record whose events are of several kinds is filed under `mixed`. */
export const archivePartitionSources = [...archiveSourceKinds, 'mixed'] as const;

export const lakeNames = {
  database: 'logwarden',
  /** One table, the OCSF class a column: see docs/lake.md for why not one table per class. */
  table: 'ocsf_events',
  workgroup: 'logwarden-lake',
  /** The role analysts assume to query the lake; nothing else may read the archive through Athena. */
  readerRole: 'logwarden-lake-reader',
  resultsKeyAlias: 'alias/logwarden-lake-results',
} as const;

/** The archive's prefix, below which Firehose writes `source=<kind>/date=<yyyy-MM-dd>/`. */
export const archiveDataPrefix = 'ocsf/';

export type ColumnType = 'int' | 'bigint' | 'boolean' | 'string';

export interface LakeColumn {
  readonly name: string;
  readonly type: ColumnType;
  /** An OCSF object or array, kept whole as its JSON text (json_extract in queries). */
  readonly json?: true;
}

const json = (name: string): LakeColumn => ({ name, type: 'string', json: true });

/**
 * Every top-level attribute the transform writes, in the order it writes them. Firehose's
 * conversion keeps only the columns the table declares ("the converted data will not contain
 * attributes that are not specified in the schema", Firehose Developer Guide, Convert input data
 * format), so this list must hold every attribute: test/contracts/lake.test.ts checks it against
 * every document of the corpus. OCSF objects are declared `string`: the OpenX JSON SerDe hands
 * an object to a string column as its JSON text (its JsonStringJavaObjectInspector "was built to
 * tolerate non-string values and treat them as strings"), so no nested attribute can be dropped
 * the way a STRUCT drops the fields it does not declare.
 */
export const lakeColumns: readonly LakeColumn[] = [
  { name: 'class_uid', type: 'int' },
  { name: 'class_name', type: 'string' },
  { name: 'category_uid', type: 'int' },
  { name: 'category_name', type: 'string' },
  { name: 'activity_id', type: 'int' },
  { name: 'activity_name', type: 'string' },
  { name: 'type_uid', type: 'bigint' },
  { name: 'type_name', type: 'string' },
  { name: 'severity_id', type: 'int' },
  { name: 'severity', type: 'string' },
  { name: 'time', type: 'bigint' },
  { name: 'time_dt', type: 'string' },
  { name: 'start_time', type: 'bigint' },
  { name: 'end_time', type: 'bigint' },
  { name: 'count', type: 'int' },
  { name: 'message', type: 'string' },
  { name: 'status', type: 'string' },
  { name: 'status_id', type: 'int' },
  { name: 'status_code', type: 'string' },
  { name: 'action', type: 'string' },
  { name: 'action_id', type: 'int' },
  { name: 'disposition', type: 'string' },
  { name: 'disposition_id', type: 'int' },
  { name: 'is_mfa', type: 'boolean' },
  json('cloud'),
  json('metadata'),
  json('api'),
  json('actor'),
  json('user'),
  json('service'),
  json('src_endpoint'),
  json('dst_endpoint'),
  json('http_request'),
  json('connection_info'),
  json('traffic'),
  json('finding_info'),
  json('resources'),
  json('evidences'),
  json('unmapped'),
  { name: 'raw_data', type: 'string' },
];

export const lakePartitionKeys: readonly LakeColumn[] = [
  { name: 'source', type: 'string' },
  { name: 'date', type: 'string' },
];

/**
 * Athena partition projection (Athena User Guide, "Use partition projection with Amazon Athena":
 * "Athena calculates partition values and locations using the table properties that you
 * configure directly on your table in AWS Glue"), so no crawler and no MSCK REPAIR TABLE.
 * `source` is an enum of the kinds above; `date` a date type of one day, from the oldest day the
 * retention keeps to tomorrow (the transform files an event up to an hour ahead of its arrival,
 * functions/shared/ingestion-window.ts).
 */
export function partitionProjection(bucketName: string, retentionDays: number): Record<string, string> {
  return {
    'projection.enabled': 'true',
    'projection.source.type': 'enum',
    'projection.source.values': archivePartitionSources.join(','),
    'projection.date.type': 'date',
    'projection.date.format': 'yyyy-MM-dd',
    'projection.date.range': `NOW-${retentionDays}DAYS,NOW+1DAYS`,
    'projection.date.interval': '1',
    'projection.date.interval.unit': 'DAYS',
    'storage.location.template': `s3://${bucketName}/${archiveDataPrefix}source=\${source}/date=\${date}/`,
  };
}

export interface NamedQuery {
  readonly name: string;
  readonly description: string;
  /** Athena SQL with `?` execution parameters, in the order `parameters` names them. */
  readonly sql: string;
  readonly parameters: readonly string[];
}

const t = `${lakeNames.database}.${lakeNames.table}`;

/**
 * The investigations analysts run most, as Athena named queries. Each one names its partitions
 * (source and a date range), so a query scans only the days it asks for.
 */
export const namedQueries: readonly NamedQuery[] = [
  {
    name: 'who-stopped-a-trail',
    description:
      'StopLogging calls between two days (yyyy-MM-dd), newest first: who, from where, which trail',
    parameters: ['first day', 'last day'],
    sql: `SELECT time_dt,
       json_extract_scalar(actor, '$.user.uid') AS principal,
       json_extract_scalar(cloud, '$.account.uid') AS account,
       json_extract_scalar(cloud, '$.region') AS region,
       json_extract_scalar(src_endpoint, '$.ip') AS source_ip,
       json_extract_scalar(api, '$.request.data.name') AS trail
FROM ${t}
WHERE source IN ('cloudtrail', 'mixed') AND date BETWEEN ? AND ?
  AND class_uid = 6003 AND json_extract_scalar(api, '$.operation') = 'StopLogging'
ORDER BY time DESC
LIMIT 100`,
  },
  {
    name: 'actions-by-principal',
    description: 'Every API call of one principal (its ARN) between two days (yyyy-MM-dd), in order',
    parameters: ['principal ARN', 'first day', 'last day'],
    sql: `SELECT time_dt,
       json_extract_scalar(api, '$.service.name') AS service,
       json_extract_scalar(api, '$.operation') AS operation,
       status,
       json_extract_scalar(cloud, '$.account.uid') AS account,
       json_extract_scalar(cloud, '$.region') AS region,
       json_extract_scalar(src_endpoint, '$.ip') AS source_ip
FROM ${t}
WHERE json_extract_scalar(actor, '$.user.uid') = ?
  AND source IN ('cloudtrail', 'mixed') AND date BETWEEN ? AND ?
  AND class_uid IN (3001, 3002, 6003)
ORDER BY time
LIMIT 1000`,
  },
  {
    name: 'rejected-flows-to-address',
    description: 'Rejected flows to one address between two days (yyyy-MM-dd), by source and port',
    parameters: ['destination address', 'first day', 'last day'],
    sql: `SELECT json_extract_scalar(src_endpoint, '$.ip') AS source_ip,
       CAST(json_extract_scalar(dst_endpoint, '$.port') AS integer) AS port,
       json_extract_scalar(connection_info, '$.protocol_name') AS protocol,
       count(*) AS flows,
       min(time_dt) AS first_seen,
       max(time_dt) AS last_seen
FROM ${t}
WHERE json_extract_scalar(dst_endpoint, '$.ip') = ?
  AND source IN ('vpcflow', 'mixed') AND date BETWEEN ? AND ?
  AND class_uid = 4001 AND action = 'Denied'
GROUP BY 1, 2, 3
ORDER BY flows DESC, source_ip
LIMIT 100`,
  },
  {
    name: 'top-rejected-sources',
    description: 'The addresses with the most rejected flows between two days (yyyy-MM-dd)',
    parameters: ['first day', 'last day'],
    sql: `SELECT json_extract_scalar(src_endpoint, '$.ip') AS source_ip, count(*) AS flows
FROM ${t}
WHERE source IN ('vpcflow', 'mixed') AND date BETWEEN ? AND ?
  AND class_uid = 4001 AND action = 'Denied'
GROUP BY 1
ORDER BY flows DESC, source_ip
LIMIT 5`,
  },
  {
    name: 'findings-by-account',
    description: 'GuardDuty findings between two days (yyyy-MM-dd), by account and severity',
    parameters: ['first day', 'last day'],
    sql: `SELECT json_extract_scalar(cloud, '$.account.uid') AS account,
       severity,
       count(*) AS findings,
       max(time_dt) AS latest
FROM ${t}
WHERE source IN ('guardduty', 'mixed') AND date BETWEEN ? AND ?
  AND class_uid = 2004
GROUP BY 1, 2, severity_id
ORDER BY account, severity_id DESC`,
  },
];

/**
 * The Parquet compression of the archive (Firehose ParquetSerDe `Compression`: UNCOMPRESSED,
 * GZIP or SNAPPY; the table's `parquet.compression` says the same). GZIP: measured by
 * `npm run bench:lake` (docs/lake.md), it stores 37 % to 45 % less than SNAPPY on both mixes,
 * about what the GZIP JSON archive stored, while a query reads only the columns it names.
 */
export const archiveParquetCompression = 'GZIP' as const;
