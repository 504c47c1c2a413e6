import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';

/**
 * Whether the log group exists, by name. DescribeLogGroups matches a prefix and answers at most
 * 50 groups a page (CloudWatch Logs API Reference, DescribeLogGroups: `limit` default and maximum
 * 50, then `nextToken`): longer names sharing the prefix may fill the first pages, so the pages
 * are followed until the exact name is found or none is left.
 */
export async function logGroupExists(logs: CloudWatchLogsClient, name: string): Promise<boolean> {
  let nextToken: string | undefined;
  do {
    const page = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name, nextToken }));
    if ((page.logGroups ?? []).some((g) => g.logGroupName === name)) return true;
    nextToken = page.nextToken;
  } while (nextToken);
  return false;
}
