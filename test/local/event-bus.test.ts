/**
 * The local EventBridge on small templates: rules act only where their stack is deployed,
 * forwarding to another account's bus obeys that bus's organization condition, and a rule
 * target's InputTransformer is filled in as EventBridge fills it.
 */
import {
  apiCallEvent,
  cloudTrailRecord,
  createAccountResultEvent,
  regionOptInEvent,
} from '../../local/aws-events';
import type { DeployedStack } from '../../local/deployment';
import { inputFor, LocalEventBridge } from '../../local/event-bus';

const org = { id: 'o-abc123', accounts: ['111111111111', '333333333333', '444444444444'] };
const bus = 'arn:aws:events:eu-west-1:333333333333:event-bus/control';

const forwarder = (account: string, region: string): DeployedStack => ({
  stackName: 'Forwarder',
  account,
  region,
  template: {
    Resources: {
      Forward: {
        Type: 'AWS::Events::Rule',
        Properties: {
          Name: 'forward-create-vpc',
          State: 'ENABLED',
          EventPattern: { source: ['aws.ec2'], detail: { eventName: ['CreateVpc'] } },
          Targets: [{ Id: 'Bus', Arn: bus }],
        },
      },
    },
  },
});

const control: DeployedStack = {
  stackName: 'Control',
  account: '333333333333',
  region: 'eu-west-1',
  template: {
    Resources: {
      Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'control' } },
      Policy: {
        Type: 'AWS::Events::EventBusPolicy',
        Properties: {
          EventBusName: { Ref: 'Bus' },
          StatementId: 'org',
          Statement: { Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } },
        },
      },
      Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
      OnVpc: {
        Type: 'AWS::Events::Rule',
        Properties: {
          Name: 'on-vpc',
          EventBusName: { Ref: 'Bus' },
          EventPattern: { source: ['aws.ec2'] },
          Targets: [
            {
              Id: 'Target0',
              Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] },
              InputTransformer: {
                InputPathsMap: { f1: '$', 'detail-eventName': '$.detail.eventName' },
                InputTemplate: '{"trigger":"vpc-created","name":"<detail-eventName>","event":<f1>}',
              },
            },
          ],
        },
      },
    },
  },
};

const createVpc = (account: string, region: string) =>
  apiCallEvent(
    cloudTrailRecord({
      caller: { account },
      region,
      service: 'ec2',
      eventName: 'CreateVpc',
      requestParameters: {},
    }),
  );

describe('LocalEventBridge', () => {
  it('routes an event only through the rules deployed in its account and region', async () => {
    const received: unknown[] = [];
    const eb = new LocalEventBridge(
      [forwarder('444444444444', 'eu-west-1'), control],
      org,
      async (fn, input) => {
        received.push({ fn: fn.logicalId, input });
        return 'started';
      },
    );
    const event = createVpc('444444444444', 'eu-west-1');
    expect(await eb.put(event)).toEqual(['started']);
    expect(received).toEqual([{ fn: 'Fn', input: { trigger: 'vpc-created', name: 'CreateVpc', event } }]);
    expect(eb.hops.map((h) => h.on)).toEqual([
      '444444444444/eu-west-1/default',
      '333333333333/eu-west-1/control',
    ]);
    // No forwarder in that region, none in that account: nothing happens.
    expect(await eb.put(createVpc('444444444444', 'eu-central-1'))).toEqual([]);
    expect(await eb.put(createVpc('111111111111', 'eu-west-1'))).toEqual([]);
  });

  it('refuses to forward from an account outside the organization the bus policy names', async () => {
    const eb = new LocalEventBridge(
      [forwarder('999999999999', 'eu-west-1'), control],
      org,
      async () => 'started',
    );
    await expect(eb.put(createVpc('999999999999', 'eu-west-1'))).rejects.toThrow(
      /refuses PutEvents from 999999999999/,
    );
  });
});

describe('events where AWS emits them', () => {
  it('a failed call carries errorCode and no responseElements, in the recipient account and region', () => {
    const event = apiCallEvent(
      cloudTrailRecord({
        caller: { account: '444444444444' },
        region: 'eu-central-1',
        service: 'ec2',
        eventName: 'CreateVpc',
        responseElements: { vpc: { vpcId: 'vpc-1' } },
        error: { code: 'InvalidVpc.Range', message: 'The CIDR is invalid' },
      }),
    );
    expect(event).toMatchObject({
      source: 'aws.ec2',
      account: '444444444444',
      region: 'eu-central-1',
      detail: { errorCode: 'InvalidVpc.Range', responseElements: null, eventSource: 'ec2.amazonaws.com' },
    });
  });

  it('Organizations events in the management account, us-east-1; region opt-in in the calling account, us-east-1', () => {
    expect(createAccountResultEvent('111111111111', '444444444444')).toMatchObject({
      account: '111111111111',
      region: 'us-east-1',
      detail: {
        serviceEventDetails: { createAccountStatus: { state: 'SUCCEEDED', accountId: '444444444444' } },
      },
    });
    expect(regionOptInEvent('111111111111', '444444444444', 'eu-south-1')).toMatchObject({
      account: '111111111111',
      region: 'us-east-1',
      detail: { accountId: '444444444444', regionName: 'eu-south-1', status: 'ENABLED' },
    });
  });

  it('a target without a transformer receives the event; a constant Input is parsed', () => {
    const event = createVpc('444444444444', 'eu-west-1');
    expect(inputFor({ Id: 'a', Arn: 'x' }, event)).toBe(event);
    expect(inputFor({ Id: 'a', Arn: 'x', Input: '{"a":1}' }, event)).toEqual({ a: 1 });
  });
});
