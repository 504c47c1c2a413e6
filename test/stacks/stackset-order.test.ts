import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { configWarnings } from '../../contracts/config';
import { isOptInRegion } from '../../contracts/regions';
import { memberBaselineRegionOrder } from '../../stacks/control-plane-stack';
import { buildExample, exampleConfig, templateOf } from './example-app';

/**
 * Issue 21 §8: one bad Region of the member-baseline StackSet must not block the others. The
 * operation runs Region after Region, and "If the operation is stopped in a Region,
 * CloudFormation doesn't attempt the operation in any subsequent Regions" (CloudFormation API
 * Reference, StackSetOperationPreferences, FailureTolerancePercentage). An opt-in Region that a
 * member has not enabled is such a bad Region ("Regions introduced after March 20, 2019 are
 * disabled by default", AWS Account Management Reference Guide).
 */
const config = exampleConfig({
  homeRegion: 'eu-west-1',
  governedRegions: ['eu-west-1', 'af-south-1', 'eu-central-1', 'me-south-1', 'ap-northeast-1'],
});

describe('member-baseline StackSet Region order (issue 21 §8)', () => {
  it('home Region, then us-east-1 (the opt-in forwarding rule), then every default Region, opt-in Regions last', () => {
    const order = memberBaselineRegionOrder(config);
    expect(order.slice(0, 2)).toEqual(['eu-west-1', 'us-east-1']);
    const firstOptIn = order.findIndex(isOptInRegion);
    expect(order.slice(firstOptIn).every(isOptInRegion)).toBe(true);
    expect(order.slice(2, firstOptIn).sort()).toEqual(['ap-northeast-1', 'eu-central-1']);
    expect(order.slice(firstOptIn)).toEqual(['af-south-1', 'me-south-1']);
    expect([...order].sort()).toEqual([...config.governedRegions, 'us-east-1'].sort());
  });

  it('the synthesized StackSet deploys in that order, one Region at a time, with a failure tolerance', () => {
    const built = buildExample(config);
    const stackSet = Object.values(
      templateOf(built.controlPlane).findResources('AWS::CloudFormation::StackSet'),
    )[0];
    expect(stackSet.Properties.OperationPreferences).toMatchObject({
      RegionOrder: memberBaselineRegionOrder(config),
      RegionConcurrencyType: 'SEQUENTIAL',
      FailureTolerancePercentage: 10,
    });
    // The config check's warning is also a synthesis warning.
    Annotations.fromStack(built.controlPlane).hasWarning(
      '*',
      Match.stringLikeRegexp('governedRegions: af-south-1, me-south-1 are opt-in Regions'),
    );
  });

  it('opt-in Regions in governedRegions are a config warning; default Regions are not', () => {
    expect(configWarnings(config).map((w) => w.field)).toContain('governedRegions');
    expect(configWarnings(config).find((w) => w.field === 'governedRegions')!.message).toMatch(
      /^af-south-1, me-south-1 are opt-in Regions/,
    );
    const plain = exampleConfig({ governedRegions: ['eu-west-1', 'eu-central-1'] });
    expect(configWarnings(plain).map((w) => w.field)).not.toContain('governedRegions');
  });
});
