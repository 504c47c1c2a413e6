import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** A customer-managed key with yearly rotation that survives stack deletion (data outlives stacks). */
export function secureKey(scope: Construct, id: string, purpose: string, alias: string): kms.Key {
  return new kms.Key(scope, id, {
    description: `logwarden: ${purpose}`,
    alias,
    enableKeyRotation: true,
    rotationPeriod: Duration.days(365),
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

/** Lets CloudWatch Logs of this account and region encrypt log groups with the key. */
export function allowCloudWatchLogs(key: kms.Key, region: string, account: string): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchLogsOfThisAccount',
      principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${region}:${account}:log-group:*` },
      },
    }),
  );
}
