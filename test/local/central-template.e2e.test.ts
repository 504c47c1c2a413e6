/**
 * The log-archive account's stacks are created from their synthesized templates
 * (local/template-deployer.ts), through the strict stand-ins: what the stand-ins hold and
 * evaluate — the key policies, the archive bucket's Object Lock, encryption and policy, the
 * stream's key, the topic's key and policy, the destinations' access policies — is read back and
 * compared with the template, and a call the template's bucket policy denies is refused.
 */
import {
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  PutBucketPolicyCommand,
  PutObjectLockConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import { DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { CloudWatchLogsClient, DescribeDestinationsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { createClient } from '../../functions/shared/clients';
import { physicalName, resolveValue } from '../../local/asl';
import { resolveDocument, type DeployedStack } from '../../local/deployment';
import { startMoto, type Moto } from '../../local/moto';
import { emulateOrganization, type Organization } from '../../local/scenario/organization';
import type { Credentials } from '../../local/template-deployer';

let moto: Moto;
let org: Organization;
let central: DeployedStack;
let la: Credentials;

beforeAll(async () => {
  moto = await startMoto();
  org = await emulateOrganization(moto.endpoint, { members: [] });
  central = org.stacks.find((s) => s.account === org.logArchive && s.stackName === 'LogwardenCentral')!;
  la = await org.admin(org.logArchive);
}, 240_000);

afterAll(async () => {
  await moto?.stop();
});

const ofType = (stack: DeployedStack, type: string) =>
  Object.entries(stack.template.Resources).filter(([, r]) => r.Type === type);
const ref = (stack: DeployedStack, id: string, attribute?: string) =>
  resolveValue(
    stack.template,
    attribute ? { 'Fn::GetAtt': [id, attribute] } : { Ref: id },
    stack.region,
    stack.account,
  );
const archiveBucketId = () =>
  ofType(central, 'AWS::S3::Bucket').find(([, r]) => r.Properties?.ObjectLockEnabled === true)![0];
const policyOf = (bucketId: string) =>
  ofType(central, 'AWS::S3::BucketPolicy').find(
    ([, r]) => (r.Properties?.Bucket as { Ref?: string }).Ref === bucketId,
  )![1].Properties!.PolicyDocument;

describe('the central stack, created from its template', () => {
  it('every KMS key has the template key policy and rotation', async () => {
    const kms = new KMSClient({ region: central.region, credentials: la });
    const keys = ofType(central, 'AWS::KMS::Key');
    expect(keys.length).toBeGreaterThan(0);
    for (const [id, key] of keys) {
      const KeyId = ref(central, id);
      const policy = await kms.send(new GetKeyPolicyCommand({ KeyId, PolicyName: 'default' }));
      expect(JSON.parse(policy.Policy!)).toEqual(resolveDocument(central, key.Properties!.KeyPolicy));
      const rotation = await kms.send(new GetKeyRotationStatusCommand({ KeyId }));
      expect(rotation.KeyRotationEnabled).toBe(key.Properties!.EnableKeyRotation === true);
    }
  });

  it('the archive bucket has the template Object Lock, encryption, versioning and bucket policy', async () => {
    const s3 = new S3Client({ region: central.region, credentials: la });
    const id = archiveBucketId();
    const Bucket = physicalName(central.template, id);
    const p = resolveDocument(central, central.template.Resources[id].Properties) as Record<string, never>;
    // "You can only enable Object Lock for new buckets" (S3 User Guide, Configuring S3 Object
    // Lock): it is asked at CreateBucket, and GetObjectLockConfiguration answers Enabled.
    const lock = await s3.send(new GetObjectLockConfigurationCommand({ Bucket }));
    expect(lock.ObjectLockConfiguration?.ObjectLockEnabled).toBe(p.ObjectLockEnabled ? 'Enabled' : undefined);
    const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket }));
    const [rule] = (
      p.BucketEncryption as {
        ServerSideEncryptionConfiguration: {
          BucketKeyEnabled: boolean;
          ServerSideEncryptionByDefault: { SSEAlgorithm: string; KMSMasterKeyID: string };
        }[];
      }
    ).ServerSideEncryptionConfiguration;
    expect(encryption.ServerSideEncryptionConfiguration?.Rules).toEqual([
      {
        ApplyServerSideEncryptionByDefault: rule.ServerSideEncryptionByDefault,
        BucketKeyEnabled: rule.BucketKeyEnabled,
      },
    ]);
    // The key is the one KMS created for the template's archive key, not a name of our choosing.
    const archiveKey = (
      central.template.Resources[id].Properties!.BucketEncryption as {
        ServerSideEncryptionConfiguration: { ServerSideEncryptionByDefault: { KMSMasterKeyID: unknown } }[];
      }
    ).ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.KMSMasterKeyID as {
      'Fn::GetAtt': string[];
    };
    expect(rule.ServerSideEncryptionByDefault.KMSMasterKeyID).toMatch(
      new RegExp(`^arn:aws:kms:${central.region}:${central.account}:key/[0-9a-f-]{36}$`),
    );
    expect(rule.ServerSideEncryptionByDefault.KMSMasterKeyID).toBe(
      ref(central, archiveKey['Fn::GetAtt'][0], 'Arn'),
    );
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBe('Enabled');
    const policy = await s3.send(new GetBucketPolicyCommand({ Bucket }));
    expect(JSON.parse(policy.Policy!)).toEqual(resolveDocument(central, policyOf(id)));
  });

  it('a change of the archive bucket policy or Object Lock by an administrator is refused by the template bucket policy', async () => {
    // IAM User Guide, "Policy evaluation logic": "An explicit deny in any of the policies
    // overrides the allow". The administrator's identity policy allows s3:*; the template's
    // bucket policy denies these calls to everyone but the break-glass role.
    const s3 = new S3Client({ region: central.region, credentials: la });
    const Bucket = physicalName(central.template, archiveBucketId());
    await expect(
      s3.send(
        new PutBucketPolicyCommand({
          Bucket,
          Policy: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
        }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(
      s3.send(
        new PutObjectLockConfigurationCommand({
          Bucket,
          ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    const policy = await s3.send(new GetBucketPolicyCommand({ Bucket }));
    expect(JSON.parse(policy.Policy!)).toEqual(resolveDocument(central, policyOf(archiveBucketId())));
  });

  it('a rewrite of the archive key policy by an administrator is refused by the template key policy', async () => {
    // The archive key's policy denies kms:PutKeyPolicy to every principal but the break-glass
    // role: "An explicit deny in any of the policies overrides the allow" (IAM User Guide).
    const kms = new KMSClient({ region: central.region, credentials: la });
    const [[id, key]] = ofType(central, 'AWS::KMS::Key').filter(([, k]) =>
      JSON.stringify(k.Properties?.KeyPolicy).includes('kms:PutKeyPolicy'),
    );
    const KeyId = ref(central, id);
    await expect(
      kms.send(
        new PutKeyPolicyCommand({
          KeyId,
          PolicyName: 'default',
          Policy: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
        }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const policy = await kms.send(new GetKeyPolicyCommand({ KeyId, PolicyName: 'default' }));
    expect(JSON.parse(policy.Policy!)).toEqual(resolveDocument(central, key.Properties!.KeyPolicy));
  });

  it('the stream has the template key, retention and mode', async () => {
    const [[id, stream]] = ofType(central, 'AWS::Kinesis::Stream');
    const p = stream.Properties as {
      RetentionPeriodHours: number;
      StreamEncryption: { KeyId: unknown };
      StreamModeDetails: { StreamMode: string };
    };
    const kinesis = createClient(KinesisClient, {
      region: central.region,
      http1: true,
      credentials: async () => la,
    });
    const summary = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: ref(central, id) })))
      .StreamDescriptionSummary!;
    expect(summary).toMatchObject({
      EncryptionType: 'KMS',
      KeyId: resolveValue(central.template, p.StreamEncryption.KeyId, central.region, central.account),
      RetentionPeriodHours: p.RetentionPeriodHours,
      StreamModeDetails: { StreamMode: p.StreamModeDetails.StreamMode },
    });
  });

  it('the alert topic has the template key and policy', async () => {
    const [[id, topic]] = ofType(central, 'AWS::SNS::Topic');
    const [[, topicPolicy]] = ofType(central, 'AWS::SNS::TopicPolicy');
    const sns = new SNSClient({ region: central.region, credentials: la });
    const attributes = (await sns.send(new GetTopicAttributesCommand({ TopicArn: ref(central, id) })))
      .Attributes!;
    expect(attributes.KmsMasterKeyId).toBe(
      resolveValue(central.template, topic.Properties!.KmsMasterKeyId, central.region, central.account),
    );
    expect(JSON.parse(attributes.Policy)).toEqual(
      resolveDocument(central, topicPolicy.Properties!.PolicyDocument),
    );
  });

  it('no policy of the log-archive stacks has a tag condition key (the deployer applies no Tags)', () => {
    for (const stack of org.stacks.filter((s) => s.account === org.logArchive))
      expect(JSON.stringify(stack.template)).not.toMatch(/aws:(ResourceTag|RequestTag|PrincipalTag)/);
  });

  it('each region destination has the template target, role and access policy', async () => {
    const destinations = org.stacks.filter((s) => s.stackName.startsWith('LogwardenDestination-'));
    expect(destinations.map((s) => s.region).sort()).toEqual([...org.regions].sort());
    for (const stack of destinations) {
      const [[id, d]] = ofType(stack, 'AWS::Logs::Destination');
      const logs = new CloudWatchLogsClient({ region: stack.region, credentials: la });
      const name = physicalName(stack.template, id);
      const [found] = (await logs.send(new DescribeDestinationsCommand({ DestinationNamePrefix: name })))
        .destinations!;
      expect(found).toMatchObject({
        destinationName: name,
        targetArn: resolveValue(stack.template, d.Properties!.TargetArn, stack.region, stack.account),
        roleArn: resolveValue(stack.template, d.Properties!.RoleArn, stack.region, stack.account),
      });
      expect(JSON.parse(found.accessPolicy!)).toEqual(JSON.parse(String(d.Properties!.DestinationPolicy)));
    }
  });
});
