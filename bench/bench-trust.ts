import { names } from '../contracts/names';
import { TrustTable } from '../contracts/trusted-sources';

/** The owner of the benchmark's payloads but for logwarden's own flow-log group (bench/sources.ts). */
export const BENCH_OWNER = '123456789012';
/** A group trusted below as its owner's default-format (v2) flow-log group. */
export const DEFAULT_V2_FLOW_GROUP = 'vpc-flow-logs';

/**
 * The corpus' CloudTrail, findings and default-format flow-log groups trusted as an
 * organization's would be, so the benchmarks measure the full mapping, not the untrusted-source
 * path. (logwarden's own flow-log groups are trusted without being listed.)
 */
export const benchTrust = () =>
  new TrustTable([
    { kind: 'cloudtrail', logGroup: 'aws-cloudtrail-logs', owner: BENCH_OWNER },
    { kind: 'guardduty', logGroup: names.guardDutyFindingsLogGroup, owner: BENCH_OWNER },
    { kind: 'vpcflow', logGroup: DEFAULT_V2_FLOW_GROUP, owner: BENCH_OWNER },
  ]);
