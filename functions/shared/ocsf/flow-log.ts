/**
 * VPC flow-log line → OCSF 1.1.0 Network Activity (4001), after AWS's reference mapping
 * (ocsf/examples, mappings/markdown/AWS/v1.1.0/VPC Flowlogs). Field meanings: Amazon VPC User
 * Guide, "Flow log records" (available fields, `traffic-path` values, `pkt-*addr`).
 */
import { flowLogFieldsByVersion, type FlowLogFormat } from '../flow-log-formats';
import {
  EventOrigin,
  isOcsfIp,
  isoTime,
  logEventUid,
  newDocument,
  OCSF_VERSION,
  OcsfClass,
  OcsfDocument,
  OcsfProfile,
  productOf,
} from './document';

const NETWORK_ACTIVITY = {
  class_uid: 4001,
  class_name: 'Network Activity',
  category_uid: 4,
  category_name: 'Network Activity',
};

export const FLOW_LOG_PRODUCT = 'Amazon VPC';
const FLOW_LOG_FEATURE = 'Flowlogs';
/** Network Activity uses `action`/`disposition`: the security_control profile brings them. */
const flowProfiles: OcsfProfile[] = ['cloud', 'datetime', 'security_control'];

// Maps, not object literals: a field value such as "__proto__" must find nothing.
const protocolNames = new Map([
  [1, 'icmp'],
  [6, 'tcp'],
  [17, 'udp'],
  [58, 'ipv6-icmp'],
]);
const directions = new Map<string, [number, string]>([
  ['ingress', [1, 'Inbound']],
  ['egress', [2, 'Outbound']],
]);

/**
 * `traffic-path` (egress only) → connection_info.boundary_id: the VPC guide's values 1–8 are,
 * in order, OCSF 1.1.0's boundaries 4–11 (Same VPC, Internet/VPC Gateway, Virtual Private
 * Gateway, Intra-region VPC, Inter-region VPC, Local Gateway, Gateway VPC, Internet Gateway).
 */
const boundaries = new Map<string, [number, string]>([
  ['1', [4, 'Same VPC']],
  ['2', [5, 'Internet/VPC Gateway']],
  ['3', [6, 'Virtual Private Gateway']],
  ['4', [7, 'Intra-region VPC']],
  ['5', [8, 'Inter-region VPC']],
  ['6', [9, 'Local Gateway']],
  ['7', [10, 'Gateway VPC']],
  ['8', [11, 'Internet Gateway']],
]);

/** Fields that have an OCSF place; the others (v4 sublocation, v7 ECS, …) stay in `unmapped.flow`. */
const mappedFields: ReadonlySet<string> = new Set([
  ...flowLogFieldsByVersion[2],
  ...flowLogFieldsByVersion[3],
  'region',
  'az-id',
  ...flowLogFieldsByVersion[5],
  ...flowLogFieldsByVersion[8],
]);

const present = (v: string | undefined): string | undefined => (v === undefined || v === '-' ? undefined : v);
const num = (v: string | undefined): number | undefined => {
  const p = present(v);
  if (p === undefined) return undefined;
  const n = Number(p);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
};
const port = (v: string | undefined): number | undefined => {
  const n = num(v);
  return n !== undefined && n <= 65535 ? n : undefined;
};

/** Splits a flow-log line; runs of spaces count as one separator. */
export function splitFlowLogLine(line: string): string[] {
  const trimmed = line.trim();
  // Single spaces (what AWS writes) split without a regular expression.
  return /[^\S ]| {2}/.test(trimmed) ? trimmed.split(/\s+/) : trimmed.split(' ');
}

/**
 * Whether a line, with its leading whitespace trimmed, has "2" as its first field, as every
 * default-format (v2) record does: an application's text lines are ruled out without a split.
 */
export function firstFieldIsTwo(trimmedStart: string): boolean {
  return trimmedStart.charCodeAt(0) === 0x32 && (trimmedStart.length === 1 || /\s/.test(trimmedStart[1]));
}

interface Endpoint {
  ip?: string;
  port?: number;
  intermediate_ips?: string[];
  svc_name?: string;
  interface_uid?: string;
  vpc_uid?: string;
  subnet_uid?: string;
  instance_uid?: string;
}

/**
 * The endpoint's address: the packet's own (`pkt-*addr`) when it differs from the interface's
 * (NAT, load balancers, transit), with the interface's address in `intermediate_ips`. A value
 * that is not an address (anonymised samples) gets no `ip`; the line keeps it in `raw_data`.
 */
function address(e: Endpoint, interfaceAddr: string | undefined, packetAddr: string | undefined): void {
  const viaInterface = interfaceAddr !== undefined && isOcsfIp(interfaceAddr) ? interfaceAddr : undefined;
  const packet = packetAddr !== undefined && isOcsfIp(packetAddr) ? packetAddr : undefined;
  if (packet && viaInterface && packet !== viaInterface) {
    e.ip = packet;
    e.intermediate_ips = [viaInterface];
  } else {
    const ip = packet ?? viaInterface;
    if (ip) e.ip = ip;
  }
}

/**
 * Where each field that OCSF maps sits in a format's lines, -1 when the format has none: worked
 * out once per format, so a line's fields are read by position (a lookup by name per field was
 * a sixth of a line's normalization).
 */
interface CompiledFormat {
  version: number;
  accountId: number;
  interfaceId: number;
  srcaddr: number;
  dstaddr: number;
  srcport: number;
  dstport: number;
  protocol: number;
  packets: number;
  bytes: number;
  start: number;
  end: number;
  action: number;
  logStatus: number;
  vpcId: number;
  subnetId: number;
  instanceId: number;
  tcpFlags: number;
  type: number;
  pktSrcaddr: number;
  pktDstaddr: number;
  region: number;
  azId: number;
  pktSrcAwsService: number;
  pktDstAwsService: number;
  flowDirection: number;
  trafficPath: number;
  rejectReason: number;
  /** Positions of the fields OCSF has no place for. */
  unmapped: number[];
  /** No field named twice (a configured format may): only then is a line written as text directly. */
  distinct: boolean;
}
const compiledFormats = new WeakMap<FlowLogFormat, CompiledFormat>();

function compiled(format: FlowLogFormat): CompiledFormat {
  let c = compiledFormats.get(format);
  if (!c) {
    const at = (field: string) => format.fields.indexOf(field);
    c = {
      version: at('version'),
      accountId: at('account-id'),
      interfaceId: at('interface-id'),
      srcaddr: at('srcaddr'),
      dstaddr: at('dstaddr'),
      srcport: at('srcport'),
      dstport: at('dstport'),
      protocol: at('protocol'),
      packets: at('packets'),
      bytes: at('bytes'),
      start: at('start'),
      end: at('end'),
      action: at('action'),
      logStatus: at('log-status'),
      vpcId: at('vpc-id'),
      subnetId: at('subnet-id'),
      instanceId: at('instance-id'),
      tcpFlags: at('tcp-flags'),
      type: at('type'),
      pktSrcaddr: at('pkt-srcaddr'),
      pktDstaddr: at('pkt-dstaddr'),
      region: at('region'),
      azId: at('az-id'),
      pktSrcAwsService: at('pkt-src-aws-service'),
      pktDstAwsService: at('pkt-dst-aws-service'),
      flowDirection: at('flow-direction'),
      trafficPath: at('traffic-path'),
      rejectReason: at('reject-reason'),
      unmapped: format.fields.flatMap((field, i) => (mappedFields.has(field) ? [] : [i])),
      distinct: new Set(format.fields).size === format.fields.length,
    };
    compiledFormats.set(format, c);
  }
  return c;
}

/** The field at a position, or undefined when the format has none there or the line has `-`. */
const field = (values: string[], i: number): string | undefined => {
  if (i < 0) return undefined;
  const v = values[i];
  return v === '-' ? undefined : v;
};

/** The interface and what it belongs to, on the endpoint that owns it. */
function owner(e: Endpoint, values: string[], c: CompiledFormat): void {
  const iface = field(values, c.interfaceId);
  if (iface) e.interface_uid = iface;
  const vpc = field(values, c.vpcId);
  if (vpc) e.vpc_uid = vpc;
  const subnet = field(values, c.subnetId);
  if (subnet) e.subnet_uid = subnet;
  const instance = field(values, c.instanceId);
  if (instance) e.instance_uid = instance;
}

/** OCSF's network_endpoint constraint: an endpoint names itself by address, service or interface. */
const named = (e: Endpoint): boolean =>
  e.ip !== undefined ||
  e.svc_name !== undefined ||
  e.interface_uid !== undefined ||
  e.instance_uid !== undefined;

/**
 * A flow-log document of either class with what every flow-log document carries: its product
 * (with the format's version), time (the flow's start), start and end, and cloud.
 */
function newFlowDocument(
  origin: EventOrigin,
  cls: OcsfClass,
  activityId: number,
  activityName: string,
  values: string[],
  c: CompiledFormat,
): OcsfDocument {
  const start = num(field(values, c.start));
  const end = num(field(values, c.end));
  const startMs = start === undefined ? undefined : start * 1000;
  const product = productOf(FLOW_LOG_PRODUCT, field(values, c.version), FLOW_LOG_FEATURE);
  const doc = newDocument(origin, cls, activityId, activityName, product, undefined, startMs);
  if (startMs !== undefined) doc.start_time = startMs;
  if (end !== undefined) doc.end_time = end * 1000;
  doc.cloud.region = field(values, c.region) ?? doc.cloud.region;
  doc.cloud.account.uid = field(values, c.accountId) ?? doc.cloud.account.uid;
  const zone = field(values, c.azId);
  if (zone) doc.cloud.zone = zone;
  return doc;
}

const BASE = { class_uid: 0, class_name: 'Base Event', category_uid: 0, category_name: 'Uncategorized' };

/**
 * A record without a flow (`log-status` NODATA: no traffic in the window; SKIPDATA: records
 * skipped) has no addresses, so it cannot be Network Activity, whose two endpoints are
 * required; nor can a line one of whose ends is named by nothing valid. It is a Base Event with
 * its `log-status` in `status_code` and its fields by their AWS names in `unmapped.flow`.
 */
function toFlowLogStatus(
  origin: EventOrigin,
  format: FlowLogFormat,
  values: string[],
  c: CompiledFormat,
): OcsfDocument {
  const doc = newFlowDocument(origin, BASE, 0, 'Unknown', values, c);
  const logStatus = field(values, c.logStatus);
  if (logStatus) doc.status_code = logStatus;
  const flow: Record<string, string> = {};
  for (let i = 0; i < values.length; i++) if (values[i] !== '-') flow[format.fields[i]] = values[i];
  doc.unmapped = { flow };
  return doc;
}

/**
 * Flow-log line → OCSF Network Activity (4001): ACCEPT is Traffic (6), REJECT is Refuse (5),
 * no action Unknown (0). The interface, instance, subnet and VPC
 * belong to the destination for ingress and to the source for egress; with no direction known
 * (formats before v5) they stay in `unmapped.flow`, since which end they are is not known. Fields
 * OCSF has no place for are in `unmapped.flow` by their AWS names; the line is in `raw_data`.
 */
export function toNetworkActivity(
  origin: EventOrigin,
  format: FlowLogFormat,
  values: string[],
): OcsfDocument {
  if (values.length !== format.fields.length) {
    throw new Error(
      `flow-log line has ${values.length} fields, format ${format.id} has ${format.fields.length}`,
    );
  }
  const c = compiled(format);
  let flow: Record<string, string> | undefined;
  for (const i of c.unmapped) if (values[i] !== '-') (flow ??= {})[format.fields[i]] = values[i];
  const src: Endpoint = {};
  const dst: Endpoint = {};
  address(src, field(values, c.srcaddr), field(values, c.pktSrcaddr));
  address(dst, field(values, c.dstaddr), field(values, c.pktDstaddr));
  const srcService = field(values, c.pktSrcAwsService);
  if (srcService) src.svc_name = srcService;
  const dstService = field(values, c.pktDstAwsService);
  if (dstService) dst.svc_name = dstService;
  const direction = directions.get(field(values, c.flowDirection) ?? '');
  if (direction?.[0] === 1) owner(dst, values, c);
  else if (direction?.[0] === 2) owner(src, values, c);
  if (!named(src) || !named(dst)) return toFlowLogStatus(origin, format, values, c);
  const srcPort = port(field(values, c.srcport));
  if (srcPort !== undefined) src.port = srcPort;
  const dstPort = port(field(values, c.dstport));
  if (dstPort !== undefined) dst.port = dstPort;

  const action = field(values, c.action);
  const [activityId, activityName] =
    action === 'ACCEPT' ? [6, 'Traffic'] : action === 'REJECT' ? [5, 'Refuse'] : [0, 'Unknown'];
  const doc = newFlowDocument(origin, NETWORK_ACTIVITY, activityId, activityName, values, c);
  doc.metadata.profiles = flowProfiles;
  const protocol = num(field(values, c.protocol));
  if (action === 'ACCEPT') {
    doc.action = 'Allowed';
    doc.action_id = 1;
    doc.disposition = 'Allowed';
    doc.disposition_id = 1;
  } else if (action === 'REJECT') {
    doc.action = 'Denied';
    doc.action_id = 2;
    doc.disposition = 'Blocked';
    doc.disposition_id = 2;
  } else {
    doc.action = 'Unknown';
    doc.action_id = 0;
  }
  const logStatus = field(values, c.logStatus);
  if (logStatus) doc.status_code = logStatus;
  const rejectReason = field(values, c.rejectReason);
  if (rejectReason) doc.status_detail = rejectReason;

  if (!direction) {
    for (const [name, i] of [
      ['interface-id', c.interfaceId],
      ['vpc-id', c.vpcId],
      ['subnet-id', c.subnetId],
      ['instance-id', c.instanceId],
    ] as const) {
      const v = field(values, i);
      if (v) (flow ??= {})[name] = v;
    }
  }
  doc.src_endpoint = src;
  doc.dst_endpoint = dst;

  const connection: Record<string, unknown> = {
    direction: direction ? direction[1] : 'Unknown',
    direction_id: direction ? direction[0] : 0,
  };
  if (protocol !== undefined) {
    connection.protocol_num = protocol;
    const name = protocolNames.get(protocol);
    if (name) connection.protocol_name = name;
  }
  const ipVersion = field(values, c.type);
  if (ipVersion) connection.protocol_ver = ipVersion;
  const tcpFlags = num(field(values, c.tcpFlags));
  if (tcpFlags !== undefined) connection.tcp_flags = tcpFlags;
  const boundary = boundaries.get(field(values, c.trafficPath) ?? '');
  if (boundary) {
    connection.boundary_id = boundary[0];
    connection.boundary = boundary[1];
  }
  doc.connection_info = connection;
  const packets = num(field(values, c.packets));
  const bytes = num(field(values, c.bytes));
  if (packets !== undefined || bytes !== undefined) doc.traffic = { packets, bytes };
  if (flow) doc.unmapped = { flow };
  return doc;
}

/**
 * The JSON text fragments a flow record's document begins with, one per action (activity): the
 * class, activity, type and severity as `newDocument` writes them, up to the `time` value.
 */
const headByActivity = new Map<number, string>(
  (
    [
      [6, 'Traffic'],
      [5, 'Refuse'],
      [0, 'Unknown'],
    ] as const
  ).map(([id, name]) => [
    id,
    `{"class_uid":4001,"class_name":"Network Activity","category_uid":4,"category_name":"Network Activity","activity_id":${id},"activity_name":"${name}","type_uid":${400100 + id},"type_name":"Network Activity: ${name}","severity_id":1,"severity":"Informational","time":`,
  ]),
);
const actionText = new Map<string, string>([
  ['ACCEPT', ',"action":"Allowed","action_id":1,"disposition":"Allowed","disposition_id":1'],
  ['REJECT', ',"action":"Denied","action_id":2,"disposition":"Blocked","disposition_id":2'],
]);
const UNKNOWN_ACTION = ',"action":"Unknown","action_id":0';
/** `metadata.product` as JSON, by the line's version field ('' for none); bounded like `productOf`. */
const productJson = new Map<string, string>();
function productText(version: string | undefined): string {
  let text = productJson.get(version ?? '');
  if (text === undefined) {
    text = JSON.stringify(productOf(FLOW_LOG_PRODUCT, version, FLOW_LOG_FEATURE));
    if (productJson.size < 1000) productJson.set(version ?? '', text);
  }
  return text;
}
const q = JSON.stringify;

/** An endpoint's JSON, its members in the order `toNetworkActivity` sets them. */
function endpointText(
  interfaceAddr: string | undefined,
  packetAddr: string | undefined,
  service: string | undefined,
  owns: boolean,
  values: string[],
  c: CompiledFormat,
  portValue: number | undefined,
): string | undefined {
  let out = '';
  const viaInterface = interfaceAddr !== undefined && isOcsfIp(interfaceAddr) ? interfaceAddr : undefined;
  const packet = packetAddr !== undefined && isOcsfIp(packetAddr) ? packetAddr : undefined;
  let isNamed = false;
  if (packet && viaInterface && packet !== viaInterface) {
    out += `,"ip":${q(packet)},"intermediate_ips":[${q(viaInterface)}]`;
    isNamed = true;
  } else {
    const ip = packet ?? viaInterface;
    if (ip) {
      out += `,"ip":${q(ip)}`;
      isNamed = true;
    }
  }
  if (service) {
    out += `,"svc_name":${q(service)}`;
    isNamed = true;
  }
  if (owns) {
    const iface = field(values, c.interfaceId);
    if (iface) {
      out += `,"interface_uid":${q(iface)}`;
      isNamed = true;
    }
    const vpc = field(values, c.vpcId);
    if (vpc) out += `,"vpc_uid":${q(vpc)}`;
    const subnet = field(values, c.subnetId);
    if (subnet) out += `,"subnet_uid":${q(subnet)}`;
    const instance = field(values, c.instanceId);
    if (instance) {
      out += `,"instance_uid":${q(instance)}`;
      isNamed = true;
    }
  }
  if (!isNamed) return undefined;
  if (portValue !== undefined) out += `,"port":${portValue}`;
  return `{${out.slice(1)}}`;
}

/**
 * The Network Activity document of a flow record as JSON text, written straight from the line's
 * positional fields: the same text as `JSON.stringify(toNetworkActivity(origin, format, values))`
 * (property-tested over arbitrary lines of every format), without building the object first (the
 * object and its serialization were most of a flow line's cost). Undefined when the record is not
 * Network Activity (`toFlowLogStatus`: no flow, or an end named by nothing valid), which the
 * caller then builds as an object. `into.time` receives the document's `time`.
 */
export function writeNetworkActivity(
  origin: EventOrigin,
  format: FlowLogFormat,
  values: string[],
  into: { time: number },
): string | undefined {
  if (values.length !== format.fields.length) return undefined;
  const c = compiled(format);
  if (!c.distinct) return undefined;
  const direction = directions.get(field(values, c.flowDirection) ?? '');
  const src = endpointText(
    field(values, c.srcaddr),
    field(values, c.pktSrcaddr),
    field(values, c.pktSrcAwsService),
    direction?.[0] === 2,
    values,
    c,
    port(field(values, c.srcport)),
  );
  if (src === undefined) return undefined;
  const dst = endpointText(
    field(values, c.dstaddr),
    field(values, c.pktDstaddr),
    field(values, c.pktDstAwsService),
    direction?.[0] === 1,
    values,
    c,
    port(field(values, c.dstport)),
  );
  if (dst === undefined) return undefined;

  const action = field(values, c.action);
  const activityId = action === 'ACCEPT' ? 6 : action === 'REJECT' ? 5 : 0;
  const start = num(field(values, c.start));
  const end = num(field(values, c.end));
  const startMs = start === undefined ? undefined : start * 1000;
  const logged = origin.event.timestamp;
  const eventIso = isoTime(startMs);
  const time = eventIso === undefined ? logged : (startMs as number);
  into.time = time;
  const timeDt = eventIso ?? isoTime(logged) ?? new Date(0).toISOString();
  const region = field(values, c.region) ?? origin.region ?? 'unknown';
  const account = field(values, c.accountId) ?? origin.payload.owner;
  const zone = field(values, c.azId);

  let out = `${headByActivity.get(activityId)}${time},"time_dt":"${timeDt}","cloud":{"provider":"AWS","region":${q(region)},"account":{"uid":${q(account)}}`;
  if (zone) out += `,"zone":${q(zone)}`;
  out += `},"metadata":{"version":"${OCSF_VERSION}","profiles":["cloud","datetime","security_control"],"uid":${q(logEventUid(origin))},"log_name":${q(origin.payload.logGroup)},"log_provider":"CloudWatch Logs","product":${productText(field(values, c.version))},"logged_time":${logged}},"raw_data":${q(origin.event.message)}`;
  if (startMs !== undefined) out += `,"start_time":${startMs}`;
  if (end !== undefined) out += `,"end_time":${end * 1000}`;
  out += actionText.get(action ?? '') ?? UNKNOWN_ACTION;
  const logStatus = field(values, c.logStatus);
  if (logStatus) out += `,"status_code":${q(logStatus)}`;
  const rejectReason = field(values, c.rejectReason);
  if (rejectReason) out += `,"status_detail":${q(rejectReason)}`;
  out += `,"src_endpoint":${src},"dst_endpoint":${dst},"connection_info":{"direction":"${direction ? direction[1] : 'Unknown'}","direction_id":${direction ? direction[0] : 0}`;
  const protocol = num(field(values, c.protocol));
  if (protocol !== undefined) {
    out += `,"protocol_num":${protocol}`;
    const name = protocolNames.get(protocol);
    if (name) out += `,"protocol_name":"${name}"`;
  }
  const ipVersion = field(values, c.type);
  if (ipVersion) out += `,"protocol_ver":${q(ipVersion)}`;
  const tcpFlags = num(field(values, c.tcpFlags));
  if (tcpFlags !== undefined) out += `,"tcp_flags":${tcpFlags}`;
  const boundary = boundaries.get(field(values, c.trafficPath) ?? '');
  if (boundary) out += `,"boundary_id":${boundary[0]},"boundary":"${boundary[1]}"`;
  out += '}';
  const packets = num(field(values, c.packets));
  const bytes = num(field(values, c.bytes));
  if (packets !== undefined || bytes !== undefined) {
    const parts: string[] = [];
    if (packets !== undefined) parts.push(`"packets":${packets}`);
    if (bytes !== undefined) parts.push(`"bytes":${bytes}`);
    out += `,"traffic":{${parts.join(',')}}`;
  }
  let flow = '';
  for (const i of c.unmapped) if (values[i] !== '-') flow += `,${q(format.fields[i])}:${q(values[i])}`;
  if (!direction) {
    const iface = field(values, c.interfaceId);
    if (iface) flow += `,"interface-id":${q(iface)}`;
    const vpc = field(values, c.vpcId);
    if (vpc) flow += `,"vpc-id":${q(vpc)}`;
    const subnet = field(values, c.subnetId);
    if (subnet) flow += `,"subnet-id":${q(subnet)}`;
    const instance = field(values, c.instanceId);
    if (instance) flow += `,"instance-id":${q(instance)}`;
  }
  if (flow) out += `,"unmapped":{"flow":{${flow.slice(1)}}}`;
  return `${out}}`;
}
