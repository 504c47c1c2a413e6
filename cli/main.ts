import { DescribeAccountCommand } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import packageJson from '../package.json';
import {
  ConfigError,
  configWarnings,
  describePipelineSearch,
  loadConfig,
  type LogwardenConfig,
} from '../contracts/config';
import {
  archiveBucketName,
  centralStreamArn,
  names,
  stateMachineArn,
  type WorkflowId,
} from '../contracts/names';
import { pipelineRegions, pipelinesOf } from '../contracts/pipelines';
import { archiveGuardScp } from '../contracts/archive-guard-scp';
import { activeAccounts } from '../functions/list-accounts/list-accounts';
import { executionName, startNamedExecution } from '../functions/shared/start-execution';
import {
  cliClients,
  defaultReplayClients,
  defaultTimeouts,
  recordCallSites,
  timeoutOptions,
  type CliClients,
  type CliTimeouts,
} from './clients';
import { buildMatrix, renderCsv, renderHtml, renderJson, renderTable } from './coverage-matrix';
import { readDirectory } from './org-directory';
import { controlNames, type ControlName } from '../contracts/coverage';
import { cellStatuses, type CellStatus } from '../contracts/coverage-cells';
import { exitCode, explain, UsageError } from './errors';
import {
  preflight,
  preflightExitCode,
  renderFindings,
  resolveAccess,
  type PreflightAccess,
  type PreflightOptions,
} from './preflight';
import { readLedger } from './ledger';
import { planCells, renderPlan, type InvokeControl } from './plan';
import { invoke } from './replay';
import {
  reachAccount,
  renderUninstallPlan,
  runUninstall,
  scanForUninstall,
  stsWhoAmI,
  type AccountAccess,
  type Removal,
} from './uninstall';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { encodeLedgerItem } from '../contracts/ledger';
import type { ControlResult } from '../contracts/coverage';
import { controlFunctionName, controlFunctionOf } from '../contracts/names';
import { scopeOfConfig } from '../functions/shared/scope';
import { waitFor } from './progress';
import { replayKept, replaySources, type ReplayClients, type ReplaySource } from './replay';
import { scheduleIntervalMs, ScheduleError } from '../contracts/schedule';

export { UsageError } from './errors';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** What the commands talk to; tests pass mocked clients, the binary real ones. */
export interface CliDeps {
  io: CliIo;
  clients: (config: LogwardenConfig, timeouts: CliTimeouts) => CliClients;
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
  /** Between two looks at a running execution (--wait). */
  pollMs: number;
  env: Record<string, string | undefined>;
  /** The clients of `logwarden replay` (log-archive account); tests pass mocked ones. */
  replayClients?: (config: LogwardenConfig, timeouts: CliTimeouts, region: string) => ReplayClients;
  /** How `preflight` reaches each account (default: profiles, --assume-role, the default credentials). */
  /**
   * How `uninstall` reaches each account (default: the default credentials for their own
   * account, --assume-role for the others); every set is checked with STS GetCallerIdentity.
   */
  uninstallAccess?: (config: LogwardenConfig, assumeRole: string | undefined) => AccountAccess;
  preflightAccess?: (
    config: LogwardenConfig,
    options: PreflightOptions,
    timeouts: CliTimeouts,
  ) => Promise<PreflightAccess>;
}

export const defaultDeps = (): CliDeps => ({
  io: { out: (l) => console.log(l), err: (l) => console.error(l) },
  clients: (config, timeouts) => cliClients(config.homeRegion, timeouts),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  now: () => new Date(),
  pollMs: 5_000,
  env: process.env,
});

const version = packageJson.version;

/** Everything a command needs once the config is loaded. */
interface Session {
  config: LogwardenConfig;
  clients: CliClients;
  deps: CliDeps;
  timeouts: CliTimeouts;
}

interface GlobalOptions {
  config?: string;
  timeout?: number;
}

/**
 * A value option that may be given once: commander keeps the last of a repeated option, which
 * would silently pick one of two accounts.
 */
function once<T>(flag: string, parse: (value: string) => T) {
  return (value: string, previous: T | undefined): T => {
    if (previous !== undefined) throw new InvalidArgumentError(`${flag} given twice; give it once`);
    return parse(value);
  };
}

const accountId = (value: string) => {
  if (!/^\d{12}$/.test(value)) throw new InvalidArgumentError('must be a 12-digit AWS account id');
  return value;
};

/**
 * An OU or root id as Organizations writes it (botocore's Organizations model: OrganizationalUnitId
 * `^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`, RootId `^r-[0-9a-z]{4,32}$`).
 */
const ouId = (value: string) => {
  if (!/^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/.test(value))
    throw new InvalidArgumentError(`${value} is not an OU id (ou-xxxx-xxxxxxxx) or a root id (r-xxxx)`);
  return value;
};

/** A comma-separated list, each item checked; an empty item is a mistake, not "everything". */
function listOf<T>(parse: (value: string) => T) {
  return (value: string): T[] => {
    const items = value.split(',').map((v) => v.trim());
    if (items.some((v) => v === '')) throw new InvalidArgumentError('an empty item in the list');
    return [...new Set(items.map(parse))];
  };
}

/** One of a fixed set of words. */
function oneOf<T extends string>(what: string, allowed: readonly T[]) {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value))
      throw new InvalidArgumentError(`unknown ${what} ${value} (one of: ${allowed.join(', ')})`);
    return value as T;
  };
}

const seconds = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 300)
    throw new InvalidArgumentError('must be a number of seconds, 0–300');
  return n;
};

/** Fails before any AWS call if the HTML file cannot be written where asked. */
function checkHtmlTarget(file: string) {
  const folder = path.dirname(path.resolve(file));
  let isFolder = false;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    // A missing folder: said below.
  }
  if (!isFolder) throw new UsageError(`--html ${file}: the folder ${folder} does not exist`);
}

export const outputFormats = ['table', 'json', 'csv'] as const;
export type OutputFormat = (typeof outputFormats)[number];

export interface CoverageOptions {
  json?: boolean;
  output?: OutputFormat;
  html?: string;
  account?: string[];
  ou?: string[];
  region?: string[];
  control?: ControlName[];
  status?: CellStatus[];
}

async function coverage(s: Session, opts: CoverageOptions): Promise<number> {
  if (opts.html) checkHtmlTarget(opts.html);
  const unknownRegions = (opts.region ?? []).filter((r) => !s.config.governedRegions.includes(r));
  if (unknownRegions.length)
    throw new UsageError(
      `--region ${unknownRegions.join(',')}: not a governed region (governed: ${s.config.governedRegions.join(', ')})`,
    );
  let staleAfterMs: number;
  try {
    // Two sweep periods: a row no sweep verified in that time says nothing about today.
    staleAfterMs = 2 * scheduleIntervalMs(s.config.sweep.scheduleExpression);
  } catch (err) {
    if (err instanceof ScheduleError) throw new UsageError(`sweep.scheduleExpression: ${err.message}`);
    throw err;
  }
  const [rows, listed, directory] = await Promise.all([
    readLedger(s.clients.ddb, names.ledgerTable),
    // The accounts the sweep covers, listed the way the sweep lists them.
    activeAccounts(
      s.clients.orgs,
      s.config.scope.coverManagementAccount ? undefined : s.config.accounts.management,
    ),
    // Names and OUs, from the organization's tree.
    readDirectory(s.clients.orgs),
  ]);
  const active = listed.map((a) => a.account);
  const notActive = (opts.account ?? []).filter((a) => !active.includes(a));
  if (notActive.length)
    throw new UsageError(
      `--account ${notActive.join(',')}: not an active account of organization ${s.config.organizationId} that logwarden lists`,
    );
  const unknownOus = (opts.ou ?? []).filter((ou) => !directory.ous.has(ou));
  if (unknownOus.length)
    throw new UsageError(
      `--ou ${unknownOus.join(',')}: no such OU or root in organization ${s.config.organizationId}`,
    );
  const accounts = active.filter(
    (a) =>
      (!opts.account || opts.account.includes(a)) &&
      (!opts.ou || (directory.accounts.get(a)?.ouPath ?? []).some((ou) => opts.ou!.includes(ou))),
  );
  const matrix = buildMatrix(
    rows,
    opts.region ?? s.config.governedRegions,
    accounts,
    { now: s.deps.now(), staleAfterMs },
    active,
    {
      controls: opts.control,
      statuses: opts.status,
      directory,
      accountsFiltered: !!(opts.account || opts.ou),
    },
  );
  const format = opts.json ? 'json' : (opts.output ?? 'table');
  if (opts.html) {
    try {
      writeFileSync(opts.html, renderHtml(matrix, s.deps.now().toISOString()));
    } catch (err) {
      throw new UsageError(
        `--html ${opts.html}: cannot write it (${(err as NodeJS.ErrnoException).code ?? err})`,
      );
    }
    s.deps.io.out(`wrote ${opts.html}: ${matrix.percent}% covered (${matrix.covered}/${matrix.total})`);
  } else if (format === 'json') s.deps.io.out(renderJson(matrix));
  else if (format === 'csv') s.deps.io.out(renderCsv(matrix));
  else if (!matrix.accounts.length)
    s.deps.io.out(
      active.length
        ? 'no active account matches --account/--ou'
        : 'the organization has no active member account to cover',
    );
  else s.deps.io.out(renderTable(matrix));
  return exitCode.ok;
}

async function start(
  s: Session,
  workflow: WorkflowId,
  name: string,
  input: object,
  wait: boolean | undefined,
): Promise<number> {
  const arn = stateMachineArn(workflow, s.config.homeRegion, s.config.accounts.securityTooling);
  const started = await startNamedExecution(s.clients.sfn, arn, name, input);
  s.deps.io.out(`started ${workflow}: ${started.executionArn}`);
  if (!wait) return exitCode.ok;
  return waitFor(s.clients.sfn, started.executionArn, {
    out: s.deps.io.out,
    err: s.deps.io.err,
    sleep: s.deps.sleep,
    now: s.deps.now,
    pollMs: s.deps.pollMs,
  });
}

/** A person's re-run is a new execution every time: the name carries the moment. */
const stampOf = (s: Session) => s.deps.now().toISOString().replace(/[:.]/g, '');

async function remediate(
  s: Session,
  opts: { account: string; region?: string; wait?: boolean },
): Promise<number> {
  const { account, region } = opts;
  if (region !== undefined && !s.config.governedRegions.includes(region)) {
    throw new UsageError(
      `--region ${region}: not a governed region (governed: ${s.config.governedRegions.join(', ')})`,
    );
  }
  try {
    await s.clients.orgs.send(new DescribeAccountCommand({ AccountId: account }));
  } catch (err) {
    if ((err as Error).name === 'AccountNotFoundException')
      throw new UsageError(
        `--account ${account}: unknown account, not in organization ${s.config.organizationId}`,
      );
    throw err;
  }
  const stamp = stampOf(s);
  return region
    ? start(
        s,
        'cover-account-region',
        executionName('manual', account, region, stamp),
        { account, region, trigger: 'manual' },
        opts.wait,
      )
    : start(
        s,
        'cover-account',
        executionName('manual', account, stamp),
        { account, trigger: 'manual' },
        opts.wait,
      );
}

/** The control functions invoked by name in the security-tooling account (home region). */
function controlInvoker(s: Session): InvokeControl {
  const lambda = s.clients.lambda;
  if (!lambda) throw new UsageError('this command needs a Lambda client (security-tooling credentials)');
  return async (control, event) =>
    (await invoke(lambda, controlFunctionName(controlFunctionOf[control]), event)) as Awaited<
      ReturnType<InvokeControl>
    >;
}

/** The accounts a plan or an uninstall looks at: one, or every active account (as the sweep lists them). */
async function accountsOf(s: Session, account: string | undefined, region: string | undefined) {
  if (region !== undefined && !s.config.governedRegions.includes(region))
    throw new UsageError(
      `--region ${region}: not a governed region (governed: ${s.config.governedRegions.join(', ')})`,
    );
  const accounts = account
    ? [account]
    : (
        await activeAccounts(
          s.clients.orgs,
          s.config.scope.coverManagementAccount ? undefined : s.config.accounts.management,
        )
      ).map((a) => a.account);
  return { accounts, regions: region ? [region] : s.config.governedRegions };
}

async function plan(s: Session, opts: { account?: string; region?: string }): Promise<number> {
  const { accounts, regions } = await accountsOf(s, opts.account, opts.region);
  const cells = await planCells({
    accounts,
    regions,
    scope: scopeOfConfig(s.config),
    orgs: s.clients.orgs,
    invoke: controlInvoker(s),
    execution: executionName('plan', stampOf(s)),
  });
  for (const line of renderPlan(cells)) s.deps.io.out(line);
  return cells.some((c) => 'error' in c) ? exitCode.failed : exitCode.ok;
}

/**
 * The default credentials for the account they belong to (STS GetCallerIdentity); with
 * --assume-role, that role in every other account, assumed from them. Without --assume-role
 * every account gets the default credentials, and scanForUninstall refuses each account they
 * are not (so only the caller's own account is reached).
 */
function assumeRoleAccess(config: LogwardenConfig, assumeRole: string | undefined): AccountAccess {
  const base = fromNodeProviderChain();
  let caller: Promise<string> | undefined;
  return async (account) => {
    if (!assumeRole) return base;
    caller ??= stsWhoAmI(config.homeRegion)(base);
    if ((await caller) === account) return base;
    return fromTemporaryCredentials({
      params: {
        RoleArn: `arn:aws:iam::${account}:role/${assumeRole}`,
        RoleSessionName: 'logwarden-uninstall',
      },
      masterCredentials: base,
      clientConfig: { region: config.homeRegion },
    });
  };
}

async function uninstall(
  s: Session,
  opts: { plan?: boolean; account?: string; region?: string; assumeRole?: string },
): Promise<number> {
  const { accounts, regions } = await accountsOf(s, opts.account, opts.region);
  const all = opts.account ? accounts : [...new Set([...accounts, s.config.accounts.securityTooling])];
  const access = (s.deps.uninstallAccess ?? assumeRoleAccess)(s.config, opts.assumeRole);
  const whoAmI = stsWhoAmI(s.config.homeRegion);
  const scan = await scanForUninstall(s.config, all, regions, access, whoAmI);
  if (opts.plan) {
    // The listing names each refused account and why.
    for (const line of renderUninstallPlan(scan)) s.deps.io.out(line);
    return scan.refused.length ? exitCode.failed : exitCode.ok;
  }
  for (const r of scan.refused) s.deps.io.err(`error: ${r.account}: ${r.why}`);
  // The ledger table is in the security-tooling account: its credentials are checked before
  // anything is removed, so no removal goes unrecorded.
  const tooling = s.config.accounts.securityTooling;
  const ledger = await reachAccount(tooling, access, whoAmI);
  if ('refused' in ledger) {
    s.deps.io.err(
      `error: uninstall records each removal in the ledger of the security-tooling account ${tooling}, and ${ledger.refused}; run from that account, or give --assume-role a role there (docs/operating.md). Nothing was removed.`,
    );
    return exitCode.credentials;
  }
  const ddb = recordCallSites(
    new DynamoDBClient({
      region: s.config.homeRegion,
      credentials: ledger.credentials,
      ...timeoutOptions(s.timeouts),
    }),
  );
  const execution = `uninstall-${stampOf(s)}`;
  const byCell = new Map<string, { r: Removal; done: string[]; failed: string[]; kept: string[] }>();
  const result = await runUninstall(scan, {
    waveSize: s.config.sweep.maxConcurrency,
    say: s.deps.io.out,
    record: async (r, outcome) => {
      const key = `${r.account}/${r.region}/${r.control}`;
      const cell = byCell.get(key) ?? { r, done: [], failed: [], kept: [] };
      if (outcome?.error) cell.failed.push(`${r.what} (${outcome.error})`);
      else if (outcome?.kept) cell.kept.push(`${r.what} (${outcome.kept})`);
      else cell.done.push(r.what);
      byCell.set(key, cell);
    },
  });
  // One ledger row per cell: what was removed there, and what could not be.
  const now = s.deps.now().toISOString();
  for (const { r, done, failed, kept } of byCell.values()) {
    const row: ControlResult = {
      account: r.account,
      region: r.region,
      control: r.control,
      status: failed.length ? 'failed' : 'excluded',
      evidence: {},
      actions: done.map((d) => `removed ${d} (logwarden uninstall)`),
      reason: failed.length
        ? `logwarden uninstall could not remove: ${failed.join('; ')}`.slice(0, 1000)
        : kept.length
          ? `uninstalled, but kept what is still in use: ${kept.join('; ')}`.slice(0, 1000)
          : 'uninstalled: logwarden removed what it had created here',
    };
    await ddb.send(
      new PutItemCommand({ TableName: names.ledgerTable, Item: encodeLedgerItem(row, now, execution) }),
    );
  }
  s.deps.io.out(
    `uninstall: ${result.removed} removed, ${result.kept} kept (still in use), ${result.failed} failed${
      scan.refused.length ? `, ${scan.refused.length} account(s) refused (not scanned)` : ''
    }; next: cdk destroy (docs/operating.md)`,
  );
  return result.failed || scan.refused.length ? exitCode.failed : exitCode.ok;
}

const roleName = (value: string) => {
  if (!/^[\w+=,.@-]{1,64}$/.test(value)) throw new InvalidArgumentError('must be an IAM role name');
  return value;
};

async function checkPrerequisites(s: Session, opts: PreflightOptions & { json?: boolean }): Promise<number> {
  const access = await (s.deps.preflightAccess ?? resolveAccess)(s.config, opts, s.timeouts);
  const findings = await preflight(s.config, access);
  if (opts.json) s.deps.io.out(JSON.stringify({ findings }, null, 2));
  else for (const line of renderFindings(s.config, access, findings)) s.deps.io.out(line);
  return preflightExitCode(findings);
}

/** The command line, built afresh for each run (commander keeps parsed values on the objects). */
function program(deps: CliDeps, run: (action: (s: Session) => Promise<number>) => Promise<void>) {
  const cli = new Command('logwarden')
    .description(
      'Re-run and inspect logwarden coverage. Run with credentials of the security-tooling account.',
    )
    .version(version, '-V, --version')
    .option('--config <file>', 'the configuration (default: logwarden.config.json)', once('--config', String))
    .option(
      '--timeout <seconds>',
      `per-request timeout for AWS calls (default: ${defaultTimeouts.requestMs / 1000})`,
      once('--timeout', seconds),
    )
    .exitOverride()
    .configureOutput({
      writeOut: (s) => deps.io.out(s.replace(/\n$/, '')),
      writeErr: (s) => deps.io.err(s.replace(/\n$/, '')),
    })
    .showSuggestionAfterError(true)
    .allowExcessArguments(false)
    .addHelpText(
      'after',
      `
Exit codes: 0 done · 1 the execution or a control failed (--wait) · 2 a mistake in the
command line or the config · 3 not found in that account or region · 4 cannot reach the
endpoint · 5 no or rejected credentials · 6 access denied · 7 another AWS error · 70 a bug.`,
    );

  cli
    .command('coverage')
    .description(
      'the account × region × control matrix of every active account, % covered, and why a cell failed or is excluded',
    )
    .addOption(
      new Option('--output <format>', `table (default), json or csv`)
        .argParser(once('--output', oneOf('format', outputFormats)))
        .conflicts(['json', 'html']),
    )
    .addOption(new Option('--json', 'the same as --output json').conflicts('html'))
    .addOption(
      new Option('--html <file>', 'write a heatmap to open in a browser').argParser(once('--html', String)),
    )
    .option(
      '--account <ids>',
      'only these accounts (comma-separated 12-digit ids)',
      once('--account', listOf(accountId)),
    )
    .option(
      '--ou <ids>',
      'only accounts in these OUs, nested OUs included (comma-separated ou-… or r-… ids)',
      once('--ou', listOf(ouId)),
    )
    .option(
      '--region <regions>',
      'only these governed regions (comma-separated)',
      once('--region', listOf(String)),
    )
    .option(
      '--control <controls>',
      `only these controls (comma-separated: ${controlNames.join(', ')})`,
      once('--control', listOf(oneOf('control', controlNames))),
    )
    .option(
      '--status <statuses>',
      `only cells with these statuses (comma-separated: ${cellStatuses.join(', ')})`,
      once('--status', listOf(oneOf('status', cellStatuses))),
    )
    .action((opts: CoverageOptions) => run((s) => coverage(s, opts)));

  cli
    .command('remediate')
    .description('re-run coverage for one account: every governed region, or one with --region')
    .requiredOption('--account <id>', 'the 12-digit account id', once('--account', accountId))
    .option('--region <region>', 'one governed region', once('--region', String))
    .option('--wait', 'show progress until the execution ends; exit 1 if anything failed')
    .action((opts: { account: string; region?: string; wait?: boolean }) => run((s) => remediate(s, opts)));

  cli
    .command('plan')
    .description(
      'run every control read-only and print, per account × region × control, the calls a heal would make, or "nothing"',
    )
    .option('--account <id>', 'one account (default: every active account)', once('--account', accountId))
    .option('--region <region>', 'one governed region (default: all)', once('--region', String))
    .action((opts: { account?: string; region?: string }) => run((s) => plan(s, opts)));

  cli
    .command('uninstall')
    .description(
      'remove what the controls created by API (flow logs, subscription policy and filters, findings forwarding, a trail logwarden created); run before cdk destroy',
    )
    .option('--plan', 'only list what would be removed and what is kept')
    .option('--account <id>', 'one account (default: every active account)', once('--account', accountId))
    .option('--region <region>', 'one governed region (default: all)', once('--region', String))
    .option(
      '--assume-role <name>',
      "a role of this name in every account other than the default credentials' own, assumed from them, so it must trust that account: run from the management account, OrganizationAccountAccessRole (in accounts Organizations created) or AWSControlTowerExecution (in accounts Control Tower enrolled); run from the security-tooling account, a role you created trusting it. Without it only the default credentials' own account is reached; every account is checked with STS GetCallerIdentity and refused when its credentials are another account's",
      once('--assume-role', roleName),
    )
    .action((opts: { plan?: boolean; account?: string; region?: string; assumeRole?: string }) =>
      run((s) => uninstall(s, opts)),
    );

  cli
    .command('sweep')
    .description('re-run coverage for every active account of the organization')
    .option('--wait', 'show progress until the execution ends; exit 1 if anything failed')
    .action((opts: { wait?: boolean }) =>
      run((s) =>
        start(s, 'sweep', executionName('manual-sweep', stampOf(s)), { trigger: 'manual' }, opts.wait),
      ),
    );

  cli
    .command('replay')
    .description(
      'deliver again what the pipeline kept: rejected/ documents, errors/ records, on-failure batches (log-archive credentials)',
    )
    .option(
      '--bucket <name>',
      'the archive bucket (default: logwarden-archive-<logArchive>-<pipeline region>)',
      once('--bucket', String),
    )
    .option(
      '--region <region>',
      'the pipeline whose archive and stream to replay (default: the home region; with pipeline.regional, one of the pipeline regions)',
      once('--region', String),
    )
    .requiredOption('--indexer <function>', 'the indexer function, name or ARN', once('--indexer', String))
    .option(
      '--from <sources>',
      `comma-separated: ${replaySources.join(', ')} (default: all)`,
      once('--from', (v: string) => {
        const from = v.split(',').map((x) => x.trim());
        const unknown = from.filter((x) => !(replaySources as readonly string[]).includes(x));
        if (unknown.length) throw new InvalidArgumentError(`unknown source(s) ${unknown.join(', ')}`);
        return from as ReplaySource[];
      }),
    )
    .option(
      '--day <YYYY-MM-DD>',
      'only what was kept that day',
      once('--day', (v: string) => {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) throw new InvalidArgumentError('must be a day, YYYY-MM-DD');
        return v;
      }),
    )
    .option('--dry-run', 'list what would be replayed, replay nothing')
    .action(
      (opts: {
        bucket?: string;
        region?: string;
        indexer: string;
        from?: ReplaySource[];
        day?: string;
        dryRun?: boolean;
      }) =>
        run(async (s) => {
          // Each pipeline keeps its own archive and stream (contracts/pipelines.ts).
          const regions = pipelineRegions(s.config);
          const region = opts.region ?? s.config.homeRegion;
          if (!regions.includes(region)) {
            deps.io.err(
              `error: --region ${region} runs no pipeline (pipeline regions: ${regions.join(', ')})`,
            );
            return exitCode.usage;
          }
          const clients = (deps.replayClients ?? defaultReplayClients)(s.config, s.timeouts, region);
          const summary = await replayKept(clients, {
            ...opts,
            bucket: opts.bucket ?? archiveBucketName(s.config.accounts.logArchive, region),
            from: opts.from ?? replaySources,
            streamArn: centralStreamArn(region, s.config.accounts.logArchive),
            out: deps.io.out,
            sleep: deps.sleep,
          });
          deps.io.out(
            `${opts.dryRun ? 'would replay' : 'replayed'} ${summary.objects} object(s): ${summary.documents} document(s), ${summary.records} record(s); ${summary.kept.length} kept as they are; ${summary.failed.length} not replayed`,
          );
          for (const f of summary.failed) deps.io.err(`not replayed: ${f}`);
          return summary.failed.length ? exitCode.failed : exitCode.ok;
        }),
    );

  cli
    .command('preflight')
    .description(
      'check, read-only, every one-time prerequisite of a deployment (docs/deploying.md): met, missing (with its fix) or unknown',
    )
    .option(
      '--management-profile <profile>',
      'AWS profile of the management account (default: the default credentials)',
      once('--management-profile', String),
    )
    .option(
      '--log-archive-profile <profile>',
      'AWS profile of the log-archive account',
      once('--log-archive-profile', String),
    )
    .option(
      '--security-tooling-profile <profile>',
      'AWS profile of the security-tooling account',
      once('--security-tooling-profile', String),
    )
    .option(
      '--assume-role <name>',
      'for an account without a profile: assume this role of it from the management account (e.g. a read-only role)',
      once('--assume-role', roleName),
    )
    .option('--json', 'print the findings as JSON')
    .action((opts: PreflightOptions & { json?: boolean }) => run((s) => checkPrerequisites(s, opts)));

  const config = cli.command('config').description('the configuration file');
  config
    .command('check')
    .description('validate the configuration')
    .action(() =>
      run(async (s) => {
        deps.io.out(
          `config is valid: organization ${s.config.organizationId}, governed regions ${s.config.governedRegions.join(', ')}, trail mode ${s.config.trail.mode}`,
        );
        if (s.config.pipeline.regional)
          deps.io.out(
            `pipelines (pipeline.regional): ${pipelinesOf(s.config)
              .map((p) => `${p.region} for ${p.serves.join(', ')}`)
              .join('; ')}`,
          );
        if (s.config.pipeline.regional)
          for (const line of describePipelineSearch(s.config)) deps.io.out(`search domain in ${line}`);
        for (const w of configWarnings(s.config)) deps.io.out(`warning: ${w.field}: ${w.message}`);
        return exitCode.ok;
      }),
    );
  config
    .command('scp')
    .description(
      "print the archive guard SCP for this configuration (every pipeline's archive with pipeline.regional; docs/deploying.md, step 4)",
    )
    .action(() =>
      run(async (s) => {
        deps.io.out(JSON.stringify(archiveGuardScp(s.config), null, 2));
        return exitCode.ok;
      }),
    );
  return cli;
}

/**
 * The whole command: parses the arguments, runs one command and maps every error to one line
 * and an exit code (docs/operating.md, the exit codes). It never throws and never prints a stack trace
 * unless LOGWARDEN_DEBUG is set.
 */
export async function runCli(argv: string[], deps: CliDeps = defaultDeps()): Promise<number> {
  let code: number = exitCode.ok;
  let session: Session | undefined;
  const cli = program(deps, async (action) => {
    const globals = cli.opts<GlobalOptions>();
    const config = loadConfig(globals.config ?? 'logwarden.config.json');
    const timeouts: CliTimeouts = globals.timeout
      ? { ...defaultTimeouts, requestMs: globals.timeout * 1000 }
      : defaultTimeouts;
    session = { config, clients: deps.clients(config, timeouts), deps, timeouts };
    code = await action(session);
  });
  try {
    if (argv.length === 0) {
      cli.outputHelp();
      return exitCode.ok;
    }
    await cli.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    // commander has already printed its own one-line message (or the help, or the version).
    if (err instanceof CommanderError) return err.exitCode === 0 ? exitCode.ok : exitCode.usage;
    if (err instanceof UsageError || err instanceof ConfigError) {
      deps.io.err(`error: ${err.message}`);
      return exitCode.usage;
    }
    if (deps.env.LOGWARDEN_DEBUG) deps.io.err((err as Error)?.stack ?? String(err));
    if (!session) {
      deps.io.err(`error: ${explain(err, { account: '?', region: '?' }).line}`);
      return exitCode.internal;
    }
    const target = { account: session.config.accounts.securityTooling, region: session.config.homeRegion };
    const explained = explain(err, target);
    let line = explained.line;
    if (explained.kind === 'notFound' || explained.kind === 'accessDenied')
      line += await whoAmI(session.clients, target.account);
    deps.io.err(`error: ${line}`);
    return explained.code;
  }
}

/** When the credentials are another account's, that is the likeliest cause: say so. */
async function whoAmI(clients: CliClients, expected: string): Promise<string> {
  try {
    const me = await clients.sts.send(new GetCallerIdentityCommand({}));
    return me.Account && me.Account !== expected
      ? ` Your credentials are for account ${me.Account}, not the security-tooling account ${expected}.`
      : '';
  } catch {
    return '';
  }
}
