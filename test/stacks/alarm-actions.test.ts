/**
 * Every CloudWatch alarm action that publishes to an SNS topic can publish, as AWS decides it: the
 * alarm publishes as the service principal cloudwatch.amazonaws.com, with the alarm's ARN as
 * aws:SourceArn and its account as aws:SourceAccount.
 *
 * - The topic's policy must allow it: a topic policy replaces SNS's default one (AWS Knowledge
 *   Center, "Why didn't I receive an SNS notification for my CloudWatch alarm trigger?": "SNS uses
 *   access policies to restrict the sources that can publish messages to the topic", the error
 *   "Resource: arn:aws:cloudwatch:...:alarm:ALARM_NAME is not authorized to perform: SNS:Publish",
 *   and the statement for cloudwatch.amazonaws.com sns:Publish, held to alarms by aws:SourceArn).
 * - A topic under a customer managed key needs the key policy to let CloudWatch use the key (SNS
 *   Developer Guide, "Enable compatibility between event sources from AWS services and encrypted
 *   topics": kms:Decrypt and kms:GenerateDataKey* for the service principal, cloudwatch.amazonaws.com
 *   for CloudWatch alarms). A service principal has no identity policy: only the key policy can.
 *
 * The local run creates no alarm (docs/local-run.md), so the stand-in never exercises this path:
 * the synthesized templates are checked here, alarm → action → topic → policy and key.
 */
import { buildExample, templateOf } from './example-app';
import { allows, resolve, type Json, type Resource, type Statement } from './service-grants';

const built = buildExample();
const stacks = [built.central, built.controlPlane, ...built.destinations];

const actionsOf = (alarm: Resource) =>
  ['AlarmActions', 'OKActions', 'InsufficientDataActions'].flatMap(
    (k) => (alarm.Properties?.[k] as unknown[]) ?? [],
  );

describe('CloudWatch alarm actions to SNS topics can publish', () => {
  const cases = stacks.flatMap((stack) => {
    const resources = templateOf(stack).toJSON().Resources as Record<string, Resource>;
    const where = { account: stack.account, region: stack.region, resources };
    return Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
      .flatMap(([alarmId, alarm]) =>
        actionsOf(alarm)
          .filter((a) => typeof a === 'object' && a !== null && 'Ref' in a)
          .map((a) => ({ stack, resources, where, alarmId, alarm, topicId: String((a as Json).Ref) })),
      );
  });

  it('finds the alarms that publish (not vacuous)', () => {
    expect(cases.length).toBeGreaterThan(10);
    expect(new Set(cases.map((c) => c.stack.stackName)).size).toBe(2);
  });

  it('each such topic policy allows cloudwatch.amazonaws.com sns:Publish for the alarm', () => {
    const refused = cases.filter(({ resources, where, alarm, topicId, stack }) => {
      const name = alarm.Properties?.AlarmName;
      if (typeof name !== 'string') return true; // a generated name no statement could name
      const context = {
        'aws:SourceArn': `arn:aws:cloudwatch:${stack.region}:${stack.account}:alarm:${name}`,
        'aws:SourceAccount': stack.account,
      };
      const policies = Object.values(resources).filter(
        (r) =>
          r.Type === 'AWS::SNS::TopicPolicy' &&
          ((r.Properties?.Topics as Json[]) ?? []).some((t) => t.Ref === topicId),
      );
      const statements = policies.flatMap(
        (p) => resolve((p.Properties?.PolicyDocument as Json).Statement, where) as Statement[],
      );
      return !statements.some((s) => allows(s, 'cloudwatch.amazonaws.com', 'sns:Publish', context));
    });
    expect(refused.map((c) => `${c.stack.stackName}/${c.alarmId} → ${c.topicId}`)).toEqual([]);
  });

  it("each encrypted topic's key policy lets cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey for the alarm", () => {
    const encrypted = cases.filter(({ resources, topicId }) => resources[topicId].Properties?.KmsMasterKeyId);
    expect(encrypted.length).toBe(cases.length);
    const refused = encrypted.filter(({ resources, where, alarm, topicId, stack }) => {
      const keyRef = resources[topicId].Properties?.KmsMasterKeyId as { 'Fn::GetAtt'?: string[] };
      const key = resources[keyRef['Fn::GetAtt']?.[0] ?? ''];
      if (key?.Type !== 'AWS::KMS::Key') return true;
      const context = {
        'aws:SourceArn': `arn:aws:cloudwatch:${stack.region}:${stack.account}:alarm:${String(alarm.Properties?.AlarmName)}`,
        'aws:SourceAccount': stack.account,
      };
      const statements = resolve((key.Properties?.KeyPolicy as Json).Statement, where) as Statement[];
      return !['kms:Decrypt', 'kms:GenerateDataKey'].every((action) =>
        statements.some((s) => allows(s, 'cloudwatch.amazonaws.com', action, context)),
      );
    });
    expect(refused.map((c) => `${c.stack.stackName}/${c.alarmId} → ${c.topicId}`)).toEqual([]);
  });
});
