import { logGroupExists } from '../shared/log-groups';
import type { LedgerRow } from '../../contracts/ledger';
import {
  CloudWatchLogsClient,
  DeleteSubscriptionFilterCommand,
  DescribeAccountPoliciesCommand,
  DescribeLogGroupsCommand,
  DescribeSubscriptionFiltersCommand,
  PutAccountPolicyCommand,
  PutSubscriptionFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { ControlResult, ControlTarget } from '../../contracts/coverage';
import { controlResult } from '../shared/coverage';
import { isRetryable } from '../shared/retryable';

export interface SubscriptionSettings {
  /** The central destination of this region. */
  destinationArn: string;
  /**
   * The member's own subscription role (contracts/names.ts subscriptionRoleArn). The
   * destinations grant the whole organization, and then "you will need to use the ARN of the IAM
   * role that you created in Step 2" (CloudWatch Logs User Guide, account-level subscriptions,
   * Step 3): a policy without it is drift.
   */
  roleArn: string;
  /** The account policy's name (and, in the fallback, each filter's name): `logwarden-central-<region>`. */
  policyName: string;
  /** Log groups that must never feed the pipeline (its own), by exact name. */
  excludedLogGroups: string[];
  /**
   * When someone else's account policy holds the slot: subscribe each group (default), or
   * report and add nothing (config subscription.besideForeignPolicy).
   */
  besideForeignPolicy?: 'per-group-filters' | 'report';
  /**
   * Whether logwarden's own per-group filters may be left from a fallback (the cell's previous
   * ledger row, {@link ownFiltersMayRemain}). Only then, once logwarden's account policy is in
   * place and covers, are the account's log groups read for them: an account that never fell
   * back costs no DescribeSubscriptionFilters a group.
   */
  ownFiltersMayRemain?: boolean;
}

/** Evidence keys that say logwarden's own per-group filters are, or may be, in the account. */
export const OWN_FILTERS_EVIDENCE = ['subscribedLogGroups', 'ownFiltersRemain'] as const;

/**
 * From the cell's previous ledger row: may logwarden's per-group filters remain? Yes after a
 * fallback run (its evidence counts the subscribed groups) or a removal left unfinished; yes after
 * a run whose failure the workflow caught (its row has no evidence, so what it left is unknown);
 * no for a row of a run that found the account policy and no filter of its own left, and for no row.
 */
export function ownFiltersMayRemain(previous: Pick<LedgerRow, 'status' | 'evidence'> | undefined): boolean {
  if (!previous) return false;
  const evidence = previous.evidence ?? {};
  if (OWN_FILTERS_EVIDENCE.some((k) => k in evidence)) return true;
  return previous.status === 'failed' && !Object.keys(evidence).length;
}

/** Where an account policy document sends logs, for the evidence naming it. */
function destinationOf(document: string | undefined): string {
  try {
    return (JSON.parse(document ?? '{}') as SubscriptionDocument).DestinationArn ?? 'no destination';
  } catch {
    return 'an unreadable document';
  }
}

/** CloudWatch Logs allows two subscription filters per log group. */
export const FILTERS_PER_GROUP = 2;

export function selectionCriteria(excluded: string[]): string {
  return `LogGroupName NOT IN [${excluded.map((g) => JSON.stringify(g)).join(', ')}]`;
}

interface SubscriptionDocument {
  DestinationArn?: string;
  FilterPattern?: string;
  Distribution?: string;
  RoleArn?: string;
}

/**
 * What differs between logwarden's account policy and the desired one: the whole policy
 * document (destination, the member's subscription role, a filter pattern that lets everything
 * through, distribution) and the selection criteria. A filter pattern that never matches would
 * look covered while sending nothing; a policy without the role is one CloudWatch Logs refuses
 * for a destination that grants the organization.
 */
export function policyDrift(
  policy: { policyDocument?: string; selectionCriteria?: string; scope?: string },
  wanted: Required<SubscriptionDocument>,
  criteria: string,
): string[] {
  let doc: SubscriptionDocument;
  try {
    doc = JSON.parse(policy.policyDocument ?? '{}') as SubscriptionDocument;
  } catch {
    return ['its policy document is not JSON'];
  }
  const drift: string[] = [];
  const differs = (what: string, found: unknown, want: unknown) => {
    if (found !== want)
      drift.push(`${what} was ${JSON.stringify(found ?? null)}, not ${JSON.stringify(want)}`);
  };
  differs('destination', doc.DestinationArn, wanted.DestinationArn);
  differs('role', doc.RoleArn, wanted.RoleArn);
  differs('filter pattern', doc.FilterPattern ?? '', wanted.FilterPattern);
  differs('distribution', doc.Distribution ?? 'ByLogStream', wanted.Distribution);
  differs('selection criteria', policy.selectionCriteria, criteria);
  if (policy.scope && policy.scope !== 'ALL') differs('scope', policy.scope, 'ALL');
  return drift;
}

/** What differs in a per-log-group filter of logwarden's (the fallback): destination, role, pattern, distribution. */
export function subscriptionFilterDrift(
  filter: { destinationArn?: string; filterPattern?: string; distribution?: string; roleArn?: string },
  destinationArn: string,
  roleArn: string,
): string[] {
  const drift: string[] = [];
  if (filter.destinationArn !== destinationArn)
    drift.push(`destination was ${filter.destinationArn}, not ${destinationArn}`);
  if (filter.roleArn !== roleArn) drift.push(`role was ${filter.roleArn ?? 'none'}, not ${roleArn}`);
  if ((filter.filterPattern ?? '') !== '')
    drift.push(`filter pattern was ${JSON.stringify(filter.filterPattern)}, not "" (everything)`);
  if ((filter.distribution ?? 'ByLogStream') !== 'Random')
    drift.push(`distribution was ${filter.distribution ?? 'ByLogStream'}, not Random`);
  return drift;
}

/**
 * CloudWatch Logs could not deliver the test message it sends when a subscription is made:
 * InvalidParameterException "Could not deliver test message to specified destination. Check if
 * the destination is valid." Right after a new account's baseline creates the subscription role,
 * this is IAM propagation, not a broken destination, and it passes within minutes
 * (terraform-provider-aws retries PutSubscriptionFilter on this message for five minutes). A
 * named error, so the workflow retries it with a bounded backoff (workflows/resilience.ts
 * `subscriptionTestRetry`) instead of leaving the account uncovered until the next sweep.
 */
export class SubscriptionTestUndelivered extends Error {
  static readonly errorName = 'SubscriptionTestUndelivered';
  constructor(cause: Error) {
    super(`CloudWatch Logs could not deliver its test message to the destination: ${cause.message}`, {
      cause,
    });
    this.name = SubscriptionTestUndelivered.errorName;
  }
}

/** Sends a subscribing call, naming an undelivered test message as such. */
async function subscribing<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (err) {
    const e = err as Error;
    if (e.name === 'InvalidParameterException' && /Could not deliver test message/.test(e.message))
      throw new SubscriptionTestUndelivered(e);
    throw err;
  }
}

/** One log group's reason is cut to this many characters, and at most this many are named. */
const GROUP_REASON_CHARS = 200;
const GROUPS_NAMED = 5;

/** The first few entries and how many more: a result's reason stays short for the ledger. */
function boundedList(items: string[], what: string): string {
  const named = items.slice(0, GROUPS_NAMED).join('; ');
  return items.length > GROUPS_NAMED ? `${named}; and ${items.length - GROUPS_NAMED} more ${what}` : named;
}

/** One log group beside a foreign account policy: its filter put or corrected, or why not. */
async function subscribeGroup(
  logs: CloudWatchLogsClient,
  name: string,
  settings: SubscriptionSettings,
  foreignPolicy: string,
): Promise<{ action?: string; failure?: string }> {
  const filters =
    (await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: name }))).subscriptionFilters ??
    [];
  const mine = filters.find((f) => f.filterName === settings.policyName);
  const filterDrift = mine ? subscriptionFilterDrift(mine, settings.destinationArn, settings.roleArn) : [];
  if (mine && !filterDrift.length) return {};
  if (!mine && filters.length >= FILTERS_PER_GROUP)
    return {
      failure: `${name} already has ${filters.length} subscription filters (${filters.map((f) => f.filterName).join(', ')}); logwarden removed none`,
    };
  await subscribing(() =>
    logs.send(
      new PutSubscriptionFilterCommand({
        logGroupName: name,
        filterName: settings.policyName,
        filterPattern: '',
        destinationArn: settings.destinationArn,
        roleArn: settings.roleArn,
        distribution: 'Random',
      }),
    ),
  );
  return {
    action: mine
      ? `corrected the subscription filter of ${name}: ${filterDrift.join('; ')}`
      : `subscribed ${name} to the central destination (account policy slot held by ${foreignPolicy})`,
  };
}

/** Every log group of the account and region but the pipeline's own, page by page (nextToken). */
async function* subscribableGroups(
  logs: CloudWatchLogsClient,
  settings: SubscriptionSettings,
): AsyncGenerator<string> {
  let nextToken: string | undefined;
  do {
    const page = await logs.send(new DescribeLogGroupsCommand({ nextToken }));
    nextToken = page.nextToken;
    for (const group of page.logGroups ?? []) {
      const name = group.logGroupName as string;
      if (!settings.excludedLogGroups.includes(name)) yield name;
    }
  } while (nextToken);
}

/**
 * Removes logwarden's own per-group filters (its filter name and the central destination, never
 * anyone else's) once its account policy covers the account: "Account-level and log-group-level
 * subscription filters are additive. A log group can have up to 1 account-level and up to 2
 * log-group-level subscription filters." (CloudWatch Logs API Reference, PutAccountPolicy), so a
 * fallback's filter left in place delivers each event a second time and holds one of the group's
 * two slots. Describe first, delete only what is there.
 */
async function removeOwnFilters(
  logs: CloudWatchLogsClient,
  settings: SubscriptionSettings,
  evidence: Record<string, string>,
  actions: string[],
  failures: string[],
): Promise<void> {
  const removed: string[] = [];
  const left: string[] = [];
  for await (const name of subscribableGroups(logs, settings)) {
    try {
      const filters =
        (await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: name })))
          .subscriptionFilters ?? [];
      const own = filters.filter(
        (f) => f.filterName === settings.policyName && f.destinationArn === settings.destinationArn,
      );
      for (const f of own) {
        await logs.send(
          new DeleteSubscriptionFilterCommand({ logGroupName: name, filterName: f.filterName }),
        );
        removed.push(name);
      }
    } catch (err) {
      if (isRetryable(err)) throw err;
      const e = err as Error;
      // The group (or the filter) is gone since it was listed: nothing of logwarden's is left.
      if (e.name === 'ResourceNotFoundException') continue;
      left.push(`${name}: ${e.name}: ${e.message}`.slice(0, GROUP_REASON_CHARS));
    }
  }
  evidence.removedOwnFilters = String(removed.length);
  if (removed.length)
    actions.push(
      `removed logwarden's own subscription filter ${settings.policyName} from ${removed.length} log groups (${boundedList(removed, 'log groups')}), left from the fallback: the account policy ${settings.policyName} covers them, and with both each event was delivered twice`,
    );
  if (left.length) {
    evidence.ownFiltersRemain = String(left.length);
    failures.push(`logwarden's own filters could not be removed: ${boundedList(left, 'log groups')}`);
  }
}

/** logwarden's account policy as CloudWatch Logs now answers it, and whether it covers. */
async function accountPolicyCovers(
  logs: CloudWatchLogsClient,
  settings: SubscriptionSettings,
  wanted: Required<SubscriptionDocument>,
  criteria: string,
): Promise<boolean> {
  const found = await logs.send(
    new DescribeAccountPoliciesCommand({
      policyType: 'SUBSCRIPTION_FILTER_POLICY',
      policyName: settings.policyName,
    }),
  );
  const ours = (found.accountPolicies ?? []).find((p) => p.policyName === settings.policyName);
  return Boolean(ours) && !policyDrift(ours!, wanted, criteria).length;
}

/**
 * The account-level subscription filter policy sends every log group but the pipeline's own to
 * the central destination of this region. If another account policy of the same type is
 * already there (someone else's), logwarden leaves it alone and subscribes each log group
 * instead, within the limit of two filters a group, never removing a filter it does not own.
 * Once its own account policy covers again, it removes the per-group filters a fallback left
 * (only when `settings.ownFiltersMayRemain`: the cell's previous row says they may be there).
 */
export async function ensureSubscription(
  logs: CloudWatchLogsClient,
  target: ControlTarget,
  settings: SubscriptionSettings,
): Promise<ControlResult> {
  const actions: string[] = [];
  const failures: string[] = [];
  const criteria = selectionCriteria(settings.excludedLogGroups);
  const wantedDocument = {
    DestinationArn: settings.destinationArn,
    RoleArn: settings.roleArn,
    FilterPattern: '',
    Distribution: 'Random',
  };

  const policies = [];
  let policyToken: string | undefined;
  do {
    // Followed to the last page (DescribeAccountPolicies answers with nextToken when there is more).
    const page = await logs.send(
      new DescribeAccountPoliciesCommand({
        policyType: 'SUBSCRIPTION_FILTER_POLICY',
        nextToken: policyToken,
      }),
    );
    policies.push(...(page.accountPolicies ?? []));
    policyToken = page.nextToken;
  } while (policyToken);
  const ours = policies.find((p) => p.policyName === settings.policyName);
  const foreign = policies.filter((p) => p.policyName !== settings.policyName);
  const evidence: Record<string, string> = {};

  const drift = ours ? policyDrift(ours, wantedDocument, criteria) : [];
  if (ours && !drift.length) {
    evidence.accountPolicy = settings.policyName;
    if (settings.ownFiltersMayRemain) await removeOwnFilters(logs, settings, evidence, actions, failures);
    return controlResult('subscription', target, evidence, actions, failures);
  }
  if (!foreign.length) {
    await subscribing(() =>
      logs.send(
        new PutAccountPolicyCommand({
          policyName: settings.policyName,
          policyType: 'SUBSCRIPTION_FILTER_POLICY',
          policyDocument: JSON.stringify(wantedDocument),
          selectionCriteria: criteria,
          scope: 'ALL',
        }),
      ),
    );
    actions.push(
      ours
        ? `corrected account subscription policy ${settings.policyName}: ${drift.join('; ')}`
        : `put account subscription policy ${settings.policyName} to ${settings.destinationArn}, because the account had none`,
    );
    evidence.accountPolicy = settings.policyName;
    if (settings.ownFiltersMayRemain) {
      // Only once the account policy is there and covers: until then the per-group filters are
      // the groups' only subscription to the central destination.
      if (await accountPolicyCovers(logs, settings, wantedDocument, criteria))
        await removeOwnFilters(logs, settings, evidence, actions, failures);
      else evidence.ownFiltersRemain = 'kept until the account policy is seen covering';
    }
    return controlResult('subscription', target, evidence, actions, failures);
  }

  // Someone else's account policy holds the slot ("Each account can have one account-level
  // subscription filter policy per Region.", CloudWatch Logs API Reference, PutAccountPolicy): it
  // is reported, never replaced.
  evidence.foreignAccountPolicy = foreign
    .map((p) => `${p.policyName} → ${destinationOf(p.policyDocument)}`)
    .join(', ');
  if (settings.besideForeignPolicy === 'report') {
    failures.push(
      `account subscription policy ${evidence.foreignAccountPolicy} holds the account's slot; logwarden added nothing (subscription.besideForeignPolicy is report)`,
    );
    return controlResult('subscription', target, evidence, actions, failures);
  }
  // Subscribe log groups one by one. Each group's failure is its own: a group that cannot be
  // subscribed (LimitExceededException, InvalidOperationException… PutSubscriptionFilter's
  // errors in the API model) is reported and the next group is subscribed all the same, so a
  // group that fails for good does not leave every group after it uncovered, run after run.
  let subscribed = 0;
  const gone: string[] = [];
  const groupFailures: string[] = [];
  for await (const name of subscribableGroups(logs, settings)) {
    try {
      const outcome = await subscribeGroup(logs, name, settings, evidence.foreignAccountPolicy);
      if (outcome.failure) groupFailures.push(outcome.failure);
      else subscribed++;
      if (outcome.action) actions.push(outcome.action);
    } catch (err) {
      // Throttling and 5xx go to the workflow's retry, as do an undelivered test message.
      if (isRetryable(err) || err instanceof SubscriptionTestUndelivered) throw err;
      const e = err as Error;
      // PutSubscriptionFilter's ResourceNotFoundException ("The specified resource does not
      // exist.") may name the destination as well as the group: the group is taken as deleted
      // only when DescribeLogGroups no longer lists it.
      if (e.name === 'ResourceNotFoundException' && !(await logGroupExists(logs, name))) {
        // Deleted since DescribeLogGroups listed it: nothing left to subscribe.
        gone.push(name);
        continue;
      }
      groupFailures.push(`${name}: ${e.name}: ${e.message}`.slice(0, GROUP_REASON_CHARS));
    }
  }
  if (groupFailures.length) {
    failures.push(boundedList(groupFailures, 'log groups'));
    evidence.unsubscribedLogGroups = String(groupFailures.length);
  }
  if (gone.length) evidence.deletedMeanwhile = boundedList(gone, 'log groups');
  evidence.subscribedLogGroups = String(subscribed);
  evidence.note =
    'per-group filters beside the foreign account policy: a log group created later is subscribed at the next heal or sweep';
  return controlResult('subscription', target, evidence, actions, failures);
}
