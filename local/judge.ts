/**
 * The judge: whether each account × region × control cell is covered, decided from the
 * stand-ins' state alone, read as the accounts' administrators read it. It shares nothing with
 * the controls (no import from functions/, workflows/ or contracts/names.ts): what "covered"
 * means is written here again, from the AWS documents, and the ledger the controls wrote must
 * agree with it (`disagreements`). A control that answers "covered" without doing its work is
 * caught here, because the state it should have left is not there.
 *
 * - flow-logs: every VPC of the region has an ACTIVE flow log of ALL traffic to a CloudWatch Logs
 *   group that exists, and its delivery role, taken as vpc-flow-logs.amazonaws.com takes it
 *   (VPC User Guide, "IAM role for publishing flow logs to CloudWatch Logs": the service assumes
 *   the role and calls logs:CreateLogStream and logs:PutLogEvents), can open a stream in it; or
 *   an ACTIVE flow log of ALL traffic to a Firehose stream that is ACTIVE and DirectPut, whose
 *   roles carry the delivery as AWS chains them (VPC User Guide, "IAM roles for cross account
 *   delivery": delivery.logs.amazonaws.com takes the source role, DeliverLogsPermissionArn,
 *   which assumes the destination role, DeliverCrossAccountRole, trusting "the role that you
 *   created in the source account", which tags the stream: firehose:TagDeliveryStream).
 * - trail: the configured trail (the organization trail in the management account, or the
 *   member's own) is logging (GetTrailStatus IsLogging, no LatestCloudWatchLogsDeliveryError), multi-region, an organization trail in
 *   organization mode, validates log files, is encrypted with the configured key, delivers to the
 *   configured bucket, logs every management event, and names a CloudWatch Logs group that
 *   exists (read from the trail: CloudWatchLogsLogGroupArn) and a role.
 * - guardduty: the organization's GuardDuty delegated administrator of the region
 *   (ListOrganizationAdminAccounts, asked by the management account) has the account as a member
 *   whose RelationshipStatus is `Enabled`, and the member's detector is ENABLED.
 * - subscription: the account has a SUBSCRIPTION_FILTER_POLICY account policy whose document
 *   sends every event (empty FilterPattern) to a destination of the log-archive account in the
 *   same region, with a RoleArn naming the account's `logwarden-subscription` role (CloudWatch
 *   Logs User Guide, account-level subscriptions across accounts, "Create an IAM role" when the
 *   destination grants the organization); and a line written to a log group the policy selects
 *   arrives in the destination's Kinesis stream.
 */
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DescribeAccountPoliciesCommand,
  DescribeDestinationsCommand,
  DescribeLogGroupsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeFlowLogsCommand,
  type DescribeFlowLogsCommandOutput,
  DescribeVpcsCommand,
  EC2Client,
  type FlowLog,
} from '@aws-sdk/client-ec2';
import {
  GetAdministratorAccountCommand,
  GetDetectorCommand,
  GetMembersCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  ListOrganizationAdminAccountsCommand,
} from '@aws-sdk/client-guardduty';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import {
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  ListTagsForDeliveryStreamCommand,
  TagDeliveryStreamCommand,
} from '@aws-sdk/client-firehose';
import { ListParentsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { gunzipSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import type { LogwardenConfig } from '../contracts/config';
import { serviceCredentials } from './standins/prerequisites';

/** The cells the judge rules on: the ledger's vocabulary, so the two can be compared. */
export const judgedControls = ['flow-logs', 'trail', 'guardduty', 'subscription'] as const;
export type JudgedControl = (typeof judgedControls)[number];

export interface Verdict {
  account: string;
  region: string;
  control: JudgedControl;
  covered: boolean;
  /** What was found: the evidence when covered, what is missing when not. */
  why: string;
  /** Out of the configured scope: the judge does not rule, and the ledger must say `excluded`. */
  excluded?: boolean;
}

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** What the judge reads the world through: the organization's people and where the stand-ins answer. */
export interface JudgedWorld {
  config: LogwardenConfig;
  endpoint: string;
  /** An administrator of `account` (the management account's own, or OrganizationAccountAccessRole). */
  admin(account: string): Promise<Credentials>;
}

/** The member role CloudWatch Logs assumes to validate an account subscription (member baseline). */
const subscriptionRoleName = 'logwarden-subscription';
/** A log group the judge writes its probe line into; any name a policy selects would do. */
const probeGroup = '/logwarden-judge/probe';

class Missing extends Error {}
const need = (ok: unknown, what: string): void => {
  if (!ok) throw new Missing(what);
};

async function flowLogs(world: JudgedWorld, account: string, region: string): Promise<string> {
  const credentials = await world.admin(account);
  const ec2 = new EC2Client({ region, credentials });
  const logs = new CloudWatchLogsClient({ region, credentials });
  const vpcs: string[] = [];
  let token: string | undefined;
  do {
    const page = await ec2.send(new DescribeVpcsCommand({ NextToken: token, MaxResults: 1000 }));
    vpcs.push(...(page.Vpcs ?? []).map((v) => v.VpcId!));
    token = page.NextToken;
  } while (token);
  const flows: FlowLog[] = [];
  token = undefined;
  do {
    const page: DescribeFlowLogsCommandOutput = await ec2.send(
      new DescribeFlowLogsCommand({ NextToken: token, MaxResults: 1000 }),
    );
    flows.push(...(page.FlowLogs ?? []));
    token = page.NextToken;
  } while (token);
  need(vpcs.length, `no VPC in ${account} ${region}`);
  const proven: string[] = [];
  for (const vpc of vpcs.sort()) {
    const active = flows.filter(
      (f) =>
        f.ResourceId === vpc &&
        f.FlowLogStatus === 'ACTIVE' &&
        f.DeliverLogsStatus !== 'FAILED' &&
        f.TrafficType === 'ALL',
    );
    // Someone else's flow log to any destination covers the VPC when it logs the fields asked
    // for (config flowLogs.requiredFields, by default AWS's default format), or any fields when
    // the config accepts every foreign flow log: the VPC's traffic is recorded either way.
    const required = world.config.flowLogs.requiredFields ?? defaultFormatFields;
    const elsewhere = active.find(
      (f) =>
        f.LogDestinationType !== 'cloud-watch-logs' &&
        f.LogDestinationType !== 'kinesis-data-firehose' &&
        (world.config.flowLogs.acceptForeignFlowLogs ||
          required.every((field) => fieldsOf(f.LogFormat).includes(field))),
    );
    if (elsewhere) {
      proven.push(
        `${vpc} by ${elsewhere.FlowLogId} to ${elsewhere.LogDestinationType} ${elsewhere.LogDestination}`,
      );
      continue;
    }
    const candidates = active.filter(
      (f) =>
        (f.LogDestinationType === 'cloud-watch-logs' && f.LogGroupName && f.DeliverLogsPermissionArn) ||
        (f.LogDestinationType === 'kinesis-data-firehose' && f.LogDestination),
    );
    need(candidates.length, `${vpc} has no active flow log of all traffic to CloudWatch Logs or Firehose`);
    let delivering: string | undefined;
    const refused: string[] = [];
    for (const f of candidates) {
      if (f.LogDestinationType === 'kinesis-data-firehose') {
        const refusal = await firehoseRefusal(world, account, f);
        if (!refusal) {
          delivering = f.FlowLogId;
          break;
        }
        refused.push(`${f.FlowLogId}: ${refusal}`);
        continue;
      }
      const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: f.LogGroupName }));
      if (!(groups.logGroups ?? []).some((g) => g.logGroupName === f.LogGroupName)) {
        refused.push(`${f.FlowLogId}: its group ${f.LogGroupName} does not exist`);
        continue;
      }
      try {
        const role = await serviceCredentials(
          world.endpoint,
          f.DeliverLogsPermissionArn!,
          'vpc-flow-logs.amazonaws.com',
          { sourceAccount: account },
        );
        await new CloudWatchLogsClient({ region, credentials: role }).send(
          new CreateLogStreamCommand({
            logGroupName: f.LogGroupName,
            logStreamName: `judge-${randomUUID()}`,
          }),
        );
        delivering = f.FlowLogId;
        break;
      } catch (err) {
        refused.push(`${f.FlowLogId}: its role cannot deliver (${(err as Error).message.slice(0, 120)})`);
      }
    }
    need(delivering, `${vpc}: no flow log can deliver (${refused.join('; ')})`);
    proven.push(`${vpc} by ${delivering}`);
  }
  return `flow logs delivering: ${proven.join(', ')}`;
}

/**
 * Why a flow log to a Firehose stream cannot deliver, or undefined when it can: the stream
 * (named by its ARN, in its own account and region) is ACTIVE and DirectPut, and the roles take
 * the delivery as VPC Flow Logs takes them. A stream in the flow log's own account needs no
 * DeliverCrossAccountRole; in another account the source role, as delivery.logs.amazonaws.com
 * has it, must assume the destination role, and that role must tag the stream
 * LogDeliveryEnabled=true, the tag AWS sets and requires on streams of vended logs (CloudWatch
 * Logs User Guide, "Logs sent to Firehose", which grants firehose:TagDeliveryStream for it).
 */
async function firehoseRefusal(world: JudgedWorld, account: string, f: FlowLog): Promise<string | undefined> {
  const [, , , region, streamAccount, resource] = f.LogDestination!.split(':');
  const streamName = resource?.replace(/^deliverystream\//, '');
  if (!streamName || !region || !streamAccount) return `its destination ${f.LogDestination} is no stream ARN`;
  const owner = new FirehoseClient({ region, credentials: await world.admin(streamAccount) });
  let status: string | undefined;
  let type: string | undefined;
  try {
    const { DeliveryStreamDescription: d } = await owner.send(
      new DescribeDeliveryStreamCommand({ DeliveryStreamName: streamName }),
    );
    status = d?.DeliveryStreamStatus;
    type = d?.DeliveryStreamType;
  } catch (err) {
    return `its stream ${f.LogDestination} cannot be described (${(err as Error).message.slice(0, 120)})`;
  }
  if (status !== 'ACTIVE') return `its stream ${streamName} is ${status}`;
  if (type !== 'DirectPut') return `its stream ${streamName} is ${type}, not DirectPut`;
  // EC2 API Reference, CreateFlowLogs, DeliverLogsPermissionArn: "required if the destination
  // type is cloud-watch-logs, or if the destination type is kinesis-data-firehose and the
  // delivery stream and the resources to monitor are in different accounts".
  if (streamAccount === account) return undefined;
  if (!f.DeliverLogsPermissionArn || !f.DeliverCrossAccountRole)
    return 'it names no source role and DeliverCrossAccountRole for a stream of another account';
  try {
    const source = await serviceCredentials(
      world.endpoint,
      f.DeliverLogsPermissionArn,
      'delivery.logs.amazonaws.com',
      { sourceAccount: account },
    );
    const { Credentials: c } = await new STSClient({ region, credentials: source }).send(
      new AssumeRoleCommand({ RoleArn: f.DeliverCrossAccountRole, RoleSessionName: `judge-${account}` }),
    );
    await new FirehoseClient({
      region,
      credentials: {
        accessKeyId: c!.AccessKeyId!,
        secretAccessKey: c!.SecretAccessKey!,
        sessionToken: c!.SessionToken,
      },
    }).send(
      new TagDeliveryStreamCommand({
        DeliveryStreamName: streamName,
        Tags: [{ Key: 'LogDeliveryEnabled', Value: 'true' }],
      }),
    );
  } catch (err) {
    return `its roles cannot deliver (${(err as Error).message.slice(0, 120)})`;
  }
  const { Tags } = await owner.send(new ListTagsForDeliveryStreamCommand({ DeliveryStreamName: streamName }));
  if (!(Tags ?? []).some((t) => t.Key === 'LogDeliveryEnabled' && t.Value === 'true'))
    return `its stream ${streamName} is not tagged LogDeliveryEnabled=true`;
  return undefined;
}

/**
 * AWS's default flow-log format, version 2 (VPC User Guide, "Flow log records", "Default
 * format"): what a flow log without a LogFormat records.
 */
const defaultFormatFields = [
  'version',
  'account-id',
  'interface-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'log-status',
];
const fieldsOf = (format: string | undefined): string[] =>
  format ? [...format.matchAll(/\$\{([a-z0-9-]+)\}/g)].map((m) => m[1]) : defaultFormatFields;

const withoutSuffix = (arn: string | undefined) => arn?.replace(/:\*$/, '');

async function trail(world: JudgedWorld, account: string, region: string): Promise<string> {
  const want = world.config.trail;
  const home = world.config.homeRegion;
  const owner = want.mode === 'organization' ? world.config.accounts.management : account;
  const credentials = await world.admin(owner);
  const ct = new CloudTrailClient({ region: home, credentials });
  const found = (await ct.send(new DescribeTrailsCommand({ trailNameList: [want.name] }))).trailList ?? [];
  const t = found.find((x) => x.Name === want.name);
  need(t, `no trail ${want.name} in ${owner} ${home}`);
  const arn = t!.TrailARN!;
  need(t!.IsMultiRegionTrail || t!.HomeRegion === region, `${arn} does not log ${region}`);
  if (want.mode === 'organization') need(t!.IsOrganizationTrail, `${arn} is not an organization trail`);
  need(t!.LogFileValidationEnabled, `${arn} does not validate log files`);
  need(t!.KmsKeyId, `${arn} is not KMS-encrypted`);
  if (want.kmsKeyArn) need(t!.KmsKeyId === want.kmsKeyArn, `${arn} is encrypted with ${t!.KmsKeyId}`);
  if (want.s3BucketName)
    need(t!.S3BucketName === want.s3BucketName, `${arn} delivers to bucket ${t!.S3BucketName}`);
  const status = await ct.send(new GetTrailStatusCommand({ Name: arn }));
  need(status.IsLogging, `${arn} is not logging`);
  // GetTrailStatusResponse.LatestCloudWatchLogsDeliveryError: "Displays any CloudWatch Logs error
  // that CloudTrail encountered when attempting to deliver logs to CloudWatch Logs".
  need(
    !status.LatestCloudWatchLogsDeliveryError,
    `${arn} fails to deliver to CloudWatch Logs: ${status.LatestCloudWatchLogsDeliveryError}`,
  );
  const selectors = await ct.send(new GetEventSelectorsCommand({ TrailName: arn }));
  const basic = (selectors.EventSelectors ?? []).some(
    (s) =>
      s.IncludeManagementEvents !== false &&
      (s.ReadWriteType ?? 'All') === 'All' &&
      !(s.ExcludeManagementEventSources ?? []).length,
  );
  const advanced = (selectors.AdvancedEventSelectors ?? []).some((s) =>
    (s.FieldSelectors ?? []).every(
      (f) => f.Field === 'eventCategory' && (f.Equals ?? []).includes('Management'),
    ),
  );
  need(basic || advanced, `${arn} does not log every management event`);
  // The group is read from the trail: wherever it is configured, it must exist there.
  const group = withoutSuffix(t!.CloudWatchLogsLogGroupArn);
  need(group && t!.CloudWatchLogsRoleArn, `${arn} does not deliver to CloudWatch Logs`);
  if (want.cloudWatchLogsGroupArn)
    need(group === withoutSuffix(want.cloudWatchLogsGroupArn), `${arn} delivers to ${group}`);
  if (want.cloudWatchLogsRoleArn)
    need(
      t!.CloudWatchLogsRoleArn === want.cloudWatchLogsRoleArn,
      `${arn} delivers through ${t!.CloudWatchLogsRoleArn}`,
    );
  const [, , , groupRegion, groupAccount, , name] = group!.split(':');
  // "Both the CloudWatch Logs log group and log role must exist in the calling account"
  // (CloudTrail User Guide, "Organization delegated administrator", footnote 1): logwarden calls
  // CreateTrail/UpdateTrail from security tooling (the organization trail's delegated
  // administrator) or from the account itself (account mode).
  if (want.mode !== 'external') {
    const caller = want.mode === 'organization' ? world.config.accounts.securityTooling : account;
    need(
      groupAccount === caller,
      `${arn} delivers to a group of ${groupAccount}, not of the calling account ${caller}`,
    );
    need(
      t!.CloudWatchLogsRoleArn!.split(':')[4] === caller,
      `${arn} delivers through a role of another account than the calling account ${caller}`,
    );
  }
  const groupLogs = new CloudWatchLogsClient({
    region: groupRegion,
    credentials: await world.admin(groupAccount),
  });
  const groups = await groupLogs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
  need(
    (groups.logGroups ?? []).some((g) => g.logGroupName === name),
    `${arn} names the group ${group}, which does not exist`,
  );
  return `${arn} logging to ${t!.S3BucketName} and ${group}`;
}

async function guardDuty(world: JudgedWorld, account: string, region: string): Promise<string> {
  const management = new GuardDutyClient({
    region,
    credentials: await world.admin(world.config.accounts.management),
  });
  const admins =
    (await management.send(new ListOrganizationAdminAccountsCommand({}))).AdminAccounts?.filter(
      (a) => a.AdminStatus === 'ENABLED',
    ) ?? [];
  need(admins.length === 1, `the organization has ${admins.length} GuardDuty administrators in ${region}`);
  const adminAccount = admins[0].AdminAccountId!;
  const admin = new GuardDutyClient({ region, credentials: await world.admin(adminAccount) });
  const [adminDetector] = (await admin.send(new ListDetectorsCommand({}))).DetectorIds ?? [];
  need(adminDetector, `the administrator ${adminAccount} has no detector in ${region}`);
  const members = await admin.send(
    new GetMembersCommand({ DetectorId: adminDetector, AccountIds: [account] }),
  );
  const m = (members.Members ?? []).find((x) => x.AccountId === account);
  need(
    m?.RelationshipStatus === 'Enabled',
    `${account} is ${m?.RelationshipStatus ?? 'not a member'} under ${adminAccount}`,
  );
  const own = new GuardDutyClient({ region, credentials: await world.admin(account) });
  const [detector] = (await own.send(new ListDetectorsCommand({}))).DetectorIds ?? [];
  need(detector, `${account} has no detector in ${region}`);
  const d = await own.send(new GetDetectorCommand({ DetectorId: detector }));
  need(d.Status === 'ENABLED', `the detector of ${account} is ${d.Status}`);
  const administrator = await own.send(new GetAdministratorAccountCommand({ DetectorId: detector }));
  need(
    administrator.Administrator?.AccountId === adminAccount,
    `${account} names ${administrator.Administrator?.AccountId ?? 'no'} administrator`,
  );
  return `member of ${adminAccount}, Enabled; detector ${detector} ENABLED`;
}

interface SubscriptionDocument {
  DestinationArn?: string;
  RoleArn?: string;
  FilterPattern?: string;
}

async function subscription(world: JudgedWorld, account: string, region: string): Promise<string> {
  const logArchive = world.config.accounts.logArchive;
  const credentials = await world.admin(account);
  const logs = new CloudWatchLogsClient({ region, credentials });
  const policies =
    (await logs.send(new DescribeAccountPoliciesCommand({ policyType: 'SUBSCRIPTION_FILTER_POLICY' })))
      .accountPolicies ?? [];
  const destinationPrefix = `arn:aws:logs:${region}:${logArchive}:destination:`;
  const role = `arn:aws:iam::${account}:role/${subscriptionRoleName}`;
  const policy = policies.find((p) => {
    try {
      return (JSON.parse(p.policyDocument ?? '{}') as SubscriptionDocument).DestinationArn?.startsWith(
        destinationPrefix,
      );
    } catch {
      return false;
    }
  });
  need(policy, `${account} ${region} has no account subscription policy to a destination of ${logArchive}`);
  const doc = JSON.parse(policy!.policyDocument!) as SubscriptionDocument;
  need(!doc.FilterPattern, `${policy!.policyName} filters events (${JSON.stringify(doc.FilterPattern)})`);
  need(doc.RoleArn === role, `${policy!.policyName} names role ${doc.RoleArn ?? 'none'}, not ${role}`);
  need(
    !(policy!.selectionCriteria ?? '').includes(JSON.stringify(probeGroup)),
    `${policy!.policyName} excludes ${probeGroup}`,
  );

  // Where the destination delivers: a Kinesis stream, read as the log-archive account.
  const archive = await world.admin(logArchive);
  const destinationName = doc.DestinationArn!.slice(destinationPrefix.length);
  const destination = (
    (
      await new CloudWatchLogsClient({ region, credentials: archive }).send(
        new DescribeDestinationsCommand({ DestinationNamePrefix: destinationName }),
      )
    ).destinations ?? []
  ).find((d) => d.arn === doc.DestinationArn);
  need(destination, `${doc.DestinationArn} does not exist`);
  const [, , service, streamRegion, streamAccount, resource] = destination!.targetArn!.split(':');
  need(
    service === 'kinesis' && streamAccount === logArchive,
    `${doc.DestinationArn} targets ${destination!.targetArn}`,
  );
  const streamName = resource.replace(/^stream\//, '');
  // HTTP/1.1: the stand-in server speaks no HTTP/2, which the Kinesis client uses by default.
  const kinesis = new KinesisClient({
    region: streamRegion,
    credentials: archive,
    requestHandler: new NodeHttpHandler(),
  });
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [];
  const iterators = await Promise.all(
    shards.map(
      async (s) =>
        (
          await kinesis.send(
            new GetShardIteratorCommand({
              StreamName: streamName,
              ShardId: s.ShardId,
              ShardIteratorType: 'LATEST',
            }),
          )
        ).ShardIterator,
    ),
  );

  // The probe: a line written to a group the policy selects, found again in the stream.
  const nonce = randomUUID();
  const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: probeGroup }));
  if (!(groups.logGroups ?? []).some((g) => g.logGroupName === probeGroup))
    await logs.send(new CreateLogGroupCommand({ logGroupName: probeGroup }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: probeGroup, logStreamName: nonce }));
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: probeGroup,
      logStreamName: nonce,
      logEvents: [{ timestamp: Date.now(), message: `logwarden judge probe ${nonce}` }],
    }),
  );
  let arrived = false;
  try {
    for (let attempt = 0; attempt < 20 && !arrived; attempt++) {
      for (const [i, iterator] of iterators.entries()) {
        if (!iterator) continue;
        const res = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        iterators[i] = res.NextShardIterator;
        for (const r of res.Records ?? []) {
          const body = JSON.parse(gunzipSync(Buffer.from(r.Data!)).toString('utf8')) as {
            owner?: string;
            logGroup?: string;
            logEvents?: { message?: string }[];
          };
          if (
            body.owner === account &&
            body.logGroup === probeGroup &&
            (body.logEvents ?? []).some((e) => e.message?.includes(nonce))
          )
            arrived = true;
        }
      }
      if (!arrived) await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    // The probe leaves nothing behind: the account is as its administrators left it.
    await logs.send(new DeleteLogGroupCommand({ logGroupName: probeGroup }));
  }
  need(arrived, `a line written to ${probeGroup} in ${account} ${region} did not arrive in ${streamName}`);
  return `${policy!.policyName} → ${doc.DestinationArn} (role ${role}); a probe line arrived in ${streamName}`;
}

const judges: Record<
  JudgedControl,
  (world: JudgedWorld, account: string, region: string) => Promise<string>
> = {
  'flow-logs': flowLogs,
  trail,
  guardduty: guardDuty,
  subscription,
};

/** The judge's verdict on every cell of `accounts` × `regions` × control. */
export async function judge(
  world: JudgedWorld,
  accounts: readonly string[],
  regions: readonly string[],
  controls: readonly JudgedControl[] = judgedControls,
): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  for (const account of accounts) {
    const outOfScope = await excluded(world, account);
    for (const region of regions)
      for (const control of controls) {
        if (outOfScope) {
          verdicts.push({ account, region, control, covered: false, excluded: true, why: outOfScope });
          continue;
        }
        try {
          verdicts.push({
            account,
            region,
            control,
            covered: true,
            why: await judges[control](world, account, region),
          });
        } catch (err) {
          // What is missing is a verdict; anything else (a refused read) is too, said as it came.
          const why =
            err instanceof Missing
              ? err.message
              : `could not be read: ${(err as Error).name}: ${(err as Error).message}`;
          verdicts.push({ account, region, control, covered: false, why });
        }
      }
  }
  return verdicts;
}

/**
 * Why `account` is outside the configured scope, or undefined: the config's `scope`, read here
 * again against the account's OUs as Organizations answers them (ListParents, one level at a
 * time up to the root, asked by the management account).
 */
async function excluded(world: JudgedWorld, account: string): Promise<string | undefined> {
  const scope = world.config.scope;
  const management = world.config.accounts.management;
  if (account === management && !scope.coverManagementAccount) return 'the management account';
  if (scope.excludeAccounts.includes(account)) return `${account} is listed in scope.excludeAccounts`;
  if (!scope.includeOUs.length && !scope.excludeOUs.length) return undefined;
  const org = new OrganizationsClient({ region: 'us-east-1', credentials: await world.admin(management) });
  const parents: string[] = [];
  for (let child = account; ;) {
    const [parent] = (await org.send(new ListParentsCommand({ ChildId: child }))).Parents ?? [];
    if (!parent?.Id) break;
    parents.push(parent.Id);
    if (parent.Type === 'ROOT') break;
    child = parent.Id;
  }
  const out = parents.find((ou) => scope.excludeOUs.includes(ou));
  if (out) return `${account} is in ${out}, which scope.excludeOUs lists`;
  if (scope.includeOUs.length && !parents.some((ou) => scope.includeOUs.includes(ou)))
    return `${account} is in none of scope.includeOUs`;
  return undefined;
}

/** A ledger row as the judge compares it: covered means `covered` or `healed`. */
export interface LedgerCell {
  account: string;
  region: string;
  control: string;
  status: string;
}

/**
 * Every cell where the judge and the ledger differ, and every cell the judge finds not covered:
 * the run and the tests fail on any line of it.
 */
export function disagreements(verdicts: readonly Verdict[], ledger: readonly LedgerCell[]): string[] {
  const out: string[] = [];
  for (const v of verdicts) {
    const row = ledger.find(
      (r) => r.account === v.account && r.region === v.region && r.control === v.control,
    );
    const ledgerCovered = row?.status === 'covered' || row?.status === 'healed';
    const cell = `${v.account} ${v.region} ${v.control}`;
    if (v.excluded) {
      if (row?.status !== 'excluded')
        out.push(`${cell}: out of scope (${v.why}), but the ledger says ${row?.status ?? 'nothing'}`);
    } else if (!v.covered)
      out.push(`${cell}: not covered (${v.why}); the ledger says ${row?.status ?? 'nothing'}`);
    else if (!ledgerCovered)
      out.push(`${cell}: covered (${v.why}), but the ledger says ${row?.status ?? 'nothing'}`);
  }
  return out;
}
