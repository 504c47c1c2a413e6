import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Annotations, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { protectedKeyActions } from '../../contracts/archive-guard-scp';
import { protectedBucketEvents } from './archive-bucket';

export interface ArchiveGuardProps {
  /** The archive's key; its policy gains the deny. */
  readonly key: kms.Key;
  readonly bucket: s3.IBucket;
  readonly breakGlassRoleArn: string;
  /** Where an attempt on the key or the bucket's protections is reported. */
  readonly topic: sns.ITopic;
}

/**
 * Keeps the archive immutable against the log-archive account's own administrators: the key
 * policy denies deleting, disabling or re-writing the key to everyone but the break-glass role
 * (the bucket policy does the same for lock, lifecycle and policy, in ArchiveBucket), and every
 * such call, allowed or refused, by anyone, is an alert.
 */
export class ArchiveGuard extends Construct {
  readonly rules: events.Rule[];

  constructor(scope: Construct, id: string, props: ArchiveGuardProps) {
    super(scope, id);
    const { key, bucket, breakGlassRoleArn, topic } = props;

    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyBreakGlassDeletesDisablesOrRewritesTheKey',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: protectedKeyActions,
        resources: ['*'],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': breakGlassRoleArn } },
      }),
    );
    // KMS refuses a key policy that would not let the caller (here CloudFormation's execution
    // role) call PutKeyPolicy later, unless this check is bypassed. Not letting it is the point:
    // only the break-glass role may change the policy (`cdk deploy --role-arn <break-glass>`).
    (key.node.defaultChild as kms.CfnKey).bypassPolicyLockoutSafetyCheck = true;

    const cloudTrailCall = (eventSource: string, eventName: string[], detail: Record<string, unknown>) => ({
      detailType: ['AWS API Call via CloudTrail'],
      detail: { eventSource: [eventSource], eventName, ...detail },
    });
    const keyRule = new events.Rule(this, 'KeyCalls', {
      description: 'logwarden: ScheduleKeyDeletion, DisableKey or PutKeyPolicy on the archive key',
      eventPattern: {
        source: ['aws.kms'],
        ...cloudTrailCall(
          'kms.amazonaws.com',
          protectedKeyActions.map((a) => a.replace('kms:', '')),
          // These three APIs take the key as a key id or key ARN, never an alias (KMS API reference).
          { requestParameters: { keyId: [key.keyId, key.keyArn] } },
        ),
      },
    });
    const bucketRule = new events.Rule(this, 'BucketCalls', {
      description: "logwarden: a change to the archive bucket's Object Lock, lifecycle or policy",
      eventPattern: {
        source: ['aws.s3'],
        ...cloudTrailCall('s3.amazonaws.com', protectedBucketEvents, {
          requestParameters: { bucketName: [bucket.bucketName] },
        }),
      },
    });
    const message = events.RuleTargetInput.fromText(
      `logwarden: ${events.EventField.fromPath('$.detail.eventName')} on the log archive ` +
        `(${events.EventField.fromPath('$.detail.eventSource')}) by ` +
        `${events.EventField.fromPath('$.detail.userIdentity.arn')} at ` +
        `${events.EventField.fromPath('$.detail.eventTime')}; error: ` +
        `${events.EventField.fromPath('$.detail.errorCode')}. Only the break-glass role may make this call.`,
    );
    this.rules = [keyRule, bucketRule];
    // CDK's SnsTopic target would grant events.amazonaws.com the topic and its key without
    // conditions; the grant here names this account's rules, and the key's matching statement
    // is on the alert key (central-stack.ts). The target then uses the topic by ARN.
    const stack = Stack.of(this);
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ArchiveGuardRulesPublish',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': `arn:${stack.partition}:events:${stack.region}:${stack.account}:rule/*`,
          },
        },
      }),
    );
    const byArn = sns.Topic.fromTopicArn(this, 'AlertTopic', topic.topicArn);
    for (const rule of this.rules) {
      rule.addTarget(new targets.SnsTopic(byArn, { message }));
      Annotations.of(rule).acknowledgeWarning(
        '@aws-cdk/aws-events:ruleUnresolvedEnvironment',
        'The target is the alert topic of this same stack, referenced by its ARN only to keep CDK from adding an unconditioned grant.',
      );
    }
  }
}
