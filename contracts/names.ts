/**
 * Names that cross account or stack boundaries. Member accounts, the control plane and the
 * central account must agree on them without lookups, so each lives here once.
 */
export const names = {
  centralStream: 'logwarden-central',
  logsDestination: 'logwarden-central',
  controlBus: 'logwarden-control',
  memberExecutionRole: 'logwarden-member-execution',
  flowLogsDeliveryRole: 'logwarden-flowlogs-delivery',
  forwardEventsRole: 'logwarden-forward-events',
  memberBaselineStackSet: 'logwarden-member-baseline',
  alerterRole: 'logwarden-central-alerter',
  healStarterRole: 'logwarden-heal-starter',
  coverAccountRegionStateMachine: 'logwarden-cover-account-region',
  ledgerTable: 'logwarden-coverage',
  guardDutyFindingsLogGroup: '/logwarden/guardduty-findings',
  guardDutyFindingsRule: 'logwarden-guardduty-findings',
  /** Log groups created by logwarden in member accounts (flow logs, GuardDuty findings). */
  ownLogGroupPrefix: '/logwarden/',
  /** Log groups of logwarden's own functions and services, which must not feed the pipeline back. */
  pipelineLogGroupPrefix: '/logwarden/pipeline/',
} as const;

/**
 * Every log group of logwarden's own machinery, by name. The account subscription policy
 * excludes exactly these (its selection criteria take names, not prefixes), so the pipeline
 * never ingests its own logs.
 */
export const pipelineLogGroups = [
  'transform',
  'indexer',
  'alerter',
  'opensearch-setup',
  'firehose-delivery',
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
].map((n) => `${names.pipelineLogGroupPrefix}${n}`);

export function pipelineLogGroup(name: string): string {
  const group = `${names.pipelineLogGroupPrefix}${name}`;
  if (!pipelineLogGroups.includes(group))
    throw new Error(`${group} is not in pipelineLogGroups (contracts/names.ts)`);
  return group;
}

/** The account-level subscription filter policy of a region; the pipeline reads the region back from it. */
export function subscriptionPolicyName(region: string): string {
  return `logwarden-central-${region}`;
}

export function regionOfSubscription(filterName: string): string | undefined {
  const m = /^logwarden-central-([a-z]{2}(?:-gov)?-[a-z]+-\d)$/.exec(filterName);
  return m?.[1];
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

export type WorkflowId = 'cover-account' | 'cover-account-region' | 'cover-vpc' | 'sweep';

export function stateMachineName(workflow: WorkflowId): string {
  return `logwarden-${workflow}`;
}

export function stateMachineArn(workflow: WorkflowId, region: string, account: string): string {
  return `arn:aws:states:${region}:${account}:stateMachine:${stateMachineName(workflow)}`;
}
