/**
 * Where each synthesized template is deployed in the emulated organization, read from the cloud
 * assembly as `cdk deploy` and the StackSet would deploy it:
 *
 * - every stack with an environment (`env: { account, region }`) in that account and region;
 * - the member baseline, which `cdk deploy` never deploys, from the control plane's
 *   service-managed StackSet: its `TemplateBody`, in every account of the organization but the
 *   management account ("StackSets doesn't deploy stack instances to the organization's
 *   management account", StackSets User Guide, service-managed permissions), in each region of
 *   its stack instances group.
 *
 * Resources carry their CloudFormation `Condition`: `resourcesOf` keeps only those whose
 * condition holds in that account and region (the baseline's IAM roles exist in the home region
 * instance only).
 */
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { deployedAs, physicalName, resolveValue, type CfnTemplate } from './asl';

export interface Organization {
  management: string;
  /** Every account of the organization but the management account. */
  accounts: readonly string[];
}

export interface DeployedStack {
  stackName: string;
  account: string;
  region: string;
  template: CfnTemplate;
}

type Resource = CfnTemplate['Resources'][string] & { Condition?: string };
type Conditions = Record<string, unknown>;

/** Every stack instance of the assembly, in the accounts and regions where it would run. */
export function deployedStacks(assembly: CloudAssembly, org: Organization): DeployedStack[] {
  const out: DeployedStack[] = [];
  for (const stack of assembly.stacksRecursively) {
    const { account, region } = stack.environment;
    if (!/^\d{12}$/.test(account) || region.startsWith('unknown')) continue; // the StackSet's body
    const template = deployedAs(stack.template as CfnTemplate, stack.stackName);
    out.push({ stackName: stack.stackName, account, region, template });
    for (const r of Object.values(template.Resources)) {
      if (r.Type !== 'AWS::CloudFormation::StackSet') continue;
      const p = r.Properties as {
        StackSetName: string;
        PermissionModel?: string;
        TemplateBody: string;
        StackInstancesGroup?: {
          Regions: string[];
          DeploymentTargets: { OrganizationalUnitIds?: string[] };
        }[];
      };
      if (p.PermissionModel !== 'SERVICE_MANAGED')
        throw new Error(`StackSet ${p.StackSetName}: only service-managed StackSets are emulated`);
      // CloudFormation names a StackSet's instances StackSet-<name>-<id>; one name for all here.
      const body = deployedAs(JSON.parse(p.TemplateBody) as CfnTemplate, `StackSet-${p.StackSetName}`);
      for (const group of p.StackInstancesGroup ?? []) {
        // Targets are the organization root (every account): see the control plane stack.
        for (const target of org.accounts)
          for (const r2 of group.Regions)
            out.push({
              stackName: `StackSet-${p.StackSetName}`,
              account: target,
              region: r2,
              template: body,
            });
      }
    }
  }
  return out;
}

/** The resources of a stack instance whose `Condition` holds there. */
export function resourcesOf(stack: DeployedStack): [string, Resource][] {
  const conditions = ((stack.template as { Conditions?: Conditions }).Conditions ?? {}) as Conditions;
  return Object.entries(stack.template.Resources as Record<string, Resource>).filter(
    ([, r]) => !r.Condition || evaluate(conditions[r.Condition], stack, conditions),
  );
}

function evaluate(expr: unknown, stack: DeployedStack, conditions: Conditions): boolean {
  const o = expr as Record<string, unknown[]> & { Condition?: string };
  if (typeof o?.Condition === 'string') return evaluate(conditions[o.Condition], stack, conditions);
  if (Array.isArray(o?.['Fn::Equals'])) {
    const [a, b] = o['Fn::Equals'].map((v) => resolveValue(stack.template, v, stack.region, stack.account));
    return a === b;
  }
  if (Array.isArray(o?.['Fn::Not'])) return !evaluate(o['Fn::Not'][0], stack, conditions);
  if (Array.isArray(o?.['Fn::And'])) return o['Fn::And'].every((c) => evaluate(c, stack, conditions));
  if (Array.isArray(o?.['Fn::Or'])) return o['Fn::Or'].some((c) => evaluate(c, stack, conditions));
  throw new Error(`${stack.stackName}: cannot evaluate condition ${JSON.stringify(expr).slice(0, 200)}`);
}

/** A policy or trust document with every intrinsic resolved where the stack is deployed. */
export function resolveDocument(stack: DeployedStack, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveDocument(stack, v));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::')))
    return resolveValue(stack.template, value, stack.region, stack.account);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveDocument(stack, v)]));
}

/**
 * Creates a stack instance's CloudWatch Logs subscription filters (`AWS::Logs::SubscriptionFilter`,
 * the management account's subscription of the organization trail's group) as CloudFormation
 * would, with `putSubscriptionFilter` acting in the instance's account and region. Returns how
 * many it created.
 */
export async function deploySubscriptionFilters(
  stack: DeployedStack,
  putSubscriptionFilter: (
    where: { account: string; region: string },
    filter: {
      logGroupName: string;
      filterName: string;
      filterPattern: string;
      destinationArn: string;
      roleArn?: string;
    },
  ) => Promise<void>,
): Promise<number> {
  let created = 0;
  for (const [logicalId, r] of resourcesOf(stack)) {
    if (r.Type !== 'AWS::Logs::SubscriptionFilter') continue;
    const p = r.Properties ?? {};
    const value = (v: unknown) =>
      v === undefined ? undefined : String(resolveValue(stack.template, v, stack.region, stack.account));
    await putSubscriptionFilter(
      { account: stack.account, region: stack.region },
      {
        logGroupName: value(p.LogGroupName)!,
        filterName: value(p.FilterName) ?? logicalId,
        filterPattern: value(p.FilterPattern) ?? '',
        destinationArn: value(p.DestinationArn)!,
        roleArn: value(p.RoleArn),
      },
    );
    created += 1;
  }
  return created;
}

/**
 * Creates a stack instance's event buses (`AWS::Events::EventBus`) and their resource policies
 * (`AWS::Events::EventBusPolicy`, its `Statement` under its `StatementId`) as CloudFormation
 * would, so the stand-in evaluates the bus policy when a rule's role sends to the bus.
 */
export async function deployEventBuses(
  stack: DeployedStack,
  deploy: {
    createEventBus(where: { account: string; region: string }, name: string): Promise<void>;
    putPolicy(where: { account: string; region: string }, bus: string, policy: string): Promise<void>;
  },
): Promise<void> {
  const where = { account: stack.account, region: stack.region };
  const resources = resourcesOf(stack);
  const value = (v: unknown) => resolveValue(stack.template, v, stack.region, stack.account);
  for (const [, r] of resources)
    if (r.Type === 'AWS::Events::EventBus')
      await deploy.createEventBus(where, String(value(r.Properties?.Name)));
  for (const [, r] of resources) {
    if (r.Type !== 'AWS::Events::EventBusPolicy') continue;
    const p = r.Properties ?? {};
    const statement = resolveDocument(stack, p.Statement) as Record<string, unknown>;
    const bus = String(value(p.EventBusName)).split('/').pop()!;
    await deploy.putPolicy(
      where,
      bus,
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: value(p.StatementId), ...statement }] }),
    );
  }
}

/** The IAM calls that create a stack instance's roles and policies (the IAM part of `cdk deploy`). */
export interface IamDeployer {
  /** `maxSessionDuration`: the role's `MaxSessionDuration` in seconds, CreateRole's parameter of that name. */
  createRole(account: string, name: string, trust: string, maxSessionDuration?: number): Promise<void>;
  putRolePolicy(account: string, role: string, name: string, document: string): Promise<void>;
  createPolicy(account: string, name: string, document: string): Promise<string>;
  attachRolePolicy(account: string, role: string, policyArn: string): Promise<void>;
}

/**
 * Creates the roles of a stack instance as CloudFormation would, in its account: each
 * `AWS::IAM::Role` under its name (or the name the local run gives a generated one,
 * `physicalName`) with its trust policy, inline `Policies` and `ManagedPolicyArns`; each
 * `AWS::IAM::Policy` as an inline policy of its `Roles`; each `AWS::IAM::ManagedPolicy` created
 * and attached to its `Roles`. Every intrinsic is resolved for the account and region of the
 * instance. Returns the ARNs of the roles created.
 */
export async function deployIam(stack: DeployedStack, iam: IamDeployer): Promise<string[]> {
  const resources = resourcesOf(stack);
  const doc = (v: unknown) => JSON.stringify(resolveDocument(stack, v));
  const roleName = (v: unknown) => resolveValue(stack.template, v, stack.region, stack.account);
  const created: string[] = [];
  for (const [logicalId, r] of resources) {
    if (r.Type !== 'AWS::IAM::Role') continue;
    const p = r.Properties ?? {};
    const name = physicalName(stack.template, logicalId);
    await iam.createRole(
      stack.account,
      name,
      doc(p.AssumeRolePolicyDocument),
      p.MaxSessionDuration === undefined ? undefined : Number(p.MaxSessionDuration),
    );
    for (const policy of (p.Policies as { PolicyName: string; PolicyDocument: unknown }[]) ?? [])
      await iam.putRolePolicy(stack.account, name, policy.PolicyName, doc(policy.PolicyDocument));
    for (const arn of (p.ManagedPolicyArns as unknown[]) ?? [])
      await iam.attachRolePolicy(stack.account, name, roleName(arn));
    created.push(`arn:aws:iam::${stack.account}:role/${name}`);
  }
  for (const [logicalId, r] of resources) {
    const p = r.Properties ?? {};
    const roles = ((p.Roles as unknown[]) ?? []).map(roleName);
    if (r.Type === 'AWS::IAM::Policy')
      for (const role of roles)
        await iam.putRolePolicy(stack.account, role, String(p.PolicyName), doc(p.PolicyDocument));
    if (r.Type === 'AWS::IAM::ManagedPolicy') {
      const arn = await iam.createPolicy(
        stack.account,
        physicalName(stack.template, logicalId),
        doc(p.PolicyDocument),
      );
      for (const role of roles) await iam.attachRolePolicy(stack.account, role, arn);
    }
  }
  return created;
}
