import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag findings on a construct and everything below it, all for one reason.
 * Each id names one rule and one action or resource, so nothing else is hidden.
 */
export function acknowledge(scope: IConstruct, reason: string, ...ids: string[]): void {
  for (const id of ids) Validations.of(scope).acknowledge({ id, reason });
}

/**
 * Records a checkov skip, with its reason, in the CloudFormation metadata of the resources at
 * and below `scope`, where checkov reads it. Scoped to those resources, unlike a global skip.
 */
export function checkovSkip(scope: IConstruct, reason: string, ...checkIds: string[]): void {
  const resources = scope.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c));
  for (const resource of resources) {
    const metadata = (resource.cfnOptions.metadata ??= {}) as {
      checkov?: { skip: { id: string; comment: string }[] };
    };
    const skips = (metadata.checkov ??= { skip: [] }).skip;
    for (const id of checkIds) if (!skips.some((s) => s.id === id)) skips.push({ id, comment: reason });
  }
}

/** The logical id CloudFormation gives a construct's resource, as cdk-nag writes it in finding ids. */
export function logicalIdOf(construct: IConstruct): string {
  const resource = (construct.node.defaultChild ?? construct) as CfnResource;
  return Stack.of(construct).getLogicalId(resource);
}

/** The finding id of a grant on "any version or alias" of a function (`<fn.Arn>:*`). */
export function functionVersionsFinding(fn: IConstruct): string {
  return `AwsSolutions-IAM5[Resource::<${logicalIdOf(fn)}.Arn>:*]`;
}
