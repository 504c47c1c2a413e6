/**
 * `npm start`: the whole mission on this machine. moto server stands in for AWS (several
 * accounts through STS AssumeRole), a real OpenSearch 2.19 node for the domain, the synthesized
 * state machines run with aws-local-stepfunctions and the real handlers. Options: --keep,
 * --accounts N, --regions M.
 */
import { parseLogGroupArn } from '../contracts/trusted-sources';
import { CloudTrailClient, GetTrailStatusCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  CloudWatchLogsClient,
  GetLogEventsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateVpcCommand,
  DeleteFlowLogsCommand,
  DescribeFlowLogsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildMatrix, renderHtml, renderTable } from '../cli/coverage-matrix';
import { readLedger } from '../cli/ledger';
import { installSearchSetup } from '../functions/opensearch-setup/setup';
import { createClient } from '../functions/shared/clients';
import { signedSearchClient } from '../functions/shared/opensearch/client';
import { parseConfig } from '../contracts/config';
import { names, subscriptionPolicyName } from '../contracts/names';
import { corpusMessagesByGroup, cwlPayload } from './corpus';
import type { CfnTemplate } from './asl';
import { accountCreatedEvent, LocalControlPlane } from './control-plane';
import { deployCentralResources, readQueue } from './emulated-central';
import { credentialsOf, deployControlPlane, e2eConfig, synthesizeToCdkOut } from './emulated-org';
import { startMoto } from './moto';
import { startOpenSearch, type LocalSearch } from './opensearch';
import { findingsBySeverity, topRejectedSources, whoStoppedATrail } from './queries';
import { templateFunctions } from './template-functions';

const root = path.resolve(__dirname, '..');
const t0 = Date.now();
const say = (line = '') =>
  console.log(line ? `[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${line}` : '');

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i === -1) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 8) {
    console.error(`error: ${name} takes a whole number from 1 to 8`);
    process.exit(2);
  }
  return n;
}

const keep = process.argv.includes('--keep');
const accounts = option('--accounts', 3);
const regionCount = option('--regions', 2);
const extraRegions = ['eu-north-1', 'eu-west-2', 'eu-west-3', 'eu-south-1', 'us-east-1', 'us-west-2'];
const regions = [...new Set([...e2eConfig.governedRegions, ...extraRegions])].slice(
  0,
  Math.max(1, regionCount),
);
const config = parseConfig({ ...JSON.parse(JSON.stringify(e2eConfig)), governedRegions: regions });
const home = config.homeRegion;
const members = Array.from({ length: accounts }, (_, i) =>
  String(4 + i)
    .repeat(12)
    .slice(0, 12),
);
const logArchive = config.accounts.logArchive;
const control = config.accounts.securityTooling;
/** The organization trail's log group, the one trusted for CloudTrail (contracts/trusted-sources.ts). */
const orgTrailGroup = () => {
  const { account, name } = parseLogGroupArn(config.trail.cloudWatchLogsGroupArn as string);
  return { logGroup: name, owner: account };
};
const gaps = [
  'GuardDuty organization/member APIs (DescribeOrganizationConfiguration, GetMembers, CreateMembers): not in moto 5.2 → the guardduty control shows "not-emulated"',
  'CloudWatch Logs account policies (PutAccountPolicy, DescribeAccountPolicies): not in moto 5.2 → the subscription control shows "not-emulated"; a stand-in forwards log groups to the stream as a destination would',
  'Account API ListRegions: not in moto 5.2 → every governed region counts as enabled',
  'CloudTrail event delivery and EventBridge: moto records API calls but emits no events → the run makes the CloudTrail records of its own calls and routes them with the events/ patterns',
  'ISM (index-management plugin): not on the local node → retention is not enforced locally',
];

/** Where a client acts: a region and an account's (assumed-role) credentials. */
type Account = {
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
};

const stops: (() => Promise<void>)[] = [];
let stopping = false;
async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await Promise.allSettled(stops.map((s) => s()));
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(130));
process.on('SIGTERM', () => void stopAll(143));

function cloudTrailRecord(
  account: string,
  region: string,
  source: string,
  name: string,
  requestParameters: object,
) {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDALOCALDEMO',
      arn: `arn:aws:iam::${account}:user/mallory`,
      accountId: account,
      userName: 'mallory',
    },
    eventTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    eventSource: source,
    eventName: name,
    awsRegion: region,
    sourceIPAddress: '203.0.113.7',
    userAgent: 'aws-cli/2.17 local-demo',
    requestParameters,
    responseElements: null,
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: 'Management',
  };
}

const asEventBridge = (ct: ReturnType<typeof cloudTrailRecord>) => ({
  version: '0',
  id: `ev-${ct.eventID}`,
  'detail-type': 'AWS API Call via CloudTrail',
  source: `aws.${ct.eventSource.split('.')[0]}`,
  account: ct.recipientAccountId,
  region: ct.awsRegion,
  time: ct.eventTime,
  resources: [],
  detail: ct,
});

async function main() {
  say(
    `logwarden local run: ${members.length} member accounts, regions ${regions.join(', ')} (every process on 127.0.0.1)`,
  );
  const [moto, search] = await Promise.all([startMoto(), startOpenSearch()]);
  stops.push(
    () => moto.stop(),
    () => search.stop(),
  );
  say(`moto server ${moto.endpoint} · OpenSearch 2.19 ${search.endpoint}`);

  // 1. The organization: control plane, member baselines, VPCs created before onboarding.
  const { template } = await deployControlPlane(moto.endpoint, members, config);
  const plane = new LocalControlPlane(template, home, control, regions);
  const laCreds = await credentialsOf(logArchive, 'logwarden-local');
  const la: Account = { region: home, credentials: laCreds };
  const central = synthesizeToCdkOut(config).central;
  const alertsQueueUrl = await deployCentral(search, central, la);
  say(
    `emulated organization: management ${config.accounts.management}, log-archive ${logArchive}, security-tooling ${control}, members ${members.join(', ')}`,
  );

  // 2. Coverage before onboarding: all gaps.
  await printMatrix('coverage before onboarding');

  // 3. The account events: cover-account → cover-account-region per region.
  for (const account of members) {
    const before = plane.runs.length;
    const [started] = await plane.dispatch(accountCreatedEvent(account, config.accounts.management));
    const runs = plane.runs.slice(before);
    say(
      `CreateAccountResult ${account} → ${started.workflow} ${started.name}: ${runs.length} executions, ${runs.reduce((s, r) => s + r.run.transitions, 0)} state transitions`,
    );
  }
  await printMatrix('coverage after the account events');

  // 4. A VPC created later: cover-vpc.
  const memberEc2 = new EC2Client({
    region: home,
    credentials: await credentialsOf(members[0], names.memberExecutionRole),
  });
  const vpcId = (await memberEc2.send(new CreateVpcCommand({ CidrBlock: '10.40.0.0/16' }))).Vpc!.VpcId!;
  const createVpc = cloudTrailRecord(members[0], home, 'ec2.amazonaws.com', 'CreateVpc', {
    cidrBlock: '10.40.0.0/16',
  });
  const [vpcRun] = await plane.dispatch({
    ...asEventBridge(createVpc),
    detail: { ...createVpc, responseElements: { vpc: { vpcId } } },
  });
  const covered = ((await memberEc2.send(new DescribeFlowLogsCommand({}))).FlowLogs ?? []).some(
    (f) => f.ResourceId === vpcId,
  );
  say(
    `CreateVpc ${vpcId} in ${members[0]} → ${vpcRun.workflow}: flow log ${covered ? 'created' : 'MISSING'}`,
  );

  // 5. Tampering: StopLogging and DeleteFlowLogs, healed, one alert each.
  const ct = new CloudTrailClient({ region: home });
  await ct.send(new StopLoggingCommand({ Name: config.trail.name }));
  const victim = ((await memberEc2.send(new DescribeFlowLogsCommand({}))).FlowLogs ?? [])[0];
  await memberEc2.send(new DeleteFlowLogsCommand({ FlowLogIds: [victim.FlowLogId!] }));
  const tamper = [
    cloudTrailRecord(control, home, 'cloudtrail.amazonaws.com', 'StopLogging', { name: config.trail.name }),
    cloudTrailRecord(members[0], home, 'ec2.amazonaws.com', 'DeleteFlowLogs', {
      DeleteFlowLogsRequest: { FlowLogId: { content: victim.FlowLogId, tag: 1 } },
    }),
  ];
  for (const record of tamper) {
    const [run] = await plane.dispatch(asEventBridge(record));
    say(`${record.eventName} in ${record.recipientAccountId} → ${run.workflow} ${run.name}`);
  }
  const logging = (await ct.send(new GetTrailStatusCommand({ Name: config.trail.name }))).IsLogging;
  const restored = ((await memberEc2.send(new DescribeFlowLogsCommand({}))).FlowLogs ?? []).some(
    (f) => f.ResourceId === victim.ResourceId,
  );
  say(
    `healed: trail logging=${logging}, flow log on ${victim.ResourceId} ${restored ? 'restored' : 'MISSING'}`,
  );
  await putPayloads(
    [
      cwlPayload(
        tamper.map((t) => JSON.stringify(t)),
        // As the organization trail delivers them: its group, in the account that owns it.
        { ...orgTrailGroup(), region: home },
      ),
    ],
    la,
  );
  const first = drainPipeline(central, search, la);
  say(
    `pipeline: ${first.records} records → archive ${first.archive.ok} Ok / ${first.archive.dropped} Dropped / ${first.archive.processingFailed} failed`,
  );
  const alerts = await readQueue(la, alertsQueueUrl);
  say(`alerts read back from SNS → SQS: ${alerts.length}`);
  for (const a of alerts)
    say(`  ${a.split('\n')[0]}  |  ${a.split('\n').find((l) => l.startsWith('Self-heal:'))}`);

  // 6. Corpus logs in the members' log groups, through the subscription stand-in to the stream.
  const written = await writeCorpusLogs(members, home);
  const forwarded = await forwardLogGroups(members, home, la);
  const second = drainPipeline(central, search, la);
  const archived =
    (await new S3Client(la).send(new ListObjectsV2Command({ Bucket: 'logwarden-archive-local' }))).KeyCount ??
    0;
  await searchClient(search).request('POST', '/logwarden-ocsf-*/_refresh');
  const count = await searchClient(search).request('GET', '/logwarden-ocsf-*/_count');
  say(
    `corpus: ${written} log events written to member log groups, ${forwarded} payloads forwarded; ${second.records} records → ${archived} archive objects, ${(count.body as { count: number }).count} documents in OpenSearch`,
  );

  // 7. Three questions to OpenSearch.
  const client = searchClient(search);
  say('who stopped a trail?');
  for (const hit of (await whoStoppedATrail(client)).slice(0, 5))
    console.log(`        ${JSON.stringify(hit)}`);
  say('top rejected flows by source:');
  for (const row of await topRejectedSources(client))
    console.log(`        ${row.source.padEnd(18)} ${row.flows}`);
  say('findings by severity:');
  for (const row of await findingsBySeverity(client))
    console.log(`        ${row.severity.padEnd(14)} ${row.findings}`);

  // 8. The heatmap.
  const rows = await readLedger(new DynamoDBClient({}), names.ledgerTable);
  const matrix = buildMatrix(rows, regions, members);
  writeFileSync(path.join(root, 'coverage.html'), renderHtml(matrix, new Date().toISOString()));
  const cells = Object.values(matrix.cells).filter(
    (c) => c && members.includes(c.account) && regions.includes(c.region),
  );
  const emulated = cells.filter((c) => c!.status !== 'not-emulated');
  const emulatedCovered = emulated.filter((c) => c!.status === 'covered' || c!.status === 'healed').length;
  say(
    `wrote coverage.html: ${matrix.percent}% covered overall; ${emulatedCovered}/${emulated.length} of the controls moto can emulate are covered`,
  );
  if (emulatedCovered !== emulated.length) throw new Error('an emulated control is not covered');
  say('not emulated here (listed, never counted as covered):');
  for (const g of gaps) console.log(`        - ${g}`);
  say(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

  if (keep) {
    say(`--keep: moto ${moto.endpoint} · OpenSearch ${search.endpoint} · Ctrl-C stops both`);
    await new Promise(() => undefined);
  }
  await stopAll(0);
}

function searchClient(search: LocalSearch) {
  return signedSearchClient({ endpoint: search.endpoint, region: home });
}

async function printMatrix(title: string) {
  const rows = await readLedger(new DynamoDBClient({}), names.ledgerTable);
  say(`${title}:`);
  console.log(
    renderTable(buildMatrix(rows, regions, members))
      .split('\n')
      .map((l) => `        ${l}`)
      .join('\n'),
  );
}

/** The log-archive account's resources the central stack would have created, and the OpenSearch setup. */
async function deployCentral(search: LocalSearch, central: CfnTemplate, la: Account): Promise<string> {
  const { alertsQueueUrl } = await deployCentralResources(central, la, 'logwarden-archive-local');
  // The heal workflow as the control plane deployed it (moto records the executions the alerter starts).
  await new SFNClient({}).send(
    new CreateStateMachineCommand({
      name: names.coverAccountRegionStateMachine,
      definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
      roleArn: `arn:aws:iam::${control}:role/logwarden-local`,
    }),
  );
  await installSearchSetup(searchClient(search), { retentionDays: config.openSearch.retentionDays });
  return alertsQueueUrl;
}

async function putPayloads(payloads: ReturnType<typeof cwlPayload>[], la: Account) {
  const kinesis = createClient(KinesisClient, { http1: true, credentials: async () => la.credentials });
  const entries = payloads.map((p) => ({
    Data: gzipSync(JSON.stringify({ ...p, subscriptionFilters: [subscriptionPolicyName(home)] })),
    PartitionKey: p.logStream,
  }));
  for (let i = 0; i < entries.length; i += 100)
    await kinesis.send(
      new PutRecordsCommand({ StreamName: names.centralStream, Records: entries.slice(i, i + 100) }),
    );
}

/** Runs the log-archive consumers in their own process, with that account's environment. */
function drainPipeline(central: CfnTemplate, search: LocalSearch, la: Account) {
  const env: Record<string, string> = { ...(process.env as Record<string, string>) };
  for (const fn of templateFunctions(central, home, logArchive).filter((f) =>
    ['transform', 'indexer', 'alerter'].includes(f.name),
  )) {
    for (const [k, v] of Object.entries(fn.environment)) if (k !== 'POWERTOOLS_SERVICE_NAME') env[k] = v;
  }
  Object.assign(env, {
    AWS_ACCESS_KEY_ID: la.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: la.credentials.secretAccessKey,
    AWS_SESSION_TOKEN: la.credentials.sessionToken ?? '',
    OPENSEARCH_ENDPOINT: search.endpoint,
    ARCHIVE_BUCKET: 'logwarden-archive-local',
    LOGWARDEN_STREAM: names.centralStream,
    LOGWARDEN_ACCOUNT: logArchive,
    LOGWARDEN_CHECKPOINT: path.join(root, '.local', 'stream-checkpoint.json'),
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'pipeline-worker.ts')],
    { env, encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').pop() as string) as {
    records: number;
    archive: { ok: number; dropped: number; processingFailed: number };
    failures: string[];
  };
}

/**
 * Where each kind of corpus log really comes from: CloudTrail from the organization trail's
 * group, GuardDuty findings from the administrator's findings group, the rest from a member.
 * Only the first two are trusted for CloudTrail and findings (contracts/trusted-sources.ts).
 */
function corpusOrigin(corpusGroup: string, member: string): { account: string; logGroup: string } {
  if (corpusGroup === 'aws-cloudtrail-logs') {
    const { owner, logGroup } = orgTrailGroup();
    return { account: owner, logGroup };
  }
  if (corpusGroup === names.guardDutyFindingsLogGroup) return { account: control, logGroup: corpusGroup };
  return { account: member, logGroup: corpusGroup };
}

/** Real corpus events written with PutLogEvents into the log groups they come from. */
async function writeCorpusLogs(accounts: string[], region: string): Promise<number> {
  // PutLogEvents keeps what it is given; the Lambda lines' trailing newlines are not part of the event.
  const groups = corpusMessagesByGroup().map(
    ({ logGroup, messages }) => [logGroup, messages.map((m) => m.trimEnd())] as const,
  );
  let n = 0;
  for (const member of accounts.slice(0, 1)) {
    for (const [corpusGroup, messages] of groups) {
      const { account, logGroup: group } = corpusOrigin(corpusGroup, member);
      const logs = new CloudWatchLogsClient({
        region,
        credentials: await credentialsOf(account, names.memberExecutionRole),
      });
      await logs.send(new CreateLogGroupCommand({ logGroupName: group })).catch(() => undefined);
      await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'corpus' }));
      const now = Date.now();
      for (let i = 0; i < messages.length; i += 100) {
        await logs.send(
          new PutLogEventsCommand({
            logGroupName: group,
            logStreamName: 'corpus',
            logEvents: messages.slice(i, i + 100).map((message, j) => ({ message, timestamp: now + i + j })),
          }),
        );
      }
      n += messages.length;
    }
  }
  return n;
}

/**
 * The subscription stand-in: what an account subscription policy and a CloudWatch Logs
 * destination would deliver (moto has neither), read back from the log groups with
 * GetLogEvents and put into the central stream as CloudWatch Logs payloads.
 */
async function forwardLogGroups(accounts: string[], region: string, la: Account): Promise<number> {
  const payloads: ReturnType<typeof cwlPayload>[] = [];
  for (const member of accounts.slice(0, 1)) {
    for (const corpusGroup of [
      'aws-cloudtrail-logs',
      'vpc-flow-logs',
      names.guardDutyFindingsLogGroup,
      '/aws/lambda/orders',
    ]) {
      const { account, logGroup: group } = corpusOrigin(corpusGroup, member);
      const logs = new CloudWatchLogsClient({
        region,
        credentials: await credentialsOf(account, names.memberExecutionRole),
      });
      const events =
        (
          await logs.send(
            new GetLogEventsCommand({
              logGroupName: group,
              logStreamName: 'corpus',
              startFromHead: true,
              limit: 10000,
            }),
          )
        ).events ?? [];
      for (let i = 0; i < events.length; i += 50) {
        const p = cwlPayload(
          events.slice(i, i + 50).map((e) => e.message ?? ''),
          { logGroup: group, logStream: `corpus-${i}`, owner: account, region },
        );
        payloads.push(p);
      }
    }
  }
  await putPayloads(payloads, la);
  return payloads.length;
}

mkdirSync(path.join(root, '.local'), { recursive: true });
rmSync(path.join(root, '.local', 'stream-checkpoint.json'), { force: true });
main().catch(async (err) => {
  console.error(`local run failed: ${(err as Error).stack ?? err}`);
  await stopAll(1);
});
