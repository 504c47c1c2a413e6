/**
 * The direct flow-log path (flowLogs.delivery firehose), locally: what VPC Flow Logs puts into a
 * DirectPut delivery stream of the log-archive account, delivered to the archive as that
 * stream's template configures it (local/firehose-driver.ts's `deliverRecords`, with the
 * stream's own transform, processor buffer, prefixes and role), and the archive indexer's SQS
 * event source mapping, which runs the real index-archive function on the queue the deployed
 * rule fills with the archive's "Object Created" events.
 *
 * The stream itself exists on the stand-in (local/template-deployer.ts creates it from the
 * template); no stand-in delivers flow records, so the lines a flow log would deliver are
 * rendered here from the corpus's flow-log records (local/corpus.ts flowLogSamples, the same
 * source as the CloudWatch Logs path's flow records) in the flow log's own LogFormat.
 */
import { DescribeFlowLogsCommand, EC2Client, type FlowLog } from '@aws-sdk/client-ec2';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createClient } from '../functions/shared/clients';
import { variableOf } from '../functions/shared/env';
import { indexArchiveEnv } from '../functions/index-archive/env';
import type { FirehoseOutputRecord, FirehoseTransformEvent } from '../functions/transform/transform';
import { resolveValue } from './asl';
import { flowLogSamples } from './corpus';
import { flowLogFieldsByVersion } from '../functions/shared/flow-log-formats';
import { resolveDocument, resourcesOf, type DeployedStack } from './deployment';
import { refuseVendedLogs } from './firehose-decompression';
import {
  FirehoseS3Client,
  deliverRecords,
  type ArchiveDelivery,
  type DeliveryStats,
} from './firehose-driver';
import { serviceCredentials } from './standins/prerequisites';
import { functionHandler, templateFunctions, type Credentials } from './template-functions';
import { isDirectPutStream } from './template-deployer';

/** Who the direct path needs: the stand-in, the functions' roles, people's credentials. */
export interface DirectWorld {
  endpoint: string;
  logArchive: string;
  stacks: readonly DeployedStack[];
  central: DeployedStack['template'];
  config: { homeRegion: string };
  roleCredentials: (roleArn: string) => Promise<Credentials>;
  admin: (account: string) => Promise<Credentials>;
}

/** A DirectPut delivery stream as its template deploys it. */
export interface DirectStream {
  stack: DeployedStack;
  name: string;
  arn: string;
  region: string;
  bucket: string;
  roleArn: string;
  delivery: ArchiveDelivery;
  /** The transform function the stream's processor names (its logical id). */
  transformLogicalId: string;
}

interface S3DestinationConfiguration {
  BucketARN: string;
  RoleARN: string;
  Prefix: string;
  ErrorOutputPrefix: string;
  FileExtension?: string;
  ProcessingConfiguration?: {
    Enabled?: boolean;
    Processors?: { Type: string; Parameters: { ParameterName: string; ParameterValue: unknown }[] }[];
  };
}

/**
 * Firehose's own default processor buffer, when the processor names none ("The buffering size
 * hint ranges between 0.2 MB and 3MB. The default ... is 1 MB", Firehose Developer Guide,
 * "Transform source data").
 */
const DEFAULT_PROCESSOR_BUFFER_MB = 1;

/** The DirectPut streams of the log-archive account's stacks, read from their templates. */
export function directStreams(world: DirectWorld): DirectStream[] {
  const out: DirectStream[] = [];
  for (const stack of world.stacks.filter((s) => s.account === world.logArchive))
    for (const [, r] of resourcesOf(stack)) {
      if (!isDirectPutStream(r)) continue;
      const p = r.Properties ?? {};
      const name = resolveValue(stack.template, p.DeliveryStreamName, stack.region, stack.account);
      const s3 = resolveDocument(stack, p.ExtendedS3DestinationConfiguration) as S3DestinationConfiguration;
      const processor = s3.ProcessingConfiguration?.Processors?.find((x) => x.Type === 'Lambda');
      if (!s3.ProcessingConfiguration?.Enabled || !processor)
        throw new Error(
          `${stack.stackName}: stream ${name} has no Lambda processor, which the direct path needs`,
        );
      const parameter = (n: string) =>
        processor.Parameters.find((x) => x.ParameterName === n)?.ParameterValue;
      // The processor names its function by ARN (Fn::GetAtt of the function in the template).
      const lambdaArn = (
        (r.Properties?.ExtendedS3DestinationConfiguration as Record<string, unknown>)
          .ProcessingConfiguration as { Processors: { Parameters: { ParameterValue: unknown }[] }[] }
      ).Processors.flatMap((x) => x.Parameters.map((y) => y.ParameterValue));
      const transformLogicalId = lambdaArn
        .map((v) => (v as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt']?.[0])
        .find((id): id is string => !!id && stack.template.Resources[id]?.Type === 'AWS::Lambda::Function');
      if (!transformLogicalId)
        throw new Error(`${stack.stackName}: stream ${name}'s processor names no function`);
      const arn = `arn:aws:firehose:${stack.region}:${stack.account}:deliverystream/${name}`;
      // Lambda's name for the function: the template's FunctionName when it sets one.
      const functionName = stack.template.Resources[transformLogicalId].Properties?.FunctionName;
      const transformName: unknown =
        functionName === undefined
          ? undefined
          : resolveValue(stack.template, functionName, stack.region, stack.account);
      out.push({
        stack,
        name,
        arn,
        region: stack.region,
        bucket: s3.BucketARN.replace(/^arn:aws:s3:::/, ''),
        roleArn: s3.RoleARN,
        transformLogicalId,
        delivery: {
          streamName: name,
          prefix: s3.Prefix,
          errorPrefix: s3.ErrorOutputPrefix,
          fileExtension: s3.FileExtension ?? '',
          processorBufferBytes:
            Number(parameter('BufferSizeInMBs') ?? DEFAULT_PROCESSOR_BUFFER_MB) * 1024 * 1024,
          decompress: s3.ProcessingConfiguration.Processors!.some((x) => x.Type === 'Decompression'),
          // A DirectPut stream's transformation event names the delivery stream and its Region
          // (Firehose Developer Guide, "Transform source data", the event's deliveryStreamArn
          // and region); it has no source stream.
          event: { deliveryStreamArn: arn, region: stack.region },
          // The function's ARN as Lambda names it, when the template names the function; a
          // name CloudFormation generates is not known here, and the error record then has none.
          ...(typeof transformName === 'string'
            ? { lambdaArn: `arn:aws:lambda:${stack.region}:${stack.account}:function:${transformName}` }
            : {}),
        },
      });
    }
  return out;
}

/** The DirectPut stream a flow log delivers to (its LogDestination). */
export function streamOf(world: DirectWorld, flowLog: FlowLog): DirectStream {
  const stream = directStreams(world).find((s) => s.arn === flowLog.LogDestination);
  if (!stream)
    throw new Error(
      `flow log ${flowLog.FlowLogId} delivers to ${flowLog.LogDestination}, no deployed DirectPut stream`,
    );
  return stream;
}

/**
 * The lines a flow log delivers for the corpus's traffic: each corpus flow record (its own
 * format's fields by name) written in the flow log's LogFormat, as the flow log's account and
 * VPC, a field the record lacks as "-" ("If a field is not applicable or could not be computed
 * for a specific record, the record displays a '-' symbol for that entry", VPC User Guide, "Flow
 * log records"); `version` the highest version among the format's fields, as AWS writes it.
 */
export function flowLogLines(flowLog: FlowLog, account: string, region: string): string[] {
  if (!flowLog.LogFormat) throw new Error(`flow log ${flowLog.FlowLogId} has no LogFormat`);
  const fields = flowLog.LogFormat.trim()
    .split(/\s+/)
    .map((f) => f.replace(/^\$\{(.+)\}$/, '$1'));
  // "If you use a custom format, the version is the highest version among the specified fields"
  // (VPC User Guide, "Flow log records", version).
  const version = String(
    Math.max(
      ...Object.entries(flowLogFieldsByVersion)
        .filter(([, named]) => (named as readonly string[]).some((f) => fields.includes(f)))
        .map(([v]) => Number(v)),
    ),
  );
  const lines: string[] = [];
  for (const sample of flowLogSamples()) {
    const names = sample.format
      .trim()
      .split(/\s+/)
      .map((f) => f.replace(/^\$\{(.+)\}$/, '$1'));
    for (const record of sample.records) {
      const values = record.trim().split(/\s+/);
      if (values.length !== names.length) continue; // a header that does not describe its lines
      const byName = new Map(names.map((n, i) => [n, values[i]]));
      const own: Record<string, string> = {
        version,
        'account-id': account,
        'vpc-id': flowLog.ResourceId ?? '-',
        region,
      };
      lines.push(fields.map((f) => own[f] ?? byName.get(f) ?? '-').join(' '));
    }
  }
  return lines;
}

/** What one delivery of the direct path wrote. */
export interface DirectDelivery {
  stream: string;
  lines: number;
  stats: DeliveryStats;
}

/**
 * Firehose delivering what VPC Flow Logs put into a DirectPut stream: one record per line (plain
 * text, "flow log data is published to a Amazon Data Firehose delivery stream, in plain text
 * format", VPC User Guide), the stream's transform (its template environment, its role) called
 * per processor buffer, the archive written with the stream's role, assumed as
 * firehose.amazonaws.com (its trust's aws:SourceAccount evaluated).
 */
export async function deliverDirect(
  world: DirectWorld,
  stream: DirectStream,
  lines: string[],
  runId: string,
): Promise<DirectDelivery> {
  const fn = templateFunctions(stream.stack.template, stream.region, stream.stack.account).find(
    (f) => f.logicalId === stream.transformLogicalId,
  );
  if (!fn) throw new Error(`${stream.stack.stackName}: no function ${stream.transformLogicalId}`);
  const transform = functionHandler(fn, await world.roleCredentials(fn.roleArn)) as (
    event: FirehoseTransformEvent,
  ) => Promise<{ records: FirehoseOutputRecord[] }>;
  const role = await serviceCredentials(world.endpoint, stream.roleArn, 'firehose.amazonaws.com', {
    sourceAccount: world.logArchive,
  });
  // The archive is in the home Region; the stream writes it there.
  const s3 = createClient(FirehoseS3Client, {
    region: world.config.homeRegion,
    credentials: async () => role,
  });
  const stats: DeliveryStats = { invocations: 0, ok: 0, dropped: 0, processingFailed: 0, objects: [] };
  const arrival = Date.now();
  // What VPC Flow Logs delivers is vended logs: a stream that decompresses fails them.
  if (stream.delivery.decompress) refuseVendedLogs(stream.name);
  await deliverRecords(
    lines.map((line) => ({ data: Buffer.from(line, 'utf8'), approximateArrivalTimestamp: arrival })),
    stream.delivery,
    { s3, bucket: stream.bucket, runId, transform },
    stats,
  );
  return { stream: stream.name, lines: lines.length, stats };
}

/** The flow log of a VPC (logwarden's, to a stream), as EC2 describes it. */
export async function flowLogOf(world: DirectWorld, account: string, region: string, vpcId: string) {
  const ec2 = new EC2Client({ region, credentials: await world.admin(account) });
  const logs =
    (await ec2.send(new DescribeFlowLogsCommand({ Filter: [{ Name: 'resource-id', Values: [vpcId] }] })))
      .FlowLogs ?? [];
  const toStream = logs.find((f) => f.LogDestinationType === 'kinesis-data-firehose');
  if (!toStream) throw new Error(`${vpcId} in ${account} ${region} has no flow log to a Firehose stream`);
  return toStream;
}

/** What the archive indexer's event source mapping did. */
export interface QueueDrain {
  messages: number;
  invocations: number;
  /** `<messageId>: <reason>` of every message the function reported failed. */
  failures: string[];
}

/**
 * The index-archive function's SQS event source mapping (from the central template): its queue
 * read with the function's execution role ("Lambda polls the queue ... your function's execution
 * role needs sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes", Lambda Developer
 * Guide, "Using Lambda with Amazon SQS"), batches of the mapping's BatchSize handed to the real
 * handler (its template environment, the local domain as its endpoint), and the messages it did
 * not report in batchItemFailures deleted (ReportBatchItemFailures). A failed message stays in
 * the queue, listed.
 */
export async function drainArchiveIndexQueue(
  world: DirectWorld,
  opensearchEndpoint: string,
): Promise<QueueDrain> {
  const home = world.config.homeRegion;
  const fn = templateFunctions(world.central, home, world.logArchive).find((f) => f.name === 'index-archive');
  if (!fn) throw new Error('the central template has no index-archive function');
  const mapping = Object.values(world.central.Resources).find(
    (r) =>
      r.Type === 'AWS::Lambda::EventSourceMapping' &&
      (r.Properties?.FunctionName as { Ref?: string } | undefined)?.Ref === fn.logicalId,
  );
  if (!mapping) throw new Error('the central template maps no event source to index-archive');
  const queueArn = resolveValue(world.central, mapping.Properties?.EventSourceArn, home, world.logArchive);
  const queueId = (mapping.Properties?.EventSourceArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  const queueUrl = resolveValue(world.central, { Ref: queueId }, home, world.logArchive);
  const batchSize = Number(mapping.Properties?.BatchSize ?? 10);
  const partial = ((mapping.Properties?.FunctionResponseTypes as string[] | undefined) ?? []).includes(
    'ReportBatchItemFailures',
  );
  const credentials = await world.roleCredentials(fn.roleArn);
  const handler = functionHandler(
    {
      ...fn,
      environment: {
        ...fn.environment,
        [variableOf(indexArchiveEnv, 'opensearchEndpoint')]: opensearchEndpoint,
      },
    },
    credentials,
  ) as (event: SQSEvent) => Promise<SQSBatchResponse>;
  const sqs = new SQSClient({ region: home, credentials });
  const drain: QueueDrain = { messages: 0, invocations: 0, failures: [] };
  const failed = new Set<string>();
  for (;;) {
    const received: Message[] =
      (
        await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: Math.min(batchSize, 10),
            MessageSystemAttributeNames: ['All'],
          }),
        )
      ).Messages ?? [];
    const fresh = received.filter((m) => !failed.has(m.MessageId!));
    if (!fresh.length) break;
    drain.messages += fresh.length;
    drain.invocations++;
    const event: SQSEvent = {
      Records: fresh.map((m) => ({
        messageId: m.MessageId!,
        receiptHandle: m.ReceiptHandle!,
        body: m.Body ?? '',
        attributes: m.Attributes as unknown as SQSEvent['Records'][number]['attributes'],
        messageAttributes: {},
        md5OfBody: m.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: queueArn,
        awsRegion: home,
      })),
    };
    let failures: string[];
    try {
      const res = await handler(event);
      failures = partial ? res.batchItemFailures.map((f) => f.itemIdentifier) : [];
    } catch (err) {
      failures = fresh.map((m) => m.MessageId!);
      drain.failures.push(...failures.map((id) => `${id}: handler threw: ${(err as Error).message}`));
    }
    for (const id of failures) {
      if (!drain.failures.some((f) => f.startsWith(`${id}:`)))
        drain.failures.push(`${id}: reported in batchItemFailures`);
      failed.add(id);
    }
    const done = fresh.filter((m) => !failures.includes(m.MessageId!));
    // One DeleteMessage each: the execution role's sqs:DeleteMessage is what the mapping needs.
    for (const m of done)
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
  }
  return drain;
}
