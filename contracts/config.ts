import { dataLakeBucketPattern, externalIdPattern } from './security-lake';
import { isOptInRegion } from './regions';
import { pipelineRegionOf, pipelinesOf, trailPipelineRegion } from './pipelines';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { detectionRuleIds } from './detections';
import {
  bytesToGiB,
  dailyIngestBytes,
  recordBytes,
  shortfalls,
  sizeCluster,
  volumeProblem,
  type ClusterSize,
} from './search-sizing';

const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');
const region = z
  .string()
  .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region name such as eu-west-1');
const positiveInt = z.number().int('must be a whole number').positive('must be greater than 0');
const roleArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/,
    'must be an IAM role ARN such as arn:aws:iam::222222222222:role/logwarden-break-glass',
  );
const organizationalUnitId = z
  .string()
  .regex(
    /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/,
    'must be an organizational unit id such as ou-ab12-cd34ef56 (or the root id r-ab12)',
  );
const distinct = (list: string[]) => new Set(list).size === list.length;
/**
 * A field logwarden no longer reads: configuring it is refused with a message naming what took
 * its place, never silently ignored.
 */
const notConfiguredMessage = (field: string) =>
  `${field} is no longer configured: the trail delivers to /logwarden/cloudtrail and the role logwarden-cloudtrail-to-logs in the account that calls CreateTrail/UpdateTrail (security-tooling for the organization trail, each account for its own), which logwarden creates (docs/configuration.md)`;
const notConfigured = (field: string) => z.undefined({ error: notConfiguredMessage(field) }).optional();

/** The account id inside an IAM role ARN. */
export const accountOfRoleArn = (arn: string): string => arn.split(':')[4];

/**
 * How the archive's objects are locked. S3 refuses a PutObject into a bucket with a default
 * retention unless the request carries Content-MD5 or an x-amz-checksum-* header, and the
 * Firehose documentation does not say that Firehose sends one:
 * - `per-object` (default): the bucket has Object Lock enabled but no default retention, so
 *   Firehose's writes need no such header; the archive-lock function locks each new object
 *   version (PutObjectRetention, whose checksum the SDK computes) as soon as it is created.
 * - `bucket-default`: the bucket's default retention locks objects on write; choose it only
 *   once a delivery to a test bucket with default retention has succeeded.
 */
/** Backend roles of the people's security roles that a SAML assertion carries (its `rolesKey`). */
const samlGroups = z.array(z.string().min(1, 'must not be empty')).default([]);

/**
 * The Dashboards sign-in. SAML (IAM Identity Center or another IdP) or Amazon Cognito; the
 * patterns are the OpenSearch Service API's (API Reference, CognitoOptions: IdentityPoolId
 * `[\w-]+:[0-9a-f-]+`, UserPoolId `[\w-]+_[0-9a-zA-Z]+`; SAMLIdp: EntityId 8 to 512 characters,
 * MetadataContent 1 to 1048576; SAMLOptionsInput: SessionTimeoutMinutes "Acceptable values are
 * between 1 and 1440, and the default value is 60").
 */
export const dashboardsLogin = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('saml'),
    /** The IdP's entity id (IAM Identity Center: the application's "IAM Identity Center SAML issuer URL"). */
    idpEntityId: z.string().min(8, 'must be 8 to 512 characters').max(512, 'must be 8 to 512 characters'),
    /** The IdP's SAML metadata XML, a file relative to the configuration file. */
    idpMetadataFile: z.string().min(1, 'must name the IdP metadata XML file'),
    /** The assertion attribute that carries the groups (backend roles). */
    rolesKey: z.string().min(1).default('Role'),
    /** The assertion attribute for the user name; default NameID. */
    subjectKey: z.string().min(1).optional(),
    sessionTimeoutMinutes: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be 1 to 1440 minutes')
      .max(1440, 'must be 1 to 1440 minutes')
      .default(60),
    /** IdP groups mapped to each people's role. */
    readerGroups: samlGroups,
    responderGroups: samlGroups,
    adminGroups: samlGroups,
  }),
  z.strictObject({
    type: z.literal('cognito'),
    userPoolId: z
      .string()
      .regex(/^[\w-]+_[0-9a-zA-Z]+$/, 'must be a Cognito user pool id such as eu-west-1_AbC123'),
    identityPoolId: z
      .string()
      .regex(/^[\w-]+:[0-9a-f-]+$/, 'must be a Cognito identity pool id such as eu-west-1:1a2b3c4d-…'),
  }),
]);

export const objectLockApplications = ['per-object', 'bucket-default'] as const;

export const configSchema = z
  .object({
    organizationId: z
      .string()
      .regex(/^o-[a-z0-9]{10,32}$/, 'must be an AWS Organizations id such as o-a1b2c3d4e5'),
    organizationRootId: z
      .string()
      .regex(/^r-[0-9a-z]{4,32}$/, 'must be the organization root id such as r-ab12'),
    accounts: z.strictObject({
      management: accountId,
      logArchive: accountId,
      securityTooling: accountId,
    }),
    /**
     * The log-archive account's break-glass role: the only principal that may schedule deletion
     * of, disable or re-write the policy of the archive key, change the archive bucket's Object
     * Lock configuration, lifecycle or policy, and the OpenSearch master user.
     */
    breakGlassRoleArn: roleArn,
    homeRegion: region,
    governedRegions: z
      .array(region)
      .min(1, 'must list at least one region')
      .refine((r) => new Set(r).size === r.length, 'must not list a region twice'),
    /**
     * Which accounts logwarden governs (contracts/scope.ts). Accounts out of scope get no
     * member baseline where StackSets can leave them out, and no control ever runs there: their
     * cells are `excluded`, with the rule that excluded them.
     */
    scope: z
      .strictObject({
        /** OUs (nested OUs included) whose accounts are governed; empty: the whole organization (the root). */
        includeOUs: z.array(organizationalUnitId).refine(distinct, 'must not list an OU twice').default([]),
        /** OUs whose accounts are not governed, even when they sit inside an included OU. */
        excludeOUs: z.array(organizationalUnitId).refine(distinct, 'must not list an OU twice').default([]),
        excludeAccounts: z.array(accountId).refine(distinct, 'must not list an account twice').default([]),
        /**
         * Default false: service-managed StackSets never deploy to the management account
         * ("StackSets doesn't deploy stack instances to the organization management account, even
         * if the management account is in your organization or in an OU in your organization",
         * CloudFormation API Reference, DeploymentTargets), so it has no member execution role
         * for the controls to use. Set it to true only after deploying the member baseline
         * there by hand (docs/configuration.md).
         */
        coverManagementAccount: z.boolean().default(false),
      })
      .default({ includeOUs: [], excludeOUs: [], excludeAccounts: [], coverManagementAccount: false }),
    /**
     * `enforce` (default): the control plane repairs what it finds missing or wrong. `observe`:
     * it reads only, and reports what a heal would change as `failed` (ledger, summary, alarms)
     * without changing anything; the recommended first week in an organization that already
     * has logging (docs/coexistence.md).
     */
    mode: z.enum(['enforce', 'observe'], { error: 'must be "enforce" or "observe"' }).default('enforce'),
    trail: z.strictObject({
      /**
       * `organization`/`account`: logwarden keeps (and may create) the trail. `external`: an
       * existing organization trail (Control Tower's, LZA's) named by `arn` is verified and never
       * modified; drift is reported to its owner (docs/coexistence.md).
       */
      mode: z.enum(['organization', 'account', 'external'], {
        error: 'must be "organization", "account" or "external"',
      }),
      name: z.string().min(3).max(128).default('logwarden'),
      /** trail.mode external: the existing organization trail's ARN (it names the management account). */
      arn: z
        .string()
        .regex(
          /^arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:trail\/[\w.-]{3,128}$/,
          'must be a CloudTrail trail ARN',
        )
        .optional(),
      /** trail.mode external: who owns the trail, named in every drift report. */
      owner: z.string().min(1).max(200).optional(),
      /** Where a trail that logwarden has to create delivers; without it a missing trail is reported, not created. */
      s3BucketName: z.string().min(3).max(63).optional(),
      /**
       * The key's own ARN (`…:key/<id>`), not an alias: DescribeTrails gives `KmsKeyId` as "a
       * fully specified ARN to a KMS key" (CloudTrail API Reference, Trail.KmsKeyId), so an alias
       * would never compare equal and every sweep would update the trail again.
       */
      kmsKeyArn: z
        .string()
        .regex(
          /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/,
          'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>), not an alias',
        )
        .optional(),
      /**
       * trail.mode external only: the existing trail's CloudWatch Logs group, trusted for
       * CloudTrail records. logwarden's own trails always deliver to its group and role in the
       * account that calls CreateTrail/UpdateTrail (contracts/names.ts trailLogGroup).
       */
      cloudWatchLogsGroupArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:logs:/, 'must be a CloudWatch Logs group ARN')
        .optional(),
      cloudWatchLogsRoleArn: notConfigured('trail.cloudWatchLogsRoleArn'),
    }),
    kinesis: z.strictObject({
      capacity: z.union([z.literal('on-demand'), positiveInt.max(500)], {
        error: 'must be "on-demand" or a shard count from 1 to 500',
      }),
      retentionHours: positiveInt
        .min(24, 'must be at least 24 (the Kinesis minimum)')
        .max(8760, 'must be at most 8760 (365 days, the Kinesis maximum)')
        .default(168),
    }),
    /**
     * Where logs are processed and kept (docs/pipeline.md, "Residency"). Default: one central
     * pipeline in the home region for every governed region. `regional`: a pipeline (stream,
     * archive, search domain, alerts) in each governed region, or one per `regionGroups` group in
     * the region the group lists first, so logs stay in the region or group they were made in.
     */
    pipeline: z
      .strictObject({
        regional: z.boolean().default(false),
        /** Groups of governed regions that share one pipeline, in the group's first region; the rest have their own. */
        regionGroups: z
          .record(z.string(), z.array(region).min(1, 'must list at least one region'))
          .optional(),
        /**
         * The search VPC's zones of each pipeline outside the home region (the home region's are
         * openSearch.availabilityZones), as the log-archive account names them. Without them,
         * CDK looks them up at synth time.
         */
        availabilityZones: z.record(region, z.array(z.string())).optional(),
        /**
         * With `regional`: the search domain of a pipeline, by its region, sized apart from the
         * rest. Without it a pipeline's domain is sized for its share of the organization's
         * ingest (pipelineIngestShare) when openSearch gives the ingest, else as openSearch says.
         */
        openSearch: z
          .record(
            region,
            z.strictObject({
              /** The data nodes of this pipeline's domain. */
              instanceCount: positiveInt.optional(),
              /** gp3 GiB per data node of this pipeline's domain. */
              volumeGiB: positiveInt.min(10, 'must be at least 10').optional(),
              /** This pipeline's expected ingest, GiB a day; sizes its domain. */
              dailyIngestGiB: z.number().positive('must be greater than 0').optional(),
            }),
          )
          .optional(),
      })
      .default({ regional: false }),
    openSearch: z.strictObject({
      instanceType: z.string().regex(/\.search$/, 'must be an OpenSearch instance type ending in .search'),
      /** Data nodes; derived from the expected ingest when it is given and this is not. */
      instanceCount: positiveInt.optional(),
      /** gp3 GiB per data node; derived from the expected ingest when it is given and this is not. */
      volumeGiB: positiveInt.min(10, 'must be at least 10').optional(),
      /** Expected ingest into OpenSearch, GiB a day; sizes the cluster (contracts/search-sizing.ts). */
      dailyIngestGiB: z.number().positive('must be greater than 0').optional(),
      /** Without dailyIngestGiB: the member accounts expected, priced by `volumes` (the scale model's figure). */
      expectedAccounts: positiveInt.optional(),
      /** Days a daily index stays on the hot data nodes before UltraWarm. */
      hotDays: positiveInt.default(7),
      /** Days in UltraWarm after the hot days; the rest of retentionDays in cold storage. 0: hot, then delete. */
      warmDays: z.number().int('must be a whole number').min(0, 'must be 0 or more').default(30),
      dedicatedMasterType: z
        .string()
        .regex(/\.search$/, 'must be an OpenSearch instance type ending in .search')
        .optional(),
      zoneAwareness: z.boolean().default(true),
      /**
       * The search VPC's zones in the home region, as the log-archive account names them (2 with
       * zoneAwareness, else 1). Without it, CDK looks them up at synth time (docs/configuration.md).
       */
      availabilityZones: z
        .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, 'must be zone names such as eu-west-1a'))
        .optional(),
      retentionDays: positiveInt.default(90),
      /** Analysts' IAM roles, mapped to the read-only logwarden_reader role. */
      readerRoleArns: z.array(roleArn).default([]),
      /** Responders' IAM roles: read, and save searches and their own dashboards (logwarden_responder). */
      responderRoleArns: z.array(roleArn).default([]),
      /** Day-to-day administrators' IAM roles (logwarden_admin): indices, templates, shared dashboards; not security. */
      adminRoleArns: z.array(roleArn).default([]),
      /** How people sign in to OpenSearch Dashboards (docs/analysts.md, "Signing in"); absent: IAM only. */
      login: dashboardsLogin.optional(),
      /**
       * Set to true once the break-glass role has sent the bootstrap request (the stack output
       * SearchBootstrapRequest, docs/deploying.md): the setup then installs everything and a
       * refusal fails the deployment instead of being reported as pending.
       */
      setupRoleMapped: z.boolean().default(false),
    }),
    archive: z.strictObject({
      retentionDays: positiveInt,
      glacierInstantRetrievalAfterDays: positiveInt.default(30),
      deepArchiveAfterDays: positiveInt.default(180),
      objectLock: z
        .strictObject({
          mode: z.enum(['COMPLIANCE', 'GOVERNANCE', 'off']).default('COMPLIANCE'),
          /** Default: archive.retentionDays, so every object is locked for as long as it is kept. */
          days: positiveInt.optional(),
          appliedBy: z.enum(objectLockApplications).default('per-object'),
          /**
           * A weaker lock (GOVERNANCE, off, or shorter than the retention) is accepted only with
           * the reason for it here; synthesis then prints it as a warning.
           */
          acceptWeakerLock: z.string().min(10, 'must give the reason (at least 10 characters)').optional(),
        })
        .default({ mode: 'COMPLIANCE', appliedBy: 'per-object' }),
      /** The archive as a lake: the Athena workgroup over it (docs/lake.md). */
      lake: z
        .strictObject({
          /**
           * Athena cancels a query past this many bytes scanned (the workgroup's
           * BytesScannedCutoffPerQuery; Athena's minimum is 10,000,000). Default 100 GiB.
           */
          bytesScannedCutoffPerQuery: positiveInt
            .min(10_000_000, 'must be at least 10000000 (the Athena minimum)')
            .default(100 * 1024 ** 3),
          /** Days the results of a query are kept. */
          resultsRetentionDays: positiveInt.default(30),
        })
        .default({ bytesScannedCutoffPerQuery: 100 * 1024 ** 3, resultsRetentionDays: 30 }),
      /**
       * A second, Object-Locked copy of the archive by S3 Replication, in another Region or another
       * account of the organization (the log-archive account itself, in another Region, counts).
       * Off when absent: it doubles the archive's storage and puts the logs under a second
       * jurisdiction, which is the organization's choice (docs/pipeline.md).
       */
      replica: z
        .strictObject({
          account: accountId,
          region,
        })
        .optional(),
      /**
       * logwarden as an Amazon Security Lake custom source, one a class (docs/lake.md): off when
       * absent. Security Lake must be enabled in the home region of the log-archive account.
       */
      securityLake: z
        .strictObject({
          /** The external id Security Lake's provider role requires of logwarden (AwsIdentity.externalId). */
          externalId: z
            .string()
            .regex(
              externalIdPattern,
              'must be 2 to 1224 of letters, digits and +=,.@:/-_ (AwsIdentity.externalId)',
            ),
          /**
           * Security Lake's bucket in the log-archive account's home region
           * (`aws-security-data-lake-<region>-<lake uid>`), where the writer puts each source's
           * objects under `ext/<source>/` as the source's provider role.
           */
          bucket: z
            .string()
            .regex(
              dataLakeBucketPattern,
              'must be the Security Lake bucket, aws-security-data-lake-<region>-<id>',
            )
            .max(63, 'must be a bucket name of at most 63 characters'),
          /** CreateCustomLogSource `sourceVersion`. */
          sourceVersion: z
            .string()
            .regex(/^[A-Za-z0-9\-._]{1,32}$/, 'must be 1 to 32 of letters, digits and -._')
            .default('1.0'),
        })
        .optional(),
    }),
    alerts: z.strictObject({
      emails: z.array(z.email('must be an e-mail address')).min(1, 'must list at least one address'),
      freshnessMinutes: positiveInt.default(30),
      /**
       * Bytes one log-group owner (account) may send to the pipeline in an hour before the
       * per-owner volume alarm fires. Default 5 GiB.
       */
      ownerBytesPerHour: positiveInt.default(5 * 1024 ** 3),
      /**
       * Concurrency reserved for the tamper alerter, so a flood of other functions in the
       * log-archive account cannot throttle it. It reads each shard with a parallelization
       * factor of 2, so it must be at least twice the shard count.
       */
      alerterReservedConcurrency: positiveInt.max(1000).default(50),
      /**
       * The coverage alarm of each control (`logwarden-coverage-<control>-dropped`) fires when
       * the percentage of its in-scope cells covered, published after each sweep, drops below
       * this.
       */
      coverageBelowPercent: z
        .number({ error: 'must be a number from 0 to 100' })
        .min(0, 'must be from 0 to 100')
        .max(100, 'must be from 0 to 100')
        .default(95),
      /**
       * GuardDuty findings of at least this severity (GuardDuty's 1.0–10.0 scale; 7 is High) are
       * alerted by the `guardduty-finding` detection rule.
       */
      guardDutyMinSeverity: z
        .number({ error: 'must be a number from 1 to 10 (GuardDuty severity)' })
        .min(1, 'must be at least 1 (GuardDuty severities start at 1.0 for Low)')
        .max(10, 'must be at most 10 (GuardDuty severities end at 10.0)')
        .default(7),
      /** Detection rules of contracts/detections.json that raise no alert. */
      disabledDetections: z
        .array(
          z.enum(detectionRuleIds as [string, ...string[]], {
            error: `must name a rule of contracts/detections.json (${detectionRuleIds.join(', ')})`,
          }),
        )
        .default([]),
    }),
    flowLogs: z
      .strictObject({
        /**
         * Where logwarden's own flow logs deliver (docs/configuration.md): `cloudwatch-logs`, a
         * log group in the member, subscribed to the central stream like every other group; or
         * `firehose`, straight to the log-archive account's Firehose stream of the VPC's region
         * (VPC User Guide, "Publish flow logs to Amazon Data Firehose"), archived and indexed
         * from there, without CloudWatch Logs ingestion or the central stream.
         */
        delivery: z.enum(['cloudwatch-logs', 'firehose']).default('cloudwatch-logs'),
        /** Count any active flow log someone else made as coverage, whatever fields it logs. */
        acceptForeignFlowLogs: z.boolean().default(false),
        /**
         * The fields a flow log someone else made must log for the VPC to count as covered (to
         * any destination; the owner is named in the evidence). Default: the fields of AWS's
         * default format (version 2). Without them logwarden adds its own flow log beside it.
         */
        requiredFields: z
          .array(z.string().regex(/^[a-z0-9-]+$/, 'must be a flow-log field name such as srcaddr'))
          .min(1, 'must list at least one field')
          .optional(),
        /**
         * Flow-log groups logwarden did not create whose records it should read as VPC flow
         * records (contracts/trusted-sources.ts): `owner` an account (records about any account,
         * a central flow-log group) or "self" (that group name in every account, records of the
         * account itself); `format` the flow log's LogFormat, default AWS's default format.
         * Lines of any other group, whatever they look like, are application events.
         */
        groups: z
          .array(
            z.strictObject({
              logGroup: z.string().min(1).max(512),
              owner: z.union([z.literal('self'), accountId]),
              format: z.string().min(1).max(4096).optional(),
            }),
          )
          .default([]),
      })
      .default({ delivery: 'cloudwatch-logs', acceptForeignFlowLogs: false, groups: [] }),
    /** GuardDuty beside another team's (docs/coexistence.md). */
    guardDuty: z
      .strictObject({
        /** `manage` (default): logwarden repairs membership and settings; `verify-only`: it reports and never writes. */
        mode: z
          .enum(['manage', 'verify-only'], { error: 'must be "manage" or "verify-only"' })
          .default('manage'),
        /** The organization's auto-enable setting logwarden keeps (UpdateOrganizationConfiguration AutoEnableOrganizationMembers). */
        autoEnable: z
          .enum(['ALL', 'NEW', 'NONE'], { error: 'must be "ALL", "NEW" or "NONE"' })
          .default('ALL'),
      })
      .default({ mode: 'manage', autoEnable: 'ALL' }),
    /** The subscription beside someone else's (docs/coexistence.md). */
    subscription: z
      .strictObject({
        /**
         * When another account-level subscription policy holds the account's slot (one per
         * account and region): `per-group-filters` (default) subscribes each log group with a
         * filter of its own (groups created later wait for the next heal or sweep), and the cell
         * names the other policy; `report` adds nothing and reports the cell failed, naming it.
         */
        besideForeignPolicy: z
          .enum(['per-group-filters', 'report'], { error: 'must be "per-group-filters" or "report"' })
          .default('per-group-filters'),
      })
      .default({ besideForeignPolicy: 'per-group-filters' }),
    sweep: z
      .strictObject({
        scheduleExpression: z.string().default('rate(1 day)'),
        /**
         * Accounts covered at the same time. 4: at 1,000 accounts × 17 regions the simulated
         * sweep takes about 10 minutes and the busiest documented quota (Account ListRegions,
         * 5/s, one call as each account starts) keeps 20 % headroom; from 6 on it is throttled.
         * `npm run scale` and docs/scale.md say why.
         */
        maxConcurrency: positiveInt.max(1000).default(4),
        /**
         * The sweep covers the accounts in waves of this many, one wave after the other (each
         * wave `maxConcurrency` at a time), so a first sweep in `enforce` mode does not write
         * across the whole organization at once.
         */
        // At most 1,000: a wave's accounts and their results are in the sweep's state, which
        // Step Functions caps at 256 KiB (workflows/sweep.ts, test/workflows/sweep-state.test.ts).
        accountsPerWave: positiveInt.max(1_000).default(50),
        /**
         * In `enforce` mode, the sweep stops after a wave once more than this percentage of the
         * accounts covered so far failed (a failed cover-account, or a failed cell); the
         * summary and the execution's output say so. 100: never stop.
         */
        stopAtFailurePercent: z
          .number({ error: 'must be a number from 0 to 100' })
          .min(0, 'must be from 0 to 100')
          .max(100, 'must be from 0 to 100')
          .default(20),
      })
      .default({
        scheduleExpression: 'rate(1 day)',
        maxConcurrency: 4,
        accountsPerWave: 50,
        stopAtFailurePercent: 20,
      }),
    /**
     * Expected log volume per member account and day, for the cost estimate of `npm run scale`
     * only (nothing is deployed from it). The defaults are sizing assumptions, not measurements:
     * replace them with your organization's figures (CloudTrail: the trail's CloudWatch Logs
     * IncomingLogEvents; flow logs: IncomingLogEvents of the flow-log groups; GuardDuty: the
     * findings count of the console's usage page; app logs: IncomingBytes of the app log groups).
     */
    volumes: z
      .strictObject({
        /** Management events the organization trail records per account and day. */
        cloudTrailEventsPerAccountPerDay: positiveInt.default(20_000),
        /** VPC flow-log records per account and day (about 12 a second). */
        flowLogRecordsPerAccountPerDay: positiveInt.default(1_000_000),
        /** GuardDuty findings (new and updated) per account and day. */
        guardDutyFindingsPerAccountPerDay: positiveInt.default(10),
        /** Application log bytes each account's log groups send through the subscription, per day. */
        appLogBytesPerAccountPerDay: positiveInt.default(500 * 1024 ** 2),
      })
      .default({
        cloudTrailEventsPerAccountPerDay: 20_000,
        flowLogRecordsPerAccountPerDay: 1_000_000,
        guardDutyFindingsPerAccountPerDay: 10,
        appLogBytesPerAccountPerDay: 500 * 1024 ** 2,
      }),
  })
  .strict()
  .superRefine((c, ctx) => {
    const sized = searchSizeOf(c);
    if (c.pipeline.regional) {
      for (const issue of pipelineSearchProblems(c)) ctx.addIssue({ code: 'custom', ...issue });
    } else if (!sized) {
      for (const field of ['instanceCount', 'volumeGiB'] as const)
        if (c.openSearch[field] === undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['openSearch', field],
            message:
              'is required unless openSearch.dailyIngestGiB or openSearch.expectedAccounts sizes the cluster',
          });
    } else {
      for (const problem of shortfalls(sized, c.openSearch))
        ctx.addIssue({
          code: 'custom',
          path: ['openSearch', problem.field],
          message: `cannot hold the retention: ${problem.message}`,
        });
      if (sized.warm && !c.openSearch.dedicatedMasterType)
        ctx.addIssue({
          code: 'custom',
          path: ['openSearch', 'dedicatedMasterType'],
          message: ultraWarmNeedsMasters,
        });
    }
    // A figure given by hand, openSearch's and each pipeline's, with the path that names it.
    const given = (field: 'instanceCount' | 'volumeGiB') =>
      [
        { path: ['openSearch', field], value: c.openSearch[field] },
        ...Object.entries(c.pipeline.openSearch ?? {}).map(([r, o]) => ({
          path: ['pipeline', 'openSearch', r, field],
          value: o[field],
        })),
      ].filter((f): f is { path: string[]; value: number } => f.value !== undefined);
    for (const { path, value } of given('volumeGiB')) {
      const problem = volumeProblem(c.openSearch.instanceType, value);
      if (problem) ctx.addIssue({ code: 'custom', path, message: problem });
    }
    // Two zones take an even number of data nodes: OpenSearch Service refuses an odd one with
    // "ValidationException: You must choose an even number of data nodes for a two Availability
    // Zone deployment" (the API's answer, quoted in cloudposse/terraform-aws-elasticsearch#192;
    // no Developer Guide page in reach states the rule). Sizing already rounds to the zones.
    if (searchZoneCount(c.openSearch) === 2)
      for (const { path, value } of given('instanceCount'))
        if (value % 2 !== 0)
          ctx.addIssue({
            code: 'custom',
            path,
            message: `${value} data nodes over two Availability Zones (openSearch.zoneAwareness): must be even ("You must choose an even number of data nodes for a two Availability Zone deployment")`,
          });
    for (const problem of zoneProblems(c.openSearch, c.homeRegion))
      ctx.addIssue({ code: 'custom', path: ['openSearch', 'availabilityZones'], message: problem });
    if (!c.governedRegions.includes(c.homeRegion)) {
      ctx.addIssue({
        code: 'custom',
        path: ['governedRegions'],
        message: `must include the home region ${c.homeRegion}`,
      });
    }
    for (const issue of pipelineProblems(c)) ctx.addIssue({ code: 'custom', ...issue });
    const { includeOUs, excludeOUs, excludeAccounts } = c.scope;
    if (c.guardDuty.mode === 'manage' && c.guardDuty.autoEnable === 'ALL') {
      const restriction = excludeAccounts.length
        ? `scope.excludeAccounts (${excludeAccounts[0]})`
        : excludeOUs.length
          ? `scope.excludeOUs (${excludeOUs[0]})`
          : includeOUs.length
            ? 'scope.includeOUs'
            : undefined;
      // "ALL: Indicates that all accounts in the organization have GuardDuty enabled
      // automatically" (GuardDuty API Reference, UpdateOrganizationConfiguration,
      // AutoEnableOrganizationMembers), and under ALL their owners cannot stop it
      // (StopMonitoringMembers, DisassociateMembers, DeleteMembers: "you'll receive an error").
      if (restriction)
        ctx.addIssue({
          code: 'custom',
          path: ['guardDuty', 'autoEnable'],
          message: `ALL would enable GuardDuty in every account of the organization, including those ${restriction} leaves out; set "NEW" or "NONE" (logwarden adds each governed account itself with CreateMembers)`,
        });
    }
    const ids = Object.values(c.accounts);
    if (new Set(ids).size !== ids.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['accounts'],
        message: 'management, logArchive and securityTooling must be three different accounts',
      });
    }
    if (c.archive.deepArchiveAfterDays <= c.archive.glacierInstantRetrievalAfterDays) {
      ctx.addIssue({
        code: 'custom',
        path: ['archive', 'deepArchiveAfterDays'],
        message: 'must be later than glacierInstantRetrievalAfterDays',
      });
    }
    if (c.archive.retentionDays <= c.archive.deepArchiveAfterDays) {
      ctx.addIssue({
        code: 'custom',
        path: ['archive', 'retentionDays'],
        message: 'must be later than deepArchiveAfterDays (objects expire after they are archived)',
      });
    }
    if (
      typeof c.kinesis.capacity === 'number' &&
      c.alerts.alerterReservedConcurrency < 2 * c.kinesis.capacity
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['alerts', 'alerterReservedConcurrency'],
        message: `must be at least ${2 * c.kinesis.capacity} (2 per shard of the stream) or the alerter falls behind`,
      });
    }
    const lock = c.archive.objectLock;
    if (lock.mode !== 'off' && lock.days !== undefined && lock.days > c.archive.retentionDays) {
      ctx.addIssue({
        code: 'custom',
        path: ['archive', 'objectLock', 'days'],
        message: 'must not exceed archive.retentionDays (locked objects cannot expire)',
      });
    }
    const weakness = archiveLockWeakness({
      ...c.archive,
      objectLock: { ...lock, days: lock.days ?? c.archive.retentionDays },
    });
    if (weakness && !lock.acceptWeakerLock) {
      ctx.addIssue({
        code: 'custom',
        path: ['archive', 'objectLock', 'acceptWeakerLock'],
        message: `is required: ${weakness}; set it to the reason for choosing this, or remove the setting`,
      });
    }
    const replica = c.archive.replica;
    if (replica && replica.account === c.accounts.logArchive && replica.region === c.homeRegion)
      ctx.addIssue({
        code: 'custom',
        path: ['archive', 'replica'],
        message: `must be another Region or another account than the archive's (${c.accounts.logArchive}, ${c.homeRegion}): a copy beside the archive survives neither the Region nor the account`,
      });
    // "to replicate objects from S3 Object Lock enabled buckets, your destination bucket must also
    // have S3 Object Lock enabled" (Amazon S3 FAQs, Replication); the replica takes the archive's
    // mode and days, so an archive without a lock has none to give it.
    if (replica && lock.mode === 'off')
      ctx.addIssue({
        code: 'custom',
        path: ['archive', 'replica'],
        message: 'needs archive.objectLock: the replica is locked with the archive’s mode and days',
      });
    const overlap = c.scope.excludeOUs.filter((ou) => c.scope.includeOUs.includes(ou));
    if (overlap.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['scope', 'excludeOUs'],
        message: `must not list an OU that scope.includeOUs lists (${overlap.join(', ')})`,
      });
    }
    if (c.scope.excludeOUs.includes(c.organizationRootId)) {
      ctx.addIssue({
        code: 'custom',
        path: ['scope', 'excludeOUs'],
        message: 'must not list the organization root (that excludes every account)',
      });
    }
    for (const [role, id] of [
      ['logArchive', c.accounts.logArchive],
      ['securityTooling', c.accounts.securityTooling],
    ] as const) {
      if (c.scope.excludeAccounts.includes(id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['scope', 'excludeAccounts'],
          message: `must not list the ${role} account ${id}: logwarden's own accounts are always governed`,
        });
      }
    }
    if (c.scope.coverManagementAccount && c.scope.excludeAccounts.includes(c.accounts.management)) {
      ctx.addIssue({
        code: 'custom',
        path: ['scope', 'excludeAccounts'],
        message: `lists the management account ${c.accounts.management} while scope.coverManagementAccount is true`,
      });
    }
    if (c.trail.mode === 'external') {
      const wanted = `arn:aws:cloudtrail:${c.homeRegion}:${c.accounts.management}:trail/`;
      if (!c.trail.arn) {
        ctx.addIssue({
          code: 'custom',
          path: ['trail', 'arn'],
          message: 'is required when trail.mode is external: the ARN of the existing organization trail',
        });
      } else if (!c.trail.arn.replace(/^arn:aws[a-z-]*:/, 'arn:aws:').startsWith(wanted)) {
        ctx.addIssue({
          code: 'custom',
          path: ['trail', 'arn'],
          message: `must be an organization trail of the management account in the home region (${wanted}…): an organization trail is owned by the management account and changed only in its home region`,
        });
      }
      for (const key of ['s3BucketName', 'kmsKeyArn'] as const) {
        if (c.trail[key])
          ctx.addIssue({
            code: 'custom',
            path: ['trail', key],
            message: 'must not be set when trail.mode is external: logwarden never changes an external trail',
          });
      }
    } else if (c.trail.cloudWatchLogsGroupArn) {
      ctx.addIssue({
        code: 'custom',
        path: ['trail', 'cloudWatchLogsGroupArn'],
        message: `${notConfiguredMessage('trail.cloudWatchLogsGroupArn')}; only trail.mode external names its existing trail's group`,
      });
    }
    if (c.trail.mode !== 'external' && (c.trail.arn || c.trail.owner)) {
      ctx.addIssue({
        code: 'custom',
        path: ['trail', c.trail.arn ? 'arn' : 'owner'],
        message: 'is only for trail.mode external',
      });
    }
    // The domain's access policy admits the log-archive account's IAM principals only
    // (stacks/central/search-domain.ts): a role of another account would pass synth and then be
    // refused by every request it signs.
    for (const field of ['readerRoleArns', 'responderRoleArns', 'adminRoleArns'] as const)
      c.openSearch[field].forEach((arn, i) => {
        if (accountOfRoleArn(arn) !== c.accounts.logArchive)
          ctx.addIssue({
            code: 'custom',
            path: ['openSearch', field, i],
            message: `must be a role of the log-archive account ${c.accounts.logArchive}: the domain's access policy admits only its principals`,
          });
      });
    // Developer Guide, "Configuring Amazon Cognito authentication for OpenSearch Dashboards":
    // "The user pool and identity pool must be in the same AWS Region."
    const login = c.openSearch.login;
    if (login?.type === 'cognito' && login.userPoolId.split('_')[0] !== login.identityPoolId.split(':')[0])
      ctx.addIssue({
        code: 'custom',
        path: ['openSearch', 'login', 'identityPoolId'],
        message: `must be in the user pool's region ${login.userPoolId.split('_')[0]}: the user pool and identity pool must be in the same AWS Region`,
      });
    if (accountOfRoleArn(c.breakGlassRoleArn) !== c.accounts.logArchive) {
      ctx.addIssue({
        code: 'custom',
        path: ['breakGlassRoleArn'],
        message: `must be a role of the log-archive account ${c.accounts.logArchive}`,
      });
    }
  })
  .transform((c) => ({
    ...c,
    // An external trail's name is the one in its ARN, so every ARN derived from the name
    // (contracts/names.ts organizationTrailArn) is that trail's.
    trail:
      c.trail.mode === 'external' && c.trail.arn
        ? { ...c.trail, name: c.trail.arn.split('/').pop() as string }
        : c.trail,
    archive: {
      ...c.archive,
      objectLock: { ...c.archive.objectLock, days: c.archive.objectLock.days ?? c.archive.retentionDays },
    },
  }));

/**
 * Why an archive lock is weaker than a COMPLIANCE lock for the whole retention, or undefined
 * when it is not. One wording for the config error and the synthesis warning.
 */
export function archiveLockWeakness(archive: {
  retentionDays: number;
  objectLock: { mode: string; days: number };
}): string | undefined {
  const { mode, days } = archive.objectLock;
  if (mode === 'off') return 'Object Lock is off: anyone allowed to delete can delete archived logs';
  if (mode === 'GOVERNANCE')
    return 'a GOVERNANCE lock can be lifted by any principal with s3:BypassGovernanceRetention';
  if (days < archive.retentionDays)
    return `the lock (${days} days) is shorter than the retention (${archive.retentionDays} days): objects can be deleted after ${days} days`;
  return undefined;
}

export type LogwardenConfig = z.output<typeof configSchema>;

/** A configuration that is valid but leaves a gap the operator should know of. */
export interface ConfigWarning {
  readonly field: string;
  readonly message: string;
}

/**
 * What a valid configuration still leaves uncovered or at risk; `logwarden config check` and
 * synthesis print each one.
 */
export function configWarnings(c: LogwardenConfig): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  const optIn = c.governedRegions.filter(isOptInRegion);
  if (optIn.length)
    warnings.push({
      field: 'governedRegions',
      message: `${optIn.join(', ')} ${optIn.length === 1 ? 'is an opt-in Region' : 'are opt-in Regions'}: a member that has not enabled ${optIn.length === 1 ? 'it' : 'them'} gets no stack instance there and fails that Region of the member-baseline StackSet, which deploys opt-in Regions last (after ${c.homeRegion}, us-east-1 and the Regions every account has) so that no other Region waits on them`,
    });
  // logwarden's own organization trail always delivers to its group in security-tooling (the
  // control plane creates it); an external one delivers wherever its owner configured it.
  if (c.trail.mode === 'external' && !c.trail.cloudWatchLogsGroupArn)
    warnings.push({
      field: 'trail.cloudWatchLogsGroupArn',
      message:
        "the external organization trail has no CloudWatch Logs group configured: the management account's API calls (a StopLogging of the organization trail among them) reach neither the pipeline nor the tamper alerts; only the forwarded EventBridge events start a heal",
    });
  // Each region's Firehose stream writes its pipeline's archive (contracts/pipelines.ts).
  const awayFromHome = c.governedRegions.filter((r) => pipelineRegionOf(c, r) !== r);
  const archiveRegions = [...new Set(awayFromHome.map((r) => pipelineRegionOf(c, r)))].join(', ');
  if (c.flowLogs.delivery === 'firehose' && awayFromHome.length)
    warnings.push({
      field: 'flowLogs.delivery',
      message: `flow logs deliver straight to each Region's Firehose stream, which writes the archive in ${archiveRegions}: the Firehose guide ("Understand delivery across AWS accounts and regions") documents cross-Region delivery for HTTP endpoints only, so check on the first deployment that the streams of ${awayFromHome.join(', ')} deliver (their delivery log groups /logwarden/pipeline/flow-logs-firehose-delivery)`,
    });
  // A multi-Region trail "delivers log files to the same S3 bucket and CloudWatch Logs log group"
  // for every Region (CloudTrail User Guide, "Receiving CloudTrail log files from multiple
  // Regions"): its events reach one pipeline, whatever pipeline.regional says.
  if (c.pipeline.regional)
    warnings.push({
      field: 'pipeline.regional',
      message: `the organization trail is multi-Region and delivers every Region's management events to one CloudWatch Logs group, so they reach the pipeline in ${trailPipelineRegion(c)} only; flow logs, GuardDuty findings and application logs stay in their Region's pipeline (docs/pipeline.md, "Residency")`,
    });
  return warnings;
}

/** A user-facing configuration mistake: the message names the field and the rule broken. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function parseConfig(raw: unknown, source = 'logwarden.config.json'): LogwardenConfig {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const field = issue.path.length ? issue.path.join('.') : '(root)';
    return `  - ${field}: ${issue.message}`;
  });
  throw new ConfigError(`${source} is invalid:\n${lines.join('\n')}`);
}

export function loadConfig(path = 'logwarden.config.json'): LogwardenConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${path}: is not valid JSON (${(err as Error).message})`);
  }
  return parseConfig(raw, path);
}

/** The parts of the configuration that size the search cluster. */
type SizingFields = {
  openSearch: {
    instanceType: string;
    dailyIngestGiB?: number;
    expectedAccounts?: number;
    retentionDays: number;
    hotDays: number;
    warmDays: number;
    zoneAwareness: boolean;
  };
  volumes: Parameters<typeof dailyIngestBytes>[0];
};

/** The cluster the expected ingest needs, or undefined when the configuration gives no ingest figure. */
export function searchSizeOf(c: SizingFields): ClusterSize | undefined {
  const o = c.openSearch;
  const daily =
    o.dailyIngestGiB ??
    (o.expectedAccounts !== undefined
      ? bytesToGiB(dailyIngestBytes(c.volumes, o.expectedAccounts))
      : undefined);
  if (daily === undefined) return undefined;
  return sizeCluster({
    dailyIngestGiB: daily,
    retentionDays: o.retentionDays,
    hotDays: o.hotDays,
    warmDays: o.warmDays,
    instanceType: o.instanceType,
    zones: searchZoneCount(o),
  });
}

/** The zones the search domain spans: two with zone awareness, else one. */
export function searchZoneCount(openSearch: { zoneAwareness: boolean }): number {
  return openSearch.zoneAwareness ? 2 : 1;
}

/**
 * What is wrong with `pipeline`: groups only with `regional`, of governed regions, each region in
 * one group, the home region first in its group (the home region's pipeline takes the
 * organization trail's events and keeps the stack it always had), zones only of pipelines
 * outside the home region; and the archive features that copy the archive to one place.
 */
function pipelineProblems(c: {
  homeRegion: string;
  governedRegions: string[];
  pipeline: {
    regional: boolean;
    regionGroups?: Record<string, string[]>;
    availabilityZones?: Record<string, string[]>;
    openSearch?: Record<string, { dailyIngestGiB?: number }>;
  };
  openSearch: { zoneAwareness: boolean };
  archive: { replica?: unknown; securityLake?: unknown };
}): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const { regional, regionGroups, availabilityZones } = c.pipeline;
  if (!regional) {
    if (regionGroups)
      problems.push({ path: ['pipeline', 'regionGroups'], message: 'is only for pipeline.regional true' });
    if (c.pipeline.openSearch)
      problems.push({ path: ['pipeline', 'openSearch'], message: 'is only for pipeline.regional true' });
    if (availabilityZones)
      problems.push({
        path: ['pipeline', 'availabilityZones'],
        message: 'is only for pipeline.regional true',
      });
    return problems;
  }
  const seen = new Map<string, string>();
  for (const [name, regions] of Object.entries(regionGroups ?? {})) {
    if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(name))
      problems.push({
        path: ['pipeline', 'regionGroups', name],
        message: 'must be a group name of up to 32 lowercase letters, digits and -',
      });
    regions.forEach((r, i) => {
      if (!c.governedRegions.includes(r))
        problems.push({
          path: ['pipeline', 'regionGroups', name, i],
          message: `${r} is not in governedRegions`,
        });
      const other = seen.get(r);
      if (other !== undefined)
        problems.push({
          path: ['pipeline', 'regionGroups', name, i],
          message: `${r} is already in group ${other}: a region's logs go to one pipeline`,
        });
      seen.set(r, name);
    });
    if (regions.includes(c.homeRegion) && regions[0] !== c.homeRegion)
      problems.push({
        path: ['pipeline', 'regionGroups', name],
        message: `must list the home region ${c.homeRegion} first: its pipeline runs in the group's first region and takes the organization trail's events`,
      });
  }
  const pipelineRegions = new Set(c.governedRegions.map((r) => pipelineRegionOf(c, r)));
  for (const [r, zones] of Object.entries(availabilityZones ?? {})) {
    if (r === c.homeRegion || !pipelineRegions.has(r)) {
      problems.push({
        path: ['pipeline', 'availabilityZones', r],
        message:
          r === c.homeRegion
            ? "the home region's zones are openSearch.availabilityZones"
            : `${r} runs no pipeline (pipeline regions: ${[...pipelineRegions].join(', ')})`,
      });
      continue;
    }
    for (const problem of zoneProblems(
      { zoneAwareness: c.openSearch.zoneAwareness, availabilityZones: zones },
      r,
      'the region',
    ))
      problems.push({ path: ['pipeline', 'availabilityZones', r], message: problem });
  }
  if (c.archive.replica)
    problems.push({
      path: ['archive', 'replica'],
      message:
        "is not available with pipeline.regional: one replica would copy every region's archive to one place, which is what the residency option avoids",
    });
  if (c.archive.securityLake)
    problems.push({
      path: ['archive', 'securityLake'],
      message:
        "is not available with pipeline.regional: the Security Lake source writes from the home region's archive only, so the other regions' logs would be missing from it",
    });
  return problems;
}

/** The dedicated-master requirement of UltraWarm, named at `openSearch.dedicatedMasterType`. */
const ultraWarmNeedsMasters =
  'is required for UltraWarm ("the domain must have dedicated master nodes"); or set openSearch.warmDays to 0';

/** What is wrong with `openSearch.availabilityZones` for the home region (or a pipeline's zones for its region). */
function zoneProblems(
  openSearch: { zoneAwareness: boolean; availabilityZones?: string[] },
  homeRegion: string,
  where = 'the home region',
): string[] {
  const zones = openSearch.availabilityZones;
  if (!zones) return [];
  const problems: string[] = [];
  const needed = searchZoneCount(openSearch);
  if (zones.length !== needed)
    problems.push(
      `must name ${needed} zone${needed > 1 ? 's' : ''} (${openSearch.zoneAwareness ? 'zoneAwareness' : 'no zoneAwareness'}), got ${zones.length}`,
    );
  // A zone's code is "its Region code followed by a letter identifier" (AWS Regions and
  // Availability Zones, "AWS Availability Zones").
  for (const zone of zones)
    if (!new RegExp(`^${homeRegion}[a-z]$`).test(zone))
      problems.push(`${zone} is not a zone of ${where} ${homeRegion}`);
  for (const zone of new Set(zones.filter((z, i) => zones.indexOf(z) !== i)))
    problems.push(`${zone} is named twice`);
  return problems;
}

/** The parts of the configuration that size each pipeline's search domain. */
type PipelineSizingFields = SizingFields &
  Pick<LogwardenConfig, 'homeRegion' | 'governedRegions' | 'pipeline'> & {
    trail: Parameters<typeof trailPipelineRegion>[0]['trail'];
    openSearch: { instanceCount?: number; volumeGiB?: number };
  };

/**
 * The fraction of the organization's ingest that the pipeline in `region` takes, by default:
 * the organization trail's events all reach one pipeline (contracts/pipelines.ts
 * trailPipelineRegion), the rest of the ingest (flow logs, GuardDuty findings, application
 * logs) is split by the governed regions each pipeline serves, evenly, as `volumes` counts per
 * account and not per region. The trail's part of the ingest is its part in `volumes`.
 */
export function pipelineIngestShare(c: PipelineSizingFields, region: string): number {
  const pipeline = pipelinesOf(c).find((p) => p.region === region);
  if (!pipeline) throw new Error(`no pipeline runs in ${region}`);
  if (!c.pipeline.regional) return 1;
  const trail =
    (c.volumes.cloudTrailEventsPerAccountPerDay * recordBytes.cloudTrailEvent) /
    dailyIngestBytes(c.volumes, 1);
  return (
    (trailPipelineRegion(c) === region ? trail : 0) +
    ((1 - trail) * pipeline.serves.length) / c.governedRegions.length
  );
}

/** One pipeline's search domain as deployed, and where each figure comes from. */
export interface PipelineSearch {
  region: string;
  dataNodes: number;
  volumeGiB: number;
  size: ClusterSize | undefined;
  /** How the domain is sized, for `logwarden config check`, synthesis and the scale model. */
  sizedBy: string;
}

/**
 * The search domain of the pipeline in `region`. Without `pipeline.regional`: the one cluster,
 * given by hand (`openSearch.instanceCount`, `.volumeGiB`) or derived from the expected ingest. With
 * it: its own `pipeline.openSearch.<region>` figures first, then `openSearch.instanceCount` and
 * `.volumeGiB` given by hand, then the cluster its ingest needs: its own dailyIngestGiB, else its
 * share of the organization's (pipelineIngestShare).
 */
export function pipelineSearchOf(c: PipelineSizingFields, region: string): PipelineSearch {
  const o = c.openSearch;
  const whole = searchSizeOf(c);
  if (!c.pipeline.regional) {
    const dataNodes = o.instanceCount ?? (whole as ClusterSize).dataNodes;
    const volumeGiB = o.volumeGiB ?? (whole as ClusterSize).volumeGiB;
    return {
      region,
      dataNodes,
      volumeGiB,
      size: whole,
      sizedBy: whole
        ? `for the organization's ${whole.dailyIngestGiB.toFixed(1)} GiB a day`
        : 'by openSearch.instanceCount and .volumeGiB',
    };
  }
  const own = c.pipeline.openSearch?.[region] ?? {};
  const share = whole ? pipelineIngestShare(c, region) : undefined;
  const daily =
    own.dailyIngestGiB ?? (whole && share !== undefined ? whole.dailyIngestGiB * share : undefined);
  const size =
    daily === undefined ? undefined : searchSizeOf({ ...c, openSearch: { ...o, dailyIngestGiB: daily } });
  const field = (f: 'instanceCount' | 'volumeGiB') =>
    own[f] !== undefined
      ? `pipeline.openSearch.${region}.${f}`
      : o[f] !== undefined
        ? `openSearch.${f}`
        : undefined;
  const given = [field('instanceCount'), field('volumeGiB')].filter((f) => f !== undefined);
  const from =
    own.dailyIngestGiB !== undefined
      ? `pipeline.openSearch.${region}.dailyIngestGiB ${daily!.toFixed(1)} GiB a day`
      : size
        ? `${daily!.toFixed(1)} GiB a day, ${(share! * 100).toFixed(1)} % of the organization's ${whole!.dailyIngestGiB.toFixed(1)} GiB (pipelineIngestShare)`
        : undefined;
  return {
    region,
    dataNodes: own.instanceCount ?? o.instanceCount ?? (size as ClusterSize).dataNodes,
    volumeGiB: own.volumeGiB ?? o.volumeGiB ?? (size as ClusterSize).volumeGiB,
    size,
    sizedBy: [given.length ? `by ${given.join(', ')}` : '', from ? `for ${from}` : '']
      .filter(Boolean)
      .join('; the rest '),
  };
}

/** The search domain of the pipeline in `region` in one line: its nodes and how it is sized. */
export function describeSearchDomain(c: LogwardenConfig, region: string): string {
  const s = pipelineSearchOf(c, region);
  return `${region}: ${s.dataNodes} × ${c.openSearch.instanceType}, ${s.volumeGiB} GiB gp3 each${s.size?.warm ? `, ${s.size.warm.nodes} × ${s.size.warm.instanceType}` : ''}, sized ${s.sizedBy}`;
}

/** One line per pipeline: its domain and how it is sized. */
export function describePipelineSearch(c: LogwardenConfig): string[] {
  return pipelinesOf(c).map((p) => describeSearchDomain(c, p.region));
}

/**
 * What is wrong with the search domains of `pipeline.regional`: each pipeline's figures in
 * `pipeline.openSearch` are of a pipeline region, and each domain is given or sized and holds
 * its own ingest's retention (the checks openSearch has without `regional`, per pipeline).
 */
function pipelineSearchProblems(
  c: PipelineSizingFields & {
    openSearch: { dedicatedMasterType?: string };
  },
): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const regions = pipelinesOf(c).map((p) => p.region);
  for (const r of Object.keys(c.pipeline.openSearch ?? {}))
    if (!regions.includes(r))
      problems.push({
        path: ['pipeline', 'openSearch', r],
        message: `${r} runs no pipeline (pipeline regions: ${regions.join(', ')})`,
      });
  let needsMaster: string | undefined;
  const sizedFromIngest = searchSizeOf(c) !== undefined;
  for (const r of regions) {
    const own = c.pipeline.openSearch?.[r] ?? {};
    const where = (f: 'instanceCount' | 'volumeGiB') =>
      own[f] !== undefined || c.openSearch[f] === undefined
        ? ['pipeline', 'openSearch', r, f]
        : ['openSearch', f];
    // Without an ingest figure there is nothing to derive: the figures must be given.
    const search = own.dailyIngestGiB === undefined && !sizedFromIngest ? undefined : pipelineSearchOf(c, r);
    if (!search?.size) {
      for (const f of ['instanceCount', 'volumeGiB'] as const)
        if (own[f] === undefined && c.openSearch[f] === undefined)
          problems.push({
            path: ['pipeline', 'openSearch', r, f],
            message: `is required for the pipeline in ${r} (or openSearch.${f}) unless openSearch.dailyIngestGiB, openSearch.expectedAccounts or pipeline.openSearch.${r}.dailyIngestGiB sizes its domain`,
          });
      continue;
    }
    const given = {
      instanceCount: own.instanceCount ?? c.openSearch.instanceCount,
      volumeGiB: own.volumeGiB ?? c.openSearch.volumeGiB,
    };
    for (const problem of shortfalls(search.size, given))
      problems.push({
        path: where(problem.field),
        message: `the domain of the pipeline in ${r} cannot hold the retention: ${problem.message}`,
      });
    if (search.size.warm) needsMaster = r;
  }
  if (needsMaster && !c.openSearch.dedicatedMasterType)
    problems.push({
      path: ['openSearch', 'dedicatedMasterType'],
      message: ultraWarmNeedsMasters,
    });
  return problems;
}
