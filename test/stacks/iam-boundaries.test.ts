import { Match } from 'aws-cdk-lib/assertions';
import {
  controlRoleArn,
  memberControls,
  names,
  organizationTrailArn,
  trailLogsRoleArn,
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

  it('the flow-log delivery role has what the VPC guide says it must, on logwarden’s flow-log groups only', () => {
    // "The IAM policy that's attached to your IAM role must include at least the following
    // permissions": logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents,
    // logs:DescribeLogGroups, logs:DescribeLogStreams (Amazon VPC User Guide, "IAM role for
    // publishing flow logs to CloudWatch Logs").
    const role = Object.values(templateOf(built.memberBaseline).findResources('AWS::IAM::Role')).find(
      (r) => r.Properties.RoleName === names.flowLogsDeliveryRole,
    )!;
    const statements = role.Properties.Policies.flatMap(
      (p: { PolicyDocument: { Statement: unknown[] } }) => p.PolicyDocument.Statement,
    ) as { Effect: string; Action: string | string[]; Resource: unknown }[];
    const granted = statements.flatMap((s) => [s.Action].flat());
    expect([...granted].sort()).toEqual([
      'logs:CreateLogGroup',
      'logs:CreateLogStream',
      'logs:DescribeLogGroups',
      'logs:DescribeLogStreams',
      'logs:PutLogEvents',
    ]);
    for (const s of statements.filter((x) => ![x.Action].flat().includes('logs:DescribeLogGroups')))
      expect(JSON.stringify(s.Resource)).toContain(`log-group:${names.flowLogGroupPrefix}*`);
  });

  it('the StackSet is created after the roles its trust names', () => {
    const t = templateOf(built.controlPlane);
    const [stackSet] = Object.values(t.findResources('AWS::CloudFormation::StackSet'));
    const roles = t.findResources('AWS::IAM::Role', {
      Properties: {
        RoleName: Match.stringLikeRegexp(
          `^(${memberControls.map((fn) => `logwarden-control-${fn}`).join('|')})$`,
        ),
      },
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
    // The subscription control removes its own fallback filters once its account policy covers
    // (account- and log-group-level filters are additive, CloudWatch Logs API Reference,
    // PutAccountPolicy): DeleteSubscriptionFilter is allowed on the member's log groups only, and
    // the Deny above still keeps it off the pipeline's own.
    const removal = statements.filter(
      (s) => s.Effect === 'Allow' && [s.Action].flat().includes('logs:DeleteSubscriptionFilter'),
    );
    expect(removal).toHaveLength(1);
    for (const arn of [removal[0].Resource].flat())
      expect(JSON.stringify(arn)).toMatch(/arn:aws:logs:[a-z0-9-]+:.*:log-group:\*/);
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

  // CloudTrail User Guide, "Organization delegated administrator", footnote 1: "Both the
  // CloudWatch Logs log group and log role must exist in the calling account." IAM passes only a
  // role of the caller's own account (issue 21 §2, §3).
  it('organization mode: the trail’s group and role are in security-tooling, which calls CreateTrail; nothing in the management account', () => {
    const t = templateOf(built.controlPlane);
    t.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: names.trailLogGroup });
    t.hasResourceProperties('AWS::IAM::Role', {
      RoleName: names.trailLogsRole,
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Condition: {
              ArnLikeIfExists: {
                'aws:SourceArn': organizationTrailArn(
                  config.homeRegion,
                  config.accounts.management,
                  config.trail.name,
                ),
              },
            },
          }),
        ],
      },
    });
    const control = templateOf(built.controlPlane).findResources('AWS::IAM::Policy');
    const text = JSON.stringify(control);
    expect(text).toContain(trailLogsRoleArn(config.accounts.securityTooling));
    expect(text).not.toContain(`arn:aws:iam::${config.accounts.management}:role/`);
    const fn = Object.values(t.findResources('AWS::Lambda::Function')).find(
      (f) => f.Properties.Environment?.Variables?.TRAIL_MODE === 'organization',
    )!;
    expect(fn.Properties.Environment.Variables.SECURITY_TOOLING_ACCOUNT).toBe(
      config.accounts.securityTooling,
    );
    expect(JSON.stringify(templateOf(built.memberBaseline).toJSON())).not.toContain(names.trailLogGroup);
    expect(built.app.node.children.map((c) => c.node.id)).not.toContain(
      'LogwardenManagementTrailSubscription',
    );
  });

  it('account mode: each account’s trail group and role come from the member baseline, in the home region, and the member role passes only its own', () => {
    const accountMode = buildExample(exampleConfig({ trail: { mode: 'account', name: 'own' } }));
    const t = templateOf(accountMode.memberBaseline);
    const [group] = Object.values(t.findResources('AWS::Logs::LogGroup'));
    expect(group).toMatchObject({
      Condition: 'IsHomeRegion',
      Properties: { LogGroupName: names.trailLogGroup },
    });
    const role = Object.values(t.findResources('AWS::IAM::Role')).find(
      (r) => r.Properties.RoleName === names.trailLogsRole,
    )!;
    expect(role.Condition).toBe('IsHomeRegion');
    const execution = Object.values(t.findResources('AWS::IAM::Role')).find(
      (r) => r.Properties.RoleName === names.memberExecutionRole,
    )!;
    const pass = (
      execution.Properties.Policies as {
        PolicyDocument: { Statement: { Sid?: string; Resource: unknown }[] };
      }[]
    )
      .flatMap((p) => p.PolicyDocument.Statement)
      .find((st) => st.Sid === 'PassTrailCloudWatchLogsRole')!;
    expect(JSON.stringify(pass.Resource)).toContain(`:role/${names.trailLogsRole}`);
    expect(JSON.stringify(pass.Resource)).toContain('AWS::AccountId');
    // The control plane creates none (its StackSet carries the baseline's body, which does).
    expect(
      Object.values(templateOf(accountMode.controlPlane).findResources('AWS::Logs::LogGroup')).map(
        (g) => g.Properties.LogGroupName,
      ),
    ).not.toContain(names.trailLogGroup);
  });

  it('a configured trail group or role is refused, naming the field and what replaced it', () => {
    expect(() =>
      exampleConfig({
        trail: { mode: 'organization', name: 'org', cloudWatchLogsGroupArn: trailGroup } as never,
      }),
    ).toThrow(
      /trail\.cloudWatchLogsGroupArn is no longer configured: the trail delivers to \/logwarden\/cloudtrail/,
    );
  });
});

// EventBridge User Guide, "Authorizing EventBridge to use a customer managed key": "kms:DescribeKey
// — EventBridge requires this permission to retrieve the KMS key ARN for the Key Id provided, and
// to verify that the key is symmetric." DescribeKey is not a cryptographic operation and carries
// no encryption context, so a statement conditioned on kms:EncryptionContext:* never grants it
// (KMS Developer Guide, "kms:EncryptionContext:context-key": only for cryptographic operations).
// issue 21 §12.
describe('the control bus key lets EventBridge describe it', () => {
  it('a DescribeKey statement of its own, for this bus (aws:SourceArn, aws:SourceAccount), with no encryption-context condition', () => {
    const config = exampleConfig();
    const t = templateOf(buildExample(config).controlPlane);
    const busArn = `arn:aws:events:${config.homeRegion}:${config.accounts.securityTooling}:event-bus/${names.controlBus}`;
    const [key] = Object.values(t.findResources('AWS::KMS::Key')).filter((k) =>
      JSON.stringify(k.Properties.KeyPolicy).includes(busArn),
    );
    const statements = key.Properties.KeyPolicy.Statement as {
      Action: string | string[];
      Principal?: { Service?: string };
      Condition?: Record<string, Record<string, string>>;
    }[];
    const describing = statements.filter(
      (s) =>
        s.Principal?.Service === 'events.amazonaws.com' &&
        [s.Action].flat().includes('kms:DescribeKey') &&
        !JSON.stringify(s.Condition ?? {}).includes('kms:EncryptionContext'),
    );
    expect(describing).toHaveLength(1);
    expect(describing[0].Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': config.accounts.securityTooling, 'aws:SourceArn': busArn },
    });
  });
});
