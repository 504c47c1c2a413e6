import { Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { checkovSkip } from '../workflows/acknowledge';
import { destinationAccessPolicy } from '../contracts/destination-policy';
import type { LogwardenConfig } from '../contracts/config';
import {
  centralStreamArn,
  destinationArn,
  destinationRoleName,
  flowLogsFirehoseArn,
  names,
} from '../contracts/names';
import { FlowLogsFirehose } from './central/flow-logs-firehose';
import { pipelineRegionOf } from '../contracts/pipelines';

export interface DestinationStackProps extends StackProps {
  readonly config: LogwardenConfig;
}

/**
 * The CloudWatch Logs destination of one governed region. Member log groups can only subscribe
 * to a destination in their own region; the destination forwards to the central stream of the
 * region's pipeline (the home region's, or with `pipeline.regional` its own region's or group's,
 * contracts/pipelines.ts), so adding a region is a config change and one more small stack.
 */
export class DestinationStack extends Stack {
  readonly destinationArn: string;

  constructor(scope: Construct, id: string, props: DestinationStackProps) {
    super(scope, id, props);
    const { config } = props;
    const account = config.accounts.logArchive;
    // The region of the pipeline this region's logs go to: the home region by default.
    const pipelineRegion = pipelineRegionOf(config, this.region);
    const streamArn = centralStreamArn(pipelineRegion, account);
    this.destinationArn = destinationArn(this.region, account);

    const role = new iam.Role(this, 'DeliveryRole', {
      roleName: destinationRoleName(this.region),
      description: 'Assumed by CloudWatch Logs to put subscribed member logs into the central stream',
      assumedBy: new iam.ServicePrincipal('logs.amazonaws.com', {
        conditions: {
          // Any sending account's log groups of this region: the CloudWatch Logs guide
          // (CreateDestination) limits this trust with aws:SourceArn per sending account, which
          // cannot list an organization of 1,000 accounts. Which accounts may send at all is the
          // destination policy's job (aws:PrincipalOrgID).
          StringLike: { 'aws:SourceArn': `arn:aws:logs:${this.region}:*:*` },
          // The CloudWatch Logs docs do not say that aws:SourceOrgID is in the request context
          // when CloudWatch Logs assumes a destination's role, and a StringEquals on an absent key
          // would refuse every delivery (no log would arrive, silently). IfExists: when the key
          // is present it must be this organization; when it is absent, the trust is as above.
          StringEqualsIfExists: { 'aws:SourceOrgID': config.organizationId },
        },
      }),
      // Inline, so the permissions exist before CloudWatch Logs validates the destination.
      inlinePolicies: {
        putRecords: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['kinesis:PutRecord', 'kinesis:PutRecords'],
              resources: [streamArn],
            }),
            // The stream key lives in the pipeline's stack; its alias is the stable handle.
            new iam.PolicyStatement({
              actions: ['kms:GenerateDataKey'],
              resources: [`arn:aws:kms:${pipelineRegion}:${account}:key/*`],
              conditions: {
                'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/logwarden-stream' },
                StringEquals: { 'kms:ViaService': `kinesis.${pipelineRegion}.amazonaws.com` },
              },
            }),
          ],
        }),
      },
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:aws:kms:${pipelineRegion}:${account}:key/*]`,
      reason: `The stream key is created in the ${pipelineRegion === config.homeRegion ? 'home-region' : `${pipelineRegion} pipeline`} stack and has a random id; the statement is narrowed to that key by its alias (kms:ResourceAliases) and to Kinesis (kms:ViaService).`,
    });

    new logs.CfnDestination(this, 'Destination', {
      destinationName: names.logsDestination,
      roleArn: role.roleArn,
      targetArn: streamArn,
      destinationPolicy: JSON.stringify(destinationAccessPolicy(this.destinationArn, config.organizationId)),
    });

    if (config.flowLogs.delivery === 'firehose') {
      new FlowLogsFirehose(this, 'FlowLogsFirehose', { config });
      // IAM is global: the one cross-account role serves every region's stream.
      if (this.region === config.homeRegion) flowLogsCrossAccountRole(this, config);
    }
  }
}

/**
 * The log-archive role VPC Flow Logs assumes, from a member's source role, to deliver to the
 * regional streams (passed as DeliverCrossAccountRole). "In the destination account, create a
 * role with a name that starts with AWSLogDeliveryFirehoseCrossAccountRole. This role must grant
 * the following permissions": iam:CreateServiceLinkedRole and firehose:TagDeliveryStream, with a
 * trust of "the role that you created in the source account" (VPC User Guide, "IAM roles for cross
 * account delivery"). The guide grants both on "*"; here the service-linked role is the log
 * delivery service's own (AWSServiceRoleForLogDelivery, CloudWatch Logs User Guide, "Logs sent
 * to Firehose") and the tag goes only on logwarden's flow-log streams. The trust names the
 * members' source role by name in any account of the organization, since it cannot list 1,000
 * role ARNs.
 */
function flowLogsCrossAccountRole(scope: Construct, config: LogwardenConfig): iam.Role {
  const account = config.accounts.logArchive;
  const role = new iam.Role(scope, 'FlowLogsCrossAccountRole', {
    roleName: names.flowLogsFirehoseCrossAccountRole,
    description:
      "Assumed from the members' flow-log source role to deliver VPC flow logs to the logwarden streams",
    assumedBy: new iam.PrincipalWithConditions(new iam.AnyPrincipal(), {
      StringEquals: { 'aws:PrincipalOrgID': config.organizationId },
      ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::*:role/${names.flowLogsFirehoseSourceRole}` },
    }),
    inlinePolicies: {
      deliver: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            actions: ['firehose:TagDeliveryStream'],
            resources: config.governedRegions.map((r) => flowLogsFirehoseArn(r, account)),
          }),
          new iam.PolicyStatement({
            actions: ['iam:CreateServiceLinkedRole'],
            resources: [
              `arn:aws:iam::${account}:role/aws-service-role/delivery.logs.amazonaws.com/AWSServiceRoleForLogDelivery`,
            ],
            conditions: { StringEquals: { 'iam:AWSServiceName': 'delivery.logs.amazonaws.com' } },
          }),
        ],
      }),
    },
  });
  checkovSkip(
    role,
    'Any principal only with the organization (aws:PrincipalOrgID) and the members\' flow-log source role by name (aws:PrincipalArn): the VPC User Guide trusts "arn:aws:iam::source-account:role/mySourceRole", one account at a time, which cannot list an organization of 1,000 accounts.',
    'CKV_AWS_60',
  );
  return role;
}
