/**
 * Reading the synthesized templates' resource policies for a service principal, as AWS evaluates
 * them for the operators these stacks use (StringEquals, ArnEquals, StringLike, ArnLike; a key
 * the context lacks fails the condition, as IAM's do): shared by the tests of what AWS services
 * may do with the stacks' topics, queues and keys (alarm-actions, rule-targets).
 */

export type Json = Record<string, unknown>;
export interface Resource {
  Type: string;
  Properties?: Json;
}
export interface Statement {
  Effect: string;
  Principal?: { Service?: string | string[] } | string;
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

/** A rule's ARN: `rule/<name>` on the default bus, `rule/<bus>/<name>` on another. */
export function ruleArn(
  rule: Resource,
  where: { account: string; region: string; resources: Record<string, Resource> },
): string {
  const name = String(rule.Properties?.Name);
  const ref = (rule.Properties?.EventBusName as { Ref?: string } | undefined)?.Ref;
  const bus = ref ? where.resources[ref]?.Properties?.Name : rule.Properties?.EventBusName;
  const path = typeof bus === 'string' && bus !== 'default' ? `${bus}/${name}` : name;
  return `arn:aws:events:${where.region}:${where.account}:rule/${path}`;
}

/** A template value with the stack's pseudo parameters and topic, queue and rule references resolved. */
export function resolve(
  value: unknown,
  where: { account: string; region: string; resources: Record<string, Resource> },
): unknown {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => resolve(v, where));
  if (value && typeof value === 'object') {
    const v = value as Json;
    if ('Ref' in v) {
      const ref = String(v.Ref);
      if (ref === 'AWS::Partition') return 'aws';
      if (ref === 'AWS::Region') return where.region;
      if (ref === 'AWS::AccountId') return where.account;
      const topic = where.resources[ref];
      if (topic?.Type === 'AWS::SNS::Topic')
        return `arn:aws:sns:${where.region}:${where.account}:${String(topic.Properties?.TopicName)}`;
      return `unresolved:${ref}`;
    }
    const att = v['Fn::GetAtt'] as [string, string] | undefined;
    const queue = att ? where.resources[att[0]] : undefined;
    if (att?.[1] === 'Arn' && queue?.Type === 'AWS::SQS::Queue')
      return `arn:aws:sqs:${where.region}:${where.account}:${String(queue.Properties?.QueueName)}`;
    const rule = att ? where.resources[att[0]] : undefined;
    if (att?.[1] === 'Arn' && rule?.Type === 'AWS::Events::Rule') return ruleArn(rule, where);
    if ('Fn::Join' in v) {
      const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => String(resolve(p, where))).join(sep);
    }
    if (Object.keys(v).some((k) => k.startsWith('Fn::'))) return `unresolved:${JSON.stringify(v)}`;
    return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, resolve(inner, where)]));
  }
  return String(value);
}

export const glob = (pattern: string, text: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  ).test(text);

/** Whether `statement` allows `service` `action` with `context` (the operators these policies use). */
export function allows(
  statement: Statement,
  service: string,
  action: string,
  context: Record<string, string>,
): boolean {
  if (statement.Effect !== 'Allow') return false;
  const principal = typeof statement.Principal === 'object' ? statement.Principal.Service : undefined;
  if (![principal ?? []].flat().includes(service)) return false;
  if (![statement.Action].flat().some((a) => glob(a, action))) return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      const actual = context[key];
      if (actual === undefined) return false;
      const values = [expected].flat().map(String);
      if (['StringEquals', 'ArnEquals'].includes(operator)) return values.includes(actual);
      if (['StringLike', 'ArnLike'].includes(operator)) return values.some((p) => glob(p, actual));
      throw new Error(`condition operator ${operator} is not read by this test`);
    }),
  );
}
