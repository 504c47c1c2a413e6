import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { checkTemplates, type Report } from '../../scripts/iam-gate/check';
import { Sar, iamdataDir } from '../../scripts/iam-gate/sar';
import { suppressions } from '../../scripts/iam-gate/suppressions';
import type { Template } from '../../scripts/iam-gate/templates';
import { buildExample, exampleConfig, templateOf } from './example-app';

const root = path.join(__dirname, '..', '..');
const sar = new Sar(iamdataDir(root));

function appTemplates(config = exampleConfig()): Record<string, Template> {
  const built = buildExample(config);
  const stacks = [
    built.central,
    built.controlPlane,
    built.memberBaseline,
    built.managementForwarder,
    ...(built.managementHomeForwarder ? [built.managementHomeForwarder] : []),
    ...built.destinations,
  ];
  return Object.fromEntries(stacks.map((s) => [s.stackName, templateOf(s).toJSON() as Template]));
}

const never = (r: Report) => r.violations.map((v) => `${v.action} ${v.resource ?? ''}`.trim());

describe('the IAM gate', () => {
  it('catches the grants of commit c0dc5e6 that AWS would refuse (issue 9)', () => {
    const fixture = JSON.parse(
      readFileSync(path.join(__dirname, 'fixtures', 'iam-defects-c0dc5e6.template.json'), 'utf8'),
    ) as Template;
    const report = checkTemplates(sar, { before: fixture }, []);
    const found = never(report);
    for (const expected of [
      'logs:PutAccountPolicy arn:aws:logs:eu-west-1:${deploy-time}:log-group:*',
      'logs:PutAccountPolicy arn:aws:logs:eu-west-1:222222222222:destination:logwarden-central',
      'guardduty:CreateMembers arn:aws:guardduty:eu-west-1:333333333333:detector/*',
      'guardduty:UpdateOrganizationConfiguration arn:aws:guardduty:eu-west-1:333333333333:detector/*',
      'guardduty:CreateDetector arn:aws:guardduty:eu-west-1:333333333333:detector/*',
      'guardduty:AcceptAdministratorInvitation arn:aws:guardduty:eu-west-1:${deploy-time}:detector/*',
      'guardduty:CreateDetector arn:aws:guardduty:eu-west-1:${deploy-time}:detector/*',
      'guardduty:GetAdministratorAccount arn:aws:guardduty:eu-west-1:${deploy-time}:detector/*',
    ])
      expect(found).toContain(expected);
    // PutSubscriptionFilter on the same resources is a grant that matches: it stays scoped.
    expect(found.filter((f) => f.startsWith('logs:PutSubscriptionFilter'))).toEqual([]);
    const missing = report.missingDependents.map((m) => `${m.action} → ${m.dependent}`);
    expect(missing).toEqual(
      expect.arrayContaining([
        'cloudtrail:CreateTrail → cloudtrail:AddTags',
        'ec2:CreateFlowLogs → ecs:ListClusters',
        'ec2:CreateFlowLogs → ecs:ListContainerInstances',
        'ec2:CreateFlowLogs → ecs:ListServices',
        'ec2:CreateFlowLogs → ecs:ListTaskDefinitions',
        'ec2:CreateFlowLogs → ecs:ListTasks',
      ]),
    );
  });

  it('fails an ARN of a type the action does not act on, an unknown action, and a wildcard that matches nothing', () => {
    const template: Template = {
      Resources: {
        Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
        Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'r' } },
        Policy: {
          Type: 'AWS::IAM::Policy',
          Properties: {
            Roles: [{ Ref: 'Role' }],
            PolicyDocument: {
              Statement: [
                { Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::GetAtt': ['Table', 'Arn'] } },
                { Effect: 'Allow', Action: 'logs:PutAccountPolicies', Resource: '*' },
                { Effect: 'Allow', Action: 'guardduty:Create*', Resource: 'arn:aws:s3:::bucket' },
                // Matches: a wildcard whose key-scoped members apply; a log-group pattern reaching streams.
                { Effect: 'Allow', Action: 'kms:List*', Resource: 'arn:aws:kms:eu-west-1:1:key/k' },
                {
                  Effect: 'Allow',
                  Action: 'logs:PutLogEvents',
                  Resource: 'arn:aws:logs:eu-west-1:1:log-group:/logwarden/vpc-flow-logs/*',
                },
                {
                  Effect: 'Deny',
                  Action: 'logs:PutAccountPolicy',
                  Resource: 'arn:aws:logs:eu-west-1:1:log-group:x',
                },
              ],
            },
          },
        },
      },
    };
    const report = checkTemplates(sar, { t: template }, []);
    expect(report.violations.map((v) => [v.kind, v.action])).toEqual([
      ['wrong-resource-type', 's3:GetObject'],
      ['unknown-action', 'logs:PutAccountPolicies'],
      ...sar
        .expand('guardduty:Create*')
        .map((a) => [a.resourceTypes.length ? 'wrong-resource-type' : 'no-resource-type', a.id]),
    ]);
  });

  it('a suppression carries its reason, and one that excuses nothing is reported stale', () => {
    const template: Template = {
      Resources: {
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: {
            Policies: [
              {
                PolicyDocument: {
                  Statement: [
                    {
                      Effect: 'Allow',
                      Action: 'kinesis:ListStreams',
                      Resource: 'arn:aws:kinesis:r:1:stream/s',
                    },
                  ],
                },
              },
            ],
          },
        },
      },
    };
    const report = checkTemplates(sar, { t: template }, [
      { action: 'kinesis:ListStreams', reason: 'harmless here' },
      { action: 'logs:PutAccountPolicy', reason: 'excuses nothing' },
    ]);
    expect(report.violations).toEqual([]);
    expect(report.suppressed.map((s) => s.reason)).toEqual(['harmless here']);
    expect(report.unusedSuppressions.map((s) => s.action)).toEqual(['logs:PutAccountPolicy']);
  });

  it.each([
    ['organization trail', exampleConfig()],
    // The trail's group and role: security-tooling's (control plane) for the organization trail,
    // each account's own (member baseline) for account trails.
    [
      'account trails',
      exampleConfig({ trail: { mode: 'account', name: 'logwarden', s3BucketName: 'org-trail-bucket' } }),
    ],
  ])('every stack of the app, member baseline included, passes (%s)', (_, config) => {
    const report = checkTemplates(sar, appTemplates(config), suppressions);
    expect(never(report)).toEqual([]);
    expect(report.missingDependents).toEqual([]);
    expect(report.statements).toBeGreaterThan(100);
  });
});

describe('the IAM gate’s figures in docs/iam.md (issue 21 §29)', () => {
  it('are the figures the gate counts today for logwarden.config.json; a change to the grants updates them', () => {
    const doc = readFileSync(path.join(root, 'docs', 'iam.md'), 'utf8');
    const quoted =
      /(\d+)\s+templates,\s+(\d+)\s+Allow\s+statements,\s+(\d+)\s+action\s+×\s+resource\s+pairs,\s+(\d+)\s+grants\s+that\s+can\s+never\s+match,\s+(\d+)\s+dependent\s+actions\s+not\s+granted,\s+(\d+)\s+suppressed/.exec(
        doc,
      );
    expect(quoted).not.toBeNull();
    const templates = appTemplates();
    const report = checkTemplates(sar, templates, suppressions);
    const counted = [
      Object.keys(templates).length,
      report.statements,
      report.pairs,
      report.violations.length,
      report.missingDependents.length,
      report.suppressed.length,
    ];
    // When this fails, the grants changed: put the counted figures and today's date in docs/iam.md.
    expect(quoted!.slice(1).map(Number)).toEqual(counted);
  });
});
