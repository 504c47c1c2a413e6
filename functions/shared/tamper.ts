import { names, regionOfSubscription } from '../../contracts/names';
import { requestDataOf } from './ocsf/cloudtrail';
import type { OcsfDocument } from './ocsf/document';

/** CloudTrail calls that switch off or weaken coverage, by service. */
const tamperCalls: Record<string, ReadonlySet<string>> = {
  'cloudtrail.amazonaws.com': new Set([
    'StopLogging',
    'DeleteTrail',
    'UpdateTrail',
    'PutEventSelectors',
    'PutInsightSelectors',
    'DeleteEventDataStore',
  ]),
  'guardduty.amazonaws.com': new Set([
    'DeleteDetector',
    'DisassociateFromAdministratorAccount',
    'DisassociateFromMasterAccount',
    'DeleteMembers',
    'DisassociateMembers',
    'StopMonitoringMembers',
    'DisableOrganizationAdminAccount',
  ]),
  'ec2.amazonaws.com': new Set(['DeleteFlowLogs']),
  'logs.amazonaws.com': new Set(['DeleteSubscriptionFilter', 'DeleteAccountPolicy', 'DeleteDestination']),
};

/** Calls that are tamper only with some parameters (`isCoverageTamper` reads them). */
const tamperByParameters = ['UpdateDetector', 'UpdateOrganizationConfiguration', 'DeleteLogGroup'] as const;

/** Every operation `isCoverageTamper` can answer true for, in one pattern. */
const tamperOperationPattern = new RegExp(
  [...Object.values(tamperCalls).flatMap((calls) => [...calls]), ...tamperByParameters].join('|'),
);

/**
 * False only for a line that cannot become a coverage-tamper document: a CloudTrail record names
 * its call in `eventName`, so a line in which no tamper operation's name appears is not one,
 * unless a JSON escape (`\u0053`) spells a letter of the name, and such a line is read in full.
 * A cheap look before normalizing, so a consumer that acts only on tampering normalizes almost
 * nothing.
 */
export function mayBeCoverageTamper(line: string): boolean {
  return tamperOperationPattern.test(line) || mayHideText(line);
}

/**
 * Whether a JSON line may hold a string whose letters are not all in its text: a `\u` escape
 * (`\u0053`) can spell any letter, so a look for a name in the raw text must read such a line in
 * full. Every other escape writes `"`, `\`, `/` or a control character: a name free of those
 * appears in the text exactly as JSON.parse reads it.
 */
export function mayHideText(line: string): boolean {
  return line.includes('\\u');
}

interface ApiFields {
  operation?: string;
  service?: { name?: string };
}

function requestParameters(doc: OcsfDocument): Record<string, unknown> {
  return requestDataOf(doc) ?? {};
}

/**
 * The subscription control removing its own per-group filter (`logwarden-central-<region>`)
 * once its account policy covers the account (ensure-subscription, after a fallback): the member
 * execution role, in the controls' session, whose trust names only logwarden's control roles.
 * Removing a duplicate is no loss of coverage, and paging for each removed filter would bury a
 * real deletion. The same call by anyone else stays tamper.
 */
function isOwnFallbackFilterRemoval(doc: OcsfDocument, service: string, operation: string): boolean {
  if (service !== 'logs.amazonaws.com' || operation !== 'DeleteSubscriptionFilter') return false;
  const filterName = requestParameters(doc).filterName;
  if (typeof filterName !== 'string' || !regionOfSubscription(filterName)) return false;
  const actor = (doc as { actor?: { user?: { uid?: unknown } } }).actor?.user?.uid;
  return (
    typeof actor === 'string' &&
    new RegExp(
      `^arn:aws[a-z-]*:sts::\\d{12}:assumed-role/${names.memberExecutionRole}/${names.memberControlSession}$`,
    ).test(actor)
  );
}

/**
 * True when a document records a successful call that removes or weakens logging coverage.
 * Failed attempts (AccessDenied and the like) changed nothing; they stay searchable in
 * OpenSearch but do not page anyone or start a repair.
 */
export function isCoverageTamper(
  doc: OcsfDocument,
  coveredLogGroupPrefixes: readonly string[] = [names.ownLogGroupPrefix],
): boolean {
  if (doc.class_uid !== 6003 || doc.status_id !== 1) return false;
  const api = doc.api as ApiFields | undefined;
  const service = api?.service?.name;
  const operation = api?.operation;
  if (!service || !operation) return false;
  if (isOwnFallbackFilterRemoval(doc, service, operation)) return false;
  // Own keys only: an eventSource named `toString` must read as no tamper, not throw.
  if (Object.hasOwn(tamperCalls, service) && tamperCalls[service].has(operation)) return true;
  if (service === 'guardduty.amazonaws.com' && operation === 'UpdateDetector') {
    const enable = requestParameters(doc).enable;
    return enable === false || enable === 'false';
  }
  if (service === 'guardduty.amazonaws.com' && operation === 'UpdateOrganizationConfiguration') {
    // Auto-enable switched off for the organization's members (GuardDuty API Reference,
    // UpdateOrganizationConfiguration: autoEnableOrganizationMembers NONE, or the older autoEnable).
    const params = requestParameters(doc);
    return (
      params.autoEnableOrganizationMembers === 'NONE' ||
      params.autoEnable === false ||
      params.autoEnable === 'false'
    );
  }
  if (service === 'logs.amazonaws.com' && operation === 'DeleteLogGroup') {
    const group = requestParameters(doc).logGroupName;
    return typeof group === 'string' && coveredLogGroupPrefixes.some((p) => group.startsWith(p));
  }
  return false;
}
