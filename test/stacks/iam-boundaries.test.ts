import { Match } from 'aws-cdk-lib/assertions';
import {
  controlRoleArn,
  destinationArn,
  memberControls,
  names,
  subscriptionPolicyName,
} from '../../contracts/names';
import { buildExample, exampleConfig, templateOf } from './example-app';

const trailGroup = 'arn:aws:logs:eu-west-1:111111111111:log-group:aws-cloudtrail-logs-org:*';

describe('IAM boundaries (issue 10 §6, issue 9 §3)', () => {
  const config = exampleConfig();
  const built = buildExample(config);

  it('the member execution role trusts exactly the control functions that act in members, by ARN, within the organization', () => {
    const role = Object.values(templateOf(built.memberBaseline).findResources('AWS::IAM::Role')).find(
      (r) => r.Properties.RoleName === names.memberExecutionRole,
    )!;
    const [trust] = role.Properties.AssumeRolePolicyDocument.Statement;
    expect([...trust.Principal.AWS].sort()).toEqual(
      memberControls.map((fn) => controlRoleArn(fn, config.accounts.securityTooling)).sort(),
    );
    expect(trust.Condition).toEqual({ StringEquals: { 'aws:PrincipalOrgID': config.organizationId } });
    expect(JSON.stringify(trust)).not.toContain('*');
  });

  it('the StackSet is created after the roles its trust names', () => {
    const t = templateOf(built.controlPlane);
    const [stackSet] = Object.values(t.findResources('AWS::CloudFormation::StackSet'));
    const roles = t.findResources('AWS::IAM::Role', {
      Properties: { RoleName: Match.stringLikeRegexp('^logwarden-control-ensure-') },
    });
    expect(Object.keys(roles)).toHaveLength(memberControls.length);
    for (const id of Object.keys(roles)) expect(stackSet.DependsOn).toContain(id);
  });

  it('the member role is denied every write to the pipeline’s own log groups, which the StackSet also reaches', () => {
    const role = Object.values(templateOf(built.memberBaseline).findResources('AWS::IAM::Role')).find(
      (r) => r.Properties.RoleName === names.memberExecutionRole,
    )!;
    const statements = role.Properties.Policies.flatMap(
      (p: { PolicyDocument: { Statement: unknown[] } }) => p.PolicyDocument.Statement,
    ) as { Effect: string; Action: string[]; Resource: string[] }[];
    const deny = statements.find((s) => s.Effect === 'Deny')!;
    expect(deny.Action).toEqual(
      expect.arrayContaining(['logs:PutSubscriptionFilter', 'logs:DeleteSubscriptionFilter']),
    );
    expect([...deny.Resource].sort()).toEqual([
      `arn:aws:logs:*:*:log-group:${names.controlLogGroupPrefix}*`,
      `arn:aws:logs:*:*:log-group:${names.pipelineLogGroupPrefix}*`,
    ]);
  });

  it('control-plane key: service principals only with aws:SourceAccount / aws:SourceArn', () => {
    const keys = templateOf(built.controlPlane).findResources('AWS::KMS::Key');
    for (const key of Object.values(keys))
      for (const s of key.Properties.KeyPolicy.Statement as {
        Principal: { Service?: string };
        Condition?: object;
      }[])
        if (s.Principal.Service)
          expect(JSON.stringify(s.Condition ?? {})).toMatch(/aws:SourceArn|kms:EncryptionContext/);
  });

  it('the destination role accepts only this organization’s senders when CloudWatch Logs names the organization', () => {
    templateOf(built.destinations[0]).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Condition: Match.objectLike({
              StringEqualsIfExists: { 'aws:SourceOrgID': config.organizationId },
            }),
          }),
        ],
      },
    });
  });

  it('the organization trail’s group in the management account is subscribed to its region’s destination', () => {
    expect(built.managementTrailSubscription).toBeUndefined();
    const withGroup = buildExample(
      exampleConfig({ trail: { mode: 'organization', name: 'org', cloudWatchLogsGroupArn: trailGroup } }),
    );
    const stack = withGroup.managementTrailSubscription!;
    expect([stack.account, stack.region]).toEqual([config.accounts.management, 'eu-west-1']);
    const t = templateOf(stack);
    t.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      LogGroupName: 'aws-cloudtrail-logs-org',
      FilterName: subscriptionPolicyName('eu-west-1'),
      DestinationArn: destinationArn('eu-west-1', config.accounts.logArchive),
      RoleArn: Match.anyValue(),
    });
  });

  it('refuses a trail group outside the management account or outside the governed regions', () => {
    const bad = (arn: string) => () =>
      buildExample(
        exampleConfig({ trail: { mode: 'organization', name: 'org', cloudWatchLogsGroupArn: arn } }),
      );
    expect(bad('arn:aws:logs:eu-west-1:444444444444:log-group:g')).toThrow(
      /management account \(111111111111\)/,
    );
    expect(bad('arn:aws:logs:ap-south-1:111111111111:log-group:g')).toThrow(
      /ap-south-1 is not a governed region/,
    );
  });
});
