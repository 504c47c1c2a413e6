/**
 * EC2 rules on the stand-in (local/standins/ec2.py), each with the AWS text it rests on: client
 * tokens of CreateFlowLogs, and the pages of DescribeVpcs and DescribeFlowLogs. Real SDK clients,
 * a member account's root user (world.ts).
 */
import {
  CreateFlowLogsCommand,
  type CreateFlowLogsCommandInput,
  CreateVpcCommand,
  DeleteFlowLogsCommand,
  DescribeFlowLogsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { logFormatString, logwardenFormat } from '../../../functions/shared/flow-log-formats';
import { conformance } from './conformance';
import { World, member, region } from './world';

let world: World;
let ec2: EC2Client;
let vpcId: string;

const createFlowLogs = (token: string, extra: Partial<CreateFlowLogsCommandInput> = {}) =>
  ec2.send(
    new CreateFlowLogsCommand({
      ResourceIds: [vpcId],
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: '/logwarden/vpc-flow-logs',
      DeliverLogsPermissionArn: `arn:aws:iam::${member}:role/logwarden-flow-logs`,
      ClientToken: token,
      ...extra,
    }),
  );

const flowLogCount = async () => ((await ec2.send(new DescribeFlowLogsCommand({}))).FlowLogs ?? []).length;

beforeAll(async () => {
  world = await World.start();
  ec2 = world.as(EC2Client, member);
  vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
  for (let i = 0; i < 6; i++) await ec2.send(new CreateVpcCommand({ CidrBlock: `10.${30 + i}.0.0/16` }));
}, 60_000);

afterAll(() => world?.stop());

conformance('ec2:CreateFlowLogs', {
  behaviour: 'a client token of up to 64 ASCII characters',
  source:
    'EC2 API Reference, "Ensuring idempotency", client tokens: "A client token is a unique, case-sensitive string of up to 64 ASCII characters." AWS does not name the error for a longer one: the stand-in answers InvalidParameterValue ("A value specified in a parameter is not valid", EC2 common client errors)',
  refuses: [
    'a 65-character token, creating nothing',
    async () => {
      await expect(createFlowLogs('t'.repeat(65))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
      expect(await flowLogCount()).toBe(0);
    },
  ],
  accepts: [
    'a 64-character token',
    async () => {
      expect((await createFlowLogs('t'.repeat(64))).FlowLogIds).toHaveLength(1);
    },
  ],
});

conformance('ec2:CreateFlowLogs', {
  behaviour: 'a retried client token returns the first result; other parameters are a mismatch',
  source:
    'EC2 API Reference, "Ensuring idempotency": "If you repeat a request with the same client token, but change another request parameter, Amazon EC2 returns an IdempotentParameterMismatch error"; a retry with the same parameters returns the first result and creates nothing',
  refuses: [
    'the same token with another TrafficType',
    async () => {
      await expect(createFlowLogs('t'.repeat(64), { TrafficType: 'REJECT' })).rejects.toMatchObject({
        name: 'IdempotentParameterMismatch',
      });
    },
  ],
  accepts: [
    'the same token and parameters: the same flow log, nothing new, even once it was deleted; a fresh token creates one',
    async () => {
      const first = (await ec2.send(new DescribeFlowLogsCommand({}))).FlowLogs!.map((f) => f.FlowLogId!);
      expect((await createFlowLogs('t'.repeat(64))).FlowLogIds).toEqual(first);
      expect(await flowLogCount()).toBe(1);
      await ec2.send(new DeleteFlowLogsCommand({ FlowLogIds: first }));
      expect((await createFlowLogs('t'.repeat(64))).FlowLogIds).toEqual(first);
      expect(await flowLogCount()).toBe(0);
      const fresh = await createFlowLogs('fresh');
      expect(fresh.FlowLogIds).toHaveLength(1);
      expect(fresh.FlowLogIds).not.toEqual(first);
      expect(await flowLogCount()).toBe(1);
    },
  ],
});

conformance('ec2:DescribeVpcs', {
  behaviour: 'pages of 5 to 1,000',
  source:
    'botocore ec2 model, DescribeVpcsRequest.MaxResults (DescribeVpcsMaxResults): min 5, max 1000; "To get the next page of items, make another request with the token returned in the output"',
  refuses: [
    'MaxResults 4',
    async () => {
      await expect(ec2.send(new DescribeVpcsCommand({ MaxResults: 4 }))).rejects.toMatchObject({
        name: 'InvalidParameterValue',
      });
    },
  ],
  accepts: [
    'MaxResults 5: five VPCs and a token for the rest',
    async () => {
      const first = await ec2.send(new DescribeVpcsCommand({ MaxResults: 5 }));
      expect(first.Vpcs).toHaveLength(5);
      const rest = await ec2.send(new DescribeVpcsCommand({ MaxResults: 5, NextToken: first.NextToken }));
      expect(rest.Vpcs!.length).toBeGreaterThan(0);
      expect(rest.Vpcs!.map((v) => v.VpcId)).not.toContain(first.Vpcs![0].VpcId);
    },
  ],
});

conformance('ec2:DescribeFlowLogs', {
  behaviour: 'pages of at most 1,000',
  source:
    'EC2 API Reference, DescribeFlowLogs, MaxResults: "The maximum number of items to return for this request. To get the next page of items, make another request with the token returned in the output." AWS documents no bound: the stand-in holds DescribeVpcs\' 1,000 (the stricter answer)',
  refuses: [
    'MaxResults 1,001',
    async () => {
      await expect(ec2.send(new DescribeFlowLogsCommand({ MaxResults: 1001 }))).rejects.toMatchObject({
        name: 'InvalidParameterValue',
      });
    },
  ],
  accepts: [
    'MaxResults 1,000',
    async () => {
      expect((await ec2.send(new DescribeFlowLogsCommand({ MaxResults: 1000 }))).FlowLogs).toHaveLength(1);
    },
  ],
});

const firehoseArn = 'arn:aws:firehose:eu-west-1:222222222222:deliverystream/logwarden-flow-logs';
const toFirehose = (token: string, extra: Partial<CreateFlowLogsCommandInput> = {}) =>
  ec2.send(
    new CreateFlowLogsCommand({
      ResourceIds: [vpcId],
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'kinesis-data-firehose',
      LogDestination: firehoseArn,
      DeliverLogsPermissionArn: `arn:aws:iam::${member}:role/logwarden-flowlogs-firehose-source`,
      DeliverCrossAccountRole:
        'arn:aws:iam::222222222222:role/AWSLogDeliveryFirehoseCrossAccountRole-logwarden',
      ClientToken: token,
      ...extra,
    }),
  );

conformance('ec2:CreateFlowLogs', {
  behaviour:
    'to Firehose: a delivery stream ARN, no log group, and a delivery role when the stream is in another account',
  source:
    'EC2 API Reference, CreateFlowLogs: LogDestination "If the destination type is kinesis-data-firehose, specify the ARN of a Kinesis Data Firehose delivery stream"; LogGroupName "This parameter is valid only if the destination type is cloud-watch-logs"; DeliverLogsPermissionArn "is required ... if the destination type is kinesis-data-firehose and the delivery stream and the resources to monitor are in different accounts". AWS does not name the errors: the stand-in answers InvalidParameterValue',
  refuses: [
    'a log group name, a destination that is no stream ARN, or another account’s stream without DeliverLogsPermissionArn; nothing is created',
    async () => {
      const before = await flowLogCount();
      await expect(toFirehose('fh-1', { LogGroupName: '/logwarden/vpc-flow-logs' })).rejects.toMatchObject({
        name: 'InvalidParameterValue',
      });
      await expect(toFirehose('fh-2', { LogDestination: 'arn:aws:s3:::bucket' })).rejects.toMatchObject({
        name: 'InvalidParameterValue',
      });
      await expect(toFirehose('fh-3', { DeliverLogsPermissionArn: undefined })).rejects.toMatchObject({
        name: 'InvalidParameterValue',
      });
      expect(await flowLogCount()).toBe(before);
    },
  ],
  accepts: [
    'the cross-account call the VPC User Guide shows: the flow log keeps both roles and the stream',
    async () => {
      const created = await toFirehose('fh-ok');
      expect(created.FlowLogIds).toHaveLength(1);
      const [fl] = (await ec2.send(new DescribeFlowLogsCommand({ FlowLogIds: created.FlowLogIds })))
        .FlowLogs!;
      expect(fl).toMatchObject({
        LogDestinationType: 'kinesis-data-firehose',
        LogDestination: firehoseArn,
        DeliverLogsPermissionArn: `arn:aws:iam::${member}:role/logwarden-flowlogs-firehose-source`,
        DeliverCrossAccountRole:
          'arn:aws:iam::222222222222:role/AWSLogDeliveryFirehoseCrossAccountRole-logwarden',
      });
    },
  ],
});

conformance('ec2:CreateFlowLogs', {
  behaviour: 'TrafficType required for a VPC',
  source:
    'botocore ec2 model, CreateFlowLogsRequest.TrafficType: "This parameter is not supported for transit gateway resource types. It is required for the other resource types." AWS names no error: the stand-in answers MissingParameter ("The request is missing a required parameter", EC2 common client errors)',
  refuses: [
    'a VPC flow log without TrafficType, creating nothing',
    async () => {
      const before = await flowLogCount();
      await expect(
        ec2.send(
          new CreateFlowLogsCommand({
            ResourceIds: [vpcId],
            ResourceType: 'VPC',
            LogDestinationType: 'cloud-watch-logs',
            LogGroupName: '/logwarden/vpc-flow-logs-no-traffic-type',
            DeliverLogsPermissionArn: `arn:aws:iam::${member}:role/logwarden-flow-logs`,
          }),
        ),
      ).rejects.toMatchObject({ name: 'MissingParameter' });
      expect(await flowLogCount()).toBe(before);
    },
  ],
  accepts: [
    'the same with TrafficType REJECT',
    async () => {
      const res = await ec2.send(
        new CreateFlowLogsCommand({
          ResourceIds: [vpcId],
          ResourceType: 'VPC',
          TrafficType: 'REJECT',
          LogDestinationType: 'cloud-watch-logs',
          LogGroupName: '/logwarden/vpc-flow-logs-no-traffic-type',
          DeliverLogsPermissionArn: `arn:aws:iam::${member}:role/logwarden-flow-logs`,
        }),
      );
      expect(res.FlowLogIds).toHaveLength(1);
    },
  ],
});

conformance('ec2:DescribeFlowLogs', {
  behaviour: 'only the filters the API lists',
  source:
    'botocore ec2 model, DescribeFlowLogsRequest.Filter: deliver-log-status, log-destination-type, flow-log-id, log-group-name, resource-id, traffic-type, tag:<key>, tag-key; EC2 API Reference, "Error codes": client errors "are accompanied by a 400-series HTTP response code" (moto answered HTTP 500)',
  refuses: [
    'a filter it does not list, as a client error',
    async () => {
      await expect(
        ec2.send(new DescribeFlowLogsCommand({ Filter: [{ Name: 'vpc-id', Values: [vpcId] }] })),
      ).rejects.toMatchObject({ name: 'InvalidParameterValue', $metadata: { httpStatusCode: 400 } });
    },
  ],
  accepts: [
    'resource-id and log-group-name',
    async () => {
      const res = await ec2.send(
        new DescribeFlowLogsCommand({
          Filter: [
            { Name: 'resource-id', Values: [vpcId] },
            { Name: 'log-group-name', Values: ['/logwarden/vpc-flow-logs-no-traffic-type'] },
          ],
        }),
      );
      expect(res.FlowLogs?.map((f) => f.TrafficType)).toEqual(['REJECT']);
    },
  ],
});

conformance('ec2:CreateFlowLogs', {
  behaviour: 'LogFormat: fields as ${field-id}, separated by spaces',
  source:
    'botocore ec2 model, CreateFlowLogsRequest.LogFormat: "If you specify this parameter, you must include at least one field. For more information about the available fields, see Flow log records in the Amazon VPC User Guide or Transit Gateway Flow Log records ... Specify the fields using the ${field-id} format, separated by spaces."; a trailing space is refused: "Value \'${version} ... ${log-status} \' at \'logFormat\' has an invalid format" (HTTP 400, aws-cloudformation/rain#288). Field names are not held to a list: the VPC User Guide\'s table has grown past version 8 ("You can configure your VPC flow logs to emit the enriched field - encryption-status", "Enforce VPC encryption in transit") and cannot be read whole offline',
  refuses: [
    'a trailing space or newline, names without ${}, two spaces, an empty format; nothing is created',
    async () => {
      const before = await flowLogCount();
      for (const LogFormat of [
        '${version} ${srcaddr} ',
        'version srcaddr',
        '$${version} $${srcaddr}',
        '${version}  ${srcaddr}',
        '',
        '${version} ${srcaddr}\n',
      ])
        await expect(
          createFlowLogs(`format-${before}-${LogFormat.length}-${LogFormat.slice(-6)}`, { LogFormat }),
        ).rejects.toMatchObject({
          name: 'InvalidParameterValue',
        });
      expect(await flowLogCount()).toBe(before);
    },
  ],
  accepts: [
    "one field, a field added after version 8, and logwarden's own format (every VPC field of versions 2 to 8), as the flow log's format",
    async () => {
      const one = await createFlowLogs('format-one', {
        LogFormat: '${srcaddr}',
        LogGroupName: '/logwarden/format-one',
      });
      expect(one.FlowLogIds).toHaveLength(1);
      const encryption = await createFlowLogs('format-encryption', {
        LogFormat: '${encryption-status} ${srcaddr} ${dstaddr}',
        LogGroupName: '/logwarden/format-encryption',
      });
      expect(encryption.FlowLogIds).toHaveLength(1);
      const own = logFormatString(logwardenFormat);
      const made = await createFlowLogs('format-own', {
        LogFormat: own,
        LogGroupName: '/logwarden/format-own',
      });
      const res = await ec2.send(
        new DescribeFlowLogsCommand({ Filter: [{ Name: 'flow-log-id', Values: made.FlowLogIds }] }),
      );
      expect(res.FlowLogs?.[0]?.LogFormat).toBe(own);
    },
  ],
});

/** Two VPCs of the account other than the one the earlier cases log. */
const twoOtherVpcs = async () =>
  ((await ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? [])
    .map((v) => v.VpcId!)
    .filter((id) => id !== vpcId)
    .slice(0, 2);

conformance('ec2:CreateFlowLogs', {
  behaviour: 'a flow log already there refuses the whole call, creating nothing',
  source:
    'EC2 API Reference, "Error codes": "FlowLogAlreadyExists: A flow log with the specified configuration already exists." No source found says whether a call naming a resource with one and a resource without is refused whole or answered with Unsuccessful items (CreateFlowLogsResult.Unsuccessful: "Information about the flow logs that could not be created successfully"): the stricter answer, the whole call refused and nothing created (moto created flow logs for the resources before the duplicate, or before a VPC that does not exist, then refused)',
  refuses: [
    'two VPCs, the second already logging to the group (named, or by its ARN); a VPC named twice; a VPC that does not exist after a real one: no flow log for the first either',
    async () => {
      const [fresh, logging] = await twoOtherVpcs();
      await createFlowLogs('dup-first', { ResourceIds: [logging], LogGroupName: '/logwarden/dup' });
      await expect(
        createFlowLogs('dup-both', { ResourceIds: [fresh, logging], LogGroupName: '/logwarden/dup' }),
      ).rejects.toMatchObject({ name: 'FlowLogAlreadyExists' });
      await expect(
        createFlowLogs('dup-arn', {
          ResourceIds: [fresh, logging],
          LogGroupName: undefined,
          LogDestination: `arn:aws:logs:${region}:${member}:log-group:/logwarden/dup`,
        }),
      ).rejects.toMatchObject({ name: 'FlowLogAlreadyExists' });
      await expect(
        createFlowLogs('dup-twice', { ResourceIds: [fresh, fresh], LogGroupName: '/logwarden/dup' }),
      ).rejects.toMatchObject({ name: 'FlowLogAlreadyExists' });
      await expect(
        createFlowLogs('dup-missing', {
          ResourceIds: [fresh, 'vpc-0000000000000dead'],
          LogGroupName: '/logwarden/dup',
        }),
      ).rejects.toMatchObject({ name: 'InvalidVpcID.NotFound' });
      const onFresh = await ec2.send(
        new DescribeFlowLogsCommand({ Filter: [{ Name: 'resource-id', Values: [fresh] }] }),
      );
      expect(onFresh.FlowLogs ?? []).toEqual([]);
    },
  ],
  accepts: [
    'the first VPC alone, and the second to another group',
    async () => {
      const [fresh, logging] = await twoOtherVpcs();
      expect(
        (await createFlowLogs('dup-fresh', { ResourceIds: [fresh], LogGroupName: '/logwarden/dup' }))
          .FlowLogIds,
      ).toHaveLength(1);
      expect(
        (await createFlowLogs('dup-other', { ResourceIds: [logging], LogGroupName: '/logwarden/dup-2' }))
          .FlowLogIds,
      ).toHaveLength(1);
    },
  ],
});

conformance('ec2:DeleteFlowLogs', {
  behaviour: 'an unknown flow log id is an Unsuccessful item of a 200 answer; the others are deleted',
  source:
    'botocore ec2 model, DeleteFlowLogsResult.Unsuccessful: "Information about the flow logs that could not be deleted successfully." (UnsuccessfulItem: "Information about items that were not successfully processed in a batch call"); EC2 API Reference, DeleteFlowLogs, lists no error of its own; EC2 error codes: InvalidFlowLogId.NotFound "The specified flow log does not exist". The Terraform AWS provider reads a missing flow log there (hashicorp/terraform-provider-aws, internal/service/ec2/vpc_flow_log.go: `unsuccessfulItemsError(output.Unsuccessful)`, then `errCodeInvalidFlowLogIdNotFound` means already gone)',
  refuses: [
    'to delete an id that does not exist: named in Unsuccessful as InvalidFlowLogId.NotFound',
    async () => {
      const answer = await ec2.send(new DeleteFlowLogsCommand({ FlowLogIds: ['fl-0123456789abcdef0'] }));
      expect(answer.Unsuccessful).toEqual([
        {
          ResourceId: 'fl-0123456789abcdef0',
          Error: {
            Code: 'InvalidFlowLogId.NotFound',
            Message: expect.stringContaining('fl-0123456789abcdef0'),
          },
        },
      ]);
    },
  ],
  accepts: [
    'a known and an unknown id in one call: the known one deleted, only the unknown one named',
    async () => {
      const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.90.0.0/16' }))).Vpc!.VpcId!;
      const [known] = (
        await createFlowLogs('delete-known-and-unknown', {
          ResourceIds: [vpc],
          LogGroupName: '/logwarden/vpc-flow-logs/delete-test',
        })
      ).FlowLogIds!;
      const before = await flowLogCount();
      const answer = await ec2.send(
        new DeleteFlowLogsCommand({ FlowLogIds: [known, 'fl-0123456789abcdef0'] }),
      );
      expect(answer.Unsuccessful?.map((u) => [u.ResourceId, u.Error?.Code])).toEqual([
        ['fl-0123456789abcdef0', 'InvalidFlowLogId.NotFound'],
      ]);
      expect(await flowLogCount()).toBe(before - 1);
      const left = (await ec2.send(new DescribeFlowLogsCommand({}))).FlowLogs ?? [];
      expect(left.map((f) => f.FlowLogId)).not.toContain(known);
    },
  ],
});
