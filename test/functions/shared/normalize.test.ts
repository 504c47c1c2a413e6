import fc from 'fast-check';
import {
  defaultV2Format,
  FlowLogFormatRegistry,
  flowLogGroupFor,
  logFormatString,
  logwardenFormat,
  parseFormatString,
} from '../../../functions/shared/flow-log-formats';
import { normalizeLogEvent, normalizePayload } from '../../../functions/shared/normalize';
import type { OcsfDocument } from '../../../functions/shared/ocsf/document';
import { guardDutySeverityId } from '../../../functions/shared/ocsf/guardduty';
import {
  cwlPayload,
  cwlPayloadSamples,
  flowLogSamples,
  guardDutyEvents,
  pantherCloudTrailLogs,
  realCloudTrailEvents,
  realKinesisCwlEvent,
} from '../../../local/corpus';
import { decodeCwlBase64 } from '../../../functions/shared/cwl-payload';
import { testTrust } from '../../fixtures/trust';

const registry = new FlowLogFormatRegistry();
const one = (message: string, logGroup = 'app/orders', formats = registry): OcsfDocument =>
  normalizePayload(cwlPayload([message], { logGroup }), formats, testTrust)[0];

function expectCommon(doc: OcsfDocument) {
  expect(Number.isInteger(doc.time)).toBe(true);
  expect(doc.time).toBeGreaterThan(10_000_000_000); // epoch ms, not seconds
  expect(doc.cloud.provider).toBe('AWS');
  expect(doc.cloud.region).toEqual(expect.any(String));
  expect(doc.cloud.account.uid).toEqual(expect.any(String));
  expect(doc.metadata.product.name).toEqual(expect.any(String));
  expect(doc.metadata.log_name).toEqual(expect.any(String));
  expect(doc.metadata.uid).toEqual(expect.any(String));
  expect(doc.type_uid).toBe(doc.class_uid * 100 + doc.activity_id);
  expect(doc.raw_data).toEqual(expect.any(String));
}

describe('CloudTrail → API Activity (6003)', () => {
  const events = realCloudTrailEvents();

  it(`normalizes all ${events.length} real Stratus Red Team and S3 sample events`, () => {
    expect(events.length).toBeGreaterThan(300);
    for (const { event } of events) {
      const doc = one(JSON.stringify(event), 'aws-cloudtrail-logs');
      expectCommon(doc);
      expect(doc.parse_error).toBeUndefined();
      expect(doc.class_uid).toBe(6003);
      expect(doc.metadata.uid).toBe(event.eventID);
      // The S3 sample has a templated eventTime: the delivery timestamp stands in for it.
      const eventTime = Date.parse(event.eventTime as string);
      expect(doc.time).toBe(Number.isNaN(eventTime) ? 1732800000000 : eventTime);
      expect(doc.cloud.region).toBe(event.awsRegion);
      expect((doc.api as { operation: string }).operation).toBe(event.eventName);
    }
  });

  it('keeps the free-form objects whole under unmapped, and the raw line', () => {
    const { event } = events.find((e) => e.event.eventName === 'StopLogging')!;
    const doc = one(JSON.stringify(event));
    expect(doc.unmapped?.requestParameters).toEqual(event.requestParameters);
    expect(doc.raw_data).toBe(JSON.stringify(event));
    expect(doc.actor).toMatchObject({ user: { type: 'IAMUser', name: 'christophe' } });
    expect(doc.src_endpoint).toEqual({ ip: '86.245.153.234' });
    expect(doc.activity_name).toBe('Update');
  });

  it('normalizes every Panther CloudTrail fixture into one document, never dropping one', () => {
    for (const { event } of pantherCloudTrailLogs()) {
      const doc = one(JSON.stringify(event), 'aws-cloudtrail-logs');
      expectCommon(doc);
      if (typeof event.eventVersion === 'string' && typeof event.eventSource === 'string') {
        expect(doc.class_uid).toBe(6003);
      } else {
        expect(doc.class_uid).toBe(0);
      }
    }
  });

  it('marks failed calls as Failure with the error', () => {
    const doc = one(
      JSON.stringify({
        eventVersion: '1.08',
        eventSource: 'iam.amazonaws.com',
        eventName: 'CreateUser',
        errorCode: 'AccessDenied',
        eventID: 'x',
      }),
    );
    expect(doc).toMatchObject({
      status: 'Failure',
      status_id: 2,
      api: { response: { error: 'AccessDenied' } },
    });
  });
});

describe('VPC flow logs → Network Activity (4001)', () => {
  const samples = flowLogSamples();

  it(`normalizes every documented sample (${samples.length} formats) with all its fields`, () => {
    for (const sample of samples) {
      const format = parseFormatString(sample.source, sample.format);
      const formats = new FlowLogFormatRegistry().register('custom-group', format);
      for (const record of sample.records) {
        const doc = one(record, 'custom-group', formats);
        expectCommon(doc);
        expect(doc.parse_error).toBeUndefined();
        expect(doc.class_uid).toBe(4001);
        const values = record.trim().split(/\s+/);
        const kept = doc.unmapped?.flow as Record<string, string>;
        format.fields.forEach((f, i) => {
          if (values[i] !== '-') expect(kept[f]).toBe(values[i]);
        });
      }
    }
  });

  it('maps v2 fields to OCSF and reads 14-field lines of unknown groups as v2', () => {
    const doc = one(
      '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK',
      'someone/else',
    );
    expect(doc).toMatchObject({
      class_uid: 4001,
      time: 1418530010000,
      end_time: 1418530070000,
      action: 'Denied',
      action_id: 2,
      src_endpoint: { ip: '172.31.9.69', port: 49761, interface_uid: 'eni-1235b8ca123456789' },
      dst_endpoint: { ip: '172.31.9.12', port: 3389 },
      connection_info: { protocol_num: 6, protocol_name: 'tcp' },
      traffic: { packets: 20, bytes: 4249 },
      cloud: { account: { uid: '123456789010' } },
    });
    expect(doc.metadata.product.version).toBe('2');
    expect(defaultV2Format.fields).toHaveLength(14);
  });

  it('logwarden groups name their format: v5, v7 (ECS) and v8 fields come through', () => {
    const values = logwardenFormat.fields.map((f) => {
      const sample: Record<string, string> = {
        version: '8',
        'account-id': '123456789012',
        srcaddr: '10.0.0.1',
        dstaddr: '10.0.0.2',
        srcport: '443',
        dstport: '50000',
        protocol: '17',
        packets: '3',
        bytes: '300',
        start: '1700000000',
        end: '1700000060',
        action: 'REJECT',
        'log-status': 'OK',
        region: 'eu-west-1',
        'az-id': 'euw1-az1',
        'flow-direction': 'egress',
        'traffic-path': '8',
        'reject-reason': 'BPA',
        'ecs-cluster-name': 'prod',
        'pkt-dst-aws-service': 'S3',
      };
      return sample[f] ?? '-';
    });
    const doc = one(values.join(' '), flowLogGroupFor(logwardenFormat));
    expect(doc).toMatchObject({
      class_uid: 4001,
      status_detail: 'BPA',
      cloud: { region: 'eu-west-1', zone: 'euw1-az1' },
      connection_info: { direction: 'Outbound', direction_id: 2, protocol_name: 'udp' },
      dst_endpoint: { svc_name: 'S3' },
      unmapped: { flow: { 'traffic-path': '8', 'ecs-cluster-name': 'prod', 'reject-reason': 'BPA' } },
    });
    expect(logFormatString(logwardenFormat)).toContain('${reject-reason}');
  });

  it('a line of the wrong width in a flow-log group is kept as a parse_error document', () => {
    const doc = one('2 too short', flowLogGroupFor(logwardenFormat));
    expect(doc.parse_error).toMatch(/has 3 fields/);
    expect(doc.raw_data).toBe('2 too short');
    expect(doc.metadata.product.name).toBe('VPC Flow Logs');
  });
});

describe('GuardDuty → Detection Finding (2004)', () => {
  const events = guardDutyEvents();

  it(`normalizes all ${events.length} real findings`, () => {
    for (const { event } of events) {
      const detail = event.detail as Record<string, unknown>;
      const doc = one(JSON.stringify(event), '/logwarden/guardduty-findings');
      expectCommon(doc);
      expect(doc.class_uid).toBe(2004);
      expect(doc.metadata.uid).toBe(`${detail.id}:${detail.updatedAt}`);
      expect(doc.severity_id).toBe(guardDutySeverityId(detail.severity));
      expect(doc.unmapped?.service).toEqual(detail.service);
    }
    expect(events.some(({ event }) => one(JSON.stringify(event)).severity === 'Critical')).toBe(true);
  });

  it.each([
    [0.5, 1],
    [1.0, 2],
    [3.9, 2],
    [4.0, 3],
    [6.9, 3],
    [7.0, 4],
    [8.9, 4],
    [9.0, 5],
    [10.0, 5],
  ])('severity %f → severity_id %i', (severity, id) => {
    expect(guardDutySeverityId(severity)).toBe(id);
  });
});

describe('application logs → Base Event (0)', () => {
  it('real Lambda log lines (plain text) keep their text', () => {
    for (const r of realKinesisCwlEvent().Records) {
      const d = decodeCwlBase64(r.kinesis.data);
      if (!d.ok) throw new Error(d.error);
      for (const doc of normalizePayload(d.payload, registry, testTrust)) {
        expectCommon(doc);
        expect(doc.class_uid).toBe(0);
        expect(doc.message).toEqual(expect.any(String));
      }
    }
  });

  it('a JSON object is kept whole under unmapped.log', () => {
    const doc = one('{"level":"info","msg":"paid","order":{"id":7}}');
    expect(doc.unmapped).toEqual({ log: { level: 'info', msg: 'paid', order: { id: 7 } } });
  });

  it('truncated CloudTrail JSON (real OTel fixture) becomes parse_error documents, none dropped', () => {
    const { payload } = cwlPayloadSamples().find((s) => s.source.includes('valid_cloudwatch_log.json'))!;
    const docs = normalizePayload(payload, registry, testTrust);
    expect(docs).toHaveLength(payload.logEvents.length);
    for (const [i, doc] of docs.entries()) {
      expect(doc.parse_error).toMatch(/invalid JSON/);
      expect(doc.raw_data).toBe(payload.logEvents[i].message);
    }
  });
});

describe('metadata.uid', () => {
  it('is deterministic: re-delivery of the same event gives the same id, another event another', () => {
    const payload = cwlPayload(['a', 'b']);
    const first = normalizePayload(payload, registry, testTrust).map((d) => d.metadata.uid);
    const again = normalizePayload(JSON.parse(JSON.stringify(payload)), registry, testTrust).map(
      (d) => d.metadata.uid,
    );
    expect(again).toEqual(first);
    expect(new Set(first).size).toBe(2);
  });

  it('property: any message yields exactly one document with the raw line and an id', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 2000 }),
        fc.string({ minLength: 1, maxLength: 50 }),
        (message, group) => {
          const payload = cwlPayload([message], { logGroup: group });
          const doc = normalizeLogEvent(payload, payload.logEvents[0], registry, testTrust);
          expect(doc.raw_data).toBe(message);
          expect(doc.metadata.uid.length).toBeGreaterThan(0);
          expect(() => JSON.stringify(doc)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });
});
