import { readFileSync } from 'node:fs';
import { z } from 'zod';

const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');
const region = z
  .string()
  .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region name such as eu-west-1');
const positiveInt = z.number().int('must be a whole number').positive('must be greater than 0');

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
    homeRegion: region,
    governedRegions: z
      .array(region)
      .min(1, 'must list at least one region')
      .refine((r) => new Set(r).size === r.length, 'must not list a region twice'),
    trail: z.strictObject({
      mode: z.enum(['organization', 'account']),
      name: z.string().min(3).max(128).default('logwarden'),
      /** Where a trail that logwarden has to create delivers; without it a missing trail is reported, not created. */
      s3BucketName: z.string().min(3).max(63).optional(),
      kmsKeyArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:kms:/, 'must be a KMS key ARN')
        .optional(),
      cloudWatchLogsGroupArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:logs:/, 'must be a CloudWatch Logs group ARN')
        .optional(),
      cloudWatchLogsRoleArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:iam::/, 'must be an IAM role ARN')
        .optional(),
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
    openSearch: z.strictObject({
      instanceType: z.string().regex(/\.search$/, 'must be an OpenSearch instance type ending in .search'),
      instanceCount: positiveInt,
      volumeGiB: positiveInt.min(10, 'must be at least 10'),
      dedicatedMasterType: z
        .string()
        .regex(/\.search$/, 'must be an OpenSearch instance type ending in .search')
        .optional(),
      zoneAwareness: z.boolean().default(true),
      retentionDays: positiveInt.default(90),
    }),
    archive: z.strictObject({
      retentionDays: positiveInt,
      glacierInstantRetrievalAfterDays: positiveInt.default(30),
      deepArchiveAfterDays: positiveInt.default(180),
      objectLock: z.strictObject({
        mode: z.enum(['COMPLIANCE', 'GOVERNANCE', 'off']).default('COMPLIANCE'),
        days: positiveInt.default(365),
      }),
    }),
    alerts: z.strictObject({
      emails: z.array(z.email('must be an e-mail address')).min(1, 'must list at least one address'),
      freshnessMinutes: positiveInt.default(30),
    }),
    flowLogs: z
      .strictObject({
        acceptForeignFlowLogs: z.boolean().default(false),
      })
      .default({ acceptForeignFlowLogs: false }),
    sweep: z
      .strictObject({
        scheduleExpression: z.string().default('rate(1 day)'),
        maxConcurrency: positiveInt.max(1000).default(10),
      })
      .default({ scheduleExpression: 'rate(1 day)', maxConcurrency: 10 }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!c.governedRegions.includes(c.homeRegion)) {
      ctx.addIssue({
        code: 'custom',
        path: ['governedRegions'],
        message: `must include the home region ${c.homeRegion}`,
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
    if (c.archive.objectLock.mode !== 'off' && c.archive.objectLock.days > c.archive.retentionDays) {
      ctx.addIssue({
        code: 'custom',
        path: ['archive', 'objectLock', 'days'],
        message: 'must not exceed archive.retentionDays (locked objects cannot expire)',
      });
    }
  });

export type LogwardenConfig = z.output<typeof configSchema>;

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
