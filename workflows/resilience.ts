import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';

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
