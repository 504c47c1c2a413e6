/**
 * Events in the organization's real topology: each is emitted in the account and region where
 * AWS emits it and reaches the control plane only through the rules the synthesized stacks
 * deploy (management forwarder, member baseline forwarders, control-bus rules → dispatcher).
 * The steps are local/scenario's, the same the local run takes.
 */
import { sweep } from '../../local/scenario/adoption';
import { CloudTrailClient, DescribeTrailsCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeFlowLogsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { names, stateMachineArn } from '../../contracts/names';
import { asRoot } from '../../local/standins/prerequisites';
import { COALESCE_MINUTES, coalescingWindow } from '../../functions/dispatch/route';
import { executionName } from '../../functions/shared/start-execution';
import { createAccountResultEvent } from '../../local/aws-events';
import { ledgerStatuses } from '../../local/emulated-org';
import { startMoto, type Moto } from '../../local/moto';
import { recordedCall } from '../../local/scenario/api-call';
import { assumeRoleDenials, onboardAccount, optInRegion } from '../../local/scenario/onboard';
import { emulateOrganization, type Organization } from '../../local/scenario/organization';
import { deleteFlowLog } from '../../local/scenario/tamper';
import { judge } from '../../local/judge';
import { createVpc } from '../../local/scenario/vpc';

const newAccount = '555555555555';
/**
 * An opt-in region (Account Management Reference, "Enable or disable AWS Regions in your
 * account": "Regions launched after March 20, 2019 are disabled by default and referred to as
 * opt-in Regions"), governed beside the config's two default regions.
 */
const optInRegionName = 'eu-south-1';
let moto: Moto;
/** The governed regions every account has from the start (enabled by default). */
let defaultRegions: string[];
let org: Organization;

async function ec2In(account: string, region: string) {
  return new EC2Client({ region, credentials: await org.admin(account) });
}

beforeAll(async () => {
  moto = await startMoto();
  org = await emulateOrganization(moto.endpoint, {
    members: [newAccount],
    regions: ['eu-west-1', 'eu-central-1', optInRegionName],
  });
  defaultRegions = org.regions.filter((r) => r !== optInRegionName);
}, 300_000);

afterAll(async () => {
  await moto?.stop();
});

describe('event routing in the organization’s topology', () => {
  it('an account created in the organization is covered in every governed region, its baseline arriving after CreateAccountResult', async () => {
    // As after a deployment: the first sweep has run, so the organization trail exists (the
    // home cell of security-tooling creates it), and a new account's trail cells outside the home
    // region verify that trail (issue 21 §11) instead of finding none.
    await sweep(org, () => undefined);
    const runsBefore = org.plane.runs.length;
    const hopsBefore = org.bus.hops.length;
    const cascadeBefore = org.cascade.length;
    const { started, assumeRoleDenialsBeforeBaseline } = await onboardAccount(org, newAccount);
    expect(started).toMatchObject([{ workflow: 'cover-account', duplicate: false }]);
    // The race is real: before the StackSet instance arrived the member role did not exist, the
    // stand-in refused AssumeRole, and the workflows' MemberRoleUnavailable retries carried on.
    expect(assumeRoleDenialsBeforeBaseline).toBeGreaterThanOrEqual(1);
    const refused = assumeRoleDenials(await org.denials(), newAccount);
    expect(refused.every((d) => d.code === 'AccessDenied' && /the role does not exist/.test(d.message))).toBe(
      true,
    );
    expect(org.plane.runs.slice(runsBefore).reduce((n, r) => n + r.run.retries, 0)).toBeGreaterThanOrEqual(1);
    // Management account, us-east-1 → the management forwarder → the control bus → the dispatcher.
    expect(org.bus.hops.slice(hopsBefore, hopsBefore + 2).map((h) => h.on)).toEqual([
      `${org.management}/us-east-1/default`,
      `${org.securityTooling}/${org.config.homeRegion}/logwarden-control`,
    ]);
    const cascade = org.cascade.slice(cascadeBefore);
    const cascaded = new Set(cascade.flatMap((c) => c.started.map((s) => s.name)));
    expect(
      org.plane.runs
        .slice(runsBefore)
        .filter((r) => !cascaded.has(r.name))
        .map((r) => r.workflow)
        .sort(),
    ).toEqual(['cover-account', 'cover-account-region', 'cover-account-region']);
    // A heal that triggers another heal: the subscription control's own PutAccountPolicy, recorded
    // by the stand-in in the member's region, matches the member's forwarder
    // (subscription-policy-changed) and starts cover-account-region again there; that heal finds
    // the cell covered and writes nothing, so no third round follows (more than five is a loop:
    // Organization.deliverEmitted fails).
    expect(
      cascade
        .map((c) => [
          c.round,
          (c.event.detail as { eventName: string }).eventName,
          c.event.account,
          c.event.region,
          c.started.map((s) => s.workflow),
        ])
        .sort((a, b) => String(a[3]).localeCompare(String(b[3]))),
    ).toEqual(
      [...defaultRegions]
        .sort()
        .map((region) => [1, 'PutAccountPolicy', newAccount, region, ['cover-account-region']]),
    );
    for (const c of cascade) {
      const identity = (
        c.event.detail as { userIdentity: { sessionContext: { sessionIssuer: { userName: string } } } }
      ).userIdentity;
      expect(identity.sessionContext.sessionIssuer.userName).toBe('logwarden-member-execution');
      for (const s of c.started) {
        const out = org.plane.runs.find((r) => r.name === s.name)?.run.output as {
          counts: Record<string, number>;
        };
        expect(out.counts).toEqual({ covered: 4 });
      }
    }
    const statuses = await ledgerStatuses(newAccount);
    // The opt-in region is not enabled for the account yet: nothing runs there (ListRegions).
    expect(Object.keys(statuses).filter((k) => k.startsWith(`${optInRegionName}#`))).toEqual([]);
    for (const region of defaultRegions)
      for (const control of ['flow-logs', 'trail', 'guardduty', 'subscription']) {
        const want = /^(covered|healed)$/;
        expect([`${region}#${control}`, statuses[`${region}#${control}`]]).toEqual([
          `${region}#${control}`,
          expect.stringMatching(want),
        ]);
      }
    // What the ledger says is what the stand-ins hold, read by the judge (local/judge.ts).
    expect((await judge(org, [newAccount], defaultRegions)).filter((v) => !v.covered)).toEqual([]);
  }, 180_000);

  it('the same CreateAccountResult delivered again starts nothing new; one the management account did not emit reaches nothing', async () => {
    const event = createAccountResultEvent(org.management, newAccount);
    await org.emit(event); // a new event about the account (a new execution, or coalesced with the first)
    const runs = org.plane.runs.length;
    expect(await org.emit(event)).toEqual([]); // the dispatcher's StartExecution names the same execution
    expect(org.plane.runs).toHaveLength(runs);
    // Organizations events exist only in the management account: no rule elsewhere forwards them.
    expect(await org.emit({ ...event, account: newAccount, region: org.config.homeRegion })).toEqual([]);
  }, 180_000);

  it('running cover-account three times gives an identical state: no duplicate flow logs, trails or ledger rows', async () => {
    const snapshot = async () => {
      const perRegion = [];
      for (const region of defaultRegions) {
        const flowLogs =
          (await (await ec2In(newAccount, region)).send(new DescribeFlowLogsCommand({}))).FlowLogs ?? [];
        perRegion.push(flowLogs.map((f) => `${f.ResourceId}:${f.FlowLogId}`).sort());
      }
      const trails =
        (await new CloudTrailClient({ region: org.config.homeRegion }).send(new DescribeTrailsCommand({})))
          .trailList ?? [];
      return { perRegion, trails: trails.map((t) => t.TrailARN), ledger: await ledgerStatuses(newAccount) };
    };
    const before = await snapshot();
    for (const i of [1, 2, 3])
      await org.plane.start('cover-account', `manual-${newAccount}-${i}`, {
        account: newAccount,
        trigger: 'manual',
      });
    const after = await snapshot();
    expect(after.perRegion).toEqual(before.perRegion);
    expect(after.trails).toEqual(before.trails);
    expect(after.trails).toHaveLength(1);
    expect(Object.keys(after.ledger).sort()).toEqual(Object.keys(before.ledger).sort());
    expect(after.ledger['eu-west-1#flow-logs']).toBe('covered');
  }, 180_000);

  it('a VPC created later is covered through the member’s forwarder and cover-vpc', async () => {
    const vpc = await createVpc(org, newAccount, 'eu-central-1', '10.30.0.0/16');
    expect(vpc.started).toMatchObject([{ workflow: 'cover-vpc', duplicate: false }]);
    expect(org.bus.hops.at(-2)?.on).toBe(`${newAccount}/eu-central-1/default`);
    expect(vpc.flowLogged).toBe(true);
  }, 120_000);

  it('a failed CreateVpc (its record carries errorCode) starts nothing', async () => {
    const vpc = await createVpc(org, newAccount, 'eu-central-1', '10.0.0.0/8');
    expect(vpc.error?.code).toBeDefined();
    expect(vpc.event.detail.errorCode).toBe(vpc.error?.code);
    const hops = org.bus.hops.length;
    expect(await org.emit(vpc.event)).toEqual([]);
    expect(org.bus.hops).toHaveLength(hops); // the forwarders' patterns leave failed calls out
    expect(vpc.started).toEqual([]);
  }, 120_000);

  it('DeleteFlowLogs is healed with a new flow log, and its re-delivery starts nothing', async () => {
    const del = await deleteFlowLog(org, newAccount, 'eu-west-1');
    expect(del.started).toMatchObject([{ workflow: 'cover-account-region', duplicate: false }]);
    expect(await del.replacement()).toMatch(/^fl-/);
    expect(await org.emit(del.event)).toEqual([]);
    expect((await ledgerStatuses(newAccount))['eu-west-1#flow-logs']).toBe('healed');
  }, 120_000);

  it('DeleteFlowLogs twice in one window, the second after the first heal finished: both are healed', async () => {
    // Step Functions API Reference, StartExecution: "If the execution is closed or if the input is
    // different, it returns a 400 ExecutionAlreadyExists error." The window's name is taken by a
    // closed execution, which heals nothing more.
    const at = new Date();
    const first = await deleteFlowLog(org, newAccount, 'eu-west-1', at);
    expect(await first.replacement()).toMatch(/^fl-/);
    const sfn = new SFNClient({ region: org.config.homeRegion });
    const window = coalescingWindow(first.event.time, COALESCE_MINUTES);
    const name = executionName('region', newAccount, 'eu-west-1', window);
    const machine = stateMachineArn('cover-account-region', org.config.homeRegion, org.securityTooling);
    const closed = await sfn.send(
      new DescribeExecutionCommand({
        executionArn: `${machine.replace(':stateMachine:', ':execution:')}:${name}`,
      }),
    );
    expect(closed.status).toBe('SUCCEEDED'); // the stand-in closes what the plane ran
    const second = await deleteFlowLog(org, newAccount, 'eu-west-1', at);
    expect(second.started).toMatchObject([{ workflow: 'cover-account-region', duplicate: false }]);
    expect(await second.replacement()).toMatch(/^fl-/);
    expect((await ledgerStatuses(newAccount))['eu-west-1#flow-logs']).toBe('healed');
    // Its re-delivery still starts nothing: the event's own name is taken.
    expect(await org.emit(second.event)).toEqual([]);
  }, 180_000);

  // Account Management Reference, "Monitoring Account Management events with EventBridge": "an
  // EventBridge event will be sent to the calling account when either the enable or disable
  // process has started, and again once either process has completed"; EnableRegionRequest
  // .RegionName: "You cannot use the Region until this process is complete."
  it('a region the management account opts in for a member with EnableRegion is covered once ENABLED: the events are the stand-in’s, to the management account in us-east-1', async () => {
    const hops = org.bus.hops.length;
    const { started, statuses, events } = await optInRegion(org, org.management, newAccount, optInRegionName);
    expect(statuses).toEqual(['ENABLING', 'ENABLED']);
    expect(events.map((e) => [e.account, e.region, e.detail.status])).toEqual([
      [org.management, 'us-east-1', 'ENABLING'],
      [org.management, 'us-east-1', 'ENABLED'],
    ]);
    // ENABLING reaches the forwarder's pattern (status ENABLED) not at all; ENABLED starts the heal.
    expect(started).toMatchObject([{ workflow: 'cover-account-region', duplicate: false }]);
    // (then the subscription control's PutAccountPolicy there starts a second heal: see the first test)
    expect(org.bus.hops.slice(hops, hops + 2).map((h) => h.on)).toEqual([
      `${org.management}/us-east-1/default`,
      `${org.securityTooling}/${org.config.homeRegion}/logwarden-control`,
    ]);
    const { results } = org.plane.runs.find((r) => r.name === started[0].name)!.run.output as {
      results: { account: string; region: string }[];
    };
    expect(new Set(results.map((r) => `${r.account} ${r.region}`))).toEqual(
      new Set([`${newAccount} ${optInRegionName}`]),
    );
    expect((await ledgerStatuses(newAccount))[`${optInRegionName}#flow-logs`]).toMatch(/^(covered|healed)$/);
    expect((await judge(org, [newAccount], [optInRegionName])).filter((v) => !v.covered)).toEqual([]);
  }, 120_000);

  it('a default region cannot be opted in: EnableRegion is refused and no event is sent, so nothing starts', async () => {
    const hops = org.bus.hops.length;
    await expect(optInRegion(org, org.management, newAccount, 'eu-central-1')).rejects.toMatchObject({
      name: 'ValidationException',
    });
    expect(org.bus.hops).toHaveLength(hops);
  });

  it('a region a member opts in for itself is forwarded from that member’s us-east-1; it cannot name another account', async () => {
    const { started, events } = await optInRegion(org, newAccount, newAccount, 'eu-south-2');
    expect(events.map((e) => [e.account, e.region, e.detail.accountId, e.detail.status])).toEqual([
      [newAccount, 'us-east-1', newAccount, 'ENABLING'],
      [newAccount, 'us-east-1', newAccount, 'ENABLED'],
    ]);
    expect(org.bus.hops.at(-2)?.on).toBe(`${newAccount}/us-east-1/default`);
    expect(started).toEqual([]); // eu-south-2 is not governed: the dispatcher starts nothing
    // A member is neither the management account nor a delegated administrator for
    // account.amazonaws.com (Account API Reference, AccountId): refused, no event.
    const hops = org.bus.hops.length;
    await expect(optInRegion(org, newAccount, '444444444444', optInRegionName)).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    expect(org.bus.hops).toHaveLength(hops);
  }, 120_000);

  it('a call in a region that is not governed reaches no rule: no forwarder is deployed there', async () => {
    const hops = org.bus.hops.length;
    const ct = new CloudTrailClient({ region: 'ap-east-1', credentials: await org.admin(newAccount) });
    const call = await recordedCall(
      org,
      {
        caller: { account: newAccount },
        region: 'ap-east-1',
        service: 'cloudtrail',
        eventName: 'StopLogging',
      },
      () => ct.send(new StopLoggingCommand({ Name: 'someone-elses-trail' })),
    );
    expect(call.started).toEqual([]);
    expect(org.bus.hops).toHaveLength(hops);
  });

  // EventBridge User Guide, "Sending and receiving events between AWS accounts": a rule that
  // sends to another account's bus uses the target's IAM role, which needs events:PutEvents on
  // that bus. The stand-in decides (local/standins/server.py service_authorize).
  it('the member’s forwarding role is what sends: with its events:PutEvents grant narrowed to another bus, the forwarded event is refused', async () => {
    const iam = asRoot(IAMClient, org.endpoint, newAccount, 'us-east-1');
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: names.forwardEventsRole,
        PolicyName: 'forward',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'events:PutEvents',
              Resource: `arn:aws:events:${org.config.homeRegion}:${org.securityTooling}:event-bus/another-bus`,
            },
          ],
        }),
      }),
    );
    await expect(deleteFlowLog(org, newAccount, 'eu-west-1')).rejects.toThrow(
      /rule logwarden-forward-flow-logs-deleted: sending to .*logwarden-control as arn:aws:iam::555555555555:role\/.* refused: .*events:PutEvents/,
    );
  }, 120_000);
});
