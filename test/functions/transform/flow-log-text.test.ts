/**
 * The direct path (flowLogs.delivery firehose): the transform reads flow-log lines as VPC Flow
 * Logs puts them into Firehose, "in plain text format" (VPC User Guide, "Publish flow logs to
 * Amazon Data Firehose"), and writes the documents the stream path writes for the same lines.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import fc from 'fast-check';
import { logwardenFormat, FlowLogFormatRegistry } from '../../../functions/shared/flow-log-formats';
import { normalizeLogEvent } from '../../../functions/shared/normalize';
import { decodeFlowLogText, directFlowLogGroup } from '../../../functions/transform/flow-log-text';
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  type FirehoseTransformEvent,
  transformFirehoseEvent,
} from '../../../functions/transform/transform';
import { DIRECT_PROCESSOR_BUFFER_MB } from '../../../stacks/central/flow-logs-firehose';
import { cwlPayload } from '../../../local/corpus';
import { testTrust as trust } from '../../fixtures/trust';

const OWNER = '123456789012';
const REGION = 'eu-west-1';
const ARRIVAL = 1732800000000;
const formats = new FlowLogFormatRegistry();
const kinesis = new KinesisClient({ region: REGION });
const accountAt = logwardenFormat.fields.indexOf('account-id');

const value = fc
  .oneof(
    fc.constant('-'),
    fc.ipV4(),
    fc.ipV6(),
    fc.constantFrom('ACCEPT', 'REJECT', 'OK', 'NODATA', 'SKIPDATA', 'ingress', 'egress', 'unknown'),
    fc.nat().map(String),
    fc.constantFrom('eni-1235b8ca123456789', 'vpc-0a1b', 'subnet-1', 'i-01', 'use1-az1', 'eu-west-1', 'S3'),
    fc.constantFrom('__proto__', '"', '\\', 'é', '{}'),
    fc.string({ minLength: 1, maxLength: 12 }),
  )
  .filter((s) => !/\s/.test(s));
// A field holds no white space: "fields separated by spaces" (VPC User Guide, "Flow log records").
// A value such as U+2028, which JavaScript's \s matches, makes a line that is not of the format;
// it is a parse error on both paths, and the direct path cannot read its owner from it (below).
/** A line of logwarden's format, the only format the control creates to the stream, of OWNER. */
const ownLine = fc
  .array(value, { minLength: logwardenFormat.fields.length, maxLength: logwardenFormat.fields.length })
  .map((v) => v.map((x, i) => (i === accountAt ? OWNER : x)).join(' '));

const record = (lines: string[], recordId = 'r-0') => ({
  recordId,
  approximateArrivalTimestamp: ARRIVAL,
  data: Buffer.from(lines.join('\n') + '\n').toString('base64'),
});
const eventOf = (records: FirehoseTransformEvent['records']): FirehoseTransformEvent => ({
  invocationId: 'inv',
  deliveryStreamArn: `arn:aws:firehose:${REGION}:222222222222:deliverystream/logwarden-flow-logs`,
  region: REGION,
  records,
});
const documentsOf = (data: string) =>
  Buffer.from(data, 'base64')
    .toString('utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown> & { metadata: Record<string, unknown> });

/** A document without what names the delivery rather than the record (event id, stream). */
function withoutDelivery(doc: Record<string, unknown>) {
  const copy = structuredClone(doc) as Record<string, unknown> & { metadata: Record<string, unknown> };
  delete copy.metadata.uid;
  return copy;
}

describe('the direct path: flow-log text into the transform', () => {
  it('every line of logwarden’s format is one document, lossless (raw_data is the line), equal to the stream path’s but for its event id', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(ownLine, { minLength: 1, maxLength: 20 }), async (lines) => {
        const { records } = await transformFirehoseEvent(eventOf([record(lines)]), {
          input: 'flow-log-text',
          formats,
          trust,
          kinesis,
          now: () => ARRIVAL,
        });
        expect(records).toHaveLength(1);
        expect(records[0].result).toBe('Ok');
        const docs = documentsOf(records[0].data as string);
        expect(docs.map((d) => d.raw_data)).toEqual(lines);
        const stream = cwlPayload(lines, { logGroup: directFlowLogGroup, owner: OWNER, region: REGION });
        // CloudWatch Logs stamps each event; Firehose stamps the record (both are `logged_time`).
        for (const e of stream.logEvents) e.timestamp = ARRIVAL;
        const viaStream = stream.logEvents.map((e) =>
          JSON.parse(JSON.stringify(normalizeLogEvent(stream, e, formats, trust))),
        );
        expect(docs.map(withoutDelivery)).toEqual(viaStream.map(withoutDelivery));
      }),
      { numRuns: 150 },
    );
  });

  it('the same record gives the same event ids on every retry, and different lines different ids', () => {
    const lines = ['a b', 'a b', 'c d'];
    const data = record(lines).data;
    const one = decodeFlowLogText(data, REGION, ARRIVAL);
    const two = decodeFlowLogText(data, REGION, ARRIVAL);
    if (!one.ok || !two.ok) throw new Error('not decoded');
    expect(one.payload.logEvents.map((e) => e.id)).toEqual(two.payload.logEvents.map((e) => e.id));
    expect(new Set(one.payload.logEvents.map((e) => e.id)).size).toBe(3);
    expect(one.payload).toMatchObject({ owner: 'unknown', logGroup: directFlowLogGroup });
  });

  it('nothing is lost: a line that is not a flow record becomes a parse-error document that keeps it, invalid UTF-8 keeps its bytes, and data that is not base64 fails to the error prefix', async () => {
    const good = `2 ${OWNER} ${'- '.repeat(logwardenFormat.fields.length - 2).trim()}`;
    const bad = Buffer.from([0x32, 0x20, 0xff, 0xfe]);
    const { records } = await transformFirehoseEvent(
      eventOf([
        record([good, 'not a flow record']),
        { recordId: 'r-1', data: Buffer.concat([bad, Buffer.from('\n')]).toString('base64') },
        { recordId: 'r-2', data: '%%% not base64' },
      ]),
      { input: 'flow-log-text', formats, trust, kinesis, now: () => ARRIVAL },
    );
    const first = documentsOf(records[0].data as string);
    expect(first.map((d) => d.raw_data)).toEqual([good, 'not a flow record']);
    expect(JSON.stringify(first[1])).toContain('parse_error');
    const second = documentsOf(records[1].data as string);
    expect(second[0].raw_data).toBe(bad.toString('base64'));
    expect(records[2]).toEqual({ recordId: 'r-2', result: 'ProcessingFailed', data: '' });
  });

  it('a line whose first field is white space to JavaScript (U+2028) is not of the format: kept whole as a parse error, its owner unknown, since the line names none the decoder can trust', async () => {
    const line = ['\u2028', OWNER, ...Array(logwardenFormat.fields.length - 2).fill('-')].join(' ');
    const { records } = await transformFirehoseEvent(eventOf([record([line])]), {
      input: 'flow-log-text',
      formats,
      trust,
      kinesis,
      now: () => ARRIVAL,
    });
    const [doc] = documentsOf(records[0].data as string);
    expect(records[0].result).toBe('Ok');
    expect(doc.raw_data).toBe(line);
    expect(JSON.stringify(doc)).toContain('parse_error');
    expect(doc).toMatchObject({ class_uid: 0, cloud: { account: { uid: 'unknown' } } });
  });

  it(`at the deployed processor buffer (${DIRECT_PROCESSOR_BUFFER_MB} MB) of the shortest lines the response stays under ${DEFAULT_MAX_RESPONSE_BYTES} bytes: nothing re-ingested, nothing failed`, async () => {
    // The worst expansion is the shortest line: every optional field "-".
    const shortest = ['2', OWNER, ...Array(logwardenFormat.fields.length - 2).fill('-')].join(' ');
    const budget = DIRECT_PROCESSOR_BUFFER_MB * 1024 * 1024;
    for (const linesPerRecord of [1, 50]) {
      const records: FirehoseTransformEvent['records'] = [];
      let bytes = 0;
      while (bytes < budget) {
        const r = record(Array(linesPerRecord).fill(shortest), `r-${records.length}`);
        bytes += Buffer.from(r.data, 'base64').length;
        records.push(r);
      }
      const { records: out, stats } = await transformFirehoseEvent(eventOf(records), {
        input: 'flow-log-text',
        formats,
        trust,
        kinesis,
        now: () => ARRIVAL,
      });
      const response = Buffer.byteLength(JSON.stringify({ records: out }));
      expect(response).toBeLessThan(DEFAULT_MAX_RESPONSE_BYTES);
      expect(stats).toMatchObject({ reingested: 0, processingFailed: 0, ok: records.length });
    }
  });
});
