/**
 * logwarden as an Amazon Security Lake custom source (`archive.securityLake`): which OCSF
 * classes become which custom sources, and where each object goes. One definition for the
 * stack (one AWS::SecurityLake::CustomLogSource a class), the layout and the tests.
 *
 * Amazon Security Lake User Guide, "Collecting data from custom sources in Security Lake":
 * - "For sources that contain multiple categories of data, you should deliver each unique Open
 *   Cybersecurity Schema Framework (OCSF) event class as a separate source."
 * - "Each S3 object that's collected from the custom source should be formatted as an Apache
 *   Parquet file."
 * - "The same OCSF event class should apply to each record within a Parquet-formatted object."
 * - "Objects should be partitioned by source location, AWS Region, AWS account, and date."
 *   The partition path is `<bucket>/ext/<custom-source-name>/region=<region>/accountId=<account>/eventDay=<YYYYMMDD>/`.
 */

/** The classes logwarden writes that Security Lake takes from a custom source, with the `eventClasses` name. */
export const securityLakeClasses = [
  { classUid: 6003, eventClass: 'API_ACTIVITY', sourceName: 'logwarden-api-activity' },
  { classUid: 3002, eventClass: 'AUTHENTICATION', sourceName: 'logwarden-authentication' },
  { classUid: 3001, eventClass: 'ACCOUNT_CHANGE', sourceName: 'logwarden-account-change' },
  { classUid: 4001, eventClass: 'NETWORK_ACTIVITY', sourceName: 'logwarden-network-activity' },
  { classUid: 2004, eventClass: 'DETECTION_FINDING', sourceName: 'logwarden-detection-finding' },
] as const;

export type SecurityLakeClass = (typeof securityLakeClasses)[number];

/** The Glue crawler role CreateCustomLogSource is given (the central stack creates it). */
export const securityLakeCrawlerRoleName = 'logwarden-security-lake-crawler';

/** CreateCustomLogSource's `sourceName` (botocore: 1-64 of `[\w\-\_\:\.]`). */
export const customLogSourceNamePattern = /^[\w\-_:.]{1,64}$/;
/** AwsIdentity `externalId` (botocore: 2-1224 of `[\w+=,.@:\/-]`). */
export const externalIdPattern = /^[\w+=,.@:/-]{2,1224}$/;

/** The Security Lake class of an OCSF class uid, if Security Lake takes it from logwarden. */
export function securityLakeClassOf(classUid: number): SecurityLakeClass | undefined {
  return securityLakeClasses.find((c) => c.classUid === classUid);
}

export interface SecurityLakePartition {
  sourceName: string;
  region: string;
  accountId: string;
  /** `YYYYMMDD`, the UTC day of the event (OCSF `time`). */
  eventDay: string;
}

/** The prefix of a partition under the data lake bucket (the guide's partition path). */
export function securityLakePrefix(p: SecurityLakePartition): string {
  return `ext/${p.sourceName}/region=${p.region}/accountId=${p.accountId}/eventDay=${p.eventDay}/`;
}

interface PartitionedDocument {
  class_uid: number;
  time: number;
  cloud?: { region?: string; account?: { uid?: string } };
}

/**
 * The partition of one OCSF document, or why it has none: a class Security Lake does not take
 * from logwarden (application events, parse errors stay in logwarden's archive only), or no
 * region or account to file it under.
 */
export function securityLakePartitionOf(
  doc: PartitionedDocument,
): { partition: SecurityLakePartition } | { skipped: string } {
  const cls = securityLakeClassOf(doc.class_uid);
  if (!cls) return { skipped: `class ${doc.class_uid} is not sent to Security Lake` };
  const region = doc.cloud?.region;
  const accountId = doc.cloud?.account?.uid;
  if (!region || !accountId) return { skipped: 'cloud.region or cloud.account.uid missing' };
  if (!/^\d{12}$/.test(accountId)) return { skipped: 'cloud.account.uid is not an AWS account id' };
  if (!Number.isFinite(doc.time)) return { skipped: 'time missing' };
  const eventDay = new Date(doc.time).toISOString().slice(0, 10).replace(/-/g, '');
  return { partition: { sourceName: cls.sourceName, region, accountId, eventDay } };
}

/**
 * Documents grouped into Security Lake objects: one group a partition, so each object holds one
 * class (one source), one region, one account and one event day; what is not sent, counted by reason.
 */
export function securityLakeObjects<D extends PartitionedDocument>(
  docs: readonly D[],
): {
  objects: { prefix: string; partition: SecurityLakePartition; docs: D[] }[];
  skipped: Map<string, number>;
} {
  const groups = new Map<string, { prefix: string; partition: SecurityLakePartition; docs: D[] }>();
  const skipped = new Map<string, number>();
  for (const doc of docs) {
    const at = securityLakePartitionOf(doc);
    if ('skipped' in at) {
      skipped.set(at.skipped, (skipped.get(at.skipped) ?? 0) + 1);
      continue;
    }
    const prefix = securityLakePrefix(at.partition);
    const group = groups.get(prefix) ?? { prefix, partition: at.partition, docs: [] };
    group.docs.push(doc);
    groups.set(prefix, group);
  }
  // Each object in time order.
  for (const g of groups.values()) g.docs.sort((a, b) => a.time - b.time);
  return { objects: [...groups.values()], skipped };
}

/** CreateCustomLogSource's request (Security Lake API Reference), one a class. */
export interface CreateCustomLogSourceRequest {
  sourceName: string;
  sourceVersion: string;
  eventClasses: string[];
  configuration: {
    crawlerConfiguration: { roleArn: string };
    providerIdentity: { externalId: string; principal: string };
  };
}

/**
 * The custom sources logwarden is, as CreateCustomLogSource requests made in the log-archive
 * account's home region: the crawler role of the central stack, and as provider the log-archive
 * account itself with the configured external id.
 */
export function customLogSourceRequests(options: {
  logArchiveAccount: string;
  externalId: string;
  sourceVersion: string;
  partition?: string;
}): CreateCustomLogSourceRequest[] {
  const roleArn = `arn:${options.partition ?? 'aws'}:iam::${options.logArchiveAccount}:role/${securityLakeCrawlerRoleName}`;
  return securityLakeClasses.map((c) => ({
    sourceName: c.sourceName,
    sourceVersion: options.sourceVersion,
    eventClasses: [c.eventClass],
    configuration: {
      crawlerConfiguration: { roleArn },
      providerIdentity: { externalId: options.externalId, principal: options.logArchiveAccount },
    },
  }));
}
