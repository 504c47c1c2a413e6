/**
 * flowLogs.delivery firehose: a VPC whose flow log goes straight to the log-archive account's
 * DirectPut Firehose stream, covered (the judge), healed after its flow log is deleted (the
 * DeleteFlowLogs record through the deployed rules), and its records delivered through the
 * stream's transform into the archive, whose "Object Created" events the deployed rule sends to
 * the archive indexer's queue, read by the real index-archive function into OpenSearch.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteFlowLogsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { parquetToDocuments } from '../lake-parquet';
import { judge } from '../judge';
import {
  deliverDirect,
  drainArchiveIndexQueue,
  flowLogLines,
  flowLogOf,
  streamOf,
  type DirectDelivery,
  type QueueDrain,
} from '../firehose-direct';
import { recordedCall } from './api-call';
import type { Organization } from './organization';
import type { Pipeline } from './pipeline';
import type { Say } from './report';
import { throwIfNotDeleted } from '../../cli/uninstall';
import { analyst, refreshAsOperator } from './search';
import { createVpc } from './vpc';

export interface DirectFlowLogsResult {
  vpcId: string;
  /** Where the VPC's flow log delivers (its LogDestination), before and after the heal. */
  destinations: string[];
  /** The judge's reason for the covered cell. */
  covered: string;
  healedAs: string;
  delivery: DirectDelivery;
  index: QueueDrain;
  /** Rows of the Parquet objects the delivery wrote (the error prefix's objects apart). */
  archived: number;
  /** Error-prefix objects the delivery wrote. */
  errorObjects: number;
  /** Documents in OpenSearch whose metadata.uid is one of the archived rows'. */
  indexed: number;
}

/** The metadata.uid of every row of the archive objects a delivery wrote (Parquet ones). */
async function archivedUids(org: Organization, bucket: string, keys: string[]): Promise<string[]> {
  const s3 = new S3Client({ region: org.config.homeRegion, credentials: await org.admin(org.logArchive) });
  const uids: string[] = [];
  for (const key of keys.filter((k) => k.endsWith('.parquet'))) {
    const body = await (
      await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    ).Body!.transformToByteArray();
    for (const doc of await parquetToDocuments(body))
      uids.push(String((doc.metadata as { uid?: string } | undefined)?.uid ?? ''));
  }
  return uids;
}

/** Documents in OpenSearch with one of these metadata.uid values (asked as the analyst). */
async function indexedCount(org: Organization, p: Pipeline, uids: string[]): Promise<number> {
  await refreshAsOperator(org, p.search);
  const client = await analyst(org, p.search);
  let count = 0;
  for (let i = 0; i < uids.length; i += 1000) {
    const res = await client.request(
      'POST',
      '/logwarden-ocsf-*/_count',
      JSON.stringify({ query: { terms: { 'metadata.uid': uids.slice(i, i + 1000) } } }),
    );
    if (res.status >= 300) throw new Error(`_count answered ${res.status}: ${JSON.stringify(res.body)}`);
    count += (res.body as { count: number }).count;
  }
  return count;
}

/** Whether the judge finds the account's flow-log cell of the region covered, and why. */
async function judgedFlowLogs(org: Organization, account: string, region: string) {
  const verdict = (await judge(org, [account], [region])).find((v) => v.control === 'flow-logs');
  if (!verdict) throw new Error(`the judge gave no flow-logs verdict for ${account} ${region}`);
  return verdict;
}

export async function directFlowLogs(
  org: Organization,
  p: Pipeline,
  account: string,
  say: Say,
): Promise<DirectFlowLogsResult> {
  if (org.config.flowLogs.delivery !== 'firehose')
    throw new Error('the direct path needs flowLogs.delivery firehose in the configuration');
  const region = org.config.homeRegion;
  const vpc = await createVpc(org, account, region, '10.60.0.0/16');
  if (!vpc.vpcId || !vpc.flowLogged) throw new Error(`CreateVpc in ${account} was not covered by a flow log`);
  const first = await flowLogOf(org, account, region, vpc.vpcId);
  const before = await judgedFlowLogs(org, account, region);
  say(
    `flowLogs.delivery firehose: CreateVpc ${vpc.vpcId} in ${account} ${region} → ${vpc.started.map((s) => s.workflow).join(', ')}: ${first.FlowLogId} → ${first.LogDestination}; judge: ${before.covered ? 'covered' : 'NOT covered'} (${before.why.slice(0, 160)})`,
  );
  if (!before.covered) throw new Error(`the judge refuses the direct flow log: ${before.why}`);

  const ec2 = new EC2Client({ region, credentials: await org.admin(account) });
  const del = await recordedCall(
    org,
    { caller: { account }, region, service: 'ec2', eventName: 'DeleteFlowLogs' },
    async () => {
      const answer = await ec2.send(new DeleteFlowLogsCommand({ FlowLogIds: [first.FlowLogId!] }));
      throwIfNotDeleted(answer, first.FlowLogId!);
      return answer;
    },
  );
  const healed = await flowLogOf(org, account, region, vpc.vpcId);
  const after = await judgedFlowLogs(org, account, region);
  say(
    `DeleteFlowLogs ${first.FlowLogId} → ${del.started.map((s) => `${s.workflow} ${s.name}`).join(', ') || 'nothing'}: restored as ${healed.FlowLogId} → ${healed.LogDestination}; judge: ${after.covered ? 'covered' : 'NOT covered'}`,
  );
  if (!after.covered || healed.FlowLogId === first.FlowLogId)
    throw new Error(`the direct flow log was not healed: ${after.why}`);

  const stream = streamOf(org, healed);
  const lines = flowLogLines(healed, account, region);
  const delivery = await deliverDirect(org, stream, lines, p.runId);
  // S3's Object Created events, emitted by the stand-in, through the deployed rule to the queue.
  await org.deliverEmitted();
  const index = await drainArchiveIndexQueue(org, p.search.endpoint);
  if (index.failures.length)
    throw new Error(
      `index-archive failed ${index.failures.length} messages:\n  ${index.failures.join('\n  ')}`,
    );
  const uids = await archivedUids(org, stream.bucket, delivery.stats.objects);
  const indexed = await indexedCount(org, p, uids);
  const errorObjects = delivery.stats.objects.filter((k) => !k.endsWith('.parquet')).length;
  say(
    `direct path: ${lines.length} flow-log lines → ${stream.name} (${delivery.stats.invocations} transform invocations, ${delivery.stats.ok} Ok / ${delivery.stats.processingFailed} failed) → archive ${uids.length} records in ${delivery.stats.objects.length - errorObjects} objects (${errorObjects} under the error prefix) → ${index.messages} Object Created events → index-archive (${index.invocations} batches) → OpenSearch ${indexed} of them`,
  );
  if (indexed !== uids.length || new Set(uids).size !== uids.length || uids.length < lines.length)
    throw new Error(
      `the direct path lost records: ${lines.length} lines, ${uids.length} archived (${new Set(uids).size} distinct), ${indexed} indexed`,
    );
  return {
    vpcId: vpc.vpcId,
    destinations: [first.LogDestination!, healed.LogDestination!],
    covered: before.why,
    healedAs: healed.FlowLogId!,
    delivery,
    index,
    archived: uids.length,
    errorObjects,
    indexed,
  };
}
