import { Match } from 'aws-cdk-lib/assertions';
import { memberForwardedTriggers } from '../../events/patterns';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { FUNCTION_RUNTIME_NAME, INDEXER_MEMORY_MB, SDK_CALL_MAX_MS } from '../../contracts/function-runtime';
import { FINISH_RESERVE_MS } from '../../functions/indexer/handler';
import { NodeFunction } from '../../stacks/node-function';
import { names } from '../../contracts/names';
import { buildExample, exampleConfig, templateOf } from './example-app';

describe('the app', () => {
  const config = exampleConfig();
  const built = buildExample(config);

  it('has one destination stack per governed region, in the log-archive account', () => {
    expect(built.destinations.map((s) => s.region)).toEqual(config.governedRegions);
    for (const stack of built.destinations) expect(stack.account).toBe(config.accounts.logArchive);
    expect(built.central.account).toBe(config.accounts.logArchive);
    expect(built.controlPlane.account).toBe(config.accounts.securityTooling);
  });

  it('every logwarden function runs on the runtime the benchmarks measure on (contracts/function-runtime.ts)', () => {
    const ours = [built.central, built.controlPlane, ...built.destinations].flatMap((stack) =>
      Object.values(templateOf(stack).findResources('AWS::Lambda::Function')).filter((f) =>
        String(f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME ?? '').startsWith('logwarden-'),
      ),
    );
    expect(ours.length).toBeGreaterThanOrEqual(12);
    for (const f of ours) expect(f.Properties.Runtime).toBe(FUNCTION_RUNTIME_NAME);
  });

  it('every logwarden function outlives its slowest SDK call, and the indexer has time to work before its finish reserve (issue 21 §18)', () => {
    const ours = [built.central, built.controlPlane, ...built.destinations].flatMap((stack) =>
      Object.values(templateOf(stack).findResources('AWS::Lambda::Function')).filter((f) =>
        String(f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME ?? '').startsWith('logwarden-'),
      ),
    );
    for (const f of ours) expect(f.Properties.Timeout * 1000).toBeGreaterThan(SDK_CALL_MAX_MS);
    const indexer = ours.find(
      (f) => f.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === 'logwarden-indexer',
    )!;
    // At least half the timeout is left for _bulk requests once the reserve is kept back.
    expect(indexer.Properties.Timeout * 1000 - FINISH_RESERVE_MS).toBeGreaterThanOrEqual(
      (indexer.Properties.Timeout * 1000) / 3,
    );
    expect(indexer.Properties.MemorySize).toBe(INDEXER_MEMORY_MB);
    const stack = new Stack(new App(), 'Short');
    expect(
      () =>
        new NodeFunction(stack, 'Fn', {
          name: 'archive-lock',
          description: 'x',
          timeout: Duration.seconds(20),
          logKey: new kms.Key(stack, 'Key'),
        }),
    ).toThrow(/archive-lock: a timeout of 20 seconds is not longer than one SDK call/);
  });

  it('central: a KMS-encrypted stream with the configured retention and capacity', () => {
    const t = templateOf(built.central);
    t.hasResourceProperties('AWS::Kinesis::Stream', {
      Name: names.centralStream,
      RetentionPeriodHours: 168,
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      StreamEncryption: { EncryptionType: 'KMS', KeyId: Match.anyValue() },
    });
    t.allResourcesProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'secops@example.com' });
  });

  it('central: a provisioned stream when the config gives a shard count', () => {
    const t = templateOf(
      buildExample(exampleConfig({ kinesis: { capacity: 4, retentionHours: 48 } })).central,
    );
    t.hasResourceProperties('AWS::Kinesis::Stream', {
      ShardCount: 4,
      RetentionPeriodHours: 48,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
    });
  });

  it('destination: org-only policy, pointing at the home-region stream', () => {
    const t = templateOf(built.destinations[1]);
    const dest = Object.values(t.findResources('AWS::Logs::Destination'))[0];
    expect(dest.Properties.TargetArn).toBe(
      `arn:aws:kinesis:${config.homeRegion}:${config.accounts.logArchive}:stream/${names.centralStream}`,
    );
    const policy = JSON.parse(dest.Properties.DestinationPolicy);
    expect(policy.Statement).toHaveLength(1);
    expect(policy.Statement[0].Condition).toEqual({
      StringEquals: { 'aws:PrincipalOrgID': config.organizationId },
    });
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'logs.amazonaws.com' },
            Condition: { StringLike: { 'aws:SourceArn': 'arn:aws:logs:eu-central-1:*:*' } },
          }),
        ],
      },
    });
  });

  it('control plane: an org-scoped bus, an encrypted ledger with PITR, and the member StackSet', () => {
    const t = templateOf(built.controlPlane);
    t.hasResourceProperties('AWS::Events::EventBus', { Name: names.controlBus });
    t.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: Match.objectLike({
        Condition: { StringEquals: { 'aws:PrincipalOrgID': config.organizationId } },
      }),
    });
    t.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'account', KeyType: 'HASH' },
        { AttributeName: 'regionControl', KeyType: 'RANGE' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
    });
    const stackSet = Object.values(t.findResources('AWS::CloudFormation::StackSet'))[0];
    expect(stackSet.Properties).toMatchObject({
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true },
      // us-east-1 too: members see their region opt-in events there (events/patterns.ts); it
      // comes right after the home Region (test/stacks/stackset-order.test.ts).
      OperationPreferences: { RegionOrder: [config.homeRegion, 'us-east-1', 'eu-central-1'] },
      StackInstancesGroup: [{ Regions: ['eu-west-1', 'eu-central-1', 'us-east-1'] }],
    });
    // The whole organization by default.
    expect(stackSet.Properties.StackInstancesGroup[0].DeploymentTargets).toEqual({
      OrganizationalUnitIds: [config.organizationRootId],
    });
    const body = JSON.parse(stackSet.Properties.TemplateBody);
    expect(Object.keys(body.Resources).length).toBeGreaterThan(3);
    expect(body.Parameters?.BootstrapVersion).toBeUndefined();
    expect(stackSet.Properties.TemplateBody.length).toBeLessThan(51200);
  });

  it('member baseline: global roles in the home region only, org-scoped trust, forwarding rules from events/', () => {
    const t = templateOf(built.memberBaseline);
    const roles = t.findResources('AWS::IAM::Role');
    expect(Object.keys(roles)).toHaveLength(4);
    for (const role of Object.values(roles)) expect(role.Condition).toBe('IsHomeRegion');
    t.hasResourceProperties('AWS::IAM::Role', {
      RoleName: names.memberExecutionRole,
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Condition: Match.objectLike({ StringEquals: { 'aws:PrincipalOrgID': config.organizationId } }),
          }),
        ],
      },
    });
    const rules = Object.values(t.findResources('AWS::Events::Rule'));
    expect(rules.map((r) => r.Properties.EventPattern)).toEqual(
      memberForwardedTriggers.map((tr) => tr.pattern),
    );
  });

  it('no Allow statement in any stack grants a * action on a data plane', () => {
    const dataPlane = /^(s3|kinesis|logs|sqs|sns|dynamodb|es|firehose|states|events|lambda):\*$|^\*$/;
    const allowed: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        const o = node as Record<string, unknown>;
        if (o.Effect === 'Allow' && o.Action !== undefined)
          allowed.push(...([] as string[]).concat(o.Action as string));
        Object.values(o).forEach(walk);
      }
    };
    for (const stack of [built.central, built.controlPlane, built.memberBaseline, ...built.destinations]) {
      walk(templateOf(stack).toJSON());
    }
    expect(allowed.length).toBeGreaterThan(50);
    expect(allowed.filter((a) => dataPlane.test(a))).toEqual([]);
  });
});

describe('the member baseline StackSet follows config.scope', () => {
  it('targets the included OUs less the excluded accounts (AccountFilterType DIFFERENCE)', () => {
    // "DIFFERENCE: StackSets excludes the accounts specified in Accounts parameter" and, with
    // SERVICE_MANAGED permissions, "if you specify organizational units (OUs) for
    // OrganizationalUnitIds and use either the Accounts or AccountsUrl property, you must also
    // specify the AccountFilterType property" (CloudFormation, StackSet DeploymentTargets).
    const config = exampleConfig({
      scope: { includeOUs: ['ou-ab12-workload', 'ou-ab12-platform'], excludeAccounts: ['555555555555'] },
      guardDuty: { autoEnable: 'NEW' },
    });
    const t = templateOf(buildExample(config).controlPlane);
    const stackSet = Object.values(t.findResources('AWS::CloudFormation::StackSet'))[0];
    expect(stackSet.Properties.StackInstancesGroup[0].DeploymentTargets).toEqual({
      OrganizationalUnitIds: ['ou-ab12-workload', 'ou-ab12-platform'],
      Accounts: ['555555555555'],
      AccountFilterType: 'DIFFERENCE',
    });
  });
});
