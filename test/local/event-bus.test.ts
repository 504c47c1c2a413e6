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

/** A rule forwarding CreateVpc to the control bus, with the target's role as the member baseline deploys it. */
const forwarder = (account: string, region: string, withRole = true): DeployedStack => ({
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
          Targets: [
            {
              Id: 'Bus',
              Arn: bus,
              ...(withRole ? { RoleArn: `arn:aws:iam::${account}:role/forward-events` } : {}),
            },
          ],
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

describe('LocalEventBridge as strict as the EventBridge text', () => {
  it('refuses a target bus in another account that grants by organization when the target has no RoleArn', async () => {
    // botocore events Target: "If you are setting the event bus of another account as the
    // target, and that account granted permission to your account through an organization
    // instead of directly by the account ID, then you must specify a RoleArn with proper
    // permissions in the Target structure."
    const eb = new LocalEventBridge(
      [forwarder('444444444444', 'eu-west-1', false), control],
      org,
      async () => 'started',
    );
    await expect(eb.put(createVpc('444444444444', 'eu-west-1'))).rejects.toThrow(/RoleArn/);
  });

  it('does not send an event received from another bus on to a third bus (account or not)', async () => {
    // EventBridge User Guide, "Sending and receiving events between AWS accounts": "If a receiver
    // account sets up a rule that sends events received from a sender account on to a third
    // account, these events are not sent to the third account." And "Sending and receiving
    // events between event buses in the same account and Region": "EventBridge can't route
    // events received from a sender event bus to a third event bus."
    const third = 'arn:aws:events:eu-west-1:111111111111:event-bus/third';
    const sameAccountThird = 'arn:aws:events:eu-west-1:333333333333:event-bus/same-account-third';
    const receiver: DeployedStack = {
      ...control,
      template: {
        Resources: {
          ...control.template.Resources,
          Onward: {
            Type: 'AWS::Events::Rule',
            Properties: {
              Name: 'onward',
              EventBusName: { Ref: 'Bus' },
              EventPattern: { source: ['aws.ec2'] },
              Targets: [
                { Id: 'Third', Arn: third, RoleArn: 'arn:aws:iam::333333333333:role/onward' },
                { Id: 'Same', Arn: sameAccountThird, RoleArn: 'arn:aws:iam::333333333333:role/onward' },
              ],
            },
          },
        },
      },
    };
    const thirdStack = (account: string, name: string): DeployedStack => ({
      stackName: `Third-${name}`,
      account,
      region: 'eu-west-1',
      template: {
        Resources: {
          Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: name } },
          Policy: {
            Type: 'AWS::Events::EventBusPolicy',
            Properties: {
              EventBusName: { Ref: 'Bus' },
              StatementId: 'org',
              Statement: { Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } },
            },
          },
          Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
          Catch: {
            Type: 'AWS::Events::Rule',
            Properties: {
              Name: `catch-${name}`,
              EventBusName: { Ref: 'Bus' },
              EventPattern: { source: ['aws.ec2'] },
              Targets: [{ Id: 'Fn', Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] } }],
            },
          },
        },
      },
    });
    const received: string[] = [];
    const eb = new LocalEventBridge(
      [
        forwarder('444444444444', 'eu-west-1'),
        receiver,
        thirdStack('111111111111', 'third'),
        thirdStack('333333333333', 'same-account-third'),
      ],
      org,
      async (fn) => {
        received.push(`${fn.stack.stackName}/${fn.logicalId}`);
        return 'started';
      },
    );
    await eb.put(createVpc('444444444444', 'eu-west-1'));
    // The receiving bus's own function target runs; neither third bus receives the event.
    expect(received).toEqual(['Control/Fn']);
    expect(eb.hops.map((h) => h.on)).not.toContain('111111111111/eu-west-1/third');
    expect(eb.hops.map((h) => h.on)).not.toContain('333333333333/eu-west-1/same-account-third');
    expect(eb.notSent.map((n) => n.to)).toEqual([third, sameAccountThird]);
    // Put on the receiving bus directly (not received from another bus), the same rule sends it on.
    received.length = 0;
    await eb.put(createVpc('333333333333', 'eu-west-1'), {
      account: '333333333333',
      region: 'eu-west-1',
      bus: 'control',
    });
    expect(received.sort()).toEqual(['Control/Fn', 'Third-same-account-third/Fn', 'Third-third/Fn']);
  });

  it('InputTransformer: a placeholder inside a JSON string takes the value unescaped, outside it the JSON value', () => {
    // EventBridge User Guide, "Transforming target input": "EventBridge doesn't escape values
    // extracted by Input Path, when populating the Input Template for a target", with the
    // examples "Simple string": "instance <instance> is in <state>" → "instance i-0123456789 is
    // in RUNNING"; "Simple JSON": {"instance" : <instance>, ...} → {"instance" : "i-0123456789", ...};
    // "JSON with strings and variables": "instanceStatus": "instance \"<instance>\" is in <state>"
    // → "instance \"i-0123456789\" is in RUNNING".
    const ec2 = {
      ...createVpc('444444444444', 'eu-west-1'),
      detail: { 'instance-id': 'i-0123456789', state: 'RUNNING' },
    } as never;
    const transformer = (InputTemplate: string) => ({
      Id: 't',
      Arn: 'x',
      InputTransformer: {
        InputPathsMap: { instance: '$.detail.instance-id', state: '$.detail.state' },
        InputTemplate,
      },
    });
    expect(inputFor(transformer('"instance <instance> is in <state>"'), ec2)).toBe(
      'instance i-0123456789 is in RUNNING',
    );
    expect(
      inputFor(
        transformer(
          '{"instance" : <instance>, "state": "<state>", "instanceStatus": "instance \\"<instance>\\" is in <state>"}',
        ),
        ec2,
      ),
    ).toEqual({
      instance: 'i-0123456789',
      state: 'RUNNING',
      instanceStatus: 'instance "i-0123456789" is in RUNNING',
    });
    // A template that is not JSON (botocore's own example, "InputTemplate": "<instance> is in
    // state <status>") is handed on as text: the bare placeholders take the JSON value, as in
    // "Simple JSON" above; the text is not JSON, and is not refused for it.
    expect(inputFor(transformer('<instance> is in state <state>'), ec2)).toBe(
      '"i-0123456789" is in state "RUNNING"',
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
