/**
 * What the simulated sweep assumes about AWS: the calls each function makes in an account ×
 * region that is already covered, and the documented limits the run is measured against.
 *
 * The call lists are read from the control code (functions/ensure-*), covered case, one page
 * each; the measured API budget of issue 15 (requests counted through the loopback proxy) is
 * to replace them. Who pays for a call matters more than the call: `admin` calls are made in
 * the security-tooling account and share its per-region quotas across the whole organization;
 * `member` calls spread over every member account.
 */
export type Payer = 'admin' | 'member';

export interface ModelledCall {
  service: string;
  operation: string;
  payer: Payer;
  /** Global services answer in us-east-1 whatever region the cell is. */
  global?: boolean;
}

const call = (service: string, operation: string, payer: Payer, global = false): ModelledCall => ({
  service,
  operation,
  payer,
  ...(global ? { global } : {}),
});

/** Per function (POWERTOOLS_SERVICE_NAME without `logwarden-`), for one invocation. */
export const coveredCalls: Record<string, ModelledCall[]> = {
  'ensure-flow-logs': [
    call('sts', 'AssumeRole', 'admin'),
    call('ec2', 'DescribeVpcs', 'member'),
    call('ec2', 'DescribeFlowLogs', 'member'),
    call('logs', 'DescribeLogGroups', 'member'),
  ],
  // Organization mode: the trail is managed from the CloudTrail delegated administrator.
  'ensure-trail': [
    call('cloudtrail', 'DescribeTrails', 'admin'),
    call('cloudtrail', 'GetEventSelectors', 'admin'),
    call('cloudtrail', 'GetTrailStatus', 'admin'),
  ],
  'ensure-guardduty': [
    call('guardduty', 'DescribeOrganizationConfiguration', 'admin'),
    call('guardduty', 'GetMembers', 'admin'),
    call('sts', 'AssumeRole', 'admin'),
    call('guardduty', 'ListDetectors', 'member'),
    call('guardduty', 'GetDetector', 'member'),
    call('logs', 'DescribeLogGroups', 'admin'),
    call('logs', 'DescribeResourcePolicies', 'admin'),
    call('events', 'ListTargetsByRule', 'admin'),
  ],
  'ensure-subscription': [
    call('sts', 'AssumeRole', 'admin'),
    call('logs', 'DescribeAccountPolicies', 'member'),
  ],
  'list-regions': [call('account', 'ListRegions', 'admin', true)],
  // list-accounts pages ListAccounts (at most 20 accounts a page); write-ledger runs for real.
};

/** A token bucket as AWS documents its API throttling: `capacity` tokens, `refillPerSecond`. */
export interface BucketSpec {
  capacity: number;
  refillPerSecond: number;
  source: string;
}

/**
 * Documented request-rate limits, per account and region. Only limits found in the AWS
 * documentation are modelled; every other service's peak rate is reported without a quota.
 */
export const documentedBuckets: Record<string, BucketSpec> = {
  // "Request throttling for the Amazon EC2 API", Amazon EC2 Developer Guide: non-mutating
  // (Describe*) actions, bucket 100 tokens, refill 20 per second, per account per Region.
  'ec2:Describe': {
    capacity: 100,
    refillPerSecond: 20,
    source: 'EC2 Developer Guide, Request throttling for the Amazon EC2 API (non-mutating actions)',
  },
};

export function bucketSpecOf(service: string, operation: string): BucketSpec | undefined {
  if (service === 'ec2' && operation.startsWith('Describe')) return documentedBuckets['ec2:Describe'];
  return undefined;
}

/** Documented limits the run's figures are set against. */
export const limits = {
  // AWS Lambda Developer Guide, "Lambda quotas": concurrent executions per Region, default.
  lambdaConcurrency: 1000,
  // Step Functions Developer Guide, "Step Functions service quotas": a Distributed Map runs at
  // most 10,000 child workflow executions in parallel; state and execution input/output at
  // most 256 KiB.
  distributedMapParallelChildren: 10_000,
  payloadBytes: 256 * 1024,
} as const;

/** Timing assumptions of the model, printed with every report. */
export interface Timing {
  /** One AWS API call, request to answer. */
  callMs: number;
  /** A Lambda invocation's own overhead (warm). */
  lambdaOverheadMs: number;
  /** The SDK's attempts per call (createClient sets 3) and its base backoff (standard mode: 100 ms). */
  sdkAttempts: number;
  sdkBaseBackoffMs: number;
}

export const defaultTiming: Timing = {
  callMs: 60,
  lambdaOverheadMs: 25,
  sdkAttempts: 3,
  sdkBaseBackoffMs: 100,
};
