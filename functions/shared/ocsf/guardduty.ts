/**
 * GuardDuty finding (EventBridge "GuardDuty Finding" event) → OCSF 1.1.0 Detection Finding
 * (2004), after AWS's reference mapping of GuardDuty findings (ocsf/examples,
 * mappings/markdown/AWS/v1.1.0/Security Hub/Detection Finding), read on GuardDuty's own finding
 * format (GuardDuty User Guide, "Finding details"; API reference, `Finding`, `Resource`, `Action`).
 */
import { hash } from 'node:crypto';
import {
  epochMs,
  EventOrigin,
  newDocument,
  nonEmpty,
  OcsfDocument,
  productOf,
  severityNames,
  str,
  isOcsfIp,
} from './document';

const DETECTION_FINDING = {
  class_uid: 2004,
  class_name: 'Detection Finding',
  category_uid: 2,
  category_name: 'Findings',
};

export const GUARDDUTY_PRODUCT = 'GuardDuty';

export function isGuardDutyEvent(json: Record<string, unknown>): boolean {
  return json.source === 'aws.guardduty' && typeof json.detail === 'object' && json.detail !== null;
}

/**
 * GuardDuty severity (0.1–10.0) → OCSF severity_id. Bands from the GuardDuty user guide:
 * Low 1.0–3.9, Medium 4.0–6.9, High 7.0–8.9, Critical 9.0–10.0.
 */
export function guardDutySeverityId(severity: unknown): number {
  if (typeof severity !== 'number' || !Number.isFinite(severity)) return 0;
  if (severity >= 9) return 5;
  if (severity >= 7) return 4;
  if (severity >= 4) return 3;
  if (severity >= 1) return 2;
  return 1;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v.map(obj).filter(Boolean) as Json[]) : []);
const ipOf = (v: unknown): string | undefined => {
  const s = str(v);
  return s !== undefined && isOcsfIp(s) ? s : undefined;
};
const int = (v: unknown): number | undefined => (Number.isInteger(v) ? (v as number) : undefined);
/** A TCP/UDP port (OCSF port_t: 0–65535), or undefined. */
const portOf = (v: unknown): number | undefined => {
  const n = int(v);
  return n !== undefined && n >= 0 && n <= 65535 ? n : undefined;
};

interface Resource {
  type: string;
  uid?: string;
  name?: string;
  region?: string;
  cloud_partition?: string;
  owner?: { account: { uid: string } };
}

/**
 * `resources[]` by `resourceType`: each type's own identifier, so an AccessKey finding names the
 * key (and never an instance that the finding also describes).
 */
function resourcesOf(finding: Json): Resource[] | undefined {
  const resource = obj(finding.resource);
  const type = str(resource?.resourceType);
  if (!resource || !type) return undefined;
  const region = str(finding.region);
  const partition = str(finding.partition);
  const account = str(finding.accountId);
  const make = (uid: string | undefined, name?: string): Resource | undefined =>
    uid || name
      ? {
          type,
          uid,
          name,
          region,
          cloud_partition: partition,
          owner: account ? { account: { uid: account } } : undefined,
        }
      : undefined;
  let out: (Resource | undefined)[];
  switch (type) {
    case 'Instance':
      out = [make(str(obj(resource.instanceDetails)?.instanceId))];
      break;
    case 'AccessKey': {
      const key = obj(resource.accessKeyDetails);
      out = [make(str(key?.accessKeyId), str(key?.userName))];
      break;
    }
    case 'S3Bucket':
      out = arr(resource.s3BucketDetails).map((b) => make(str(b.arn), str(b.name)));
      break;
    case 'EKSCluster': {
      const c = obj(resource.eksClusterDetails);
      out = [make(str(c?.arn), str(c?.name))];
      break;
    }
    case 'ECSCluster': {
      const c = obj(resource.ecsClusterDetails);
      out = [make(str(c?.arn), str(c?.name))];
      break;
    }
    case 'Container': {
      const c = obj(resource.containerDetails);
      out = [make(str(c?.id), str(c?.name))];
      break;
    }
    case 'RDSDBInstance': {
      const db = obj(resource.rdsDbInstanceDetails);
      out = [make(str(db?.dbInstanceArn), str(db?.dbInstanceIdentifier))];
      break;
    }
    case 'Lambda': {
      const fn = obj(resource.lambdaDetails);
      out = [make(str(fn?.functionArn), str(fn?.functionName))];
      break;
    }
    default:
      out = [];
  }
  const resources = out.filter((r): r is Resource => r !== undefined);
  return resources.length ? resources : undefined;
}

function remoteEndpoint(remote: Json | undefined, port?: number): Json | undefined {
  const country = str(obj(remote?.country)?.countryName);
  const city = str(obj(remote?.city)?.cityName);
  return nonEmpty({
    ip: ipOf(remote?.ipAddressV4) ?? ipOf(remote?.ipAddressV6),
    port,
    location: nonEmpty({ country, city }),
  });
}

/** A network endpoint must name itself (ip, uid, …): one that only has a port or a place is left out. */
const named = (e: Json | undefined): Json | undefined => e && (e.ip !== undefined ? e : undefined);

const connectionDirections = new Map<string | undefined, [number, string]>([
  ['INBOUND', [1, 'Inbound']],
  ['OUTBOUND', [2, 'Outbound']],
]);
const protocolNumbers = new Map<string | undefined, number>([
  ['TCP', 6],
  ['UDP', 17],
  ['ICMP', 1],
]);
/** OCSF 1.1.0's hostname_t pattern (dictionary types): a name that fails it is left in raw_data. */
const hostnamePattern =
  /^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])$/;

/** `evidences[]`: the API call, the remote IP, the DNS query, the connection or the process. */
function evidencesOf(service: Json): Json[] | undefined {
  const action = obj(service.action);
  const out: (Json | undefined)[] = [];
  const apiCall = obj(action?.awsApiCallAction);
  if (apiCall) {
    const operation = str(apiCall.api);
    const error = str(apiCall.errorCode);
    const serviceName = str(apiCall.serviceName);
    out.push(
      nonEmpty({
        api: operation
          ? {
              operation,
              service: serviceName ? { name: serviceName } : undefined,
              response: error ? { error } : undefined,
            }
          : undefined,
        src_endpoint: named(remoteEndpoint(obj(apiCall.remoteIpDetails))),
      }),
    );
  }
  const k8s = obj(action?.kubernetesApiCallAction);
  if (k8s) {
    const verb = str(k8s.verb);
    out.push(
      nonEmpty({
        api: verb ? { operation: verb } : undefined,
        src_endpoint: named(remoteEndpoint(obj(k8s.remoteIpDetails))),
      }),
    );
  }
  const dns = obj(action?.dnsRequestAction);
  const domain = str(dns?.domainWithSuffix) ?? str(dns?.domain);
  const hostname = domain?.replace(/\.$/, '');
  if (hostname && hostnamePattern.test(hostname)) out.push({ query: { hostname } });
  const connection = obj(action?.networkConnectionAction);
  if (connection) {
    const direction = connectionDirections.get(str(connection.connectionDirection)) ?? [0, 'Unknown'];
    const protocol = str(connection.protocol);
    const remote = named(
      remoteEndpoint(obj(connection.remoteIpDetails), portOf(obj(connection.remotePortDetails)?.port)),
    );
    const local = named(
      nonEmpty({
        ip:
          ipOf(obj(connection.localIpDetails)?.ipAddressV4) ??
          ipOf(obj(connection.localIpDetails)?.ipAddressV6),
        port: portOf(obj(connection.localPortDetails)?.port),
      }),
    );
    const inbound = direction[0] === 1;
    out.push({
      connection_info: {
        direction_id: direction[0],
        direction: direction[1],
        protocol_num: protocolNumbers.get(protocol),
        protocol_name: protocol?.toLowerCase(),
      },
      src_endpoint: inbound ? remote : local,
      dst_endpoint: inbound ? local : remote,
    });
  }
  const probe = obj(action?.portProbeAction);
  for (const detail of arr(probe?.portProbeDetails)) {
    out.push(
      nonEmpty({
        src_endpoint: named(remoteEndpoint(obj(detail.remoteIpDetails))),
        dst_endpoint: nonEmpty({
          port: portOf(obj(detail.localPortDetails)?.port),
          ip: ipOf(obj(detail.localIpDetails)?.ipAddressV4),
        }),
      }),
    );
  }
  const runtime = obj(service.runtimeDetails);
  const process = processOf(obj(runtime?.process));
  const target = processOf(obj(obj(runtime?.context)?.targetProcess));
  if (process || target) out.push({ actor: process ? { process } : undefined, process: target });
  const evidences = out.filter((e): e is Json => e !== undefined && hasEvidence(e));
  return evidences.length ? evidences : undefined;
}

/** The evidences object needs one of its attributes, and a dst_endpoint with only a port is no endpoint. */
function hasEvidence(e: Json): boolean {
  const dst = obj(e.dst_endpoint);
  if (dst && dst.ip === undefined) delete e.dst_endpoint;
  return Object.values(e).some((v) => v !== undefined);
}

function processOf(p: Json | undefined): Json | undefined {
  if (!p) return undefined;
  const pid = int(p.pid);
  const uid = str(p.uuid);
  if (pid === undefined && uid === undefined) return undefined;
  return { pid, uid, name: str(p.name), created_time: epochMs(p.startTime) };
}

/**
 * GuardDuty `service.archived` → status: an archived finding is Suppressed (3), by hand or by a
 * suppression rule (GuardDuty User Guide, "Suppression rules"); otherwise New (1).
 */
function statusOf(service: Json): [number, string] {
  return service.archived === true ? [3, 'Suppressed'] : [1, 'New'];
}

/** A string JSON writes as itself between quotes: no quote, backslash, control or surrogate unit. */
// eslint-disable-next-line no-control-regex -- U+0000–U+001F are the controls JSON must escape.
const PLAIN_STRING = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** `JSON.stringify` of a string, without calling it for the strings that need no escape. */
const quoted = (s: string): string => (PLAIN_STRING.test(s) ? `"${s}"` : JSON.stringify(s));

/**
 * JSON with object keys in order: the same finding gives the same text however it was written.
 * Written by loops into one string (no array of parts per object): this runs for every finding
 * and was about a third of a finding's time. Strings with nothing to escape are quoted directly
 * and keys already in order are not sorted again, which made it about 1.4× faster on the corpus
 * findings with the same text (property-tested against the plain recursive definition,
 * test/functions/shared/guardduty-content-key.test.ts).
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quoted(value);
    case 'object':
      break;
    default:
      return JSON.stringify(value) ?? 'null';
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const keys = Object.keys(value);
  for (let i = 1; i < keys.length; i++)
    if (keys[i - 1] > keys[i]) {
      keys.sort();
      break;
    }
  let out = '{';
  for (let i = 0; i < keys.length; i++)
    out += `${i ? ',' : ''}${quoted(keys[i])}:${canonicalJson((value as Json)[keys[i]])}`;
  return `${out}}`;
}

/**
 * A short hash of the finding's content. A finding version is its id and `updatedAt`, which
 * GuardDuty moves on every change, so a re-delivery of one version (EventBridge delivers at
 * least once, with a new envelope id) is one document; a different content under the same id
 * and `updatedAt` is a different document rather than a 409 that keeps it out of search (issue
 * 21 §28: six corpus findings with one id and time and different severities were one document).
 */
export const contentKey = (finding: Json) => hash('sha256', canonicalJson(finding), 'hex').slice(0, 16);

/** EventBridge "GuardDuty Finding" event → OCSF Detection Finding (2004). */
export function toDetectionFinding(origin: EventOrigin, event: Record<string, unknown>): OcsfDocument {
  const finding = event.detail as Json;
  const service = obj(finding.service) ?? {};
  const createdAt = str(finding.createdAt);
  const updatedAt = str(finding.updatedAt);
  const created = epochMs(createdAt);
  const updated = epochMs(updatedAt);
  // Create when the finding is as new as it was made; an update of an existing finding otherwise.
  const isUpdate = created !== undefined && updated !== undefined && updated > created;
  const id = str(finding.id);
  const feature = str(service.featureName);
  const doc = newDocument(
    origin,
    DETECTION_FINDING,
    isUpdate ? 2 : 1,
    isUpdate ? 'Update' : 'Create',
    productOf(GUARDDUTY_PRODUCT, undefined, feature),
    id ? `${id}:${updatedAt ?? ''}:${contentKey(finding)}` : undefined,
    updated ?? epochMs(event.time),
  );
  const severityId = guardDutySeverityId(finding.severity);
  doc.severity_id = severityId;
  doc.severity = severityNames[severityId];
  const [statusId, status] = statusOf(service);
  doc.status_id = statusId;
  doc.status = status;
  doc.cloud.region = str(finding.region) ?? str(event.region) ?? doc.cloud.region;
  doc.cloud.account.uid = str(finding.accountId) ?? str(event.account) ?? doc.cloud.account.uid;
  doc.metadata.log_version = str(finding.schemaVersion);
  const title = str(finding.title) ?? str(finding.type) ?? 'GuardDuty finding';
  doc.finding_info = {
    uid: str(finding.arn) ?? id ?? doc.metadata.uid,
    title,
    desc: str(finding.description),
    types: str(finding.type) ? [finding.type as string] : undefined,
    created_time: created,
    modified_time: updated,
    first_seen_time: epochMs(service.eventFirstSeen),
    last_seen_time: epochMs(service.eventLastSeen),
  };
  const count = int(service.count);
  if (count !== undefined) doc.count = count;
  doc.resources = resourcesOf(finding);
  doc.evidences = evidencesOf(service);
  // OCSF's risk_score is an integer and GuardDuty's severity a decimal (5.5): the number stays
  // here, with the finding id and detector, and the whole finding stays in raw_data.
  doc.unmapped = nonEmpty({
    severity: typeof finding.severity === 'number' ? finding.severity : undefined,
    id,
    detectorId: str(service.detectorId),
    resourceRole: str(service.resourceRole),
    actionType: str(obj(service.action)?.actionType),
    // A finding CreateSampleFindings made ("service.additionalInfo.sample": true) is no threat.
    sample: obj(service.additionalInfo)?.sample === true ? true : undefined,
  });
  return doc;
}
