import {
  CreateFlowLogsCommand,
  DescribeFlowLogsCommand,
  DescribeVpcsCommand,
  EC2Client,
  FlowLog,
} from '@aws-sdk/client-ec2';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { createHash } from 'node:crypto';
import type { ControlResult, ControlTarget } from '../../contracts/coverage';
import { controlResult } from '../shared/coverage';
import { logGroupExists } from '../shared/log-groups';
import { pipelineLogGroups } from '../../contracts/names';
import {
  defaultV2Format,
  flowLogGroupFor,
  logFormatString,
  logwardenFormat,
} from '../shared/flow-log-formats';

/**
 * flowLogs.delivery firehose: logwarden's flow log delivers straight to the log-archive
 * account's Firehose stream of the VPC's region instead of a log group in the member.
 */
export interface FirehoseDelivery {
  /** The regional stream (contracts/names.ts flowLogsFirehoseArn). */
  streamArn: string;
  /** The member's source role, passed as DeliverLogsPermissionArn. */
  sourceRoleArn: string;
  /** The log-archive account's role, passed as DeliverCrossAccountRole. */
  crossAccountRoleArn: string;
}

export interface FlowLogsSettings {
  /** The member baseline's delivery role in this account. */
  deliveryRoleArn: string;
  /** Deliver to Firehose (flowLogs.delivery firehose); to logwarden's log group when absent. */
  firehose?: FirehoseDelivery;
  /** Count a VPC with someone else's active flow log (other format or destination) as covered. */
  acceptForeignFlowLogs: boolean;
  /**
   * Without acceptForeignFlowLogs, someone else's active flow log covers the VPC when it logs
   * all these fields, to any destination (config flowLogs.requiredFields). Default: the fields
   * of AWS's default format (version 2).
   */
  requiredFields?: readonly string[];
  retentionDays: number;
  /** Only these VPCs (the cover-vpc fast path); every VPC of the region when absent. */
  vpcIds?: string[];
  /** The workflow execution's name: one attempt to create, in the sense of EC2's ClientToken. */
  execution: string;
  /**
   * The log-archive account, whose search VPC logwarden logs itself (stacks/central/search-domain.ts)
   * to a pipeline group the account subscription policy excludes.
   */
  logArchiveAccount?: string;
}

/**
 * How many VPC ids one CreateFlowLogs call names: below the model's limit
 * (CreateFlowLogsRequest.ResourceIds: "Maximum of 1000 for the other resource types"), which keeps
 * one call's answer, with an Unsuccessful item for each refused VPC, small.
 */
export const CREATE_FLOW_LOGS_MAX_VPCS = 300;

/**
 * The CreateFlowLogs idempotency token: the same within one execution (a retried call after a
 * timeout creates nothing twice) and new for every execution, because "you should not reuse
 * the same client token" for a new request (EC2 API Reference, "Ensuring idempotency"): a heal
 * after a DeleteFlowLogs with a reused token would get the deleted flow log back and create
 * nothing. 64 hex characters, the most ClientToken takes.
 */
export function flowLogsClientToken(execution: string, target: ControlTarget, vpcIds: string[]): string {
  return createHash('sha256')
    .update(`${execution}/${target.account}/${target.region}/${[...vpcIds].sort().join(',')}`)
    .digest('hex')
    .slice(0, 64);
}

const ourGroup = flowLogGroupFor(logwardenFormat);

/**
 * The search VPC's own flow log, in the log-archive account: to one of the pipeline's groups,
 * which the account subscription policy excludes. A second flow log to a subscribed group would
 * feed the pipeline the traffic of its own functions (CloudWatch Logs User Guide, "Log recursion
 * prevention", on Lambda functions in a VPC with flow logs): it covers the VPC, whatever fields
 * the config requires. In any other account a group of that name is the owner's.
 */
function isPipelines(fl: FlowLog, account: string, logArchiveAccount: string | undefined): boolean {
  return (
    account === logArchiveAccount &&
    fl.LogDestinationType === 'cloud-watch-logs' &&
    pipelineLogGroups.includes(fl.LogGroupName ?? '')
  );
}
const ourFormat = logFormatString(logwardenFormat);

function isOursToGroup(fl: FlowLog): boolean {
  return (
    fl.LogDestinationType === 'cloud-watch-logs' && fl.LogGroupName === ourGroup && fl.LogFormat === ourFormat
  );
}

/** What CreateFlowLogs answered for a set of VPCs, in calls of at most 300. */
interface CreateAnswer {
  /** The VPCs given a flow log, with its id. */
  created: { vpc: string; id: string | undefined }[];
  Unsuccessful: { ResourceId?: string; Error?: { Code?: string; Message?: string } }[];
  /** VPCs of a call EC2 refused whole with FlowLogAlreadyExists (each also in Unsuccessful). */
  refusedWhole: string[];
}

async function createFlowLogs(
  ec2: EC2Client,
  settings: FlowLogsSettings,
  target: ControlTarget,
  vpcs: string[],
  attempt: string,
): Promise<CreateAnswer> {
  const res: CreateAnswer = { created: [], Unsuccessful: [], refusedWhole: [] };
  // "ResourceIds ... Maximum of 25 for transit gateway resource types. Maximum of 300 for the
  // other resource types" (EC2 model, CreateFlowLogsRequest.ResourceIds): a Region with more
  // VPCs missing a flow log gets one call per 300, each with its own token.
  for (let i = 0; i < vpcs.length; i += CREATE_FLOW_LOGS_MAX_VPCS) {
    const batch = vpcs.slice(i, i + CREATE_FLOW_LOGS_MAX_VPCS);
    try {
      const answer = await ec2.send(
        new CreateFlowLogsCommand({
          ResourceType: 'VPC',
          ResourceIds: batch,
          TrafficType: 'ALL',
          ...destinationOf(settings),
          LogFormat: ourFormat,
          MaxAggregationInterval: 60,
          ClientToken: flowLogsClientToken(attempt, target, batch),
          TagSpecifications: [
            { ResourceType: 'vpc-flow-log', Tags: [{ Key: 'managed-by', Value: 'logwarden' }] },
          ],
        }),
      );
      const unsuccessful = answer.Unsuccessful ?? [];
      const ids = answer.FlowLogIds ?? [];
      res.Unsuccessful.push(...unsuccessful);
      batch
        .filter((vpc) => !unsuccessful.some((u) => u.ResourceId === vpc))
        .forEach((vpc, k) => res.created.push({ vpc, id: ids[k] }));
    } catch (err) {
      // Another execution (concurrent heals of one cell) created the same flow log between our
      // look-up and our call: EC2 refuses the whole call. What is there now decides.
      if ((err as Error).name !== ALREADY_EXISTS) throw err;
      res.Unsuccessful.push(...batch.map((ResourceId) => ({ ResourceId, Error: { Code: ALREADY_EXISTS } })));
      res.refusedWhole.push(...batch);
    }
  }
  return res;
}

/** A flow log in logwarden's format to logwarden's Firehose stream of this region. */
function isOursToStream(fl: FlowLog, firehose: FirehoseDelivery): boolean {
  return (
    fl.LogDestinationType === 'kinesis-data-firehose' &&
    fl.LogDestination === firehose.streamArn &&
    fl.LogFormat === ourFormat
  );
}

/**
 * logwarden's own flow log for the configured delivery. The other delivery's (left from before
 * flowLogs.delivery changed) is neither ours nor foreign: the control adds the configured one.
 */
function oursFor(settings: FlowLogsSettings): {
  ours: (fl: FlowLog) => boolean;
  other: (fl: FlowLog) => boolean;
} {
  const firehose = settings.firehose;
  return firehose
    ? { ours: (fl) => isOursToStream(fl, firehose), other: isOursToGroup }
    : { ours: isOursToGroup, other: () => false };
}

/** Where logwarden's flow log delivers, for the evidence and the failure reasons. */
function ourDestination(settings: FlowLogsSettings): string {
  return settings.firehose ? settings.firehose.streamArn : ourGroup;
}

/**
 * The fields a flow log records: its LogFormat's `${field}` names, or AWS's default format when
 * it has none ("If you omit this parameter, the flow log is created using the default format",
 * EC2 API Reference, CreateFlowLogs LogFormat).
 */
export function fieldsOf(fl: FlowLog): string[] {
  if (!fl.LogFormat) return [...defaultV2Format.fields];
  return [...fl.LogFormat.matchAll(/\$\{([a-z0-9-]+)\}/g)].map((m) => m[1]);
}

/** Whose flow log it is, as far as EC2 says: an owner-like tag, then where it delivers. */
export function flowLogOwner(fl: FlowLog): string {
  const tags = new Map((fl.Tags ?? []).map((t) => [t.Key, t.Value]));
  const owner = ['owner', 'Owner', 'managed-by', 'ManagedBy', 'aws:cloudformation:stack-name']
    .map((k) => tags.get(k))
    .find(Boolean);
  const destination =
    fl.LogDestination ?? (fl.LogGroupName ? `log group ${fl.LogGroupName}` : 'unknown destination');
  return owner ? `${owner} (to ${destination})` : `to ${destination}`;
}

/**
 * A flow log that covers: ACTIVE, and delivering. "DeliverLogsStatus: The status of the logs
 * delivery (SUCCESS | FAILED)", and "DeliverLogsErrorMessage: Information about the error that
 * occurred. Rate limited indicates that CloudWatch Logs throttling has been applied for one or
 * more network interfaces, or that you've reached the limit on the number of log groups that you
 * can create. Access error indicates that the IAM role associated with the flow log does not
 * have sufficient permissions to publish to CloudWatch Logs." (EC2 API Reference, FlowLog). A
 * flow log that cannot deliver records nothing: it is not coverage.
 */
const active = (fl: FlowLog) => fl.FlowLogStatus === 'ACTIVE' && fl.DeliverLogsStatus !== 'FAILED';
const failing = (fl: FlowLog) => fl.FlowLogStatus === 'ACTIVE' && fl.DeliverLogsStatus === 'FAILED';

/** "FlowLogAlreadyExists": a flow log with the same resource, configuration and destination is there. */
const ALREADY_EXISTS = 'FlowLogAlreadyExists';

/**
 * The most items a describe call asks for: DescribeVpcs takes MaxResults 5 to 1000 (EC2 API
 * Reference), and the EC2 Developer Guide ("Pagination in the Amazon EC2 API") recommends pages
 * of 1,000 and no more than 1,000 IDs in one call. Every page is followed by its NextToken.
 */
export const EC2_PAGE = 1000;

/** The region's VPCs: those the account owns, and those shared with it, by owner. */
interface RegionVpcs {
  owned: string[];
  shared: { vpc: string; owner: string }[];
}

/**
 * A VPC shared with the account (VPC sharing) is listed with its owner's OwnerId, and only its
 * owner can log it: "Participants cannot create, delete, or describe flow logs for a shared VPC
 * subnet" (Amazon VPC User Guide, "Share your VPC with other accounts", responsibilities and
 * permissions of owners and participants). Its owner's own cell covers it; asking for a flow log
 * here would fail every VPC of the batch.
 */
async function vpcsOf(ec2: EC2Client, account: string, only?: string[]): Promise<RegionVpcs> {
  const out: RegionVpcs = { owned: [], shared: [] };
  let NextToken: string | undefined;
  do {
    const res = await ec2.send(
      new DescribeVpcsCommand(only ? { VpcIds: only, NextToken } : { MaxResults: EC2_PAGE, NextToken }),
    );
    for (const v of res.Vpcs ?? []) {
      if (v.OwnerId && v.OwnerId !== account) out.shared.push({ vpc: v.VpcId as string, owner: v.OwnerId });
      else out.owned.push(v.VpcId as string);
    }
    NextToken = res.NextToken;
  } while (NextToken);
  return out;
}

async function flowLogsOf(ec2: EC2Client, vpcIds: string[]): Promise<FlowLog[]> {
  const out: FlowLog[] = [];
  for (let i = 0; i < vpcIds.length; i += EC2_PAGE) {
    let NextToken: string | undefined;
    do {
      const res = await ec2.send(
        new DescribeFlowLogsCommand({
          Filter: [{ Name: 'resource-id', Values: vpcIds.slice(i, i + EC2_PAGE) }],
          MaxResults: EC2_PAGE,
          NextToken,
        }),
      );
      out.push(...(res.FlowLogs ?? []));
      NextToken = res.NextToken;
    } while (NextToken);
  }
  return out;
}

/**
 * Every VPC of the account and region (default VPCs included) has an active flow log in
 * logwarden's format to its log group. A foreign flow log is never touched; it counts as
 * coverage only when the config says so, otherwise logwarden's own is added beside it.
 */
export async function ensureFlowLogs(
  clients: { ec2: EC2Client; logs: CloudWatchLogsClient },
  target: ControlTarget,
  settings: FlowLogsSettings,
): Promise<ControlResult> {
  const actions: string[] = [];
  const failures: string[] = [];
  const evidence: Record<string, string> = {};
  const { owned: vpcIds, shared } = await vpcsOf(clients.ec2, target.account, settings.vpcIds);
  for (const { vpc, owner } of shared)
    evidence[vpc] = `shared by ${owner}: only its owner can log it, in its own cell`;
  if (!vpcIds.length) {
    return {
      control: 'flow-logs',
      ...target,
      status: 'covered',
      evidence,
      actions: [],
      reason: shared.length ? 'no VPC of its own in this region' : 'no VPC in this region',
    };
  }
  const flowLogs = await flowLogsOf(clients.ec2, vpcIds);
  const { ours: isOurs, other: isOtherDelivery } = oursFor(settings);
  const missing: string[] = [];
  const undelivered: FlowLog[] = [];
  for (const vpc of vpcIds) {
    const mine = flowLogs.filter((fl) => fl.ResourceId === vpc);
    const ours = mine.find((fl) => isOurs(fl) && active(fl));
    const pipelines = mine.find(
      (fl) => isPipelines(fl, target.account, settings.logArchiveAccount) && active(fl),
    );
    // Someone else's flow log covers a VPC only when it records all of its traffic: TrafficType is
    // "The type of traffic to monitor (accepted traffic, rejected traffic, or all traffic)" (EC2
    // API Reference, CreateFlowLogs), and one of rejected traffic alone misses every connection
    // that was let through.
    const foreign = mine.filter(
      (fl) => !isOurs(fl) && !isOtherDelivery(fl) && active(fl) && fl.TrafficType === 'ALL',
    );
    const required = settings.requiredFields ?? defaultV2Format.fields;
    const sufficient = foreign.find((fl) => required.every((f) => fieldsOf(fl).includes(f)));
    const oursFailing = mine.find((fl) => isOurs(fl) && failing(fl));
    if (ours) evidence[vpc] = ours.FlowLogId as string;
    else if (pipelines)
      evidence[vpc] =
        `${pipelines.FlowLogId} to ${pipelines.LogGroupName} (logwarden's pipeline VPC, excluded from the subscription)`;
    else if (foreign.length && settings.acceptForeignFlowLogs)
      evidence[vpc] = `${foreign[0].FlowLogId} of ${flowLogOwner(foreign[0])} (foreign, accepted by config)`;
    else if (sufficient)
      evidence[vpc] =
        `${sufficient.FlowLogId} of ${flowLogOwner(sufficient)} (foreign, logs every required field)`;
    // logwarden's own flow log is there but cannot deliver: another CreateFlowLogs to the same
    // group would only answer FlowLogAlreadyExists. Its cause is outside the flow log.
    else if (oursFailing) undelivered.push(oursFailing);
    else missing.push(vpc);
  }
  if (!settings.firehose && (undelivered.length || missing.length)) {
    // A deleted destination group is one cause a control can repair; the delivery role (the
    // member baseline's) and CloudWatch Logs quotas are reported with EC2's own reason.
    await ensureOurGroup(clients.logs, settings.retentionDays, actions);
  }
  for (const fl of undelivered) {
    evidence[fl.ResourceId as string] = `${fl.FlowLogId} (DeliverLogsStatus FAILED)`;
    failures.push(undeliveredReason(fl, settings));
  }
  if (missing.length) {
    const res = await createFlowLogs(clients.ec2, settings, target, missing, settings.execution);
    let { refusedWhole } = res;
    if (refusedWhole.length) {
      // Another execution created some of these between our look-up and our call, and EC2 refused
      // the whole call: the VPCs it left without a flow log of ours get one more call, with a new
      // token (a new request: "you should not reuse the same client token").
      const now = await flowLogsOf(clients.ec2, refusedWhole);
      const stillMissing = refusedWhole.filter(
        (vpc) => !now.some((fl) => fl.ResourceId === vpc && isOurs(fl)),
      );
      if (stillMissing.length) {
        const again = await createFlowLogs(
          clients.ec2,
          settings,
          target,
          stillMissing,
          `${settings.execution}/again`,
        );
        res.created.push(...again.created);
        res.Unsuccessful = res.Unsuccessful.filter((u) => !stillMissing.includes(u.ResourceId as string));
        res.Unsuccessful.push(...again.Unsuccessful);
        refusedWhole = again.refusedWhole;
      }
    }
    const already = res.Unsuccessful.filter((u) => u.Error?.Code === ALREADY_EXISTS);
    for (const u of res.Unsuccessful) {
      if (u.Error?.Code !== ALREADY_EXISTS)
        failures.push(`${u.ResourceId}: ${u.Error?.Code} ${u.Error?.Message}`);
    }
    res.created.forEach(({ vpc, id }) => {
      evidence[vpc] = id ?? 'created';
      // The reason from what decided it: someone else's active flow logs of this VPC.
      const there = flowLogs.filter((fl) => fl.ResourceId === vpc && active(fl));
      const foreignThere = there.filter((fl) => !isOurs(fl) && !isOtherDelivery(fl));
      const why = foreignThere.length
        ? foreignThere.every((fl) => fl.TrafficType !== 'ALL')
          ? `only a foreign flow log of ${foreignThere.map((fl) => fl.TrafficType ?? 'unknown').join(', ')} traffic was active`
          : 'only a foreign flow log without every required field was active'
        : there.some(isOtherDelivery)
          ? `only logwarden's flow log to its other destination was active, not one to ${ourDestination(settings)}`
          : 'it had no active flow log';
      actions.push(`created flow log ${id ?? ''} for ${vpc} because ${why}`.replace('  ', ' '));
    });
    if (already.length) {
      // FlowLogAlreadyExists is success when the flow log there is logwarden's, to the same
      // group in the same format, and delivering.
      const now = await flowLogsOf(
        clients.ec2,
        already.map((u) => u.ResourceId as string),
      );
      for (const u of already) {
        const vpc = u.ResourceId as string;
        const there = now.filter((fl) => fl.ResourceId === vpc && isOurs(fl));
        const good = there.find(active);
        const bad = there.find(failing);
        if (good) evidence[vpc] = `${good.FlowLogId} (created by another execution)`;
        else if (bad) failures.push(undeliveredReason(bad, settings));
        else
          failures.push(
            `${vpc}: CreateFlowLogs answered ${ALREADY_EXISTS}${refusedWhole.includes(vpc) ? ' twice' : ''}, but no active flow log of logwarden's to ${ourDestination(settings)} is there`,
          );
      }
    }
  }
  return controlResult('flow-logs', target, evidence, actions, failures);
}

/**
 * CreateFlowLogs' destination. To a log group: "DeliverLogsPermissionArn ... is required if the
 * destination type is cloud-watch-logs"; LogGroupName "is valid only if the destination type is
 * cloud-watch-logs". To Firehose: LogDestination "If the destination type is
 * kinesis-data-firehose, specify the ARN of a Kinesis Data Firehose delivery stream";
 * DeliverLogsPermissionArn is required "if the destination type is kinesis-data-firehose and the
 * delivery stream and the resources to monitor are in different accounts"; DeliverCrossAccountRole
 * is "The ARN of the IAM role that allows Amazon EC2 to publish flow logs across accounts" (EC2
 * API Reference, CreateFlowLogs). Which role goes where is the VPC User Guide's example:
 * `--deliver-logs-permission-arn arn:aws:iam::source-account:role/mySourceRole
 * --deliver-cross-account-role arn:aws:iam::destination-account:role/AWSLogDeliveryFirehoseCrossAccountRole`.
 */
function destinationOf(settings: FlowLogsSettings) {
  const firehose = settings.firehose;
  return firehose
    ? {
        LogDestinationType: 'kinesis-data-firehose' as const,
        LogDestination: firehose.streamArn,
        DeliverLogsPermissionArn: firehose.sourceRoleArn,
        DeliverCrossAccountRole: firehose.crossAccountRoleArn,
      }
    : {
        LogDestinationType: 'cloud-watch-logs' as const,
        LogGroupName: ourGroup,
        DeliverLogsPermissionArn: settings.deliveryRoleArn,
      };
}

function undeliveredReason(fl: FlowLog, settings: FlowLogsSettings): string {
  const role = settings.firehose
    ? `the source role ${fl.DeliverLogsPermissionArn ?? settings.firehose.sourceRoleArn} (member baseline) or the cross-account role ${fl.DeliverCrossAccountRole ?? settings.firehose.crossAccountRoleArn} (log-archive account) may not deliver to the stream`
    : `the delivery role ${fl.DeliverLogsPermissionArn ?? settings.deliveryRoleArn} may not publish to the group (member baseline)`;
  return (
    `${fl.ResourceId}: flow log ${fl.FlowLogId} to ${ourDestination(settings)} cannot deliver (DeliverLogsStatus FAILED: ` +
    `${fl.DeliverLogsErrorMessage ?? 'no reason given'}); ` +
    (fl.DeliverLogsErrorMessage === 'Access error' ? role : 'a flow log that cannot deliver is not coverage')
  );
}

async function ensureOurGroup(logs: CloudWatchLogsClient, retentionDays: number, actions: string[]) {
  if (await logGroupExists(logs, ourGroup)) return;
  await logs.send(new CreateLogGroupCommand({ logGroupName: ourGroup, tags: { 'managed-by': 'logwarden' } }));
  await logs.send(new PutRetentionPolicyCommand({ logGroupName: ourGroup, retentionInDays: retentionDays }));
  actions.push(`created log group ${ourGroup} (flow logs need a destination)`);
}
