/**
 * Adoption in an organization that already has logging (docs/coexistence.md), as npm start shows
 * it: an account that already logs its VPCs (the platform team's flow logs, to S3), an account
 * moved into an excluded OU, `logwarden plan` before onboarding, a sweep, and `logwarden
 * uninstall` at the end, proven by comparing each account's state before and after.
 */
import { CloudTrailClient, DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CloudWatchLogsClient,
  DescribeAccountPoliciesCommand,
  DescribeLogGroupsCommand,
  DescribeSubscriptionFiltersCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateFlowLogsCommand,
  DescribeFlowLogsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { MoveAccountCommand, ListParentsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { CreateBucketCommand, S3Client, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { defaultDeps, runCli } from '../../cli/main';
import { planCells, renderPlan, type PlanAnswer } from '../../cli/plan';
import { controlFunctionOf, names } from '../../contracts/names';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { scopeOfConfig } from '../../functions/shared/scope';
import { recordedCall } from './api-call';
import { vpcBeforeLogwarden } from './vpc';
import type { Organization } from './organization';
import { indent, type Say } from './report';

/** Who owns the foreign flow logs (their tag), as `logwarden coverage` names them. */
export const platformTeam = 'platform-team';

/**
 * An account in the organization before logwarden whose every VPC (default and its own, in every
 * governed region) the platform team logs to S3 in AWS's default format, tagged with its name.
 */
export async function accountWithForeignFlowLogs(org: Organization, account: string) {
  await org.createAccount(account);
  const credentials = await org.admin(account);
  for (const region of org.regions) {
    await vpcBeforeLogwarden(org, account, region, '10.30.0.0/16');
    const ec2 = new EC2Client({ region, credentials });
    const bucket = `platform-flow-logs-${account}-${region}`;
    await new S3Client({ region, credentials }).send(
      new CreateBucketCommand({
        Bucket: bucket,
        CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint },
      }),
    );
    const vpcs = ((await ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? []).map((v) => v.VpcId!);
    const res = await ec2.send(
      new CreateFlowLogsCommand({
        ResourceType: 'VPC',
        ResourceIds: vpcs,
        TrafficType: 'ALL',
        LogDestinationType: 's3',
        LogDestination: `arn:aws:s3:::${bucket}`,
        TagSpecifications: [{ ResourceType: 'vpc-flow-log', Tags: [{ Key: 'owner', Value: platformTeam }] }],
      }),
    );
    if (res.Unsuccessful?.length)
      throw new Error(`the platform team's flow logs: ${JSON.stringify(res.Unsuccessful)}`);
  }
  await org.deployBaseline(account);
}

/** An account created, then moved by the management account into the excluded OU (MoveAccount, recorded). */
export async function accountMovedToExcludedOu(org: Organization, account: string) {
  if (!org.excludedOuId) throw new Error('the organization was emulated without an excluded OU');
  await org.createAccount(account);
  await org.deployBaseline(account);
  const orgs = new OrganizationsClient({ region: 'us-east-1', credentials: await org.admin(org.management) });
  const from = (await orgs.send(new ListParentsCommand({ ChildId: account }))).Parents![0].Id!;
  return recordedCall(
    org,
    {
      caller: { account: org.management },
      region: 'us-east-1',
      service: 'organizations',
      eventName: 'MoveAccount',
    },
    () =>
      orgs.send(
        new MoveAccountCommand({
          AccountId: account,
          SourceParentId: from,
          DestinationParentId: org.excludedOuId!,
        }),
      ),
  );
}

/** `logwarden plan` over the accounts: every control run read-only in its function, printed as the CLI prints it. */
export async function showPlan(org: Organization, accounts: readonly string[], say: Say) {
  const cells = await planCells({
    accounts,
    regions: org.regions,
    scope: scopeOfConfig(org.config),
    orgs: new OrganizationsClient({ region: 'us-east-1' }),
    invoke: async (control, event) =>
      (await org.invokeFunction(controlFunctionOf[control], event)) as PlanAnswer,
    execution: `plan-${Date.now()}`,
  });
  const lines = renderPlan(cells);
  say(`logwarden plan (${accounts.join(', ')}), before onboarding:`);
  // The calls' parameters are long: the first 160 characters of each.
  say(indent(lines.map((l) => (l.length > 160 ? `${l.slice(0, 157)}...` : l)).join('\n')));
  return cells;
}

/** The CLI itself, with the run's configuration and the default credentials (security tooling's). */
async function cli(org: Organization, args: string[], extra: Partial<Parameters<typeof runCli>[1]> = {}) {
  const dir = path.join(__dirname, '..', '..', '.local');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `adoption-config-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(org.config));
  const lines: string[] = [];
  const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
  const code = await runCli([...args, '--config', file], { ...defaultDeps(), io, ...extra });
  return { code, lines };
}

/** `logwarden sweep`, then the execution it recorded, run by the local control plane. */
export async function sweep(org: Organization, say: Say) {
  const started = await cli(org, ['sweep']);
  if (started.code) throw new Error(`logwarden sweep: exit ${started.code}: ${started.lines.join('\n')}`);
  const runs = await org.runRecorded();
  const out = runs.find((r) => r.workflow === 'sweep')?.run?.output as
    { counts?: Record<string, number> } | undefined;
  say(`logwarden sweep → ${runs.map((r) => r.name).join(', ')}: ${JSON.stringify(out?.counts ?? {})}`);
}

/** What the ledger says covers an account's VPCs: each flow log's id and owner, from the evidence. */
export async function showFlowLogOwners(org: Organization, account: string, say: Say) {
  const items =
    (
      await new DynamoDBClient({}).send(
        new GetItemCommand({
          TableName: names.ledgerTable,
          Key: { account: { S: account }, regionControl: { S: `${org.config.homeRegion}#flow-logs` } },
        }),
      )
    ).Item ?? {};
  const evidence = Object.entries(items.evidence?.M ?? {}).map(([vpc, v]) => `${vpc}: ${v.S}`);
  say(
    `${account} ${org.config.homeRegion} flow-logs ${items.status?.S ?? 'no ledger row'}, by the ledger's evidence:`,
  );
  say(indent(evidence.join('\n')));
  if (items.status?.S !== 'covered' || !evidence.every((e) => e.includes(`of ${platformTeam}`)))
    throw new Error(
      `${account}: expected covered by the platform team's flow logs, got ${items.status?.S}: ${evidence.join('; ')}`,
    );
}

/**
 * What the controls act on, per account and region: flow logs, account subscription policies,
 * subscription filters, log groups, EventBridge rules, trails. Compared before and after.
 */
export async function controlState(
  org: Organization,
  accounts: readonly string[],
): Promise<Map<string, string[]>> {
  const state = new Map<string, string[]>();
  for (const account of accounts) {
    const credentials = await org.admin(account);
    for (const region of org.regions) {
      const items: string[] = [];
      const ec2 = new EC2Client({ region, credentials });
      for (const f of (await ec2.send(new DescribeFlowLogsCommand({}))).FlowLogs ?? [])
        items.push(`flow log ${f.FlowLogId} ${f.ResourceId} → ${f.LogDestination ?? f.LogGroupName}`);
      const logs = new CloudWatchLogsClient({ region, credentials });
      for (const p of (
        await logs.send(new DescribeAccountPoliciesCommand({ policyType: 'SUBSCRIPTION_FILTER_POLICY' }))
      ).accountPolicies ?? [])
        items.push(`account policy ${p.policyName}`);
      let nextToken: string | undefined;
      do {
        const page = await logs.send(new DescribeLogGroupsCommand({ nextToken }));
        for (const g of page.logGroups ?? []) {
          items.push(`log group ${g.logGroupName}`);
          for (const f of (
            await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: g.logGroupName }))
          ).subscriptionFilters ?? [])
            items.push(`subscription filter ${f.filterName} of ${g.logGroupName}`);
        }
        nextToken = page.nextToken;
      } while (nextToken);
      for (const r of (await new EventBridgeClient({ region, credentials }).send(new ListRulesCommand({})))
        .Rules ?? [])
        items.push(`rule ${r.Name}`);
      for (const t of (
        await new CloudTrailClient({ region, credentials }).send(
          new DescribeTrailsCommand({ includeShadowTrails: false }),
        )
      ).trailList ?? [])
        items.push(`trail ${t.TrailARN}`);
      state.set(`${account} ${region}`, items.sort());
    }
  }
  return state;
}

/** What differs between two states: `+` only in `after`, `-` only in `before`. */
export function stateDiff(before: Map<string, string[]>, after: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [cell, items] of after) {
    const was = new Set(before.get(cell) ?? []);
    const now = new Set(items);
    for (const i of items) if (!was.has(i)) out.push(`${cell}: + ${i}`);
    for (const i of was) if (!now.has(i)) out.push(`${cell}: - ${i}`);
  }
  return out;
}

/** `logwarden uninstall --plan`, then `logwarden uninstall`, acting as each account's administrator. */
export async function uninstall(org: Organization, say: Say) {
  const access = { uninstallAccess: () => (account: string) => org.admin(account) };
  const plan = await cli(org, ['uninstall', '--plan'], access);
  if (plan.code) throw new Error(`logwarden uninstall --plan: exit ${plan.code}: ${plan.lines.join('\n')}`);
  say(`logwarden uninstall --plan: ${plan.lines.at(-1)}`);
  for (const line of plan.lines.filter((l) => / (keep|remove trail) /.test(l))) say(indent(line));
  const run = await cli(org, ['uninstall'], access);
  say(`logwarden uninstall (exit ${run.code}): ${run.lines.at(-1)}`);
  if (run.code) throw new Error(`logwarden uninstall: exit ${run.code}: ${run.lines.join('\n')}`);
  // The state compared afterwards is each account's own trails; the organization trail is the
  // management account's, removed by its delegated administrator: looked up by its ARN.
  for (const line of plan.lines) {
    const [, account, arn] = / *(\d{12}) \S+: remove trail (arn:\S+)$/.exec(line) ?? [];
    if (!arn) continue;
    const left = await new CloudTrailClient({
      region: org.config.homeRegion,
      credentials: await org.admin(account),
    }).send(new DescribeTrailsCommand({ trailNameList: [arn] }));
    if (left.trailList?.length) throw new Error(`logwarden uninstall: ${arn} is still there`);
    say(indent(`${arn}: gone (DescribeTrails by ARN as ${account})`));
  }
}
