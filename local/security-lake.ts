/**
 * What Amazon Security Lake does for logwarden's custom sources, as the local world emulates it
 * (moto serves no Security Lake API): its bucket, and per source the provider role
 * CreateCustomLogSource makes. Security Lake User Guide, "Collecting data from custom sources in
 * Security Lake": "Security Lake creates an IAM role that permits the source to write data to
 * the correct location in the data lake. The name of the role follows the format
 * AmazonSecurityLake-Provider-{name of the custom source}-{region}"; "Security Lake attaches a
 * policy to the role that permits access to the data lake". The API Reference
 * (CustomLogSourceProvider.roleArn): "The IAM role must trust the logProviderAccountId to assume
 * the role", with the provider identity's external id. Security Lake's own policy is not
 * published; the emulation grants the least that lets a source write: s3:PutObject under its own
 * `ext/<source>/` prefix (docs/lake.md).
 */
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, S3Client, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import { providerRoleName, securityLakeClasses } from '../contracts/security-lake';
import { asRoot } from './standins/prerequisites';

export interface EmulatedSecurityLake {
  account: string;
  region: string;
  bucket: string;
  externalId: string;
}

/** Creates Security Lake's bucket and the provider role of each of logwarden's custom sources. */
export async function emulateCustomLogSources(
  endpoint: string,
  lake: EmulatedSecurityLake,
): Promise<string[]> {
  const s3 = asRoot(S3Client, endpoint, lake.account, lake.region);
  await s3.send(
    new CreateBucketCommand({
      Bucket: lake.bucket,
      ...(lake.region === 'us-east-1'
        ? {}
        : { CreateBucketConfiguration: { LocationConstraint: lake.region as BucketLocationConstraint } }),
    }),
  );
  const iam = asRoot(IAMClient, endpoint, lake.account, 'us-east-1');
  const roles: string[] = [];
  for (const c of securityLakeClasses) {
    const name = providerRoleName(c.sourceName, lake.region);
    await iam.send(
      new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${lake.account}:root` },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'sts:ExternalId': lake.externalId } },
            },
          ],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: name,
        PolicyName: 'security-lake-custom-source',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 's3:PutObject',
              Resource: `arn:aws:s3:::${lake.bucket}/ext/${c.sourceName}/*`,
            },
          ],
        }),
      }),
    );
    roles.push(`arn:aws:iam::${lake.account}:role/${name}`);
  }
  return roles;
}
