import { requestDataOf } from '../shared/ocsf/cloudtrail';
import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { randomUUID } from 'node:crypto';
import { ALERTER_TIMEOUT_SECONDS } from '../../contracts/function-runtime';
import type { TrustTable } from '../../contracts/trusted-sources';
import { sleep } from '../shared/backoff';
import { decodeCwlBase64, isControlMessage, type CwlLogEvent } from '../shared/cwl-payload';
import type { FlowLogFormatRegistry } from '../shared/flow-log-formats';
import { documentId, forEachDocument } from '../shared/normalize';
import type { OcsfDocument } from '../shared/ocsf/document';
import { executionName, startNamedExecution } from '../shared/start-execution';
import { isCoverageTamper, mayBeCoverageTamper, mayHideText } from '../shared/tamper';
import type { DetectionRule, DetectionSettings } from '../../contracts/detections';
import { describeHealNotStarted, describeTamper } from './describe-tamper';
import { describeDetection, matchingRules, type CompiledRule, type DetectionContext } from './detections';

export interface AlerterDeps {
  sns: SNSClient;
  sfn: SFNClient;
  ddb: DynamoDBClient;
  topicArn: string;
  /** The cover-account-region state machine in the control-plane account. */
  stateMachineArn: string;
  dedupeTable: string;
  /** How long a delivery can repeat: the stream retention. */
  dedupeHours: number;
  formats: FlowLogFormatRegistry;
  trust: TrustTable;
  /** Heals start only in these regions; elsewhere the alert says why none started. */
  governedRegions: readonly string[];
  /** Outside the member baseline: service-managed StackSets never deploy to it. */
  managementAccount: string;
  /**
   * config scope.excludeAccounts: a change there is alerted, never healed. (An account out of
   * scope by an OU rule is not known here: the alerter does not read the organization's OUs.)
   */
  excludedAccounts?: readonly string[];
  /** The management account's trail is the organization trail (trail.mode `organization`). */
  organizationTrail: boolean;
  /** How long a claim holds before another attempt may take it over (longer than the function timeout). */
  claimLeaseMs?: number;
  /**
   * How long this attempt may still wait for another attempt's claim to run out and take it
   * over (the handler: the invocation's remaining time less room to alert); 0 or absent: never.
   */
  leaseWaitBudgetMs?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Claims in flight in this container, so one batch that holds an event twice alerts once. */
  inFlight?: Map<string, Promise<ClaimResult>>;
  now?: () => number;
  /** The detection rules the alerter runs (contracts/detections.json less the disabled ones); none if absent. */
  detections?: readonly CompiledRule[];
  /** The settings rules compare to (config `alerts`). */
  detectionSettings?: DetectionSettings;
}

export interface AlertOutcome {
  alerted: string[];
  /** Detection alerts sent (documents a rule flagged that are no tamper), by key. */
  detected: string[];
  duplicates: string[];
  /** Alerts sent without a heal, because logwarden does not govern where the change was made. */
  notGoverned: string[];
  /** Why the record could not be read, when it could not (the archive and the indexer keep it). */
  unreadable?: string;
}

type ClaimResult = 'alerted' | 'duplicate' | 'not-governed' | 'detected';

/**
 * A claim outlives the attempt that made it by 10 s: an attempt cannot run past the function's
 * timeout, so once the lease is over its holder has finished or been stopped. It is kept short
 * because the retries of a stream's records come at once, with no delay between them ("If the
 * function is invoked but returns an error, Lambda retries until the records expire, exceed the
 * maximum age ..., or reach the configured retry quota", Lambda Developer Guide, Kinesis event
 * source mappings): a retry that finds a crashed attempt's claim waits for its lease rather than
 * spend the record's retries while it lasts.
 */
export const DEFAULT_CLAIM_LEASE_MS = (ALERTER_TIMEOUT_SECONDS + 10) * 1000;

/** Another attempt holds the claim and has not finished: retry the record later. */
export class ClaimHeldError extends Error {
  override readonly name = 'ClaimHeldError';
}

export function executionNameFor(key: string): string {
  return executionName('tamper', key);
}

const isConditionFailed = (err: unknown) => (err as Error)?.name === 'ConditionalCheckFailedException';

/**
 * Claims an event: a conditional put that succeeds only if no one alerted on it and no live
 * claim holds it. A claim whose lease ran out (its holder crashed between claim and publish) is
 * taken over, so a crash can delay an alert but never lose it.
 */
async function claim(
  deps: AlerterDeps,
  key: string,
  token: string,
  now: number,
): Promise<'won' | 'alerted' | 'heal-pending'> {
  const lease = deps.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS;
  try {
    await deps.ddb.send(
      new PutItemCommand({
        TableName: deps.dedupeTable,
        Item: {
          eventId: { S: key },
          state: { S: 'claimed' },
          claimToken: { S: token },
          leaseUntil: { N: String(now + lease) },
          expiresAt: { N: String(Math.ceil(now / 1000) + (deps.dedupeHours + 24) * 3600) },
        },
        ConditionExpression: 'attribute_not_exists(eventId) OR (#state = :claimed AND leaseUntil < :now)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':claimed': { S: 'claimed' }, ':now': { N: String(now) } },
      }),
    );
    return 'won';
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
  }
  const existing = await deps.ddb.send(
    new GetItemCommand({ TableName: deps.dedupeTable, Key: { eventId: { S: key } }, ConsistentRead: true }),
  );
  if (existing.Item?.state?.S === 'alerted')
    return existing.Item?.heal?.S === healPending ? 'heal-pending' : 'alerted';
  // Held by another attempt: wait for its lease to run out, as long as this attempt has the time,
  // then try again (the holder has finished by then, or crashed and its claim is taken over). A
  // lease longer than the time left is waited out over several retries, each spending its time
  // rather than one of the record's retries in a moment.
  const leaseUntil = Number(existing.Item?.leaseUntil?.N);
  const budget = deps.leaseWaitBudgetMs?.() ?? 0;
  if (existing.Item && Number.isFinite(leaseUntil) && budget > 0) {
    await (deps.sleep ?? sleep)(Math.min(Math.max(leaseUntil - now + 1, 0), budget));
    const later = (deps.now ?? Date.now)();
    if (leaseUntil < later) return claim(deps, key, token, later);
  }
  throw new ClaimHeldError(`event ${key} is claimed by an attempt still in flight; retrying later`);
}

/** Gives a claim back so that a retry can alert (only our own claim: the token must match). */
async function release(deps: AlerterDeps, key: string, token: string): Promise<void> {
  await deps.ddb
    .send(
      new DeleteItemCommand({
        TableName: deps.dedupeTable,
        Key: { eventId: { S: key } },
        ConditionExpression: 'claimToken = :token',
        ExpressionAttributeValues: { ':token': { S: token } },
      }),
    )
    .catch(() => undefined); // A claim not released runs out with its lease.
}

/** The `heal` of an alerted event whose heal has not started yet: a retry starts it. */
const healPending = 'pending';

async function markAlerted(deps: AlerterDeps, key: string, token: string, heal: string) {
  await deps.ddb.send(
    new UpdateItemCommand({
      TableName: deps.dedupeTable,
      Key: { eventId: { S: key } },
      UpdateExpression: 'SET #state = :alerted, heal = :heal REMOVE leaseUntil',
      ConditionExpression: 'claimToken = :token',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: {
        ':alerted': { S: 'alerted' },
        ':heal': { S: heal },
        ':token': { S: token },
      },
    }),
  );
}

/** Records that the heal of an alerted event started (any attempt may: the execution name is the event's). */
async function markHealStarted(deps: AlerterDeps, key: string, executionArn: string) {
  await deps.ddb.send(
    new UpdateItemCommand({
      TableName: deps.dedupeTable,
      Key: { eventId: { S: key } },
      UpdateExpression: 'SET heal = :heal',
      ConditionExpression: 'attribute_exists(eventId)',
      ExpressionAttributeValues: { ':heal': { S: executionArn } },
    }),
  );
}

/** Where a tamper event's heal runs, or why none can. */
export type HealTarget =
  | {
      account: string;
      region: string;
      /** Further accounts the event names (the GuardDuty administrator's membership calls). */
      also?: string[];
    }
  | { notStarted: string };

/** The administrator's calls that name the members they affect in `accountIds`. */
const guardDutyMemberCalls = new Set(['DisassociateMembers', 'DeleteMembers', 'StopMonitoringMembers']);

/** What decides where logwarden heals (the alerter's settings from config). */
export type Governance = Pick<
  AlerterDeps,
  'governedRegions' | 'excludedAccounts' | 'managementAccount' | 'organizationTrail' | 'stateMachineArn'
>;

/**
 * The account × region whose cover-account-region repairs what the event switched off. A
 * member's change is healed in that member. The management account is outside the member
 * baseline (service-managed StackSets never deploy to it, so no logwarden member role exists
 * there): the one thing logwarden governs in it is the organization trail, which it owns and
 * which the control-plane account manages as CloudTrail's delegated administrator
 * (contracts/names.ts organizationTrailArn). A change to that trail is therefore healed in the
 * control-plane account's cell of the same region, whose trail control checks the organization
 * trail; anything else there is alerted without a heal.
 */
export function healTargetOf(deps: Governance, doc: OcsfDocument): HealTarget {
  const account = doc.cloud.account.uid;
  const region = doc.cloud.region;
  if (!deps.governedRegions.includes(region)) return { notStarted: 'region not governed by logwarden' };
  if (deps.excludedAccounts?.includes(account))
    return { notStarted: `scope.excludeAccounts lists ${account}: logwarden does not govern it` };
  const service = (doc.api as { service?: { name?: string } } | undefined)?.service?.name;
  const operation = (doc.api as { operation?: string } | undefined)?.operation;
  // The GuardDuty administrator (the control-plane account) names the members it disassociated,
  // deleted or stopped monitoring in `accountIds` (GuardDuty API Reference); its own cell lost
  // nothing, so the heal runs in each named member's cell (the dispatcher does the same).
  if (
    service === 'guardduty.amazonaws.com' &&
    operation &&
    guardDutyMemberCalls.has(operation) &&
    account === deps.stateMachineArn.split(':')[4]
  ) {
    const named = requestDataOf(doc)?.accountIds;
    const ids = Array.isArray(named)
      ? [...new Set(named.filter((a): a is string => typeof a === 'string' && /^\d{12}$/.test(a)))]
          .filter((a) => !deps.excludedAccounts?.includes(a))
          .slice(0, 50)
      : [];
    if (!ids.length) return { notStarted: `the administrator's ${operation} names no member in scope` };
    return { account: ids[0], region, also: ids.slice(1) };
  }
  if (account !== deps.managementAccount) return { account, region };
  if (deps.organizationTrail && service === 'cloudtrail.amazonaws.com') {
    // arn:aws:states:<region>:<account>:stateMachine:<name>
    return { account: deps.stateMachineArn.split(':')[4], region };
  }
  return {
    notStarted:
      'the management account is outside the member baseline (service-managed StackSets never deploy to it)',
  };
}

/** The heal's execution ARN: its name is the event's, so it is known before it starts. */
export function healExecutionArn(deps: AlerterDeps, key: string): string {
  return `${deps.stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionNameFor(key)}`;
}

/** The heal could not start; the alert went out before, and a report of this failure after. */
export class HealNotStartedError extends Error {
  override readonly name = 'HealNotStartedError';
}

async function publish(
  deps: AlerterDeps,
  message: { subject: string; text: string; attributes: Record<string, string> },
) {
  await deps.sns.send(
    new PublishCommand({
      TopicArn: deps.topicArn,
      Subject: message.subject,
      Message: message.text,
      MessageAttributes: Object.fromEntries(
        Object.entries(message.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
      ),
    }),
  );
}

/**
 * Starts the heal of an alerted event. If it cannot start (Step Functions throttled, the role
 * refused), the failure is reported on the topic as a message of its own and the record fails,
 * so a retry starts the heal (the event stays `heal: pending`; the alert is not sent again).
 */
async function startHeal(
  deps: AlerterDeps,
  doc: OcsfDocument,
  key: string,
  target: { account: string; region: string; also?: string[] },
): Promise<void> {
  try {
    const accounts = [target.account, ...(target.also ?? [])];
    let first: string | undefined;
    for (const [i, account] of accounts.entries()) {
      // The first account's execution keeps the event's name; each further one its own.
      const name = i === 0 ? executionNameFor(key) : executionNameFor(`${key}:${account}`);
      const started = await startNamedExecution(deps.sfn, deps.stateMachineArn, name, {
        account,
        region: target.region,
        trigger: 'tamper',
        eventName: (doc.api as { operation?: string } | undefined)?.operation,
        eventId: doc.metadata.uid,
      });
      first ??= started.executionArn;
    }
    await markHealStarted(deps, key, first!);
  } catch (err) {
    const reason = `${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}`;
    // The report is best effort: the record fails either way, and its retry tries the heal again.
    await publish(deps, describeHealNotStarted(doc, healExecutionArn(deps, key), reason)).catch(
      () => undefined,
    );
    throw new HealNotStartedError(`the heal of ${key} did not start (${reason}); the alert was sent`, {
      cause: err,
    });
  }
}

/**
 * Exactly one alert per event, sent before the heal starts, so a heal that cannot start never
 * holds the alert back: claim (conditional write), publish, mark the event alerted (heal
 * pending), then start the heal (its execution name is the event's, so a repeat is a no-op) and
 * record it. If publishing fails the claim is released and the error propagates, so the record is
 * retried and can still alert. If the heal cannot start, that is reported separately and the
 * record is retried, and the retry finds the event alerted with its heal pending and starts only
 * the heal. The one window left is a crash after publishing and before marking: the lease then
 * runs out and a retry alerts a second time, which is the side SNS's at-least-once delivery
 * already sits on.
 */
async function claimAndAlert(deps: AlerterDeps, flagged: Flagged, key: string): Promise<ClaimResult> {
  const { doc } = flagged;
  const now = (deps.now ?? Date.now)();
  const token = randomUUID();
  const claimed = await claim(deps, key, token, now);
  if (claimed === 'alerted') return 'duplicate';
  const target = healTargetOf(deps, doc);
  if (!flagged.tamper) {
    // A detection starts nothing: publish once, mark it alerted.
    if (claimed !== 'won') return 'duplicate';
    try {
      await publish(deps, describeDetection(doc, flagged.rules));
    } catch (err) {
      await release(deps, key, token);
      throw err;
    }
    await markAlerted(deps, key, token, 'none (detection)');
    return 'detected';
  }
  if (claimed === 'won') {
    try {
      const alert =
        'notStarted' in target
          ? describeTamper(doc, undefined, target.notStarted, flagged.rules)
          : describeTamper(doc, healExecutionArn(deps, key), undefined, flagged.rules);
      await publish(deps, alert);
    } catch (err) {
      await release(deps, key, token);
      throw err;
    }
    await markAlerted(deps, key, token, 'notStarted' in target ? 'not-governed' : healPending);
  }
  if ('notStarted' in target) return 'not-governed';
  await startHeal(deps, doc, key, target);
  return claimed === 'won' ? 'alerted' : 'duplicate';
}

/** A document to alert on: a tamper (healed where governed) or one the detection rules flagged. */
interface Flagged {
  doc: OcsfDocument;
  tamper: boolean;
  rules: DetectionRule[];
}

async function alertOnce(deps: AlerterDeps, flagged: Flagged, key: string): Promise<ClaimResult> {
  const inFlight = deps.inFlight;
  const running = inFlight?.get(key);
  if (running) {
    // The same event twice in one batch: the second waits for the first and alerts no one.
    await running;
    return 'duplicate';
  }
  const attempt = claimAndAlert(deps, flagged, key);
  inFlight?.set(key, attempt);
  try {
    return await attempt;
  } finally {
    inFlight?.delete(key);
  }
}

/**
 * The cheap look at each line before normalizing it (issue 26): false only for a line of which
 * no document can be tampering (`mayBeCoverageTamper`) or match a rule (`CompiledRule.mayMatchLine`).
 * A line with a `\u` escape is always read in full (`mayHideText`). Undefined when a rule has no
 * such look: every line is then normalized.
 */
export function lineFilter(
  rules: readonly CompiledRule[],
  mayTamper: boolean,
  settings: DetectionSettings | undefined,
): ((event: CwlLogEvent) => boolean) | undefined {
  if (rules.length && (!settings || rules.some((r) => !r.mayMatchLine))) return undefined;
  const looks = rules.map((r) => r.mayMatchLine!);
  return ({ message }) =>
    mayHideText(message) ||
    (mayTamper && mayBeCoverageTamper(message)) ||
    looks.some((look) => look(message, settings!));
}

/** The key of a detection alert: its own namespace beside the tamper alerts' keys. */
export const detectionKey = (key: string) => `detection:${key}`;

/**
 * For every tamper event in one stream record (CloudTrail from trusted sources only: anything
 * else never normalizes to API Activity), alert once and start the self-heal workflow; for every
 * other document the detection rules flag, alert once. A tamper the rules also flag is one alert,
 * naming the rules. The dedupe key and execution name are the owner-namespaced document id.
 * Errors propagate, so the record is retried.
 */
export async function alertOnStreamRecord(data: string, deps: AlerterDeps): Promise<AlertOutcome> {
  const outcome: AlertOutcome = { alerted: [], detected: [], duplicates: [], notGoverned: [] };
  const decoded = decodeCwlBase64(data);
  // Undecodable records are kept by the archive (error prefix) and the indexer (rejected/).
  if (!decoded.ok) return { ...outcome, unreadable: decoded.error };
  if (isControlMessage(decoded.payload)) return outcome;
  const payload = decoded.payload;
  const source = deps.trust.of(payload.owner, payload.logGroup);
  // Only CloudTrail from a source trusted for it becomes API Activity, the one class that can be
  // tampering; only it and GuardDuty's findings carry the fields most rules read. A payload from
  // anywhere else (flow records, application logs) is normalized only if a rule can flag one of
  // its documents (CompiledRule.mayMatchPlainDocuments), which no rule of
  // contracts/detections.json can: the alerter then decodes it and stops.
  const mayTamper = source.kinds.has('cloudtrail');
  const trustedRich = mayTamper || source.kinds.has('guardduty');
  const context: DetectionContext | undefined = deps.detectionSettings && {
    settings: deps.detectionSettings,
    governed: (doc) => !('notStarted' in healTargetOf(deps, doc)),
  };
  const rules = context ? (deps.detections ?? []).filter((r) => trustedRich || r.mayMatchPlainDocuments) : [];
  if (!mayTamper && !rules.length) return outcome;
  // Only the flagged documents are kept: a large payload's other documents are let go one by one.
  const flagged: Flagged[] = [];
  // A line no rule and no tamper check can flag is not normalized at all.
  const only = lineFilter(rules, mayTamper, deps.detectionSettings);
  forEachDocument(
    payload,
    deps.formats,
    deps.trust,
    (doc) => {
      const tamper = mayTamper && isCoverageTamper(doc);
      const matched = context && rules.length ? matchingRules(doc, rules, context) : [];
      if (tamper || matched.length) flagged.push({ doc, tamper, rules: matched });
    },
    only,
  );
  for (const item of flagged) {
    const id = documentId(payload, item.doc);
    const key = item.tamper ? id : detectionKey(id);
    const result = await alertOnce(deps, item, key);
    if (result === 'alerted') outcome.alerted.push(key);
    else if (result === 'detected') outcome.detected.push(key);
    else if (result === 'duplicate') outcome.duplicates.push(key);
    else outcome.notGoverned.push(key);
  }
  return outcome;
}
