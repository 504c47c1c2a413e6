import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { writeFileSync } from 'node:fs';
import { createClient } from '../functions/shared/clients';
import { executionName, startNamedExecution } from '../functions/shared/start-execution';
import { ConfigError, loadConfig, type LogwardenConfig } from '../contracts/config';
import { names, stateMachineArn, type WorkflowId } from '../contracts/names';
import { buildMatrix, renderHtml, renderJson, renderTable } from './coverage-matrix';
import { readLedger } from './ledger';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** What the commands talk to; tests pass mocked clients, the binary real ones. */
export interface CliDeps {
  io: CliIo;
  clients: (config: LogwardenConfig) => { ddb: DynamoDBClient; sfn: SFNClient; orgs: OrganizationsClient };
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
}

const defaultDeps: CliDeps = {
  io: { out: (l) => console.log(l), err: (l) => console.error(l) },
  clients: (config) => ({
    ddb: createClient(DynamoDBClient, { region: config.homeRegion }),
    sfn: createClient(SFNClient, { region: config.homeRegion }),
    orgs: createClient(OrganizationsClient, { region: 'us-east-1' }),
  }),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  now: () => new Date(),
};

/** A user mistake: printed as one clear line, never with a stack trace. */
export class UsageError extends Error {}

const usage = `usage: logwarden <command> [options]   (run with security-tooling account credentials)

commands:
  coverage [--json | --html FILE]                    the account × region × control matrix and % covered
  remediate --account ID [--region R] [--wait]       re-run coverage for one account (all governed regions) or one region
  sweep [--wait]                                     re-run coverage for every active account
  config check                                       validate logwarden.config.json
  help                                               this text

options for every command:
  --config FILE                                      default logwarden.config.json`;

interface Parsed {
  command: string[];
  options: Record<string, string | true>;
}

const valueOptions = new Set(['--config', '--account', '--region', '--html']);
const flagOptions = new Set(['--json', '--wait', '--help']);

function parseArgs(argv: string[]): Parsed {
  const command: string[] = [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (valueOptions.has(a)) {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      options[a] = v;
    } else if (flagOptions.has(a)) options[a] = true;
    else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}\n${usage}`);
    else command.push(a);
  }
  return { command, options };
}

/** AWS errors that mean the person must fix something, as one sentence. */
function userFacingAwsError(err: unknown): string | undefined {
  const e = err as Error & { name: string };
  if (
    e?.name === 'CredentialsProviderError' ||
    /Could not load credentials|Unable to locate credentials/i.test(e?.message ?? '')
  ) {
    return 'no AWS credentials: configure credentials for the security-tooling account (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)';
  }
  if (
    [
      'AccessDeniedException',
      'AccessDenied',
      'UnrecognizedClientException',
      'ExpiredTokenException',
      'InvalidClientTokenId',
    ].includes(e?.name)
  ) {
    return `AWS refused the call (${e.name}): use credentials of the security-tooling account that may read the ledger and start the workflows`;
  }
  return undefined;
}

async function coverage(config: LogwardenConfig, p: Parsed, deps: CliDeps): Promise<number> {
  const { ddb } = deps.clients(config);
  const matrix = buildMatrix(await readLedger(ddb, names.ledgerTable), config.governedRegions);
  if (p.options['--json']) deps.io.out(renderJson(matrix));
  else if (typeof p.options['--html'] === 'string') {
    writeFileSync(p.options['--html'], renderHtml(matrix, deps.now().toISOString()));
    deps.io.out(
      `wrote ${p.options['--html']}: ${matrix.percent}% covered (${matrix.covered}/${matrix.total})`,
    );
  } else
    deps.io.out(
      matrix.accounts.length ? renderTable(matrix) : 'the ledger is empty: no workflow has run yet',
    );
  return 0;
}

async function waitFor(sfn: SFNClient, executionArn: string, deps: CliDeps): Promise<number> {
  let last = '';
  for (;;) {
    const res = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (res.status !== last) {
      deps.io.out(`${deps.now().toISOString()}  ${res.status}`);
      last = res.status as string;
    }
    if (res.status === 'SUCCEEDED') {
      const output = res.output
        ? (JSON.parse(res.output) as {
            counts?: object;
            failed?: { account: string; region: string; control: string; reason: string }[];
          })
        : {};
      if (output.counts) deps.io.out(`result: ${JSON.stringify(output.counts)}`);
      for (const f of output.failed ?? [])
        deps.io.err(`failed: ${f.account} ${f.region} ${f.control}: ${f.reason}`);
      return output.failed?.length ? 1 : 0;
    }
    if (res.status !== 'RUNNING' && res.status !== 'PENDING_REDRIVE') {
      deps.io.err(`execution ${res.status}: ${res.error ?? ''} ${res.cause ?? ''}`.trim());
      return 1;
    }
    await deps.sleep(5000);
  }
}

async function start(
  config: LogwardenConfig,
  workflow: WorkflowId,
  name: string,
  input: object,
  p: Parsed,
  deps: CliDeps,
): Promise<number> {
  const { sfn } = deps.clients(config);
  const arn = stateMachineArn(workflow, config.homeRegion, config.accounts.securityTooling);
  const started = await startNamedExecution(sfn, arn, name, input);
  deps.io.out(`started ${workflow}: ${started.executionArn}`);
  return p.options['--wait'] ? waitFor(sfn, started.executionArn, deps) : 0;
}

async function remediate(config: LogwardenConfig, p: Parsed, deps: CliDeps): Promise<number> {
  const account = p.options['--account'];
  if (typeof account !== 'string') throw new UsageError('remediate needs --account ID');
  if (!/^\d{12}$/.test(account))
    throw new UsageError(`--account ${account}: must be a 12-digit AWS account id`);
  const region = p.options['--region'];
  if (region !== undefined && (typeof region !== 'string' || !config.governedRegions.includes(region))) {
    throw new UsageError(
      `--region ${String(region)}: not a governed region (governed: ${config.governedRegions.join(', ')})`,
    );
  }
  try {
    await deps.clients(config).orgs.send(new DescribeAccountCommand({ AccountId: account }));
  } catch (err) {
    if ((err as Error).name === 'AccountNotFoundException')
      throw new UsageError(
        `--account ${account}: unknown account, not in organization ${config.organizationId}`,
      );
    throw err;
  }
  // A person's re-run is a new execution every time: the name carries the moment.
  const stamp = deps.now().toISOString().replace(/[:.]/g, '');
  return region
    ? start(
        config,
        'cover-account-region',
        executionName('manual', account, region, stamp),
        { account, region, trigger: 'manual' },
        p,
        deps,
      )
    : start(
        config,
        'cover-account',
        executionName('manual', account, stamp),
        { account, trigger: 'manual' },
        p,
        deps,
      );
}

export async function runCli(argv: string[], deps: CliDeps = defaultDeps): Promise<number> {
  try {
    const p = parseArgs(argv);
    const [command, sub] = p.command;
    if (command === undefined || command === 'help' || p.options['--help']) {
      deps.io.out(usage);
      return 0;
    }
    const config = loadConfig(
      typeof p.options['--config'] === 'string' ? p.options['--config'] : 'logwarden.config.json',
    );
    if (command === 'config' && sub === 'check') {
      deps.io.out(
        `config is valid: organization ${config.organizationId}, governed regions ${config.governedRegions.join(', ')}, trail mode ${config.trail.mode}`,
      );
      return 0;
    }
    if (command === 'coverage') return await coverage(config, p, deps);
    if (command === 'remediate') return await remediate(config, p, deps);
    if (command === 'sweep') {
      const stamp = deps.now().toISOString().replace(/[:.]/g, '');
      return await start(
        config,
        'sweep',
        executionName('manual-sweep', stamp),
        { trigger: 'manual' },
        p,
        deps,
      );
    }
    throw new UsageError(`unknown command: ${p.command.join(' ')}\n${usage}`);
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      deps.io.err(`error: ${err.message}`);
      return 2;
    }
    const aws = userFacingAwsError(err);
    if (aws) {
      deps.io.err(`error: ${aws}`);
      return 2;
    }
    throw err;
  }
}
