/**
 * Onboarding: Organizations reports a created account (`CreateAccountResult`, management
 * account, us-east-1); the management forwarder sends it to the control bus and cover-account
 * runs. The account's StackSet instances (its logwarden roles and forwarders) arrive a little
 * later, as a service-managed StackSet's automatic deployment does, so the first AssumeRole
 * calls meet an account without the role.
 */
import { AccountClient, EnableRegionCommand, GetRegionOptStatusCommand } from '@aws-sdk/client-account';
import { createAccountResultEvent, type AwsEvent } from '../aws-events';
import type { Started } from '../control-plane';
import type { Organization } from './organization';
import { vpcBeforeLogwarden } from './vpc';
import type { Say } from './report';
import { emittedEvents, type Denial } from '../standins/prerequisites';
import { names } from '../../contracts/names';

/**
 * How long the StackSet instance takes after the first refused AssumeRole, on the local clock
 * (100× faster: about 50 s of AWS time). In AWS a service-managed StackSet takes minutes to
 * create a new account's instance while cover-account reaches its first AssumeRole within
 * seconds, so the controls always meet an account without the role first. Locally the instance
 * arrives this long after the stand-in has refused the first AssumeRole into the account, so
 * every run goes through that race, never by luck of timing.
 */
export const BASELINE_DELAY_MS = 500;

/** AssumeRole calls into `account`'s logwarden-member-execution the stand-in refused. */
export function assumeRoleDenials(denials: Denial[], account: string): Denial[] {
  return denials.filter(
    (d) =>
      d.action === 'sts:AssumeRole' &&
      d.message.includes(`arn:aws:iam::${account}:role/${names.memberExecutionRole}`),
  );
}

export async function onboardAccount(
  org: Organization,
  account: string,
  options: { baselineDelayMs?: number } = {},
): Promise<{ started: Started[]; assumeRoleDenialsBeforeBaseline: number }> {
  await org.createAccount(account);
  let done = false;
  let deniedBeforeBaseline = 0;
  const baseline = (async () => {
    // The StackSet instance arrives after the controls have met the account without it.
    while (!done && !assumeRoleDenials(await org.denials(), account).length)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, options.baselineDelayMs ?? BASELINE_DELAY_MS));
    deniedBeforeBaseline = assumeRoleDenials(await org.denials(), account).length;
    await org.deployBaseline(account);
  })();
  const started = await org.emit(createAccountResultEvent(org.management, account)).finally(() => {
    done = true;
  });
  await baseline;
  return { started, assumeRoleDenialsBeforeBaseline: deniedBeforeBaseline };
}

/**
 * A region opted in for `account` by `caller` (the management account, naming the member's
 * `AccountId`, or the account itself, naming none) with the Account API's `EnableRegion`. The
 * stand-in (local/standins/account.py) answers `ENABLING` first and `ENABLED` once the opt-in
 * has finished, and sends "Region Opt-In Status Change" to the caller's account in us-east-1 at
 * each step, as AWS does; those events, not the run, reach the deployed rules. A default
 * region cannot be enabled (ValidationException), so it sends none; nor can a region already
 * ENABLING or ENABLED (ValidationException, "Unable to switch region status because of its
 * current opt-in status."): a person opts in once, so this is called once per account and region.
 */
export async function optInRegion(
  org: Organization,
  caller: string,
  account: string,
  region: string,
): Promise<{ started: Started[]; statuses: string[]; events: AwsEvent[] }> {
  const client = new AccountClient({ region: 'us-east-1', credentials: await org.admin(caller) });
  const AccountId = caller === account ? undefined : account;
  const { next } = await emittedEvents(org.endpoint);
  await client.send(new EnableRegionCommand({ AccountId, RegionName: region }));
  const statuses: string[] = [];
  for (const deadline = Date.now() + 60_000; ;) {
    const now = (await client.send(new GetRegionOptStatusCommand({ AccountId, RegionName: region })))
      .RegionOptStatus!;
    if (statuses.at(-1) !== now) statuses.push(now);
    if (now === 'ENABLED') break;
    if (Date.now() > deadline) throw new Error(`${region} of ${account} is still ${now} after 60 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const ours = (e: AwsEvent) =>
    e['detail-type'] === 'Region Opt-In Status Change' &&
    e.detail.regionName === region &&
    e.detail.accountId === account;
  const events = (await emittedEvents(org.endpoint, next)).events.filter(ours);
  // Put on the buses with everything else the stand-in emitted (Organization.deliverEmitted).
  const started = (await org.deliverEmitted()).filter((d) => ours(d.event)).flatMap((d) => d.started);
  return { started, statuses, events };
}

/** Every member account created, one after the other, as the run tells it. */
export async function onboardMembers(
  org: Organization,
  say: Say,
  accounts: readonly string[] = org.members,
): Promise<void> {
  for (const account of accounts) {
    const before = org.plane.runs.length;
    const { started, assumeRoleDenialsBeforeBaseline } = await onboardAccount(org, account);
    const runs = org.plane.runs.slice(before);
    say(
      `CreateAccountResult ${account} (management account, us-east-1) → ${started.map((s) => `${s.workflow} ${s.name}`).join(', ') || 'nothing'}: ${runs.length} executions, ${runs.reduce((n, r) => n + r.run.transitions, 0)} state transitions, ${runs.reduce((n, r) => n + r.run.retries, 0)} retries (${assumeRoleDenialsBeforeBaseline} AssumeRole refused before the baseline arrived)`,
    );
  }
}

/**
 * An account that was in the organization before logwarden: a VPC of its own beside the default
 * one in every governed region (created while no trail logged its calls, so it started
 * nothing), then its StackSet instances.
 */
export async function existingAccount(org: Organization, account: string, cidrBlock = '10.20.0.0/16') {
  await org.createAccount(account);
  for (const region of org.regions) await vpcBeforeLogwarden(org, account, region, cidrBlock);
  await org.deployBaseline(account);
}
