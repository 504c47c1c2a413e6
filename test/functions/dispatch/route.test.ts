import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { routeEvent } from '../../../functions/dispatch/route';
import { startNamedExecution } from '../../../functions/shared/start-execution';

const governed = ['eu-west-1', 'eu-central-1'];
const apiCall = (detail: Record<string, unknown>) => ({
  id: 'e2f1-77',
  account: '444444444444',
  region: 'eu-west-1',
  detail,
});

describe('routeEvent', () => {
  it('a new account → cover-account, named after the event', () => {
    const event = {
      id: 'ev-1',
      account: '111111111111',
      region: 'us-east-1',
      detail: {
        serviceEventDetails: { createAccountStatus: { accountId: '555555555555', state: 'SUCCEEDED' } },
      },
    };
    expect(routeEvent('account-created', event, governed)).toEqual({
      start: true,
      workflow: 'cover-account',
      name: 'account-created-ev-1',
      input: { account: '555555555555', trigger: 'account-created', eventId: 'ev-1' },
    });
  });

  it('StopLogging → cover-account-region of the event’s account and region', () => {
    expect(
      routeEvent(
        'trail-changed',
        apiCall({ eventName: 'StopLogging', awsRegion: 'eu-central-1', recipientAccountId: '444444444444' }),
        governed,
      ),
    ).toMatchObject({
      start: true,
      workflow: 'cover-account-region',
      input: { account: '444444444444', region: 'eu-central-1' },
    });
  });

  it('CreateVpc → cover-vpc for that VPC; a failed CreateVpc (no VPC id) starts nothing', () => {
    expect(
      routeEvent(
        'vpc-created',
        apiCall({ awsRegion: 'eu-west-1', responseElements: { vpc: { vpcId: 'vpc-9' } } }),
        governed,
      ),
    ).toMatchObject({
      workflow: 'cover-vpc',
      input: { vpcIds: ['vpc-9'], region: 'eu-west-1' },
    });
    expect(
      routeEvent('vpc-created', apiCall({ awsRegion: 'eu-west-1', errorCode: 'VpcLimitExceeded' }), governed),
    ).toMatchObject({ start: false });
  });

  it('an event in a region that is not governed starts nothing, and says why', () => {
    expect(
      routeEvent(
        'region-opted-in',
        apiCall({ accountId: '444444444444', regionName: 'ap-east-1', status: 'ENABLED' }),
        governed,
      ),
    ).toEqual({
      start: false,
      reason: 'ap-east-1 is not a governed region',
    });
  });

  it('the same event twice has the same execution name', () => {
    const e = apiCall({ awsRegion: 'eu-west-1' });
    const a = routeEvent('flow-logs-deleted', e, governed);
    const b = routeEvent('flow-logs-deleted', JSON.parse(JSON.stringify(e)), governed);
    expect(a.start && b.start && a.name === b.name).toBe(true);
  });

  it('the daily schedule → sweep, named after its slot', () => {
    expect(
      routeEvent(
        'scheduled-sweep',
        { id: '2026-11-29T02:00:00Z', account: '333333333333', region: 'eu-west-1' },
        governed,
      ),
    ).toMatchObject({
      workflow: 'sweep',
      name: 'sweep-2026-11-29T02_00_00Z',
    });
  });
});

describe('startNamedExecution', () => {
  const sfn = mockClient(SFNClient);
  it('a duplicate name is a no-op that reports the existing execution', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejectsOnce(Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' }));
    const arn = 'arn:aws:states:eu-west-1:333333333333:stateMachine:logwarden-cover-account-region';
    expect(await startNamedExecution(new SFNClient({}), arn, 'trail-changed-ev', {})).toEqual({
      executionArn:
        'arn:aws:states:eu-west-1:333333333333:execution:logwarden-cover-account-region:trail-changed-ev',
      duplicate: true,
    });
  });
});
