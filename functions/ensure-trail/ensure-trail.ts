import {
  AdvancedEventSelector,
  CloudTrailClient,
  CreateTrailCommand,
  DescribeTrailsCommand,
  EventSelector,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
  Trail,
  UpdateTrailCommand,
  UpdateTrailCommandInput,
} from '@aws-sdk/client-cloudtrail';
import type { ControlResult, ControlTarget } from '../../contracts/coverage';
import { controlResult } from '../shared/coverage';

export interface TrailSettings {
  mode: 'organization' | 'account';
  name: string;
  s3BucketName?: string;
  kmsKeyArn?: string;
  cloudWatchLogsGroupArn?: string;
  cloudWatchLogsRoleArn?: string;
}

function logsManagementEvents(
  basic: EventSelector[] | undefined,
  advanced: AdvancedEventSelector[] | undefined,
): boolean {
  if (advanced?.length) {
    return advanced.some(
      (s) =>
        (s.FieldSelectors ?? []).some(
          (f) => f.Field === 'eventCategory' && f.Equals?.includes('Management'),
        ) && !(s.FieldSelectors ?? []).some((f) => f.Field === 'readOnly'),
    );
  }
  return (basic ?? []).some(
    (s) => s.IncludeManagementEvents !== false && (s.ReadWriteType ?? 'All') === 'All',
  );
}

/** The selectors with management events (read and write) added, everything else kept. */
function withManagementEvents(
  basic: EventSelector[] | undefined,
  advanced: AdvancedEventSelector[] | undefined,
) {
  if (advanced?.length) {
    return {
      AdvancedEventSelectors: [
        ...advanced,
        {
          Name: 'logwarden: management events',
          FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
        },
      ],
    };
  }
  const [first, ...rest] = basic?.length ? basic : [{}];
  return {
    EventSelectors: [{ ...first, IncludeManagementEvents: true, ReadWriteType: 'All' as const }, ...rest],
  };
}

/**
 * The trail (the organization trail, or this account's trail) exists, is multi-region, logs
 * management events, validates log files, is KMS-encrypted, sends to CloudWatch Logs and is
 * logging. StopLogging and selector changes that drop management events are repaired; other
 * selectors someone added are kept.
 */
export async function ensureTrail(
  cloudtrail: CloudTrailClient,
  target: ControlTarget,
  settings: TrailSettings,
): Promise<ControlResult> {
  const actions: string[] = [];
  const failures: string[] = [];
  const found = await cloudtrail.send(
    new DescribeTrailsCommand({ trailNameList: [settings.name], includeShadowTrails: true }),
  );
  let trail: Trail | undefined = (found.trailList ?? []).find((t) => t.Name === settings.name);

  if (!trail) {
    if (!settings.s3BucketName) {
      const why = `trail ${settings.name} does not exist, and trail.s3BucketName is not configured, so logwarden cannot create it`;
      return controlResult('trail', target, {}, [], [why]);
    }
    const created = await cloudtrail.send(
      new CreateTrailCommand({
        Name: settings.name,
        S3BucketName: settings.s3BucketName,
        IsMultiRegionTrail: true,
        IsOrganizationTrail: settings.mode === 'organization',
        EnableLogFileValidation: true,
        IncludeGlobalServiceEvents: true,
        KmsKeyId: settings.kmsKeyArn,
        CloudWatchLogsLogGroupArn: settings.cloudWatchLogsGroupArn,
        CloudWatchLogsRoleArn: settings.cloudWatchLogsRoleArn,
        TagsList: [{ Key: 'managed-by', Value: 'logwarden' }],
      }),
    );
    actions.push(`created ${settings.mode} trail ${settings.name} because it did not exist`);
    trail = {
      Name: settings.name,
      TrailARN: created.TrailARN,
      IsMultiRegionTrail: true,
      LogFileValidationEnabled: true,
      KmsKeyId: settings.kmsKeyArn,
      CloudWatchLogsLogGroupArn: settings.cloudWatchLogsGroupArn,
      IsOrganizationTrail: settings.mode === 'organization',
      HomeRegion: target.region,
    };
  }
  const arn = trail.TrailARN ?? settings.name;

  if (settings.mode === 'organization' && !trail.IsOrganizationTrail) {
    failures.push(
      `trail ${settings.name} exists but is not an organization trail; logwarden will not convert someone else's trail`,
    );
  }
  const update: UpdateTrailCommandInput = { Name: arn };
  const fixes: string[] = [];
  if (!trail.IsMultiRegionTrail) {
    update.IsMultiRegionTrail = true;
    fixes.push('multi-region');
  }
  if (!trail.LogFileValidationEnabled) {
    update.EnableLogFileValidation = true;
    fixes.push('log file validation');
  }
  if (!trail.KmsKeyId) {
    if (settings.kmsKeyArn) {
      update.KmsKeyId = settings.kmsKeyArn;
      fixes.push('KMS encryption');
    } else failures.push('the trail is not KMS-encrypted and trail.kmsKeyArn is not configured');
  }
  if (!trail.CloudWatchLogsLogGroupArn) {
    if (settings.cloudWatchLogsGroupArn && settings.cloudWatchLogsRoleArn) {
      update.CloudWatchLogsLogGroupArn = settings.cloudWatchLogsGroupArn;
      update.CloudWatchLogsRoleArn = settings.cloudWatchLogsRoleArn;
      fixes.push('CloudWatch Logs delivery');
    } else
      failures.push(
        'the trail does not send to CloudWatch Logs and trail.cloudWatchLogsGroupArn/RoleArn are not configured',
      );
  }
  if (fixes.length && !failures.some((f) => f.includes('not an organization trail'))) {
    await cloudtrail.send(new UpdateTrailCommand(update));
    actions.push(`updated trail ${settings.name}: turned on ${fixes.join(', ')}`);
  }

  const selectors = await cloudtrail.send(new GetEventSelectorsCommand({ TrailName: arn }));
  if (!logsManagementEvents(selectors.EventSelectors, selectors.AdvancedEventSelectors)) {
    await cloudtrail.send(
      new PutEventSelectorsCommand({
        TrailName: arn,
        ...withManagementEvents(selectors.EventSelectors, selectors.AdvancedEventSelectors),
      }),
    );
    actions.push(
      `restored management events (read and write) in the selectors of ${settings.name}, keeping the other selectors`,
    );
  }

  const status = await cloudtrail.send(new GetTrailStatusCommand({ Name: arn }));
  if (!status.IsLogging) {
    await cloudtrail.send(new StartLoggingCommand({ Name: arn }));
    actions.push(`started logging on ${settings.name}, which was stopped`);
  }
  return controlResult('trail', target, { trail: arn }, actions, failures);
}
