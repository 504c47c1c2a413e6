/**
 * Runs the AWS CLI commands of contracts/prerequisites.ts on the stand-ins, as the SDK call each
 * stands for (`aws organizations enable-aws-service-access --service-principal X` is
 * EnableAWSServiceAccessCommand({ ServicePrincipal: X })), so the local world takes exactly the
 * steps the deploy guide prints. The subset it understands is what the list uses: `aws <service>
 * <operation> [--option value | --flag]...`, single or double quotes, `name=$(aws ... --query
 * A.B --output text)` (or `A[0].B`) and `"$name"`. Anything else is refused, naming the command.
 */
import * as account from '@aws-sdk/client-account';
import * as cloudformation from '@aws-sdk/client-cloudformation';
import * as cloudtrail from '@aws-sdk/client-cloudtrail';
import * as guardduty from '@aws-sdk/client-guardduty';
import * as iam from '@aws-sdk/client-iam';
import * as organizations from '@aws-sdk/client-organizations';
import * as ssm from '@aws-sdk/client-ssm';

type Module = Record<string, unknown>;
interface Client {
  send(command: unknown): Promise<unknown>;
}

/** Each service's SDK module, its client, and where a command without --region goes. */
const services: Record<string, { module: Module; client: string; global?: boolean }> = {
  account: { module: account, client: 'AccountClient', global: true },
  organizations: { module: organizations, client: 'OrganizationsClient', global: true },
  iam: { module: iam, client: 'IAMClient', global: true },
  cloudtrail: { module: cloudtrail, client: 'CloudTrailClient' },
  cloudformation: { module: cloudformation, client: 'CloudFormationClient' },
  guardduty: { module: guardduty, client: 'GuardDutyClient' },
  ssm: { module: ssm, client: 'SSMClient' },
};

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface AwsCliContext {
  credentials: Credentials;
  /** The region of a command that names none (an AWS CLI profile's region). */
  region: string;
  /** Shell variables set by `name=$(...)`. */
  vars: Map<string, string>;
}

/** Shell words: quotes removed, `$name` expanded outside single quotes. */
export function shellWords(line: string, vars: Map<string, string>): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === ' ' || c === '\t') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      const end = line.indexOf('"', i + 1);
      if (end < 0) throw new Error(`unterminated " in: ${line}`);
      word = (word ?? '') + expand(line.slice(i + 1, end), vars);
      i = end;
    } else if (c === '$') {
      const name = /^\$([A-Za-z_]\w*)/.exec(line.slice(i))?.[1];
      if (!name) throw new Error(`unsupported $ in: ${line}`);
      word = (word ?? '') + expand(`$${name}`, vars);
      i += name.length;
    } else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

function expand(text: string, vars: Map<string, string>): string {
  return text.replace(/\$([A-Za-z_]\w*)/g, (_, name: string) => {
    const value = vars.get(name);
    if (value === undefined) throw new Error(`$${name} is not set`);
    return value;
  });
}

const pascal = (kebab: string) =>
  kebab
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

/** The SDK export whose name is `name` compared case-insensitively (EnableAwsServiceAccess → EnableAWSServiceAccess). */
function exported(module: Module, name: string): unknown {
  const key = Object.keys(module).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : module[key];
}

/** One command: `aws ...` or `name=$(aws ...)`; comments (`# ...`) do nothing. */
export async function runAwsCli(line: string, ctx: AwsCliContext): Promise<unknown> {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  const capture = /^([A-Za-z_]\w*)=\$\((.*)\)$/.exec(trimmed);
  const words = shellWords(capture ? capture[2] : trimmed, ctx.vars);
  if (words[0] !== 'aws' || words.length < 3)
    throw new Error(`not an AWS CLI command the local run knows: ${line}`);
  const [, serviceName, operation, ...rest] = words;
  const service = services[serviceName];
  if (!service) throw new Error(`the local run has no SDK client for "aws ${serviceName}": ${line}`);
  const input: Record<string, unknown> = {};
  let region = service.global ? 'us-east-1' : ctx.region;
  let query: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const option = /^--([a-z0-9-]+)$/.exec(rest[i])?.[1];
    if (!option) throw new Error(`unexpected "${rest[i]}" in: ${line}`);
    const value = rest[i + 1] !== undefined && !rest[i + 1].startsWith('--') ? rest[++i] : undefined;
    if (option === 'region') region = value as string;
    else if (option === 'query') query = value;
    else if (option === 'output') {
      if (value !== 'text') throw new Error(`only --output text is supported: ${line}`);
    } else if (value === undefined) {
      if (option.startsWith('no-')) input[pascal(option.slice(3))] = false;
      else input[pascal(option)] = true;
    } else input[pascal(option)] = value;
  }
  const Command = exported(service.module, `${pascal(operation)}Command`) as
    (new (input: object) => unknown) | undefined;
  if (!Command) throw new Error(`no ${pascal(operation)}Command in the ${serviceName} SDK: ${line}`);
  const Client = service.module[service.client] as new (config: object) => Client;
  const answer = await new Client({ region, credentials: ctx.credentials }).send(new Command(input));
  if (capture) {
    if (!query) throw new Error(`a captured command needs --query: ${line}`);
    // JMESPath's subset the list uses: `A.B` and `A[0].B`.
    const value = query
      .split('.')
      .flatMap((part) => {
        const indexed = /^([A-Za-z_]\w*)\[(\d+)\]$/.exec(part);
        return indexed ? [indexed[1], Number(indexed[2])] : [part];
      })
      .reduce<unknown>((v, k) => (v as Record<string | number, unknown>)?.[k], answer);
    if (typeof value !== 'string')
      throw new Error(`--query ${query} found no text in the answer of: ${line}`);
    ctx.vars.set(capture[1], value);
  }
  return answer;
}
