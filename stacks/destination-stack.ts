import { Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { destinationAccessPolicy } from '../contracts/destination-policy';
import type { LogwardenConfig } from '../contracts/config';
import { centralStreamArn, destinationArn, destinationRoleName, names } from '../contracts/names';

export interface DestinationStackProps extends StackProps {
  readonly config: LogwardenConfig;
}

/**
 * The CloudWatch Logs destination of one governed region. Member log groups can only subscribe
 * to a destination in their own region; the destination forwards to the one central stream in
 * the home region, so adding a region is a config change and one more small stack.
 */
export class DestinationStack extends Stack {
  readonly destinationArn: string;

  constructor(scope: Construct, id: string, props: DestinationStackProps) {
    super(scope, id, props);
    const { config } = props;
    const account = config.accounts.logArchive;
    const streamArn = centralStreamArn(config.homeRegion, account);
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
            // The stream key lives in the home-region stack; its alias is the stable handle.
            new iam.PolicyStatement({
              actions: ['kms:GenerateDataKey'],
              resources: [`arn:aws:kms:${config.homeRegion}:${account}:key/*`],
              conditions: {
                'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/logwarden-stream' },
                StringEquals: { 'kms:ViaService': `kinesis.${config.homeRegion}.amazonaws.com` },
              },
            }),
          ],
        }),
      },
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:aws:kms:${config.homeRegion}:${account}:key/*]`,
      reason:
        'The stream key is created in the home-region stack and has a random id; the statement is narrowed to that key by its alias (kms:ResourceAliases) and to Kinesis (kms:ViaService).',
    });

    new logs.CfnDestination(this, 'Destination', {
      destinationName: names.logsDestination,
      roleArn: role.roleArn,
      targetArn: streamArn,
      destinationPolicy: JSON.stringify(destinationAccessPolicy(this.destinationArn, config.organizationId)),
    });
  }
}
