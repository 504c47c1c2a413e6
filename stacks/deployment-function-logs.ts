import { CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { pipelineLogGroup } from '../contracts/names';

/**
 * The functions CDK adds by itself (custom-resource singletons and providers: the OpenSearch log
 * and access policies, the bucket's EventBridge setting, the search setup's provider) write to
 * one named pipeline group instead of Lambda's default `/aws/lambda/<generated name>`: "By
 * default, CloudWatch automatically creates a log group named /aws/lambda/<function name> for
 * your function when it's first invoked" (Lambda Developer Guide, "Configuring CloudWatch log
 * groups"), a name the account subscription policy cannot exclude, so those logs would feed the
 * pipeline. Call it last in a stack's constructor: it routes every function without a log group.
 */
export function routeDeploymentFunctionLogs(stack: Stack, logKey: kms.IKey): void {
  const unrouted = stack.node
    .findAll()
    .filter(
      (c): c is CfnResource => c instanceof CfnResource && c.cfnResourceType === 'AWS::Lambda::Function',
    )
    // The bucket-notifications singleton is a plain CfnResource that never names a log group.
    .filter(
      (fn) =>
        !(fn instanceof lambda.CfnFunction) ||
        !(fn.loggingConfig as lambda.CfnFunction.LoggingConfigProperty | undefined)?.logGroup,
    );
  if (!unrouted.length) return;
  const group = new logs.LogGroup(stack, 'DeploymentFunctionLogs', {
    logGroupName: pipelineLogGroup('deployment-functions'),
    retention: logs.RetentionDays.ONE_YEAR,
    encryptionKey: logKey,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  for (const fn of unrouted) {
    fn.addPropertyOverride('LoggingConfig.LogGroup', group.logGroupName);
  }
}
