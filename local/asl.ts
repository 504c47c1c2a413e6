import './polyfills';
import { createHash } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';

/** One entry of the local execution's event log. */
export type EventLog = { type: string };

/** A synthesized CloudFormation template, as `cdk synth` writes it to cdk.out. */
export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/**
 * The ASL of a state machine in a synthesized template, with CloudFormation references
 * replaced by ARNs that name the referenced resource (`...:function:<logicalId>`), so the
 * local runner can bind each Task to the handler of that function.
 */
export function aslFromTemplate(
  template: CfnTemplate,
  stateMachineName: string,
  region: string,
  account: string,
): Record<string, unknown> {
  const entry = Object.entries(template.Resources).find(
    ([, r]) =>
      r.Type === 'AWS::StepFunctions::StateMachine' && r.Properties?.StateMachineName === stateMachineName,
  );
  if (!entry) throw new Error(`no state machine named ${stateMachineName} in the template`);
  return JSON.parse(resolveValue(template, entry[1].Properties?.DefinitionString, region, account));
}

/**
 * Where a template is deployed, as CloudFormation knows it: the stack's name (part of every name
 * it generates) and the physical ids and attributes of the resources it has created, by account,
 * region and logical id (a KMS key's id is drawn by KMS: `Ref` and `Fn::GetAtt` read it back, as
 * CloudFormation's do). Keyed by the template object: every reader of one stack's template
 * (the deployer, the local functions, the event bus) resolves the same names.
 */
interface Deployment {
  stackName: string;
  created: Map<string, Record<string, string>>;
}
const deployments = new WeakMap<CfnTemplate, Deployment>();

/** Records the stack name a template is deployed under (the names it generates carry it). */
export function deployedAs<T extends CfnTemplate>(template: T, stackName: string): T {
  const known = deployments.get(template);
  if (known && known.stackName !== stackName)
    throw new Error(`one template object deployed as ${known.stackName} and ${stackName}`);
  if (!known) deployments.set(template, { stackName, created: new Map() });
  return template;
}

/** The stack name a template is deployed under, if `deployedAs` recorded one. */
export function stackNameOf(template: CfnTemplate): string | undefined {
  return deployments.get(template)?.stackName;
}

/**
 * Records what a created resource's `Ref` (`attributes.Ref`) and `Fn::GetAtt` answer in that
 * account and region, from the create call's response.
 */
export function recordCreated(
  template: CfnTemplate,
  where: { account: string; region: string },
  logicalId: string,
  attributes: Record<string, string>,
): void {
  const d = deployments.get(template);
  if (!d) throw new Error(`${logicalId}: the template's stack name is unknown (deployedAs)`);
  d.created.set(`${where.account}/${where.region}/${logicalId}`, attributes);
}

function createdAttribute(
  template: CfnTemplate,
  logicalId: string,
  attribute: string,
  region: string,
  account: string,
): string | undefined {
  return deployments.get(template)?.created.get(`${account}/${region}/${logicalId}`)?.[attribute];
}

/** A template value (string, Ref, GetAtt, Join, Sub, Select of Split) as the string it becomes when deployed. */
export function resolveValue(template: CfnTemplate, value: unknown, region: string, account: string): string {
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': region,
    'AWS::AccountId': account,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const stackName = stackNameOf(template);
  if (stackName) pseudo['AWS::StackName'] = stackName;
  const ref = (name: string) => pseudo[name] ?? refOf(template, name, region, account);
  const resolve = (v: unknown): string => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    const o = v as Record<string, unknown>;
    if (typeof o.Ref === 'string') return ref(o.Ref);
    if (Array.isArray(o['Fn::GetAtt'])) {
      const [logicalId, attribute] = o['Fn::GetAtt'] as [string, string];
      return attributeOf(template, logicalId, attribute, region, account);
    }
    if (Array.isArray(o['Fn::Join'])) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(sep);
    }
    if (o['Fn::Sub'] !== undefined) {
      // CloudFormation User Guide, Fn::Sub: `${Name}` is a parameter, resource (its Ref) or
      // pseudo parameter, `${Resource.Attribute}` a Fn::GetAtt, `${!Literal}` the text `${Literal}`.
      const [text, vars] = (Array.isArray(o['Fn::Sub']) ? o['Fn::Sub'] : [o['Fn::Sub'], {}]) as [
        string,
        Record<string, unknown>,
      ];
      return text.replace(/\$\{(!?)([^}]+)\}/g, (_, literal: string, name: string) => {
        if (literal) return `\${${name}}`;
        if (name in vars) return resolve(vars[name]);
        const dot = name.indexOf('.');
        if (dot > 0 && !(name in pseudo))
          return attributeOf(template, name.slice(0, dot), name.slice(dot + 1), region, account);
        return ref(name);
      });
    }
    if (Array.isArray(o['Fn::Select'])) {
      const [i, list] = o['Fn::Select'] as [number, unknown];
      const l = list as Record<string, unknown>;
      if (Array.isArray(l['Fn::Split'])) {
        const [sep, source] = l['Fn::Split'] as [string, unknown];
        return resolve(source).split(sep)[i];
      }
      if (Array.isArray(list)) return resolve(list[Number(i)]);
    }
    throw new Error(`cannot resolve ${JSON.stringify(v).slice(0, 200)}`);
  };
  return resolve(value);
}

/**
 * The longest name each service takes (IAM CreateRole `RoleName` 64, CreatePolicy `PolicyName`
 * 128, Step Functions `name` 80, SQS 80, EventBridge rule 64, S3 63, OpenSearch 28, DynamoDB
 * 255, SNS 256, Kinesis 128, CloudWatch Logs group 512: botocore's models and the services'
 * naming rules). A generated name never exceeds it, as CloudFormation's never does ("the stack
 * name, the logical ID and a random string", truncated to fit).
 */
const nameLimits: Record<string, number> = {
  'AWS::IAM::Role': 64,
  'AWS::IAM::ManagedPolicy': 128,
  'AWS::StepFunctions::StateMachine': 80,
  'AWS::SQS::Queue': 80,
  'AWS::Events::Rule': 64,
  'AWS::S3::Bucket': 63,
  'AWS::OpenSearchService::Domain': 28,
  'AWS::DynamoDB::Table': 255,
  'AWS::SNS::Topic': 256,
  'AWS::Kinesis::Stream': 128,
  'AWS::Logs::LogGroup': 512,
};

/**
 * The physical name a resource gets when deployed locally: the name the template gives it, or,
 * where CloudFormation would generate one, `<stack name>-<logical id>-<suffix>` as CloudFormation
 * makes it (CloudFormation User Guide, "Name type": "AWS CloudFormation generates a unique
 * physical ID to name a resource ... the stack name, the logical ID, and a random string"), the
 * suffix a hash of the three instead of random so every reader names it alike; lower case where
 * the service allows no capitals, cut to the service's limit. A template whose stack is unknown
 * (`deployedAs`) names a generated resource by its logical id.
 */
export function physicalName(template: CfnTemplate, logicalId: string): string {
  const r = template.Resources[logicalId];
  if (!r) throw new Error(`unknown resource ${logicalId}`);
  const p = r.Properties ?? {};
  const given = {
    'AWS::IAM::Role': p.RoleName,
    'AWS::IAM::ManagedPolicy': p.ManagedPolicyName,
    'AWS::DynamoDB::Table': p.TableName,
    'AWS::SNS::Topic': p.TopicName,
    'AWS::SQS::Queue': p.QueueName,
    'AWS::S3::Bucket': p.BucketName,
    'AWS::Kinesis::Stream': p.Name,
    'AWS::Logs::LogGroup': p.LogGroupName,
    'AWS::Logs::Destination': p.DestinationName,
    'AWS::StepFunctions::StateMachine': p.StateMachineName,
    'AWS::OpenSearchService::Domain': p.DomainName,
    'AWS::Events::EventBus': p.Name,
    'AWS::Events::Rule': p.Name,
    'AWS::KinesisFirehose::DeliveryStream': p.DeliveryStreamName,
  }[r.Type];
  if (typeof given === 'string') return given;
  const lower = ['AWS::S3::Bucket', 'AWS::OpenSearchService::Domain'].includes(r.Type);
  const stackName = stackNameOf(template);
  const limit = nameLimits[r.Type];
  if (!stackName) {
    const name = lower ? logicalId.toLowerCase() : logicalId;
    if (!limit || name.length <= limit) return name;
    const hash = createHash('sha256').update(logicalId).digest('hex').slice(0, 12);
    return `${name.slice(0, limit - hash.length - 1)}-${hash}`;
  }
  const suffix = createHash('sha256')
    .update(`${stackName}/${logicalId}`)
    .digest('hex')
    .slice(0, 12)
    .toUpperCase();
  let stem = `${stackName}-${logicalId}`;
  if (limit && stem.length + suffix.length + 1 > limit) stem = stem.slice(0, limit - suffix.length - 1);
  const name = `${stem}-${suffix}`;
  return lower ? name.toLowerCase() : name;
}

/** `Ref` of a resource, as CloudFormation's resource type reference documents it. */
function refOf(template: CfnTemplate, logicalId: string, region: string, account: string): string {
  const r = template.Resources[logicalId];
  if (!r) throw new Error(`unknown resource ${logicalId}`);
  const created = createdAttribute(template, logicalId, 'Ref', region, account);
  if (created !== undefined) return created;
  const name = physicalName(template, logicalId);
  switch (r.Type) {
    case 'AWS::IAM::Role':
    case 'AWS::DynamoDB::Table':
    case 'AWS::S3::Bucket':
    case 'AWS::Kinesis::Stream':
    case 'AWS::Logs::LogGroup':
    case 'AWS::Logs::Destination':
    case 'AWS::Logs::LogStream':
      return name;
    case 'AWS::IAM::ManagedPolicy':
      return `arn:aws:iam::${account}:policy/${name}`;
    case 'AWS::SQS::Queue':
      return `https://sqs.${region}.amazonaws.com/${account}/${name}`;
    default:
      // Functions, state machines, topics: the ARN (a function's Ref is its name in AWS; the
      // local runner binds Tasks by `:function:<logicalId>`, which the ARN carries).
      return attributeOf(template, logicalId, 'Arn', region, account);
  }
}

/** `Fn::GetAtt` of a resource: its ARN (or the few other attributes the templates read). */
function attributeOf(
  template: CfnTemplate,
  logicalId: string,
  attribute: string,
  region: string,
  account: string,
): string {
  const r = template.Resources[logicalId];
  if (!r) throw new Error(`unknown resource ${logicalId}`);
  const created = createdAttribute(template, logicalId, attribute, region, account);
  if (created !== undefined) return created;
  const name = physicalName(template, logicalId);
  if (attribute === 'ConsumerARN' && r.Type === 'AWS::Kinesis::StreamConsumer')
    return `${resolveValue(template, r.Properties?.StreamARN, region, account)}/consumer/${String(r.Properties?.ConsumerName)}:0`;
  if (attribute !== 'Arn')
    return `arn:aws:cloudformation:${region}:${account}:resource/${logicalId}/${attribute}`;
  switch (r.Type) {
    case 'AWS::Lambda::Function':
      return `arn:aws:lambda:${region}:${account}:function:${logicalId}`;
    case 'AWS::StepFunctions::StateMachine':
      return `arn:aws:states:${region}:${account}:stateMachine:${name}`;
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${region}:${account}:${name}`;
    case 'AWS::SQS::Queue':
      return `arn:aws:sqs:${region}:${account}:${name}`;
    case 'AWS::DynamoDB::Table':
      return `arn:aws:dynamodb:${region}:${account}:table/${name}`;
    case 'AWS::IAM::Role':
      return `arn:aws:iam::${account}:role/${name}`;
    case 'AWS::S3::Bucket':
      return `arn:aws:s3:::${name}`;
    case 'AWS::Kinesis::Stream':
      return `arn:aws:kinesis:${region}:${account}:stream/${name}`;
    case 'AWS::Logs::LogGroup':
      return `arn:aws:logs:${region}:${account}:log-group:${name}:*`;
    case 'AWS::KMS::Key':
      return `arn:aws:kms:${region}:${account}:key/${logicalId}`;
    case 'AWS::OpenSearchService::Domain':
      return `arn:aws:es:${region}:${account}:domain/${name}`;
    case 'AWS::Events::EventBus':
      return `arn:aws:events:${region}:${account}:event-bus/${name}`;
    case 'AWS::Logs::Destination':
      return `arn:aws:logs:${region}:${account}:destination:${name}`;
    default:
      return `arn:aws:cloudformation:${region}:${account}:resource/${logicalId}`;
  }
}

export type TaskHandlers = Record<string, (input: unknown) => Promise<unknown> | unknown>;

export interface LocalRun {
  output: unknown;
  events: EventLog[];
  /** State transitions as Step Functions bills them: every state entered, branches included. */
  transitions: number;
  retries: number;
}

/** Local seconds per real second of a retry interval: a 30 s pause takes 0.3 s here. */
export const LOCAL_TIME_SCALE = 100;

/**
 * One validated StateMachine per definition object: aws-local-stepfunctions validates a
 * definition (asl-validator compiles its JSON schema with ajv) every time a StateMachine is
 * constructed, which cost about two thirds of a simulated sweep's wall time when each child
 * execution constructed its own. The definition is validated once, on first use, as before.
 */
const machines = new WeakMap<
  Record<string, unknown>,
  { machine: StateMachine; retryIntervalOverrides: Record<string, number[]> }
>();

function machineOf(definition: Record<string, unknown>) {
  let entry = machines.get(definition);
  if (!entry) {
    const machine = new StateMachine(definition as never, {
      validationOptions: { checkPaths: false, checkArn: false },
    });
    // Each retrier pauses its IntervalSeconds on a compressed clock (one second is
    // 1/LOCAL_TIME_SCALE s here), so a retry schedule still spans the time it must (e.g. a new
    // account's baseline arriving while AssumeRole is retried) without a real wait.
    const retryIntervalOverrides: Record<string, number[]> = {};
    forEachState(definition, (name, state) => {
      const retry = state.Retry as { IntervalSeconds?: number }[] | undefined;
      if (retry?.length)
        retryIntervalOverrides[name] = retry.map((r) => ((r.IntervalSeconds ?? 1) * 1000) / LOCAL_TIME_SCALE);
    });
    machines.set(definition, (entry = { machine, retryIntervalOverrides }));
  }
  return entry;
}

/**
 * Runs synthesized ASL with aws-local-stepfunctions, Task states bound to local handlers.
 * `retryWaits: 'none'` retries at once: for a caller whose handlers spend the Retry's wait
 * themselves, on a simulated clock (scale/simulate.ts).
 */
export async function runLocally(
  definition: Record<string, unknown>,
  input: unknown,
  handlers: TaskHandlers,
  context: { executionName: string; retryWaits?: 'compressed' | 'none' },
): Promise<LocalRun> {
  const { machine, retryIntervalOverrides } = machineOf(definition);
  const execution = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: handlers as never,
      retryIntervalOverrides:
        context.retryWaits === 'none' ? immediateRetries(retryIntervalOverrides) : retryIntervalOverrides,
    },
    context: {
      Execution: {
        Id: `arn:aws:states:local:000000000000:execution:local:${context.executionName}`,
        Name: context.executionName,
      },
    } as never,
  });
  const events: EventLog[] = [];
  const collecting = (async () => {
    for await (const e of execution.eventLogs) events.push(e);
  })();
  const output = await execution.result;
  await collecting;
  return {
    output,
    events,
    transitions: events.filter((e) => e.type === 'StateEntered').length,
    retries: events.filter((e) => e.type === 'StateRetried').length,
  };
}

const immediate = new WeakMap<Record<string, number[]>, Record<string, number[]>>();
function immediateRetries(overrides: Record<string, number[]>): Record<string, number[]> {
  let zero = immediate.get(overrides);
  if (!zero) {
    zero = Object.fromEntries(Object.entries(overrides).map(([name, waits]) => [name, waits.map(() => 0)]));
    immediate.set(overrides, zero);
  }
  return zero;
}

type States = Record<string, Record<string, unknown>>;

/** Visits every state of a definition, those inside Parallel branches and Map processors too. */
export function forEachState(
  definition: Record<string, unknown>,
  visit: (name: string, state: Record<string, unknown>) => void,
): void {
  const walk = (states: States) => {
    for (const [name, state] of Object.entries(states)) {
      visit(name, state);
      for (const b of (state.Branches as { States: States }[] | undefined) ?? []) walk(b.States);
      const processor = (state.ItemProcessor ?? state.Iterator) as { States: States } | undefined;
      if (processor) walk(processor.States);
    }
  };
  walk(definition.States as States);
}
