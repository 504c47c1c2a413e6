import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { SubscriptionTestUndelivered } from '../functions/ensure-subscription/ensure-subscription';
import { TrailConflict } from '../functions/ensure-trail/ensure-trail';
import { MemberRoleUnavailable } from '../functions/shared/member-clients';

/** Throttling and transient (5xx) errors of the AWS APIs the controls call, and of Lambda itself. */
export const transientErrors = [
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  // "invoking Lambda results in a 500 error, such as ClientExecutionTimeoutException,
  // ServiceException, AWSLambdaException, or SdkClientException" (Step Functions Developer Guide,
  // "Handle transient Lambda service exceptions"): retried like the others.
  'Lambda.ClientExecutionTimeoutException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'InternalException',
  'StepFunctions.ExecutionLimitExceeded',
];

/** Exponential backoff with full jitter: 2 s, 4 s, 8 s… up to 60 s, six attempts. */
export function retryTransient<T extends sfn.TaskStateBase>(task: T): T {
  task.addRetry({
    errors: transientErrors,
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 6,
    maxDelay: Duration.seconds(60),
    jitterStrategy: sfn.JitterType.FULL,
  });
  return task;
}

/**
 * A member's execution role that cannot be assumed yet: a new account's baseline is still being
 * created by the StackSet (home region first, then the others), which takes minutes. Retried
 * with a long, bounded backoff — 30 s growing to 5 min, 12 retries, 40 minutes in all — so a new
 * account is covered as soon as its role exists; after that the Catch records the failure and
 * the daily sweep takes over. No jitter: full jitter waits "a random number between 0 and the
 * computed backoff" (JitterType.FULL), which made the window about 20 minutes on average, short
 * of a slow StackSet rollout; the window is what matters here, and each account's workflow
 * starts at its own time anyway.
 */
export const memberRoleRetry = {
  errors: [MemberRoleUnavailable.errorName],
  interval: Duration.seconds(30),
  backoffRate: 1.5,
  maxAttempts: 12,
  maxDelay: Duration.minutes(5),
  jitterStrategy: sfn.JitterType.NONE,
} as const satisfies sfn.RetryProps;

export function retryMemberRoleUnavailable<T extends sfn.TaskStateBase>(task: T): T {
  task.addRetry({ ...memberRoleRetry, errors: [...memberRoleRetry.errors] });
  return task;
}

/**
 * CloudWatch Logs' test message undelivered when the subscription control subscribes
 * (SubscriptionTestUndelivered): IAM propagation of a new subscription role. Retried for about
 * five minutes, as terraform-provider-aws does for the same answer: 10 s growing to 2 min, five
 * attempts; after that the Catch records the failure.
 */
export const subscriptionTestRetry = {
  errors: [SubscriptionTestUndelivered.errorName],
  interval: Duration.seconds(10),
  backoffRate: 2,
  maxAttempts: 5,
  maxDelay: Duration.minutes(2),
  jitterStrategy: sfn.JitterType.FULL,
} as const satisfies sfn.RetryProps;

/**
 * CloudTrail's ConflictException (TrailConflict): "If this exception occurs, wait a few minutes,
 * and then try the operation again" (CloudTrail API Reference). Retried 30 s, 1 min, then every
 * 2 min, five retries, 7.5 minutes in all; no jitter, so the window is that sum and not a random
 * share of it (as memberRoleRetry). After that the Catch records the failure and the sweep
 * takes over.
 */
export const trailConflictRetry = {
  errors: [TrailConflict.errorName],
  interval: Duration.seconds(30),
  backoffRate: 2,
  maxAttempts: 5,
  maxDelay: Duration.minutes(2),
  jitterStrategy: sfn.JitterType.NONE,
} as const satisfies sfn.RetryProps;
