/**
 * The API budget of `cover-account-region`, measured: the synthesized workflow runs with the real
 * control handlers on the strict stand-ins (moto with logwarden's extension, IAM enforced, each
 * function under its own role, the organization's prerequisites in place), every request
 * through the counting proxy (local/counting-proxy.ts), for six cases of one account × region:
 *
 * - `covered`: already covered (cover-account-region run once before; the second run is counted),
 *   in the home region;
 * - `covered-other-region`: the same in another governed region, where the trail cell verifies
 *   the multi-region trail with two reads in the home region (functions/ensure-trail);
 * - `covered-administrator`: the security-tooling account's own cell, home region, where the
 *   GuardDuty control checks what is the organization's (once per region and sweep);
 * - `new`: an account that joined with its baseline (roles, forwarders) and a VPC of its own,
 *   in an organization where logwarden already runs (the trail and the administrator's GuardDuty
 *   settings exist);
 * - `drift`: the covered account after every kind of drift: a flow log deleted, the trail
 *   stopped and its management events dropped from its selectors, GuardDuty auto-enable
 *   narrowed and the member disassociated, the account's subscription policy deleted. Every
 *   control must heal.
 * - `covered-after-drift`: the same cell once more: covered, but the trail now has custom
 *   selectors (the ones its heal put back), which must be read.
 *
 * Payer: who pays a call's quota, from the signing credentials' account: `admin` for the
 * security-tooling account (shared by the whole organization, per region), `member` for the
 * account being covered.
 */
import { CloudTrailClient, PutEventSelectorsCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient, DeleteAccountPolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DeleteFlowLogsCommand, DescribeFlowLogsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DisassociateMembersCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  UpdateOrganizationConfigurationCommand,
} from '@aws-sdk/client-guardduty';
import { organizationTrailArn, subscriptionPolicyName } from '../contracts/names';
import type { ControlResult } from '../contracts/coverage';
import type { WorkflowOutput } from '../contracts/coverage';
import { startCountingProxy, type CallKind, type CountedCall } from '../local/counting-proxy';
import { member } from '../local/emulated-org';
import { startMoto } from '../local/moto';
import { expand } from './calibrate';
import { existingAccount } from '../local/scenario/onboard';
import { emulateOrganization, type Organization } from '../local/scenario/organization';
import type { ModelledCall, Payer } from './model';

export type BudgetCase =
  'covered' | 'covered-other-region' | 'covered-administrator' | 'new' | 'drift' | 'covered-after-drift';
export const budgetCases: readonly BudgetCase[] = [
  'covered',
  'covered-other-region',
  'covered-administrator',
  'new',
  'drift',
  'covered-after-drift',
];

export interface BudgetLine {
  service: string;
  operation: string;
  kind: CallKind;
  count: number;
  payer: Payer;
  /** The call went to us-east-1 whatever the cell's region (a global service's endpoint). */
  global?: boolean;
}

export interface BudgetCaseResult {
  account: string;
  region: string;
  /** Per function of the workflow (the four controls, write-ledger): its calls, by API. */
  functions: Record<string, BudgetLine[]>;
  /** What each control reported: covered or healed, and why. */
  results: Pick<ControlResult, 'control' | 'status' | 'actions'>[];
}

export type ApiBudget = Record<BudgetCase, BudgetCaseResult>;

/** The targets of issue 15 for a control in a covered account × region. */
export const coveredTarget = { reads: 2, writes: 0 } as const;

const newMember = '555555555555';

const controlFunctions = ['ensure-flow-logs', 'ensure-trail', 'ensure-guardduty', 'ensure-subscription'];

/** Counted calls of one run, grouped per function and API, in first-call order. */
export function summarize(
  calls: readonly CountedCall[],
  cell: { account: string; region: string },
  adminAccount: string,
): Record<string, BudgetLine[]> {
  const out: Record<string, BudgetLine[]> = {};
  for (const c of calls) {
    const payer: Payer | undefined =
      c.account === adminAccount ? 'admin' : c.account === cell.account ? 'member' : undefined;
    if (!payer)
      throw new Error(
        `${c.fn} called ${c.service}:${c.operation} with credentials of ${c.account ?? 'an unknown account'}, neither the administrator's nor ${cell.account}'s`,
      );
    const global = c.region !== cell.region && c.region === 'us-east-1';
    const lines = (out[c.fn] ??= []);
    const line = lines.find(
      (l) => l.service === c.service && l.operation === c.operation && l.payer === payer,
    );
    if (line) line.count++;
    else
      lines.push({
        service: c.service,
        operation: c.operation,
        kind: c.kind,
        count: 1,
        payer,
        ...(global ? { global } : {}),
      });
  }
  return out;
}

async function run(
  org: Organization,
  proxy: Awaited<ReturnType<typeof startCountingProxy>>,
  account: string,
  region: string,
  name: string,
): Promise<BudgetCaseResult> {
  proxy.reset();
  const started = await org.plane.start('cover-account-region', name, { account, region });
  const output = started.run?.output as WorkflowOutput | undefined;
  if (!output) throw new Error(`cover-account-region ${name} did not run`);
  if (!proxy.calls.some((c) => c.fn === 'write-ledger'))
    throw new Error(
      'the counting proxy saw no call of write-ledger: was it started after the SDK made its first request?',
    );
  // Every control runs in every case; one that made no call is listed with none.
  const functions = {
    ...Object.fromEntries(controlFunctions.map((fn) => [fn, [] as BudgetLine[]])),
    ...summarize(proxy.calls, { account, region }, org.securityTooling),
  };
  return {
    account,
    region,
    functions,
    results: output.results.map(({ control, status, actions }) => ({ control, status, actions })),
  };
}

/** Every kind of drift the four controls repair, made in `account` and `region` by the people who can. */
async function drift(org: Organization, account: string, region: string): Promise<void> {
  const person = await org.admin(account);
  const ec2 = new EC2Client({ region, credentials: person });
  const [victim] = (await ec2.send(new DescribeFlowLogsCommand({}))).FlowLogs ?? [];
  if (!victim) throw new Error(`no flow log to delete in ${account} ${region}`);
  await ec2.send(new DeleteFlowLogsCommand({ FlowLogIds: [victim.FlowLogId!] }));
  // A person of the security-tooling account, the CloudTrail and GuardDuty delegated
  // administrator: it reaches the organization trail by its ARN and manages the members.
  const administrator = await org.admin(org.securityTooling);
  const home = org.config.homeRegion;
  const trail = new CloudTrailClient({ region: home, credentials: administrator });
  const trailArn = organizationTrailArn(home, org.management, org.config.trail.name);
  await trail.send(new StopLoggingCommand({ Name: trailArn }));
  // Data events of one bucket only: the management events are gone.
  await trail.send(
    new PutEventSelectorsCommand({
      TrailName: trailArn,
      EventSelectors: [
        {
          ReadWriteType: 'All',
          IncludeManagementEvents: false,
          DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::org-trail-bucket/'] }],
        },
      ],
    }),
  );
  const gd = new GuardDutyClient({ region, credentials: administrator });
  const [detector] = (await gd.send(new ListDetectorsCommand({}))).DetectorIds ?? [];
  // Disassociating an organization member is refused while auto-enable is ALL: narrow it first.
  await gd.send(
    new UpdateOrganizationConfigurationCommand({
      DetectorId: detector,
      AutoEnableOrganizationMembers: 'NEW',
    }),
  );
  await gd.send(new DisassociateMembersCommand({ DetectorId: detector, AccountIds: [account] }));
  await new CloudWatchLogsClient({ region, credentials: person }).send(
    new DeleteAccountPolicyCommand({
      policyName: subscriptionPolicyName(region),
      policyType: 'SUBSCRIPTION_FILTER_POLICY',
    }),
  );
}

/**
 * Runs the three cases on fresh stand-ins and returns the calls each function made. Takes about
 * a minute (moto start, synthesis, the organization's set-up).
 */
export async function measureApiBudget(): Promise<ApiBudget> {
  const moto = await startMoto();
  const proxy = await startCountingProxy(moto.endpoint);
  try {
    const org = await emulateOrganization(proxy.endpoint, { members: [member, newMember] });
    const region = org.config.homeRegion;
    await existingAccount(org, member);
    const first = await run(org, proxy, member, region, 'budget-first');
    if (first.results.some((r) => r.status === 'failed'))
      throw new Error(`the first run failed: ${JSON.stringify(first.results)}`);
    const covered = await run(org, proxy, member, region, 'budget-covered');
    const other = org.regions.find((r) => r !== region);
    if (!other) throw new Error('the API budget needs a second governed region');
    await run(org, proxy, member, other, 'budget-first-other');
    const coveredOther = await run(org, proxy, member, other, 'budget-covered-other');
    await run(org, proxy, org.securityTooling, region, 'budget-first-administrator');
    const coveredAdmin = await run(org, proxy, org.securityTooling, region, 'budget-covered-administrator');
    await existingAccount(org, newMember, '10.30.0.0/16');
    const fresh = await run(org, proxy, newMember, region, 'budget-new');
    await drift(org, member, region);
    const drifted = await run(org, proxy, member, region, 'budget-drift');
    const afterDrift = await run(org, proxy, member, region, 'budget-covered-after-drift');
    return {
      covered,
      'covered-other-region': coveredOther,
      'covered-administrator': coveredAdmin,
      new: fresh,
      drift: drifted,
      'covered-after-drift': afterDrift,
    };
  } finally {
    await proxy.stop();
    await moto.stop();
  }
}

/**
 * A covered case as the per-function call lists the sweep simulation models (scale/model.ts
 * `coveredCalls`): one entry per call, so a call made twice is listed twice. `covered` is the
 * home region's cell (the trail is read there), `covered-other-region` every other region's.
 */
export function modelledCalls(
  budget: ApiBudget,
  which: 'covered' | 'covered-other-region' = 'covered',
): Record<string, ModelledCall[]> {
  const out: Record<string, ModelledCall[]> = {};
  for (const fn of controlFunctions) out[fn] = expand(budget[which].functions[fn]);
  return out;
}

const total = (lines: BudgetLine[] = [], kind?: CallKind) =>
  lines.filter((l) => !kind || l.kind === kind).reduce((n, l) => n + l.count, 0);

/** The budget as text: per case and function, the calls by API, then a calls/reads/writes table. */
export function formatApiBudget(budget: ApiBudget): string {
  const out: string[] = ['API budget of cover-account-region, measured on the stand-ins'];
  for (const c of budgetCases) {
    const { account, region, functions, results } = budget[c];
    out.push('', `${c} (${account} ${region}): ${results.map((r) => `${r.control} ${r.status}`).join(', ')}`);
    for (const [fn, lines] of Object.entries(functions))
      out.push(
        `  ${fn}: ${lines.map((l) => `${l.service}:${l.operation}${l.count > 1 ? ` ×${l.count}` : ''} (${l.kind}, ${l.payer})`).join(', ')}`,
      );
  }
  out.push('', 'function             case                   calls  reads  writes  auth');
  for (const fn of [...controlFunctions, 'write-ledger'])
    for (const c of budgetCases) {
      const lines = budget[c].functions[fn];
      out.push(
        `${fn.padEnd(20)} ${c.padEnd(21)} ${String(total(lines)).padStart(6)} ${String(total(lines, 'read')).padStart(6)} ${String(total(lines, 'write')).padStart(7)} ${String(total(lines, 'auth')).padStart(5)}`,
      );
    }
  const coveredCases = ['covered', 'covered-other-region', 'covered-after-drift'] as const;
  const over = coveredCases.flatMap((c) =>
    controlFunctions
      .filter((fn) => {
        const lines = budget[c].functions[fn];
        return total(lines, 'read') > coveredTarget.reads || total(lines, 'write') > coveredTarget.writes;
      })
      .map((fn) => {
        const lines = budget[c].functions[fn];
        return `${fn} in ${c} (${total(lines, 'read')} reads, ${total(lines, 'write')} writes)`;
      }),
  );
  out.push(
    '',
    `target for a covered member cell: at most ${coveredTarget.reads} reads and ${coveredTarget.writes} writes per control; ` +
      (over.length ? `over it: ${over.join('; ')}` : 'every control within it'),
  );
  return out.join('\n');
}
