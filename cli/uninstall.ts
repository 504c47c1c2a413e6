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
import { DeleteFlowLogsCommand, DescribeFlowLogsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DeleteRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';

type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;
import type { LogwardenConfig } from '../contracts/config';
import type { ControlName } from '../contracts/coverage';
import { accountTrailArn, names, organizationTrailArn, subscriptionPolicyName } from '../contracts/names';
import { flowLogGroupPrefix } from '../functions/shared/flow-log-formats';

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
}

/** What is left alone, and why. */
export interface Kept {
  account: string;
  region: string;
  what: string;
}

export interface UninstallScan {
  removals: Removal[];
  kept: Kept[];
}

/** Credentials of a person administering `account` (a role in it, the management account's own). */
export type AccountAccess = (account: string) => Promise<Credentials>;

const MARK = { key: 'managed-by', value: 'logwarden' };

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
): Promise<UninstallScan> {
  const ec2 = new EC2Client({ region, credentials });
  const logs = new CloudWatchLogsClient({ region, credentials });
  const removals: Removal[] = [];
  const flowLogs = [];
  let NextToken: string | undefined;
  do {
    const page = await ec2.send(new DescribeFlowLogsCommand({ MaxResults: 1000, NextToken }));
    flowLogs.push(...(page.FlowLogs ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  for (const fl of flowLogs.filter((f) =>
    (f.Tags ?? []).some((t) => t.Key === MARK.key && t.Value === MARK.value),
  ))
    removals.push(
      removal('flow-logs', account, region, `flow log ${fl.FlowLogId} of ${fl.ResourceId}`, [
        call(ec2, 'EC2', new DeleteFlowLogsCommand({ FlowLogIds: [fl.FlowLogId as string] })),
      ]),
    );
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
      removals.push(
        removal('flow-logs', account, region, `log group ${group}`, [
          call(logs, 'CloudWatch Logs', new DeleteLogGroupCommand({ logGroupName: group })),
        ]),
      );
  }
  return { removals, kept: [] };
}

/** The GuardDuty administrator's cell (security-tooling account, one region): findings forwarding. */
export async function scanAdminCell(
  account: string,
  region: string,
  credentials: Credentials,
): Promise<UninstallScan> {
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

/** The trail: deleted only if logwarden created it (its tag); an existing or external trail stays. */
export async function scanTrail(
  config: LogwardenConfig,
  account: string,
  credentials: Credentials,
): Promise<UninstallScan> {
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

/** Every cell of the given accounts and regions. */
export async function scanForUninstall(
  config: LogwardenConfig,
  accounts: readonly string[],
  regions: readonly string[],
  access: AccountAccess,
): Promise<UninstallScan> {
  const out: UninstallScan = { removals: [], kept: [] };
  const add = (s: UninstallScan) => {
    out.removals.push(...s.removals);
    out.kept.push(...s.kept);
  };
  for (const account of accounts) {
    const credentials = await access(account);
    for (const region of regions) add(await scanMemberCell(account, region, credentials));
    if (config.trail.mode === 'account' && regions.includes(config.homeRegion))
      add(await scanTrail(config, account, credentials));
  }
  if (accounts.includes(config.accounts.securityTooling)) {
    const credentials = await access(config.accounts.securityTooling);
    for (const region of regions)
      add(await scanAdminCell(config.accounts.securityTooling, region, credentials));
  }
  if (config.trail.mode !== 'account' && regions.includes(config.homeRegion))
    add(await scanTrail(config, config.accounts.management, await access(config.accounts.management)));
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
  lines.push(`uninstall: ${scan.removals.length} removal(s), ${scan.kept.length} kept`);
  return lines;
}

/**
 * Runs the removals in waves of `waveSize` accounts; a wave in which a removal failed stops the
 * run (what was removed is reported, the rest is left for a re-run, which finds only what is left).
 */
export async function runUninstall(
  scan: UninstallScan,
  options: {
    waveSize: number;
    record: (r: Removal, error?: string) => Promise<void>;
    say: (line: string) => void;
  },
): Promise<{ removed: number; failed: number }> {
  const accounts = [...new Set(scan.removals.map((r) => r.account))];
  let removed = 0;
  let failed = 0;
  for (let i = 0; i < accounts.length; i += options.waveSize) {
    const wave = accounts.slice(i, i + options.waveSize);
    await Promise.all(
      wave.map(async (account) => {
        for (const r of scan.removals.filter((x) => x.account === account)) {
          try {
            await r.run();
            removed++;
            await options.record(r);
            options.say(`${r.account} ${r.region}: removed ${r.what}`);
          } catch (err) {
            failed++;
            const why = `${(err as Error).name}: ${(err as Error).message}`.slice(0, 500);
            await options.record(r, why);
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
  return { removed, failed };
}
