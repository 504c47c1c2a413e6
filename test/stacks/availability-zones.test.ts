/**
 * The search VPC's zones (issue 21 §10): from `openSearch.availabilityZones`, or from CDK's lookup
 * at synth time, never invented. Zone codes are per account: "For accounts created before
 * November 2025, in our oldest Regions, we independently map Availability Zones to codes for each
 * AWS account" (AWS Regions and Availability Zones, "AWS Availability Zones"); a code such as
 * us-west-1a is not offered to every account.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../contracts/config';
import { buildApp } from '../../stacks/logwarden-app';
import { exampleConfigRaw } from './example-app';

function raw(openSearch: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const base = exampleConfigRaw();
  return { ...base, ...extra, openSearch: { ...(base.openSearch as object), ...openSearch } };
}

function subnetZones(config: ReturnType<typeof parseConfig>) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stacks = buildApp(app, config);
  const subnets = Template.fromStack(stacks.central).findResources('AWS::EC2::Subnet');
  return {
    app,
    zones: Object.values(subnets).map(
      (s) => (s.Properties as { AvailabilityZone: unknown }).AvailabilityZone,
    ),
  };
}

describe('the search VPC’s availability zones', () => {
  it('from config: us-west-1 offers b and c to this account', () => {
    const config = parseConfig(
      raw(
        { availabilityZones: ['us-west-1b', 'us-west-1c'] },
        { homeRegion: 'us-west-1', governedRegions: ['us-west-1'] },
      ),
    );
    expect(subnetZones(config).zones.sort()).toEqual(['us-west-1b', 'us-west-1c']);
  });

  it('without config: CDK looks them up at synth time (a missing context the CLI fills), none invented', () => {
    const base = exampleConfigRaw();
    const openSearch = { ...(base.openSearch as Record<string, unknown>) };
    delete openSearch.availabilityZones;
    const { app, zones } = subnetZones(parseConfig({ ...base, openSearch }));
    const missing = app.synth().manifest.missing ?? [];
    expect(missing.map((m) => m.key)).toContain('availability-zones:account=222222222222:region=eu-west-1');
    expect(zones).not.toContain('eu-west-1a');
  });

  it.each([
    [
      { availabilityZones: ['eu-west-1a'] },
      'openSearch.availabilityZones: must name 2 zones (zoneAwareness), got 1',
    ],
    [
      { availabilityZones: ['eu-west-1a', 'us-east-1b'] },
      'openSearch.availabilityZones: us-east-1b is not a zone of the home region eu-west-1',
    ],
    [
      { availabilityZones: ['eu-west-1a', 'eu-west-1a'] },
      'openSearch.availabilityZones: eu-west-1a is named twice',
    ],
  ])('refused: %j', (openSearch, message) => {
    expect(() => parseConfig(raw(openSearch))).toThrow(message);
  });
});
