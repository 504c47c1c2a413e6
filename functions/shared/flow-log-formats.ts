/**
 * The flow-log format registry: the one place that knows which fields a flow-log line has.
 * CloudWatch Logs delivers flow-log lines without a header, so the fields come from the log
 * group: logwarden names its groups after the format it creates them with.
 */
import { names } from '../../contracts/names';

/** Field names by the flow-log version that introduced them (AWS VPC User Guide, "Available fields"). */
export const flowLogFieldsByVersion = {
  2: [
    'version',
    'account-id',
    'interface-id',
    'srcaddr',
    'dstaddr',
    'srcport',
    'dstport',
    'protocol',
    'packets',
    'bytes',
    'start',
    'end',
    'action',
    'log-status',
  ],
  3: ['vpc-id', 'subnet-id', 'instance-id', 'tcp-flags', 'type', 'pkt-srcaddr', 'pkt-dstaddr'],
  4: ['region', 'az-id', 'sublocation-type', 'sublocation-id'],
  5: ['pkt-src-aws-service', 'pkt-dst-aws-service', 'flow-direction', 'traffic-path'],
  6: [
    'resource-type',
    'tgw-id',
    'tgw-attachment-id',
    'tgw-src-vpc-account-id',
    'tgw-dst-vpc-account-id',
    'tgw-src-vpc-id',
    'tgw-dst-vpc-id',
    'tgw-src-subnet-id',
    'tgw-dst-subnet-id',
    'tgw-src-eni',
    'tgw-dst-eni',
    'tgw-src-az-id',
    'tgw-dst-az-id',
    'tgw-pair-attachment-id',
    'packets-lost-no-route',
    'packets-lost-blackhole',
    'packets-lost-mtu-exceeded',
    'packets-lost-ttl-expired',
  ],
  7: [
    'ecs-cluster-arn',
    'ecs-cluster-name',
    'ecs-container-instance-arn',
    'ecs-container-instance-id',
    'ecs-container-id',
    'ecs-second-container-id',
    'ecs-service-name',
    'ecs-task-definition-arn',
    'ecs-task-arn',
    'ecs-task-id',
  ],
  8: ['reject-reason'],
} as const;

/**
 * VPC fields AWS added after version 8 that logwarden does not map, known so that a flow log
 * someone else created with them can be registered (config `flowLogFormats`, trusted sources)
 * and read losslessly (they stay in `unmapped.flow`). `encryption-status`: "You can configure
 * your VPC flow logs to emit the enriched field - encryption-status" (VPC User Guide, "Enforce
 * VPC encryption in transit"). `resource-id`: listed beside it in the version-10 formats that
 * third parties document; the guide's table could not be read offline, so the version each was
 * introduced in is not written here.
 */
export const flowLogFieldsAfterV8 = ['encryption-status', 'resource-id'] as const;

export type FlowLogField =
  | (typeof flowLogFieldsByVersion)[keyof typeof flowLogFieldsByVersion][number]
  | (typeof flowLogFieldsAfterV8)[number];

export const knownFlowLogFields: ReadonlySet<string> = new Set([
  ...Object.values(flowLogFieldsByVersion).flat(),
  ...flowLogFieldsAfterV8,
]);

export interface FlowLogFormat {
  readonly id: string;
  readonly fields: readonly string[];
}

/** The AWS default format (version 2, 14 fields). */
export const defaultV2Format: FlowLogFormat = { id: 'aws-default-v2', fields: flowLogFieldsByVersion[2] };

/**
 * logwarden's own format for VPC flow logs: every VPC field from v2 to v8. Transit-gateway
 * fields (v6) are not valid on VPC flow logs and so are not part of it.
 */
export const logwardenFormat: FlowLogFormat = {
  id: 'lw-vpc-v8',
  fields: [
    ...flowLogFieldsByVersion[2],
    ...flowLogFieldsByVersion[3],
    ...flowLogFieldsByVersion[4],
    ...flowLogFieldsByVersion[5],
    ...flowLogFieldsByVersion[7],
    ...flowLogFieldsByVersion[8],
  ],
};

export const flowLogGroupPrefix = names.flowLogGroupPrefix;

/** The log group a flow log of this format delivers to; its name names the format. */
export function flowLogGroupFor(format: FlowLogFormat): string {
  return `${flowLogGroupPrefix}${format.id}`;
}

/** The `LogFormat` string that CreateFlowLogs takes for a format. */
export function logFormatString(format: FlowLogFormat): string {
  return format.fields.map((f) => '${' + f + '}').join(' ');
}

/** Parses a `${a} ${b}` or `a b` format string into a format, rejecting unknown fields. */
export function parseFormatString(id: string, text: string): FlowLogFormat {
  const fields = text
    .trim()
    .split(/\s+/)
    .map((f) => f.replace(/^\$\{(.+)\}$/, '$1'));
  const unknown = fields.filter((f) => !knownFlowLogFields.has(f));
  if (unknown.length) throw new Error(`flow-log format ${id}: unknown field(s) ${unknown.join(', ')}`);
  return { id, fields };
}

export class FlowLogFormatRegistry {
  private readonly byGroup = new Map<string, FlowLogFormat>();

  constructor(formats: readonly FlowLogFormat[] = [logwardenFormat]) {
    for (const f of formats) this.byGroup.set(flowLogGroupFor(f), f);
  }

  /** Registers a flow log someone else created, whose group does not name its format. */
  register(logGroup: string, format: FlowLogFormat): this {
    this.byGroup.set(logGroup, format);
    return this;
  }

  /** The format of a log group, if the group is known to carry flow logs. */
  formatOf(logGroup: string): FlowLogFormat | undefined {
    return this.byGroup.get(logGroup);
  }
}

const v2LogStatus = new Set(['OK', 'NODATA', 'SKIPDATA']);

/** A line in an unknown group is read as a default v2 flow log only when it looks exactly like one. */
export function looksLikeDefaultV2(fields: readonly string[]): boolean {
  return fields.length === 14 && fields[0] === '2' && v2LogStatus.has(fields[13]);
}
