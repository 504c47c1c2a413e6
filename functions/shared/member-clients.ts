import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { names } from '../../contracts/names';
import { createClient } from './clients';

type ClientCtor<C> = Parameters<typeof createClient<C>>[0];

/** The role every member account carries (member baseline), assumed by the control functions. */
export function memberRoleArn(account: string): string {
  return `arn:aws:iam::${account}:role/${names.memberExecutionRole}`;
}

/** An SDK client acting in a member account and region, through its logwarden execution role. */
export function memberClient<C>(Ctor: ClientCtor<C>, account: string, region: string): C {
  return createClient(Ctor, {
    region,
    credentials: fromTemporaryCredentials({
      params: { RoleArn: memberRoleArn(account), RoleSessionName: 'logwarden-control', DurationSeconds: 900 },
      clientConfig: { region },
    }),
  });
}
