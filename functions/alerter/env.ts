import { z } from 'zod';
import {
  defineEnv,
  envAccountId,
  envOptionalText,
  envRegionList,
  envText,
  envWholeNumber,
} from '../shared/env';
import { envFlowLogFormats } from '../shared/flow-log-registry-env';
import { envTrustedSources } from '../shared/trusted-sources-env';

export const alerterEnv = defineEnv({
  alertTopicArn: envText(),
  dedupeTable: envText(),
  /** The cover-account-region state machine in the control-plane account. */
  healStateMachineArn: envText().regex(/^arn:aws[a-z-]*:states:/, 'must be a state machine ARN'),
  healStarterRoleArn: envText().regex(/^arn:aws[a-z-]*:iam::/, 'must be an IAM role ARN'),
  /** How long a delivery can repeat: the stream retention. */
  streamRetentionHours: envWholeNumber(),
  flowLogFormats: envFlowLogFormats(),
  trustedSources: envTrustedSources(),
  /** Heals start only in these regions. */
  governedRegions: envRegionList(),
  /** Outside the member baseline: service-managed StackSets never deploy to it. */
  managementAccount: envAccountId(),
  /** config scope.excludeAccounts: alerted, never healed. */
  scopeExcludeAccounts: envOptionalText().transform((v) => (v ? v.split(',') : [])),
  /**
   * With `organization` (or `external`: someone else's organization trail), the management
   * account's trail is the organization trail, checked from the control plane.
   */
  /** config alerts.guardDutyMinSeverity: the `guardduty-finding` rule's floor. */
  guardDutyMinSeverity: envText()
    .transform(Number)
    .refine((n) => n >= 1 && n <= 10, 'must be a GuardDuty severity from 1 to 10'),
  /** config alerts.disabledDetections, comma-separated rule ids. */
  disabledDetections: envOptionalText().transform((v) => (v ? v.split(',') : [])),
  trailMode: z.enum(['organization', 'account', 'external'], {
    error: 'must be organization, account or external',
  }),
});
