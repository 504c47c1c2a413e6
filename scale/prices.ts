/**
 * us-east-1 list prices the cost estimate uses, in USD. The offline reference corpus this was
 * written with holds none of the AWS pricing pages, so every price below is the list price as
 * known in 2025 (the date of the last price seen), named with its pricing page: verify each one
 * on that page before relying on the total. No price is invented: where one was not known, the
 * item is left out of the table and said so in docs/scale.md.
 */
export const pricesAsOf = '2025 list prices, not re-checked offline (verify)';
// Checked 2026-12-06 against what the reference corpus holds (docs/scale.md, "The prices
// checked"): OpenSearch managed storage, gp3, CloudWatch Logs storage and the inter-Region rate
// agree with secondary sources quoting the pricing pages; the OpenSearch instance-hours could not
// be checked (no page with them).

export interface Price {
  usd: number;
  unit: string;
  page: string;
}

export const prices = {
  stepFunctionsStandardTransition: {
    usd: 0.025 / 1000,
    unit: 'state transition (Standard)',
    page: 'https://aws.amazon.com/step-functions/pricing/',
  },
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    unit: 'GB-second (arm64)',
    page: 'https://aws.amazon.com/lambda/pricing/',
  },
  lambdaRequest: { usd: 0.2 / 1e6, unit: 'request', page: 'https://aws.amazon.com/lambda/pricing/' },
  kinesisOnDemandStreamHour: {
    usd: 0.04,
    unit: 'stream-hour (on-demand)',
    page: 'https://aws.amazon.com/kinesis/data-streams/pricing/',
  },
  kinesisOnDemandIngestGb: {
    usd: 0.08,
    unit: 'GB ingested (on-demand)',
    page: 'https://aws.amazon.com/kinesis/data-streams/pricing/',
  },
  kinesisOnDemandRetrievalGb: {
    usd: 0.04,
    unit: 'GB retrieved per consumer (on-demand)',
    page: 'https://aws.amazon.com/kinesis/data-streams/pricing/',
  },
  firehoseIngestGb: {
    usd: 0.029,
    unit: 'GB ingested (first 500 TB/month, records rounded up to 5 KB)',
    page: 'https://aws.amazon.com/firehose/pricing/',
  },
  cloudWatchLogsIngestGb: {
    usd: 0.5,
    unit: 'GB ingested (standard class; vended logs such as flow logs: first 10 TB)',
    page: 'https://aws.amazon.com/cloudwatch/pricing/',
  },
  cloudWatchLogsStorageGbMonth: {
    usd: 0.03,
    unit: 'GB-month stored (compressed, standard class)',
    page: 'https://aws.amazon.com/cloudwatch/pricing/',
  },
  /**
   * Data transfer between Regions, billed by the sending Region: $0.02/GB for US, European and
   * most Asia-Pacific pairs; some pairs (South America, the Middle East, parts of Asia) cost up
   * to $0.08–0.09/GB, so this is a floor there.
   */
  interRegionTransferGb: {
    usd: 0.02,
    unit: 'GB sent to another Region',
    page: 'https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer',
  },
  cloudWatchVendedToFirehoseGb: {
    usd: 0.25,
    unit: 'GB of vended logs (flow logs) delivered to Firehose, first 10 TB',
    page: 'https://aws.amazon.com/cloudwatch/pricing/',
  },
  /**
   * Firehose's CloudWatch Logs decompression (the central stream's Decompression processor),
   * billed per GB decompressed. Not in any stored page: the figure is the list price as
   * remembered, to be checked on the pricing page like every price here.
   */
  firehoseCloudWatchLogsDecompressionGb: {
    usd: 0.00325,
    unit: 'GB decompressed (CloudWatch Logs decompression; not confirmed from a stored page)',
    page: 'https://aws.amazon.com/firehose/pricing/',
  },
  firehoseVendedIngestGb: {
    usd: 0.13,
    unit: 'GB ingested from vended logs as source (not confirmed from a stored page)',
    page: 'https://aws.amazon.com/firehose/pricing/',
  },
  kinesisProvisionedShardHour: {
    usd: 0.015,
    unit: 'shard-hour (provisioned)',
    page: 'https://aws.amazon.com/kinesis/data-streams/pricing/',
  },
  kinesisProvisionedPutUnit: {
    usd: 0.014 / 1e6,
    unit: 'PUT payload unit (25 KB, provisioned)',
    page: 'https://aws.amazon.com/kinesis/data-streams/pricing/',
  },
  s3StandardGbMonth: {
    usd: 0.023,
    unit: 'GB-month (first 50 TB)',
    page: 'https://aws.amazon.com/s3/pricing/',
  },
  s3GlacierIrGbMonth: {
    usd: 0.004,
    unit: 'GB-month (Glacier Instant Retrieval)',
    page: 'https://aws.amazon.com/s3/pricing/',
  },
  s3DeepArchiveGbMonth: {
    usd: 0.00099,
    unit: 'GB-month (Glacier Deep Archive)',
    page: 'https://aws.amazon.com/s3/pricing/',
  },
  dynamoDbOnDemandWrite: {
    usd: 0.625 / 1e6,
    unit: 'write request unit (on-demand)',
    page: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  },
  openSearchManagedStorageGbMonth: {
    usd: 0.024,
    unit: 'GB-month (UltraWarm and cold managed storage)',
    page: 'https://aws.amazon.com/opensearch-service/pricing/',
  },
  openSearchGp3GbMonth: {
    usd: 0.122,
    unit: 'GB-month (gp3 EBS)',
    page: 'https://aws.amazon.com/opensearch-service/pricing/',
  },
} satisfies Record<string, Price>;

/** OpenSearch on-demand instance-hours, by instance type; a type not listed is left out of the total. */
export const openSearchInstanceHour: Record<string, Price> = {
  'r7g.large.search': {
    usd: 0.167,
    unit: 'instance-hour',
    page: 'https://aws.amazon.com/opensearch-service/pricing/',
  },
  'r7g.xlarge.search': {
    usd: 0.335,
    unit: 'instance-hour',
    page: 'https://aws.amazon.com/opensearch-service/pricing/',
  },
  'r7g.2xlarge.search': {
    usd: 0.669,
    unit: 'instance-hour',
    page: 'https://aws.amazon.com/opensearch-service/pricing/',
  },
  'ultrawarm1.medium.search': {
    usd: 0.238,
    unit: 'instance-hour',
    page: 'https://aws.amazon.com/opensearch-service/pricing/',
  },
  'ultrawarm1.large.search': {
    usd: 2.68,
    unit: 'instance-hour',
    page: 'https://aws.amazon.com/opensearch-service/pricing/',
  },
  'm7g.large.search': {
    usd: 0.136,
    unit: 'instance-hour',
    page: 'https://aws.amazon.com/opensearch-service/pricing/',
  },
};
