/**
 * The counting proxy's classification (local/counting-proxy.ts): reads and writes by the
 * operation's verb, STS credentials as `auth`, and an unknown verb refused rather than guessed.
 */
import { kindOf } from '../../local/counting-proxy';

describe('counting proxy: read, write or auth', () => {
  it.each([
    ['ec2', 'DescribeVpcs', 'read'],
    ['guardduty', 'GetMembers', 'read'],
    ['guardduty', 'ListDetectors', 'read'],
    ['ec2', 'CreateFlowLogs', 'write'],
    ['logs', 'PutAccountPolicy', 'write'],
    ['cloudtrail', 'StartLogging', 'write'],
    ['dynamodb', 'PutItem', 'write'],
    ['sts', 'AssumeRole', 'auth'],
    ['sts', 'GetCallerIdentity', 'auth'],
  ])('%s:%s is a %s', (service, operation, kind) => {
    expect(kindOf(service, operation)).toBe(kind);
  });

  it('an operation whose verb it does not know is an error, never a guess', () => {
    expect(() => kindOf('kinesis', 'MergeShards')).toThrow(/neither a known read, write nor auth call/);
  });
});
