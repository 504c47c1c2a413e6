import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { allowEventBridgeRules } from '../secure-key';
import { protectedKeyActions } from '../../contracts/archive-guard-scp';
import { acknowledge } from '../../workflows/acknowledge';
import { AlarmFactory } from '../alarm-factory';
import { protectedAccessLogEvents, protectedBucketEvents } from './archive-bucket';

/** The archive guard's rules, by fixed name: the state key's grant to EventBridge names them. */
export const archiveGuardRuleNames = {
  key: 'logwarden-archive-guard-key',
  bucket: 'logwarden-archive-guard-bucket',
} as const;

export interface ArchiveGuardProps {
  /** The archive's key; its policy gains the deny. */
  readonly key: kms.Key;
  readonly bucket: s3.IBucket;
  /** The archive's server access-log bucket: its deletes, lifecycle, policy and versioning. */
  readonly accessLogs: s3.IBucket;
  readonly breakGlassRoleArn: string;
  /** Where an attempt on the key or the bucket's protections is reported. */
  readonly topic: sns.ITopic;
  /** Encrypts the queue that keeps the alerts EventBridge could not deliver to the topic. */
  readonly stateKey: kms.Key;
}

/**
 * Keeps the archive immutable against the log-archive account's own administrators: the key
 * policy denies deleting, disabling or re-writing the key to everyone but the break-glass role
 * (the bucket policy does the same for lock, lifecycle and policy, in ArchiveBucket), and every
 * such call, allowed or refused, by anyone, is an alert.
 */
export class ArchiveGuard extends Construct {
  readonly rules: events.Rule[];
  /** Alerts EventBridge could not deliver to the topic after every retry. */
  readonly failures: sqs.Queue;
  /** Failed deliveries of each rule, and alerts waiting in the failure queue. */
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: ArchiveGuardProps) {
    super(scope, id);
    const { key, bucket, accessLogs, breakGlassRoleArn, topic, stateKey } = props;

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
      ruleName: archiveGuardRuleNames.key,
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
      ruleName: archiveGuardRuleNames.bucket,
      description:
        "logwarden: a change to the archive bucket's Object Lock, lifecycle or policy, or to its access-log bucket",
      eventPattern: {
        source: ['aws.s3'],
        // One rule for both buckets: a versioning change or a delete of the archive bucket is
        // no less an alert than one of its access-log bucket.
        ...cloudTrailCall(
          's3.amazonaws.com',
          [...new Set([...protectedBucketEvents, ...protectedAccessLogEvents])],
          {
            requestParameters: { bucketName: [bucket.bucketName, accessLogs.bucketName] },
          },
        ),
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
    // An alert EventBridge cannot deliver is kept, not dropped: "To avoid losing events after
    // they fail to be delivered to a target, you can configure a dead-letter queue (DLQ) and send
    // all failed events to it for processing later" (EventBridge User Guide, Using dead-letter
    // queues). The queue is encrypted with the state key, which lets EventBridge use it for
    // these two rules only.
    this.failures = new sqs.Queue(this, 'Failures', {
      queueName: 'logwarden-archive-guard-failures',
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: stateKey,
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
    });
    acknowledge(
      this.failures,
      "This queue is itself the dead-letter destination of the archive guard's rules.",
      'AwsSolutions-SQS3',
    );
    allowEventBridgeRules(
      stateKey,
      'EventBridgeDeadLetterForArchiveGuard',
      stack,
      Object.values(archiveGuardRuleNames),
    );
    const byArn = sns.Topic.fromTopicArn(this, 'AlertTopic', topic.topicArn);
    for (const rule of this.rules) {
      rule.addTarget(
        new targets.SnsTopic(byArn, {
          message,
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
          deadLetterQueue: this.failures,
        }),
      );
      Annotations.of(rule).acknowledgeWarning(
        '@aws-cdk/aws-events:ruleUnresolvedEnvironment',
        'The target is the alert topic of this same stack, referenced by its ARN only to keep CDK from adding an unconditioned grant.',
      );
    }

    // "FailedInvocations: The number of invocations that failed permanently" (EventBridge User
    // Guide, monitoring metrics): an alert on the archive that reached no one.
    const factory = new AlarmFactory(this, { topic });
    this.alarms = factory.alarms;
    const five = Duration.minutes(5);
    for (const which of ['key', 'bucket'] as const) {
      factory.addAlarm({
        name: `archive-guard-${which}-failed-invocations`,
        metric: new cloudwatch.Metric({
          namespace: 'AWS/Events',
          metricName: 'FailedInvocations',
          dimensionsMap: { RuleName: archiveGuardRuleNames[which] },
          statistic: 'Sum',
          period: five,
        }),
        threshold: 0,
        description: `EventBridge could not deliver an archive ${which} alert (rule ${archiveGuardRuleNames[which]}) to the alert topic; it waits in logwarden-archive-guard-failures.`,
      });
    }
    factory.addAlarm({
      name: 'archive-guard-failures',
      metric: this.failures.metricApproximateNumberOfMessagesVisible({ period: five, statistic: 'Maximum' }),
      threshold: 0,
      description:
        'Archive guard alerts (a call on the archive key or bucket protections) wait in logwarden-archive-guard-failures: the alert topic did not get them. Read them there.',
    });
  }
}
