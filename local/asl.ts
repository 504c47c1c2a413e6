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

/** A template value (string, Ref, GetAtt, Join, Select of Split) as the string it becomes when deployed. */
export function resolveValue(template: CfnTemplate, value: unknown, region: string, account: string): string {
  const resolve = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as Record<string, unknown>;
    if (o.Ref === 'AWS::Partition') return 'aws';
    if (o.Ref === 'AWS::Region') return region;
    if (o.Ref === 'AWS::AccountId') return account;
    if (o.Ref === 'AWS::URLSuffix') return 'amazonaws.com';
    if (typeof o.Ref === 'string') return refOf(template, o.Ref, region, account);
    if (Array.isArray(o['Fn::GetAtt'])) {
      const [logicalId, attribute] = o['Fn::GetAtt'] as [string, string];
      return attributeOf(template, logicalId, attribute, region, account);
    }
    if (Array.isArray(o['Fn::Join'])) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(sep);
    }
    if (Array.isArray(o['Fn::Select'])) {
      const [i, list] = o['Fn::Select'] as [number, unknown];
      const l = list as Record<string, unknown>;
      if (Array.isArray(l['Fn::Split'])) {
        const [sep, source] = l['Fn::Split'] as [string, unknown];
        return resolve(source).split(sep)[i];
      }
    }
    throw new Error(`cannot resolve ${JSON.stringify(v).slice(0, 200)}`);
  };
  return resolve(value);
}

/**
 * The longest name each service takes (IAM CreateRole `RoleName` 64, CreatePolicy `PolicyName`
 * 128, Step Functions `name` 80, SQS 80, EventBridge rule 64, S3 63, OpenSearch 28: botocore's
 * models and the services' naming rules). A generated name never exceeds it, as CloudFormation's
 * never does ("the stack name, the logical ID and a random string", truncated to fit).
 */
const nameLimits: Record<string, number> = {
  'AWS::IAM::Role': 64,
  'AWS::IAM::ManagedPolicy': 128,
  'AWS::StepFunctions::StateMachine': 80,
  'AWS::SQS::Queue': 80,
  'AWS::Events::Rule': 64,
  'AWS::S3::Bucket': 63,
  'AWS::OpenSearchService::Domain': 28,
};

/**
 * The physical name a resource gets when deployed locally: the name the template gives it, or,
 * where CloudFormation would generate one, its logical id (lower case where the service allows
 * no capitals; cut to the service's limit with a hash of the whole id), so the local run names
 * it the same way everywhere it is referenced.
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
  }[r.Type];
  if (typeof given === 'string') return given;
  const name = ['AWS::S3::Bucket', 'AWS::OpenSearchService::Domain'].includes(r.Type)
    ? logicalId.toLowerCase()
    : logicalId;
  const limit = nameLimits[r.Type];
  if (!limit || name.length <= limit) return name;
  const hash = createHash('sha256').update(logicalId).digest('hex').slice(0, 12);
  return `${name.slice(0, limit - hash.length - 1)}-${hash}`;
}

/** `Ref` of a resource, as CloudFormation's resource type reference documents it. */
function refOf(template: CfnTemplate, logicalId: string, region: string, account: string): string {
  const r = template.Resources[logicalId];
  if (!r) throw new Error(`unknown resource ${logicalId}`);
  const name = physicalName(template, logicalId);
  switch (r.Type) {
    case 'AWS::IAM::Role':
    case 'AWS::DynamoDB::Table':
    case 'AWS::S3::Bucket':
    case 'AWS::Kinesis::Stream':
    case 'AWS::Logs::LogGroup':
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
