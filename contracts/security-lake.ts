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

/**
 * The classes logwarden writes that Security Lake takes from a custom source, with the
 * `eventClasses` name. Each `sourceName` is at most 20 characters: CreateCustomLogSource's
 * sourceName "is used in the LogProviderRole name which follows the convention
 * AmazonSecurityLake-Provider-{name of the custom source}-{region}. You must use a
 * CustomLogSource name that is shorter than or equal to 20 characters. This ensures that the
 * LogProviderRole name is below the 64 character limit" (Security Lake API Reference).
 */
export const securityLakeClasses = [
  { classUid: 6003, eventClass: 'API_ACTIVITY', sourceName: 'logwarden-api' },
  { classUid: 3002, eventClass: 'AUTHENTICATION', sourceName: 'logwarden-auth' },
  { classUid: 3001, eventClass: 'ACCOUNT_CHANGE', sourceName: 'logwarden-account' },
  { classUid: 4001, eventClass: 'NETWORK_ACTIVITY', sourceName: 'logwarden-network' },
  { classUid: 2004, eventClass: 'DETECTION_FINDING', sourceName: 'logwarden-finding' },
] as const;

/** The longest custom source name the API Reference allows (see above). */
export const customLogSourceNameMaxLength = 20;

/**
 * The role Security Lake creates for a custom source to write with: "The name of the role
 * follows the format AmazonSecurityLake-Provider-{name of the custom source}-{region}, where
 * region is the AWS Region in which you're adding the custom source. Security Lake attaches a
 * policy to the role that permits access to the data lake" (Security Lake User Guide,
 * "Collecting data from custom sources in Security Lake", Prerequisites). It trusts the
 * provider identity (`principal`, `externalId`) of CreateCustomLogSource.
 */
export function providerRoleName(sourceName: string, region: string): string {
  return `AmazonSecurityLake-Provider-${sourceName}-${region}`;
}

/**
 * Security Lake's bucket in a Region: "A sample partition with example bucket name is
 * aws-security-data-lake-us-west-2-lake-uid/ext/custom-source-name/..." (User Guide); the
 * lake uid is Security Lake's, so the bucket is configured (`archive.securityLake.bucket`).
 */
export const dataLakeBucketPattern = /^aws-security-data-lake-[a-z0-9-]+$/;

/** The EventBridge rule that sends the archive's new objects to the Security Lake writer. */
export const securityLakeRuleName = 'logwarden-archive-to-security-lake';

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

/**
 * The key of the Security Lake object a partition's documents of one archive object become:
 * the partition prefix, then a digest of the archive object's bucket and key. A message
 * delivered twice (SQS delivers at least once) writes the same key again, with the same
 * documents: an overwrite, never a second copy.
 */
export function securityLakeObjectKey(prefix: string, archiveDigest: string): string {
  if (!/^[0-9a-f]{16,64}$/.test(archiveDigest)) throw new Error('archiveDigest must be hex');
  return `${prefix}logwarden-${archiveDigest}.parquet`;
}

interface PartitionedDocument {
  class_uid: number;
  time: number;
  cloud?: { region?: string; account?: { uid?: string } };
}

/**
 * The partition of one OCSF document in the Security Lake of `lakeRegion`, or why it has none: a
 * class Security Lake does not take from logwarden (application events, parse errors stay in
 * logwarden's archive only), or no AWS account to file it under.
 *
 * The guide's partition keys (User Guide, "Partitioning requirements for ingesting custom
 * sources"): "region – AWS Region to which the data is uploaded. For example, you must use US
 * East (N. Virginia) to upload data into your Security Lake bucket in the US East (N. Virginia)
 * region", so `region=` is the lake's Region, not the event's (which stays in `cloud.region`);
 * "accountId – AWS account ID that the records in the source partition pertain to"; "eventDay –
 * UTC timestamp of the record, truncated to hour formatted as an eight character string
 * (YYYYMMDD)".
 */
export function securityLakePartitionOf(
  doc: PartitionedDocument,
  lakeRegion: string,
): { partition: SecurityLakePartition } | { skipped: string } {
  const cls = securityLakeClassOf(doc.class_uid);
  if (!cls) return { skipped: `class ${doc.class_uid} is not sent to Security Lake` };
  const accountId = doc.cloud?.account?.uid;
  if (!accountId) return { skipped: 'cloud.account.uid missing' };
  if (!/^\d{12}$/.test(accountId)) return { skipped: 'cloud.account.uid is not an AWS account id' };
  if (!Number.isFinite(doc.time)) return { skipped: 'time missing' };
  const eventDay = new Date(doc.time).toISOString().slice(0, 10).replace(/-/g, '');
  return { partition: { sourceName: cls.sourceName, region: lakeRegion, accountId, eventDay } };
}

/**
 * Documents grouped into Security Lake objects: one group a partition, so each object holds one
 * class (one source), one account and one event day, in the lake of `lakeRegion`; each document
 * not sent, with the reason (each document's partition is worked out once, here).
 */
export function securityLakeObjects<D extends PartitionedDocument>(
  docs: readonly D[],
  lakeRegion: string,
): {
  objects: { prefix: string; partition: SecurityLakePartition; docs: D[] }[];
  skipped: { reason: string; document: D }[];
} {
  const groups = new Map<string, { prefix: string; partition: SecurityLakePartition; docs: D[] }>();
  const skipped: { reason: string; document: D }[] = [];
  for (const doc of docs) {
    const at = securityLakePartitionOf(doc, lakeRegion);
    if ('skipped' in at) {
      skipped.push({ reason: at.skipped, document: doc });
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
