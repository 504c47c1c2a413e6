import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { names } from '../../contracts/names';
import { assumedRoleCredentials, createClient, type ClientCtor } from './clients';

/** The role every member account carries (member baseline), assumed by the control functions. */
export function memberRoleArn(account: string): string {
  return `arn:aws:iam::${account}:role/${names.memberExecutionRole}`;
}

/**
 * The member's execution role could not be assumed. In a new account this is the StackSet still
 * creating the baseline (CreateAccountResult arrives before it): the workflows retry this error
 * with a long, bounded backoff (workflows/resilience.ts `retryMemberRoleUnavailable`). Lambda
 * reports a thrown error's `name` as its type, which Step Functions matches in `ErrorEquals`.
 */
export class MemberRoleUnavailable extends Error {
  static readonly errorName = 'MemberRoleUnavailable';
  constructor(
    readonly account: string,
    cause: Error,
  ) {
    super(
      `cannot assume ${memberRoleArn(account)} (${cause.name}: ${cause.message}); a new account gets it from the member-baseline StackSet within minutes`,
      { cause },
    );
    this.name = MemberRoleUnavailable.errorName;
  }
}

/**
 * STS answers AccessDenied both when the role does not exist yet and when its trust refuses the
 * caller (STS API Reference, AssumeRole errors); both mean "not (yet) reachable" here.
 */
export function isAssumeRoleDenied(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; message?: string };
  return (e?.name === 'AccessDenied' || e?.Code === 'AccessDenied') && /AssumeRole/i.test(e?.message ?? '');
}

/** Credentials are renewed this long before they expire. */
const RENEW_BEFORE_MS = 60_000;

/**
 * Credentials of the member's execution role; a denied AssumeRole becomes MemberRoleUnavailable.
 * The provider keeps what STS answered until a minute before it expires, so the clients of one
 * control that share it (EC2 and CloudWatch Logs for flow logs) assume the role once; a refusal
 * is not kept, so the next call asks STS again (a new account's role may have arrived since).
 */
export function memberCredentials(
  account: string,
  region: string,
  assume: AwsCredentialIdentityProvider = assumedRoleCredentials(
    { RoleArn: memberRoleArn(account), RoleSessionName: names.memberControlSession, DurationSeconds: 900 },
    region,
  ),
): AwsCredentialIdentityProvider {
  let pending: ReturnType<AwsCredentialIdentityProvider> | undefined;
  return async (props) => {
    const held = pending && (await pending.catch(() => undefined));
    if (held && (!held.expiration || held.expiration.getTime() - Date.now() > RENEW_BEFORE_MS)) return held;
    pending = assume(props).catch((err: Error) => {
      pending = undefined;
      if (isAssumeRoleDenied(err)) throw new MemberRoleUnavailable(account, err);
      throw err;
    });
    return pending;
  };
}

/**
 * An SDK client acting in a member account and region, through its logwarden execution role.
 * Clients given the same `credentials` (from `memberCredentials`) share one assumed session.
 */
export function memberClient<C>(
  Ctor: ClientCtor<C>,
  account: string,
  region: string,
  credentials: AwsCredentialIdentityProvider = memberCredentials(account, region),
): C {
  return createClient(Ctor, { region, credentials });
}
