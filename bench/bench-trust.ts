import { names } from '../contracts/names';
import { TrustTable } from '../contracts/trusted-sources';

/**
 * The corpus' CloudTrail and findings groups trusted as an organization's would be, so the
 * benchmarks measure the full mapping, not the untrusted-source path.
 */
export const benchTrust = () =>
  new TrustTable([
    { kind: 'cloudtrail', logGroup: 'aws-cloudtrail-logs', owner: '123456789012' },
    { kind: 'guardduty', logGroup: names.guardDutyFindingsLogGroup, owner: '123456789012' },
  ]);
