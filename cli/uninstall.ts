/**
 * `logwarden uninstall`: what the controls created by API, found by the marks they leave
 * (contracts/names.ts names, the `managed-by: logwarden` tag), listed per cell with the call that
 * removes it (`--plan`) or removed, in waves. Only what carries logwarden's mark is touched:
 * a flow log, policy, filter, log group or trail that existed before logwarden has no such mark
 * and stays. Changes made to what someone else owns (settings of an existing trail, GuardDuty's
 * auto-enable and membership) cannot be told from the owner's own and are listed as kept.
 * Then `cdk destroy` removes the stacks, the StackSet and its member roles (docs/operating.md).
 */
import {
  CloudTrailClient,
  DeleteTrailCommand,
  DescribeTrailsCommand,
  ListTagsCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  CloudWatchLogsClient,
  DeleteAccountPolicyCommand,
  DeleteLogGroupCommand,
  DeleteResourcePolicyCommand,
  DeleteSubscriptionFilterCommand,
  DescribeAccountPoliciesCommand,
  DescribeLogGroupsCommand,
  DescribeResourcePoliciesCommand,
  DescribeSubscriptionFiltersCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DeleteFlowLogsCommand,
  type DeleteFlowLogsCommandOutput,
  DescribeFlowLogsCommand,
  EC2Client,
  type FlowLog,
} from '@aws-sdk/client-ec2';
import {
  DeleteRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { LogwardenConfig } from '../contracts/config';
import type { ControlName } from '../contracts/coverage';
import { accountTrailArn, names, organizationTrailArn, subscriptionPolicyName } from '../contracts/names';
import { flowLogGroupPrefix } from '../functions/shared/flow-log-formats';

type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** One thing logwarden created, and the call that removes it. */
export interface Removal {
  account: string;
  region: string;
  /** The control whose ledger cell records the removal. */
  control: ControlName;
  what: string;
  /** The removal, as `logwarden plan` prints calls: service, operation, parameters. */
  calls: { service: string; operation: string; input: Record<string, unknown> }[];
  run: () => Promise<void>;
  /** Why it must stay for now (a flow log still delivers to the group), checked just before it runs. */
  blockedBy?: () => string | undefined;
}

/** What is left alone, and why. */
export interface Kept {
  account: string;
  region: string;
  what: string;
}

/** An account not scanned: its credentials are missing or are another account's. */
export interface Refused {
  account: string;
  why: string;
}

/** What one cell (account and region, or the trail) holds: what goes, what stays. */
export interface CellScan {
  removals: Removal[];
  kept: Kept[];
}

export interface UninstallScan extends CellScan {
  refused: Refused[];
}

/** Credentials of a person administering `account` (a role in it, or the caller's own). */
export type AccountAccess = (account: string) => Promise<Credentials>;

/** The account the credentials belong to (STS GetCallerIdentity's Account). */
export type WhoAmI = (credentials: Credentials) => Promise<string>;

/** GetCallerIdentity "Returns details about the IAM user or role whose credentials are used to call the operation" (STS API Reference). */
export function stsWhoAmI(region: string): WhoAmI {
  return async (credentials) =>
    (await new STSClient({ region, credentials }).send(new GetCallerIdentityCommand({}))).Account as string;
}

const MARK = { key: 'managed-by', value: 'logwarden' };

/**
 * A DeleteFlowLogs answer that still names the flow log: a 200 answer can, in Unsuccessful
 * ("Information about the flow logs that could not be deleted successfully", EC2 API Reference,
 * DeleteFlowLogs). Thrown as an error named by its code.
 */
export function throwIfNotDeleted(answer: DeleteFlowLogsCommandOutput, id: string): void {
  const [failed] = answer.Unsuccessful ?? [];
  if (failed)
    throw Object.assign(new Error(failed.Error?.Message ?? `${id} was not deleted`), {
      name: failed.Error?.Code ?? 'Unsuccessful',
    });
}

function call<C extends { send(c: never): Promise<unknown> }>(
  client: C,
  service: string,
  command: { input: object; constructor: { name: string } },
) {
  return {
    service,
    operation: command.constructor.name.replace(/Command$/, ''),
    input: command.input as Record<string, unknown>,
    send: () => client.send(command as never),
  };
}

function removal(
  control: ControlName,
  account: string,
  region: string,
  what: string,
  steps: ReturnType<typeof call>[],
): Removal {
  return {
    control,
    account,
    region,
    what,
    calls: steps.map(({ service, operation, input }) => ({ service, operation, input })),
    run: async () => {
      for (const s of steps) await s.send();
    },
  };
}

async function allLogGroups(logs: CloudWatchLogsClient, prefix?: string): Promise<string[]> {
  const out: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: prefix, nextToken }));
    out.push(...(page.logGroups ?? []).map((g) => g.logGroupName as string));
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

/** A member account and region: flow logs, the subscription policy or filters, the flow-log group. */
export async function scanMemberCell(
  account: string,
  region: string,
  credentials: Credentials,
): Promise<CellScan> {
  const ec2 = new EC2Client({ region, credentials });
  const logs = new CloudWatchLogsClient({ region, credentials });
  const removals: Removal[] = [];
  const flowLogs: FlowLog[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ec2.send(new DescribeFlowLogsCommand({ MaxResults: 1000, NextToken }));
    flowLogs.push(...(page.FlowLogs ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  // The flow logs deleted by this run: a group stays while any other flow log delivers to it.
  const deleted = new Set<string>();
  for (const fl of flowLogs.filter((f) =>
    (f.Tags ?? []).some((t) => t.Key === MARK.key && t.Value === MARK.value),
  )) {
    const id = fl.FlowLogId as string;
    const step = call(ec2, 'EC2', new DeleteFlowLogsCommand({ FlowLogIds: [id] }));
    const r = removal('flow-logs', account, region, `flow log ${id} of ${fl.ResourceId}`, [step]);
    r.run = async () => {
      throwIfNotDeleted((await step.send()) as DeleteFlowLogsCommandOutput, id);
      deleted.add(id);
    };
    removals.push(r);
  }
  const deliveringTo = (group: string) =>
    flowLogs
      .filter((f) => !deleted.has(f.FlowLogId as string))
      .filter(
        (f) =>
          f.LogGroupName === group ||
          (f.LogDestinationType === 'cloud-watch-logs' &&
            (f.LogDestination ?? '').replace(/:\*$/, '').endsWith(`:log-group:${group}`)),
      )
      .map((f) => f.FlowLogId as string);
  const policyName = subscriptionPolicyName(region);
  const policies =
    (
      await logs.send(
        new DescribeAccountPoliciesCommand({ policyType: 'SUBSCRIPTION_FILTER_POLICY', policyName }),
      )
    ).accountPolicies ?? [];
  if (policies.some((p) => p.policyName === policyName))
    removals.push(
      removal('subscription', account, region, `account subscription policy ${policyName}`, [
        call(
          logs,
          'CloudWatch Logs',
          new DeleteAccountPolicyCommand({ policyName, policyType: 'SUBSCRIPTION_FILTER_POLICY' }),
        ),
      ]),
    );
  for (const group of await allLogGroups(logs)) {
    const filters =
      (
        await logs.send(
          new DescribeSubscriptionFiltersCommand({ logGroupName: group, filterNamePrefix: policyName }),
        )
      ).subscriptionFilters ?? [];
    if (filters.some((x) => x.filterName === policyName))
      removals.push(
        removal('subscription', account, region, `subscription filter ${policyName} of ${group}`, [
          call(
            logs,
            'CloudWatch Logs',
            new DeleteSubscriptionFilterCommand({ logGroupName: group, filterName: policyName }),
          ),
        ]),
      );
    // The flow-log groups: only the flow-logs control creates groups under this prefix. Their
    // records went to the archive through the subscription.
    if (group.startsWith(flowLogGroupPrefix))
      removals.push({
        ...removal('flow-logs', account, region, `log group ${group}`, [
          call(logs, 'CloudWatch Logs', new DeleteLogGroupCommand({ logGroupName: group })),
        ]),
        blockedBy: () => {
          const still = deliveringTo(group);
          return still.length ? `flow log ${still.join(', ')} still delivers to it` : undefined;
        },
      });
  }
  return { removals, kept: [] };
}

/** The GuardDuty administrator's cell (security-tooling account, one region): findings forwarding. */
export async function scanAdminCell(
  account: string,
  region: string,
  credentials: Credentials,
): Promise<CellScan> {
  const events = new EventBridgeClient({ region, credentials });
  const logs = new CloudWatchLogsClient({ region, credentials });
  const removals: Removal[] = [];
  const rule = names.guardDutyFindingsRule;
  const targets = await events.send(new ListTargetsByRuleCommand({ Rule: rule })).catch((err: Error) => {
    if (err.name === 'ResourceNotFoundException') return undefined;
    throw err;
  });
  if (targets) {
    const ids = (targets.Targets ?? []).map((t) => t.Id as string);
    removals.push(
      removal('guardduty', account, region, `EventBridge rule ${rule}`, [
        ...(ids.length
          ? [call(events, 'EventBridge', new RemoveTargetsCommand({ Rule: rule, Ids: ids }))]
          : []),
        call(events, 'EventBridge', new DeleteRuleCommand({ Name: rule })),
      ]),
    );
  }
  let nextToken: string | undefined;
  let policy = false;
  do {
    const page = await logs.send(new DescribeResourcePoliciesCommand({ nextToken }));
    policy ||= (page.resourcePolicies ?? []).some((p) => p.policyName === rule);
    nextToken = page.nextToken;
  } while (nextToken);
  if (policy)
    removals.push(
      removal('guardduty', account, region, `CloudWatch Logs resource policy ${rule}`, [
        call(logs, 'CloudWatch Logs', new DeleteResourcePolicyCommand({ policyName: rule })),
      ]),
    );
  const group = names.guardDutyFindingsLogGroup;
  if ((await allLogGroups(logs, group)).includes(group))
    removals.push(
      removal('guardduty', account, region, `log group ${group}`, [
        call(logs, 'CloudWatch Logs', new DeleteLogGroupCommand({ logGroupName: group })),
      ]),
    );
  return {
    removals,
    kept: [
      {
        account,
        region,
        what: 'GuardDuty: the detectors, memberships and auto-enable setting stay as they are (turning GuardDuty off is a security decision, not an uninstall; the ledger records what logwarden changed)',
      },
    ],
  };
}

/**
 * The trail: deleted only if logwarden created it (its tag); an existing or external trail stays.
 * `credentials` are those the control functions use for it (functions/ensure-trail): the
 * organization trail's are the security-tooling account's, CloudTrail's delegated administrator,
 * which "can perform the same administrative tasks (except as noted) in CloudTrail as the
 * management account" (CloudTrail User Guide, "Organization delegated administrator"); an
 * account trail's are the member's.
 */
export async function scanTrail(
  config: LogwardenConfig,
  account: string,
  credentials: Credentials,
): Promise<CellScan> {
  const region = config.homeRegion;
  if (config.trail.mode === 'external')
    return {
      removals: [],
      kept: [{ account, region, what: `external trail ${config.trail.arn}: never modified by logwarden` }],
    };
  const arn =
    config.trail.mode === 'organization'
      ? organizationTrailArn(region, config.accounts.management, config.trail.name)
      : accountTrailArn(region, account, config.trail.name);
  const ct = new CloudTrailClient({ region, credentials });
  const trail = ((await ct.send(new DescribeTrailsCommand({ trailNameList: [arn] }))).trailList ?? []).find(
    (t) => t.TrailARN === arn,
  );
  if (!trail) return { removals: [], kept: [] };
  const tags =
    (await ct.send(new ListTagsCommand({ ResourceIdList: [arn] }))).ResourceTagList?.[0]?.TagsList ?? [];
  if (!tags.some((t) => t.Key === MARK.key && t.Value === MARK.value))
    return {
      removals: [],
      kept: [
        {
          account,
          region,
          what: `trail ${arn}: it existed before logwarden (no managed-by tag); settings logwarden changed stay`,
        },
      ],
    };
  return {
    removals: [
      removal('trail', account, region, `trail ${arn}`, [
        call(ct, 'CloudTrail', new DeleteTrailCommand({ Name: arn })),
      ]),
    ],
    kept: [],
  };
}

const errorLine = (err: unknown) =>
  `${(err as Error)?.name ?? 'Error'}: ${((err as Error)?.message ?? String(err)).replace(/\s+/g, ' ')}`.slice(
    0,
    300,
  );

/**
 * The credentials `access` gives for `account`, if STS GetCallerIdentity says they are that
 * account's; otherwise why not. Credentials of another account are never used: with them a
 * removal would act on the wrong account's resources of the same names.
 */
export async function reachAccount(
  account: string,
  access: AccountAccess,
  whoAmI: WhoAmI,
): Promise<{ credentials: Credentials } | { refused: string }> {
  let credentials: Credentials;
  let actual: string;
  try {
    credentials = await access(account);
    actual = await whoAmI(credentials);
  } catch (err) {
    return { refused: `no credentials for account ${account} (${errorLine(err)})` };
  }
  if (actual !== account)
    return {
      refused: `the credentials given for account ${account} are account ${actual}'s (STS GetCallerIdentity): refused, nothing scanned or removed in ${account}`,
    };
  return { credentials };
}

/**
 * Every cell of the given accounts and regions. Each account is scanned only with credentials
 * that STS GetCallerIdentity says are that account's; an account whose credentials are missing
 * or another account's is refused (nothing scanned, nothing removed there) and the others go on.
 * The organization-wide parts (GuardDuty forwarding, the organization trail) are the
 * security-tooling account's, scanned when it is among the accounts.
 */
export async function scanForUninstall(
  config: LogwardenConfig,
  accounts: readonly string[],
  regions: readonly string[],
  access: AccountAccess,
  whoAmI: WhoAmI = stsWhoAmI(config.homeRegion),
): Promise<UninstallScan> {
  const out: UninstallScan = { removals: [], kept: [], refused: [] };
  const add = (s: CellScan) => {
    out.removals.push(...s.removals);
    out.kept.push(...s.kept);
  };
  const reached = new Map<string, Promise<Credentials | undefined>>();
  const reach = (account: string) => {
    let attempt = reached.get(account);
    if (!attempt) {
      attempt = reachAccount(account, access, whoAmI).then((r) => {
        if ('credentials' in r) return r.credentials;
        out.refused.push({ account, why: r.refused });
        return undefined;
      });
      reached.set(account, attempt);
    }
    return attempt;
  };
  const home = regions.includes(config.homeRegion);
  for (const account of accounts) {
    const credentials = await reach(account);
    if (!credentials) continue;
    for (const region of regions) add(await scanMemberCell(account, region, credentials));
    if (config.trail.mode === 'account' && home) add(await scanTrail(config, account, credentials));
  }
  const tooling = config.accounts.securityTooling;
  if (accounts.includes(tooling)) {
    const credentials = await reach(tooling);
    if (credentials) {
      for (const region of regions) add(await scanAdminCell(tooling, region, credentials));
      if (config.trail.mode !== 'account' && home) add(await scanTrail(config, tooling, credentials));
    }
  }
  return out;
}

/** The --plan listing: each removal with its calls, then what stays. */
export function renderUninstallPlan(scan: UninstallScan): string[] {
  const lines: string[] = [];
  for (const r of scan.removals) {
    lines.push(`${r.account} ${r.region}: remove ${r.what}`);
    for (const c of r.calls) lines.push(`    ${c.service} ${c.operation} ${JSON.stringify(c.input)}`);
  }
  for (const k of scan.kept) lines.push(`${k.account} ${k.region}: keep ${k.what}`);
  for (const r of scan.refused) lines.push(`${r.account}: refused: ${r.why}`);
  lines.push(
    `uninstall: ${scan.removals.length} removal(s), ${scan.kept.length} kept${
      scan.refused.length ? `, ${scan.refused.length} account(s) refused` : ''
    }`,
  );
  return lines;
}

/**
 * Runs the removals in waves of `waveSize` accounts; a wave in which a removal failed stops the
 * run (what was removed is reported, the rest is left for a re-run, which finds only what is left).
 */
export async function runUninstall(
  scan: Pick<UninstallScan, 'removals'>,
  options: {
    waveSize: number;
    /** Each removal's outcome: done, failed (`error`), or kept because something still uses it (`kept`). */
    record: (r: Removal, outcome?: { error?: string; kept?: string }) => Promise<void>;
    say: (line: string) => void;
  },
): Promise<{ removed: number; failed: number; kept: number }> {
  const accounts = [...new Set(scan.removals.map((r) => r.account))];
  let removed = 0;
  let failed = 0;
  let kept = 0;
  for (let i = 0; i < accounts.length; i += options.waveSize) {
    const wave = accounts.slice(i, i + options.waveSize);
    await Promise.all(
      wave.map(async (account) => {
        for (const r of scan.removals.filter((x) => x.account === account)) {
          const blocked = r.blockedBy?.();
          if (blocked) {
            kept++;
            await options.record(r, { kept: blocked });
            options.say(`${r.account} ${r.region}: kept ${r.what}: ${blocked}`);
            continue;
          }
          try {
            await r.run();
            removed++;
            await options.record(r);
            options.say(`${r.account} ${r.region}: removed ${r.what}`);
          } catch (err) {
            failed++;
            const why = `${(err as Error).name}: ${(err as Error).message}`.slice(0, 500);
            await options.record(r, { error: why });
            options.say(`${r.account} ${r.region}: could not remove ${r.what}: ${why}`);
          }
        }
      }),
    );
    if (failed) {
      options.say(`uninstall stopped after wave ${i / options.waveSize + 1}: ${failed} removal(s) failed`);
      break;
    }
  }
  return { removed, failed, kept };
}
