/**
 * What the simulated sweep assumes about AWS: the calls each function makes in an account ×
 * region that is already covered, the request-rate quotas they are throttled by, and the
 * documented limits the run is measured against.
 *
 * The call lists are those of the control code (functions/ensure-*) in an already covered cell,
 * as the measured API budget (scale/api-budget.ts) counts them; `npm run scale` measures the
 * budget first and calibrates the simulation from it (scale/calibrate.ts). Who pays for a call
 * matters more than the call: `admin` calls are made in the security-tooling account and share
 * its per-region quotas across the whole organization; `member` calls spread over every member
 * account.
 */
export type Payer = 'admin' | 'member';

/**
 * Where a call is answered: the cell's region, the home region (the organization trail is
 * managed there, whatever region the cell is), or us-east-1 (global services).
 */
export type CallRegion = 'cell' | 'home' | 'global';

export interface ModelledCall {
  service: string;
  operation: string;
  payer: Payer;
  /** @default 'cell' */
  region?: CallRegion;
  /** The same as `region: 'global'` (the measured API budget's lines say it so). */
  global?: boolean;
}

/** Where a call is answered, for a cell in `cellRegion` of an organization homed in `homeRegion`. */
export function regionOf(c: ModelledCall, cellRegion: string, homeRegion: string): string {
  if (c.global || c.region === 'global') return 'us-east-1';
  return c.region === 'home' ? homeRegion : cellRegion;
}

/**
 * The calls one invocation of a control makes in one cell: the home region's cell, another
 * region's, and the security-tooling account's own cell can differ (a control may check what is
 * the organization's only once per region, or the multi-region trail only in the home region).
 */
export type CallModel = (
  fn: string,
  cell: { account: string; region: string; home: boolean; administrator: boolean },
) => ModelledCall[] | undefined;

/** The call lists read from the code, per cell; `npm run scale` takes them from the measured budget instead. */
export const callsReadFromCode: CallModel = (fn, cell) => {
  if (fn === 'ensure-trail' && !cell.home) return [];
  if (fn === 'ensure-guardduty' && cell.administrator) return administratorGuardDutyCalls;
  return coveredCalls[fn];
};

const call = (
  service: string,
  operation: string,
  payer: Payer,
  region: CallRegion = 'cell',
): ModelledCall => ({
  service,
  operation,
  payer,
  ...(region === 'cell' ? {} : { region }),
});

/**
 * Per function (POWERTOOLS_SERVICE_NAME without `logwarden-`), for one invocation in a member's
 * cell of the home region, as the API budget measures them (test/local/api-budget.e2e.test.ts).
 */
export const coveredCalls: Record<string, ModelledCall[]> = {
  'ensure-flow-logs': [
    call('sts', 'AssumeRole', 'admin'),
    call('ec2', 'DescribeVpcs', 'member'),
    call('ec2', 'DescribeFlowLogs', 'member'),
  ],
  // Organization mode: the multi-region trail is checked from the CloudTrail delegated
  // administrator in the home region's cell only (functions/ensure-trail).
  'ensure-trail': [
    call('cloudtrail', 'DescribeTrails', 'admin', 'home'),
    call('cloudtrail', 'GetTrailStatus', 'admin', 'home'),
  ],
  // A member's cell: its detector is listed by the administrator and its membership read.
  'ensure-guardduty': [call('guardduty', 'ListDetectors', 'admin'), call('guardduty', 'GetMembers', 'admin')],
  // The cell's previous ledger row first: whether logwarden's own fallback filters may remain.
  'ensure-subscription': [
    call('dynamodb', 'GetItem', 'admin'),
    call('sts', 'AssumeRole', 'admin'),
    call('logs', 'DescribeAccountPolicies', 'member'),
  ],
  'list-regions': [call('account', 'ListRegions', 'admin', 'global')],
  // list-accounts pages ListAccounts (at most 20 accounts a page); write-ledger runs for real.
};

/** The security-tooling account's own cell: the organization's GuardDuty settings, once per region. */
export const administratorGuardDutyCalls: ModelledCall[] = [
  call('guardduty', 'ListDetectors', 'admin'),
  call('guardduty', 'DescribeOrganizationConfiguration', 'admin'),
  call('guardduty', 'GetDetector', 'admin'),
  call('logs', 'DescribeLogGroups', 'admin'),
  call('logs', 'DescribeResourcePolicies', 'admin'),
  call('events', 'ListTargetsByRule', 'admin'),
];

/**
 * A request-rate quota as a token bucket: `capacity` tokens, `refillPerSecond` added each
 * second; a call takes one token or is throttled. `perApi`: one bucket per API (the quota is
 * per operation), else one per service group. Always per (account, region). `documented`:
 * false marks a rate assumed where no AWS page states one; such rates are printed as assumed.
 */
export interface ThrottleModel {
  service: string;
  /** Which operations it applies to: a list, a prefix ending in `*`, or `*` for every one. */
  operations: readonly string[] | string;
  perApi: boolean;
  capacity: number;
  refillPerSecond: number;
  /** The error name the SDK sees when throttled. */
  error: string;
  documented: boolean;
  source: string;
}

/**
 * Request-rate quotas, per account and Region, as the AWS documentation states them (source
 * given for each), or assumed where it states none. First match wins.
 */
export const throttleModels: readonly ThrottleModel[] = [
  {
    service: 'ec2',
    operations: 'Describe*',
    perApi: false,
    capacity: 100,
    refillPerSecond: 20,
    error: 'RequestLimitExceeded',
    documented: true,
    source:
      'Amazon EC2 Developer Guide, "Request throttling for the Amazon EC2 API": non-mutating actions, bucket 100, refill 20/s, per account and Region',
  },
  {
    service: 'sts',
    operations: '*',
    perApi: false,
    capacity: 600,
    refillPerSecond: 600,
    error: 'Throttling',
    documented: true,
    source:
      'IAM User Guide, "IAM and AWS STS quotas": 600 requests/s per account per Region shared by the STS credential operations (page quoted by several sources; the page itself is not in the offline corpus, verify)',
  },
  {
    service: 'cloudtrail',
    operations: ['DescribeTrails', 'GetEventSelectors', 'GetTrailStatus', 'ListTrails'],
    perApi: true,
    capacity: 10,
    refillPerSecond: 10,
    error: 'ThrottlingException',
    documented: true,
    source:
      'CloudTrail User Guide, "Quotas in AWS CloudTrail": Get, describe and list APIs 10 TPS, cannot be increased; Service Quotas lists it per API ("Transactions per second (TPS) for the <API> API", applied at account level, e.g. awslabs/mcp#1377)',
  },
  {
    service: 'logs',
    operations: ['DescribeLogGroups'],
    perApi: true,
    capacity: 5,
    refillPerSecond: 5,
    error: 'ThrottlingException',
    documented: true,
    source:
      'CloudWatch Logs User Guide, "CloudWatch Logs quotas": DescribeLogGroups 5 TPS per account per Region, adjustable (awsdocs/amazon-cloudwatch-logs-user-guide, cloudwatch_limits_cwl.md; today\'s value may be higher, check Service Quotas)',
  },
  {
    service: 'logs',
    operations: ['DescribeAccountPolicies', 'DescribeResourcePolicies', 'DescribeSubscriptionFilters'],
    perApi: true,
    capacity: 5,
    refillPerSecond: 5,
    error: 'ThrottlingException',
    documented: false,
    source:
      "ASSUMED: no rate found in the CloudWatch Logs quotas; taken as DescribeLogGroups' 5 TPS per API, account and Region",
  },
  {
    service: 'guardduty',
    operations: '*',
    perApi: true,
    capacity: 10,
    refillPerSecond: 10,
    error: 'TooManyRequestsException',
    documented: false,
    source:
      'ASSUMED: the GuardDuty quotas page ("Amazon GuardDuty quotas") states no API request rate; taken as 10 TPS per API, account and Region, like CloudTrail\'s read APIs',
  },
  {
    service: 'events',
    operations: '*',
    perApi: true,
    capacity: 10,
    refillPerSecond: 10,
    error: 'ThrottlingException',
    documented: false,
    source:
      'ASSUMED: "Amazon EventBridge quotas" lists PutEvents, invocations and endpoint APIs but not ListTargetsByRule; taken as 10 TPS per API, account and Region',
  },
  {
    service: 'account',
    operations: ['ListRegions'],
    perApi: true,
    capacity: 5,
    refillPerSecond: 5,
    error: 'TooManyRequestsException',
    documented: true,
    source:
      'AWS Account Management Reference Guide, "Quotas for AWS Account Management": rate of ListRegions requests per account, 5 per second, burst 5',
  },
  {
    service: 'organizations',
    operations: '*',
    perApi: false,
    capacity: 5,
    refillPerSecond: 5,
    error: 'TooManyRequestsException',
    documented: false,
    source:
      'ASSUMED: the Organizations quotas page gives no numeric API rate (see awsdocs/aws-organizations-docs#39); taken as 5 per second, like the Account API',
  },
  {
    service: 'dynamodb',
    operations: '*',
    perApi: false,
    capacity: 4000,
    refillPerSecond: 4000,
    error: 'ProvisionedThroughputExceededException',
    documented: true,
    source:
      'DynamoDB Developer Guide, "DynamoDB on-demand capacity mode", initial throughput: a new on-demand table sustains up to 4,000 writes/s (the ledger table is PAY_PER_REQUEST; items under 1 KB)',
  },
  {
    service: 'sns',
    operations: ['Publish'],
    perApi: true,
    capacity: 300,
    refillPerSecond: 300,
    error: 'Throttling',
    documented: false,
    source:
      'ASSUMED: the per-Region Publish rates of the General Reference ("Amazon SNS endpoints and quotas") were not in the offline corpus; taken as 300/s',
  },
];

const matches = (m: ThrottleModel, operation: string) =>
  m.operations === '*' ||
  (typeof m.operations === 'string'
    ? operation.startsWith(m.operations.replace(/\*$/, ''))
    : m.operations.includes(operation));

/** The quota a call is throttled by, and the bucket's name within its (account, region). */
export function throttleModelOf(
  service: string,
  operation: string,
): { model: ThrottleModel; bucket: string } | undefined {
  const model = throttleModels.find((m) => m.service === service && matches(m, operation));
  if (!model) return undefined;
  return {
    model,
    bucket: model.perApi
      ? `${service} ${operation}`
      : `${service} ${typeof model.operations === 'string' ? model.operations : model.operations.join('/')}`,
  };
}

/** Documented limits the run's figures are set against. */
export const limits = {
  // AWS Lambda Developer Guide, "Lambda quotas": concurrent executions per Region, default.
  lambdaConcurrency: 1000,
  // Step Functions Developer Guide, "Step Functions service quotas": a Distributed Map runs at
  // most 10,000 child workflow executions in parallel; state and execution input/output at
  // most 256 KiB (a larger one fails the execution with States.DataLimitExceeded); an
  // execution history at most 25,000 events.
  distributedMapParallelChildren: 10_000,
  payloadBytes: 256 * 1024,
} as const;

/**
 * A latency as a log-normal distribution, given by its median and 99th percentile (the shape
 * of service latencies: bounded below, a long tail), with where the figures come from.
 */
export interface LatencyDistribution {
  medianMs: number;
  p99Ms: number;
  source: string;
}

/** The standard normal quantile at 0.99. */
const z99 = 2.326347874;

/**
 * Samples of a distribution from a uniform source in [0, 1): exp(μ + σ·Z) with μ = ln(median)
 * and σ = ln(p99 ÷ median) ÷ z0.99, Z standard normal (Box–Muller). A distribution whose p99
 * equals its median is the fixed latency.
 */
export function latencySampler(d: LatencyDistribution, uniform: () => number): () => number {
  if (!(d.medianMs > 0) || !(d.p99Ms >= d.medianMs))
    throw new Error(`a latency needs 0 < median <= p99 (${d.medianMs}, ${d.p99Ms})`);
  const mu = Math.log(d.medianMs);
  const sigma = Math.log(d.p99Ms / d.medianMs) / z99;
  if (sigma === 0) return () => d.medianMs;
  return () => {
    const z = Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
    return Math.exp(mu + sigma * z);
  };
}

/** An error injected at a rate: per API call, per Lambda invocation, or per control invocation. */
export interface FailureModel {
  /** Probability per call or invocation, 0 to 1. */
  rate: number;
  /** The error name the SDK, or Step Functions, sees. */
  error: string;
  source: string;
}

/** Timing and failure assumptions of the model, printed with every report. */
export interface Timing {
  /** One AWS API call, request to answer: the MEDIAN of its distribution (`apiCallLatency`). */
  callMs: number;
  /** The API call's 99th percentile as a multiple of its median, and where that comes from. */
  callP99OverMedian: number;
  callSource: string;
  /** A warm Lambda invocation's own overhead (invoke, runtime, handler outside the calls). */
  lambdaWarm: LatencyDistribution;
  /**
   * A cold start's initialization, added when no idle execution environment of the function is
   * left (each invocation that raises the function's concurrency above what it reached before).
   */
  lambdaCold: LatencyDistribution;
  /** One Step Functions state transition (Standard workflows). */
  transition: LatencyDistribution;
  /** A child execution started by `states:startExecution.sync` until it runs, and its result back. */
  childStart: LatencyDistribution;
  /**
   * The SDK's attempts per call (functions/shared/clients.ts sets 3) and its backoff bases: standard
   * mode waits random × min(base × 2^retry, 20 s), base 1,000 ms for throttling errors and 50 ms for
   * other transient errors in the installed @smithy/core (util-retry/retries-2026-config.js).
   */
  sdkAttempts: number;
  sdkThrottleBackoffMs: number;
  sdkTransientBackoffMs: number;
  failures: {
    /** A 5xx answer to an API call: the SDK retries it, then the ASL Retry (it is in transientErrors). */
    apiTransient: FailureModel;
    /** Lambda's own 5xx on an invocation: the ASL Retry of every Lambda task retries it. */
    lambdaTransient: FailureModel;
    /** A control that fails for good (not transient): the Catch records the cell as failed. */
    controlPermanent: FailureModel;
  };
}

/** An API call's distribution at the timing's median. */
export const apiCallLatency = (t: Timing): LatencyDistribution => ({
  medianMs: t.callMs,
  p99Ms: t.callMs * t.callP99OverMedian,
  source: t.callSource,
});

const lambdaExecutionEnvironments =
  'Lambda Operator Guide, "Lambda execution environments": "cold starts typically occur in under 1% of invocations. The duration of a cold start varies from under 100 ms to over 1 second."';

export const defaultTiming: Timing = {
  callMs: 60,
  callP99OverMedian: 4,
  callSource:
    "ASSUMED: no AWS page states API latencies; the median is the run's 60/120/200 ms, the p99 taken as 4× the median",
  lambdaWarm: {
    medianMs: 25,
    p99Ms: 100,
    source:
      'ASSUMED: no AWS page states a warm invocation overhead; median 25 ms (the earlier fixed figure), p99 100 ms',
  },
  lambdaCold: {
    medianMs: 300,
    p99Ms: 1200,
    source: `${lambdaExecutionEnvironments} Median 300 ms and p99 1.2 s ASSUMED within that range; a cold start happens when no idle environment is left (the "under 1%" is the run's outcome, reported, not an input)`,
  },
  transition: {
    medianMs: 20,
    p99Ms: 100,
    source:
      'ASSUMED: the Step Functions Developer Guide states no state-transition latency for Standard workflows; median 20 ms, p99 100 ms',
  },
  childStart: {
    medianMs: 100,
    p99Ms: 1000,
    source:
      'ASSUMED: no AWS page states how long startExecution.sync takes to start a child and return its result; median 100 ms, p99 1 s',
  },
  sdkAttempts: 3,
  sdkThrottleBackoffMs: 1000,
  sdkTransientBackoffMs: 50,
  failures: {
    apiTransient: {
      rate: 0.001,
      error: 'InternalFailure',
      source:
        'ASSUMED: no AWS page states an error rate for these APIs; 0.1 % of calls answer 5xx, the error rate the 99.9 % per-request SLAs (Step Functions, S3) allow',
    },
    lambdaTransient: {
      rate: 0.0005,
      error: 'Lambda.ServiceException',
      source:
        'AWS Lambda Service Level Agreement: a Monthly Uptime Percentage of at least 99.95 %, an Error being "any Request that returns a 500 or 503 error code" (dev.classmethod.jp/articles/aws-lambda-sla quoting aws.amazon.com/lambda/sla; the 99.95 % also at amazonaws.cn/en/lambda/sla/historical/ningxia): 0.05 % of invocations, the most the commitment allows',
    },
    controlPermanent: {
      rate: 0.001,
      error: 'AccessDeniedException',
      source:
        "ASSUMED: a cell an organization's own policy denies (an SCP, a changed member role), which no AWS page can state; 0.1 % of control invocations",
    },
  },
};

/** The same timing with every injected failure at `rate` (each keeping its error and source). */
export const withFailureRate = (t: Timing, rate: number): Timing => ({
  ...t,
  failures: {
    apiTransient: { ...t.failures.apiTransient, rate },
    lambdaTransient: { ...t.failures.lambdaTransient, rate },
    controlPermanent: { ...t.failures.controlPermanent, rate },
  },
});

/** The same timing without injected failures: what "0 failed" is measured against in tests that count every cell. */
export const withoutFailures = (t: Timing): Timing => withFailureRate(t, 0);

/** 17 commercial regions that are enabled by default (no opt-in), home region first. */
export const seventeenRegions = [
  'eu-west-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'eu-central-1',
  'eu-west-2',
  'eu-west-3',
  'eu-north-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'sa-east-1',
];
