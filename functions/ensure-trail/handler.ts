import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import {
  accountTrailArn,
  organizationTrailArn,
  trailLogGroupArn,
  trailLogsAccount,
  trailLogsRoleArn,
} from '../../contracts/names';
import { controlDepsFromEnv, controlHandler, type ControlDeps } from '../shared/control-handler';
import type { EnvOf } from '../shared/env';
import { ensureTrailEnv } from './env';
import { ensureTrail } from './ensure-trail';

export interface EnsureTrailDeps extends ControlDeps {
  settings: EnvOf<typeof ensureTrailEnv>;
}

export function depsFromEnv(env: Readonly<Record<string, string | undefined>>): EnsureTrailDeps {
  return { ...controlDepsFromEnv(env), settings: ensureTrailEnv.parse(env) };
}

/**
 * Step Functions task: the trail covering one account and region. The organization trail is
 * managed from this (the CloudTrail delegated admin) account and addressed by its ARN, which
 * names the management account that owns it; an account trail from the member. Trails are
 * multi-region and live in the home region.
 */
export function makeHandler(deps: EnsureTrailDeps) {
  const s = deps.settings;
  return controlHandler(deps, ({ account, region }, clients) => {
    // The group and role of the account that calls CreateTrail/UpdateTrail: the organization
    // trail's in security-tooling (this account), an account trail's in the member.
    const logsAccount = trailLogsAccount(s.trailMode, s.securityToolingAccount, account);
    return ensureTrail(
      s.trailMode !== 'account'
        ? clients.own(CloudTrailClient, s.homeRegion)
        : clients.member(CloudTrailClient, account, s.homeRegion),
      { account, region },
      {
        mode: s.trailMode,
        owner: s.trailOwner,
        name: s.trailName,
        homeRegion: s.homeRegion,
        trailArn:
          s.trailMode !== 'account'
            ? organizationTrailArn(s.homeRegion, s.managementAccount, s.trailName)
            : accountTrailArn(s.homeRegion, account, s.trailName),
        s3BucketName: s.trailS3Bucket,
        kmsKeyArn: s.trailKmsKeyArn,
        cloudWatchLogsGroupArn: trailLogGroupArn(s.homeRegion, logsAccount),
        cloudWatchLogsRoleArn: trailLogsRoleArn(logsAccount),
      },
    );
  });
}
