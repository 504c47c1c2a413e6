/**
 * Every EventBridge rule target that is an SNS topic or an SQS queue (and every queue a target
 * dead-letters to) can be delivered to, as AWS decides it: EventBridge sends as the service
 * principal events.amazonaws.com, with the rule's ARN as aws:SourceArn and its account as
 * aws:SourceAccount.
 *
 * - The topic's or queue's policy must allow it (EventBridge User Guide, "Using resource-based
 *   policies for Amazon EventBridge": Amazon SNS permissions, "the topic's resource-based policy
 *   must allow events.amazonaws.com sns:Publish"; Amazon SQS permissions, sqs:SendMessage).
 * - A topic or queue under a customer managed key needs the key policy to let EventBridge use it
 *   (SNS Developer Guide, "Enable compatibility between event sources from AWS services and
 *   encrypted topics"; SQS Developer Guide, "Configure KMS permissions for AWS services":
 *   kms:GenerateDataKey and kms:Decrypt for the service principal).
 *
 * The local run delivers only the archive's Object Created rules into their queues
 * (local/standins/server.py service_send_message evaluates the queue policy and key policy); the
 * archive guard's rules to the alert topic are not exercised. This checks every such target of
 * the synthesized templates.
 */
import { buildExample, exampleConfig, exampleConfigRaw, templateOf } from './example-app';
import { allows, resolve, ruleArn, type Json, type Resource, type Statement } from './service-grants';

const raw = exampleConfigRaw();
const configs = {
  default: exampleConfig(),
  'flowLogs.delivery firehose': exampleConfig({
    flowLogs: { ...(raw.flowLogs as Record<string, unknown>), delivery: 'firehose' },
  }),
};

const getAtt = (value: unknown): [string, string] | undefined =>
  (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];

describe('EventBridge rule targets that are topics or queues can be delivered to', () => {
  const cases = Object.entries(configs).flatMap(([config, c]) => {
    const built = buildExample(c);
    return [built.central, built.controlPlane, ...built.destinations].flatMap((stack) => {
      const resources = templateOf(stack).toJSON().Resources as Record<string, Resource>;
      const where = { account: stack.account, region: stack.region, resources };
      return Object.entries(resources)
        .filter(([, r]) => r.Type === 'AWS::Events::Rule')
        .flatMap(([ruleId, rule]) => {
          const targets = (rule.Properties?.Targets as Json[] | undefined) ?? [];
          const arns = targets.flatMap((t) => [t.Arn, (t.DeadLetterConfig as Json | undefined)?.Arn]);
          return arns
            .map((arn) => {
              const ref = (arn as { Ref?: string } | undefined)?.Ref ?? getAtt(arn)?.[0];
              return ref ? { ref, target: resources[ref] } : undefined;
            })
            .filter((t) => t && ['AWS::SNS::Topic', 'AWS::SQS::Queue'].includes(t.target?.Type))
            .map((t) => ({ config, stack, resources, where, ruleId, rule, ...t! }));
        });
    });
  });

  /** What EventBridge sends for `rule`: its ARN (on its bus) and account. */
  const contextOf = ({ stack, rule, where }: (typeof cases)[number]) => ({
    'aws:SourceArn': ruleArn(rule, where),
    'aws:SourceAccount': stack.account,
  });

  it('finds the rules that deliver to topics and queues (not vacuous)', () => {
    const kinds = new Set(cases.map((c) => c.target.Type));
    expect([...kinds].sort()).toEqual(['AWS::SNS::Topic', 'AWS::SQS::Queue']);
  });

  it('each names its rule, so a policy can hold EventBridge to it', () => {
    expect(cases.filter((c) => typeof c.rule.Properties?.Name !== 'string').map((c) => c.ruleId)).toEqual([]);
  });

  it("each target's resource policy allows events.amazonaws.com to deliver for the rule", () => {
    const refused = cases.filter((c) => {
      const [policyType, listed, action] =
        c.target.Type === 'AWS::SNS::Topic'
          ? ['AWS::SNS::TopicPolicy', 'Topics', 'sns:Publish']
          : ['AWS::SQS::QueuePolicy', 'Queues', 'sqs:SendMessage'];
      const statements = Object.values(c.resources)
        .filter(
          (r) =>
            r.Type === policyType &&
            ((r.Properties?.[listed] as Json[] | undefined) ?? []).some((t) => t.Ref === c.ref),
        )
        .flatMap((p) => resolve((p.Properties?.PolicyDocument as Json).Statement, c.where) as Statement[]);
      return !statements.some((s) => allows(s, 'events.amazonaws.com', action, contextOf(c)));
    });
    expect(refused.map((c) => `${c.config}: ${c.stack.stackName}/${c.ruleId} → ${c.ref}`)).toEqual([]);
  });

  it("each encrypted target's key policy lets events.amazonaws.com kms:GenerateDataKey and kms:Decrypt for the rule", () => {
    const refused = cases.filter((c) => {
      const keyRef = c.target.Properties?.KmsMasterKeyId;
      if (keyRef === undefined) return false;
      const key = c.resources[getAtt(keyRef)?.[0] ?? ''];
      if (key?.Type !== 'AWS::KMS::Key') return true;
      const statements = resolve((key.Properties?.KeyPolicy as Json).Statement, c.where) as Statement[];
      return !['kms:GenerateDataKey', 'kms:Decrypt'].every((action) =>
        statements.some((s) => allows(s, 'events.amazonaws.com', action, contextOf(c))),
      );
    });
    expect(refused.map((c) => `${c.config}: ${c.stack.stackName}/${c.ruleId} → ${c.ref}`)).toEqual([]);
  });
});
