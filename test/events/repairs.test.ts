import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { matchesPattern } from '../../events/match';
import { busPattern, repairsUndoneBy, triggers } from '../../events/patterns';
import { flowLogGroupFor, logwardenFormat } from '../../functions/shared/flow-log-formats';

/**
 * Issue 21 §5: every repair a control makes has a trigger. The write calls are read from the
 * controls' own sources (every SDK command that is not a Get, List or Describe), so a new repair
 * without an entry in events/patterns.ts `repairsUndoneBy` fails here; each call that undoes a
 * repair must start a heal on the control bus, as a member account's CloudTrail event.
 */
const management = '111111111111';
const member = '444444444444';
const functionsDir = path.join(__dirname, '..', '..', 'functions');
const controls = readdirSync(functionsDir).filter((d) => d.startsWith('ensure-'));

function writeCommands(control: string): string[] {
  const dir = path.join(functionsDir, control);
  const source = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
  const commands = [...source.matchAll(/new (\w+)Command\(/g)].map((m) => m[1]);
  return [...new Set(commands)].filter((c) => !/^(Get|List|Describe)/.test(c)).sort();
}

describe('every repair a control makes has a trigger (issue 21 §5)', () => {
  it('the four controls are read', () => {
    expect(controls.sort()).toEqual([
      'ensure-flow-logs',
      'ensure-guardduty',
      'ensure-subscription',
      'ensure-trail',
    ]);
  });

  it('the flow-log control’s group is undone by deleting the group it creates', () => {
    expect(repairsUndoneBy['ensure-flow-logs'].CreateLogGroup).toEqual([
      expect.objectContaining({ requestParameters: { logGroupName: flowLogGroupFor(logwardenFormat) } }),
    ]);
  });

  it.each(controls)('%s: each write it makes is listed with the calls that undo it', (control) => {
    const writes = writeCommands(control);
    expect(writes.length).toBeGreaterThan(0);
    expect(Object.keys(repairsUndoneBy[control] ?? {}).sort()).toEqual(writes);
  });

  const undoing = Object.entries(repairsUndoneBy).flatMap(([control, writes]) =>
    Object.entries(writes).flatMap(([write, calls]) =>
      calls.map((call) => [`${control} ${write} undone by ${call.eventName}`, call] as const),
    ),
  );
  it.each(undoing)('%s starts a heal', (_, call) => {
    const event = {
      source: `aws.${call.eventSource.split('.')[0]}`,
      account: member,
      'detail-type': 'AWS API Call via CloudTrail',
      detail: {
        eventSource: call.eventSource,
        eventName: call.eventName,
        awsRegion: 'eu-west-1',
        ...(call.requestParameters ? { requestParameters: call.requestParameters } : {}),
      },
    };
    const started = triggers.filter((t) => matchesPattern(event, busPattern(t, management)));
    expect(started.map((t) => t.id)).not.toEqual([]);
  });

  it('StopMonitoringMembers and UpdateOrganizationConfiguration start a heal (they started nothing before)', () => {
    // GuardDuty API Reference, StopMonitoringMembers: "Stops GuardDuty monitoring for the
    // specified member accounts. Use the StartMonitoringMembers operation to restart monitoring
    // for those accounts." — the repair ensure-guardduty makes for a suspended member.
    for (const eventName of ['StopMonitoringMembers', 'UpdateOrganizationConfiguration']) {
      const event = {
        source: 'aws.guardduty',
        account: member,
        'detail-type': 'AWS API Call via CloudTrail',
        detail: { eventSource: 'guardduty.amazonaws.com', eventName },
      };
      expect(triggers.some((t) => matchesPattern(event, busPattern(t, management)))).toBe(true);
    }
  });
});
