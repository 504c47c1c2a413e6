/**
 * Every operation logwarden or its tests call, against its botocore model (local/standins/
 * validate.py): the stand-in accepts a request the model accepts, and refuses each request the
 * model refuses, generated from the model itself (a required member left out, a value outside
 * its enum, a string or list over or under its length, a number out of range, a string its
 * pattern does not match, at any depth the valid request reaches), with the service's own error:
 * EC2 `MissingParameter`/`InvalidParameterValue` (EC2 API Reference, common client errors), the
 * operation's modeled `ValidationException`, CloudWatch Logs `InvalidParameterException`,
 * GuardDuty `BadRequestException`, Organizations `InvalidInputException`, S3 `InvalidArgument`,
 * else the protocol's common `ValidationError` (query) or `ValidationException` (JSON). The
 * message names the member as AWS does ("Value null at 'policyType' failed to satisfy
 * constraint: Member must not be null").
 *
 * "Accepted" means the model validator let it through (GET /logwarden-standins/validation counts
 * it validated, not refused): what the service answers next is the semantics' business.
 */
import { calledOperations, model, signingName, validRequests, type Model, type Shape } from './operations';
import { World, management } from './world';

let world: World;

beforeAll(async () => {
  world = await World.start();
}, 60_000);

afterAll(() => world?.stop());

interface Stats {
  validated: Record<string, number>;
  refused: Record<string, number>;
  'not validated': Record<string, number>;
  'patterns not checked': string[];
}

async function stats(): Promise<Stats> {
  return (await (await fetch(`${world.moto.endpoint}/logwarden-standins/validation`)).json()) as Stats;
}

const ownValidationError: Record<string, string> = {
  logs: 'InvalidParameterException',
  guardduty: 'BadRequestException',
  organizations: 'InvalidInputException',
};

/** The error the service answers a model violation with (module comment). */
function expectedCode(service: string, m: Model, operation: string, kind: 'required' | 'value'): string {
  const protocol = m.metadata.protocol;
  if (protocol === 'ec2') return kind === 'required' ? 'MissingParameter' : 'InvalidParameterValue';
  if (protocol === 'rest-xml') return 'InvalidArgument';
  if ((m.operations[operation].errors ?? []).some((e) => e.shape === 'ValidationException'))
    return 'ValidationException';
  return ownValidationError[service] ?? (protocol === 'query' ? 'ValidationError' : 'ValidationException');
}

interface Case {
  label: string;
  input: Record<string, unknown>;
  /** The member the answer must name. */
  names: string;
  kind: 'required' | 'value';
}

const javaToJs = (pattern: string) => {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    return undefined;
  }
};

const patternBreakers = ['', ' ', 'a b', '!', '~', '*', ':', 'é', '\u0000', 'a\nb', '#', 'x'.repeat(3)];

/** A string of a valid length that `pattern` does not match, if one of a few does. */
function breaking(shape: Shape): string | undefined {
  const rx = shape.pattern === undefined ? undefined : javaToJs(shape.pattern);
  if (!rx) return undefined;
  return patternBreakers.find(
    (s) => !rx.test(s) && s.length >= (shape.min ?? 0) && s.length <= (shape.max ?? Infinity),
  );
}

/** A deep copy of plain objects and arrays; dates and byte arrays kept as they are. */
function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clone) as T;
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)])) as T;
  return v;
}

function setAt(
  root: Record<string, unknown>,
  at: (string | number)[],
  value: unknown,
): Record<string, unknown> {
  const copy = clone(root);
  let node = copy as Record<string | number, unknown>;
  for (const step of at.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  const last = at.at(-1)!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

/** The model's refusals reachable from `valid`, one request each. */
/**
 * Query parameters that make a REST request this operation rather than another on the same path:
 * S3 API Reference, UploadPart, `PUT /Key+?partNumber=PartNumber&uploadId=UploadId`; without them
 * the request is a PutObject, which S3 serves as one, so leaving them out is no refusal to send.
 * UploadPartCopy is the same request with the `x-amz-copy-source` header (CopySource): without it,
 * an UploadPart; without partNumber and uploadId, a CopyObject.
 */
const operationSelectors: Record<string, string[]> = {
  UploadPart: ['PartNumber', 'UploadId'],
  UploadPartCopy: ['PartNumber', 'UploadId', 'CopySource'],
};

function invalidCases(m: Model, operation: string, valid: Record<string, unknown>): Case[] {
  const out: Case[] = [];
  const ec2 = m.metadata.protocol === 'ec2';
  const wire = (name: string, member: { queryName?: string; locationName?: string }) =>
    ec2
      ? (member.queryName ??
        (member.locationName ? member.locationName[0].toUpperCase() + member.locationName.slice(1) : name))
      : name;
  const visit = (shapeName: string, value: unknown, at: (string | number)[]) => {
    const shape = m.shapes[shapeName];
    if (shape.type === 'list' && Array.isArray(value)) {
      if (value.length) visit(shape.member!.shape, value[0], [...at, 0]);
      return;
    }
    if (shape.type !== 'structure' || typeof value !== 'object' || value === null) return;
    const present = value as Record<string, unknown>;
    for (const [name, member] of Object.entries(shape.members ?? {})) {
      const target = m.shapes[member.shape];
      const here = [...at, name];
      const bound =
        member.location === 'uri' ||
        (['querystring', 'header'].includes(member.location ?? '') &&
          (operationSelectors[operation] ?? []).includes(name));
      const label = `${here.join('.')}`;
      const names = wire(name, member);
      if ((shape.required ?? []).includes(name) && name in present && !bound)
        out.push({
          label: `${label} left out`,
          input: setAt(valid, here, undefined),
          names,
          kind: 'required',
        });
      if (target.type === 'string') {
        if (target.enum)
          out.push({
            label: `${label} outside its enum`,
            input: setAt(valid, here, 'NOT-IN-ENUM'),
            names,
            kind: 'value',
          });
        else if (target.max !== undefined && target.max < 200_000)
          out.push({
            label: `${label} of ${target.max + 1} characters`,
            input: setAt(valid, here, 'a'.repeat(target.max + 1)),
            names,
            kind: 'value',
          });
        if (!target.enum && (target.min ?? 0) > 1)
          out.push({
            label: `${label} of ${target.min! - 1} characters`,
            input: setAt(valid, here, 'a'.repeat(target.min! - 1)),
            names,
            kind: 'value',
          });
        const breaker = bound ? undefined : breaking(target);
        if (breaker !== undefined)
          out.push({
            label: `${label} = ${JSON.stringify(breaker)} against ${target.pattern}`,
            input: setAt(valid, here, breaker),
            names,
            kind: 'value',
          });
      }
      if (['integer', 'long'].includes(target.type)) {
        if (target.min !== undefined)
          out.push({
            label: `${label} = ${target.min - 1}`,
            input: setAt(valid, here, target.min - 1),
            names,
            kind: 'value',
          });
        if (target.max !== undefined)
          out.push({
            label: `${label} = ${target.max + 1}`,
            input: setAt(valid, here, target.max + 1),
            names,
            kind: 'value',
          });
      }
      if (target.type === 'list' && !ec2 && (target.min ?? 0) >= 1 && Array.isArray(present[name]))
        out.push({ label: `${label} empty`, input: setAt(valid, here, []), names, kind: 'value' });
      if (name in present) visit(member.shape, present[name], here);
    }
  };
  const input = m.operations[operation].input;
  if (input) visit(input.shape, valid, []);
  return out;
}

type SdkClient = { send: (command: unknown) => Promise<unknown> };
type Ctor = new (config: Record<string, unknown>) => SdkClient;

/** The SDK client class and the operation's command class, from the client package. */
function sdk(client: string, operation: string): { Client: Ctor; Command: new (input: unknown) => unknown } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(`@aws-sdk/client-${client}`) as Record<string, unknown>;
  const clientName = Object.keys(mod).find(
    (k) => /^[A-Z][A-Za-z0-9]*Client$/.test(k) && typeof mod[k] === 'function',
  )!;
  return {
    Client: mod[clientName] as Ctor,
    Command: mod[`${operation}Command`] as new (input: unknown) => unknown,
  };
}

const called = calledOperations();

describe('every operation logwarden or its tests call, against its botocore model', () => {
  it('each has a request its model accepts (operations.ts)', () => {
    expect(called.map((c) => c.key).filter((k) => !(k in validRequests))).toEqual([]);
  });

  it.each(called.map((c) => [c.key, c] as const))('%s', async (_key, op) => {
    const m = model(op.service);
    const { Client, Command } = sdk(op.client, op.operation);
    const as = world.as.bind(world) as unknown as (ctor: Ctor, account: string) => SdkClient;
    const client = as(Client, management);
    const valid = clone(validRequests[op.key]);
    if ('QueueUrl' in valid) valid.QueueUrl = `${world.moto.endpoint}/123456789012/logwarden-local`;

    const before = await stats();
    const answer = await client.send(new Command(valid)).then(
      () => 'accepted',
      (e: Error) => `${e.name}: ${e.message}`,
    );
    const after = await stats();
    const validated = (after.validated[op.key] ?? 0) - (before.validated[op.key] ?? 0);
    // The stand-in's answer is shown when it was not validated.
    expect(`validated ${validated}: ${answer}`).toMatch(/^validated 1: /);
    expect(after.refused[op.key] ?? 0).toBe(before.refused[op.key] ?? 0);

    const refusals: string[] = [];
    let sent = 0;
    for (const c of invalidCases(m, op.operation, valid)) {
      const err = await client.send(new Command(c.input)).then(
        () => undefined,
        (e: Error & { $metadata?: { httpStatusCode?: number } }) => e,
      );
      // The SDK itself refused to build the request (an enum it checks, a missing URI label):
      // nothing reached the stand-in.
      if (err && !err.$metadata?.httpStatusCode) continue;
      sent += 1;
      const want = expectedCode(op.service, m, op.operation, c.kind);
      if (!err || err.name !== want || !err.message.toLowerCase().includes(c.names.toLowerCase()))
        refusals.push(
          `${c.label}: wanted ${want} naming ${c.names}, got ${err ? `${err.name}: ${err.message}` : 'accepted'}`,
        );
    }
    expect(refusals).toEqual([]);
    // An operation whose model constrains nothing the request carries has no refusal to send.
    if (invalidCases(m, op.operation, valid).length) expect(sent).toBeGreaterThan(0);
    expect((await stats())['patterns not checked']).toEqual([]);
  });

  it('names each operation as the counting proxy does (signing name, operation)', () => {
    expect(signingName('logs')).toBe('logs');
    expect(signingName('stepfunctions')).toBe('states');
    expect(called.map((c) => c.key)).toEqual(
      expect.arrayContaining(['logs:PutAccountPolicy', 'states:StartExecution']),
    );
  });
});
