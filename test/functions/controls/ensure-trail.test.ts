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
import { mockClient } from 'aws-sdk-client-mock';
import { ensureTrail } from '../../../functions/ensure-trail/ensure-trail';

const ct = mockClient(CloudTrailClient);
const client = new CloudTrailClient({ region: 'eu-west-1' });
const target = { account: '444444444444', region: 'eu-central-1' };
const settings = {
  mode: 'organization' as const,
  name: 'org-trail',
  kmsKeyArn: 'arn:aws:kms:eu-west-1:222222222222:key/k',
  cloudWatchLogsGroupArn: 'arn:aws:logs:eu-west-1:333333333333:log-group:ct:*',
  cloudWatchLogsRoleArn: 'arn:aws:iam::333333333333:role/ct',
};
const arn = 'arn:aws:cloudtrail:eu-west-1:333333333333:trail/org-trail';
const healthy = {
  Name: 'org-trail',
  TrailARN: arn,
  IsMultiRegionTrail: true,
  IsOrganizationTrail: true,
  LogFileValidationEnabled: true,
  KmsKeyId: settings.kmsKeyArn,
  CloudWatchLogsLogGroupArn: settings.cloudWatchLogsGroupArn,
};
const writes = [CreateTrailCommand, UpdateTrailCommand, PutEventSelectorsCommand, StartLoggingCommand];

beforeEach(() => {
  ct.reset();
  ct.on(DescribeTrailsCommand).resolves({ trailList: [healthy] });
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

  it('StopLogging is repaired with StartLogging', async () => {
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    const r = await ensureTrail(client, target, settings);
    expect(r.status).toBe('healed');
    expect(ct).toHaveReceivedCommandWith(StartLoggingCommand, { Name: arn });
    expect(r.actions).toEqual(['started logging on org-trail, which was stopped']);
  });

  it('selectors that drop management events get them back, keeping the data selectors someone added', async () => {
    const data = { Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::bucket/'] };
    ct.on(GetEventSelectorsCommand).resolves({
      EventSelectors: [{ IncludeManagementEvents: false, ReadWriteType: 'All', DataResources: [data] }],
    });
    await ensureTrail(client, target, settings);
    expect(ct).toHaveReceivedCommandWith(PutEventSelectorsCommand, {
      TrailName: arn,
      EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'All', DataResources: [data] }],
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

  it('a single-region trail without validation is updated, only in what is wrong', async () => {
    ct.on(DescribeTrailsCommand).resolves({
      trailList: [{ ...healthy, IsMultiRegionTrail: false, LogFileValidationEnabled: false }],
    });
    const r = await ensureTrail(client, target, settings);
    expect(ct).toHaveReceivedCommandWith(UpdateTrailCommand, {
      Name: arn,
      IsMultiRegionTrail: true,
      EnableLogFileValidation: true,
    });
    expect(ct.commandCalls(UpdateTrailCommand)[0].args[0].input.KmsKeyId).toBeUndefined();
    expect(r.actions).toEqual(['updated trail org-trail: turned on multi-region, log file validation']);
  });

  it('a missing trail without a configured bucket is reported, not invented', async () => {
    ct.on(DescribeTrailsCommand).resolves({ trailList: [] });
    const r = await ensureTrail(client, target, settings);
    expect(r).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('trail.s3BucketName is not configured'),
    });
    for (const w of writes) expect(ct).not.toHaveReceivedCommand(w as never);
  });

  it('a missing trail with a bucket is created as an organization trail', async () => {
    ct.on(DescribeTrailsCommand).resolves({ trailList: [] });
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

  it('someone else’s non-organization trail of that name is not converted', async () => {
    ct.on(DescribeTrailsCommand).resolves({
      trailList: [{ ...healthy, IsOrganizationTrail: false, IsMultiRegionTrail: false }],
    });
    const r = await ensureTrail(client, target, settings);
    expect(r.status).toBe('failed');
    expect(ct).not.toHaveReceivedCommand(UpdateTrailCommand);
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
