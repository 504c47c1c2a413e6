import type { Suppression } from './check';

/**
 * Findings of the IAM gate that are known and harmless, each with the reason. A suppression no
 * finding uses fails the gate, so this list cannot outlive what it excuses.
 */
export const suppressions: Suppression[] = [
  {
    action: 'kinesis:ListStreams',
    resource: /^arn:aws:kinesis:.*:stream\//,
    where: /^LogwardenCentral\//,
    reason:
      'CDK writes it into the statements of Stream.grantRead with the stream ARN. ListStreams has no resource type, so that pair grants nothing; nothing of logwarden calls ListStreams (the consumers name their stream), so the grant that can never match is harmless.',
  },
  ...['autoscaling:DescribeTags', 'ec2:DescribeTags', 'iam:CreateServiceLinkedRole'].map(
    (dependent): Suppression => ({
      action: 'ec2:CreateFlowLogs',
      dependent,
      reason:
        "Needed only for flow-log fields enriched with EC2 and Auto Scaling tags, which VPC Flow Logs reads through its own service-linked role (AWS managed policy AWSVPCFlowLogsServiceRolePolicy). logwarden's format lw-vpc-v8 has no tag fields (functions/shared/flow-log-formats.ts).",
    }),
  ),
];
