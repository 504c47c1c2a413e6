import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  busPattern,
  managementForwardedTriggersIn,
  memberForwardedTriggers,
  triggers,
} from '../../events/patterns';
import { buildExample, exampleConfig } from '../stacks/example-app';

const config = exampleConfig();
const built = buildExample(config);
const management = config.accounts.management;

describe('the rules built from events/: one source of truth', () => {
  it('control bus: one rule per trigger, with the account checks of busPattern', () => {
    const t = Template.fromStack(built.controlPlane);
    const rules = Object.values(t.findResources('AWS::Events::Rule')).filter((r) =>
      String(r.Properties.Name).startsWith('logwarden-'),
    );
    expect(rules.map((r) => r.Properties.Name).sort()).toEqual(
      triggers.map((tr) => `logwarden-${tr.id}`).sort(),
    );
    for (const trigger of triggers) {
      const rule = rules.find((r) => r.Properties.Name === `logwarden-${trigger.id}`)!;
      const want = busPattern(trigger, management);
      expect(rule.Properties.EventPattern).toEqual(
        JSON.parse(
          JSON.stringify({
            account: want.account,
            'detail-type': want['detail-type'],
            source: want.source,
            detail: want.detail,
          }),
        ),
      );
    }
    const pinned = rules.find((r) => r.Properties.Name === 'logwarden-account-created')!;
    expect(pinned.Properties.EventPattern.account).toEqual([management]);
  });

  it('management forwarder: Organizations and opt-in events, exactly the patterns of events/', () => {
    const t = Template.fromStack(built.managementForwarder);
    const rules = Object.values(t.findResources('AWS::Events::Rule'));
    expect(rules.map((r) => r.Properties.EventPattern)).toEqual(
      managementForwardedTriggersIn('us-east-1').map((tr) => tr.pattern),
    );
  });

  it('management forwarder in the home Region: changes to the organization trail (issue 21 §6)', () => {
    // A StopLogging of the organization trail from the management account is recorded there, in
    // the trail's home Region; before, nothing forwarded it and every member's CloudTrail-based
    // trigger went silent with it.
    expect(config.homeRegion).not.toBe('us-east-1');
    expect(built.managementHomeForwarder).toBeDefined();
    expect(built.managementHomeForwarder!.region).toBe(config.homeRegion);
    expect(built.managementHomeForwarder!.account).toBe(config.accounts.management);
    const t = Template.fromStack(built.managementHomeForwarder!);
    const rules = Object.values(t.findResources('AWS::Events::Rule'));
    expect(rules.map((r) => r.Properties.Name)).toEqual(['logwarden-forward-org-trail-changed']);
    expect(rules[0].Properties.EventPattern).toEqual(
      triggers.find((tr) => tr.id === 'org-trail-changed')!.pattern,
    );
    // The control bus pins the trigger to the management account.
    const bus = Template.fromStack(built.controlPlane);
    const onBus = Object.values(bus.findResources('AWS::Events::Rule')).find(
      (r) => r.Properties.Name === 'logwarden-org-trail-changed',
    )!;
    expect(onBus.Properties.EventPattern.account).toEqual([config.accounts.management]);
  });

  it('member baseline: governed-region rules, and the opt-in rule in us-east-1 even when it is not governed', () => {
    expect(config.governedRegions).not.toContain('us-east-1');
    const t = Template.fromStack(built.memberBaseline);
    const rules = t.findResources('AWS::Events::Rule');
    expect(Object.values(rules).map((r) => r.Properties.EventPattern)).toEqual(
      memberForwardedTriggers.map((tr) => tr.pattern),
    );
    for (const rule of Object.values(rules)) {
      const optIn = rule.Properties.Name === 'logwarden-forward-region-opted-in';
      expect(rule.Condition).toBe(optIn ? 'IsUsEast1' : 'IsGovernedRegion');
    }
    const conditions = t.toJSON().Conditions;
    expect(conditions.IsUsEast1).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] });
    expect(conditions.IsGovernedRegion).toEqual({
      'Fn::Or': config.governedRegions.map((r) => ({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, r] })),
    });
  });

  it('the dispatcher has reserved concurrency, and an alarm counts executions started per hour', () => {
    const t = Template.fromStack(built.controlPlane);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'logwarden-dispatch' }) },
      ReservedConcurrentExecutions: 10,
    });
    const alarm = Object.values(t.findResources('AWS::CloudWatch::Alarm')).find(
      (a) => a.Properties.AlarmName === 'logwarden-executions-started-per-hour',
    )!;
    expect(alarm.Properties.AlarmActions).toHaveLength(1);
    const metrics = alarm.Properties.Metrics as {
      Id: string;
      MetricStat?: { Metric: { MetricName: string } };
    }[];
    expect(metrics.filter((m) => m.MetricStat?.Metric.MetricName === 'ExecutionsStarted')).toHaveLength(4);
  });
});

describe('member baseline conditions at scale', () => {
  it('more than 10 governed regions: Fn::Or nests (it takes 2 to 10 conditions)', () => {
    const regions = [
      'eu-west-1',
      'eu-west-2',
      'eu-west-3',
      'eu-central-1',
      'eu-north-1',
      'eu-south-1',
      'us-west-1',
      'us-west-2',
      'us-east-2',
      'ca-central-1',
      'ap-southeast-1',
      'ap-northeast-1',
    ];
    const big = exampleConfig({ governedRegions: regions, homeRegion: 'eu-west-1' });
    const t = Template.fromStack(buildExample(big).memberBaseline);
    const cond = t.toJSON().Conditions.IsGovernedRegion as { 'Fn::Or': unknown[] };
    expect(cond['Fn::Or']).toHaveLength(2);
    const leaves = JSON.stringify(cond).match(/"Fn::Equals"/g) ?? [];
    expect(leaves).toHaveLength(regions.length);
    for (const r of regions) expect(JSON.stringify(cond)).toContain(`"${r}"`);
  });
});
