import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { LogwardenConfig } from '../../../contracts/config';
import { controlFunctionName, controlRoleName, names } from '../../../contracts/names';
import type { IConstruct } from 'constructs';
import { acknowledge } from '../../../workflows/acknowledge';
import type { NodeFunctionProps } from '../../node-function';

/** What every control-plane function is built from. */
export interface ControlProps {
  readonly config: LogwardenConfig;
  /** Encrypts the function's log group and environment. */
  readonly logKey: kms.IKey;
}

/**
 * The function settings every control-plane function shares: its folder under functions/, a
 * fixed role name (the member execution role's trust names the member controls' roles by ARN),
 * five minutes for calls that retry with backoff.
 */
export function controlFunctionProps(
  name: string,
  description: string,
  environment: Record<string, string>,
  logKey: kms.IKey,
): NodeFunctionProps {
  return {
    name,
    description,
    roleName: controlRoleName(name),
    functionName: controlFunctionName(name),
    timeout: Duration.minutes(5),
    logKey,
    environment,
  };
}

/**
 * A control that acts in member accounts may assume their execution role, in this organization
 * only; the role name is fixed and the account is any member, which cdk-nag is told why.
 */
export function grantAssumeMemberRole(fn: iam.IGrantable & IConstruct, config: LogwardenConfig): void {
  fn.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'AssumeMemberExecutionRole',
      actions: ['sts:AssumeRole'],
      resources: [`arn:aws:iam::*:role/${names.memberExecutionRole}`],
      conditions: { StringEquals: { 'aws:ResourceOrgID': config.organizationId } },
    }),
  );
  acknowledge(
    fn.grantPrincipal as unknown as IConstruct,
    'Any member account of the organization may need repair; the statement is limited to the logwarden execution role name and to resources of this organization (aws:ResourceOrgID).',
    `AwsSolutions-IAM5[Resource::arn:aws:iam::*:role/${names.memberExecutionRole}]`,
  );
}

/** Where a member control's statements in the member execution role apply. */
export interface MemberScope {
  readonly config: LogwardenConfig;
  /** The member account (the StackSet instance's `AWS::AccountId`). */
  readonly account: string;
  /** One ARN per governed region. */
  readonly inGoverned: (arn: (region: string) => string) => string[];
}
