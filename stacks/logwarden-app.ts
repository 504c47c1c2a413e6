import { managementForwardedTriggersIn } from '../events/patterns';
import { Annotations, App, DefaultStackSynthesizer, Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ArchiveReplicaStack } from './archive-replica-stack';
import { CentralStack } from './central-stack';
import { centralStackId, pipelinesOf } from '../contracts/pipelines';
import { configWarnings, type LogwardenConfig } from '../contracts/config';
import { forwardsTrailChangesFromHome } from '../contracts/prerequisites';
import { ControlPlaneStack } from './control-plane-stack';
import { DestinationStack } from './destination-stack';
import { ManagementForwarderStack } from './management-forwarder-stack';
import { MemberBaselineStack } from './member-baseline-stack';
import { logGroupOf, ManagementTrailSubscriptionStack } from './management/trail-subscription-stack';

const featureFlags: Record<string, unknown> = {
  '@aws-cdk/core:checkSecretUsage': true,
  '@aws-cdk/aws-iam:minimizePolicies': true,
  '@aws-cdk/core:validateSnapshotRemovalPolicy': true,
  '@aws-cdk/aws-lambda:recognizeLayerVersion': true,
  '@aws-cdk/core:enablePartitionLiterals': true,
  '@aws-cdk/aws-kms:aliasNameRef': true,
  '@aws-cdk/aws-kms:applyImportedAliasPermissionsToPrincipal': true,
  '@aws-cdk/aws-iam:standardizedServicePrincipals': true,
  '@aws-cdk/aws-sns:restrictSqsDescryption': true,
  '@aws-cdk/aws-lambda-nodejs:useLatestRuntimeVersion': true,
  '@aws-cdk/aws-kinesis:enableStreamKeyRotationByDefault': true,
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  '@aws-cdk/customresources:installLatestAwsSdkDefault': false,
};

export interface LogwardenStacks {
  /** The home region's pipeline (`LogwardenCentral`). */
  readonly central: CentralStack;
  /** Every pipeline, the home region's first; with `pipeline.regional` one per pipeline region. */
  readonly centrals: CentralStack[];
  /** Present with `archive.replica`: the archive's Object-Locked replica, deployed before `central`. */
  readonly archiveReplica?: ArchiveReplicaStack;
  readonly destinations: DestinationStack[];
  readonly controlPlane: ControlPlaneStack;
  readonly memberBaseline: MemberBaselineStack;
  readonly managementForwarder: ManagementForwarderStack;
  /** Forwards the organization trail's changes from the home Region (when it is not us-east-1). */
  readonly managementHomeForwarder?: ManagementForwarderStack;
  /** Present for an external organization trail whose group is in the management account (`trail.cloudWatchLogsGroupArn`). */
  readonly managementTrailSubscription?: ManagementTrailSubscriptionStack;
}

/** Builds every logwarden stack from one validated config, with cdk-nag on all of them. */
export function buildApp(app: App, config: LogwardenConfig): LogwardenStacks {
  // Feature flags live here, not in cdk.json, so tests and `cdk synth` build the same thing.
  for (const [flag, value] of Object.entries(featureFlags)) app.node.setContext(flag, value);
  // The search VPC's zones: the configured ones, or CDK's lookup at synth time (DescribeAvailabilityZones
  // with the log-archive account's credentials, kept in cdk.context.json). Zone codes differ between
  // accounts, so none is assumed (docs/configuration.md).
  const zones = config.openSearch.availabilityZones;
  if (zones)
    app.node.setContext(
      `availability-zones:account=${config.accounts.logArchive}:region=${config.homeRegion}`,
      zones,
    );
  for (const [region, regionZones] of Object.entries(config.pipeline.availabilityZones ?? {}))
    app.node.setContext(
      `availability-zones:account=${config.accounts.logArchive}:region=${region}`,
      regionZones,
    );
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const logArchive = { account: config.accounts.logArchive };

  // `cdk deploy LogwardenCentral -c logwarden:breakGlass=true`: a change to the archive's
  // protections, which the archive guard SCP and the bucket and key policies refuse to everyone
  // else, is deployed by the break-glass role, as the deploy role (the bootstrap's deploy role may
  // pass only the bootstrap's execution role) and as CloudFormation's execution role.
  const breakGlass = ['true', true].includes(app.node.tryGetContext('logwarden:breakGlass'));
  // One pipeline in the home region, or with pipeline.regional one per region or region group
  // (contracts/pipelines.ts), each with its own stream, keys, archive, search domain and alerts.
  const centrals = pipelinesOf(config).map(
    ({ region, serves }) =>
      new CentralStack(app, centralStackId(config, region), {
        config,
        ...(breakGlass
          ? {
              synthesizer: new DefaultStackSynthesizer({
                deployRoleArn: config.breakGlassRoleArn,
                cloudFormationExecutionRole: config.breakGlassRoleArn,
              }),
            }
          : {}),
        env: { ...logArchive, region },
        description: config.pipeline.regional
          ? `logwarden regional pipeline of ${serves.join(', ')}: stream, archive, index, alerts (log-archive account)`
          : 'logwarden central pipeline: stream, archive, index, alerts (log-archive account)',
      }),
  );
  const central = centrals[0];
  // The replica first, then LogwardenCentral: S3 replicates a version only into a destination
  // that exists, is versioned and has Object Lock (DstBucketNotFound, DstBucketUnversioned,
  // DstBucketObjectLockConfigMissing, S3 User Guide "Amazon S3 replication failure reasons"), and
  // never retries what the rule missed ("Amazon S3 doesn't replicate objects retroactively").
  // The replica's policies name the replication role by aws:PrincipalArn, which needs no role yet.
  const replica = config.archive.replica;
  const archiveReplica = replica
    ? new ArchiveReplicaStack(app, 'LogwardenArchiveReplica', {
        config,
        env: { account: replica.account, region: replica.region },
        description: `logwarden: the archive's Object-Locked replica (${replica.account}, ${replica.region})`,
      })
    : undefined;
  if (archiveReplica)
    central.addDependency(archiveReplica, 'the replication rule names the replica bucket and key');
  const destinations = config.governedRegions.map(
    (region) =>
      new DestinationStack(app, `LogwardenDestination-${region}`, {
        config,
        env: { ...logArchive, region },
        description: `logwarden CloudWatch Logs destination for ${region} (log-archive account)`,
      }),
  );

  // The baseline is never deployed by `cdk deploy`: its own stage keeps it out of the app's
  // stacks, and its synthesized template becomes the StackSet's body.
  const baselineStage = new Stage(app, 'MemberBaseline');
  const memberBaseline = new MemberBaselineStack(baselineStage, 'LogwardenMemberBaseline', { config });
  const baselineTemplate = baselineStage.synth().getStackByName(memberBaseline.stackName).template;

  const controlPlane = new ControlPlaneStack(app, 'LogwardenControlPlane', {
    config,
    memberBaselineTemplate: JSON.stringify(baselineTemplate),
    env: { account: config.accounts.securityTooling, region: config.homeRegion },
    description: 'logwarden coverage control plane (security-tooling account)',
  });
  // A valid configuration that leaves a gap: the same lines `logwarden config check` prints.
  for (const w of configWarnings(config))
    Annotations.of(controlPlane).addWarningV2(`logwarden:config:${w.field}`, `${w.field}: ${w.message}`);
  // Organizations and opt-in events reach the management account in us-east-1; calls on the
  // organization trail in its home Region (events/patterns.ts managementRegion). Where logwarden
  // keeps no trail there (trail.mode account), nothing is forwarded from the home Region.
  // The same condition names the management account's home Region among the CDK bootstrap
  // prerequisites (contracts/prerequisites.ts deploymentEnvironments).
  const homeForwarded = forwardsTrailChangesFromHome(config)
    ? [...managementForwardedTriggersIn('home')]
    : [];
  const managementForwarder = new ManagementForwarderStack(app, 'LogwardenManagementForwarder', {
    config,
    forward: [
      ...managementForwardedTriggersIn('us-east-1'),
      ...(config.homeRegion === 'us-east-1' ? homeForwarded : []),
    ],
    env: { account: config.accounts.management, region: 'us-east-1' },
    description: 'logwarden: forwards Organizations account events to the control plane (management account)',
  });
  const managementHomeForwarder =
    config.homeRegion !== 'us-east-1' && homeForwarded.length
      ? new ManagementForwarderStack(app, `LogwardenManagementForwarder-${config.homeRegion}`, {
          config,
          forward: homeForwarded,
          env: { account: config.accounts.management, region: config.homeRegion },
          description:
            'logwarden: forwards changes to the organization trail to the control plane (management account, home Region)',
        })
      : undefined;
  // logwarden's own trails deliver to its group and role in the account that calls CreateTrail
  // and UpdateTrail (CloudTrail User Guide, "Organization delegated administrator", footnote 1):
  // the control plane's for the organization trail, the member baseline's for account trails,
  // subscribed there by the account policy. Only an external organization trail (trail.mode
  // external) may deliver to a group in the management account, which the management account
  // created it with and where no member baseline runs: this stack subscribes it. A group
  // configured in another account is not subscribed by any logwarden stack: synthesis says so.
  const trailGroup = config.trail.mode === 'external' ? config.trail.cloudWatchLogsGroupArn : undefined;
  const trailGroupAt = trailGroup === undefined ? undefined : logGroupOf(trailGroup);
  if (trailGroupAt && trailGroupAt.account !== config.accounts.management) {
    Annotations.of(controlPlane).addWarningV2(
      'logwarden:trail-group-account',
      `trail.cloudWatchLogsGroupArn is in account ${trailGroupAt.account}, not the management account (${config.accounts.management}) that created the external trail; no logwarden stack runs there, so it is not subscribed to the pipeline`,
    );
  }
  const managementTrailSubscription =
    trailGroup === undefined || trailGroupAt?.account !== config.accounts.management
      ? undefined
      : new ManagementTrailSubscriptionStack(app, 'LogwardenManagementTrailSubscription', {
          config,
          logGroupArn: trailGroup,
          env: { account: config.accounts.management, region: trailGroupAt.region },
          description:
            'logwarden: subscribes the organization trail’s CloudWatch Logs group to the central pipeline (management account)',
        });
  return {
    central,
    centrals,
    archiveReplica,
    destinations,
    controlPlane,
    memberBaseline,
    managementForwarder,
    managementHomeForwarder,
    managementTrailSubscription,
  };
}
