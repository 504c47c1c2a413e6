/**
 * The CDK bootstrap prerequisites (contracts/prerequisites.ts deploymentEnvironments) name every
 * account and Region the app deploys a stack to: "Before you deploy a CDK stack into an AWS
 * environment, the environment must first be bootstrapped" (AWS CDK Developer Guide,
 * "Bootstrapping"). The app is built for the repository's configuration and its variants (trail
 * modes, a home Region that is or is not us-east-1, an external trail's group in the management
 * account or elsewhere), and the environments of its stacks are compared with the list.
 */
import { Stack } from 'aws-cdk-lib';
import { deploymentEnvironments } from '../../contracts/prerequisites';
import { buildExample, exampleConfig, exampleConfigRaw } from './example-app';

const raw = exampleConfigRaw() as Record<string, unknown> & {
  accounts: Record<string, string>;
  openSearch: Record<string, unknown>;
  trail: Record<string, unknown>;
};
const management = raw.accounts.management;
const inUsEast1 = {
  homeRegion: 'us-east-1',
  governedRegions: ['us-east-1', 'eu-west-1'],
  openSearch: { ...raw.openSearch, availabilityZones: ['us-east-1a', 'us-east-1b'] },
};
const external = (home: string, group?: string) => ({
  mode: 'external',
  name: 'aws-controltower-BaselineCloudTrail',
  arn: `arn:aws:cloudtrail:${home}:${management}:trail/aws-controltower-BaselineCloudTrail`,
  ...(group ? { cloudWatchLogsGroupArn: group } : {}),
});

const variants: [string, Record<string, unknown>][] = [
  ['the repository’s logwarden.config.json (trail.mode organization, home eu-west-1)', {}],
  ['trail.mode organization, home us-east-1', inUsEast1],
  ['trail.mode account, home eu-west-1', { trail: { mode: 'account', name: 'logwarden' } }],
  ['trail.mode account, home us-east-1', { ...inUsEast1, trail: { mode: 'account', name: 'logwarden' } }],
  ['trail.mode external without a group, home eu-west-1', { trail: external('eu-west-1') }],
  [
    'trail.mode external, its group in the management account in another Region',
    {
      trail: external(
        'eu-west-1',
        `arn:aws:logs:eu-central-1:${management}:log-group:aws-controltower/CloudTrailLogs:*`,
      ),
    },
  ],
  [
    'trail.mode external, its group in another account, home us-east-1',
    {
      ...inUsEast1,
      trail: external('us-east-1', 'arn:aws:logs:us-east-1:444444444444:log-group:org-trail:*'),
    },
  ],
];

describe.each(variants)('the CDK bootstrap environments of %s', (_, overrides) => {
  const config = exampleConfig(overrides);
  const { app } = buildExample(config);
  const byId = Object.entries(config.accounts).reduce<Record<string, string>>(
    (m, [key, id]) => ({ ...m, [id]: key }),
    {},
  );
  const stacks = app.node.children.filter((c): c is Stack => Stack.isStack(c));
  const synthesized = stacks.map((s) => `${byId[s.account] ?? s.account}/${s.region}`);
  const listed = deploymentEnvironments(config).map((e) => `${e.account}/${e.region}`);

  it('every stack the app deploys is in an environment the prerequisites bootstrap', () => {
    expect(stacks.length).toBeGreaterThan(0);
    for (const [i, env] of synthesized.entries())
      expect({ stack: stacks[i].stackName, env, bootstrapped: listed.includes(env) }).toEqual({
        stack: stacks[i].stackName,
        env,
        bootstrapped: true,
      });
  });

  it('and the prerequisites bootstrap no environment without a stack', () => {
    expect([...new Set(listed)].sort()).toEqual([...new Set(synthesized)].sort());
  });
});
