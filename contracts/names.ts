/**
 * Names that cross account or stack boundaries. Member accounts, the control plane and the
 * central account must agree on them without lookups, so each lives here once.
 */
export const names = {
  centralStream: 'logwarden-central',
  logsDestination: 'logwarden-central',
  controlBus: 'logwarden-control',
  memberExecutionRole: 'logwarden-member-execution',
  /** The session name the controls assume the member execution role with (CloudTrail's actor). */
  memberControlSession: 'logwarden-control',
  flowLogsDeliveryRole: 'logwarden-flowlogs-delivery',
  /**
   * scope.coverManagementAccount: in the management account only, the role list-regions assumes
   * to list its regions in the Account API's standalone context, the only one that can ("The
   * management account can only be managed using the standalone context from the management
   * account"; a delegated administrator's AccountId "must be a member account").
   */
  managementRegionListerRole: 'logwarden-management-region-lister',
  /**
   * flowLogs.delivery firehose: the DirectPut Firehose stream of each governed region in the
   * log-archive account, the member role passed as DeliverLogsPermissionArn ("mySourceRole"), and
   * the log-archive role passed as DeliverCrossAccountRole, whose name "starts with
   * AWSLogDeliveryFirehoseCrossAccountRole" (VPC User Guide, "IAM roles for cross account delivery").
   */
  flowLogsFirehose: 'logwarden-flow-logs',
  /**
   * The central stream's delivery stream to the archive. Firehose starts every object name it
   * writes, error objects too, with the stream's name ("<Firehose stream name>-<Firehose stream
   * version>-…", Firehose Developer Guide, "Configure Amazon S3 object name format"): replay tells
   * this stream's error objects from the flow-log stream's by it.
   */
  archiveFirehose: 'logwarden-archive',
  flowLogsFirehoseSourceRole: 'logwarden-flowlogs-firehose-source',
  flowLogsFirehoseCrossAccountRole: 'AWSLogDeliveryFirehoseCrossAccountRole-logwarden',
  forwardEventsRole: 'logwarden-forward-events',
  /** In each member: the role CloudWatch Logs assumes to validate the account subscription policy. */
  subscriptionRole: 'logwarden-subscription',
  memberBaselineStackSet: 'logwarden-member-baseline',
  alerterRole: 'logwarden-central-alerter',
  healStarterRole: 'logwarden-heal-starter',
  coverAccountRegionStateMachine: 'logwarden-cover-account-region',
  ledgerTable: 'logwarden-coverage',
  guardDutyFindingsLogGroup: '/logwarden/guardduty-findings',
  /**
   * The trail's CloudWatch Logs group and the role CloudTrail delivers to it with, in the account
   * that calls CreateTrail/UpdateTrail: "Both the CloudWatch Logs log group and log role must
   * exist in the calling account" (CloudTrail User Guide, "Organization delegated
   * administrator", footnote 1), and IAM passes only the caller's own roles. The organization
   * trail's are in the security-tooling account (its delegated administrator, control-plane
   * stack); an account trail's in its own account (member baseline). The account subscription
   * policy subscribes the group like any other.
   */
  trailLogGroup: '/logwarden/cloudtrail',
  trailLogsRole: 'logwarden-cloudtrail-to-logs',
  guardDutyFindingsRule: 'logwarden-guardduty-findings',
  /** Log groups created by logwarden in member accounts (flow logs, GuardDuty findings). */
  ownLogGroupPrefix: '/logwarden/',
  /** Log groups of logwarden's own functions and services, which must not feed the pipeline back. */
  pipelineLogGroupPrefix: '/logwarden/pipeline/',
  /** The VPC flow-log groups logwarden creates in members, one per format (`<prefix><format id>`). */
  flowLogGroupPrefix: '/logwarden/vpc-flow-logs/',
  /**
   * Execution logs of the workflows (Step Functions), in the security-tooling account. Under
   * `/aws/vendedlogs/`: "When you create a state machine with logging enabled, Step Functions must
   * update your CloudWatch Logs resource policy with the log group you specify. To avoid reaching
   * the CloudWatch Logs resource policy size limit, prefix your CloudWatch Logs log group names
   * with /aws/vendedlogs/" (Step Functions Developer Guide, "Avoiding Amazon CloudWatch Logs
   * resource policy size restrictions"). That policy (5,120 characters) is the account's, shared
   * with every other team's vended logs.
   */
  controlLogGroupPrefix: '/aws/vendedlogs/states/logwarden/',
  /** The archive key's alias: the archive guard SCP names the key by it (contracts/archive-guard-scp.ts). */
  archiveKeyAlias: 'alias/logwarden-archive',
  /** The replica's key alias, in the replica's account and Region: the replication names the key by it. */
  archiveReplicaKeyAlias: 'alias/logwarden-archive-replica',
  /** The role S3 assumes to replicate the archive (log-archive account); the replica's policies name it. */
  archiveReplicationRole: 'logwarden-archive-replication',
} as const;

/**
 * The archive bucket, named so that the archive guard SCP (contracts/archive-guard-scp.ts) can
 * name it before anything is deployed. Bucket names are global: the account and region make it
 * unique to this deployment.
 */
export function archiveBucketName(logArchiveAccount: string, homeRegion: string): string {
  return `logwarden-archive-${logArchiveAccount}-${homeRegion}`;
}

/** The archive's server access logs: who read, wrote or re-configured the archive. */
export function archiveAccessLogsBucketName(logArchiveAccount: string, homeRegion: string): string {
  return `logwarden-archive-access-logs-${logArchiveAccount}-${homeRegion}`;
}

/** The archive's replica (`archive.replica`), in its own account and Region. */
export function archiveReplicaBucketName(replicaAccount: string, replicaRegion: string): string {
  return `logwarden-archive-replica-${replicaAccount}-${replicaRegion}`;
}

/** The replica's server access logs, beside it. */
export function replicaAccessLogsBucketName(replicaAccount: string, replicaRegion: string): string {
  return `logwarden-replica-access-logs-${replicaAccount}-${replicaRegion}`;
}

/**
 * The replica key by its alias ARN, which the replication rule's ReplicaKmsKeyID takes ("Key ARN
 * or Alias ARN", S3 API Reference, EncryptionConfiguration): the key's own ARN exists only once
 * the replica stack is deployed, in another account or Region than the archive's stack.
 */
export function archiveReplicaKeyAliasArn(replicaAccount: string, replicaRegion: string): string {
  return `arn:aws:kms:${replicaRegion}:${replicaAccount}:${names.archiveReplicaKeyAlias}`;
}

export function archiveReplicationRoleArn(logArchiveAccount: string): string {
  return `arn:aws:iam::${logArchiveAccount}:role/${names.archiveReplicationRole}`;
}

/** Where the lake's Athena workgroup writes query results (contracts/lake.ts). */
export function lakeResultsBucketName(logArchiveAccount: string, homeRegion: string): string {
  return `logwarden-lake-results-${logArchiveAccount}-${homeRegion}`;
}

export type WorkflowId = 'cover-account' | 'cover-account-region' | 'cover-vpc' | 'sweep';
export const workflowIds: readonly WorkflowId[] = [
  'cover-account',
  'cover-account-region',
  'cover-vpc',
  'sweep',
];

/** The execution log group of a workflow. */
export function controlLogGroup(workflow: WorkflowId): string {
  return `${names.controlLogGroupPrefix}${workflow}`;
}

/**
 * The control functions that act in member accounts through the member execution role. Their
 * roles have fixed names, because the member role's trust names each of them exactly.
 */
export const memberControls = ['ensure-flow-logs', 'ensure-trail', 'ensure-subscription'] as const;
export type MemberControl = (typeof memberControls)[number];

export function controlRoleName(fn: string): string {
  return `logwarden-control-${fn}`;
}

/**
 * A control-plane function's name, fixed so that `logwarden plan` and `logwarden uninstall` can
 * invoke the controls by name (functions/<fn>, e.g. `logwarden-control-ensure-trail`).
 */
export function controlFunctionName(fn: string): string {
  return `logwarden-control-${fn}`;
}

/** The function of each control, under functions/. */
export const controlFunctionOf = {
  'flow-logs': 'ensure-flow-logs',
  trail: 'ensure-trail',
  guardduty: 'ensure-guardduty',
  subscription: 'ensure-subscription',
} as const;

export function controlRoleArn(fn: string, securityToolingAccount: string): string {
  return `arn:aws:iam::${securityToolingAccount}:role/${controlRoleName(fn)}`;
}

/** The role list-regions assumes in the management account (member baseline, deployed there by hand). */
export function managementRegionListerRoleArn(managementAccount: string): string {
  return `arn:aws:iam::${managementAccount}:role/${names.managementRegionListerRole}`;
}

/**
 * Every log group of logwarden's own machinery, by name: its functions, its services (Firehose,
 * the search domain and the search VPC's flow logs in the log-archive account), the functions CDK
 * adds for custom resources (stacks/deployment-function-logs.ts) and its
 * workflows' execution logs (security-tooling account). The account subscription policy
 * excludes exactly these (its selection criteria take names, not prefixes), so the pipeline
 * never ingests its own logs (CloudWatch Logs User Guide, "Log recursion prevention").
 */
export const pipelineLogGroups = [
  'transform',
  'indexer',
  'alerter',
  'opensearch-setup',
  'archive-lock',
  'index-archive',
  'security-lake-writer',
  'firehose-delivery',
  'flow-logs-transform',
  'flow-logs-firehose-delivery',
  'search-audit',
  'search-slow-search',
  'search-slow-index',
  'search-errors',
  'search-vpc-flow-logs',
  'ensure-flow-logs',
  'ensure-trail',
  'ensure-guardduty',
  'ensure-subscription',
  'write-ledger',
  'dispatch',
  'list-regions',
  'list-accounts',
  'silent-accounts',
  'deployment-functions',
]
  .map((n) => `${names.pipelineLogGroupPrefix}${n}`)
  .concat(workflowIds.map(controlLogGroup));

/** A log group of logwarden's functions and services, checked against pipelineLogGroups. */
export function pipelineLogGroup(name: string): string {
  const group = `${names.pipelineLogGroupPrefix}${name}`;
  if (!pipelineLogGroups.includes(group))
    throw new Error(`${group} is not in pipelineLogGroups (contracts/names.ts)`);
  return group;
}

/**
 * The member's subscription role (member baseline), named as RoleArn in its account policy: the
 * destinations grant the whole organization (CloudWatch Logs User Guide, account-level
 * subscriptions, Step 3).
 */
export function subscriptionRoleArn(account: string): string {
  return `arn:aws:iam::${account}:role/${names.subscriptionRole}`;
}

/** The role CloudWatch Logs assumes to put a region's subscribed logs into the central stream. */
export function destinationRoleName(region: string): string {
  return `logwarden-cwl-destination-${region}`;
}

/** The account-level subscription filter policy of a region; the pipeline reads the region back from it. */
export function subscriptionPolicyName(region: string): string {
  return `logwarden-central-${region}`;
}

export function regionOfSubscription(filterName: string): string | undefined {
  const m = /^logwarden-central-([a-z]{2}(?:-gov)?-[a-z]+-\d)$/.exec(filterName);
  return m?.[1];
}

/**
 * The organization trail's ARN. "The management account remains the owner of any CloudTrail
 * organization resources the delegated administrator creates" (CloudTrail User Guide,
 * "Organization delegated administrator"), so the ARN names the management account, and the
 * delegated administrator must address the trail by this ARN: DescribeTrails by name "returns
 * information only if the names match the names of trails belonging only to the current
 * Region and current account" (CloudTrail API Reference, DescribeTrails).
 */
export function organizationTrailArn(homeRegion: string, managementAccount: string, name: string): string {
  return `arn:aws:cloudtrail:${homeRegion}:${managementAccount}:trail/${name}`;
}

/**
 * The account whose trail group and role a trail uses: the caller of CreateTrail/UpdateTrail,
 * the security-tooling account for the organization trail, the member for its own trail.
 */
export function trailLogsAccount(
  mode: 'organization' | 'account' | 'external',
  securityToolingAccount: string,
  account: string,
): string {
  return mode === 'account' ? account : securityToolingAccount;
}

/** The trail's group in the home region (CloudTrail reports it with the `:*` suffix). */
export function trailLogGroupArn(homeRegion: string, account: string): string {
  return `arn:aws:logs:${homeRegion}:${account}:log-group:${names.trailLogGroup}:*`;
}

export function trailLogsRoleArn(account: string): string {
  return `arn:aws:iam::${account}:role/${names.trailLogsRole}`;
}

/** An account-mode trail: each member's own trail, in the home region. */
export function accountTrailArn(homeRegion: string, account: string, name: string): string {
  return `arn:aws:cloudtrail:${homeRegion}:${account}:trail/${name}`;
}

export function destinationArn(region: string, logArchiveAccount: string): string {
  return `arn:aws:logs:${region}:${logArchiveAccount}:destination:${names.logsDestination}`;
}

export function centralStreamArn(region: string, logArchiveAccount: string): string {
  return `arn:aws:kinesis:${region}:${logArchiveAccount}:stream/${names.centralStream}`;
}

export function controlBusArn(region: string, securityToolingAccount: string): string {
  return `arn:aws:events:${region}:${securityToolingAccount}:event-bus/${names.controlBus}`;
}

/** The self-heal workflow the alerter starts, in the control-plane account. */
export function healStateMachineArn(region: string, securityToolingAccount: string): string {
  return `arn:aws:states:${region}:${securityToolingAccount}:stateMachine:${names.coverAccountRegionStateMachine}`;
}

/** The role in the control-plane account that may start it, assumed by the central alerter. */
export function healStarterRoleArn(securityToolingAccount: string): string {
  return `arn:aws:iam::${securityToolingAccount}:role/${names.healStarterRole}`;
}

export function stateMachineName(workflow: WorkflowId): string {
  return `logwarden-${workflow}`;
}

export function stateMachineArn(workflow: WorkflowId, region: string, account: string): string {
  return `arn:aws:states:${region}:${account}:stateMachine:${stateMachineName(workflow)}`;
}

/** The regional DirectPut stream VPC flow logs deliver to with flowLogs.delivery firehose. */
export function flowLogsFirehoseArn(region: string, logArchiveAccount: string): string {
  return `arn:aws:firehose:${region}:${logArchiveAccount}:deliverystream/${names.flowLogsFirehose}`;
}

/** The member's role the flow-log control passes as DeliverLogsPermissionArn (delivery firehose). */
export function flowLogsFirehoseSourceRoleArn(account: string): string {
  return `arn:aws:iam::${account}:role/${names.flowLogsFirehoseSourceRole}`;
}

/** The log-archive role passed as DeliverCrossAccountRole (IAM is global: one for every region). */
export function flowLogsCrossAccountRoleArn(logArchiveAccount: string): string {
  return `arn:aws:iam::${logArchiveAccount}:role/${names.flowLogsFirehoseCrossAccountRole}`;
}
