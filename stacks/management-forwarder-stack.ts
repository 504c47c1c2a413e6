import { Stack, StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { managementForwardedTriggersIn, type Trigger } from '../events/patterns';
import type { LogwardenConfig } from '../contracts/config';
import { controlBusArn } from '../contracts/names';

export interface ManagementForwarderStackProps extends StackProps {
  readonly config: LogwardenConfig;
  /** The triggers this stack's Region forwards; by default those the management account sees in us-east-1. */
  readonly forward?: readonly Trigger[];
}

/**
 * Organizations events (an account created or joining) and the opt-in of a region the management
 * account enabled for a member are delivered only in the management account, in us-east-1. This
 * small stack forwards them to the control bus (events/patterns.ts `managementForwardedTriggers`).
 */
export class ManagementForwarderStack extends Stack {
  constructor(scope: Construct, id: string, props: ManagementForwarderStackProps) {
    super(scope, id, props);
    const { config } = props;
    const bus = controlBusArn(config.homeRegion, config.accounts.securityTooling);
    const role = new iam.Role(this, 'ForwardRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'Lets EventBridge forward management-account events to the logwarden control bus',
      inlinePolicies: {
        forward: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [bus] })],
        }),
      },
    });
    // Organizations records account creation and joins here, and Account Management sends the
    // opt-in event of a region the management account enabled for a member here (us-east-1).
    for (const trigger of props.forward ?? managementForwardedTriggersIn('us-east-1')) {
      new events.CfnRule(this, `Forward-${trigger.id}`, {
        name: `logwarden-forward-${trigger.id}`,
        description: `logwarden: forward to the control plane: ${trigger.description}`,
        eventPattern: trigger.pattern,
        state: 'ENABLED',
        targets: [{ id: 'ControlBus', arn: bus, roleArn: role.roleArn }],
      });
    }
  }
}
