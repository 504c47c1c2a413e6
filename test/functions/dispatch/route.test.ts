import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { coalescingWindow, routeEvent, routeEvents } from '../../../functions/dispatch/route';
import { makeHandler } from '../../../functions/dispatch/handler';
import { eventNamePart, startNamedExecution } from '../../../functions/shared/start-execution';
import { Logger } from '@aws-lambda-powertools/logger';
import { ListParentsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';

const management = '111111111111';
const member = '444444444444';
const victim = '666666666666';
const context = { governedRegions: ['eu-west-1', 'eu-central-1'], managementAccount: management };
const apiCall = (detail: Record<string, unknown>, account = member, time = '2026-11-29T05:31:10Z') => ({
  id: `ev-${Math.random()}`,
  account,
  region: 'eu-west-1',
  time,
  detail,
});

describe('routeEvent', () => {
  it('a new account (management account event) → cover-account of the created account', () => {
    const event = {
      id: 'ev-1',
      account: management,
      region: 'us-east-1',
      time: '2026-11-29T05:31:10Z',
      detail: {
        serviceEventDetails: { createAccountStatus: { accountId: '555555555555', state: 'SUCCEEDED' } },
      },
    };
    expect(routeEvent('account-created', event, context)).toEqual({
      start: true,
      workflow: 'cover-account',
      name: 'account-555555555555-202611290530',
      rerunName: `account-555555555555-202611290530-${eventNamePart('ev-1')}`,
      input: {
        account: '555555555555',
        trigger: 'account-created',
        eventId: 'ev-1',
        eventAccount: management,
      },
    });
    // The same event claimed by a member starts nothing.
    expect(routeEvent('account-created', { ...event, account: member }, context)).toMatchObject({
      start: false,
      reason: expect.stringContaining('only the management account creates accounts'),
    });
  });

  it('a join recorded by the management account → cover-account of the joined account', () => {
    const joined = {
      id: 'ev-j',
      account: management,
      region: 'us-east-1',
      time: '2026-11-29T05:31:10Z',
      detail: {
        eventName: 'AccountJoinedOrganization',
        recipientAccountId: management,
        serviceEventDetails: { accountId: '555555555555', joinedMethod: 'INVITED' },
      },
    };
    expect(routeEvent('account-joined', joined, context)).toMatchObject({
      start: true,
      workflow: 'cover-account',
      input: { account: '555555555555' },
    });
    expect(routeEvent('account-joined', { ...joined, account: member }, context)).toMatchObject({
      start: false,
    });
    expect(
      routeEvent(
        'account-joined',
        { ...joined, detail: { serviceEventDetails: { accountId: management } } },
        context,
      ),
    ).toMatchObject({ start: false, reason: expect.stringContaining('no account id') });
  });

  it('MoveAccount recorded by the management account → cover-account of the moved account; from a member, nothing', () => {
    const moved = {
      id: 'ev-m',
      account: management,
      region: 'us-east-1',
      detail: {
        eventName: 'MoveAccount',
        requestParameters: {
          accountId: '555555555555',
          sourceParentId: 'r-ab12',
          destinationParentId: 'ou-ab12-x1y2z3w4',
        },
      },
    };
    expect(routeEvent('account-moved', moved, context)).toMatchObject({
      start: true,
      workflow: 'cover-account',
      input: { account: '555555555555' },
    });
    expect(routeEvent('account-moved', { ...moved, account: member }, context)).toMatchObject({
      start: false,
      reason: expect.stringContaining('only the management account moves accounts'),
    });
  });

  it('StopLogging → cover-account-region of the account that recorded it', () => {
    expect(
      routeEvent(
        'trail-changed',
        apiCall({ eventName: 'StopLogging', awsRegion: 'eu-central-1', recipientAccountId: member }),
        context,
      ),
    ).toMatchObject({
      start: true,
      workflow: 'cover-account-region',
      name: `region-${member}-eu-central-1-202611290530`,
      input: { account: member, region: 'eu-central-1' },
    });
  });

  it('a member cannot target another account: detail.recipientAccountId, accountId and userIdentity are not trusted', () => {
    const forged = apiCall({
      eventName: 'StopLogging',
      awsRegion: 'eu-west-1',
      recipientAccountId: victim,
      accountId: victim,
      userIdentity: { accountId: victim },
    });
    expect(routeEvent('trail-changed', forged, context)).toMatchObject({ input: { account: member } });
    // A member's opt-in event naming another account starts nothing; its own starts its own.
    const optIn = (accountId: string, account: string) => ({
      id: 'opt',
      account,
      region: 'us-east-1',
      time: '2026-11-29T05:31:10Z',
      detail: { accountId, regionName: 'eu-central-1', status: 'ENABLED' },
    });
    expect(routeEvent('region-opted-in', optIn(victim, member), context)).toMatchObject({
      start: false,
      reason: expect.stringContaining(`${member} sent an opt-in event naming ${victim}`),
    });
    expect(routeEvent('region-opted-in', optIn(member, member), context)).toMatchObject({
      input: { account: member, region: 'eu-central-1' },
    });
    // The management account enables regions for members: its event names the member.
    expect(routeEvent('region-opted-in', optIn(victim, management), context)).toMatchObject({
      input: { account: victim, region: 'eu-central-1' },
    });
  });

  it("an opt-in made by the Account Management delegated administrator (the control account) starts the member's cover", () => {
    // Account Management Reference, EnableRegion AccountId: "the caller must be an identity in the
    // organization's management account or a delegated administrator account"; "Monitoring account
    // management events with EventBridge": the event "will be sent to the calling account".
    const control = '333333333333';
    const optIn = (account: string) => ({
      id: 'opt',
      account,
      region: 'us-east-1',
      time: '2026-11-29T05:31:10Z',
      detail: { accountId: victim, regionName: 'eu-central-1', status: 'ENABLED' },
    });
    expect(
      routeEvent('region-opted-in', optIn(control), { ...context, controlAccount: control }),
    ).toMatchObject({
      start: true,
      workflow: 'cover-account-region',
      input: { account: victim, region: 'eu-central-1' },
    });
    // Any other member naming the victim is still refused, with or without a control account set.
    expect(
      routeEvent('region-opted-in', optIn(member), { ...context, controlAccount: control }),
    ).toMatchObject({
      start: false,
    });
  });

  it('a loop of events about one account and region starts one execution per 5-minute window', () => {
    const names = new Set<string>();
    for (let s = 0; s < 300; s += 10) {
      const time = new Date(Date.parse('2026-11-29T05:30:00Z') + s * 1000).toISOString();
      const route = routeEvent(
        'trail-changed',
        apiCall({ eventName: 'StopLogging', awsRegion: 'eu-west-1' }, member, time),
        context,
      );
      const other = routeEvent(
        'flow-logs-deleted',
        apiCall({ awsRegion: 'eu-west-1' }, member, time),
        context,
      );
      if (route.start) names.add(route.name);
      if (other.start) names.add(other.name);
    }
    expect([...names]).toEqual([`region-${member}-eu-west-1-202611290530`]);
    const next = routeEvent(
      'trail-changed',
      apiCall({ awsRegion: 'eu-west-1' }, member, '2026-11-29T05:35:00Z'),
      context,
    );
    expect(next).toMatchObject({ name: `region-${member}-eu-west-1-202611290535` });
    expect(coalescingWindow('2026-11-29T05:34:59.999Z', 5)).toBe('202611290530');
  });

  it('CreateVpc → cover-vpc for that VPC (one execution per VPC); no VPC id starts nothing', () => {
    expect(
      routeEvent(
        'vpc-created',
        apiCall({ awsRegion: 'eu-west-1', responseElements: { vpc: { vpcId: 'vpc-9' } } }),
        context,
      ),
    ).toMatchObject({
      workflow: 'cover-vpc',
      name: `vpc-${member}-eu-west-1-vpc-9`,
      input: { vpcIds: ['vpc-9'], region: 'eu-west-1' },
    });
    expect(routeEvent('vpc-created', apiCall({ awsRegion: 'eu-west-1' }), context)).toMatchObject({
      start: false,
    });
  });

  it('an event in a region that is not governed starts nothing, and says why', () => {
    expect(routeEvent('trail-changed', apiCall({ awsRegion: 'ap-east-1' }), context)).toEqual({
      start: false,
      reason: 'ap-east-1 is not a governed region',
    });
  });

  it('the same event twice has the same execution name', () => {
    const e = apiCall({ awsRegion: 'eu-west-1' });
    const a = routeEvent('flow-logs-deleted', e, context);
    const b = routeEvent('flow-logs-deleted', JSON.parse(JSON.stringify(e)), context);
    expect(a.start && b.start && a.name === b.name).toBe(true);
  });

  it('the daily schedule → sweep, named after its slot', () => {
    expect(
      routeEvent(
        'scheduled-sweep',
        { id: '2026-11-29T02:00:00Z', account: '333333333333', region: 'eu-west-1' },
        context,
      ),
    ).toMatchObject({ workflow: 'sweep', name: 'sweep-2026-11-29T02_00_00Z' });
  });
});

describe('the dispatcher handler', () => {
  const sfn = mockClient(SFNClient);
  beforeEach(() => sfn.reset());
  const orgs = mockClient(OrganizationsClient);
  const deps = {
    sfn: new SFNClient({ region: 'eu-west-1' }),
    orgs: new OrganizationsClient({ region: 'us-east-1' }),
    governedRegions: ['eu-west-1'],
    controlAccount: '333333333333',
    managementAccount: management,
    region: 'eu-west-1',
    logger: new Logger({ logLevel: 'SILENT' }),
    scope: {
      includeOUs: [],
      excludeOUs: [],
      excludeAccounts: [],
      coverManagementAccount: false,
      managementAccount: management,
    },
  };
  const handler = makeHandler(deps);

  it('an out-of-scope account: its region events start nothing and say which rule; cover-account still starts (it re-evaluates)', async () => {
    orgs.reset();
    orgs
      .on(ListParentsCommand, { ChildId: member })
      .resolves({ Parents: [{ Id: 'ou-ab12-sandbox1', Type: 'ORGANIZATIONAL_UNIT' }] })
      .on(ListParentsCommand, { ChildId: 'ou-ab12-sandbox1' })
      .resolves({ Parents: [{ Id: 'r-ab12', Type: 'ROOT' }] });
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:started' });
    const scoped = makeHandler({ ...deps, scope: { ...deps.scope, excludeOUs: ['ou-ab12-sandbox1'] } });
    const stop = await scoped({
      trigger: 'trail-changed',
      event: apiCall({ eventName: 'StopLogging', awsRegion: 'eu-west-1' }, member),
    });
    expect(stop).toMatchObject({
      start: false,
      reason: `${member} is out of scope (scope.excludeOUs: ${member} is in ou-ab12-sandbox1)`,
    });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    const moved = await scoped({
      trigger: 'account-moved',
      event: {
        id: 'ev-move',
        account: management,
        region: 'us-east-1',
        detail: {
          eventName: 'MoveAccount',
          requestParameters: {
            accountId: member,
            sourceParentId: 'r-ab12',
            destinationParentId: 'ou-ab12-sandbox1',
          },
        },
      },
    });
    expect(moved).toMatchObject({ start: true, workflow: 'cover-account', input: { account: member } });
    // Without OU rules, Organizations is never asked.
    orgs.reset();
    await handler({
      trigger: 'trail-changed',
      event: apiCall({ eventName: 'StopLogging', awsRegion: 'eu-west-1' }),
    });
    expect(orgs.commandCalls(ListParentsCommand)).toHaveLength(0);
  });

  it('ten StopLogging events in one window while its execution runs: one execution started, nine duplicates', async () => {
    sfn
      .on(StartExecutionCommand)
      .resolvesOnce({ executionArn: 'arn:started' })
      .rejects(Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' }));
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    const results = [];
    for (let i = 0; i < 10; i++)
      results.push(
        await handler({
          trigger: 'trail-changed',
          event: apiCall(
            { eventName: 'StopLogging', awsRegion: 'eu-west-1' },
            member,
            `2026-11-29T05:3${i % 5}:00Z`,
          ),
        }),
      );
    expect(results.filter((r) => 'duplicate' in r && r.duplicate === false)).toHaveLength(1);
    expect(new Set(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name))).toEqual(
      new Set([`region-${member}-eu-west-1-202611290530`]),
    );
  });
});

describe('startNamedExecution', () => {
  const sfn = mockClient(SFNClient);
  beforeEach(() => sfn.reset());
  const arn = 'arn:aws:states:eu-west-1:333333333333:stateMachine:logwarden-cover-account-region';
  const executionArn = (name: string) =>
    `arn:aws:states:eu-west-1:333333333333:execution:logwarden-cover-account-region:${name}`;
  const exists = () => Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' });

  // Step Functions API Reference, StartExecution: "If the execution is closed or if the input is
  // different, it returns a 400 ExecutionAlreadyExists error." The error alone does not say that
  // a heal is still running.
  it('the window’s execution has closed: the event starts its own execution under its rerun name', async () => {
    sfn.on(StartExecutionCommand, { name: 'region-w' }).rejects(exists());
    sfn
      .on(StartExecutionCommand, { name: 'region-w-ev2' })
      .resolves({ executionArn: executionArn('region-w-ev2') });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED' });
    expect(await startNamedExecution(new SFNClient({}), arn, 'region-w', {}, 'region-w-ev2')).toEqual({
      executionArn: executionArn('region-w-ev2'),
      duplicate: false,
    });
    expect(sfn.commandCalls(DescribeExecutionCommand)[0].args[0].input).toEqual({
      executionArn: executionArn('region-w'),
    });
  });

  it('the window’s execution is running: the event is coalesced with it', async () => {
    sfn.on(StartExecutionCommand).rejects(exists());
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    expect(await startNamedExecution(new SFNClient({}), arn, 'region-w', {}, 'region-w-ev2')).toEqual({
      executionArn: executionArn('region-w'),
      duplicate: true,
    });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('a re-delivered event after its own execution: its rerun name exists too, nothing starts', async () => {
    sfn.on(StartExecutionCommand).rejects(exists());
    sfn.on(DescribeExecutionCommand).resolves({ status: 'FAILED' });
    expect(await startNamedExecution(new SFNClient({}), arn, 'region-w', {}, 'region-w-ev2')).toEqual({
      executionArn: executionArn('region-w-ev2'),
      duplicate: true,
    });
  });

  it('a duplicate name is a no-op that reports the existing execution', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejectsOnce(Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' }));
    expect(await startNamedExecution(new SFNClient({}), arn, 'trail-changed-ev', {})).toEqual({
      executionArn:
        'arn:aws:states:eu-west-1:333333333333:execution:logwarden-cover-account-region:trail-changed-ev',
      duplicate: true,
    });
  });
});

describe('GuardDuty membership changes by the administrator (issue 21 §5)', () => {
  const admin = '333333333333';
  const gdContext = { ...context, guardDutyAdminAccount: admin };
  const membersCall = (eventName: string, accountIds: unknown, account = admin) =>
    apiCall(
      {
        eventSource: 'guardduty.amazonaws.com',
        eventName,
        awsRegion: 'eu-west-1',
        requestParameters: { detectorId: 'd', accountIds },
      },
      account,
    );

  it.each(['DisassociateMembers', 'DeleteMembers', 'StopMonitoringMembers'])(
    "the administrator's %s heals each member named in accountIds, not the administrator",
    (eventName) => {
      // GuardDuty API Reference, DisassociateMembers: "accountIds: A list of account IDs of the
      // GuardDuty member accounts that you want to disassociate from the administrator account."
      const routes = routeEvents(
        'guardduty-members-changed',
        membersCall(eventName, [member, victim]),
        gdContext,
      );
      expect(routes).toHaveLength(2);
      expect(routes.map((r) => r.start && r.input.account)).toEqual([member, victim]);
      for (const r of routes)
        expect(r).toMatchObject({
          start: true,
          workflow: 'cover-account-region',
          input: { region: 'eu-west-1', eventAccount: admin, trigger: 'guardduty-members-changed' },
        });
      const names = routes.map((r) => r.start && r.name);
      expect(new Set(names).size).toBe(2);
      expect(names.join(' ')).not.toContain(admin);
    },
  );

  it("a member's call names only itself; bad accountIds from the administrator start nothing", () => {
    // A member is not the administrator: whatever accountIds it sends, it heals its own cell.
    expect(
      routeEvents('guardduty-members-changed', membersCall('DeleteMembers', [victim], member), gdContext),
    ).toEqual([
      expect.objectContaining({ start: true, input: expect.objectContaining({ account: member }) }),
    ]);
    for (const bad of [[], ['nope'], 'x', Array.from({ length: 51 }, (_, i) => String(100000000000 + i))])
      expect(routeEvents('guardduty-members-changed', membersCall('DeleteMembers', bad), gdContext)).toEqual([
        expect.objectContaining({ start: false }),
      ]);
  });

  it('the dispatcher starts one execution per named member', async () => {
    const sfn = mockClient(SFNClient);
    sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
      executionArn: `arn:aws:states:eu-west-1:${admin}:execution:logwarden-cover-account-region:${input.name}`,
    }));
    const orgs = mockClient(OrganizationsClient);
    orgs.on(ListParentsCommand).resolves({ Parents: [{ Id: 'r-root', Type: 'ROOT' }] });
    const handler = makeHandler({
      sfn: sfn as never as SFNClient,
      orgs: orgs as never as OrganizationsClient,
      governedRegions: context.governedRegions,
      controlAccount: admin,
      managementAccount: management,
      region: 'eu-west-1',
      logger: new Logger({ logLevel: 'SILENT' }),
      scope: { includeOUs: [], excludeOUs: [], excludeAccounts: [] } as never,
    });
    await handler({
      trigger: 'guardduty-members-changed',
      event: membersCall('DisassociateMembers', [member, victim]),
    });
    const started = sfn
      .commandCalls(StartExecutionCommand)
      .map((c) => JSON.parse(c.args[0].input.input!).account);
    expect(started).toEqual([member, victim]);
  });
});

describe('changes to the organization trail in the management account (issue 21 §6)', () => {
  const control = '333333333333';
  const stopOrgTrail = (account: string) =>
    apiCall(
      {
        eventSource: 'cloudtrail.amazonaws.com',
        eventName: 'StopLogging',
        awsRegion: 'eu-west-1',
        requestParameters: { name: `arn:aws:cloudtrail:eu-west-1:${management}:trail/logwarden-org-trail` },
      },
      account,
    );

  it("a StopLogging of the organization trail heals the control-plane account's cell, same Region", () => {
    // EventBridge receives API calls only through CloudTrail: "a CloudTrail trail with logging
    // enabled is required", so a stopped organization trail silences every member's trigger.
    expect(
      routeEvent('org-trail-changed', stopOrgTrail(management), { ...context, controlAccount: control }),
    ).toMatchObject({
      start: true,
      workflow: 'cover-account-region',
      input: { account: control, region: 'eu-west-1', eventAccount: management },
    });
  });

  it("a member's event cannot use the management trigger", () => {
    expect(
      routeEvent('org-trail-changed', stopOrgTrail(member), { ...context, controlAccount: control }),
    ).toMatchObject({
      start: false,
    });
  });
});
