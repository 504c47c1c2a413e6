/**
 * The central pipeline in the log-archive account: its resources as the central stack creates
 * them, corpus logs written to member log groups and delivered to the stream as the
 * subscription policy and destination would, the consumers drained in a process of their own
 * (local/pipeline-worker.ts), and the alerts read back from SNS.
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeAccountPoliciesCommand,
  DescribeSubscriptionFiltersCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { names, subscriptionPolicyName } from '../../contracts/names';
import { createClient } from '../../functions/shared/clients';
import { corpusMessagesByGroup, cwlPayload } from '../corpus';
import { centralReadBack, readQueue, type Where } from '../emulated-central';
import type { LocalSearch } from '../opensearch';
import { indexerEnv } from '../../functions/indexer/env';
import { variableOf } from '../../functions/shared/env';
import { functionHandler, templateFunctions } from '../template-functions';
import { resolveValue } from '../asl';
import { serviceCredentials } from '../standins/prerequisites';
import type { Organization } from './organization';

const execFileAsync = promisify(execFile);
import { deploySearch, type SearchDeployment } from './search';

export interface Pipeline {
  org: Organization;
  search: LocalSearch;
  la: Required<Where>;
  alertsQueueUrl: string;
  /** The archive bucket, named as the central stack's bucket is named locally. */
  bucket: string;
  /** Where the worker keeps each shard's checkpoint between drains. */
  checkpoint: string;
  /** Names this run's archive objects (unique per run). */
  runId: string;
  /** The domain's setup, as the stack's custom resource ran it. */
  searchSetup: SearchDeployment;
}

export interface Drain {
  records: number;
  archive: { ok: number; dropped: number; processingFailed: number; objects: string[] };
  /** Records a consumer failed: `<consumer>: <sequence number>: <reason>`. */
  failures: string[];
}

/** The log-archive account's resources and the OpenSearch setup the stack's custom resource runs. */
export async function deployPipeline(
  org: Organization,
  search: LocalSearch,
  workDir: string,
): Promise<Pipeline> {
  const { la, bucket, alertsQueueUrl } = await deployCentral(org);
  const searchSetup = await deploySearch(org, search);
  mkdirSync(workDir, { recursive: true });
  return {
    org,
    search,
    la,
    alertsQueueUrl,
    bucket,
    checkpoint: path.join(workDir, `stream-checkpoint-${randomUUID()}.json`),
    runId: randomUUID(),
    searchSetup,
  };
}

/** CloudWatch Logs payloads put into the central stream, as a destination delivers them. */
export async function putPayloads(p: Pipeline, payloads: ReturnType<typeof cwlPayload>[]) {
  const kinesis = createClient(KinesisClient, { http1: true, credentials: async () => p.la.credentials });
  const entries = payloads.map((x) => ({
    Data: gzipSync(JSON.stringify({ ...x, subscriptionFilters: [subscriptionPolicyName(p.la.region)] })),
    PartitionKey: x.logStream,
  }));
  for (let i = 0; i < entries.length; i += 100) {
    const res = await kinesis.send(
      new PutRecordsCommand({ StreamName: names.centralStream, Records: entries.slice(i, i + 100) }),
    );
    if (res.FailedRecordCount) throw new Error(`PutRecords: ${res.FailedRecordCount} records refused`);
  }
}

/** The consumers the worker runs, each with the environment and role the central stack gives it. */
const consumers = ['transform', 'indexer', 'alerter'] as const;

/**
 * Drains the stream through the log-archive consumers in their own process: each consumer with
 * the environment the central stack gives it and its own execution role's credentials, the
 * Firehose stand-in with the delivery stream's role (assumed as firehose.amazonaws.com, its
 * trust's aws:SourceAccount evaluated). Failures come back in the result; `strict` makes any of
 * them an error.
 */
export async function drainPipeline(
  p: Pipeline,
  options: { strict?: boolean; env?: Record<string, string> } = {},
): Promise<Drain> {
  const home = p.la.region;
  const functionEnvironments: Record<string, Record<string, string>> = {};
  for (const fn of templateFunctions(p.org.central, home, p.org.logArchive)) {
    if (!(consumers as readonly string[]).includes(fn.name)) continue;
    const credentials = await p.org.roleCredentials(fn.roleArn);
    functionEnvironments[fn.name] = {
      ...fn.environment,
      [variableOf(indexerEnv, 'opensearchEndpoint')]: p.search.endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken ?? '',
      ...options.env,
    };
  }
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    // The worker itself acts for no one: each consumer and the delivery stream sign with their own role.
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_SESSION_TOKEN: '',
    LOGWARDEN_FUNCTION_ENVIRONMENTS: JSON.stringify(functionEnvironments),
    LOGWARDEN_FIREHOSE_CREDENTIALS: JSON.stringify(await firehoseCredentials(p.org)),
    LOGWARDEN_ARCHIVE_BUCKET: p.bucket,
    LOGWARDEN_STREAM: names.centralStream,
    LOGWARDEN_ACCOUNT: p.org.logArchive,
    LOGWARDEN_CHECKPOINT: p.checkpoint,
    LOGWARDEN_RUN_ID: p.runId,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  // Asynchronous: the local domain's gateway (local/opensearch-gateway.ts) serves the indexer
  // from this process, which must not block while the worker runs.
  const { stdout: out } = await execFileAsync(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, '..', 'pipeline-worker.ts')],
    // The consumers log every failed record on stderr; a drain of the whole trail can be long.
    { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  const drain = JSON.parse(out.trim().split('\n').pop() as string) as Drain;
  if (options.strict && drain.failures.length)
    throw new Error(
      `the pipeline failed ${drain.failures.length} records:\n  ${drain.failures.join('\n  ')}`,
    );
  return drain;
}

/** The delivery stream's role (its `RoleARN` in the template), as Firehose assumes it. */
export async function firehoseCredentials(org: Organization) {
  const home = org.config.homeRegion;
  const stream = Object.values(org.central.Resources).find(
    (r) => r.Type === 'AWS::KinesisFirehose::DeliveryStream',
  )!;
  const config = stream.Properties?.ExtendedS3DestinationConfiguration as { RoleARN: unknown };
  const roleArn = resolveValue(org.central, config.RoleARN, home, org.logArchive);
  return serviceCredentials(org.endpoint, roleArn, 'firehose.amazonaws.com', {
    sourceAccount: org.logArchive,
  });
}

/** A central function as the stack deploys it (its environment over `overrides`), under its own role. */
export async function centralFunction(
  org: Organization,
  name: 'transform' | 'indexer' | 'alerter',
  overrides: Record<string, string> = {},
) {
  const fn = templateFunctions(org.central, org.config.homeRegion, org.logArchive).find(
    (f) => f.name === name,
  )!;
  const credentials = await org.roleCredentials(fn.roleArn);
  return {
    environment: fn.environment,
    credentials,
    handler: functionHandler({ ...fn, environment: { ...fn.environment, ...overrides } }, credentials),
  };
}

/** The central stack's archive bucket, alert read-back and dedupe table (it is deployed with the organization). */
export async function deployCentral(org: Organization) {
  const home = org.config.homeRegion;
  const la = { region: home, credentials: await org.admin(org.logArchive) };
  const indexer = templateFunctions(org.central, home, org.logArchive).find((f) => f.name === 'indexer')!;
  const bucket = indexer.environment[variableOf(indexerEnv, 'archiveBucket')];
  return { la, bucket, ...(await centralReadBack(org.central, la, org.logArchive)) };
}

/** The alerts the alerter published, read back through the topic's SQS subscription. */
export function readAlerts(p: Pipeline): Promise<string[]> {
  return readQueue(p.la, p.alertsQueueUrl);
}

/**
 * Where each kind of corpus log really comes from: CloudTrail from the organization trail's
 * group in the account that calls CreateTrail (security tooling), GuardDuty findings from the administrator's findings group,
 * the rest from the member. Only the first two are trusted for CloudTrail and findings
 * (contracts/trusted-sources.ts); from a member's own groups they are application events.
 */
function originOf(p: Pipeline, corpusGroup: string, member: string): { account: string; logGroup: string } {
  if (corpusGroup === 'aws-cloudtrail-logs') {
    // The organization trail's group is in the account that calls CreateTrail (contracts/names.ts).
    return { account: p.org.config.accounts.securityTooling, logGroup: names.trailLogGroup };
  }
  if (corpusGroup === names.guardDutyFindingsLogGroup)
    return { account: p.org.securityTooling, logGroup: corpusGroup };
  return { account: member, logGroup: corpusGroup };
}

/**
 * Whether a subscription filter of the group to a destination, or an account subscription policy
 * of `logs`' account, selects `group`: then the strict stand-ins (local/standins/logs.py) deliver
 * its events to the destination themselves, as AWS does, and the run must not put them a second
 * time. The criteria form is the one the subscription control writes and the stand-in accepts:
 * `LogGroupName NOT IN ["…", …]`.
 */
async function deliveredByPolicy(logs: CloudWatchLogsClient, group: string): Promise<boolean> {
  const filters =
    (await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: group }))).subscriptionFilters ??
    [];
  if (filters.some((f) => f.destinationArn?.includes(':destination:'))) return true;
  const policies =
    (await logs.send(new DescribeAccountPoliciesCommand({ policyType: 'SUBSCRIPTION_FILTER_POLICY' })))
      .accountPolicies ?? [];
  return policies.some((policy) => {
    const excluded = /^\s*LogGroupName\s+NOT\s+IN\s+(\[.*\])\s*$/s.exec(policy.selectionCriteria ?? '');
    return !policy.selectionCriteria || !(JSON.parse(excluded?.[1] ?? '[]') as string[]).includes(group);
  });
}

/**
 * Real corpus events written with PutLogEvents into one member's log groups, then delivered to
 * the stream: by the account subscription policy and the destination where the strict stand-ins
 * have one in place, otherwise (bare moto, or a group no policy selects) read back with
 * GetLogEvents and put as CloudWatch Logs payloads, as they would be.
 */
export async function shipCorpus(
  p: Pipeline,
  account: string,
): Promise<{ events: number; payloads: number; deliveredGroups: number }> {
  const region = p.la.region;
  let delivered = 0;
  // PutLogEvents keeps what it is given; the Lambda lines' trailing newlines are not part of the event.
  const groups = corpusMessagesByGroup().map(
    ({ logGroup, messages }) => [logGroup, messages.map((m) => m.trimEnd())] as const,
  );
  let events = 0;
  const payloads: ReturnType<typeof cwlPayload>[] = [];
  for (const [corpusGroup, messages] of groups) {
    const { account: writer, logGroup: group } = originOf(p, corpusGroup, account);
    const logs = new CloudWatchLogsClient({ region, credentials: await p.org.admin(writer) });
    await logs.send(new CreateLogGroupCommand({ logGroupName: group })).catch((err: Error) => {
      if (err.name !== 'ResourceAlreadyExistsException') throw err;
    });
    const stream = `corpus-${p.runId}`;
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
    const now = Date.now();
    for (let i = 0; i < messages.length; i += 100) {
      await logs.send(
        new PutLogEventsCommand({
          logGroupName: group,
          logStreamName: stream,
          logEvents: messages.slice(i, i + 100).map((message, j) => ({ message, timestamp: now + i + j })),
        }),
      );
    }
    events += messages.length;
    if (await deliveredByPolicy(logs, group)) {
      delivered += 1;
      continue;
    }
    const read =
      (
        await logs.send(
          new GetLogEventsCommand({
            logGroupName: group,
            logStreamName: stream,
            startFromHead: true,
            limit: 10000,
          }),
        )
      ).events ?? [];
    for (let i = 0; i < read.length; i += 50)
      payloads.push(
        cwlPayload(
          read.slice(i, i + 50).map((e) => e.message ?? ''),
          { logGroup: group, logStream: `${stream}-${i}`, owner: writer, region },
        ),
      );
  }
  await putPayloads(p, payloads);
  return { events, payloads: payloads.length, deliveredGroups: delivered };
}
