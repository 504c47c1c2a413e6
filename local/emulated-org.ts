import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeFlowLogsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateBucketCommand, S3Client, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import {
  AttachRolePolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { asRoot } from './standins/prerequisites';
import type { IamDeployer } from './deployment';
import { deployedAs, resolveValue, type CfnTemplate } from './asl';
import { readBackQueue } from './emulated-central';
import { App } from 'aws-cdk-lib';
import { parseConfig, type LogwardenConfig } from '../contracts/config';
import { buildApp } from '../stacks/logwarden-app';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';

/** The example config with an organization trail logwarden may create and fully repair locally. */
export const e2eConfig: LogwardenConfig = parseConfig({
  ...(JSON.parse(readFileSync(path.join(__dirname, '..', 'logwarden.config.json'), 'utf8')) as object),
  trail: {
    mode: 'organization',
    name: 'logwarden-org-trail',
    s3BucketName: 'org-trail-bucket',
    kmsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  },
});

/**
 * Synthesizes the app for a config into a cloud assembly on disk (Lambda bundling skipped: the
 * local run calls the handlers in process) and reads the templates back from it, so what runs
 * locally is what `cdk synth` writes, never a second hand-written copy.
 */
export function synthesizeToCdkOut(
  config: LogwardenConfig,
  outdir = path.join(__dirname, '..', '.local', `cdk.out-${process.pid}`),
) {
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
  const stacks = buildApp(app, config);
  const assembly = app.synth();
  // The artifact's own template object, the one `deployedStacks` deploys, under its stack name.
  const read = (stackName: string) =>
    deployedAs(assembly.getStackByName(stackName).template as CfnTemplate, stackName);
  return {
    outdir: assembly.directory,
    assembly,
    controlPlane: read(stacks.controlPlane.stackName),
    controlPlaneStackName: stacks.controlPlane.stackName,
    central: read(stacks.central.stackName),
  };
}

export const member = '444444444444';

/**
 * Credentials of `role` in `account`, assumed by the organization's administrator (the IAM user
 * of the management account, `actAsAdministrator`): a person of the organization, never a
 * function. OrganizationAccountAccessRole trusts the management account only.
 */
export async function credentialsOf(account: string, role: string) {
  const res = await new STSClient({ credentials: administrator }).send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${account}:role/${role}`,
      RoleSessionName: 'logwarden-local',
    }),
  );
  return {
    accessKeyId: res.Credentials!.AccessKeyId!,
    secretAccessKey: res.Credentials!.SecretAccessKey!,
    sessionToken: res.Credentials!.SessionToken,
  };
}

/** A person of the log-archive account who may take the break-glass role, with an MFA device. */
export const breakGlassOperatorUser = 'logwarden-local-break-glass-operator';

const mfaPeople = new Map<
  string,
  Promise<{ accessKeyId: string; secretAccessKey: string; serial: string }>
>();

/**
 * Credentials of `roleArn` taken by a person of the role's own account who signs in with MFA, as
 * the break-glass role's trust requires (contracts/prerequisites.ts, breakGlassTrustPolicy: the
 * account's principals with `aws:MultiFactorAuthPresent`): an IAM user of that account with a
 * virtual MFA device, allowed only `sts:AssumeRole` on that role, calling AssumeRole with the
 * device's `SerialNumber` and a `TokenCode` (IAM User Guide, "Configuring MFA-protected API
 * access"). The user is created once per server and role.
 */
export async function credentialsWithMfa(endpoint: string, roleArn: string) {
  const account = roleArn.split(':')[4];
  let person = mfaPeople.get(`${endpoint} ${roleArn}`);
  if (!person) {
    person = (async () => {
      const iam = asRoot(IAMClient, endpoint, account, 'us-east-1');
      await iam.send(new CreateUserCommand({ UserName: breakGlassOperatorUser }));
      await iam.send(
        new PutUserPolicyCommand({
          UserName: breakGlassOperatorUser,
          PolicyName: 'take-break-glass',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn }],
          }),
        }),
      );
      const device = await iam.send(
        new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: breakGlassOperatorUser }),
      );
      const serial = device.VirtualMFADevice!.SerialNumber!;
      await iam.send(
        new EnableMFADeviceCommand({
          UserName: breakGlassOperatorUser,
          SerialNumber: serial,
          AuthenticationCode1: '123456',
          AuthenticationCode2: '654321',
        }),
      );
      const key = (await iam.send(new CreateAccessKeyCommand({ UserName: breakGlassOperatorUser })))
        .AccessKey!;
      return { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey!, serial };
    })();
    mfaPeople.set(`${endpoint} ${roleArn}`, person);
  }
  const { accessKeyId, secretAccessKey, serial } = await person;
  const res = await new STSClient({ endpoint, credentials: { accessKeyId, secretAccessKey } }).send(
    new AssumeRoleCommand({
      RoleArn: roleArn,
      RoleSessionName: 'logwarden-break-glass',
      SerialNumber: serial,
      TokenCode: '123456',
    }),
  );
  return {
    accessKeyId: res.Credentials!.AccessKeyId!,
    secretAccessKey: res.Credentials!.SecretAccessKey!,
    sessionToken: res.Credentials!.SessionToken,
  };
}

/** The role Organizations creates in every account it creates, trusted by the management account. */
export const organizationAccessRole = 'OrganizationAccountAccessRole';

/** The person administering the organization: an IAM user of the management account. */
export const administratorUser = 'logwarden-local-administrator';

/** Its access key, once `actAsAdministrator` has created it (before, the process's own). */
let administrator: { accessKeyId: string; secretAccessKey: string } | undefined;

const administratorAccess = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});

/**
 * What Organizations' CreateAccount leaves in a new account: `OrganizationAccountAccessRole`,
 * trusting the management account, with administrator permissions (Organizations User Guide,
 * "Accessing member accounts": the role "grants full administrator permissions"). moto's
 * CreateAccount creates the role and its trust but attaches nothing; the permissions are added
 * here, as the new account's root user.
 */
export async function createOrganizationAccessRole(endpoint: string, account: string) {
  await asRoot(IAMClient, endpoint, account, 'us-east-1').send(
    new PutRolePolicyCommand({
      RoleName: organizationAccessRole,
      PolicyName: 'AdministratorAccess',
      PolicyDocument: administratorAccess,
    }),
  );
}

/**
 * Points every SDK client of this process at the stand-in at `endpoint` and signs them as the
 * organization's administrator, an IAM user of the management account created by its root user
 * (a root user cannot assume roles: STS API Reference, AssumeRole). Returns its credentials.
 */
export async function actAsAdministrator(endpoint: string, config: LogwardenConfig) {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: config.homeRegion,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  const iam = asRoot(IAMClient, endpoint, config.accounts.management, 'us-east-1');
  await iam.send(new CreateUserCommand({ UserName: administratorUser }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: administratorUser,
      PolicyName: 'AdministratorAccess',
      PolicyDocument: administratorAccess,
    }),
  );
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: administratorUser }))).AccessKey!;
  const credentials = {
    accessKeyId: key.AccessKeyId!,
    secretAccessKey: key.SecretAccessKey!,
    sessionToken: undefined as string | undefined,
  };
  administrator = credentials;
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  });
  delete process.env.AWS_SESSION_TOKEN;
  return credentials;
}

/**
 * From here on, this process's own clients (the local world's set-up and read-back, never a
 * function: each function runs with its own role) act as an administrator of the
 * security-tooling account, through its OrganizationAccountAccessRole.
 */
export async function actAsSecurityTooling(config: LogwardenConfig) {
  const creds = await credentialsOf(config.accounts.securityTooling, organizationAccessRole);
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_SESSION_TOKEN: creds.sessionToken,
  });
}

/**
 * What the local run adds to the control-plane stack, once it is deployed from its template
 * (local/template-deployer.ts: the ledger, the summary topic, the organization trail's CloudWatch
 * Logs group, their keys and policies), acting as the security-tooling account: a queue
 * subscribed to the summary topic (raw delivery) to read it back, and the trail bucket the
 * configuration names (a prerequisite of the deployment, not a resource of the stack; the
 * administrator's GuardDuty detectors are one too, contracts/prerequisites.ts).
 */
export async function controlPlaneReadBack(template: CfnTemplate, config: LogwardenConfig, account: string) {
  const topic = Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::SNS::Topic');
  if (!topic) throw new Error('the control-plane template has no SNS topic');
  const topicArn = resolveValue(template, { Ref: topic[0] }, config.homeRegion, account);
  const summaryQueueUrl = await readBackQueue({ region: config.homeRegion }, topicArn, 'summary-read-back');
  await new S3Client({}).send(
    new CreateBucketCommand({
      Bucket: 'org-trail-bucket',
      CreateBucketConfiguration: { LocationConstraint: config.homeRegion as BucketLocationConstraint },
    }),
  );
  return { summaryQueueUrl };
}

/**
 * An external organization trail's CloudWatch Logs group (trail.mode external), where the
 * configuration names it, created by that account's administrator: the trail is configured to deliver there, and CloudTrail
 * delivers only to a group that exists (CloudTrail User Guide, "Sending events to CloudWatch
 * Logs": "You can use an existing log group or create a new one"). The judge (local/judge.ts)
 * reads the group from the trail and requires it.
 */
export async function createTrailLogGroup(
  config: LogwardenConfig,
  admin: (account: string) => Promise<{ accessKeyId: string; secretAccessKey: string }>,
) {
  const arn = config.trail.cloudWatchLogsGroupArn?.replace(/:\*$/, '');
  if (!arn) return;
  const [, , , region, account, , name] = arn.split(':');
  await new CloudWatchLogsClient({ region, credentials: await admin(account) }).send(
    new CreateLogGroupCommand({ logGroupName: name }),
  );
}

/** `region#control` → status, for one account of the ledger. */
export async function ledgerStatuses(account = member): Promise<Record<string, string>> {
  const res = await new DynamoDBClient({}).send(new ScanCommand({ TableName: 'logwarden-coverage' }));
  return Object.fromEntries(
    (res.Items ?? []).filter((i) => i.account.S === account).map((i) => [i.regionControl.S, i.status.S]),
  );
}

export async function memberFlowLogs(region: string, account = member) {
  const creds = await credentialsOf(account, organizationAccessRole);
  const ec2 = new EC2Client({ region, credentials: creds });
  const vpcs = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? [];
  const flowLogs = (await ec2.send(new DescribeFlowLogsCommand({}))).FlowLogs ?? [];
  return {
    vpcs: vpcs.map((v) => v.VpcId).sort(),
    covered: [...new Set(flowLogs.map((f) => f.ResourceId))].sort(),
    count: flowLogs.length,
  };
}

/** Creates a stack instance's roles and policies as the root user of its account (local/deployment.ts). */
export function rootIamDeployer(endpoint: string): IamDeployer {
  const iam = (account: string) => asRoot(IAMClient, endpoint, account, 'us-east-1');
  return {
    async createRole(account, name, trust, maxSessionDuration) {
      await iam(account).send(
        new CreateRoleCommand({
          RoleName: name,
          AssumeRolePolicyDocument: trust,
          MaxSessionDuration: maxSessionDuration,
        }),
      );
    },
    async putRolePolicy(account, role, name, document) {
      await iam(account).send(
        new PutRolePolicyCommand({ RoleName: role, PolicyName: name, PolicyDocument: document }),
      );
    },
    async createPolicy(account, name, document) {
      const res = await iam(account).send(
        new CreatePolicyCommand({ PolicyName: name, PolicyDocument: document }),
      );
      return res.Policy!.Arn!;
    },
    async attachRolePolicy(account, role, policyArn) {
      await iam(account).send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: policyArn }));
    },
  };
}
