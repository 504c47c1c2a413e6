import { isIP } from 'node:net';
import type { FlowLogFormat } from '../flow-log-formats';
import { EventOrigin, newDocument, OcsfDocument } from './document';

const NETWORK_ACTIVITY = {
  class_uid: 4001,
  class_name: 'Network Activity',
  category_uid: 4,
  category_name: 'Network Activity',
};
const TRAFFIC = 6;

const protocolNames: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '58': 'ipv6-icmp' };
const directions: Record<string, [number, string]> = { ingress: [1, 'Inbound'], egress: [2, 'Outbound'] };

const present = (v: string | undefined): string | undefined => (v === undefined || v === '-' ? undefined : v);
/** Only real addresses go to the `ip`-typed fields; anything else stays in `unmapped.flow`. */
const ip = (v: string | undefined): string | undefined => (v !== undefined && isIP(v) ? v : undefined);
const num = (v: string | undefined): number | undefined => {
  const p = present(v);
  if (p === undefined) return undefined;
  const n = Number(p);
  return Number.isFinite(n) ? n : undefined;
};

/** Splits a flow-log line; runs of spaces count as one separator. */
export function splitFlowLogLine(line: string): string[] {
  return line.trim().split(/\s+/);
}

/**
 * Flow-log line → OCSF Network Activity (4001). The common fields are mapped to OCSF; every
 * field of the line, v2 to v8, is also kept by its AWS name under `unmapped.flow`.
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
  const f: Record<string, string> = {};
  const flow: Record<string, string> = {};
  for (let i = 0; i < values.length; i++) {
    f[format.fields[i]] = values[i];
    if (values[i] !== '-') flow[format.fields[i]] = values[i];
  }
  const doc = newDocument(origin, NETWORK_ACTIVITY, TRAFFIC, 'Traffic', 'VPC Flow Logs');
  const start = num(f.start);
  const end = num(f.end);
  const action = present(f.action);
  const direction = directions[f['flow-direction'] ?? ''];
  const protocol = present(f.protocol);

  if (start !== undefined) doc.time = start * 1000;
  doc.start_time = start !== undefined ? start * 1000 : undefined;
  doc.end_time = end !== undefined ? end * 1000 : undefined;
  doc.cloud.region = present(f.region) ?? doc.cloud.region;
  doc.cloud.account.uid = present(f['account-id']) ?? doc.cloud.account.uid;
  doc.cloud.zone = present(f['az-id']);
  doc.metadata.product.version = present(f.version);
  doc.action = action === 'ACCEPT' ? 'Allowed' : action === 'REJECT' ? 'Denied' : undefined;
  doc.action_id = action === 'ACCEPT' ? 1 : action === 'REJECT' ? 2 : 0;
  doc.disposition = action === 'ACCEPT' ? 'Allowed' : action === 'REJECT' ? 'Blocked' : undefined;
  doc.status = present(f['log-status']);
  doc.status_detail = present(f['reject-reason']);
  doc.src_endpoint = {
    ip: ip(f.srcaddr),
    port: num(f.srcport),
    interface_uid: present(f['interface-id']),
    vpc_uid: present(f['vpc-id']),
    subnet_uid: present(f['subnet-id']),
    instance_uid: present(f['instance-id']),
    svc_name: present(f['pkt-src-aws-service']),
    intermediate_ips: ip(f['pkt-srcaddr']) ? [f['pkt-srcaddr']] : undefined,
  };
  doc.dst_endpoint = {
    ip: ip(f.dstaddr),
    port: num(f.dstport),
    svc_name: present(f['pkt-dst-aws-service']),
    intermediate_ips: ip(f['pkt-dstaddr']) ? [f['pkt-dstaddr']] : undefined,
  };
  doc.connection_info = {
    protocol_num: num(protocol),
    protocol_name: protocol ? (protocolNames[protocol] ?? protocol) : undefined,
    protocol_ver: present(f.type),
    tcp_flags: num(f['tcp-flags']),
    direction: direction?.[1],
    direction_id: direction?.[0],
  };
  doc.traffic = { packets: num(f.packets), bytes: num(f.bytes) };
  doc.unmapped = { flow };
  return doc;
}
