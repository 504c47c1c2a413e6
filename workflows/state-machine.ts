import { type Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import { acknowledge, functionVersionsFinding, logicalIdOf } from './acknowledge';
import { controlLogGroup, stateMachineName, type WorkflowId } from '../contracts/names';

/** A Standard state machine with its name, full logging (including data) and X-Ray tracing. */
export function workflowStateMachine(
  scope: Construct,
  workflow: WorkflowId,
  definition: sfn.IChainable,
  uses: {
    functions: lambda.IFunction[];
    children?: sfn.IStateMachine[];
    logKey: kms.IKey;
    /** How long one execution may run (each workflow's construct documents its default). */
    timeout: Duration;
  },
): sfn.StateMachine {
  const logGroup = new logs.LogGroup(scope, 'Logs', {
    logGroupName: controlLogGroup(workflow),
    retention: logs.RetentionDays.ONE_YEAR,
    encryptionKey: uses.logKey,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const sm = new sfn.StateMachine(scope, 'StateMachine', {
    stateMachineName: stateMachineName(workflow),
    stateMachineType: sfn.StateMachineType.STANDARD,
    definitionBody: sfn.DefinitionBody.fromChainable(definition),
    timeout: uses.timeout,
    tracingEnabled: true,
    logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
  });
  acknowledge(
    sm,
    'X-Ray tracing and CloudWatch Logs log delivery (logs:CreateLogDelivery and friends) take no resource-level permissions.',
    'AwsSolutions-IAM5[Resource::*]',
  );
  acknowledge(
    sm,
    'Step Functions invokes a qualified version of the workflow’s own functions.',
    ...uses.functions.map(functionVersionsFinding),
  );
  const executionsOf = (child: IConstruct, suffix: string) =>
    `AwsSolutions-IAM5[Resource::arn:aws:states:${Stack.of(sm).region}:${Stack.of(sm).account}:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${logicalIdOf(child)}"}]}]}${suffix}]`;
  acknowledge(
    sm,
    'Child executions get names at run time; the statement is limited to executions of the named child state machine (and, for a Distributed Map, of this one).',
    ...(uses.children ?? []).map((c) => executionsOf(c, '*')),
    executionsOf(sm, ':*'),
    executionsOf(sm, '/*:*'),
  );
  return sm;
}
