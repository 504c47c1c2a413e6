/**
 * VPC flow-log line → OCSF 1.1.0 Network Activity (4001), after AWS's reference mapping
 * (ocsf/examples, mappings/markdown/AWS/v1.1.0/VPC Flowlogs). Field meanings: Amazon VPC User
 * Guide, "Flow log records" (available fields, `traffic-path` values, `pkt-*addr`).
 */
import { flowLogFieldsByVersion, type FlowLogFormat } from '../flow-log-formats';
import {
  EventOrigin,
  isOcsfIp,
  newDocument,
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
