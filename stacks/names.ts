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
  /** Log groups created by logwarden itself; the account subscription policy excludes them. */
  ownLogGroupPrefix: '/logwarden/',
} as const;

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
