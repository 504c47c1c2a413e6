/**
 * EventBridge of the emulated organization: the rules the synthesized stacks deploy, in the
 * account, region and bus where they are deployed, and nothing else. An event is put on the
 * default bus of the account and region where AWS emits it; each enabled rule there whose
 * pattern matches (`events/match.ts`) sends it to its targets:
 *
 * - an event bus (the member and management forwarders → the control bus): the event arrives
 *   unchanged, `account` and `region` still those of its source ("the event is sent as is",
 *   EventBridge User Guide, sending events between accounts), if that bus's resource policy
 *   lets the sending account put events (`aws:PrincipalOrgID` of the organization);
 * - a Lambda function (the control-bus rules → the dispatcher; the archive's Object Created
 *   events → archive-lock): the input the target defines (`InputTransformer`, `Input` or the
 *   whole event) is handed to `invoke`;
 * - an SQS queue (the archive's "Object Created" events → the archive indexer's queue): the
 *   input, as JSON text, is handed to `sendToQueue`, which sends it only if the queue's policy
 *   lets EventBridge send for that rule (the stand-in decides).
 *
 * An event that no deployed rule catches starts nothing, as in AWS. Every hop is recorded.
 */
import { matchesPattern } from '../events/match';
import { resolveValue } from './asl';
import { resolveDocument, resourcesOf, type DeployedStack } from './deployment';
import type { AwsEvent } from './aws-events';

export interface Target {
  Id: string;
  Arn: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
}

export interface DeployedRule {
  where: string;
  account: string;
  region: string;
  bus: string;
  name: string;
  pattern: Record<string, unknown>;
  targets: { arn: string; target: Target; roleArn?: string }[];
  stack: DeployedStack;
}

/** One hop an event took. */
export interface Hop {
  rule: string;
  /** `account/region/bus`. */
  on: string;
  to: string;
}

/** A bus target EventBridge does not send to, and why. */
export interface NotSent extends Hop {
  reason: string;
}

/** A function a rule targets: the stack instance it belongs to and its logical id. */
export interface FunctionTarget {
  stack: DeployedStack;
  logicalId: string;
}

export type Invoke = (fn: FunctionTarget, input: unknown) => Promise<unknown>;

/**
 * EventBridge sending a matched event to an event bus as the target's role: throws if the role
 * (its trust, its `events:PutEvents` grant) or the receiving bus's policy refuses it.
 */
export type SendAsRole = (send: { rule: DeployedRule; roleArn: string; busArn: string }) => Promise<void>;

/** EventBridge sending a rule's input to an SQS queue: throws if the queue's policy refuses it. */
export type SendToQueue = (send: { rule: DeployedRule; queueArn: string; body: string }) => Promise<void>;

/** A rule's ARN: `arn:aws:events:<region>:<account>:rule/[<bus>/]<name>` (a custom bus's name in the path). */
export function ruleArnOf(rule: DeployedRule): string {
  return `arn:aws:events:${rule.region}:${rule.account}:rule/${rule.bus === 'default' ? '' : `${rule.bus}/`}${rule.name}`;
}

export class LocalEventBridge {
  private readonly rules: DeployedRule[] = [];
  /** `account/region/bus` → the organization id its policy requires of senders, if any. */
  private readonly busOrgCondition = new Map<string, string | undefined>();
  readonly hops: Hop[] = [];
  /** Bus targets a matched event was not sent to (an event received from another bus). */
  readonly notSent: NotSent[] = [];

  constructor(
    stacks: readonly DeployedStack[],
    private readonly org: { id: string; accounts: readonly string[] },
    private readonly invoke: Invoke,
    private readonly sendAsRole?: SendAsRole,
    private readonly sendToQueue?: SendToQueue,
  ) {
    for (const stack of stacks) this.load(stack);
  }

  /** Deploys the rules of one more stack instance (a StackSet instance arriving late). */
  load(stack: DeployedStack): void {
    const resources = resourcesOf(stack);
    const res = (v: unknown) => resolveValue(stack.template, v, stack.region, stack.account);
    const busName = (v: unknown): string => {
      if (v === undefined) return 'default';
      const ref = (v as { Ref?: string }).Ref;
      if (ref && stack.template.Resources[ref]?.Type === 'AWS::Events::EventBus')
        return String(stack.template.Resources[ref].Properties?.Name);
      return res(v).split('/').pop() as string;
    };
    for (const [logicalId, r] of resources) {
      const p = r.Properties ?? {};
      const key = (bus: string) => `${stack.account}/${stack.region}/${bus}`;
      if (r.Type === 'AWS::Events::EventBus' && !this.busOrgCondition.has(key(String(p.Name))))
        this.busOrgCondition.set(key(String(p.Name)), undefined);
      if (r.Type === 'AWS::Events::EventBusPolicy') {
        const statement = p.Statement as { Condition?: { StringEquals?: Record<string, string> } };
        this.busOrgCondition.set(
          key(busName(p.EventBusName)),
          statement?.Condition?.StringEquals?.['aws:PrincipalOrgID'],
        );
      }
      if (r.Type !== 'AWS::Events::Rule' || p.State === 'DISABLED' || !p.EventPattern) continue;
      const bus = busName(p.EventBusName);
      this.rules.push({
        where: `${stack.account}/${stack.region}/${bus}`,
        account: stack.account,
        region: stack.region,
        bus,
        name: String(p.Name ?? logicalId),
        // A pattern may name the stack's own resources (the archive bucket's name by Ref).
        pattern: resolveDocument(stack, p.EventPattern) as Record<string, unknown>,
        targets: ((p.Targets as Target[]) ?? []).map((t) => ({
          // A function of the stack is invoked in process; anything else (a bus, a queue) by ARN.
          arn:
            stack.template.Resources[
              (t.Arn as unknown as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt']?.[0] ?? ''
            ]?.Type === 'AWS::Lambda::Function'
              ? `function:${(t.Arn as unknown as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]}`
              : res(t.Arn),
          target: t,
          roleArn:
            (t as { RoleArn?: unknown }).RoleArn === undefined
              ? undefined
              : res((t as { RoleArn?: unknown }).RoleArn),
        })),
        stack,
      });
    }
  }

  /** Rules deployed on a bus. */
  rulesOn(account: string, region: string, bus = 'default'): string[] {
    return this.rules.filter((r) => r.where === `${account}/${region}/${bus}`).map((r) => r.name);
  }

  /**
   * Puts an event on a bus (the default bus of the event's own account and region by default).
   * `from` is the bus that sent it there, when it came by a rule's bus target.
   */
  async put(
    event: AwsEvent,
    on: { account: string; region: string; bus: string } = {
      account: event.account,
      region: event.region,
      bus: 'default',
    },
    from?: string,
  ): Promise<unknown[]> {
    const where = `${on.account}/${on.region}/${on.bus}`;
    const results: unknown[] = [];
    for (const rule of this.rules.filter(
      (r) => r.where === where && matchesPattern(event as never, r.pattern),
    )) {
      for (const { arn, target, roleArn } of rule.targets) {
        const bus = /^arn:aws:events:([a-z0-9-]+):(\d{12}):event-bus\/(.+)$/.exec(arn);
        if (bus && from !== undefined) {
          // "If a receiver account sets up a rule that sends events received from a sender
          // account on to a third account, these events are not sent to the third account"
          // (EventBridge User Guide, sending and receiving events between AWS accounts), and
          // "EventBridge can't route events received from a sender event bus to a third event
          // bus" (same account and Region). Back to the bus it came from, which the text does not
          // name, is not sent either: the run's choice, or two forwarding buses would loop.
          this.notSent.push({
            rule: rule.name,
            on: where,
            to: arn,
            reason: `received from ${from}: EventBridge does not send it on to another event bus`,
          });
          continue;
        }
        this.hops.push({ rule: rule.name, on: where, to: arn });
        if (bus) {
          const [, region, account, name] = bus;
          const key = `${account}/${region}/${name}`;
          if (!this.busOrgCondition.has(key)) throw new Error(`rule ${rule.name}: no event bus ${key}`);
          const org = this.busOrgCondition.get(key);
          if (account !== on.account && !roleArn && org !== undefined)
            // "If you are setting the event bus of another account as the target, and that account
            // granted permission to your account through an organization instead of directly by
            // the account ID, then you must specify a RoleArn with proper permissions in the
            // Target structure" (EventBridge API Reference, Target).
            throw new Error(
              `rule ${rule.name}: ${key} grants PutEvents through an organization (aws:PrincipalOrgID): ` +
                `its target in ${on.account} needs a RoleArn`,
            );
          if (roleArn && this.sendAsRole) {
            // As AWS sends it: the target's role, its grant and the bus policy, decided by the stand-in.
            await this.sendAsRole({ rule, roleArn, busArn: arn }).catch((err: Error) => {
              throw new Error(`rule ${rule.name}: sending to ${key} as ${roleArn} refused: ${err.message}`);
            });
          } else if (
            account !== on.account &&
            (org !== this.org.id || !this.org.accounts.includes(on.account))
          )
            throw new Error(`rule ${rule.name}: the policy of ${key} refuses PutEvents from ${on.account}`);
          results.push(...(await this.put(event, { account, region, bus: name }, where)));
        } else if (arn.startsWith('function:')) {
          results.push(
            await this.invoke({ stack: rule.stack, logicalId: arn.slice(9) }, inputFor(target, event)),
          );
        } else if (arn.startsWith('arn:aws:sqs:') && this.sendToQueue) {
          await this.sendToQueue({ rule, queueArn: arn, body: inputTextFor(target, event) });
          results.push({ queue: arn });
        } else throw new Error(`rule ${rule.name}: target ${arn} is not emulated`);
      }
    }
    return results;
  }
}

/**
 * What a target hands on: the event as is, or the text EventBridge makes of it (the constant
 * Input, the InputPath's value, or the InputTransformer's template filled in) read as JSON when
 * it is JSON, else as the text itself.
 */
export function inputFor(target: Target, event: AwsEvent): unknown {
  if (target.Input === undefined && !target.InputPath && !target.InputTransformer) return event;
  const text = inputTextFor(target, event);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The text a target receives. A placeholder of the InputTransformer's template is filled as the
 * EventBridge User Guide ("Transforming target input") shows: inside a JSON string it takes the
 * value's characters, unescaped ("EventBridge doesn't escape values extracted by Input Path,
 * when populating the Input Template for a target"; "instance <instance> is in <state>" →
 * "instance i-0123456789 is in RUNNING"); elsewhere the value as JSON ({"instance" : <instance>}
 * → {"instance" : "i-0123456789"}). A template that is not JSON stays text ("<instance> is in
 * state <status>", the botocore model's example). A path the event lacks fills in nothing
 * inside a string and null elsewhere.
 */
export function inputTextFor(target: Target, event: AwsEvent): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath) return JSON.stringify(pathValue(event, target.InputPath));
  if (!target.InputTransformer) return JSON.stringify(event);
  const { InputPathsMap = {}, InputTemplate } = target.InputTransformer;
  const values = new Map(Object.entries(InputPathsMap).map(([name, path]) => [name, pathValue(event, path)]));
  let out = '';
  let inString = false;
  for (let i = 0; i < InputTemplate.length; i++) {
    const c = InputTemplate[i];
    if (c === '<') {
      const end = InputTemplate.indexOf('>', i + 1);
      const name = end > i ? InputTemplate.slice(i + 1, end) : '';
      if (values.has(name)) {
        const value = values.get(name);
        if (inString)
          out += value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
        else out += JSON.stringify(value ?? null);
        i = end;
        continue;
      }
    }
    if (inString && c === '\\') {
      // An escaped character inside a string (\" among them) neither opens nor closes it.
      out += c + (InputTemplate[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    out += c;
  }
  return out;
}

function pathValue(event: unknown, path: string): unknown {
  if (path === '$') return event;
  if (!path.startsWith('$.')) throw new Error(`input path ${path} is not emulated`);
  return path
    .slice(2)
    .split('.')
    .reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], event);
}
