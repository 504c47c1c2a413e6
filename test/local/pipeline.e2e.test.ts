/**
 * The pipeline end to end on the strict stand-ins (IAM enforced): CloudWatch Logs payloads of
 * real corpus events in the central Kinesis stream, the archive path (a Firehose stand-in with
 * the delivery stream's role, calling the real transform handler, writing to S3) and the alert
 * path (the real alerter handler, SNS → SQS, a heal started through the heal-starter role), each
 * configured with the environment and the execution role the synthesized stack gives it.
 */
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { FlowLogFormatRegistry } from '../../functions/shared/flow-log-formats';
import { TrustTable, trustedSourcesFromConfig } from '../../contracts/trusted-sources';
import { normalizePayload, parseErrorOf } from '../../functions/shared/normalize';
import type { OcsfDocument } from '../../functions/shared/ocsf/document';
import { isCoverageTamper } from '../../functions/shared/tamper';
import { readQueue, type Where } from '../../local/emulated-central';
import { centralFunction, deployCentral, firehoseCredentials } from '../../local/scenario/pipeline';
import { emulateOrganization, type Organization } from '../../local/scenario/organization';
import { deliverToArchive, type DeliveryStats } from '../../local/firehose-driver';
import { parquetToDocuments } from '../../local/lake-parquet';
import { StreamReader, toKinesisStreamEvent } from '../../local/kinesis-reader';
import { startMoto, type Moto } from '../../local/moto';
import { names } from '../../contracts/names';
import { createClient } from '../../functions/shared/clients';
import { corpusPayloads, e2eConfig } from './corpus-payloads';
import { cwlPayload, realCloudTrailEvents } from '../../local/corpus';
import { detectionRules } from '../../contracts/detections';
import { compileRules, matchingRules } from '../../functions/alerter/detections';
import { detectionContext } from '../../local/detection-scorecard';

const config = e2eConfig();
const region = config.homeRegion;
const logArchive = config.accounts.logArchive;
let moto: Moto;
let org: Organization;
let la: Required<Where>;
let bucket: string;
let queueUrl: string;
const stream = names.centralStream;
const streamArn = `arn:aws:kinesis:${region}:${logArchive}:stream/${stream}`;

/**
 * Built once: the event ids in them are what the expected document ids derive from. The corpus'
 * tamper events name anonymized regions that no one governs; one more StopLogging, from the
 * organization trail in a governed region, shows a heal starting.
 */
const trailGroup = { name: names.trailLogGroup, account: config.accounts.securityTooling };
const stopLogging = realCloudTrailEvents().find((e) => e.event.eventName === 'StopLogging')!.event;
const payloads = [
  ...corpusPayloads(region, config),
  cwlPayload([JSON.stringify({ ...stopLogging, eventID: 'e2e-governed-stop', awsRegion: region })], {
    logGroup: trailGroup.name,
    owner: trailGroup.account,
    region,
  }),
];

async function archivedDocuments(
  s3: S3Client,
): Promise<{ docs: OcsfDocument[]; errors: { rawData: string }[] }> {
  const docs: OcsfDocument[] = [];
  const errors: { rawData: string }[] = [];
  let ContinuationToken: string | undefined;
  do {
    const list = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken }));
    for (const o of list.Contents ?? []) {
      const bytes = await (
        await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }))
      ).Body!.transformToByteArray();
      // Error records are JSON (uncompressed: the delivery stream's CompressionFormat); the
      // archive's objects are Parquet, converted with the lake table as schema.
      if (o.Key!.startsWith('errors/')) errors.push(JSON.parse(Buffer.from(bytes).toString('utf8')));
      else {
        expect(o.Key).toMatch(/^ocsf\/source=[a-z_]+\/date=\d{4}-\d{2}-\d{2}\/.+\.parquet$/);
        docs.push(...((await parquetToDocuments(bytes)) as OcsfDocument[]));
      }
    }
    ContinuationToken = list.NextContinuationToken;
  } while (ContinuationToken);
  return { docs, errors };
}

const corrupt = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.from('definitely not deflate')]);
const control = gzipSync(
  JSON.stringify({
    ...cwlPayload(['CWL CONTROL MESSAGE: Checking health of destination Kinesis.']),
    messageType: 'CONTROL_MESSAGE',
  }),
);

beforeAll(async () => {
  moto = await startMoto();
  // The organization on the strict stand-ins, IAM enforced: the central stack's resources and
  // roles in the log-archive account, the control plane's state machines in security tooling.
  org = await emulateOrganization(moto.endpoint, { members: [], config });
  const central = await deployCentral(org);
  ({ la, bucket } = central);
  queueUrl = central.alertsQueueUrl;
  // What a destination puts into the stream, put here by the log-archive account's administrator.
  const kinesis = createClient(KinesisClient, { http1: true, credentials: async () => la.credentials });
  const entries = [
    ...payloads.map((p) => ({ Data: gzipSync(JSON.stringify(p)), PartitionKey: p.logStream })),
    { Data: corrupt, PartitionKey: 'bad' },
    { Data: control, PartitionKey: 'control' },
  ];
  for (let i = 0; i < entries.length; i += 100) {
    const res = await kinesis.send(
      new PutRecordsCommand({ StreamName: stream, Records: entries.slice(i, i + 100) }),
    );
    expect(res.FailedRecordCount).toBe(0);
  }
}, 180_000);

afterAll(async () => {
  await moto?.stop();
});

describe('the central pipeline against moto', () => {
  const trust = new TrustTable(trustedSourcesFromConfig(config));
  const expected = payloads.flatMap((p) => normalizePayload(p, new FlowLogFormatRegistry(), trust));

  it('archive: every corpus event exactly once in S3, bad input kept (error prefix, parse_error), the control message dropped', async () => {
    // Firehose reads the stream and writes the archive with the delivery stream's role, and
    // invokes the transform, which runs under its own.
    const { handler } = await centralFunction(org, 'transform');
    const firehose = await firehoseCredentials(org);
    const s3 = createClient(S3Client, { credentials: async () => firehose });
    const reader = new StreamReader(
      createClient(KinesisClient, { http1: true, credentials: async () => firehose }),
      stream,
    );
    const stats: DeliveryStats = { invocations: 0, ok: 0, dropped: 0, processingFailed: 0, objects: [] };
    // Re-ingested halves come back through the stream: read until it is drained.
    for (let round = 0; round < 10; round++) {
      const records = await reader.read();
      if (!records.length) break;
      await deliverToArchive(
        records.map((r) => r.record),
        {
          s3,
          bucket,
          sourceStreamArn: streamArn,
          transform: handler as never,
          runId: 'pipeline-e2e',
        },
        stats,
      );
    }
    const { docs, errors } = await archivedDocuments(
      createClient(S3Client, { credentials: async () => la.credentials }),
    );
    const count = (uids: string[]) =>
      uids.reduce((m, u) => m.set(u, (m.get(u) ?? 0) + 1), new Map<string, number>());
    expect(count(docs.map((d) => d.metadata.uid))).toEqual(count(expected.map((d) => d.metadata.uid)));
    expect(docs.filter((d) => parseErrorOf(d))).toHaveLength(expected.filter((d) => parseErrorOf(d)).length);
    expect(docs.find((d) => d.metadata.log_name === '/aws/lambda/chatty')?.raw_data).toHaveLength(
      1024 * 1024,
    );
    // The corrupt gzip never reaches the transform: the stream's Decompression processor keeps
    // it as it came under decompression-failed ("the record is delivered as is (in compressed
    // format) to error S3 bucket", Firehose Developer Guide, "Troubleshoot decompression").
    expect(errors.map((e) => e.rawData)).toEqual([corrupt.toString('base64')]);
    expect(stats.objects.filter((k) => k.startsWith('errors/'))).toEqual([
      expect.stringMatching(/^errors\/decompression-failed\//),
    ]);
    expect(stats.decompressionFailed).toBe(1);
    expect(stats.processingFailed).toBe(0);
    expect(stats.dropped).toBeGreaterThanOrEqual(1);
  }, 180_000);

  it('alerts: exactly one SNS alert per tamper event and per document the detection rules flag, none on re-delivery', async () => {
    // The alerter and its event source mapping, under the alerter's role.
    const alerter = await centralFunction(org, 'alerter');
    const handler = alerter.handler as (e: unknown) => Promise<{ batchItemFailures: unknown[] }>;
    const reader = new StreamReader(
      createClient(KinesisClient, { http1: true, credentials: async () => alerter.credentials }),
      stream,
    );
    const event = toKinesisStreamEvent(
      (await reader.read()).map((r) => r.record),
      streamArn,
      region,
    );
    expect((await handler(event)).batchItemFailures).toEqual([]);
    expect((await handler(event)).batchItemFailures).toEqual([]); // the same records delivered again
    const alerts = await readQueue(la, queueUrl);
    const tamper = expected
      .filter((d) => isCoverageTamper(d))
      .map((d) => (d.api as { operation: string }).operation)
      .sort();
    expect(tamper).toEqual([
      'DeleteFlowLogs',
      'DeleteTrail',
      'PutEventSelectors',
      'StopLogging',
      'StopLogging',
    ]);
    const tamperAlerts = alerts.filter((a) => a.startsWith('logwarden detected a change'));
    expect(tamperAlerts.map((a) => /switches logging coverage off: "(\w+)"\./.exec(a)?.[1]).sort()).toEqual(
      tamper,
    );
    // Every other alert is a detection, one per document the rules flag, naming the rules.
    const rules = compileRules(detectionRules);
    const context = detectionContext(config);
    const flagged = expected
      .filter((d) => !isCoverageTamper(d))
      .map((d) => matchingRules(d, rules, context).map((r) => r.id))
      .filter((ids) => ids.length);
    const detectionAlerts = alerts.filter((a) => a.startsWith('logwarden detection:'));
    expect(detectionAlerts).toHaveLength(alerts.length - tamperAlerts.length);
    expect(detectionAlerts.map((a) => /^Rules: +(.*)$/m.exec(a)?.[1]).sort()).toEqual(
      flagged.map((ids) => ids.join(', ')).sort(),
    );
    expect(flagged.flat()).toEqual(
      expect.arrayContaining(['guardduty-finding', 'console-login-without-mfa']),
    );
    // A heal starts where logwarden governs the region; elsewhere the alert says why none did.
    const started = alerts.filter((a) =>
      /Self-heal: starting arn:aws:states:eu-west-1:333333333333:execution:logwarden-cover-account-region:tamper-/.test(
        a,
      ),
    );
    expect(started).toHaveLength(1);
    expect(started[0]).toContain(`Region:    "${region}"`);
    expect(
      alerts.filter((a) => a.includes('Self-heal: NOT started (region not governed by logwarden)')),
    ).toHaveLength(4);
  }, 120_000);
});
