import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledge, checkovSkip } from '../workflows/acknowledge';
import {
  FUNCTION_BUNDLE_TARGET,
  FUNCTION_RUNTIME_NAME,
  SDK_CALL_MAX_MS,
} from '../contracts/function-runtime';
import { pipelineLogGroup } from '../contracts/names';
import * as path from 'node:path';
import { powertoolsEnv } from '../functions/shared/env';

export interface NodeFunctionProps {
  /** Folder under functions/ that holds index.ts with an exported `handler`. */
  readonly name: string;
  /**
   * The pipeline log group's name (contracts/names.ts pipelineLogGroups), for a second copy of a
   * function in a stack of the same account and region.
   * @default name
   */
  readonly logName?: string;
  /**
   * A fixed function name, for a function whose ARN a policy must name before the function
   * exists (its own role's policy would otherwise depend on it in a cycle).
   * @default a name CloudFormation generates
   */
  readonly functionName?: string;
  readonly description: string;
  readonly timeout?: Duration;
  readonly memorySize?: number;
  readonly environment?: Record<string, string>;
  /** Encrypts the function's own log group. */
  readonly logKey: kms.IKey;
  readonly reservedConcurrentExecutions?: number;
  readonly role?: iam.IRole;
  /** A fixed role name, for roles that another account's trust policy names. */
  readonly roleName?: string;
  /** Functions that call the OpenSearch domain run in its isolated subnets. */
  readonly vpc?: ec2.IVpc;
  readonly securityGroups?: ec2.ISecurityGroup[];
}

const functionsDir = path.join(__dirname, '..', 'functions');

/** CDK's runtime of FUNCTION_RUNTIME_NAME (contracts/function-runtime.ts). */
function functionRuntime(): lambda.Runtime {
  const runtime = lambda.Runtime.ALL.find((r) => r.name === FUNCTION_RUNTIME_NAME);
  if (!runtime) throw new Error(`aws-cdk-lib knows no Lambda runtime ${FUNCTION_RUNTIME_NAME}`);
  return runtime;
}

/**
 * Every logwarden Lambda: esbuild-bundled TypeScript on FUNCTION_RUNTIME_NAME (Node.js 24), arm64,
 * an encrypted log group with bounded retention, and the Powertools service name set.
 */
export class NodeFunction extends nodejs.NodejsFunction {
  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    const timeout = props.timeout ?? Duration.seconds(60);
    // A function must outlive its slowest SDK call, or a silent dependency ends it unreported.
    if (timeout.toMilliseconds() <= SDK_CALL_MAX_MS)
      throw new Error(
        `${props.name}: a timeout of ${timeout.toHumanString()} is not longer than one SDK call's ${SDK_CALL_MAX_MS} ms (contracts/function-runtime.ts)`,
      );
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      logGroupName: pipelineLogGroup(props.logName ?? props.name),
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    super(scope, id, {
      entry: path.join(functionsDir, props.name, 'index.ts'),
      handler: 'handler',
      functionName: props.functionName,
      description: props.description,
      runtime: functionRuntime(),
      architecture: lambda.Architecture.ARM_64,
      timeout,
      memorySize: props.memorySize ?? 512,
      // No handler instruments its SDK calls with a tracer, so active tracing would bill for
      // segments that show nothing the function's own logs and metrics do not; the workflows
      // keep X-Ray on their state machines, where the trace is the execution's timeline.
      tracing: lambda.Tracing.DISABLED,
      logGroup,
      environmentEncryption: props.logKey,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role:
        props.role ??
        (props.roleName
          ? new iam.Role(scope, `${id}Role`, {
              roleName: props.roleName,
              assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
              managedPolicies: [
                iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole'),
              ],
            })
          : undefined),
      vpc: props.vpc,
      vpcSubnets: props.vpc ? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } : undefined,
      securityGroups: props.securityGroups,
      environment: {
        ...powertoolsEnv.environment({
          powertoolsServiceName: `logwarden-${props.name}`,
          powertoolsMetricsNamespace: 'logwarden',
        }),
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        minify: true,
        sourceMap: true,
        target: FUNCTION_BUNDLE_TARGET,
        forceDockerBundling: false,
      },
    });
    const policies = props.vpc
      ? ['AWSLambdaVPCAccessExecutionRole', 'AWSLambdaBasicExecutionRole']
      : ['AWSLambdaBasicExecutionRole'];
    const managed = policies.map(
      (p) => `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${p}]`,
    );
    const reason =
      'The AWS-maintained minimum for a Lambda function to write its own logs (and, in a VPC, manage its ENIs).';
    acknowledge(this, reason, ...managed);
    if (this.role) acknowledge(this.role, reason, ...managed);
    if (!props.vpc) {
      checkovSkip(
        this,
        'Outside the VPC by design: it only calls regional AWS APIs (Kinesis, SNS, Step Functions, STS, DynamoDB) and no private resource.',
        'CKV_AWS_117',
      );
    }
  }
}
