/**
 * The template deployer's rules that need no stand-in: names generated per stack as
 * CloudFormation generates them, `Fn::Sub`, the creation order, and an unknown resource type
 * refused with every such type named.
 */
import { deployedAs, physicalName, resolveValue, type CfnTemplate } from '../../local/asl';
import type { DeployedStack, IamDeployer } from '../../local/deployment';
import { App } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../../contracts/config';
import { buildApp } from '../../stacks/logwarden-app';
import {
  appliedBucketProperties,
  creationOrder,
  deployTemplate,
  replicationConfiguration,
  unknownResourceTypes,
  type CfnReplicationConfiguration,
} from '../../local/template-deployer';

const account = '222222222222';
const region = 'eu-west-1';

function stackOf(stackName: string, resources: CfnTemplate['Resources']): DeployedStack {
  return { stackName, account, region, template: deployedAs({ Resources: resources }, stackName) };
}

const role = { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } };

describe('generated physical names', () => {
  it('carry the stack name, so two stacks with the same logical id get different names', () => {
    // CloudFormation User Guide, "Name type": CloudFormation generates a name from "the stack
    // name, the logical ID, and a random string".
    const a = stackOf('LogwardenManagementForwarder', { ForwardRoleAD41B8CF: role });
    const b = stackOf('LogwardenManagementForwarder-eu-west-1', { ForwardRoleAD41B8CF: role });
    const nameA = physicalName(a.template, 'ForwardRoleAD41B8CF');
    const nameB = physicalName(b.template, 'ForwardRoleAD41B8CF');
    expect(nameA).toMatch(/^LogwardenManagementForwarder-ForwardRoleAD41B8CF-[0-9A-F]{12}$/);
    expect(nameB).not.toBe(nameA);
    // IAM CreateRole: RoleName is at most 64 characters.
    expect(nameB.length).toBeLessThanOrEqual(64);
    expect(nameB.startsWith('LogwardenManagementForwarder-eu-west-1-ForwardRole')).toBe(true);
    // Every reader of the template resolves the same name.
    expect(resolveValue(b.template, { 'Fn::GetAtt': ['ForwardRoleAD41B8CF', 'Arn'] }, region, account)).toBe(
      `arn:aws:iam::${account}:role/${nameB}`,
    );
  });

  it('are lower case for buckets, and a given name is kept', () => {
    const s = stackOf('LogwardenCentral', {
      Generated: { Type: 'AWS::S3::Bucket' },
      Named: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'logwarden-archive' } },
    });
    expect(physicalName(s.template, 'Generated')).toMatch(/^logwardencentral-generated-[0-9a-f]{12}$/);
    expect(physicalName(s.template, 'Named')).toBe('logwarden-archive');
  });

  it('one template object cannot be deployed under two stack names', () => {
    const s = stackOf('A', { R: role });
    expect(() => deployedAs(s.template, 'B')).toThrow(/deployed as A and B/);
  });
});

describe('Fn::Sub', () => {
  it('resolves pseudo parameters, resources, attributes, its variables and ${!Literal}', () => {
    // CloudFormation User Guide, Fn::Sub: "${!Literal}" is written as "${Literal}".
    const s = stackOf('LogwardenCentral', {
      Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'q' } },
    });
    const value = {
      'Fn::Sub': [
        '${AWS::StackName} ${AWS::Region} ${Queue} ${Queue.Arn} ${Extra} ${!Literal}',
        { Extra: { Ref: 'AWS::AccountId' } },
      ],
    };
    expect(resolveValue(s.template, value, region, account)).toBe(
      `LogwardenCentral ${region} https://sqs.${region}.amazonaws.com/${account}/q arn:aws:sqs:${region}:${account}:q ${account} \${Literal}`,
    );
  });
});

describe('the creation order', () => {
  it('creates each resource after those it references', () => {
    const s = stackOf('LogwardenCentral', {
      Policy: {
        Type: 'AWS::S3::BucketPolicy',
        Properties: { Bucket: { Ref: 'Bucket' }, PolicyDocument: {} },
      },
      Bucket: {
        Type: 'AWS::S3::Bucket',
        Properties: {
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              { ServerSideEncryptionByDefault: { KMSMasterKeyID: { 'Fn::GetAtt': ['Key', 'Arn'] } } },
            ],
          },
        },
      },
      Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: {} } },
    });
    expect(creationOrder(s).map(([id]) => id)).toEqual(['Key', 'Bucket', 'Policy']);
  });
});

describe('resource types the deployer does not know', () => {
  it('fail the deployment before any call, naming every one', async () => {
    const s = stackOf('LogwardenCentral', {
      Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: {} } },
      Crawler: { Type: 'AWS::Glue::Crawler' },
      Catalog: { Type: 'AWS::Athena::DataCatalog' },
    });
    expect(unknownResourceTypes(s)).toEqual(['AWS::Athena::DataCatalog', 'AWS::Glue::Crawler']);
    const calls: string[] = [];
    const iam = new Proxy({} as IamDeployer, {
      get: (_, name) => () => {
        calls.push(String(name));
        return Promise.resolve('');
      },
    });
    await expect(deployTemplate(s, { accessKeyId: 'AKIA', secretAccessKey: 'x' }, iam)).rejects.toThrow(
      'LogwardenCentral: resource types the local deployer neither creates nor lists as emulated elsewhere or not emulated (local/template-deployer.ts): AWS::Athena::DataCatalog, AWS::Glue::Crawler',
    );
    expect(calls).toEqual([]);
  });
});

describe('the archive replica (archive.replica), as the deployer would meet it', () => {
  // The local run does not configure a replica; the deployer must still refuse nothing the
  // templates with one hold: the replica stack's resource types, every bucket property, and the
  // archive's replication rule in PutBucketReplication's shape.
  const raw = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'logwarden.config.json'), 'utf8'));
  const config = parseConfig({
    ...raw,
    archive: { ...raw.archive, replica: { account: '555555555555', region: 'eu-central-1' } },
  });
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stacks = buildApp(app, config);
  const assembly = app.synth();
  const deployed = (name: string, account: string, region: string): DeployedStack => ({
    stackName: name,
    account,
    region,
    template: deployedAs(assembly.getStackByName(name).template as CfnTemplate, name),
  });
  const replica = deployed(stacks.archiveReplica!.stackName, '555555555555', 'eu-central-1');
  const central = deployed(stacks.central.stackName, account, region);

  it('knows every resource type of the replica stack and every bucket property of both stacks', () => {
    expect(unknownResourceTypes(replica)).toEqual([]);
    for (const stack of [replica, central])
      for (const [, r] of creationOrder(stack).filter(([, r]) => r.Type === 'AWS::S3::Bucket'))
        for (const key of Object.keys(r.Properties ?? {})) expect(appliedBucketProperties).toContain(key);
  });

  it('puts the replication rule as PutBucketReplication takes it (the rule’s Id is the API’s ID)', () => {
    const [, archive] = creationOrder(central).find(
      ([, r]) => r.Type === 'AWS::S3::Bucket' && r.Properties?.ReplicationConfiguration,
    )!;
    const cfn = archive.Properties!.ReplicationConfiguration as CfnReplicationConfiguration;
    const api = replicationConfiguration(cfn);
    expect(api.Role).toEqual(cfn.Role);
    expect(api.Rules).toEqual([
      {
        ID: 'archive-replica',
        Status: 'Enabled',
        Priority: 1,
        Filter: { Prefix: '' },
        DeleteMarkerReplication: { Status: 'Disabled' },
        SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
        Destination: {
          Bucket: 'arn:aws:s3:::logwarden-archive-replica-555555555555-eu-central-1',
          Account: '555555555555',
          AccessControlTranslation: { Owner: 'Destination' },
          EncryptionConfiguration: {
            ReplicaKmsKeyID: 'arn:aws:kms:eu-central-1:555555555555:alias/logwarden-archive-replica',
          },
        },
      },
    ]);
    expect(() =>
      replicationConfiguration({ Role: 'r', Rules: [{ Id: 'x', ExistingObjectReplication: {} }] }),
    ).toThrow('replication rule properties the local deployer does not apply: ExistingObjectReplication');
  });
});
