import fc from 'fast-check';
import {
  defaultV2Format,
  FlowLogFormatRegistry,
  flowLogGroupFor,
  logFormatString,
  logwardenFormat,
  parseFormatString,
} from '../../../functions/shared/flow-log-formats';
import {
  documentId,
  normalizeLogEvent,
  normalizePayload,
  parseErrorOf,
} from '../../../functions/shared/normalize';
import type { OcsfDocument } from '../../../functions/shared/ocsf/document';
import { firstFieldIsTwo, splitFlowLogLine } from '../../../functions/shared/ocsf/flow-log';
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

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ctEvents = [...realCloudTrailEvents(), ...pantherCloudTrailLogs()];
/** A real corpus CloudTrail record, by where it is and what it is. */
function ctRecord(source: string, pick: (e: Json) => boolean): Json {
  const found = ctEvents.find((e) => e.source.includes(source) && pick(e.event));
  if (!found) throw new Error(`no corpus record in ${source} matches`);
  return found.event;
}
const ctDoc = (event: Json) => one(JSON.stringify(event), 'aws-cloudtrail-logs') as OcsfDocument & Json;

describe('CloudTrail → API Activity (6003), Authentication (3002), Account Change (3001)', () => {
  const events = realCloudTrailEvents();

  it(`normalizes all ${events.length} real Stratus Red Team and S3 sample events`, () => {
    expect(events.length).toBeGreaterThan(300);
    for (const { event } of events) {
      const doc = ctDoc(event);
      expectCommon(doc);
      expect(parseErrorOf(doc)).toBeUndefined();
      expect([6003, 3002, 3001]).toContain(doc.class_uid);
      expect(doc.metadata.product.name).toBe('CloudTrail');
      expect(doc.metadata.uid).toBe(event.eventID);
      // The S3 sample has a templated eventTime: the delivery timestamp stands in for it.
      const eventTime = Date.parse(event.eventTime as string);
      expect(doc.time).toBe(Number.isNaN(eventTime) ? 1732800000000 : eventTime);
      expect(doc.time_dt).toBe(new Date(doc.time).toISOString());
      expect(doc.cloud.region).toBe(event.awsRegion);
      expect((doc.api as { operation: string }).operation).toBe(event.eventName);
      expect(doc.metadata.profiles).toEqual(['cloud', 'datetime']);
    }
  });

  it('actor.user.uid is the caller ARN, uid_alt the principal id; requestParameters are api.request.data', () => {
    const event = ctRecord('aws.defense-evasion.cloudtrail-stop', (e) => e.eventName === 'StopLogging');
    const doc = ctDoc(event);
    expect(doc.class_uid).toBe(6003);
    expect(doc.actor.user).toMatchObject({
      uid: event.userIdentity.arn,
      uid_alt: event.userIdentity.principalId,
      type: 'IAMUser',
      name: 'christophe',
      account: { uid: event.userIdentity.accountId },
    });
    expect(doc.api.request).toEqual({ uid: event.requestID, data: event.requestParameters });
    expect(doc.unmapped?.requestParameters).toBeUndefined();
    expect(doc.src_endpoint).toEqual({ ip: '86.245.153.234' });
    expect(doc.metadata.event_code).toBe(event.eventType);
    expect(doc.activity_name).toBe('Update');
    expect(doc.type_name).toBe('API Activity: Update');
    expect(doc.raw_data).toBe(JSON.stringify(event));
    // Fields OCSF has no place for stay under their CloudTrail names.
    expect(doc.unmapped).toMatchObject({ readOnly: event.readOnly, managementEvent: event.managementEvent });
  });

  it('responseElements are api.response.data; the session issuer, its MFA and creation time are mapped', () => {
    const event = ctRecord(
      'aws.',
      (e) => e.responseElements && e.userIdentity.sessionContext?.sessionIssuer?.arn,
    );
    const doc = ctDoc(event);
    expect(doc.api.response.data).toEqual(event.responseElements);
    const context = event.userIdentity.sessionContext;
    expect(doc.actor.session).toEqual({
      issuer: context.sessionIssuer.arn,
      is_mfa: context.attributes.mfaAuthenticated === 'true',
      created_time: Date.parse(context.attributes.creationDate),
    });
  });

  it('api.version is apiVersion', () => {
    const event = ctRecord('dynatrace', (e) => e.apiVersion);
    expect(ctDoc(event).api.version).toBe(event.apiVersion);
  });

  it('src_endpoint.uid is the VPC endpoint id', () => {
    const event = ctRecord('AWS.CloudTrail.EnableRegion', (e) => e.vpcEndpointId && e.userIdentity);
    expect(ctDoc(event).src_endpoint.uid).toBe(event.vpcEndpointId);
  });

  it('resources[] carry their ARN, type and owner account', () => {
    const event = ctRecord('ssm-retrieve-securestring', (e) => e.resources?.some((r: Json) => r.accountId));
    const doc = ctDoc(event);
    expect(doc.resources).toEqual(
      event.resources.map((r: Json) => ({
        uid: r.ARN,
        type: r.type,
        owner: { account: { uid: r.accountId } },
      })),
    );
  });

  it('a failed call is status_id 2 with the error in api.response', () => {
    const event = ctRecord('ec2-get-password-data', (e) => e.errorCode && e.eventName === 'GetPasswordData');
    const doc = ctDoc(event);
    expect(doc).toMatchObject({
      status: 'Failure',
      status_id: 2,
      api: { response: { error: event.errorCode, message: event.errorMessage } },
    });
  });

  it('ConsoleLogin is Authentication (3002) Logon, about the user signing in', () => {
    const event = ctRecord('console-login-without-mfa', (e) => e.eventName === 'ConsoleLogin');
    const doc = ctDoc(event);
    expect(doc).toMatchObject({
      class_uid: 3002,
      category_uid: 3,
      activity_id: 1,
      activity_name: 'Logon',
      type_uid: 300201,
      type_name: 'Authentication: Logon',
      user: { uid: event.userIdentity.arn },
      service: { name: 'signin.amazonaws.com' },
      status_id: 1,
    });
    expect(doc.is_mfa).toBe(event.additionalEventData.MFAUsed === 'Yes');
  });

  it('a failed console sign-in is status_id 2', () => {
    const event = ctRecord(
      'Unsuccessful.MFA',
      (e) =>
        e.eventName === 'ConsoleLogin' && e.eventVersion && e.responseElements?.ConsoleLogin === 'Failure',
    );
    expect(ctDoc(event)).toMatchObject({ class_uid: 3002, status: 'Failure', status_id: 2 });
  });

  it('AssumeRole is Authentication, about the role assumed; its resources stay in unmapped', () => {
    const event = ctRecord('ec2-get-password-data', (e) => e.eventName === 'AssumeRole');
    const doc = ctDoc(event);
    expect(doc).toMatchObject({
      class_uid: 3002,
      activity_id: 1,
      user: { uid: event.requestParameters.roleArn },
    });
    expect(doc.resources).toBeUndefined();
    expect(doc.unmapped?.resources).toEqual(event.resources);
  });

  it.each([
    ['CreateUser', 1, 'Create'],
    ['AttachUserPolicy', 7, 'Attach Policy'],
    ['CreateAccessKey', 1, 'Create'],
  ])('IAM %s is Account Change (3001) %s, about the user changed', (eventName, activityId, activityName) => {
    const event = ctRecord('iam-create-admin-user', (e) => e.eventName === eventName);
    const doc = ctDoc(event);
    expect(doc).toMatchObject({
      class_uid: 3001,
      class_name: 'Account Change',
      activity_id: activityId,
      activity_name: activityName,
      user: { name: event.requestParameters.userName },
    });
  });

  it('CreateUser of another service than IAM stays API Activity', () => {
    const doc = ctDoc({
      ...ctRecord('iam-create-admin-user', (e) => e.eventName === 'CreateUser'),
      eventSource: 'mq.amazonaws.com',
    });
    expect(doc.class_uid).toBe(6003);
  });

  it('normalizes every Panther CloudTrail fixture into one document, never dropping one', () => {
    for (const { event } of pantherCloudTrailLogs()) {
      const doc = ctDoc(event);
      expectCommon(doc);
      if (typeof event.eventVersion !== 'string' || typeof event.eventSource !== 'string') {
        expect(doc.class_uid).toBe(0);
      } else if (parseErrorOf(doc) === undefined) {
        expect([6003, 3002, 3001]).toContain(doc.class_uid);
      } else {
        // Hand-trimmed fixtures without the caller or the source CloudTrail always records.
        expect(parseErrorOf(doc)).toMatch(/^CloudTrail record without (userIdentity|sourceIPAddress)/);
        expect(doc.metadata.product.name).toBe('CloudTrail');
      }
    }
  });

  it('an AWS service or an anonymised non-address as the source is never put in src_endpoint.ip', () => {
    const service = ctRecord(
      '',
      (e) => e.sourceIPAddress === 'cloudformation.amazonaws.com' && e.userIdentity,
    );
    expect(ctDoc(service).src_endpoint).toMatchObject({ svc_name: 'cloudformation.amazonaws.com' });
    const anonymised = ctRecord('ssm-send-command', (e) => e.sourceIPAddress === '253.252.51.07');
    expect(ctDoc(anonymised).src_endpoint).toEqual({ name: '253.252.51.07' });
  });
});

/** Flow-log lines of the VPC User Guide's examples, by section and a piece of the line. */
function flowLine(section: string, contains: string): { doc: OcsfDocument & Json; record: string } {
  for (const sample of flowLogSamples()) {
    if (!sample.source.includes(section)) continue;
    const record = sample.records.find((r) => r.includes(contains));
    if (!record) continue;
    const formats = new FlowLogFormatRegistry().register(
      'g',
      parseFormatString(sample.source, sample.format),
    );
    return { doc: one(record, 'g', formats) as OcsfDocument & Json, record };
  }
  throw new Error(`no flow-log example in ${section} with ${contains}`);
}

describe('VPC flow logs → Network Activity (4001)', () => {
  const samples = flowLogSamples();

  it(`normalizes every documented sample (${samples.length} formats), every field kept or mapped`, () => {
    for (const sample of samples) {
      const format = parseFormatString(sample.source, sample.format);
      const formats = new FlowLogFormatRegistry().register('custom-group', format);
      for (const record of sample.records) {
        const doc = one(record, 'custom-group', formats);
        expectCommon(doc);
        expect(parseErrorOf(doc)).toBeUndefined();
        expect(doc.metadata.product).toMatchObject({ name: 'Amazon VPC', feature: { name: 'Flowlogs' } });
        expect([4001, 0]).toContain(doc.class_uid);
        expect(doc.raw_data).toBe(record);
        // Nothing is repeated in unmapped that OCSF holds already.
        const kept = (doc.unmapped?.flow ?? {}) as Record<string, string>;
        if (doc.class_uid === 4001)
          for (const f of ['srcaddr', 'dstaddr', 'action', 'start']) expect(kept[f]).toBeUndefined();
      }
    }
  });

  it('a flow log someone else created with fields added after version 8 (encryption-status) registers and keeps them', () => {
    // VPC User Guide, "Enforce VPC encryption in transit": "You can configure your VPC flow logs to
    // emit the enriched field - encryption-status" (0 cleartext, 1 Nitro, 2 application, 3 both).
    const format = parseFormatString(
      'theirs',
      '${version} ${account-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${start} ${end} ${action} ${log-status} ${encryption-status}',
    );
    const line = '10 123456789012 10.0.1.5 10.0.2.9 443 51515 6 1418530010 1418530070 ACCEPT OK 1';
    const doc = one(line, 'their-flow-logs', new FlowLogFormatRegistry().register('their-flow-logs', format));
    expect(parseErrorOf(doc)).toBeUndefined();
    expect(doc.class_uid).toBe(4001);
    expect(doc.raw_data).toBe(line);
    expect(doc.unmapped?.flow).toMatchObject({ 'encryption-status': '1' });
  });

  it('ACCEPT is Traffic (6) and Allowed; REJECT is Refuse (5) and Denied/Blocked; profiles say so', () => {
    const accepted = flowLine('Accepted and rejected', 'ACCEPT').doc;
    expect(accepted).toMatchObject({ activity_id: 6, activity_name: 'Traffic', type_uid: 400106 });
    expect(accepted).toMatchObject({
      action: 'Allowed',
      action_id: 1,
      disposition: 'Allowed',
      disposition_id: 1,
    });
    const rejected = flowLine('Accepted and rejected', 'REJECT').doc;
    expect(rejected).toMatchObject({ activity_id: 5, activity_name: 'Refuse', type_uid: 400105 });
    expect(rejected).toMatchObject({
      action: 'Denied',
      action_id: 2,
      disposition: 'Blocked',
      disposition_id: 2,
    });
    expect(rejected.metadata.profiles).toEqual(['cloud', 'datetime', 'security_control']);
    expect(rejected).toMatchObject({
      time: 1418530010000,
      end_time: 1418530070000,
      status_code: 'OK',
      src_endpoint: { ip: '172.31.9.69', port: 49761 },
      dst_endpoint: { ip: '172.31.9.12', port: 3389 },
      connection_info: { protocol_num: 6, protocol_name: 'tcp', direction_id: 0, direction: 'Unknown' },
      traffic: { packets: 20, bytes: 4249 },
      cloud: { account: { uid: '123456789010' } },
    });
    // No direction in a v2 line: which end the interface is, is not known.
    expect(rejected.src_endpoint.interface_uid).toBeUndefined();
    expect(rejected.unmapped).toEqual({ flow: { 'interface-id': 'eni-1235b8ca123456789' } });
  });

  it('ingress: the interface, instance, subnet and VPC are the destination; egress: the source', () => {
    const ingress = flowLine('flow direction', 'ingress').doc;
    const owned = {
      interface_uid: 'eni-1235b8ca123456789',
      instance_uid: 'i-0c50d5961bcb2d47b',
      subnet_uid: 'subnet-aaaaaaaa012345678',
      vpc_uid: 'vpc-abcdefab012345678',
    };
    expect(ingress.dst_endpoint).toMatchObject({ ip: '10.0.0.71', ...owned });
    expect(ingress.src_endpoint).toEqual({ ip: '52.95.128.179', port: 80, svc_name: 'S3' });
    expect(ingress.connection_info).toMatchObject({ direction: 'Inbound', direction_id: 1 });
    const egress = flowLine('flow direction', 'egress').doc;
    expect(egress.src_endpoint).toMatchObject({ ip: '10.0.0.71', ...owned });
    expect(egress.dst_endpoint).toEqual({ ip: '52.95.128.179', port: 80, svc_name: 'S3' });
    expect(egress.connection_info).toMatchObject({ direction: 'Outbound', direction_id: 2 });
  });

  it('traffic-path is connection_info.boundary_id (8, internet gateway → 11)', () => {
    const egress = flowLine('flow direction', 'egress').doc;
    expect(egress.connection_info).toMatchObject({ boundary_id: 11, boundary: 'Internet Gateway' });
    expect(egress.unmapped).toEqual(
      { flow: {} as Record<string, string> }.flow ? egress.unmapped : undefined,
    );
  });

  it('pkt-srcaddr/pkt-dstaddr that differ are the endpoint IPs, the interface addresses intermediate_ips', () => {
    const { doc } = flowLine('NAT gateway', '10.0.0.220 10.0.1.5 203.0.113.5 10.0.1.5');
    expect(doc.src_endpoint).toEqual({ ip: '203.0.113.5', intermediate_ips: ['10.0.0.220'] });
    expect(doc.dst_endpoint).toEqual({ ip: '10.0.1.5' });
  });

  it('NODATA and SKIPDATA records, which have no flow, are Base Events with their log-status', () => {
    for (const status of ['NODATA', 'SKIPDATA']) {
      const { doc } = flowLine('No data and skipped', status);
      expect(doc).toMatchObject({
        class_uid: 0,
        status_code: status,
        time: 1431280876000,
        end_time: 1431280934000,
      });
      expect(doc.dst_endpoint).toBeUndefined();
      expect((doc.unmapped?.flow as Record<string, string>)['interface-id']).toMatch(/^eni-/);
    }
  });

  it('reads 14-field lines of a configured flow-log group in the default v2 format', () => {
    const doc = one(
      '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK',
      'vpc-flow-logs',
    );
    expect(doc).toMatchObject({ class_uid: 4001, activity_id: 5, metadata: { product: { version: '2' } } });
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
      connection_info: { direction: 'Outbound', direction_id: 2, protocol_name: 'udp', boundary_id: 11 },
      dst_endpoint: { svc_name: 'S3' },
      unmapped: { flow: { 'ecs-cluster-name': 'prod' } },
    });
    expect(logFormatString(logwardenFormat)).toContain('${reject-reason}');
  });

  it('a line of the wrong width in a flow-log group is kept as a parse-error document', () => {
    const doc = one('2 too short', flowLogGroupFor(logwardenFormat));
    expect(parseErrorOf(doc)).toMatch(/has 3 fields/);
    expect(doc.raw_data).toBe('2 too short');
    expect(doc.metadata.product.name).toBe('Amazon VPC');
  });
});

describe('GuardDuty → Detection Finding (2004)', () => {
  const events = guardDutyEvents();
  const gdDoc = (event: Json) =>
    one(JSON.stringify(event), '/logwarden/guardduty-findings') as OcsfDocument & Json;
  const finding = (type: string) => {
    const found = events.find(({ event }) => (event.detail as Json).resource?.resourceType === type);
    if (!found) throw new Error(`no ${type} finding in the corpus`);
    return found.event as Json;
  };

  it(`normalizes all ${events.length} real findings`, () => {
    for (const { event } of events) {
      const detail = event.detail as Json;
      const doc = gdDoc(event);
      expectCommon(doc);
      expect(doc.class_uid).toBe(2004);
      expect(doc.metadata.uid).toMatch(new RegExp(`^${detail.id}:${detail.updatedAt}:[0-9a-f]{16}$`));
      expect(doc.finding_info.uid).toBe(detail.arn);
      expect(doc.severity_id).toBe(guardDutySeverityId(detail.severity));
      expect(doc.risk_score).toBeUndefined();
      expect(doc.unmapped?.severity).toBe(detail.severity);
      expect(doc.count).toBe(detail.service.count);
    }
    expect(events.some(({ event }) => gdDoc(event).severity === 'Critical')).toBe(true);
  });

  it('Create when updatedAt equals createdAt, Update when it is later', () => {
    const event = finding('Instance');
    expect(gdDoc(event)).toMatchObject({ activity_id: 1, activity_name: 'Create', type_uid: 200401 });
    const detail = event.detail as Json;
    const later = {
      ...event,
      detail: { ...detail, updatedAt: new Date(Date.parse(detail.createdAt) + 60_000).toISOString() },
    };
    expect(gdDoc(later)).toMatchObject({ activity_id: 2, activity_name: 'Update', type_uid: 200402 });
  });

  it('status is New, or Suppressed once archived', () => {
    const event = finding('Instance');
    const detail = event.detail as Json;
    expect(gdDoc(event)).toMatchObject({ status_id: 1, status: 'New' });
    const archived = { ...event, detail: { ...detail, service: { ...detail.service, archived: true } } };
    expect(gdDoc(archived)).toMatchObject({ status_id: 3, status: 'Suppressed' });
  });

  it('resources[] take the identifier of their resourceType: an AccessKey finding names the key', () => {
    const key = finding('AccessKey');
    const keyDetails = (key.detail as Json).resource.accessKeyDetails;
    expect(gdDoc(key).resources).toEqual([
      expect.objectContaining({ type: 'AccessKey', uid: keyDetails.accessKeyId, name: keyDetails.userName }),
    ]);
    const instance = finding('Instance');
    expect(gdDoc(instance).resources).toEqual([
      expect.objectContaining({
        type: 'Instance',
        uid: (instance.detail as Json).resource.instanceDetails.instanceId,
      }),
    ]);
    const bucket = finding('S3Bucket');
    expect(gdDoc(bucket).resources).toEqual(
      (bucket.detail as Json).resource.s3BucketDetails.map((b: Json) =>
        expect.objectContaining({ type: 'S3Bucket', uid: b.arn, name: b.name }),
      ),
    );
  });

  it('evidences[] carry the API call and its remote IP', () => {
    const event = events.find(({ event }) => (event.detail as Json).service?.action?.awsApiCallAction)!.event;
    const call = (event.detail as Json).service.action.awsApiCallAction;
    expect(gdDoc(event).evidences[0]).toMatchObject({
      api: { operation: call.api, service: { name: call.serviceName } },
      src_endpoint: { ip: call.remoteIpDetails.ipAddressV4 },
    });
  });

  it('evidences[] carry a network connection by its direction', () => {
    const event = events.find(
      ({ event }) => (event.detail as Json).service?.action?.networkConnectionAction,
    )!.event;
    const connection = (event.detail as Json).service.action.networkConnectionAction;
    const evidence = gdDoc(event).evidences[0];
    expect(evidence.connection_info.direction).toBe(
      connection.connectionDirection === 'INBOUND' ? 'Inbound' : 'Outbound',
    );
    const remote =
      connection.connectionDirection === 'INBOUND' ? evidence.src_endpoint : evidence.dst_endpoint;
    expect(remote.ip).toBe(connection.remoteIpDetails.ipAddressV4);
  });

  it('evidences[] carry a DNS query', () => {
    const event = finding('Instance');
    const detail = event.detail as Json;
    const dns = {
      ...event,
      detail: {
        ...detail,
        service: {
          ...detail.service,
          action: {
            actionType: 'DNS_REQUEST',
            dnsRequestAction: { domain: 'example.com.', protocol: 'UDP' },
          },
        },
      },
    };
    expect(gdDoc(dns).evidences).toEqual([{ query: { hostname: 'example.com' } }]);
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

  it('property: a text line is only split as a possible default-format flow record when its first field is "2"', () => {
    const field = fc.constantFrom('2', '20', '2x', 'x2', '', '-', 'ACCEPT', 'OK');
    const space = fc.constantFrom(' ', '  ', '\t', '\n', '\u00a0', '\u2028', '');
    fc.assert(
      fc.property(fc.array(fc.tuple(space, field), { maxLength: 16 }), fc.string(), (parts, tail) => {
        const line = parts.map(([s, f]) => s + f).join('') + tail;
        expect(firstFieldIsTwo(line.trimStart())).toBe(splitFlowLogLine(line)[0] === '2');
      }),
      { numRuns: 2000 },
    );
  });

  it('truncated CloudTrail JSON (real OTel fixture) becomes parse_error documents, none dropped', () => {
    const { payload } = cwlPayloadSamples().find((s) => s.source.includes('valid_cloudwatch_log.json'))!;
    const docs = normalizePayload(payload, registry, testTrust);
    expect(docs).toHaveLength(payload.logEvents.length);
    for (const [i, doc] of docs.entries()) {
      expect(parseErrorOf(doc)).toMatch(/invalid JSON/);
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

  it('of an event without its own id (flow line, text, parse error) is the CloudWatch Logs event id; documentId namespaces it by owner and log group', () => {
    const lines = [
      '2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 49152 6 1 40 1418530010 1418530070 ACCEPT OK',
      'plain text',
      '{"broken',
    ];
    const payload = cwlPayload(lines, { logGroup: 'vpc-flow-logs' });
    const docs = normalizePayload(payload, registry, testTrust);
    expect(docs.map((d) => d.metadata.uid)).toEqual(payload.logEvents.map((e) => e.id));
    const ids = [payload, { ...payload, owner: '210987654321' }, { ...payload, logGroup: 'other' }].map((p) =>
      documentId(p, docs[0]),
    );
    expect(new Set(ids).size).toBe(3);
    expect(documentId(JSON.parse(JSON.stringify(payload)), docs[0])).toBe(ids[0]);
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

describe('GuardDuty document ids: one per finding version and content (issue 21 §28)', () => {
  const [first] = guardDutyEvents();
  const docOf = (event: object) =>
    normalizePayload(
      cwlPayload([JSON.stringify(event)], { logGroup: '/logwarden/guardduty-findings' }),
      new FlowLogFormatRegistry(),
      testTrust,
    )[0];
  it('a re-delivery of the same finding version (a new EventBridge envelope, keys in another order) is the same document', () => {
    const detail = first.event.detail as Record<string, unknown>;
    const reordered = Object.fromEntries(Object.entries(detail).reverse());
    const again = { ...first.event, id: 'another-envelope', time: '2030-01-01T00:00:00Z', detail: reordered };
    expect(docOf(again).metadata.uid).toBe(docOf(first.event).metadata.uid);
  });
  it('another content under the same id and updatedAt is another document, not one kept out of search', () => {
    const detail = first.event.detail as Record<string, unknown>;
    const edited = { ...first.event, detail: { ...detail, severity: 1 } };
    expect(docOf(edited).metadata.uid).not.toBe(docOf(first.event).metadata.uid);
  });
});
