import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { retryTransient } from './resilience';

/**
 * A Lambda task that returns the function's own result (the Lambda ARN as the resource, so the
 * local runner binds it to the same handler), with transient retries declared right here.
 */
export function lambdaStep(
  scope: Construct,
  id: string,
  fn: lambda.IFunction,
  props: {
    payload?: Record<string, unknown>;
    resultPath?: string;
    resultSelector?: Record<string, unknown>;
  } = {},
): tasks.LambdaInvoke {
  return retryTransient(
    new tasks.LambdaInvoke(scope, id, {
      lambdaFunction: fn,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      payload: props.payload ? sfn.TaskInput.fromObject(props.payload) : undefined,
      resultPath: props.resultPath,
      resultSelector: props.resultSelector,
    }),
  );
}
