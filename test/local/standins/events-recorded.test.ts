/**
 * Which calls the stand-in records and sends to EventBridge (local/standins/events.py
 * `recorded`), asked of the module itself.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

function recorded(calls: [string, string][]): boolean[] {
  const out = execFileSync(
    path.join(root, '.venv', 'bin', 'python'),
    [
      '-c',
      'import json, sys; from standins.events import recorded; ' +
        'print(json.dumps([recorded(s, o) for s, o in json.loads(sys.argv[1])]))',
      JSON.stringify(calls),
    ],
    { encoding: 'utf8', cwd: path.join(root, 'local') },
  );
  return JSON.parse(out) as boolean[];
}

describe('calls recorded and sent to EventBridge', () => {
  it('STS GetFederationToken and GetSessionToken are change events, though they begin with Get', () => {
    // EventBridge User Guide, "Receiving read-only management events from AWS services": "You
    // may already be receiving read-only management events, if those events don't start with
    // Describe, Get, or List. For example, events from the following AWS STS APIs are change
    // events, even though they begin with the verb Get: GetFederationToken, GetSessionToken"
    // (the list as the page's translations give it; the English excerpt found ends at "For
    // example, events from the fo").
    expect(
      recorded([
        ['sts', 'GetFederationToken'],
        ['sts', 'GetSessionToken'],
      ]),
    ).toEqual([true, true]);
  });

  it('the read-only calls it leaves out stay out: Get, List, Describe, and STS AssumeRole', () => {
    // The same page's example of a rule that must opt in to read-only management events
    // (ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS) matches STS AssumeRole.
    expect(
      recorded([
        ['sts', 'AssumeRole'],
        ['sts', 'GetCallerIdentity'],
        ['ec2', 'DescribeVpcs'],
        ['logs', 'ListTagsForResource'],
        ['cloudtrail', 'GetTrailStatus'],
        ['ec2', 'CreateFlowLogs'],
      ]),
    ).toEqual([false, false, false, false, false, true]);
  });
});
