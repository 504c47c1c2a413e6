/**
 * Tampering and healing: someone switches logging off; CloudTrail records the call in the
 * account and region where it was made, the deployed forwarders (or, where none is deployed,
 * the central alerter) start the heal.
 */
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetTrailStatusCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { DeleteFlowLogsCommand, DescribeFlowLogsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { recordedCall, type RecordedCall } from './api-call';
import type { Organization } from './organization';
import { drainPipeline, readAlerts, type Pipeline } from './pipeline';
import type { Say } from './report';
import { throwIfNotDeleted } from '../../cli/uninstall';

/** The account that owns the configured trail and its ARN, as the trail's owner lists it. */
export async function trailOwner(org: Organization): Promise<{ account: string; arn: string }> {
  const home = org.config.homeRegion;
  for (const account of [org.management, org.securityTooling]) {
    const ct = new CloudTrailClient({ region: home, credentials: await org.admin(account) });
    const trail = (
      (await ct.send(new DescribeTrailsCommand({ includeShadowTrails: false }))).trailList ?? []
    ).find((t) => t.Name === org.config.trail.name && t.TrailARN?.split(':')[4] === account);
    if (trail) return { account, arn: trail.TrailARN! };
  }
  throw new Error(
    `trail ${org.config.trail.name} does not exist in the management or security-tooling account`,
  );
}

/** StopLogging on the configured trail, by its owner. */
export async function stopLogging(org: Organization): Promise<RecordedCall<unknown> & { owner: string }> {
  const { account, arn } = await trailOwner(org);
  const home = org.config.homeRegion;
  const ct = new CloudTrailClient({ region: home, credentials: await org.admin(account) });
  const call = await recordedCall(
    org,
    {
      caller: { account },
      region: home,
      service: 'cloudtrail',
      eventName: 'StopLogging',
    },
    () => ct.send(new StopLoggingCommand({ Name: arn })),
  );
  return { ...call, owner: account };
}

export async function isLogging(org: Organization): Promise<boolean> {
  const { account, arn } = await trailOwner(org);
  const ct = new CloudTrailClient({ region: org.config.homeRegion, credentials: await org.admin(account) });
  return !!(await ct.send(new GetTrailStatusCommand({ Name: arn }))).IsLogging;
}

/** DeleteFlowLogs on the first flow log of an account and region (recorded as made `at`, default now). */
export async function deleteFlowLog(org: Organization, account: string, region: string, at?: Date) {
  const ec2 = new EC2Client({ region, credentials: await org.admin(account) });
  const [victim] = (await ec2.send(new DescribeFlowLogsCommand({}))).FlowLogs ?? [];
  if (!victim) throw new Error(`no flow log to delete in ${account} ${region}`);
  const call = await recordedCall(
    org,
    {
      caller: { account },
      region,
      service: 'ec2',
      eventName: 'DeleteFlowLogs',
    },
    async () => {
      const answer = await ec2.send(new DeleteFlowLogsCommand({ FlowLogIds: [victim.FlowLogId!] }));
      throwIfNotDeleted(answer, victim.FlowLogId!);
      return answer;
    },
    at,
  );
  /** The flow log that now covers the victim's VPC, if it is a new one. */
  const replacement = async () =>
    ((await ec2.send(new DescribeFlowLogsCommand({}))).FlowLogs ?? []).find(
      (f) => f.ResourceId === victim.ResourceId && f.FlowLogId !== victim.FlowLogId,
    )?.FlowLogId;
  return { ...call, victim: { flowLogId: victim.FlowLogId!, vpcId: victim.ResourceId! }, replacement };
}

/**
 * StopLogging and DeleteFlowLogs: healed through the forwarders where one is deployed, and by
 * the alerter once their CloudTrail records reach the pipeline; one alert each. The records are
 * the organization trail's: the stand-in delivers each call the trail logs into the trail's
 * CloudWatch Logs group (local/standins/events.py), whose subscription carries them to the
 * stream; the run writes none. A call made while the trail is stopped is not logged, as in AWS,
 * so the DeleteFlowLogs comes after the heal (started by the management forwarder, or by the
 * alerter where no forwarder is deployed) has started the trail again.
 */
export async function tamperAndHeal(org: Organization, p: Pipeline, account: string, say: Say) {
  const named = (r: { started: { workflow: string; name: string }[] }) =>
    r.started.map((s) => `${s.workflow} ${s.name}`).join(', ');
  const stop = await stopLogging(org);
  say(`StopLogging by ${stop.owner} → ${named(stop) || 'no forwarder deployed there: left to the alerter'}`);
  const heals = await drainAndHeal(p, say);
  const logging = await isLogging(org);
  const del = await deleteFlowLog(org, account, org.config.homeRegion);
  say(`DeleteFlowLogs ${del.victim.flowLogId} in ${account} → ${named(del) || 'nothing'}`);
  heals.push(...(await drainAndHeal(p, say)));
  for (const h of heals) {
    const out = h.run?.output as
      | { counts?: Record<string, number>; failed?: { account: string; control: string; reason: string }[] }
      | undefined;
    say(`        ${h.name}: ${JSON.stringify(out?.counts ?? {})}`);
    for (const f of out?.failed ?? [])
      say(`          failed: ${f.account} ${f.control}: ${f.reason.split(' (')[0].slice(0, 160)}`);
  }
  const replacement = await del.replacement();
  say(
    `healed: trail logging=${logging}, flow log on ${del.victim.vpcId} ${replacement ? `restored as ${replacement}` : 'MISSING'}`,
  );
  const alerts = await readAlerts(p);
  say(`alerts read back from SNS → SQS: ${alerts.length}`);
  for (const a of alerts)
    say(`  ${a.split('\n')[0]}  |  ${a.split('\n').find((l) => l.startsWith('Self-heal:'))}`);
  if (!logging || !replacement || alerts.length !== 2)
    throw new Error('tampering was not healed and alerted once each');
}

/** What the trail delivered so far through the pipeline, then the heals the alerter started. */
async function drainAndHeal(p: Pipeline, say: Say) {
  const drain = await drainPipeline(p, { strict: true });
  say(
    `pipeline: ${drain.records} records → archive ${drain.archive.ok} Ok / ${drain.archive.dropped} Dropped / ${drain.archive.processingFailed} failed`,
  );
  const heals = await p.org.runRecorded();
  say(
    `heals the alerter started: ${heals.map((h) => `${h.name}${h.duplicate ? ' (already run)' : ''}`).join(', ') || 'none'}`,
  );
  return heals;
}
