import {
  AdvancedEventSelector,
  CloudTrailClient,
  CreateTrailCommand,
  type CreateTrailCommandOutput,
  DescribeTrailsCommand,
  EventSelector,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  type GetTrailStatusCommandOutput,
  PutEventSelectorsCommand,
  StartLoggingCommand,
  Trail,
  UpdateTrailCommand,
  UpdateTrailCommandInput,
} from '@aws-sdk/client-cloudtrail';
import type { ControlResult, ControlTarget } from '../../contracts/coverage';
import { controlResult } from '../shared/coverage';
import { isRetryable as isTransient } from '../shared/retryable';

export interface TrailSettings {
  mode: 'organization' | 'account' | 'external';
  /** trail.mode external: who owns the trail, named in every drift report. */
  owner?: string;
  name: string;
  /** logwarden's home region: where the multi-region trail lives and is checked. */
  homeRegion: string;
  /**
   * The trail's ARN, the only way to address it (contracts/names.ts): the organization trail's
   * names the management account, which owns it even when the delegated administrator manages
   * it; an account trail's names the member.
   */
  trailArn: string;
  s3BucketName?: string;
  kmsKeyArn?: string;
  /**
   * logwarden's group and role in the account that calls CreateTrail/UpdateTrail ("Both the
   * CloudWatch Logs log group and log role must exist in the calling account": CloudTrail User
   * Guide, "Organization delegated administrator", footnote 1): contracts/names.ts. Always
   * given for a trail logwarden keeps; an external trail is never written (verifyExternalTrail).
   */
  cloudWatchLogsGroupArn?: string;
  cloudWatchLogsRoleArn?: string;
}

const managementOnly = (f: { Field?: string }) => f.Field === 'eventCategory';

/** Management events, read and write, from every event source (none excluded). */
function logsManagementEvents(
  basic: EventSelector[] | undefined,
  advanced: AdvancedEventSelector[] | undefined,
): boolean {
  if (advanced?.length) {
    return advanced.some((s) => {
      const fields = s.FieldSelectors ?? [];
      return (
        fields.some((f) => managementOnly(f) && f.Equals?.includes('Management')) &&
        // Any other field (readOnly, eventSource NotEquals…) narrows the management events.
        fields.every((f) => managementOnly(f))
      );
    });
  }
  return (basic ?? []).some(
    (s) =>
      s.IncludeManagementEvents !== false &&
      (s.ReadWriteType ?? 'All') === 'All' &&
      !(s.ExcludeManagementEventSources ?? []).length,
  );
}

/** Basic event selectors a trail can have: "You can configure up to five event selectors for a trail" (PutEventSelectors). */
const MAX_EVENT_SELECTORS = 5;

/**
 * The selectors with management events (read and write, no source excluded) added, everything
 * else kept; undefined when that cannot be done without changing someone's data events.
 *
 * A basic selector's ReadWriteType "applies to management events, data events, and network
 * activity events" (GetEventSelectors), so a selector with data resources is never widened: a
 * write-only data-event selector would start logging every read. A selector without data
 * resources logs management events only, so it is the one widened; otherwise a management-only
 * selector is added, within the five a trail can have.
 */
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
  const all = {
    IncludeManagementEvents: true,
    ReadWriteType: 'All' as const,
    ExcludeManagementEventSources: [],
  };
  const selectors = basic ?? [];
  const managementOnly = selectors.findIndex((s) => !(s.DataResources ?? []).length);
  if (managementOnly >= 0)
    return { EventSelectors: selectors.map((s, i) => (i === managementOnly ? { ...s, ...all } : s)) };
  if (selectors.length >= MAX_EVENT_SELECTORS) return undefined;
  return { EventSelectors: [...selectors, { ...all, DataResources: [] }] };
}

/**
 * CloudTrail's ConflictException: "This exception is thrown when the specified resource is not
 * ready for an operation. This can occur when you try to run an operation on a resource before
 * CloudTrail has time to fully load the resource, or because another operation is modifying the
 * resource. If this exception occurs, wait a few minutes, and then try the operation again."
 * (CloudTrail API Reference; CreateTrail, UpdateTrail and PutEventSelectors list it). A named
 * error, so the workflow retries the control for minutes (workflows/resilience.ts
 * `trailConflictRetry`), not for the seconds of the transient retry; `ConflictException` itself
 * is not retried there, since other services' errors of that name mean what they say.
 */
export class TrailConflict extends Error {
  static readonly errorName = 'TrailConflict';
  constructor(cause: Error) {
    super(`CloudTrail answered ConflictException (the trail is not ready yet): ${cause.message}`, {
      cause,
    });
    this.name = TrailConflict.errorName;
  }
}

/**
 * Throttling, server errors (functions/shared/retryable.ts) and ConflictException: the workflow
 * retries the whole control, so they are thrown (ConflictException as a TrailConflict, by
 * `ensureTrail`).
 */
function isRetryable(err: unknown): boolean {
  return isTransient(err) || (err as { name?: string }).name === 'ConflictException';
}

/**
 * The trail's CloudWatch Logs delivery failing, as GetTrailStatus reports it, or undefined.
 * LatestCloudWatchLogsDeliveryError: "Displays any CloudWatch Logs error that CloudTrail
 * encountered when attempting to deliver logs to CloudWatch Logs"; LatestCloudWatchLogsDeliveryTime:
 * "Displays the most recent date and time when CloudTrail delivered logs to CloudWatch Logs"
 * (GetTrailStatusResponse, botocore cloudtrail model). The model gives the error no time, so an
 * error cannot be dated against the last delivery: any reported error counts, and the last
 * delivery time (if any) is named beside it. The group is the pipeline's input (the management
 * account's subscription carries it on), so a trail that logs but cannot deliver there covers
 * nothing logwarden sees.
 */
function cloudWatchLogsDeliveryFailure(
  status: GetTrailStatusCommandOutput,
  settings: TrailSettings,
): string | undefined {
  const error = deliveryError(status);
  if (!error) return undefined;
  const role = settings.cloudWatchLogsRoleArn;
  const whose =
    settings.mode === 'external'
      ? `${settings.owner ?? 'its owner'} must repair it (trail.mode external)`
      : `the role ${role ?? '(none configured)'} and the group are logwarden's own, deployed by its stacks: logwarden does not rewrite a role's trust or permissions at run time, so redeploy them (or fix the group's KMS key policy)`;
  return `trail CloudWatch Logs delivery fails: ${error}; ${whose}`;
}

/** The CloudWatch Logs delivery error GetTrailStatus reports, with the last delivery, or undefined. */
function deliveryError(status: GetTrailStatusCommandOutput): string | undefined {
  const error = status.LatestCloudWatchLogsDeliveryError;
  if (!error) return undefined;
  return `${error} (last delivered ${status.LatestCloudWatchLogsDeliveryTime?.toISOString() ?? 'never'})`;
}

/** CloudTrail reports the log group ARN with the `:*` suffix the API also accepts. */
const logGroupArn = (arn: string | undefined) => arn?.replace(/:\*$/, '');

/** The trail by its ARN, or undefined: DescribeTrails by name sees only the caller's own trails. */
async function describeTrail(cloudtrail: CloudTrailClient, trailArn: string): Promise<Trail | undefined> {
  const found = await cloudtrail.send(
    new DescribeTrailsCommand({ trailNameList: [trailArn], includeShadowTrails: true }),
  );
  return (found.trailList ?? []).find((t) => t.TrailARN === trailArn);
}

/**
 * CreateTrail, where `TrailAlreadyExistsException` ("the specified trail already exists",
 * CloudTrail API Reference, CreateTrail) means someone created it since we looked: 'exists'.
 */
async function createTrail(
  cloudtrail: CloudTrailClient,
  command: CreateTrailCommand,
): Promise<CreateTrailCommandOutput | 'exists'> {
  try {
    return await cloudtrail.send(command);
  } catch (err) {
    if ((err as Error).name === 'TrailAlreadyExistsException') return 'exists';
    throw err;
  }
}

/**
 * Another region's cell. The trail is one multi-region resource in the home region, and every
 * change to it must be made there ("must be called from the region in which the trail was
 * created; otherwise, an InvalidHomeRegionException is thrown": CloudTrail API Reference,
 * UpdateTrail, PutEventSelectors; StartLogging and StopLogging likewise), so its settings are
 * checked and repaired in the home region's cell, which every cover-account and sweep covers.
 * This cell verifies, in two reads, what makes this region covered: the trail exists, is
 * multi-region ("applies to all regions", CloudTrail API Reference, Trail.IsMultiRegionTrail),
 * and is logging; it says so in its evidence, and reports anything else as failed.
 */
async function verifiedFromHome(
  cloudtrail: CloudTrailClient,
  target: ControlTarget,
  settings: TrailSettings,
): Promise<ControlResult> {
  const home = settings.homeRegion;
  const evidence: Record<string, string> = { trail: settings.trailArn, settingsCheckedIn: home };
  const repairedThere =
    settings.mode === 'external'
      ? `${settings.owner ?? 'its owner'} must repair it (trail.mode external)`
      : `the home region ${home}'s cell repairs it`;
  const trail = await describeTrail(cloudtrail, settings.trailArn);
  if (!trail)
    return controlResult(
      'trail',
      target,
      evidence,
      [],
      [`trail ${settings.trailArn} does not exist, so nothing logs ${target.region}; ${repairedThere}`],
    );
  // UpdateTrailRequest.IsOrganizationTrail: converted to false, "the trail will remain in the
  // current Amazon Web Services account but be deleted from all member accounts". The home
  // region's cell reports that as a failure and never converts it back (ensureTrail): so does
  // every other region's.
  if (settings.mode !== 'account' && !trail.IsOrganizationTrail)
    return controlResult(
      'trail',
      target,
      evidence,
      [],
      [
        `trail ${settings.trailArn} is not an organization trail, so it logs no member account's ${target.region}; ${
          settings.mode === 'external'
            ? repairedThere
            : "logwarden will not convert someone else's trail, and the home region's cell reports it too"
        }`,
      ],
    );
  if (!trail.IsMultiRegionTrail)
    return controlResult(
      'trail',
      target,
      evidence,
      [],
      [
        `trail ${settings.trailArn} is not multi-region, so it does not log ${target.region}; ${repairedThere}`,
      ],
    );
  const status = await cloudtrail.send(
    new GetTrailStatusCommand({ Name: trail.TrailARN ?? settings.trailArn }),
  );
  if (!status.IsLogging)
    return controlResult(
      'trail',
      target,
      evidence,
      [],
      [`trail ${settings.trailArn} is not logging; ${repairedThere}`],
    );
  const undelivered = cloudWatchLogsDeliveryFailure(status, settings);
  if (undelivered) return controlResult('trail', target, evidence, [], [undelivered]);
  evidence.verified = `exists, ${settings.mode === 'account' ? '' : 'organization trail, '}multi-region (applies to ${target.region}), logging (read in ${home})`;
  return controlResult('trail', target, evidence, [], []);
}

/**
 * The trail (the organization trail, or this account's trail) exists, is multi-region, logs
 * management events from every source, validates log files, is encrypted with the configured
 * KMS key, delivers to the configured bucket and CloudWatch Logs group (through the configured
 * role), and is logging. Every call addresses the trail by its ARN (CloudTrail API Reference:
 * GetTrailStatus, StartLogging, UpdateTrail, GetEventSelectors and PutEventSelectors take a
 * trail name or ARN, and a trail of another account only by ARN). Selectors someone added are
 * kept.
 */
export async function ensureTrail(
  cloudtrail: CloudTrailClient,
  target: ControlTarget,
  settings: TrailSettings,
): Promise<ControlResult> {
  try {
    return await checkTrail(cloudtrail, target, settings);
  } catch (err) {
    if ((err as Error).name === 'ConflictException') throw new TrailConflict(err as Error);
    throw err;
  }
}

async function checkTrail(
  cloudtrail: CloudTrailClient,
  target: ControlTarget,
  settings: TrailSettings,
): Promise<ControlResult> {
  if (target.region !== settings.homeRegion) return verifiedFromHome(cloudtrail, target, settings);
  if (settings.mode === 'external') return verifyExternalTrail(cloudtrail, target, settings);
  const actions: string[] = [];
  const failures: string[] = [];
  let trail = await describeTrail(cloudtrail, settings.trailArn);
  /** Created by this run: its selectors and its logging state are known without reading them. */
  let justCreated = false;

  if (!trail) {
    if (!settings.s3BucketName) {
      const why = `trail ${settings.trailArn} does not exist, and trail.s3BucketName is not configured, so logwarden cannot create it`;
      return controlResult('trail', target, {}, [], [why]);
    }
    const created = await createTrail(
      cloudtrail,
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
    if (created === 'exists') {
      // Another execution created it between our look-up and our CreateTrail (cover-account
      // covers regions in parallel, and one trail serves them all): found, not missing.
      trail = await describeTrail(cloudtrail, settings.trailArn);
      if (!trail) {
        const why = `CreateTrail answered TrailAlreadyExistsException for ${settings.name}, but ${settings.trailArn} cannot be read: is a trail of that name another account's?`;
        return controlResult('trail', target, {}, [], [why]);
      }
    } else {
      actions.push(`created ${settings.mode} trail ${settings.name} because it did not exist`);
      if (created.TrailARN && created.TrailARN !== settings.trailArn)
        failures.push(
          `CloudTrail created ${created.TrailARN}, not ${settings.trailArn}: check that this account manages the trail as the CloudTrail delegated administrator`,
        );
      justCreated = true;
      trail = {
        // Created without selectors: all management events (CloudTrail API Reference, EventSelector).
        HasCustomEventSelectors: false,
        Name: settings.name,
        TrailARN: created.TrailARN ?? settings.trailArn,
        S3BucketName: settings.s3BucketName,
        IsMultiRegionTrail: true,
        LogFileValidationEnabled: true,
        KmsKeyId: settings.kmsKeyArn,
        CloudWatchLogsLogGroupArn: settings.cloudWatchLogsGroupArn,
        CloudWatchLogsRoleArn: settings.cloudWatchLogsRoleArn,
        IsOrganizationTrail: settings.mode === 'organization',
        HomeRegion: target.region,
      };
    }
  }
  const arn = trail.TrailARN ?? settings.trailArn;

  if (settings.mode === 'organization' && !trail.IsOrganizationTrail) {
    failures.push(
      `trail ${settings.name} exists but is not an organization trail; logwarden will not convert someone else's trail`,
    );
  }
  const update: UpdateTrailCommandInput = { Name: arn };
  const fixes: string[] = [];
  // A multi-region trail must include global service events: AWS refuses UpdateTrail's
  // IsMultiRegionTrail true on a trail without them, "InvalidParameterCombinationException:
  // Multi-Region trail must include global service events." (as users report AWS's answer:
  // hashicorp/terraform#4723, cloudconformity/auto-remediate#4; the model says only "the
  // combination of parameters provided is not valid"). So both are sent together.
  if (!trail.IsMultiRegionTrail) {
    update.IsMultiRegionTrail = true;
    update.IncludeGlobalServiceEvents = true;
    fixes.push('turned on multi-region (with the global service events it must include)');
  } else if (trail.IncludeGlobalServiceEvents === false) {
    update.IncludeGlobalServiceEvents = true;
    fixes.push('turned on global service events');
  }
  if (!trail.LogFileValidationEnabled) {
    update.EnableLogFileValidation = true;
    fixes.push('turned on log file validation');
  }
  if (settings.kmsKeyArn) {
    if (trail.KmsKeyId !== settings.kmsKeyArn) {
      update.KmsKeyId = settings.kmsKeyArn;
      fixes.push(
        trail.KmsKeyId
          ? `set the KMS key to the configured ${settings.kmsKeyArn} (was ${trail.KmsKeyId})`
          : 'turned on KMS encryption',
      );
    }
  } else if (!trail.KmsKeyId)
    failures.push('the trail is not KMS-encrypted and trail.kmsKeyArn is not configured');
  if (settings.s3BucketName && trail.S3BucketName && trail.S3BucketName !== settings.s3BucketName) {
    update.S3BucketName = settings.s3BucketName;
    fixes.push(`set the S3 bucket to the configured ${settings.s3BucketName} (was ${trail.S3BucketName})`);
  }
  if (settings.cloudWatchLogsGroupArn && settings.cloudWatchLogsRoleArn) {
    const group = logGroupArn(trail.CloudWatchLogsLogGroupArn);
    if (
      group !== logGroupArn(settings.cloudWatchLogsGroupArn) ||
      trail.CloudWatchLogsRoleArn !== settings.cloudWatchLogsRoleArn
    ) {
      // UpdateTrail takes the group and its role together.
      update.CloudWatchLogsLogGroupArn = settings.cloudWatchLogsGroupArn;
      update.CloudWatchLogsRoleArn = settings.cloudWatchLogsRoleArn;
      fixes.push(
        group
          ? `set CloudWatch Logs delivery to logwarden's group and role of the calling account (was ${group} through ${trail.CloudWatchLogsRoleArn ?? 'no role'})`
          : 'turned on CloudWatch Logs delivery',
      );
    }
  }
  if (fixes.length && !failures.some((f) => f.includes('not an organization trail'))) {
    // A refused UpdateTrail (a role CloudTrail cannot assume, a key it cannot use) is reported,
    // and never keeps the trail from logging: selectors and StartLogging still follow.
    try {
      await cloudtrail.send(new UpdateTrailCommand(update));
      actions.push(`updated trail ${settings.name}: ${fixes.join(', ')}`);
    } catch (err) {
      if (isRetryable(err)) throw err;
      failures.push(
        `UpdateTrail to ${fixes.join(', ')} failed: ${(err as Error).name}: ${(err as Error).message}`,
      );
    }
  }

  // A trail without custom selectors logs "all read and write management events, and no data
  // events" (CloudTrail API Reference, EventSelector): DescribeTrails' HasCustomEventSelectors
  // false proves it without reading them. CloudTrail allows 10 get, describe and list calls a
  // second per account and Region (CloudTrail quotas), shared by the whole organization's cells
  // in organization mode.
  const selectors =
    trail.HasCustomEventSelectors === false
      ? undefined
      : await cloudtrail.send(new GetEventSelectorsCommand({ TrailName: arn }));
  if (selectors && !logsManagementEvents(selectors.EventSelectors, selectors.AdvancedEventSelectors)) {
    const repaired = withManagementEvents(selectors.EventSelectors, selectors.AdvancedEventSelectors);
    if (repaired) {
      await cloudtrail.send(new PutEventSelectorsCommand({ TrailName: arn, ...repaired }));
      actions.push(
        `restored management events (read and write, no event source excluded) in the selectors of ${settings.name}, keeping the other selectors`,
      );
    } else
      failures.push(
        `${settings.name} has ${MAX_EVENT_SELECTORS} event selectors, all with data resources, and none logs every management event: logwarden widens no data-event selector (its ReadWriteType applies to data events too) and a trail can have no sixth`,
      );
  }

  // A trail created through the API records nothing until StartLogging ("Starts the recording of
  // AWS API calls and log file delivery for a trail", CloudTrail API Reference, StartLogging;
  // the CloudTrail User Guide's CLI walkthrough runs start-logging after create-trail). Not read
  // back after creating it, which also lets `logwarden plan` show the whole heal of a missing
  // trail (its CreateTrail is only recorded there, so the trail cannot be read).
  const status = justCreated ? undefined : await cloudtrail.send(new GetTrailStatusCommand({ Name: arn }));
  if (!status?.IsLogging) {
    await cloudtrail.send(new StartLoggingCommand({ Name: arn }));
    actions.push(`started logging on ${settings.name}, which was stopped`);
  }
  // Delivery the trail reported failing, unless this run just changed the group or role (its
  // error then names the old ones; the next run reads the new delivery's).
  const undelivered = status && cloudWatchLogsDeliveryFailure(status, settings);
  if (undelivered && update.CloudWatchLogsRoleArn === undefined) failures.push(undelivered);
  return controlResult('trail', target, { trail: arn }, actions, failures);
}

/**
 * trail.mode external: someone else's organization trail (Control Tower's, LZA's) is verified
 * and never changed: it exists, is an organization trail, is multi-region, logs management
 * events (read and write, no source excluded), delivers to a CloudWatch Logs group logwarden
 * can subscribe, and is logging. Only Describe/Get calls are made (the function's role has no
 * other trail permission in this mode); every gap is reported as drift for the trail's owner.
 */
export async function verifyExternalTrail(
  cloudtrail: CloudTrailClient,
  target: ControlTarget,
  settings: TrailSettings,
): Promise<ControlResult> {
  const owner = settings.owner ?? 'its owner';
  const drift: string[] = [];
  const trail = await describeTrail(cloudtrail, settings.trailArn);
  if (!trail) drift.push(`external trail ${settings.trailArn} does not exist (or cannot be read)`);
  else {
    if (!trail.IsOrganizationTrail) drift.push('it is not an organization trail');
    if (!trail.IsMultiRegionTrail) drift.push('it is not multi-region');
    if (!trail.CloudWatchLogsLogGroupArn)
      drift.push('it delivers to no CloudWatch Logs group, so logwarden cannot subscribe to it');
    const selectors =
      trail.HasCustomEventSelectors === false
        ? undefined
        : await cloudtrail.send(new GetEventSelectorsCommand({ TrailName: settings.trailArn }));
    if (selectors && !logsManagementEvents(selectors.EventSelectors, selectors.AdvancedEventSelectors))
      drift.push('its selectors do not log every management event (read and write, no source excluded)');
    const status = await cloudtrail.send(new GetTrailStatusCommand({ Name: settings.trailArn }));
    const undelivered = deliveryError(status);
    if (!status.IsLogging) drift.push('it is not logging');
    else if (undelivered) drift.push(`its CloudWatch Logs delivery fails: ${undelivered}`);
  }
  const evidence: Record<string, string> = {
    trail: settings.trailArn,
    owner,
    mode: 'external (verified, never modified)',
  };
  if (trail?.CloudWatchLogsLogGroupArn)
    evidence.logGroup = logGroupArn(trail.CloudWatchLogsLogGroupArn) as string;
  return controlResult(
    'trail',
    target,
    evidence,
    [],
    drift.length
      ? [
          `external trail owned by ${owner} drifted: ${drift.join('; ')}; logwarden changed nothing (trail.mode external), ${owner} must repair it`,
        ]
      : [],
  );
}
