import type { CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { Triggers } from '../../stacks/control-plane/triggers';
import { archiveGuardRuleNames } from '../../stacks/central/archive-guard';
import { buildExample, exampleConfig, templateOf } from './example-app';

/**
 * Issue 21 §9: nothing that starts a heal or carries an alert is dropped silently. Read from the
 * synthesized templates: where a failed event goes, that the queue is KMS-encrypted, and that an
 * alarm watches both the failure and the queue.
 */
const built = buildExample(exampleConfig());
const control = templateOf(built.controlPlane);
const central = templateOf(built.central);

// Template JSON, read field by field as CloudFormation writes it.
type Json = ReturnType<Template['toJSON']>;
type Resource = { Type: string; Properties: Json };
const resources = (t: Template, type: string) =>
  Object.entries(t.findResources(type)) as [string, Resource][];
const queueNamed = (t: Template, name: string) => {
  const found = resources(t, 'AWS::SQS::Queue').filter(([, q]) => q.Properties.QueueName === name);
  expect(found).toHaveLength(1);
  return found[0];
};
const alarmNamed = (t: Template, name: string) => {
  const found = resources(t, 'AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.AlarmName === name);
  expect(found).toHaveLength(1);
  return found[0][1].Properties;
};
const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

describe('the dispatcher keeps what it fails on (issue 21 §9)', () => {
  const [queueId, queue] = queueNamed(control, 'logwarden-dispatch-failures');
  const triggers = built.controlPlane.node.findChild('Triggers') as Triggers;
  const dispatchId = built.controlPlane.getLogicalId(triggers.dispatch.node.defaultChild as CfnElement);

  it('an asynchronous invocation that fails every attempt goes to a KMS-encrypted queue', () => {
    // Lambda developer guide, asynchronous invocation: "When a function returns an error, by
    // default Lambda retries it twice ... configure a destination for events that fail all
    // processing attempts" — without one, EventBridge's trigger is dropped after the retries.
    const configs = resources(control, 'AWS::Lambda::EventInvokeConfig').filter(
      ([, c]) => JSON.stringify(c.Properties.FunctionName) === JSON.stringify({ Ref: dispatchId }),
    );
    expect(configs).toHaveLength(1);
    const invoke = configs[0][1].Properties;
    expect(invoke.MaximumRetryAttempts).toBe(2);
    expect(invoke.DestinationConfig.OnFailure.Destination).toEqual(arnOf(queueId));
    expect(queue.Properties.KmsMasterKeyId).toBeDefined();
  });

  it('every trigger rule keeps the events EventBridge could not deliver in the same queue', () => {
    const toDispatch = resources(control, 'AWS::Events::Rule').flatMap(([, r]) =>
      ((r.Properties.Targets ?? []) as { Arn: unknown; DeadLetterConfig?: { Arn: unknown } }[]).filter(
        (target) => JSON.stringify(target.Arn) === JSON.stringify(arnOf(dispatchId)),
      ),
    );
    expect(toDispatch.length).toBeGreaterThan(5);
    for (const target of toDispatch) expect(target.DeadLetterConfig?.Arn).toEqual(arnOf(queueId));
  });

  it("alarms on the dispatcher's Errors and on the queue", () => {
    const errors = alarmNamed(control, 'logwarden-dispatch-errors');
    expect(errors).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Threshold: 0 });
    expect(errors.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: dispatchId } }]);
    const waiting = alarmNamed(control, 'logwarden-dispatch-failures');
    expect(waiting).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible' });
    expect(waiting.Dimensions).toEqual([
      { Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } },
    ]);
    expect(errors.AlarmActions?.length).toBeGreaterThan(0);
  });
});

describe("the archive guard's alerts are kept when EventBridge cannot deliver them (issue 21 §9)", () => {
  const [queueId, queue] = queueNamed(central, 'logwarden-archive-guard-failures');
  const guardRules = resources(central, 'AWS::Events::Rule').filter(([, r]) =>
    (Object.values(archiveGuardRuleNames) as string[]).includes(r.Properties.Name),
  );

  it('both rules exist and each target has the KMS-encrypted dead-letter queue', () => {
    // EventBridge User Guide, Using dead-letter queues: "To avoid losing events after they fail to
    // be delivered to a target, you can configure a dead-letter queue (DLQ) and send all failed
    // events to it for processing later."
    expect(guardRules).toHaveLength(2);
    for (const [, rule] of guardRules) {
      const targets = rule.Properties.Targets as { DeadLetterConfig?: { Arn: unknown } }[];
      expect(targets).toHaveLength(1);
      expect(targets[0].DeadLetterConfig?.Arn).toEqual(arnOf(queueId));
    }
    expect(queue.Properties.KmsMasterKeyId).toEqual(
      expect.objectContaining({ 'Fn::GetAtt': expect.any(Array) }),
    );
  });

  it("the queue's key lets EventBridge use it for these two rules only", () => {
    const keyId = (queue.Properties.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const key = central.findResources('AWS::KMS::Key')[keyId];
    const grant = (key.Properties.KeyPolicy.Statement as Json[]).find(
      (st) => st.Sid === 'EventBridgeDeadLetterForArchiveGuard',
    )!;
    expect(grant.Principal).toEqual({ Service: 'events.amazonaws.com' });
    const arns = JSON.stringify(grant.Condition.ArnEquals['aws:SourceArn']);
    for (const name of Object.values(archiveGuardRuleNames)) expect(arns).toContain(`:rule/${name}`);
    expect(arns).not.toContain('*');
  });

  it("alarms on each rule's FailedInvocations and on the queue", () => {
    // EventBridge User Guide, monitoring: "FailedInvocations: The number of invocations that
    // failed permanently."
    for (const [which, name] of Object.entries(archiveGuardRuleNames)) {
      const alarm = alarmNamed(central, `logwarden-archive-guard-${which}-failed-invocations`);
      expect(alarm).toMatchObject({ Namespace: 'AWS/Events', MetricName: 'FailedInvocations', Threshold: 0 });
      expect(alarm.Dimensions).toEqual([{ Name: 'RuleName', Value: name }]);
      expect(alarm.AlarmActions?.length).toBe(1);
    }
    const waiting = alarmNamed(central, 'logwarden-archive-guard-failures');
    expect(waiting.Dimensions).toEqual([
      { Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } },
    ]);
  });
});
