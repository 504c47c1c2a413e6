import type { Suppression } from './check';

/** A central pipeline's stack: `LogwardenCentral`, or with pipeline.regional `LogwardenCentral-<region>`. */
const central = String.raw`^LogwardenCentral(-[a-z]{2}(-gov)?-[a-z]+-\d)?\/`;

/**
 * Findings of the IAM gate that are known and harmless, each with the reason. A suppression no
 * finding uses fails the gate, so this list cannot outlive what it excuses.
 */
export const suppressions: Suppression[] = [
  {
    action: 'kinesis:ListStreams',
    resource: /^arn:aws:kinesis:.*:stream\//,
    where: new RegExp(central),
    reason:
      'CDK writes it into the statements of Stream.grantRead with the stream ARN. ListStreams has no resource type, so that pair grants nothing; nothing of logwarden calls ListStreams (the consumers name their stream), so the grant that can never match is harmless.',
  },
  ...['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'].map((action): Suppression => ({
    action,
    resource: /^arn:aws:kinesis:.*:stream\/\$\{name\}$/,
    where: new RegExp(`${central}(FirehoseArchiveRole|ConsumersIndexerServiceRole|ConsumersAlerterRole)`),
    reason:
      "CDK's Stream.grantRead writes them with the stream ARN (Firehose's source role, and the stream grant KinesisConsumerEventSource adds for the indexer and the alerter). They act only on a consumer (SAR: resource type consumer*), so that pair grants nothing. Firehose reads the stream with GetRecords, without enhanced fan-out; the indexer and the alerter are granted both actions on their own consumer's ARN, a pair the gate checks and passes.",
  })),
  ...['ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress'].map((action): Suppression => ({
    action,
    dependent: 'ec2:CreateTags',
    where: new RegExp(`${central}CustomVpcRestrictDefaultSGCustomResourceProviderRole`),
    reason:
      "CreateTags is needed only to tag the rule as it is created (TagSpecifications). CDK's restrictDefaultSecurityGroup provider revokes the search VPC's default security group rules, and puts them back untagged only when the stack is deleted.",
  })),
  ...['autoscaling:DescribeTags', 'ec2:DescribeTags', 'iam:CreateServiceLinkedRole'].map(
    (dependent): Suppression => ({
      action: 'ec2:CreateFlowLogs',
      dependent,
      reason:
        "Needed only for flow-log fields enriched with EC2 and Auto Scaling tags, which VPC Flow Logs reads through its own service-linked role (AWS managed policy AWSVPCFlowLogsServiceRolePolicy). logwarden's format lw-vpc-v8 has no tag fields (functions/shared/flow-log-formats.ts).",
    }),
  ),
];
