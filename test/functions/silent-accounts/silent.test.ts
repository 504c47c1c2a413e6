import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { findSilentAccounts } from '../../../functions/silent-accounts/silent';

const orgs = mockClient(OrganizationsClient);
const ddb = mockClient(DynamoDBClient);
const now = Date.UTC(2026, 10, 29, 6);
const hour = 3600 * 1000;
const item = (account: string, source: string, at: number) => ({
  account: { S: account },
  source: { S: source },
  lastSeen: { N: String(at) },
});

beforeEach(() => {
  orgs.reset();
  ddb.reset();
  orgs
    .on(ListAccountsCommand, { NextToken: undefined })
    .resolves({
      Accounts: [
        { Id: '111111111111', Status: 'ACTIVE', JoinedTimestamp: new Date(now - 900 * hour) },
        { Id: '444444444444', Status: 'ACTIVE', JoinedTimestamp: new Date(now - 900 * hour) },
      ],
      NextToken: 'page-2',
    })
    .on(ListAccountsCommand, { NextToken: 'page-2' })
    .resolves({
      Accounts: [
        { Id: '555555555555', Status: 'ACTIVE', JoinedTimestamp: new Date(now - 900 * hour) },
        { Id: '666666666666', Status: 'ACTIVE', JoinedTimestamp: new Date(now - 2 * hour) },
        { Id: '777777777777', Status: 'SUSPENDED', JoinedTimestamp: new Date(now - 900 * hour) },
      ],
    });
  ddb
    .on(ScanCommand, { ExclusiveStartKey: undefined })
    .resolves({
      Items: [
        item('111111111111', 'cloudtrail', now - hour),
        item('444444444444', 'cloudtrail', now - 2 * hour),
      ],
      LastEvaluatedKey: { account: { S: '444444444444' }, source: { S: 'cloudtrail' } },
    })
    .on(ScanCommand, { ExclusiveStartKey: { account: { S: '444444444444' }, source: { S: 'cloudtrail' } } })
    .resolves({
      Items: [item('444444444444', 'vpcflow', now - 30 * hour), item('555555555555', 'any', now - hour)],
    });
});

describe('silent accounts (issue 10 §3)', () => {
  it('an account with no CloudTrail, or a source that stopped, is silent; young and suspended accounts are not', async () => {
    const silent = await findSilentAccounts({
      orgs: new OrganizationsClient({ region: 'us-east-1' }),
      ddb: new DynamoDBClient({ region: 'eu-west-1' }),
      table: 'last-seen',
      silentAfterMs: 26 * hour,
      now: () => now,
    });
    expect(silent).toEqual([
      { account: '444444444444', source: 'vpcflow', lastSeen: now - 30 * hour },
      { account: '555555555555', source: 'cloudtrail', lastSeen: undefined },
    ]);
  });

  it('in a regional pipeline the trail does not feed (expectCloudTrail false), only a source that stopped is silence', async () => {
    const silent = await findSilentAccounts({
      orgs: new OrganizationsClient({ region: 'us-east-1' }),
      ddb: new DynamoDBClient({ region: 'eu-central-1' }),
      table: 'last-seen',
      silentAfterMs: 26 * hour,
      expectCloudTrail: false,
      now: () => now,
    });
    expect(silent).toEqual([{ account: '444444444444', source: 'vpcflow', lastSeen: now - 30 * hour }]);
  });
});
