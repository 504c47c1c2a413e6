/**
 * flowLogs.delivery firehose end to end on the strict stand-ins and a real OpenSearch node: the
 * DirectPut stream created from the destination template, a member's VPC covered by a flow log
 * to it (the judge), healed after DeleteFlowLogs, its flow-log lines delivered by the local
 * DirectPut driver (local/firehose-direct.ts) through the stream's transform (flow-log-text) into
 * the archive as the stream's S3 configuration names objects, S3's Object Created events routed
 * by the deployed rule to the archive indexer's queue, and the real index-archive function
 * indexing every archived record: nothing lost between the lines, the archive and the index.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { parseConfig } from '../../contracts/config';
import { names } from '../../contracts/names';
import { e2eConfig } from '../../local/emulated-org';
import { startMoto, type Moto } from '../../local/moto';
import { startOpenSearch, type LocalSearch } from '../../local/opensearch';
import { existingAccount } from '../../local/scenario/onboard';
import { emulateOrganization, type Organization } from '../../local/scenario/organization';
import { deployPipeline, type Pipeline } from '../../local/scenario/pipeline';
import { directFlowLogs, type DirectFlowLogsResult } from '../../local/scenario/direct-flow-logs';
import {
  deliverDirect,
  directStreams,
  drainArchiveIndexQueue,
  flowLogLines,
  flowLogOf,
} from '../../local/firehose-direct';
import * as path from 'node:path';

const member = '444444444444';
let moto: Moto;
let search: LocalSearch;
let org: Organization;
let pipeline: Pipeline;
let result: DirectFlowLogsResult;
const said: string[] = [];

beforeAll(async () => {
  [moto, search] = await Promise.all([startMoto(), startOpenSearch()]);
  const config = parseConfig({
    ...(JSON.parse(JSON.stringify(e2eConfig)) as object),
    flowLogs: { ...e2eConfig.flowLogs, delivery: 'firehose' },
  });
  org = await emulateOrganization(moto.endpoint, { members: [member], config, regions: [config.homeRegion] });
  await existingAccount(org, member);
  // The account's cell covered as onboarding covers it: its existing VPC gets its flow log too.
  await org.plane.start('cover-account-region', `direct-${member}`, {
    account: member,
    region: config.homeRegion,
  });
  pipeline = await deployPipeline(org, search, path.join(__dirname, '..', '..', '.local'));
  result = await directFlowLogs(org, pipeline, member, (line = '') => said.push(line));
}, 600_000);

afterAll(async () => {
  await Promise.all([moto?.stop(), search?.stop()]);
});

describe('the direct flow-log path on the stand-ins (flowLogs.delivery firehose)', () => {
  it('creates the DirectPut stream from the destination template and covers, then heals, a VPC with a flow log to it', () => {
    const [stream] = directStreams(org);
    expect(stream.name).toBe(names.flowLogsFirehose);
    // The judge's rule (local/judge.ts): ACTIVE and DirectPut, the source role assuming the
    // DeliverCrossAccountRole, which tags the stream LogDeliveryEnabled=true.
    expect(result.destinations).toEqual([stream.arn, stream.arn]);
    expect(result.covered).toMatch(new RegExp(`${result.vpcId} by fl-`));
    expect(result.healedAs).toMatch(/^fl-/);
    expect(said.join('\n')).toMatch(/DeleteFlowLogs fl-\S+ → \S+ \S+: restored as fl-/);
  });

  it('archives every flow-log line once, under the stream’s own prefix and object names, and indexes every archived record', () => {
    const { delivery, archived, indexed, errorObjects, index } = result;
    expect(delivery.lines).toBeGreaterThan(20);
    expect(delivery.stats.processingFailed).toBe(0);
    expect(errorObjects).toBe(0);
    // Firehose Developer Guide, "Configure Amazon S3 object name format": "<evaluated prefix>
    // <suffix>, where the suffix has the format <Firehose stream name>-<Firehose stream
    // version>-<year>-...": the pattern the deployed rule matches (directObjectKeyPattern).
    for (const key of delivery.stats.objects)
      expect(key).toMatch(new RegExp(`^ocsf/source=[^/]+/date=[^/]+/${names.flowLogsFirehose}-1-`));
    expect(archived).toBe(delivery.lines);
    expect(indexed).toBe(archived);
    // One Object Created event per object, each through the deployed rule and the queue.
    expect(index.messages).toBe(delivery.stats.objects.length);
    expect(index.failures).toEqual([]);
  });

  it('keeps an unreadable line (an archived parse error, indexed), and the rule leaves other archive objects alone', async () => {
    const region = org.config.homeRegion;
    const flowLog = await flowLogOf(org, member, region, result.vpcId);
    const [stream] = directStreams(org);
    const lines = [...flowLogLines(flowLog, member, region).slice(0, 3), 'not a flow-log line'];
    const delivery = await deliverDirect(org, stream, lines, `${pipeline.runId}-broken`);
    // An object of the central stream's name, which is indexed from the stream: not for this rule.
    const s3 = new S3Client({ region, credentials: await org.admin(org.logArchive) });
    await s3.send(
      new PutObjectCommand({
        Bucket: stream.bucket,
        Key: `ocsf/source=flow/date=2026-12-07/logwarden-archive-1-x-${pipeline.runId}.parquet`,
        Body: await (
          await s3.send(new GetObjectCommand({ Bucket: stream.bucket, Key: delivery.stats.objects[0] }))
        ).Body!.transformToByteArray(),
      }),
    );
    await org.deliverEmitted();
    const drained = await drainArchiveIndexQueue(org, search.endpoint);
    expect(delivery.stats.ok).toBe(lines.length);
    expect(delivery.stats.objects.every((k) => k.endsWith('.parquet'))).toBe(true);
    expect(drained.messages).toBe(delivery.stats.objects.length);
    expect(drained.failures).toEqual([]);
  });
});
