import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledge } from '../../workflows/acknowledge';
import { securityLakeClasses, securityLakeCrawlerRoleName } from '../../contracts/security-lake';

/**
 * What the stack holds of logwarden as an Amazon Security Lake custom source: the Glue crawler
 * role that CreateCustomLogSource takes. CloudFormation has no resource type for a custom log
 * source (AWS::SecurityLake has AwsLogSource, DataLake, Subscriber, SubscriberNotification), so
 * the sources themselves are the CreateCustomLogSource requests of contracts/security-lake.ts
 * (docs/lake.md). Security Lake then creates, per source, the prefix `ext/<source>/`, the Glue
 * table and crawler, and the provider role this account assumes, with the external id, to write
 * there (Security Lake User Guide, "Collecting data from custom sources in Security Lake").
 */
export class SecurityLakeSources extends Construct {
  readonly crawlerRole: iam.Role;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    // CustomLogSourceCrawlerConfiguration.roleArn: "The recommended IAM policies are: The managed
    // policy AWSGlueServiceRole; A custom policy granting access to your Amazon S3 Data Lake"
    // (Security Lake API Reference).
    this.crawlerRole = new iam.Role(this, 'CrawlerRole', {
      roleName: securityLakeCrawlerRoleName,
      description: "logwarden: Security Lake's Glue crawler over logwarden's custom-source partitions",
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
      }),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSGlueServiceRole')],
    });
    // The data lake bucket is Security Lake's (aws-security-data-lake-<region>-<id>): named by
    // the service, so by pattern; only logwarden's sources' prefixes are read.
    const dataLakeBucket = `arn:${stack.partition}:s3:::aws-security-data-lake-${stack.region}-*`;
    this.crawlerRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadLogwardenSources',
        actions: ['s3:GetObject'],
        resources: securityLakeClasses.map((c) => `${dataLakeBucket}/ext/${c.sourceName}/*`),
      }),
    );
    this.crawlerRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListLogwardenSources',
        actions: ['s3:ListBucket'],
        resources: [dataLakeBucket],
        conditions: { StringLike: { 's3:prefix': securityLakeClasses.map((c) => `ext/${c.sourceName}/*`) } },
      }),
    );
    acknowledge(
      this.crawlerRole,
      'The crawler role of a Security Lake custom source: the Security Lake API Reference recommends the AWSGlueServiceRole managed policy for it (CustomLogSourceCrawlerConfiguration.roleArn).',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSGlueServiceRole]',
    );
    acknowledge(
      this.crawlerRole,
      'Security Lake names its data lake bucket (aws-security-data-lake-<region>-<id>) and the crawler reads the objects its sources write under their own ext/<source>/ prefixes.',
      ...securityLakeClasses.map(
        (c) => `AwsSolutions-IAM5[Resource::${dataLakeBucket}/ext/${c.sourceName}/*]`,
      ),
      `AwsSolutions-IAM5[Resource::${dataLakeBucket}]`,
    );
  }
}
