/**
 * The emulated organization on a running moto: the synthesized stacks deployed where they
 * belong (local/deployment.ts), the EventBridge rules they deploy (local/event-bus.ts) feeding
 * the local control plane, and the accounts' people acting through the role Organizations gives
 * every account it creates. A member account's StackSet instance arrives when `deployBaseline`
 * is called, which the onboarding step does a little after `CreateAccountResult`, as AWS does.
 */
import { parseConfig, type LogwardenConfig } from '../../contracts/config';
import { SFNClient } from '@aws-sdk/client-sfn';
import {
  CreateOrganizationalUnitCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { functionHandler, templateFunctions, type RoleCredentials } from '../template-functions';
import { deployedAs, stackNameOf } from '../asl';
import { deployTemplate } from '../template-deployer';
import type { AwsEvent } from '../aws-events';
import { LocalControlPlane, type Started } from '../control-plane';
import {
  deployEventBuses,
  deployIam,
  deployedStacks,
  deploySubscriptionFilters,
  type DeployedStack,
} from '../deployment';
import { CreateEventBusCommand, EventBridgeClient, PutPermissionCommand } from '@aws-sdk/client-eventbridge';
import { CloudWatchLogsClient, PutSubscriptionFilterCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  actAsAdministrator,
  actAsSecurityTooling,
  controlPlaneReadBack,
  createTrailLogGroup,
  credentialsOf,
  e2eConfig,
  organizationAccessRole,
  rootIamDeployer,
  synthesizeToCdkOut,
} from '../emulated-org';
import {
  asRoot,
  deniedRequests,
  emittedEvents,
  serviceAuthorize,
  serviceSendMessage,
  serviceCredentials,
  type Denial,
} from '../standins/prerequisites';
import { LocalEventBridge, ruleArnOf } from '../event-bus';
import { addAccount, createOrganization, establishPrerequisites, strictStandIns } from './prerequisites';

export type Credentials = Awaited<ReturnType<typeof credentialsOf>>;

export interface OrganizationOptions {
  /** Member accounts (never the management, log-archive or security-tooling account). */
  members: readonly string[];
  config?: LogwardenConfig;
  /** Governed regions, overriding the config's (the home region stays first). */
  regions?: readonly string[];
  /**
   * A change to a stack instance's template before it is deployed (a test deploying a
   * deliberately narrowed policy); returns the template to deploy, never edits the one given.
   */
  amendTemplate?: (stack: DeployedStack) => DeployedStack['template'];
  /** Prerequisites (ids of contracts/prerequisites.ts) left out, with every one that requires them. */
  skipPrerequisites?: readonly string[];
  /**
   * Called with the configuration before the prerequisites are taken and after (npm start runs
   * `logwarden preflight` there), while this process acts as the organization's administrator.
   */
  aroundPrerequisites?: (when: 'before' | 'after', config: LogwardenConfig) => Promise<void>;
  /**
   * An OU of that name created under the root before the configuration is written, and listed
   * in its scope.excludeOUs (npm start: accounts moved there are `excluded`).
   */
  excludedOu?: string;
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
  /**
   * Puts an event on the default bus of its account and region; returns the executions it
   * started (none if no rule caught it). Then every event the stand-in emitted since (the
   * CloudTrail records of the calls those executions made, local/standins/events.py) is put
   * where AWS emits it too, round after round until one starts nothing (`cascade`).
   */
  emit(event: AwsEvent): Promise<Started[]>;
  /**
   * Every event the stand-in emitted and no one has put on a bus yet (the calls logwarden and
   * the people made, the services' own events), put where AWS emits it, until a round starts
   * nothing. More than `MAX_CASCADE_ROUNDS` rounds is a loop: an error.
   */
  deliverEmitted(): Promise<Delivered[]>;
  /** What `deliverEmitted` delivered that started something, round by round. */
  cascade: Delivered[];
  /** Runs the executions recorded in Step Functions that have not run yet (the alerter's heals). */
  runRecorded(): Promise<Started[]>;
  /** The member baseline StackSet instances of one account arriving (every governed region). */
  deployBaseline(account: string): Promise<void>;
  /**
   * Credentials of a person administering an account: the organization's administrator (an IAM
   * user of the management account), in other accounts through OrganizationAccountAccessRole.
   */
  admin(account: string): Promise<Credentials>;
  /** The one-time steps taken on the stand-in (contracts/prerequisites.ts), then the destinations. */
  prerequisites: string[];
  /** A role's credentials as Lambda gives them to a function whose execution role it is. */
  roleCredentials: RoleCredentials;
  /** Every request the stand-in's IAM refused so far. */
  denials(): Promise<Denial[]>;
  /** Where the stand-ins answer. */
  endpoint: string;
  /** An account created in the organization (Organizations' part of CreateAccount). */
  createAccount(account: string): Promise<void>;
  /** The id of the `excludedOu` option's OU. */
  excludedOuId?: string;
  /**
   * One control-plane function (functions/<name>) invoked as Lambda invokes it, with its role's
   * credentials and the stack's environment: `logwarden plan` locally.
   */
  invokeFunction(name: string, event: unknown): Promise<unknown>;
}

export { organizationAccessRole };

/** An event the stand-in emitted, put on its bus in a round of `deliverEmitted`. */
export interface Delivered {
  round: number;
  event: AwsEvent;
  started: Started[];
}

/**
 * The executions among what a bus's rules did with an event: a rule may also send it to a queue
 * or invoke a function (the archive's Object Created events), which starts no workflow.
 */
function executionsOf(results: unknown[]): Started[] {
  return results.flat().filter((r): r is Started => typeof (r as Started | undefined)?.workflow === 'string');
}

/** Rounds of events starting executions whose calls start more, before it is called a loop. */
export const MAX_CASCADE_ROUNDS = 5;

/** An event once: a CloudTrail record by its eventID, any other event by its id. */
function eventKey(event: AwsEvent): string {
  return String((event.detail as { eventID?: string }).eventID ?? event.id);
}

/** `<eventName> in <account> <region>` or the detail-type of a service event. */
export function describeEvent(event: AwsEvent): string {
  const d = event.detail as { eventName?: string; status?: string };
  return `${d.eventName ?? `${event['detail-type']} ${d.status ?? ''}`.trim()} in ${event.account} ${event.region}`;
}

export async function emulateOrganization(
  endpoint: string,
  options: OrganizationOptions,
): Promise<Organization> {
  const base = options.config ?? e2eConfig;
  const { management, logArchive, securityTooling } = base.accounts;
  const orgAccounts = [logArchive, securityTooling, ...options.members];
  if (!(await strictStandIns(endpoint)))
    throw new Error(`${endpoint} is not logwarden's moto server (local/standins): start it with startMoto()`);
  const administrator = await actAsAdministrator(endpoint, base);
  const admin = async (account: string): Promise<Credentials> =>
    account === management ? administrator : credentialsOf(account, organizationAccessRole);
  // The organization exists first; its id goes into the configuration, as a real deployment's does.
  const organizationId = await createOrganization({ management, admin }, endpoint, [
    logArchive,
    securityTooling,
  ]);
  let excludedOuId: string | undefined;
  if (options.excludedOu) {
    const orgs = new OrganizationsClient({ region: 'us-east-1', credentials: administrator });
    const root = (await orgs.send(new ListRootsCommand({}))).Roots![0].Id!;
    const ou = await orgs.send(
      new CreateOrganizationalUnitCommand({ ParentId: root, Name: options.excludedOu }),
    );
    excludedOuId = ou.OrganizationalUnit!.Id!;
  }
  const raw = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
  const config = parseConfig({
    ...raw,
    organizationId,
    ...(options.regions ? { governedRegions: [...options.regions] } : {}),
    // An organization with an excluded OU cannot keep GuardDuty's auto-enable at ALL, which would
    // enrol the excluded accounts too (contracts/config.ts): NEW, as a user would set it.
    ...(excludedOuId
      ? {
          scope: { ...(raw.scope as object), excludeOUs: [excludedOuId] },
          guardDuty: { ...(raw.guardDuty as object), autoEnable: 'NEW' },
        }
      : {}),
  });
  const people = {
    config,
    management,
    logArchive,
    securityTooling,
    regions: config.governedRegions,
    admin,
  };
  // The one-time steps come before any deployment, as in docs/deploying.md.
  await options.aroundPrerequisites?.('before', config);
  const prerequisites = await establishPrerequisites(people, options.skipPrerequisites);
  await options.aroundPrerequisites?.('after', config);

  const synth = synthesizeToCdkOut(config);
  // Accounts that exist before the run carry their baseline already; members arrive later.
  const all = deployedStacks(synth.assembly, { management, accounts: orgAccounts }).map((s) =>
    options.amendTemplate ? { ...s, template: deployedAs(options.amendTemplate(s), s.stackName) } : s,
  );
  const isBaselineOf = (s: DeployedStack, account: string) =>
    s.stackName.startsWith('StackSet-') && s.account === account;
  const stacks = all.filter((s) => !options.members.some((m) => isBaselineOf(s, m)));
  // The IAM part of `cdk deploy` and of the StackSet: every role and policy of the templates, in
  // the account of its stack instance.
  const iam = rootIamDeployer(endpoint);
  // The log-archive account's stacks (the central stack, then each region's destination) and
  // the control-plane stack are created whole from their templates, keys, stream, archive
  // bucket, ledger, topics and policies included; the other stacks' roles and policies alone.
  const wholeFromTemplate = (s: DeployedStack) =>
    s.account === logArchive || s.stackName === synth.controlPlaneStackName;
  for (const s of stacks) if (!wholeFromTemplate(s)) await deployIam(s, iam);
  const archiveDeployer = await admin(logArchive);
  const archiveStacks = stacks.filter((s) => s.account === logArchive);
  for (const s of archiveStacks) await deployTemplate(s, archiveDeployer, iam);
  const controlPlaneStack = stacks.find((s) => s.stackName === synth.controlPlaneStackName);
  if (!controlPlaneStack) throw new Error(`the cloud assembly has no ${synth.controlPlaneStackName}`);
  await deployTemplate(controlPlaneStack, await admin(securityTooling), iam);
  // The event buses and their policies (the control bus), as CloudFormation creates them.
  const eventBridge = (where: { account: string; region: string }) =>
    asRoot(EventBridgeClient, endpoint, where.account, where.region);
  for (const s of stacks)
    await deployEventBuses(s, {
      createEventBus: async (where, name) => {
        await eventBridge(where).send(new CreateEventBusCommand({ Name: name }));
      },
      putPolicy: async (where, bus, policy) => {
        await eventBridge(where).send(new PutPermissionCommand({ EventBusName: bus, Policy: policy }));
      },
    });
  // Lambda gives each function its execution role's credentials (lambda.amazonaws.com must be
  // trusted by the role); the stand-in refuses otherwise.
  const roleCredentials: RoleCredentials = (roleArn) =>
    serviceCredentials(endpoint, roleArn, 'lambda.amazonaws.com');

  prerequisites.push(
    `log-archive stacks from their templates: ${archiveStacks.map((s) => `${s.stackName} (${s.region})`).join(', ')}`,
    `control-plane stack from its template: ${controlPlaneStack.stackName} (${controlPlaneStack.region})`,
  );
  await actAsSecurityTooling(config);

  const plane = new LocalControlPlane(
    synth.controlPlane,
    config.homeRegion,
    securityTooling,
    roleCredentials,
    // Step Functions runs each state machine with its role (trusted by states.amazonaws.com,
    // aws:SourceAccount / aws:SourceArn of the state machine).
    (roleArn, stateMachineArn) =>
      serviceCredentials(endpoint, roleArn, 'states.amazonaws.com', {
        sourceAccount: securityTooling,
        sourceArn: stateMachineArn,
      }),
    endpoint,
  );
  // Step Functions of the security-tooling account: the state machines exist there, and every
  // execution the dispatcher or the alerter starts is recorded there, then run by the plane.
  const sfn = new SFNClient({ region: config.homeRegion });
  await plane.createStateMachines(sfn);
  const controlFunctions = templateFunctions(synth.controlPlane, config.homeRegion, securityTooling);
  const dispatcher = controlFunctions.find((f) => f.name === 'dispatch')!;
  const dispatch = functionHandler(dispatcher, await roleCredentials(dispatcher.roleArn));
  const ruleTargets = new Map<string, ReturnType<typeof functionHandler>>();
  const bus = new LocalEventBridge(
    stacks,
    { id: config.organizationId, accounts: [management, ...orgAccounts] },
    async (fn, input) => {
      if (fn.stack.account === securityTooling && fn.logicalId === dispatcher.logicalId) {
        // The real dispatcher (its factory, the stack's environment, its role) calls StartExecution.
        await dispatch(input);
        return plane.runRecorded(sfn, securityTooling);
      }
      // Any other function a deployed rule targets (the archive's Object Created events → the
      // archive-lock function): its real handler, with the stack's environment and its role, as
      // Lambda runs it. A failure fails the run, where AWS would retry the asynchronous
      // invocation and then dead-letter it: the stricter answer.
      const target = templateFunctions(fn.stack.template, fn.stack.region, fn.stack.account).find(
        (f) => f.logicalId === fn.logicalId,
      );
      if (!target)
        throw new Error(
          `a rule targets function ${fn.logicalId} in ${fn.stack.account}: not in its template`,
        );
      const key = `${fn.stack.account}/${fn.stack.region}/${fn.logicalId}`;
      let handler = ruleTargets.get(key);
      if (!handler) {
        handler = functionHandler(target, await roleCredentials(target.roleArn));
        ruleTargets.set(key, handler);
      }
      await handler(input);
      return [];
    },
    // EventBridge sends a forwarded event to the control bus as the rule target's role: its
    // trust (events.amazonaws.com, the rule's account and ARN), its events:PutEvents grant and
    // the control bus's policy (aws:PrincipalOrgID), all evaluated by the stand-in.
    async ({ rule, roleArn, busArn }) => {
      const ruleArn = ruleArnOf(rule);
      await serviceAuthorize(endpoint, {
        roleArn,
        service: 'events.amazonaws.com',
        action: 'events:PutEvents',
        resource: busArn,
        region: rule.region,
        sourceAccount: rule.account,
        sourceArn: ruleArn,
      });
    },
    // EventBridge sends to a queue target with no role: the queue's policy (events.amazonaws.com,
    // aws:SourceArn of the rule) decides, evaluated by the stand-in, which then holds the message.
    async ({ rule, queueArn, body }) => {
      await serviceSendMessage(endpoint, {
        queueArn,
        service: 'events.amazonaws.com',
        messageBody: body,
        sourceAccount: rule.account,
        sourceArn: ruleArnOf(rule),
      }).catch((err: Error) => {
        throw new Error(`rule ${rule.name}: sending to ${queueArn} refused: ${err.message}`);
      });
    },
  );
  // What the stand-in emitted before the deployment reached no rule (none was deployed yet).
  let cursor = (await emittedEvents(endpoint)).next;
  const putOnBus = new Set<string>();
  const { summaryQueueUrl } = await controlPlaneReadBack(synth.controlPlane, config, securityTooling);
  await createTrailLogGroup(config, admin);
  // The management account's subscription of the organization trail's group (its own stack).
  for (const s of stacks)
    await deploySubscriptionFilters(s, async (where, filter) => {
      await new CloudWatchLogsClient({ region: where.region, credentials: await admin(where.account) }).send(
        new PutSubscriptionFilterCommand(filter),
      );
    });

  const org: Organization = {
    ...people,
    members: options.members,
    stacks,
    bus,
    plane,
    summaryQueueUrl,
    // The central template as deployed (its keys' ids read back), for every reader of it.
    central: stacks.find((s) => s.account === logArchive && s.stackName === stackNameOf(synth.central))!
      .template,
    emit: async (event) => {
      putOnBus.add(eventKey(event));
      const started = executionsOf(await bus.put(event));
      await org.deliverEmitted();
      return started;
    },
    async deliverEmitted() {
      const delivered: Delivered[] = [];
      for (let round = 1; ; round++) {
        const { events, next, failures } = await emittedEvents(endpoint, cursor);
        if (failures.length) throw new Error(`the stand-in could not record calls:\n${failures.join('\n')}`);
        cursor = next;
        const fresh = events.filter((e) => !putOnBus.has(eventKey(e)));
        if (!fresh.length) return delivered;
        if (round > MAX_CASCADE_ROUNDS)
          throw new Error(
            `events keep starting executions after ${MAX_CASCADE_ROUNDS} rounds (a heal triggering heals without end): ${fresh
              .map(eventKey)
              .slice(0, 5)
              .join(', ')}`,
          );
        for (const event of fresh) {
          putOnBus.add(eventKey(event));
          const now = executionsOf(await bus.put(event));
          delivered.push({ round, event, started: now });
          if (now.length) org.cascade.push({ round, event, started: now });
        }
      }
    },
    cascade: [],
    async runRecorded() {
      const started = await plane.runRecorded(sfn, securityTooling);
      await org.deliverEmitted();
      return started;
    },
    async deployBaseline(account) {
      for (const s of all.filter((x) => isBaselineOf(x, account))) {
        await deployIam(s, iam);
        stacks.push(s);
        bus.load(s);
      }
    },
    prerequisites,
    roleCredentials,
    denials: () => deniedRequests(endpoint),
    endpoint,
    createAccount: (account) => addAccount(endpoint, management, account),
    excludedOuId,
    async invokeFunction(name, event) {
      const fn = controlFunctions.find((f) => f.name === name);
      if (!fn) throw new Error(`no function ${name} in the control-plane template`);
      return functionHandler(fn, await roleCredentials(fn.roleArn))(event);
    },
  };
  return org;
}
