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

/** The interface and what it belongs to, on the endpoint that owns it. */
function owner(e: Endpoint, f: FieldReader): void {
  const iface = present(f('interface-id'));
  if (iface) e.interface_uid = iface;
  const vpc = present(f('vpc-id'));
  if (vpc) e.vpc_uid = vpc;
  const subnet = present(f('subnet-id'));
  if (subnet) e.subnet_uid = subnet;
  const instance = present(f('instance-id'));
  if (instance) e.instance_uid = instance;
}

/** A field of the line by its AWS name: its text, or undefined when the format has no such field. */
type FieldReader = (field: string) => string | undefined;

interface CompiledFormat {
  /** Position of each field in the line. */
  positions: Map<string, number>;
  /** Positions of the fields OCSF has no place for. */
  unmapped: number[];
}
const compiledFormats = new WeakMap<FlowLogFormat, CompiledFormat>();

/** A format's field positions, worked out once per format rather than once per line. */
function compiled(format: FlowLogFormat): CompiledFormat {
  let c = compiledFormats.get(format);
  if (!c) {
    c = { positions: new Map(), unmapped: [] };
    format.fields.forEach((field, i) => {
      c!.positions.set(field, i);
      if (!mappedFields.has(field)) c!.unmapped.push(i);
    });
    compiledFormats.set(format, c);
  }
  return c;
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
  f: FieldReader,
): OcsfDocument {
  const start = num(f('start'));
  const end = num(f('end'));
  const startMs = start === undefined ? undefined : start * 1000;
  const product = productOf(FLOW_LOG_PRODUCT, present(f('version')), FLOW_LOG_FEATURE);
  const doc = newDocument(origin, cls, activityId, activityName, product, undefined, startMs);
  if (startMs !== undefined) doc.start_time = startMs;
  if (end !== undefined) doc.end_time = end * 1000;
  doc.cloud.region = present(f('region')) ?? doc.cloud.region;
  doc.cloud.account.uid = present(f('account-id')) ?? doc.cloud.account.uid;
  const zone = present(f('az-id'));
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
  f: FieldReader,
  format: FlowLogFormat,
  values: string[],
): OcsfDocument {
  const doc = newFlowDocument(origin, BASE, 0, 'Unknown', f);
  const logStatus = present(f('log-status'));
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
  const { positions, unmapped } = compiled(format);
  const f: FieldReader = (field) => {
    const i = positions.get(field);
    return i === undefined ? undefined : values[i];
  };
  let flow: Record<string, string> | undefined;
  for (const i of unmapped) if (values[i] !== '-') (flow ??= {})[format.fields[i]] = values[i];
  const src: Endpoint = {};
  const dst: Endpoint = {};
  address(src, present(f('srcaddr')), present(f('pkt-srcaddr')));
  address(dst, present(f('dstaddr')), present(f('pkt-dstaddr')));
  const srcService = present(f('pkt-src-aws-service'));
  if (srcService) src.svc_name = srcService;
  const dstService = present(f('pkt-dst-aws-service'));
  if (dstService) dst.svc_name = dstService;
  const direction = directions.get(f('flow-direction') ?? '');
  if (direction?.[0] === 1) owner(dst, f);
  else if (direction?.[0] === 2) owner(src, f);
  if (!named(src) || !named(dst)) return toFlowLogStatus(origin, f, format, values);
  const srcPort = port(f('srcport'));
  if (srcPort !== undefined) src.port = srcPort;
  const dstPort = port(f('dstport'));
  if (dstPort !== undefined) dst.port = dstPort;

  const action = present(f('action'));
  const [activityId, activityName] =
    action === 'ACCEPT' ? [6, 'Traffic'] : action === 'REJECT' ? [5, 'Refuse'] : [0, 'Unknown'];
  const doc = newFlowDocument(origin, NETWORK_ACTIVITY, activityId, activityName, f);
  doc.metadata.profiles = flowProfiles;
  const protocol = num(f('protocol'));
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
  const logStatus = present(f('log-status'));
  if (logStatus) doc.status_code = logStatus;
  const rejectReason = present(f('reject-reason'));
  if (rejectReason) doc.status_detail = rejectReason;

  if (!direction) {
    for (const field of ['interface-id', 'vpc-id', 'subnet-id', 'instance-id']) {
      const v = present(f(field));
      if (v) (flow ??= {})[field] = v;
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
  const ipVersion = present(f('type'));
  if (ipVersion) connection.protocol_ver = ipVersion;
  const tcpFlags = num(f('tcp-flags'));
  if (tcpFlags !== undefined) connection.tcp_flags = tcpFlags;
  const boundary = boundaries.get(f('traffic-path') ?? '');
  if (boundary) {
    connection.boundary_id = boundary[0];
    connection.boundary = boundary[1];
  }
  doc.connection_info = connection;
  const packets = num(f('packets'));
  const bytes = num(f('bytes'));
  if (packets !== undefined || bytes !== undefined) doc.traffic = { packets, bytes };
  if (flow) doc.unmapped = { flow };
  return doc;
}
