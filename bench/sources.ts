/**
 * The sources `npm run bench -- --per-source` measures, each of real corpus lines in the log
 * group and owner it arrives from, and the weight of each in the scale model's mix.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../contracts/config';
import { names } from '../contracts/names';
import {
  defaultV2Format,
  flowLogGroupFor,
  logwardenFormat,
  type FlowLogFormat,
} from '../functions/shared/flow-log-formats';
import { corpusDir, corpusMessagesByGroup, flowLogSamples } from '../local/corpus';
import { recordBytes } from '../scale/cost';
import { BENCH_OWNER, DEFAULT_V2_FLOW_GROUP } from './bench-trust';

export interface BenchSource {
  name: string;
  logGroup: string;
  owner: string;
  messages: string[];
  /** CloudWatch Logs bytes per account and day in the scale model (logwarden.config.json volumes). */
  dailyBytes: number;
  /** For flow records: the format of their lines. */
  flowFormat?: FlowLogFormat;
  /** Application lines (plain text, JSON no mapping knows): Base Events (bench/application-bound.ts). */
  application?: boolean;
  /** GuardDuty findings (EventBridge events): Detection Findings (bench/guardduty-bound.ts). */
  guardDuty?: boolean;
}

/** The account of the corpus' flow records (AWS's documentation examples). */
const FLOW_SAMPLE_ACCOUNT = '123456789010';

/**
 * The corpus' flow records of every VPC format, laid out in logwarden's own format (lw-vpc-v8):
 * each field where that format has it, `-` (no value) where the record's format lacks it.
 */
function logwardenFormatRecords(): string[] {
  const out: string[] = [];
  for (const sample of flowLogSamples()) {
    const fields = sample.format
      .trim()
      .split(/\s+/)
      .map((f) => f.replace(/^\$\{(.+)\}$/, '$1'));
    if (!fields.every((f) => logwardenFormat.fields.includes(f))) continue;
    for (const record of sample.records) {
      const values = record.trim().split(/\s+/);
      if (values.length !== fields.length) continue;
      const account = values[fields.indexOf('account-id')] ?? '-';
      if (account !== FLOW_SAMPLE_ACCOUNT && account !== '-') continue;
      out.push(
        logwardenFormat.fields.map((f) => (fields.includes(f) ? values[fields.indexOf(f)] : '-')).join(' '),
      );
    }
  }
  return out;
}

/** Route 53 Resolver query logs (JSON lines of Panther's rule tests): JSON no mapping knows. */
function applicationJsonLines(): string[] {
  return readFileSync(path.join(corpusDir, 'panther-analysis-tests', 'vpcflow_rule_tests.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { log_types: string[]; log: Record<string, unknown> })
    .filter((t) => t.log_types.includes('AWS.VPCDns') && 'query_name' in t.log)
    .map((t) => JSON.stringify(t.log));
}

/**
 * Weights: the scale model's bytes per account and day (config volumes × scale/cost.ts
 * recordBytes). Flow records are all in logwarden's own format (what the flow-log control
 * creates); default-format flow logs of other teams have no volume in the model (weight 0, still
 * measured). The model does not split application bytes by shape: half JSON, half text.
 */
export function benchSources(): BenchSource[] {
  const config = loadConfig(path.resolve(__dirname, '..', 'logwarden.config.json'));
  const v = config.volumes;
  const byGroup = new Map(corpusMessagesByGroup().map((g) => [g.logGroup, g.messages]));
  const text = byGroup.get('/aws/lambda/orders') ?? [];
  return [
    {
      name: 'CloudTrail',
      logGroup: 'aws-cloudtrail-logs',
      owner: BENCH_OWNER,
      messages: byGroup.get('aws-cloudtrail-logs') ?? [],
      dailyBytes: v.cloudTrailEventsPerAccountPerDay * recordBytes.cloudTrailEvent,
    },
    {
      name: 'flow logs, default v2',
      logGroup: DEFAULT_V2_FLOW_GROUP,
      owner: BENCH_OWNER,
      messages: byGroup.get('vpc-flow-logs') ?? [],
      dailyBytes: 0,
      flowFormat: defaultV2Format,
    },
    {
      name: "flow logs, logwarden's format",
      logGroup: flowLogGroupFor(logwardenFormat),
      owner: FLOW_SAMPLE_ACCOUNT,
      messages: logwardenFormatRecords(),
      dailyBytes: v.flowLogRecordsPerAccountPerDay * recordBytes.flowLogRecord,
      flowFormat: logwardenFormat,
    },
    {
      name: 'GuardDuty',
      logGroup: names.guardDutyFindingsLogGroup,
      owner: BENCH_OWNER,
      messages: byGroup.get(names.guardDutyFindingsLogGroup) ?? [],
      dailyBytes: v.guardDutyFindingsPerAccountPerDay * recordBytes.guardDutyFinding,
      guardDuty: true,
    },
    {
      name: 'application JSON',
      logGroup: '/aws/route53resolver/query-logs',
      owner: BENCH_OWNER,
      messages: applicationJsonLines(),
      dailyBytes: v.appLogBytesPerAccountPerDay / 2,
      application: true,
    },
    {
      name: 'plain text',
      logGroup: '/aws/lambda/orders',
      owner: BENCH_OWNER,
      messages: text,
      dailyBytes: v.appLogBytesPerAccountPerDay / 2,
      application: true,
    },
  ];
}
