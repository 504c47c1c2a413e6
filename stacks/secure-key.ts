import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * A customer-managed key with yearly rotation that survives stack deletion (data outlives stacks),
 * and so does its alias: policies and the archive guard SCP name the key by its alias
 * (`kms:ResourceAliases`), the SCP denies `kms:DeleteAlias` on the archive's, and a retained key
 * without its name would be an unnamed key holding the data.
 */
export function secureKey(scope: Construct, id: string, purpose: string, alias: string): kms.Key {
  const key = new kms.Key(scope, id, {
    description: `logwarden: ${purpose}`,
    alias,
    enableKeyRotation: true,
    rotationPeriod: Duration.days(365),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  (key.node.findChild('Alias') as kms.Alias).applyRemovalPolicy(RemovalPolicy.RETAIN);
  return key;
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

/**
 * Lets EventBridge put into (and dead-letter to) queues under this key, for the named rules of
 * this stack only: EventBridge encrypts with the queue's key as itself, so the key policy must
 * admit events.amazonaws.com, held to the rules by aws:SourceArn.
 */
export function allowEventBridgeRules(key: kms.IKey, sid: string, stack: Stack, ruleNames: string[]): void {
  const arns = ruleNames.map(
    (name) => `arn:${stack.partition}:events:${stack.region}:${stack.account}:rule/${name}`,
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid,
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnEquals: { 'aws:SourceArn': arns.length === 1 ? arns[0] : arns },
      },
    }),
  );
}

/**
 * Lets `grantee` read and write items of a table under a customer managed key: on each access
 * DynamoDB decrypts the table key as the caller, so the caller needs kms:Decrypt on the key,
 * through DynamoDB, with the table's name in the encryption context (KMS Developer Guide, "How
 * Amazon DynamoDB uses AWS KMS": "Decrypt", "The user is the principal in your AWS account who is
 * accessing the table"; "DynamoDB encryption context": aws:dynamodb:tableName). `Table.grant`
 * with explicit actions adds no key permission, unlike grantReadData/grantWriteData, which would
 * also add kms:Encrypt, kms:ReEncrypt* and kms:GenerateDataKey* that item access never uses.
 */
export function grantTableKeyDecrypt(table: dynamodb.ITable, grantee: iam.IGrantable): void {
  if (!table.encryptionKey) throw new Error(`table ${table.node.path} has no customer managed key`);
  const stack = Stack.of(table);
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [table.encryptionKey.keyArn],
      conditions: {
        StringEquals: {
          'kms:ViaService': `dynamodb.${stack.region}.amazonaws.com`,
          'kms:EncryptionContext:aws:dynamodb:tableName': table.tableName,
        },
      },
    }),
  );
}
