/**
 * KMS key policies on the stand-in (local/standins/iam.py), with the AWS text they rest on: an
 * identity policy grants on a key only where the key policy lets it. Real SDK clients, IAM
 * enforced (world.ts).
 */
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { conformance } from './conformance';
import { World, member, region } from './world';

let world: World;
let kms: KMSClient;

const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

/** A role of the member account whose identity policy allows every KMS action on every key. */
async function kmsAdministrator(): Promise<KMSClient> {
  const iam = world.as(IAMClient, member, 'us-east-1');
  const arn = (
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'conformance-kms',
        AssumeRolePolicyDocument: doc({
          Effect: 'Allow',
          Principal: { Service: 'lambda.amazonaws.com' },
          Action: 'sts:AssumeRole',
        }),
      }),
    )
  ).Role!.Arn!;
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'conformance-kms',
      PolicyName: 'inline',
      PolicyDocument: doc({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }),
    }),
  );
  const res = await world.serviceCredentials(arn, 'lambda.amazonaws.com');
  if (res.status !== 200) throw new Error(JSON.stringify(res.body));
  return new KMSClient({ region, endpoint: world.moto.endpoint, credentials: res.body as never });
}

const keyWithPolicy = async (principal: string) =>
  (
    await world.as(KMSClient, member).send(
      new CreateKeyCommand({
        Policy: doc({ Effect: 'Allow', Principal: { AWS: principal }, Action: 'kms:*', Resource: '*' }),
        BypassPolicyLockoutSafetyCheck: true,
      }),
    )
  ).KeyMetadata!.KeyId!;

beforeAll(async () => {
  world = await World.start({ iam: true });
  kms = await kmsAdministrator();
}, 60_000);

afterAll(() => world?.stop());

conformance('kms:DescribeKey', {
  behaviour: 'an identity policy grants on a key only where the key policy names the account',
  source:
    'KMS Developer Guide, "Key policies in AWS KMS": "Unless the key policy explicitly allows it, you cannot use IAM policies to allow access to a KMS key. Without permission from the key policy, IAM policies that allow permissions have no effect."',
  refuses: [
    'a role allowed kms:* by its identity policy, on a key whose policy names another principal only',
    async () => {
      const KeyId = await keyWithPolicy(`arn:aws:iam::${member}:role/someone-else`);
      await expect(kms.send(new DescribeKeyCommand({ KeyId }))).rejects.toMatchObject({
        name: 'AccessDeniedException',
      });
    },
  ],
  accepts: [
    'the same role on a key whose policy names the account (delegating to IAM)',
    async () => {
      const KeyId = await keyWithPolicy(`arn:aws:iam::${member}:root`);
      await expect(kms.send(new DescribeKeyCommand({ KeyId }))).resolves.toBeDefined();
    },
  ],
});
