/**
 * CloudWatch Logs rules on the stand-in (local/standins/logs.py, logs_rules.py,
 * filter_pattern.py), each with the AWS text it rests on: account subscription policies,
 * subscription filters, destinations and their access policies, filter patterns deciding what is
 * delivered. Real SDK clients, root users of the emulated organization (world.ts).
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteAccountPolicyCommand,
  DescribeAccountPoliciesCommand,
  DescribeSubscriptionFiltersCommand,
  PutAccountPolicyCommand,
  type PutAccountPolicyCommandInput,
  PutDestinationCommand,
  PutDestinationPolicyCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  PutSubscriptionFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
} from '@aws-sdk/client-kinesis';
import { gunzipSync } from 'node:zlib';
import { conformance } from './conformance';
import { World, logArchive, member, organizationDestinationPolicy, region, securityTooling } from './world';

let world: World;
let organizationId: string;
let streamArn: string;
let iterator: string | undefined;
const other = 'eu-central-1';
const destinationArn = (where: string) => `arn:aws:logs:${where}:${logArchive}:destination:central-${where}`;
const senderRole = (account: string) => `arn:aws:iam::${account}:role/logwarden-subscription`;

interface Payload {
  messageType: string;
  logGroup: string;
  logEvents: { message: string }[];
}

/** The DATA_MESSAGE payloads that arrived in the central stream since the last read. */
async function delivered(): Promise<Payload[]> {
  const kinesis = world.as(KinesisClient, logArchive);
  iterator ??= (
    await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: 'central',
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    )
  ).ShardIterator;
  const res = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
  iterator = res.NextShardIterator;
  return (res.Records ?? [])
    .map((r) => JSON.parse(gunzipSync(r.Data!).toString('utf8')) as Payload)
    .filter((p) => p.messageType === 'DATA_MESSAGE');
}

const logs = (account: string, where = region) => world.as(CloudWatchLogsClient, account, where);

async function group(account: string, name: string) {
  await logs(account).send(new CreateLogGroupCommand({ logGroupName: name }));
  await logs(account).send(new CreateLogStreamCommand({ logGroupName: name, logStreamName: 'main' }));
}

async function write(account: string, name: string, ...messages: string[]) {
  await logs(account).send(
    new PutLogEventsCommand({
      logGroupName: name,
      logStreamName: 'main',
      logEvents: messages.map((message) => ({ timestamp: Date.now(), message })),
    }),
  );
}

function accountPolicy(
  over: Partial<PutAccountPolicyCommandInput> & { filterPattern?: string; where?: string } = {},
) {
  const { filterPattern = '', where = region, ...rest } = over;
  return new PutAccountPolicyCommand({
    policyName: 'logwarden-central',
    policyType: 'SUBSCRIPTION_FILTER_POLICY',
    policyDocument: JSON.stringify({
      DestinationArn: destinationArn(where),
      RoleArn: senderRole(member),
      FilterPattern: filterPattern,
      Distribution: 'Random',
    }),
    selectionCriteria: 'LogGroupName NOT IN ["/logwarden/own"]',
    scope: 'ALL',
    ...rest,
  });
}

/**
 * An access policy of exactly `bytes` bytes naming `principal`, with the actions of the User
 * Guide's example for account-level subscriptions ("Step 2", destination policy):
 * "logs:PutSubscriptionFilter","logs:PutAccountPolicy".
 */
function accessPolicy(
  principal: unknown,
  bytes?: number,
  where = region,
  actions = ['logs:PutSubscriptionFilter', 'logs:PutAccountPolicy'],
): string {
  const doc = (sid: string) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: sid,
          Effect: 'Allow',
          Principal: principal,
          Action: actions,
          Resource: destinationArn(where),
        },
      ],
    });
  if (bytes === undefined) return doc('Senders');
  const text = doc('S'.repeat(bytes - doc('').length));
  expect(Buffer.byteLength(text)).toBe(bytes);
  return text;
}

beforeAll(async () => {
  world = await World.start();
  organizationId = await world.organization();
  const kinesis = world.as(KinesisClient, logArchive);
  await kinesis.send(new CreateStreamCommand({ StreamName: 'central', ShardCount: 1 }));
  streamArn = (await kinesis.send(new DescribeStreamCommand({ StreamName: 'central' }))).StreamDescription!
    .StreamARN!;
  // A destination in each Region, both into the one stream of eu-west-1: "the destination can
  // point to an AWS resource ... that is located in a different Region".
  for (const where of [region, other]) {
    await logs(logArchive, where).send(
      new PutDestinationCommand({
        destinationName: `central-${where}`,
        targetArn: streamArn,
        roleArn: `arn:aws:iam::${logArchive}:role/logwarden-destination`,
      }),
    );
    await logs(logArchive, where).send(
      new PutDestinationPolicyCommand({
        destinationName: `central-${where}`,
        accessPolicy: organizationDestinationPolicy(destinationArn(where), organizationId),
      }),
    );
  }
  await group(member, '/app/orders');
  await group(securityTooling, '/app/audit');
}, 60_000);

afterAll(() => world?.stop());

conformance('logs:PutDestinationPolicy', {
  behaviour: 'an access policy of at most 5,120 bytes',
  source: 'botocore logs model, PutDestinationPolicyRequest.accessPolicy: "This can be up to 5120 bytes."',
  refuses: [
    'a 6,000-byte access policy',
    async () => {
      await expect(
        logs(logArchive).send(
          new PutDestinationPolicyCommand({
            destinationName: `central-${region}`,
            accessPolicy: accessPolicy({ AWS: member }, 6000),
          }),
        ),
      ).rejects.toMatchObject({
        name: 'InvalidParameterException',
        message: expect.stringContaining('5120'),
      });
    },
  ],
  accepts: [
    'a 5,120-byte access policy',
    async () => {
      await logs(logArchive).send(
        new PutDestinationPolicyCommand({
          destinationName: `central-${region}`,
          accessPolicy: accessPolicy({ AWS: member }, 5120),
        }),
      );
    },
  ],
});

conformance('logs:PutDestinationPolicy', {
  behaviour: 'senders named by account ID, not by a role',
  source:
    'CloudWatch Logs User Guide, "Step 1: Create a destination": the access policy names the sender accounts ("Principal": {"AWS": "111111111111"}) or "*" with aws:PrincipalOrgID; AWS answers an ARN principal with "Principal section of policy contains ARN instead of account ID" (InvalidParameterException, as reported against PutDestinationPolicy in aws-cdk#2452)',
  refuses: [
    "a policy naming a member's role",
    async () => {
      await expect(
        logs(logArchive).send(
          new PutDestinationPolicyCommand({
            destinationName: `central-${region}`,
            accessPolicy: accessPolicy({ AWS: `arn:aws:iam::${member}:role/logwarden-subscription` }),
          }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('ARN') });
    },
  ],
  accepts: [
    'a policy naming the account, and the organization-wide policy',
    async () => {
      for (const principal of [{ AWS: member }, '*'])
        await logs(logArchive, other).send(
          new PutDestinationPolicyCommand({
            destinationName: `central-${other}`,
            accessPolicy: accessPolicy(principal, undefined, other),
          }),
        );
      await logs(logArchive).send(
        new PutDestinationPolicyCommand({
          destinationName: `central-${region}`,
          accessPolicy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: '*',
                Action: ['logs:PutSubscriptionFilter', 'logs:PutAccountPolicy'],
                Resource: destinationArn(region),
                Condition: { StringEquals: { 'aws:PrincipalOrgID': organizationId } },
              },
            ],
          }),
        }),
      );
    },
  ],
});

conformance('logs:DescribeAccountPolicies', {
  behaviour: 'policyType is required',
  source: 'botocore logs model: DescribeAccountPoliciesRequest.policyType is required',
  refuses: [
    'a request without policyType',
    async () => {
      await expect(
        logs(member).send(
          new DescribeAccountPoliciesCommand({} as { policyType: 'SUBSCRIPTION_FILTER_POLICY' }),
        ),
      ).rejects.toMatchObject({
        name: 'InvalidParameterException',
        message:
          "1 validation error detected: Value null at 'policyType' failed to satisfy constraint: Member must not be null",
      });
    },
  ],
  accepts: [
    'SUBSCRIPTION_FILTER_POLICY',
    async () => {
      const res = await logs(member).send(
        new DescribeAccountPoliciesCommand({ policyType: 'SUBSCRIPTION_FILTER_POLICY' }),
      );
      expect(res.accountPolicies).toEqual([]);
    },
  ],
});

conformance('logs:PutAccountPolicy', {
  behaviour: 'a subscription filter policy document is a JSON object',
  source:
    'botocore logs model, PutAccountPolicyRequest.policyDocument: "A subscription filter policy can include the following attributes in a JSON block: DestinationArn ... RoleArn ... FilterPattern ... Distribution"; InvalidParameterException: "A parameter is specified incorrectly"',
  refuses: [
    'a JSON array, as a client error (HTTP 500 before)',
    async () => {
      await expect(logs(member).send(accountPolicy({ policyDocument: '[]' }))).rejects.toMatchObject({
        name: 'InvalidParameterException',
      });
    },
  ],
  accepts: [
    'the JSON object',
    async () => {
      await expect(logs(member).send(accountPolicy())).resolves.toBeDefined();
    },
  ],
});

const filtersOnly = `arn:aws:logs:${region}:${logArchive}:destination:filters-only`;

conformance('logs:PutAccountPolicy', {
  behaviour: "the destination's access policy allows the call's own action",
  source:
    'CloudWatch Logs User Guide, account-level subscriptions, "Step 2" destination policy: the example grants "Action" : ["logs:PutSubscriptionFilter","logs:PutAccountPolicy"]; for a log group\'s filter the guide grants logs:PutSubscriptionFilter. AWS states no refusal in words: the stricter answer, each call needs its own action (the denial as CloudWatch Logs words it, "User with accountId: ... is not authorized to perform: ...", CloudSnorkel/CloudWatch2S3#24)',
  refuses: [
    'an account policy to a destination that grants the member logs:PutSubscriptionFilter only',
    async () => {
      await logs(logArchive).send(
        new PutDestinationCommand({
          destinationName: 'filters-only',
          targetArn: streamArn,
          roleArn: `arn:aws:iam::${logArchive}:role/logwarden-destination`,
        }),
      );
      await logs(logArchive).send(
        new PutDestinationPolicyCommand({
          destinationName: 'filters-only',
          accessPolicy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: securityTooling },
                Action: 'logs:PutSubscriptionFilter',
                Resource: filtersOnly,
              },
            ],
          }),
        }),
      );
      const toFiltersOnly = (name: string) =>
        logs(securityTooling).send(
          new PutAccountPolicyCommand({
            policyName: name,
            policyType: 'SUBSCRIPTION_FILTER_POLICY',
            policyDocument: JSON.stringify({
              DestinationArn: filtersOnly,
              Distribution: 'Random',
            }),
            scope: 'ALL',
          }),
        );
      await expect(toFiltersOnly('filters-only')).rejects.toMatchObject({
        name: 'AccessDeniedException',
        message: expect.stringContaining('logs:PutAccountPolicy'),
      });
    },
  ],
  accepts: [
    'a log group filter to the same destination',
    async () => {
      await group(securityTooling, '/app/filters-only');
      await expect(
        logs(securityTooling).send(
          new PutSubscriptionFilterCommand({
            logGroupName: '/app/filters-only',
            filterName: 'filters-only',
            filterPattern: '',
            destinationArn: filtersOnly,
          }),
        ),
      ).resolves.toBeDefined();
    },
  ],
});

conformance('logs:PutAccountPolicy', {
  behaviour: 'scope is ALL',
  source:
    'botocore logs model, PutAccountPolicyRequest.scope: enum [ALL]; "Currently the only valid value for this parameter is ALL"',
  refuses: [
    'another scope',
    async () => {
      await expect(logs(member).send(accountPolicy({ scope: 'SOME' as 'ALL' }))).rejects.toMatchObject({
        name: 'InvalidParameterException',
        message: expect.stringContaining("'scope'"),
      });
    },
  ],
  accepts: [
    'ALL',
    async () => {
      expect((await logs(member).send(accountPolicy())).accountPolicy?.scope).toBe('ALL');
    },
  ],
});

conformance('logs:PutAccountPolicy', {
  behaviour: "the sender's role, to a destination that grants an entire organization",
  source:
    'CloudWatch Logs User Guide, account-level subscriptions, "Step 3: Create an account-level subscription filter policy": "If you are granting permissions for the subscription filter to an entire organization, you will need to use the ARN of the IAM role that you created in Step 2." (Step 2, "(Only if using an organization) Create an IAM role", creates it in the sending account)',
  refuses: [
    'no RoleArn, and the role of another account',
    async () => {
      const withoutRole = JSON.parse(accountPolicy().input.policyDocument!) as Record<string, string>;
      delete withoutRole.RoleArn;
      await expect(
        logs(member).send(accountPolicy({ policyDocument: JSON.stringify(withoutRole) })),
      ).rejects.toMatchObject({
        name: 'InvalidParameterException',
        message: expect.stringContaining('RoleArn'),
      });
      await expect(
        logs(member).send(
          accountPolicy({
            policyDocument: JSON.stringify({ ...withoutRole, RoleArn: senderRole(securityTooling) }),
          }),
        ),
      ).rejects.toMatchObject({
        name: 'InvalidParameterException',
        message: expect.stringContaining(member),
      });
    },
  ],
  accepts: [
    "the sending account's own role",
    async () => {
      const res = await logs(member).send(accountPolicy());
      expect(JSON.parse(res.accountPolicy!.policyDocument!)).toMatchObject({ RoleArn: senderRole(member) });
    },
  ],
});

conformance('logs:PutAccountPolicy', {
  behaviour: 'the destination in the Region of the policy',
  source:
    'CloudWatch Logs User Guide, "Step 3: Create an account-level subscription filter policy": "The sender account\'s log groups and the destination must be in the same AWS Region. However, the AWS resource that the destination points to can be located in a different Region."',
  refuses: [
    'a destination of another Region',
    async () => {
      await expect(logs(member).send(accountPolicy({ where: other }))).rejects.toMatchObject({
        name: 'InvalidParameterException',
        message: expect.stringContaining('same AWS Region'),
      });
    },
  ],
  accepts: [
    "the Region's own destination, which points to a stream of another Region",
    async () => {
      await logs(member, other).send(accountPolicy({ where: other }));
      expect(streamArn).toContain(`:${region}:`);
    },
  ],
});

conformance('logs:PutAccountPolicy', {
  behaviour: 'selection criteria of at most 25 KB, however many names',
  source:
    'botocore logs model, PutAccountPolicyRequest.selectionCriteria: "The selectionCriteria string can be up to 25KB in length. The length is determined by using its UTF-8 bytes." AWS does not say whether a KB is 1,000 or 1,024 bytes: the stricter 25,000 is held',
  refuses: [
    'selection criteria of 25,001 bytes',
    async () => {
      await expect(
        logs(member).send(accountPolicy({ selectionCriteria: criteria(25_001) })),
      ).rejects.toMatchObject({
        name: 'InvalidParameterException',
        message: expect.stringContaining('25KB'),
      });
    },
  ],
  accepts: [
    'selection criteria of 25,000 bytes naming 60 log groups',
    async () => {
      await logs(member).send(accountPolicy({ selectionCriteria: criteria(25_000) }));
      await logs(member).send(accountPolicy());
    },
  ],
});

/**
 * `LogGroupName NOT IN [...]` of exactly `bytes` bytes, with 60 names: AWS bounds the criteria
 * by their bytes alone (the model and the User Guide name no count of log groups; the stand-in
 * once refused more than 50, a limit no AWS text gives).
 */
function criteria(bytes: number): string {
  const names = Array.from({ length: 60 }, (_, i) => `/excluded/${i}/${'x'.repeat(400)}`);
  const text = () => `LogGroupName NOT IN ${JSON.stringify(names)}`;
  names[59] += 'y'.repeat(bytes - Buffer.byteLength(text()));
  expect(Buffer.byteLength(text())).toBe(bytes);
  return text();
}

conformance('logs:PutAccountPolicy', {
  behaviour: 'one subscription filter policy per account and Region',
  source:
    'CloudWatch Logs API Reference, PutAccountPolicy: "Each account can have one account-level subscription filter policy per Region. If you are updating an existing filter, you must specify the correct name in PolicyName."',
  refuses: [
    'a second policy of another name',
    async () => {
      await expect(logs(member).send(accountPolicy({ policyName: 'someone-elses' }))).rejects.toMatchObject({
        name: 'LimitExceededException',
      });
    },
  ],
  accepts: [
    'the same name again, updating it',
    async () => {
      await logs(member).send(accountPolicy({ filterPattern: '' }));
      const res = await logs(member).send(
        new DescribeAccountPoliciesCommand({ policyType: 'SUBSCRIPTION_FILTER_POLICY' }),
      );
      expect(res.accountPolicies?.map((p) => p.policyName)).toEqual(['logwarden-central']);
    },
  ],
});

conformance('logs:PutLogEvents', {
  behaviour: "an account policy's filter pattern decides what is delivered",
  source:
    'CloudWatch Logs User Guide, "Filter pattern syntax for metric filters, subscription filters, filter log events, and Live Tail" (JSON: "{ $.eventName = \\"StopLogging\\" }"), and PutAccountPolicyRequest.policyDocument: "FilterPattern A filter pattern for subscribing to a filtered stream of log events"; an empty pattern matches every event',
  refuses: [
    'delivering an event the pattern does not match (PutLogEvents itself succeeds), and a pattern AWS cannot read',
    async () => {
      await expect(
        logs(member).send(accountPolicy({ filterPattern: '{ $.eventName = ' })),
      ).rejects.toMatchObject({
        name: 'InvalidParameterException',
      });
      await logs(member).send(accountPolicy({ filterPattern: '{ $.eventName = "StopLogging" }' }));
      await delivered();
      await write(member, '/app/orders', JSON.stringify({ eventName: 'DescribeTrails' }), 'not json at all');
      expect(await delivered()).toEqual([]);
    },
  ],
  accepts: [
    'delivering the events it matches, and every event again once the pattern is empty',
    async () => {
      const stop = JSON.stringify({ eventName: 'StopLogging' });
      await write(member, '/app/orders', stop, JSON.stringify({ eventName: 'GetTrailStatus' }));
      expect((await delivered()).flatMap((p) => p.logEvents.map((e) => e.message))).toEqual([stop]);
      await logs(member).send(accountPolicy({ filterPattern: '' }));
      await write(member, '/app/orders', 'order 42');
      expect((await delivered()).flatMap((p) => p.logEvents.map((e) => e.message))).toEqual(['order 42']);
    },
  ],
});

conformance('logs:DeleteAccountPolicy', {
  behaviour: 'an existing policy, by name and type',
  source:
    'CloudWatch Logs API Reference, DeleteAccountPolicy: "Deletes a CloudWatch Logs account policy"; ResourceNotFoundException: "The specified resource does not exist."',
  refuses: [
    'a policy that does not exist',
    async () => {
      await expect(
        logs(member).send(
          new DeleteAccountPolicyCommand({
            policyName: 'not-there',
            policyType: 'SUBSCRIPTION_FILTER_POLICY',
          }),
        ),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    },
  ],
  accepts: [
    'the policy: nothing is delivered after it',
    async () => {
      await logs(member).send(
        new DeleteAccountPolicyCommand({
          policyName: 'logwarden-central',
          policyType: 'SUBSCRIPTION_FILTER_POLICY',
        }),
      );
      await write(member, '/app/orders', 'order 43');
      expect(await delivered()).toEqual([]);
    },
  ],
});

const subscribe = (name: string, filterPattern = '', where = region) =>
  logs(securityTooling).send(
    new PutSubscriptionFilterCommand({
      logGroupName: '/app/audit',
      filterName: name,
      filterPattern,
      destinationArn: destinationArn(where),
      roleArn: senderRole(securityTooling),
    }),
  );

conformance('logs:PutSubscriptionFilter', {
  behaviour: 'the destination in the Region of the log group',
  source:
    'CloudWatch Logs User Guide, "Step 4: Create a subscription filter": "The log group and the destination must be in the same AWS Region. However, the AWS resource that the destination points to can be located in a different Region."',
  refuses: [
    'a destination of another Region',
    async () => {
      await expect(subscribe('first', '', other)).rejects.toMatchObject({
        name: 'InvalidParameterException',
        message: expect.stringContaining('same AWS Region'),
      });
    },
  ],
  accepts: [
    'the destination of its Region',
    async () => {
      await subscribe('first');
    },
  ],
});

conformance('logs:PutSubscriptionFilter', {
  behaviour: 'two filters a log group; updating one of them',
  source:
    'CloudWatch Logs API Reference, PutSubscriptionFilter: "Each log group can have up to two subscription filters associated with it. If you are updating an existing filter, you must specify the correct name in filterName."',
  refuses: [
    'a third filter',
    async () => {
      await subscribe('second');
      await expect(subscribe('third')).rejects.toMatchObject({ name: 'LimitExceededException' });
    },
  ],
  accepts: [
    'an update of one of the two',
    async () => {
      await subscribe('second', 'ERROR');
      const res = await logs(securityTooling).send(
        new DescribeSubscriptionFiltersCommand({ logGroupName: '/app/audit' }),
      );
      expect(res.subscriptionFilters?.map((f) => [f.filterName, f.filterPattern])).toEqual([
        ['first', ''],
        ['second', 'ERROR'],
      ]);
    },
  ],
});

conformance('logs:PutSubscriptionFilter', {
  behaviour: "the filter's pattern decides what is delivered",
  source:
    'CloudWatch Logs API Reference, PutSubscriptionFilterRequest.filterPattern: "A filter pattern for subscribing to a filtered stream of log events"; User Guide, "Filter pattern syntax ...": unstructured terms are case sensitive and must all occur',
  refuses: [
    'delivering an event the pattern does not match',
    async () => {
      await logs(securityTooling).send(
        new PutSubscriptionFilterCommand({
          logGroupName: '/app/audit',
          filterName: 'first',
          filterPattern: 'ERROR',
          destinationArn: destinationArn(region),
          roleArn: senderRole(securityTooling),
        }),
      );
      await delivered();
      await write(securityTooling, '/app/audit', 'all good', 'an error in lower case');
      expect(await delivered()).toEqual([]);
    },
  ],
  accepts: [
    'delivering the events it matches, once per filter',
    async () => {
      await write(securityTooling, '/app/audit', 'ERROR disk full', 'fine');
      const payloads = await delivered();
      expect(payloads.map((p) => p.logEvents.map((e) => e.message))).toEqual([
        ['ERROR disk full'],
        ['ERROR disk full'],
      ]);
    },
  ],
});

conformance('logs:DescribeSubscriptionFilters', {
  behaviour: 'a filter described with the distribution it was put with',
  source:
    'botocore logs model, PutSubscriptionFilterRequest.distribution: "The method used to distribute log data to the destination. By default, log data is grouped by log stream, but the grouping can be set to random for a more even distribution."; DescribeSubscriptionFilters answers SubscriptionFilter.distribution',
  refuses: [
    'describing a filter put with Random as ByLogStream',
    async () => {
      await logs(securityTooling).send(
        new PutSubscriptionFilterCommand({
          logGroupName: '/app/audit',
          filterName: 'first',
          filterPattern: '',
          destinationArn: destinationArn(region),
          roleArn: senderRole(securityTooling),
          distribution: 'Random',
        }),
      );
      const res = await logs(securityTooling).send(
        new DescribeSubscriptionFiltersCommand({ logGroupName: '/app/audit', filterNamePrefix: 'first' }),
      );
      // Only the filter the prefix names (DescribeSubscriptionFiltersRequest.filterNamePrefix).
      expect(res.subscriptionFilters?.map((f) => [f.filterName, f.distribution])).toEqual([
        ['first', 'Random'],
      ]);
    },
  ],
  accepts: [
    'a put that leaves it out: the default, by log stream',
    async () => {
      await subscribe('first');
      const res = await logs(securityTooling).send(
        new DescribeSubscriptionFiltersCommand({ logGroupName: '/app/audit', filterNamePrefix: 'first' }),
      );
      expect(res.subscriptionFilters?.map((f) => [f.filterName, f.distribution])).toEqual([
        ['first', 'ByLogStream'],
      ]);
    },
  ],
});

conformance('logs:CreateLogGroup', {
  behaviour: "a name that does not start with 'aws/'",
  source:
    'CloudWatch Logs API Reference, CreateLogGroup: "Log group names can\'t start with the string aws/" (the model\'s pattern allows it)',
  refuses: [
    'aws/orders',
    async () => {
      await expect(
        logs(member).send(new CreateLogGroupCommand({ logGroupName: 'aws/orders' })),
      ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    },
  ],
  accepts: [
    "/aws/orders, whose 'aws/' does not start it",
    async () => {
      await logs(member).send(new CreateLogGroupCommand({ logGroupName: '/aws/orders' }));
    },
  ],
});

conformance('logs:PutSubscriptionFilter', {
  behaviour: "to a destination that grants the organization, the sender's own role",
  source:
    'CloudWatch Logs User Guide, cross-account subscriptions, "Step 4: Create a subscription filter": "If you are granting permissions for the subscription filter to an entire organization, you will need to use the ARN of the IAM role that you created in Step 2"; AWS\'s answer without it: "Role ARN is required when creating subscription filter against destination with Organization access policy" (InvalidParameterException, aws/aws-cli#9474)',
  refuses: [
    'a filter without roleArn',
    async () => {
      await expect(
        logs(securityTooling).send(
          new PutSubscriptionFilterCommand({
            logGroupName: '/app/audit',
            filterName: 'first',
            filterPattern: '',
            destinationArn: destinationArn(region),
          }),
        ),
      ).rejects.toMatchObject({
        name: 'InvalidParameterException',
        message: expect.stringContaining('Role ARN is required'),
      });
    },
  ],
  accepts: [
    "the same with the sender's role",
    async () => {
      await subscribe('first');
    },
  ],
});

conformance('logs:PutRetentionPolicy', {
  behaviour: 'retentionInDays is one of the Days values',
  source:
    'botocore logs model, Days: "The number of days to retain the log events in the specified log group. Possible values are: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, and 3653."; InvalidParameterException: "A parameter is specified incorrectly."',
  refuses: [
    'a number of days outside the list (2, 10, 366, 0, 3654)',
    async () => {
      await logs(member).send(new CreateLogGroupCommand({ logGroupName: '/conformance/retention' }));
      for (const retentionInDays of [2, 10, 366, 0, 3654])
        await expect(
          logs(member).send(
            new PutRetentionPolicyCommand({ logGroupName: '/conformance/retention', retentionInDays }),
          ),
        ).rejects.toMatchObject({
          name: 'InvalidParameterException',
          message: expect.stringContaining(String(retentionInDays)),
        });
    },
  ],
  accepts: [
    'every value of the list',
    async () => {
      for (const retentionInDays of [
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
        3653,
      ])
        await logs(member).send(
          new PutRetentionPolicyCommand({ logGroupName: '/conformance/retention', retentionInDays }),
        );
    },
  ],
});

conformance('logs:PutAccountPolicy', {
  behaviour: 'a policy document of at most 30,720 characters',
  source:
    'botocore logs model, PutAccountPolicyRequest.policyDocument: "The JSON specified in policyDocument can be up to 30,720 characters long." (AccountPolicy.policyDocument: "can be up to 30,720 characters"); AWS names no error for it: InvalidParameterException, "A parameter is specified incorrectly."',
  refuses: [
    'a 30,721-character document',
    async () => {
      await expect(
        logs(member).send(accountPolicy({ policyDocument: paddedDocument(30_721) })),
      ).rejects.toMatchObject({
        name: 'InvalidParameterException',
        message: expect.stringContaining('30,720'),
      });
    },
  ],
  accepts: [
    'a 30,720-character document',
    async () => {
      await expect(
        logs(member).send(accountPolicy({ policyDocument: paddedDocument(30_720) })),
      ).resolves.toBeDefined();
    },
  ],
});

/** logwarden's policy document, padded with spaces (still the same JSON) to exactly `length` characters. */
function paddedDocument(length: number): string {
  const doc = JSON.stringify({
    DestinationArn: destinationArn(region),
    RoleArn: senderRole(member),
    FilterPattern: '',
    Distribution: 'Random',
  });
  return doc.slice(0, -1) + ' '.repeat(length - doc.length) + '}';
}
