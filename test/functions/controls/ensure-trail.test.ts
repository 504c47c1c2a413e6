import {
  CloudTrailClient,
  CreateTrailCommand,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
  UpdateTrailCommand,
} from '@aws-sdk/client-cloudtrail';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { makeHandler } from '../../../functions/ensure-trail/handler';
import { ensureTrail, TrailConflict } from '../../../functions/ensure-trail/ensure-trail';
import { organizationTrailArn } from '../../../contracts/names';
import { readOnlyClient, type PlannedCall } from '../../../functions/shared/read-only';

const ct = mockClient(CloudTrailClient);
const client = new CloudTrailClient({ region: 'eu-west-1' });
const target = { account: '444444444444', region: 'eu-west-1' };
// The organization trail is owned by the management account (111111111111), even though the
// security-tooling account (333333333333) manages it as CloudTrail delegated administrator.
const arn = organizationTrailArn('eu-west-1', '111111111111', 'org-trail');
const settings = {
  mode: 'organization' as const,
  name: 'org-trail',
  homeRegion: 'eu-west-1',
  trailArn: arn,
  kmsKeyArn: 'arn:aws:kms:eu-west-1:222222222222:key/k',
  // logwarden's group and role in the calling (security-tooling) account (contracts/names.ts).
  cloudWatchLogsGroupArn: 'arn:aws:logs:eu-west-1:333333333333:log-group:/logwarden/cloudtrail:*',
  cloudWatchLogsRoleArn: 'arn:aws:iam::333333333333:role/logwarden-cloudtrail-to-logs',
  s3BucketName: undefined as string | undefined,
};
const healthy = {
  Name: 'org-trail',
  TrailARN: arn,
  S3BucketName: 'org-trail-bucket',
  IsMultiRegionTrail: true,
  IsOrganizationTrail: true,
  LogFileValidationEnabled: true,
  KmsKeyId: settings.kmsKeyArn,
  CloudWatchLogsLogGroupArn: settings.cloudWatchLogsGroupArn,
  CloudWatchLogsRoleArn: settings.cloudWatchLogsRoleArn,
};
const writes = [CreateTrailCommand, UpdateTrailCommand, PutEventSelectorsCommand, StartLoggingCommand];

beforeEach(() => {
  ct.reset();
  // DescribeTrails by name answers only the caller's own trails: the control must ask by ARN.
  ct.on(DescribeTrailsCommand).resolves({ trailList: [] });
  ct.on(DescribeTrailsCommand, { trailNameList: [arn] }).resolves({ trailList: [healthy] });
  ct.on(GetEventSelectorsCommand).resolves({
    EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'All' }],
  });
  ct.on(GetTrailStatusCommand).resolves({ IsLogging: true });
});

describe('ensureTrail', () => {
  it('already covered: no write call', async () => {
    const r = await ensureTrail(client, target, settings);
    expect(r).toMatchObject({ status: 'covered', evidence: { trail: arn }, actions: [] });
    for (const w of writes) expect(ct).not.toHaveReceivedCommand(w as never);
  });

  it('without custom event selectors (the default: every management event) it is covered in two reads', async () => {
    ct.on(DescribeTrailsCommand, { trailNameList: [arn] }).resolves({
      trailList: [{ ...healthy, HasCustomEventSelectors: false }],
    });
    const r = await ensureTrail(client, target, settings);
    expect(r).toMatchObject({ status: 'covered', actions: [] });
    expect(ct.calls().map((c) => c.args[0].constructor.name)).toEqual([
      'DescribeTrailsCommand',
      'GetTrailStatusCommand',
    ]);
  });

  it('with custom event selectors they are read and checked', async () => {
    ct.on(DescribeTrailsCommand, { trailNameList: [arn] }).resolves({
      trailList: [{ ...healthy, HasCustomEventSelectors: true }],
    });
    ct.on(GetEventSelectorsCommand).resolves({
      EventSelectors: [{ IncludeManagementEvents: false, ReadWriteType: 'All' }],
    });
    const r = await ensureTrail(client, target, settings);
    expect(r.status).toBe('healed');
    expect(ct).toHaveReceivedCommand(GetEventSelectorsCommand);
    expect(ct).toHaveReceivedCommand(PutEventSelectorsCommand);
  });

  // Issue 21 §11: a cell outside the home region reports what it verified, never `covered`
  // without a check. Trail.IsMultiRegionTrail: "Specifies whether the trail exists only in one
  // Region or exists in all Regions" (CloudTrail API Reference); every write is made in the home
  // region ("otherwise, an InvalidHomeRegionException is thrown": UpdateTrail).
  it('another region than the home region: two reads verify the trail exists, is multi-region and logs; no write', async () => {
    const r = await ensureTrail(client, { ...target, region: 'eu-central-1' }, settings);
    expect(r).toMatchObject({
      status: 'covered',
      evidence: {
        trail: arn,
        settingsCheckedIn: 'eu-west-1',
        verified:
          'exists, organization trail, multi-region (applies to eu-central-1), logging (read in eu-west-1)',
      },
      actions: [],
    });
    expect(ct.calls().map((c) => (c.args[0] as object).constructor.name)).toEqual([
      'DescribeTrailsCommand',
      'GetTrailStatusCommand',
    ]);
  });

  it.each([
    [
      'is missing',
      () => ct.on(DescribeTrailsCommand, { trailNameList: [arn] }).resolves({ trailList: [] }),
      'does not exist',
    ],
    [
      'is single-region',
      () =>
        ct
          .on(DescribeTrailsCommand, { trailNameList: [arn] })
          .resolves({ trailList: [{ ...healthy, IsMultiRegionTrail: false }] }),
      'is not multi-region',
    ],
    ['is stopped', () => ct.on(GetTrailStatusCommand).resolves({ IsLogging: false }), 'is not logging'],
  ])(
    'another region than the home region, when the trail %s: failed, saying the home cell repairs it',
    async (_, arrange, why) => {
      arrange();
      const r = await ensureTrail(client, { ...target, region: 'eu-central-1' }, settings);
      expect(r.status).toBe('failed');
      expect(r.reason).toContain(why);
      expect(r.reason).toContain("the home region eu-west-1's cell repairs it");
      for (const w of writes) expect(ct).not.toHaveReceivedCommand(w as never);
    },
  );

  // UpdateTrailRequest.IsOrganizationTrail: converted to false, "the trail will remain in the
  // current Amazon Web Services account but be deleted from all member accounts". The home
  // region's cell reports it and never converts it back; so does every other region's.
  it.each([
    ['organization', "logwarden will not convert someone else's trail"],
    ['external', 'Control Tower must repair it (trail.mode external)'],
  ] as const)(
    'another region than the home region, %s mode, when the trail is no longer an organization trail: failed, as the home cell',
    async (mode, why) => {
      ct.on(DescribeTrailsCommand, { trailNameList: [arn] }).resolves({
        trailList: [{ ...healthy, IsOrganizationTrail: false }],
      });
      const r = await ensureTrail(
        client,
        { ...target, region: 'eu-central-1' },
        {
          ...settings,
          mode,
          owner: 'Control Tower',
        },
      );
      expect(r.status).toBe('failed');
      expect(r.reason).toContain('is not an organization trail');
      expect(r.reason).toContain(why);
      for (const w of writes) expect(ct).not.toHaveReceivedCommand(w as never);
      const home = await ensureTrail(client, target, { ...settings, mode, owner: 'Control Tower' });
      expect(home.status).toBe('failed');
      expect(home.reason).toContain('not an organization trail');
    },
  );

  // GetTrailStatusResponse.LatestCloudWatchLogsDeliveryError: "Displays any CloudWatch Logs
  // error that CloudTrail encountered when attempting to deliver logs to CloudWatch Logs." The
  // model gives the error no time of its own, so a reported error is a failure; the last
  // delivery (LatestCloudWatchLogsDeliveryTime) is named beside it.
  describe('CloudWatch Logs delivery reported failing', () => {
    const failing = {
      IsLogging: true,
      LatestCloudWatchLogsDeliveryError: 'AccessDenied: not authorized to perform logs:PutLogEvents',
      LatestCloudWatchLogsDeliveryTime: new Date('2026-12-01T00:00:00Z'),
    };
    beforeEach(() => ct.on(GetTrailStatusCommand).resolves(failing));

    it('in the home region: failed, with the error and the last delivery, and no write (the role is logwarden’s own, deployed by its stacks)', async () => {
      const r = await ensureTrail(client, target, settings);
      expect(r.status).toBe('failed');
      expect(r.reason).toContain('AccessDenied: not authorized to perform logs:PutLogEvents');
      expect(r.reason).toContain('last delivered 2026-12-01T00:00:00.000Z');
      expect(r.reason).toContain(settings.cloudWatchLogsRoleArn);
      for (const w of writes) expect(ct).not.toHaveReceivedCommand(w as never);
    });

    it('in another region: failed too (one trail, one group, for every region)', async () => {
      const r = await ensureTrail(client, { ...target, region: 'eu-central-1' }, settings);
      expect(r.status).toBe('failed');
      expect(r.reason).toContain('delivery fails: AccessDenied');
    });

    it('an external trail: drift for its owner', async () => {
      const r = await ensureTrail(client, target, { ...settings, mode: 'external', owner: 'Control Tower' });
      expect(r.status).toBe('failed');
      expect(r.reason).toContain('its CloudWatch Logs delivery fails: AccessDenied');
    });

    it('never delivered, no error reported (a trail just started): covered', async () => {
      ct.on(GetTrailStatusCommand).resolves({ IsLogging: true });
      expect((await ensureTrail(client, target, settings)).status).toBe('covered');
    });

    it('the group and role just set back by this run: the old delivery error is not reported as the new one’s', async () => {
      ct.on(DescribeTrailsCommand, { trailNameList: [arn] }).resolves({
        trailList: [{ ...healthy, CloudWatchLogsRoleArn: 'arn:aws:iam::111111111111:role/other' }],
      });
      const r = await ensureTrail(client, target, settings);
      expect(r.status).toBe('healed');
    });
  });

  it('StopLogging is repaired with StartLogging', async () => {
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    const r = await ensureTrail(client, target, settings);
    expect(r.status).toBe('healed');
    expect(ct).toHaveReceivedCommandWith(StartLoggingCommand, { Name: arn });
    expect(r.actions).toEqual(['started logging on org-trail, which was stopped']);
  });

  // A basic selector's ReadWriteType "applies to management events, data events, and network
  // activity events" (GetEventSelectors): a data-event selector is never widened.
  it('selectors that drop management events get a management-only selector beside the data selectors, which stay as they are', async () => {
    const data = { Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::bucket/'] };
    const theirs = {
      IncludeManagementEvents: true,
      ReadWriteType: 'WriteOnly' as const,
      DataResources: [data],
    };
    ct.on(GetEventSelectorsCommand).resolves({ EventSelectors: [theirs] });
    await ensureTrail(client, target, settings);
    expect(ct).toHaveReceivedCommandWith(PutEventSelectorsCommand, {
      TrailName: arn,
      EventSelectors: [
        theirs,
        {
          IncludeManagementEvents: true,
          ReadWriteType: 'All',
          ExcludeManagementEventSources: [],
          DataResources: [],
        },
      ],
    });
  });

  it('a management-only selector that narrows them is widened in place; five data selectors are a failure, not a widening', async () => {
    const data = { Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::bucket/'] };
    const dataSelector = {
      IncludeManagementEvents: false,
      ReadWriteType: 'WriteOnly' as const,
      DataResources: [data],
    };
    ct.on(GetEventSelectorsCommand).resolves({
      EventSelectors: [dataSelector, { IncludeManagementEvents: true, ReadWriteType: 'WriteOnly' }],
    });
    await ensureTrail(client, target, settings);
    expect(ct).toHaveReceivedCommandWith(PutEventSelectorsCommand, {
      TrailName: arn,
      EventSelectors: [
        dataSelector,
        { IncludeManagementEvents: true, ReadWriteType: 'All', ExcludeManagementEventSources: [] },
      ],
    });
    ct.resetHistory();
    // "You can configure up to five event selectors for a trail" (PutEventSelectors).
    ct.on(GetEventSelectorsCommand).resolves({ EventSelectors: Array(5).fill(dataSelector) });
    const r = await ensureTrail(client, target, settings);
    expect(ct).not.toHaveReceivedCommand(PutEventSelectorsCommand);
    expect(r).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('widens no data-event selector'),
    });
  });

  it('advanced selectors without management events get one more selector, the others kept', async () => {
    const s3Data = { Name: 'theirs', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }] };
    ct.on(GetEventSelectorsCommand).resolves({ AdvancedEventSelectors: [s3Data] });
    await ensureTrail(client, target, settings);
    expect(ct.commandCalls(PutEventSelectorsCommand)[0].args[0].input.AdvancedEventSelectors).toEqual([
      s3Data,
      {
        Name: 'logwarden: management events',
        FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
      },
    ]);
  });

  // AWS refuses IsMultiRegionTrail true without global service events: "InvalidParameterCombinationException:
  // Multi-Region trail must include global service events." (users' reports of AWS's answer:
  // hashicorp/terraform#4723, cloudconformity/auto-remediate#4).
  it('a single-region trail without validation or global service events is updated, only in what is wrong, multi-region always with global service events', async () => {
    ct.on(DescribeTrailsCommand, { trailNameList: [arn] }).resolves({
      trailList: [
        {
          ...healthy,
          IsMultiRegionTrail: false,
          IncludeGlobalServiceEvents: false,
          LogFileValidationEnabled: false,
        },
      ],
    });
    const r = await ensureTrail(client, target, settings);
    expect(ct.commandCalls(UpdateTrailCommand)[0].args[0].input).toEqual({
      Name: arn,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
    });
    expect(r.actions).toEqual([
      'updated trail org-trail: turned on multi-region (with the global service events it must include), turned on log file validation',
    ]);
  });

  // CloudTrail API Reference, ConflictException: "This can occur when you try to run an operation
  // on a resource before CloudTrail has time to fully load the resource, or because another
  // operation is modifying the resource. If this exception occurs, wait a few minutes, and then
  // try the operation again." Thrown as TrailConflict, which the workflow retries for minutes.
  it.each([
    ['UpdateTrail', UpdateTrailCommand],
    ['PutEventSelectors', PutEventSelectorsCommand],
    ['StartLogging', StartLoggingCommand],
  ])(
    'ConflictException from %s is thrown as TrailConflict for the workflow to retry, not reported as a failure',
    async (_, command) => {
      ct.on(DescribeTrailsCommand, { trailNameList: [arn] }).resolves({
        trailList: [{ ...healthy, LogFileValidationEnabled: false }],
      });
      ct.on(GetEventSelectorsCommand).resolves({ EventSelectors: [{ IncludeManagementEvents: false }] });
      ct.on(GetTrailStatusCommand).resolves({ IsLogging: false });
      ct.on(command as never).rejects(
        Object.assign(new Error('Trail org-trail is being modified; try again later.'), {
          name: 'ConflictException',
          $metadata: { httpStatusCode: 400 },
        }),
      );
      await expect(ensureTrail(client, target, settings)).rejects.toMatchObject({
        name: TrailConflict.errorName,
        message: expect.stringContaining('is being modified'),
      });
    },
  );

  // Issue 21 §2: a refused UpdateTrail must never keep the trail stopped. CloudTrail API
  // Reference, UpdateTrail: "InvalidCloudWatchLogsRoleArnException: This exception is thrown when
  // the provided role is not valid"; StartLogging "Starts the recording of Amazon Web Services
  // API calls and log file delivery for a trail."
  it('a refused UpdateTrail is reported, and StartLogging still follows', async () => {
    ct.on(DescribeTrailsCommand, { trailNameList: [arn] }).resolves({
      trailList: [{ ...healthy, LogFileValidationEnabled: false }],
    });
    ct.on(UpdateTrailCommand).rejects(
      Object.assign(new Error('Access denied. Verify in IAM that the role has adequate permissions.'), {
        name: 'InvalidCloudWatchLogsRoleArnException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    const r = await ensureTrail(client, target, settings);
    expect(ct).toHaveReceivedCommandWith(StartLoggingCommand, { Name: arn });
    expect(r.status).toBe('failed');
    expect(r.reason).toContain(
      'UpdateTrail to turned on log file validation failed: InvalidCloudWatchLogsRoleArnException',
    );
    expect(r.actions).toContain('started logging on org-trail, which was stopped');
  });

  it('a throttled UpdateTrail is thrown for the workflow to retry', async () => {
    ct.on(DescribeTrailsCommand, { trailNameList: [arn] }).resolves({
      trailList: [{ ...healthy, LogFileValidationEnabled: false }],
    });
    ct.on(UpdateTrailCommand).rejects(
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }),
    );
    await expect(ensureTrail(client, target, settings)).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
  });

  it('a missing trail without a configured bucket is reported, not invented', async () => {
    ct.on(DescribeTrailsCommand, { trailNameList: [arn] }).resolves({ trailList: [] });
    const r = await ensureTrail(client, target, settings);
    expect(r).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('trail.s3BucketName is not configured'),
    });
    for (const w of writes) expect(ct).not.toHaveReceivedCommand(w as never);
  });

  it('a missing trail with a bucket is created as an organization trail', async () => {
    ct.on(DescribeTrailsCommand, { trailNameList: [arn] }).resolves({ trailList: [] });
    ct.on(CreateTrailCommand).resolves({ TrailARN: arn });
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    const r = await ensureTrail(client, target, { ...settings, s3BucketName: 'org-trail-bucket' });
    expect(ct).toHaveReceivedCommandWith(CreateTrailCommand, {
      Name: 'org-trail',
      S3BucketName: 'org-trail-bucket',
      IsOrganizationTrail: true,
      IsMultiRegionTrail: true,
      EnableLogFileValidation: true,
    });
    expect(ct).toHaveReceivedCommandWith(StartLoggingCommand, { Name: arn });
    expect(r.status).toBe('healed');
  });

  it('logwarden plan of a missing trail: CreateTrail then StartLogging, nothing read back, nothing written', async () => {
    ct.on(DescribeTrailsCommand, { trailNameList: [arn] }).resolves({ trailList: [] });
    // The trail does not exist: any read of it would fail, as CloudTrail answers.
    ct.on(GetTrailStatusCommand).rejects(
      Object.assign(new Error('Unknown trail'), { name: 'TrailNotFoundException' }),
    );
    const planned: PlannedCall[] = [];
    const r = await ensureTrail(readOnlyClient(client, planned), target, {
      ...settings,
      s3BucketName: 'org-trail-bucket',
    });
    expect(planned.map((c) => c.operation)).toEqual(['CreateTrail', 'StartLogging']);
    for (const w of writes) expect(ct).not.toHaveReceivedCommand(w as never);
    expect(r.actions).toHaveLength(2);
  });

  it('a trail another execution created since the look-up (TrailAlreadyExistsException) is found, not a failure', async () => {
    // cover-account covers regions in parallel and one organization trail serves them all: the
    // first look-up sees nothing, CreateTrail loses the race, the second look-up finds it.
    ct.on(DescribeTrailsCommand, { trailNameList: [arn] })
      .resolvesOnce({ trailList: [] })
      .resolves({ trailList: [healthy] });
    ct.on(CreateTrailCommand).rejects(
      Object.assign(new Error('Trail org-trail already exists for customer'), {
        name: 'TrailAlreadyExistsException',
      }),
    );
    const r = await ensureTrail(client, target, { ...settings, s3BucketName: 'org-trail-bucket' });
    expect(r).toMatchObject({ status: 'covered', evidence: { trail: arn }, actions: [] });
    expect(ct).toHaveReceivedCommandTimes(DescribeTrailsCommand, 2);
  });

  it('TrailAlreadyExistsException for a trail it still cannot read is a failure that says so', async () => {
    ct.on(DescribeTrailsCommand, { trailNameList: [arn] }).resolves({ trailList: [] });
    ct.on(CreateTrailCommand).rejects(
      Object.assign(new Error('Trail org-trail already exists for customer'), {
        name: 'TrailAlreadyExistsException',
      }),
    );
    const r = await ensureTrail(client, target, { ...settings, s3BucketName: 'org-trail-bucket' });
    expect(r.status).toBe('failed');
    expect(r.reason).toMatch(/TrailAlreadyExistsException .* cannot be read/);
  });

  it('someone else’s non-organization trail of that name is not converted', async () => {
    ct.on(DescribeTrailsCommand, { trailNameList: [arn] }).resolves({
      trailList: [{ ...healthy, IsOrganizationTrail: false, IsMultiRegionTrail: false }],
    });
    const r = await ensureTrail(client, target, settings);
    expect(r.status).toBe('failed');
    expect(ct).not.toHaveReceivedCommand(UpdateTrailCommand);
  });

  it('every call addresses the organization trail by its ARN, which names the management account', async () => {
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    ct.on(GetEventSelectorsCommand).resolves({ EventSelectors: [{ IncludeManagementEvents: false }] });
    ct.on(DescribeTrailsCommand, { trailNameList: [arn] }).resolves({
      trailList: [{ ...healthy, LogFileValidationEnabled: false }],
    });
    await ensureTrail(client, target, settings);
    expect(ct.commandCalls(DescribeTrailsCommand)[0].args[0].input.trailNameList).toEqual([
      'arn:aws:cloudtrail:eu-west-1:111111111111:trail/org-trail',
    ]);
    expect(ct.commandCalls(GetTrailStatusCommand)[0].args[0].input.Name).toBe(arn);
    expect(ct.commandCalls(StartLoggingCommand)[0].args[0].input.Name).toBe(arn);
    expect(ct.commandCalls(UpdateTrailCommand)[0].args[0].input.Name).toBe(arn);
    expect(ct.commandCalls(GetEventSelectorsCommand)[0].args[0].input.TrailName).toBe(arn);
    expect(ct.commandCalls(PutEventSelectorsCommand)[0].args[0].input.TrailName).toBe(arn);
  });

  it.each([
    [
      'another KMS key',
      { KmsKeyId: 'arn:aws:kms:eu-west-1:444444444444:key/theirs' },
      { KmsKeyId: settings.kmsKeyArn },
    ],
    [
      'another log group',
      { CloudWatchLogsLogGroupArn: 'arn:aws:logs:eu-west-1:111111111111:log-group:elsewhere:*' },
      {
        CloudWatchLogsLogGroupArn: settings.cloudWatchLogsGroupArn,
        CloudWatchLogsRoleArn: settings.cloudWatchLogsRoleArn,
      },
    ],
    [
      'another delivery role',
      { CloudWatchLogsRoleArn: 'arn:aws:iam::111111111111:role/other' },
      {
        CloudWatchLogsLogGroupArn: settings.cloudWatchLogsGroupArn,
        CloudWatchLogsRoleArn: settings.cloudWatchLogsRoleArn,
      },
    ],
    ['another bucket', { S3BucketName: 'attacker-bucket' }, { S3BucketName: 'org-trail-bucket' }],
  ])('a trail with %s is set back to the configured one', async (_, drift, fix) => {
    ct.on(DescribeTrailsCommand, { trailNameList: [arn] }).resolves({
      trailList: [{ ...healthy, ...drift }],
    });
    const r = await ensureTrail(client, target, { ...settings, s3BucketName: 'org-trail-bucket' });
    expect(r.status).toBe('healed');
    expect(ct).toHaveReceivedCommandTimes(UpdateTrailCommand, 1);
    expect(ct.commandCalls(UpdateTrailCommand)[0].args[0].input).toEqual({ Name: arn, ...fix });
  });

  it('the log group ARN as CloudTrail reports it (with or without :*) is the configured one', async () => {
    ct.on(DescribeTrailsCommand, { trailNameList: [arn] }).resolves({
      trailList: [
        { ...healthy, CloudWatchLogsLogGroupArn: settings.cloudWatchLogsGroupArn.replace(/:\*$/, '') },
      ],
    });
    const r = await ensureTrail(client, target, settings);
    expect(r.status).toBe('covered');
  });

  it('management event sources excluded from the trail are put back (basic and advanced selectors)', async () => {
    ct.on(GetEventSelectorsCommand).resolves({
      EventSelectors: [
        {
          IncludeManagementEvents: true,
          ReadWriteType: 'All',
          ExcludeManagementEventSources: ['kms.amazonaws.com'],
        },
      ],
    });
    await ensureTrail(client, target, settings);
    expect(ct).toHaveReceivedCommandWith(PutEventSelectorsCommand, {
      TrailName: arn,
      EventSelectors: [
        { IncludeManagementEvents: true, ReadWriteType: 'All', ExcludeManagementEventSources: [] },
      ],
    });
    ct.on(GetEventSelectorsCommand).resolves({
      AdvancedEventSelectors: [
        {
          Name: 'mgmt without kms',
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Management'] },
            { Field: 'eventSource', NotEquals: ['kms.amazonaws.com'] },
          ],
        },
      ],
    });
    const r = await ensureTrail(client, target, settings);
    expect(r.status).toBe('healed');
    expect(ct.commandCalls(PutEventSelectorsCommand)[1].args[0].input.AdvancedEventSelectors).toHaveLength(2);
  });

  it('throttling surfaces as a retryable error name', async () => {
    ct.on(DescribeTrailsCommand).rejects(
      Object.assign(new Error('slow down'), { name: 'ThrottlingException' }),
    );
    await expect(ensureTrail(client, target, settings)).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
  });
});

// CloudTrail User Guide, "Organization delegated administrator", footnote 1: "Both the
// CloudWatch Logs log group and log role must exist in the calling account." IAM passes only a
// role of the caller's own account (issue 21 §2, §3).
describe('the trail’s CloudWatch Logs group and role are those of the account that calls CreateTrail/UpdateTrail', () => {
  const managementAccount = '111111111111';
  const securityToolingAccount = '333333333333';
  const member = '444444444444';
  /** The clients the handler asked for: `own` (security-tooling) or `member:<account>`. */
  const asked: string[] = [];
  const deps = (trailMode: 'organization' | 'account') => ({
    clients: {
      own: <C>(Ctor: new (c: object) => C, region: string) => {
        asked.push('own');
        return new Ctor({ region });
      },
      member: <C>(Ctor: new (c: object) => C, account: string, region: string) => {
        asked.push(`member:${account}`);
        return new Ctor({ region });
      },
    },
    logger: new Logger({ logLevel: 'SILENT' }),
    settings: {
      trailMode,
      trailOwner: undefined,
      trailName: 'org-trail',
      homeRegion: 'eu-west-1',
      managementAccount,
      securityToolingAccount,
      trailS3Bucket: 'org-trail-bucket',
      trailKmsKeyArn: undefined,
    },
  });
  const created = () => ct.commandCalls(CreateTrailCommand)[0].args[0].input;

  beforeEach(() => {
    asked.length = 0;
    ct.on(DescribeTrailsCommand).resolves({ trailList: [] });
    ct.on(CreateTrailCommand).resolves({});
  });

  it('organization mode: security-tooling’s group and role, for every member’s cell', async () => {
    await makeHandler(deps('organization'))({ account: member, region: 'eu-west-1', execution: 'e1' });
    expect(asked).toEqual(['own']);
    expect(created()).toMatchObject({
      CloudWatchLogsLogGroupArn: `arn:aws:logs:eu-west-1:${securityToolingAccount}:log-group:/logwarden/cloudtrail:*`,
      CloudWatchLogsRoleArn: `arn:aws:iam::${securityToolingAccount}:role/logwarden-cloudtrail-to-logs`,
    });
  });

  it('account mode: each account’s own group and role (the member baseline creates them)', async () => {
    for (const account of [member, '555555555555']) {
      ct.resetHistory();
      await makeHandler(deps('account'))({ account, region: 'eu-west-1', execution: 'e1' });
      expect(created()).toMatchObject({
        CloudWatchLogsLogGroupArn: `arn:aws:logs:eu-west-1:${account}:log-group:/logwarden/cloudtrail:*`,
        CloudWatchLogsRoleArn: `arn:aws:iam::${account}:role/logwarden-cloudtrail-to-logs`,
      });
    }
    expect(asked).toEqual([`member:${member}`, 'member:555555555555']);
  });
});
