/**
 * End to end on a real stand-in: moto server (multi-account through STS AssumeRole), the
 * cover-account-region ASL that `cdk synth` produces, run by aws-local-stepfunctions with every
 * Task bound to the real handler, configured with the environment the stack gives it.
 */
import { CloudTrailClient, GetTrailStatusCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateVpcCommand,
  DescribeFlowLogsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateDetectorCommand, GuardDutyClient } from '@aws-sdk/client-guardduty';
import { CreateBucketCommand, S3Client, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { Template } from 'aws-cdk-lib/assertions';
import { aslFromTemplate, runLocally, type CfnTemplate } from '../../local/asl';
import { startMoto, type Moto } from '../../local/moto';
import { bindTaskHandlers } from '../../local/template-functions';
import { buildExample, exampleConfig } from '../stacks/example-app';

const config = exampleConfig({
  trail: {
    mode: 'organization',
    name: 'logwarden-org-trail',
    s3BucketName: 'org-trail-bucket',
    kmsKeyArn: 'arn:aws:kms:eu-west-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    cloudWatchLogsGroupArn: 'arn:aws:logs:eu-west-1:333333333333:log-group:/logwarden/org-trail:*',
    cloudWatchLogsRoleArn: 'arn:aws:iam::333333333333:role/logwarden-org-trail-to-logs',
  },
});
const control = config.accounts.securityTooling;
const member = '444444444444';
let moto: Moto;
let template: CfnTemplate;
let definition: Record<string, unknown>;

async function credentialsOf(account: string, role: string) {
  const res = await new STSClient({}).send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/${role}`, RoleSessionName: 'e2e' }),
  );
  return {
    accessKeyId: res.Credentials!.AccessKeyId!,
    secretAccessKey: res.Credentials!.SecretAccessKey!,
    sessionToken: res.Credentials!.SessionToken,
  };
}

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: config.homeRegion,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'not-a-secret',
    POWERTOOLS_LOG_LEVEL: 'WARN',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  // The control functions act as the security-tooling account, as they do in AWS.
  const creds = await credentialsOf(control, 'logwarden-control-ensure-trail');
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_SESSION_TOKEN: creds.sessionToken,
  });

  template = Template.fromStack(buildExample(config).controlPlane).toJSON() as CfnTemplate;
  definition = aslFromTemplate(template, 'logwarden-cover-account-region', config.homeRegion, control);

  // What the control-plane stack would have deployed: the ledger (its key schema from the template), the summary topic.
  const table = Object.values(template.Resources).find((r) => r.Type === 'AWS::DynamoDB::Table')!
    .Properties as Record<string, never>;
  await new DynamoDBClient({}).send(
    new CreateTableCommand({
      TableName: table.TableName,
      KeySchema: table.KeySchema,
      AttributeDefinitions: table.AttributeDefinitions,
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await new SNSClient({}).send(new CreateTopicCommand({ Name: 'logwarden-coverage-summary' }));
  // The delegated admin's own detectors, a deployment prerequisite (README).
  for (const region of config.governedRegions)
    await new GuardDutyClient({ region }).send(new CreateDetectorCommand({ Enable: true }));
  await new S3Client({}).send(
    new CreateBucketCommand({
      Bucket: 'org-trail-bucket',
      CreateBucketConfiguration: { LocationConstraint: config.homeRegion as BucketLocationConstraint },
    }),
  );
  // A member with a VPC of its own beside the default VPC, in both governed regions.
  const memberCreds = await credentialsOf(member, 'logwarden-member-execution');
  for (const region of config.governedRegions) {
    await new EC2Client({ region, credentials: memberCreds }).send(
      new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }),
    );
  }
}, 120_000);

afterAll(async () => {
  await moto?.stop();
});

async function cover(region: string, name: string) {
  return runLocally(
    definition,
    { account: member, region },
    bindTaskHandlers(template, definition, config.homeRegion, control),
    { executionName: name },
  );
}

async function ledger() {
  const res = await new DynamoDBClient({}).send(new ScanCommand({ TableName: 'logwarden-coverage' }));
  return Object.fromEntries((res.Items ?? []).map((i) => [i.regionControl.S, i.status.S]));
}

async function memberFlowLogs(region: string) {
  const creds = await credentialsOf(member, 'logwarden-member-execution');
  const ec2 = new EC2Client({ region, credentials: creds });
  const vpcs = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? [];
  const flowLogs = (await ec2.send(new DescribeFlowLogsCommand({}))).FlowLogs ?? [];
  return {
    vpcs: vpcs.map((v) => v.VpcId).sort(),
    covered: [...new Set(flowLogs.map((f) => f.ResourceId))].sort(),
    count: flowLogs.length,
  };
}

describe('cover-account-region against moto (synthesized ASL, real handlers)', () => {
  it('a new account is covered in every governed region; what moto cannot emulate says so', async () => {
    for (const region of config.governedRegions) await cover(region, `new-${region}`);
    for (const region of config.governedRegions) {
      const fl = await memberFlowLogs(region);
      expect(fl.vpcs).toHaveLength(2); // the default VPC and the member's own
      expect(fl.covered).toEqual(fl.vpcs);
    }
    const statuses = await ledger();
    for (const region of config.governedRegions) {
      expect(statuses[`${region}#flow-logs`]).toBe('healed');
      expect(statuses[`${region}#guardduty`]).toBe('not-emulated');
      expect(statuses[`${region}#subscription`]).toBe('not-emulated');
    }
    // The organization trail is created once (first region), then found.
    expect([statuses['eu-west-1#trail'], statuses['eu-central-1#trail']].sort()).toEqual([
      'covered',
      'healed',
    ]);
  }, 120_000);

  it('running it three times gives an identical state: no duplicate flow logs or trails', async () => {
    const before = await Promise.all(config.governedRegions.map(memberFlowLogs));
    for (let i = 0; i < 3; i++)
      for (const region of config.governedRegions) await cover(region, `again-${i}-${region}`);
    const after = await Promise.all(config.governedRegions.map(memberFlowLogs));
    expect(after).toEqual(before);
    const statuses = await ledger();
    for (const region of config.governedRegions) {
      expect(statuses[`${region}#flow-logs`]).toBe('covered');
      expect(statuses[`${region}#trail`]).toBe('covered');
    }
  }, 120_000);

  it('StopLogging is healed', async () => {
    const ct = new CloudTrailClient({ region: config.homeRegion });
    await ct.send(new StopLoggingCommand({ Name: 'logwarden-org-trail' }));
    expect((await ct.send(new GetTrailStatusCommand({ Name: 'logwarden-org-trail' }))).IsLogging).toBe(false);
    await cover('eu-west-1', 'after-stop-logging');
    expect((await ct.send(new GetTrailStatusCommand({ Name: 'logwarden-org-trail' }))).IsLogging).toBe(true);
    expect((await ledger())['eu-west-1#trail']).toBe('healed');
  }, 60_000);
});
