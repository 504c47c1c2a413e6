import { z } from 'zod';
import type { LogwardenConfig } from './config';
import { names } from './names';

/**
 * Where CloudTrail records, GuardDuty findings and VPC flow records may come from. A line is read
 * as one of them only when its CloudWatch Logs payload comes from one of these log groups *and*
 * is owned by the account named here: CloudWatch Logs sets `owner` to the account that owns the
 * log group, which no writer can forge. Anything else is an application event of its owner.
 * (The flow-log groups logwarden creates in every account, `/logwarden/vpc-flow-logs/<format>`,
 * are trusted like `owner: "self"` without being listed: functions/shared/normalize.ts.)
 *
 * - `owner: "<account>"` — records about any account are accepted (the organization trail's group
 *   in the security-tooling account, which calls CreateTrail/UpdateTrail; the GuardDuty
 *   administrator's findings group).
 * - `owner: "self"` — a group of that name in any account, for records about that account only
 *   (account-mode trails: each member's trail writes its own account's events).
 *
 * Derived from the config here, once; the stacks hand it to each consumer as its
 * `trustedSources` setting (TRUSTED_SOURCES).
 */
export const trustedSourceSchema = z
  .strictObject({
    kind: z.enum(['cloudtrail', 'guardduty', 'vpcflow']),
    logGroup: z.string().min(1).max(512),
    owner: z.union([z.literal('self'), z.string().regex(/^\d{12}$/)]),
    /** vpcflow only: the flow log's LogFormat (default: AWS's default format). */
    format: z.string().min(1).max(4096).optional(),
  })
  .refine((s) => s.format === undefined || s.kind === 'vpcflow', {
    message: 'only a vpcflow source has a format',
    path: ['format'],
  });
export type TrustedSource = z.output<typeof trustedSourceSchema>;
export type TrustedKind = TrustedSource['kind'];
export const trustedSourcesSchema = z.array(trustedSourceSchema);

/** `arn:aws:logs:<region>:<account>:log-group:<name>[:*]` → account and name. */
export function parseLogGroupArn(arn: string): { account: string; name: string } {
  const m = /^arn:aws[a-z-]*:logs:[a-z0-9-]+:(\d{12}):log-group:(.+?)(?::\*)?$/.exec(arn);
  if (!m) throw new Error(`${arn} is not a CloudWatch Logs log-group ARN`);
  return { account: m[1], name: m[2] };
}

/** The trusted-source table of a deployment. */
export function trustedSourcesFromConfig(config: LogwardenConfig): TrustedSource[] {
  const sources: TrustedSource[] = [
    {
      kind: 'guardduty',
      logGroup: names.guardDutyFindingsLogGroup,
      owner: config.accounts.securityTooling,
    },
  ];
  for (const g of config.flowLogs.groups)
    sources.push({
      kind: 'vpcflow',
      logGroup: g.logGroup,
      owner: g.owner,
      ...(g.format ? { format: g.format } : {}),
    });
  // logwarden's trails deliver to its group in the account that calls CreateTrail/UpdateTrail
  // (contracts/names.ts): the organization trail's in security-tooling, with records about every
  // account; an account trail's in each account, with records about that account only. An
  // external trail's group is the one configured, in the account its ARN names.
  if (config.trail.mode === 'external') {
    if (config.trail.cloudWatchLogsGroupArn) {
      const { account, name } = parseLogGroupArn(config.trail.cloudWatchLogsGroupArn);
      sources.push({ kind: 'cloudtrail', logGroup: name, owner: account });
    }
  } else
    sources.push(
      config.trail.mode === 'organization'
        ? { kind: 'cloudtrail', logGroup: names.trailLogGroup, owner: config.accounts.securityTooling }
        : { kind: 'cloudtrail', logGroup: names.trailLogGroup, owner: 'self' },
    );
  return sources;
}

export const encodeTrustedSources = (sources: TrustedSource[]): string => JSON.stringify(sources);

export function decodeTrustedSources(text: string): TrustedSource[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`is not JSON: ${(err as Error).message}`);
  }
  const parsed = trustedSourcesSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`[${issue.path.join('.')}]: ${issue.message}`);
  }
  return parsed.data;
}

/** What a payload's (owner, log group) may carry. */
export interface SourceTrust {
  readonly kinds: ReadonlySet<TrustedKind>;
  /** Only records about the owner's own account (account-mode trails, "self" flow-log groups). */
  readonly ownAccountOnly: boolean;
  /** With `vpcflow`: the group's flow-log format, when not AWS's default. */
  readonly flowFormat?: string;
}

const untrusted: SourceTrust = { kinds: new Set(), ownAccountOnly: true };

interface GroupTrust {
  kinds: Set<TrustedKind>;
  flowFormat?: string;
}

/** The table, looked up by (owner, log group). */
export class TrustTable {
  private readonly byOwner = new Map<string, Map<string, GroupTrust>>();

  constructor(readonly sources: readonly TrustedSource[]) {
    for (const s of sources) {
      const groups = this.byOwner.get(s.owner) ?? new Map<string, GroupTrust>();
      this.byOwner.set(s.owner, groups);
      const group = groups.get(s.logGroup) ?? { kinds: new Set<TrustedKind>() };
      groups.set(s.logGroup, group);
      group.kinds.add(s.kind);
      if (s.format) group.flowFormat = s.format;
    }
  }

  of(owner: string, logGroup: string): SourceTrust {
    const named = this.byOwner.get(owner)?.get(logGroup);
    if (named) return { kinds: named.kinds, ownAccountOnly: false, flowFormat: named.flowFormat };
    const self = this.byOwner.get('self')?.get(logGroup);
    if (self) return { kinds: self.kinds, ownAccountOnly: true, flowFormat: self.flowFormat };
    return untrusted;
  }
}
