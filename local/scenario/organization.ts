/**
 * The emulated organization on a running moto: the synthesized stacks deployed where they
 * belong (local/deployment.ts), the EventBridge rules they deploy (local/event-bus.ts) feeding
 * the local control plane, and the accounts' people acting through the role Organizations gives
 * every account it creates. A member account's StackSet instance arrives when `deployBaseline`
 * is called, which the onboarding step does a little after `CreateAccountResult`, as AWS does.
 */
import { parseConfig, type LogwardenConfig } from '../../contracts/config';
import { SFNClient } from '@aws-sdk/client-sfn';
import { functionHandler, templateFunctions } from '../template-functions';
import type { AwsEvent } from '../aws-events';
import { LocalControlPlane, type Started } from '../control-plane';
import { deployedStacks, type DeployedStack } from '../deployment';
import {
  actAsSecurityTooling,
  createControlPlaneResources,
  credentialsOf,
  e2eConfig,
  synthesizeToCdkOut,
} from '../emulated-org';
import { LocalEventBridge } from '../event-bus';
import { addAccount, establishPrerequisites, strictStandIns } from './prerequisites';

export type Credentials = Awaited<ReturnType<typeof credentialsOf>>;

export interface OrganizationOptions {
  /** Member accounts (never the management, log-archive or security-tooling account). */
  members: readonly string[];
  config?: LogwardenConfig;
  /** Governed regions, overriding the config's (the home region stays first). */
  regions?: readonly string[];
}

export interface Organization {
  config: LogwardenConfig;
  members: readonly string[];
  regions: readonly string[];
  management: string;
  logArchive: string;
  securityTooling: string;
  /** Every stack instance deployed so far. */
  stacks: DeployedStack[];
  bus: LocalEventBridge;
  plane: LocalControlPlane;
  summaryQueueUrl: string;
  central: ReturnType<typeof synthesizeToCdkOut>['central'];
  /** Emits an event where AWS emits it; returns the executions it started (none if no rule caught it). */
  emit(event: AwsEvent): Promise<Started[]>;
  /** Runs the executions recorded in Step Functions that have not run yet (the alerter's heals). */
  runRecorded(): Promise<Started[]>;
  /** The member baseline StackSet instances of one account arriving (every governed region). */
  deployBaseline(account: string): Promise<void>;
  /** Credentials of a person administering an account (OrganizationAccountAccessRole). */
  admin(account: string): Promise<Credentials>;
  /** The stand-in emulates Organizations strictly (local/standins): accounts must join it. */
  strict: boolean;
  /** The management account's one-time steps taken on the stand-in (empty on bare moto). */
  prerequisites: string[];
  /** An account created in the organization (Organizations' part of CreateAccount). */
  createAccount(account: string): Promise<void>;
}

/** The role Organizations creates in every account it creates, trusted by the management account. */
export const organizationAccessRole = 'OrganizationAccountAccessRole';

export async function emulateOrganization(
  endpoint: string,
  options: OrganizationOptions,
): Promise<Organization> {
  const base = options.config ?? e2eConfig;
  const config = options.regions
    ? parseConfig({ ...JSON.parse(JSON.stringify(base)), governedRegions: [...options.regions] })
    : base;
  const { management, logArchive, securityTooling } = config.accounts;
  const orgAccounts = [logArchive, securityTooling, ...options.members];
  await actAsSecurityTooling(endpoint, config);
  const synth = synthesizeToCdkOut(config);
  // Accounts that exist before the run carry their baseline already; members arrive later.
  const all = deployedStacks(synth.assembly, { management, accounts: orgAccounts });
  const isBaselineOf = (s: DeployedStack, account: string) =>
    s.stackName.startsWith('StackSet-') && s.account === account;
  const stacks = all.filter((s) => !options.members.some((m) => isBaselineOf(s, m)));

  const plane = new LocalControlPlane(synth.controlPlane, config.homeRegion, securityTooling);
  // Step Functions of the security-tooling account: the state machines exist there, and every
  // execution the dispatcher or the alerter starts is recorded there, then run by the plane.
  const sfn = new SFNClient({ region: config.homeRegion });
  await plane.createStateMachines(sfn, `arn:aws:iam::${securityTooling}:role/logwarden-workflows`);
  const dispatcher = templateFunctions(synth.controlPlane, config.homeRegion, securityTooling).find(
    (f) => f.name === 'dispatch',
  )!;
  const dispatch = functionHandler(dispatcher);
  const bus = new LocalEventBridge(
    stacks,
    { id: config.organizationId, accounts: [management, ...orgAccounts] },
    async (fn, input) => {
      if (fn.stack.account === securityTooling && fn.logicalId === dispatcher.logicalId) {
        // The real dispatcher (its factory, the stack's environment) calls StartExecution.
        await dispatch(input);
        return plane.runRecorded(sfn, securityTooling);
      }
      throw new Error(`a rule targets function ${fn.logicalId} in ${fn.stack.account}: not emulated`);
    },
  );
  const { summaryQueueUrl } = await createControlPlaneResources(synth.controlPlane, config);
  const strict = await strictStandIns(endpoint);

  const org: Organization = {
    config,
    members: options.members,
    regions: config.governedRegions,
    management,
    logArchive,
    securityTooling,
    stacks,
    bus,
    plane,
    summaryQueueUrl,
    central: synth.central,
    emit: async (event) => (await bus.put(event)).flat() as Started[],
    runRecorded: () => plane.runRecorded(sfn, securityTooling),
    async deployBaseline(account) {
      for (const s of all.filter((x) => isBaselineOf(x, account))) {
        stacks.push(s);
        bus.load(s);
      }
    },
    admin: (account) => credentialsOf(account, organizationAccessRole),
    strict,
    prerequisites: [],
    createAccount: async (account) => {
      if (strict) await addAccount(endpoint, management, account);
    },
  };
  if (strict) org.prerequisites.push(...(await establishPrerequisites(org, endpoint)));
  return org;
}
