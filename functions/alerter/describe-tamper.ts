import { requestDataOf } from '../shared/ocsf/cloudtrail';
import type { OcsfDocument } from '../shared/ocsf/document';
import type { DetectionRule } from '../../contracts/detections';
import { consoleLink, severityOf } from './detections';

export interface TamperAlert {
  subject: string;
  text: string;
  attributes: Record<string, string>;
}

interface ApiDoc {
  api?: { operation?: string; service?: { name?: string } };
  actor?: { user?: { uid?: string; uid_alt?: string; name?: string; type?: string } };
  src_endpoint?: { ip?: string; domain?: string };
  http_request?: { user_agent?: string };
}

/** Request parameters that name what was switched off, compared case-insensitively. */
const targetParameters = new Set(
  [
    'name',
    'trailName',
    'detectorId',
    'flowLogIds',
    'flowLogId',
    'logGroupName',
    'filterName',
    'policyName',
    'destinationName',
    'eventDataStore',
    'adminAccountId',
    'accountIds',
  ].map((k) => k.toLowerCase()),
);

/** A parameter value as text; EC2 wraps values as {content, tag} inside "*Request" objects. */
function valueText(value: unknown): string | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  if (Array.isArray(value)) return value.map(valueText).filter(Boolean).join(',');
  if (value && typeof value === 'object' && 'content' in value)
    return valueText((value as { content: unknown }).content);
  return undefined;
}

function findTargets(params: unknown, depth = 0, out: string[] = []): string[] {
  if (!params || typeof params !== 'object' || depth > 3) return out;
  for (const [key, value] of Object.entries(params as Record<string, unknown>)) {
    const text = targetParameters.has(key.toLowerCase()) ? valueText(value) : undefined;
    if (text) out.push(`${key}=${text}`);
    else findTargets(value, depth + 1, out);
  }
  return out;
}

/** Longest caller-controlled value quoted in an alert. */
export const MAX_QUOTED = 200;

/**
 * Caller-controlled text (user agent, principal and session names, request parameters) as a
 * quoted, escaped and bounded literal: control characters, line breaks and bidirectional
 * overrides become visible escapes, so a value can neither forge lines of the alert nor hide
 * what follows it, and a long one is cut with a marker.
 */
export function quote(value: string | undefined, max = MAX_QUOTED): string {
  if (value === undefined) return 'unknown';
  const cut = value.length > max ? `${value.slice(0, max)}…(${value.length} characters)` : value;
  return JSON.stringify(cut).replace(
    /[\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A message attribute value: the text itself, control characters as spaces, at most MAX_QUOTED characters. */
const attribute = (value: string) => value.replace(/\p{Cc}/gu, ' ').slice(0, MAX_QUOTED);

/** A subject line: printable ASCII only (SNS requires it), one line, at most 100 characters. */
const subjectText = (text: string) => text.replace(/[^\x20-\x7e]/g, '?').slice(0, 100);

function targetOf(doc: OcsfDocument): string {
  const parts = findTargets(requestDataOf(doc));
  return parts.length ? parts.join(' ') : '(not named in the request)';
}

/**
 * A readable alert for one tamper event, with the same facts as message attributes. Every value
 * that the caller of the API controls is quoted (see quote); the rest comes from CloudTrail.
 */
export function describeTamper(
  doc: OcsfDocument,
  executionArn: string | undefined,
  notStartedReason = 'see the alerter logs',
  /** Detection rules that also flag the event (one alert, naming them). */
  rules: readonly DetectionRule[] = [],
): TamperAlert {
  const d = doc as OcsfDocument & ApiDoc;
  const operation = quote(d.api?.operation ?? 'unknown call', 100);
  const service = quote(d.api?.service?.name ?? 'unknown service', 100);
  const who = quote(
    d.actor?.user?.uid ?? d.actor?.user?.uid_alt ?? d.actor?.user?.name ?? 'unknown principal',
  );
  const whoType = quote(d.actor?.user?.type ?? 'unknown', 50);
  const sourceIp = quote(d.src_endpoint?.ip ?? d.src_endpoint?.domain ?? 'unknown', 100);
  const when = Number.isFinite(doc.time) ? new Date(doc.time).toISOString() : 'unknown';
  const account = quote(doc.cloud.account.uid, 20);
  const region = quote(doc.cloud.region, 30);
  const target = quote(targetOf(doc), 400);
  const userAgent = quote(d.http_request?.user_agent);
  const eventId = quote(doc.metadata.uid, 100);
  // The alert goes out before the heal starts (alerter.ts): a heal that cannot start is
  // reported in a message of its own.
  const heal = executionArn
    ? `starting ${executionArn} (if it cannot start, a separate message says so)`
    : `NOT started (${notStartedReason})`;
  // Coverage switched off is High; a rule that also flags it may say more.
  const severity = rules.length && severityOf(doc, rules) === 'Critical' ? 'Critical' : 'High';
  const link = consoleLink(doc);
  const text = [
    `logwarden detected a change that switches logging coverage off: ${operation}.`,
    'Quoted values are as the caller sent them, escaped and cut at ' + MAX_QUOTED + ' characters.',
    '',
    `Who:       ${who} (${whoType})`,
    `What:      ${service} ${operation}`,
    `Target:    ${target}`,
    `Account:   ${account}`,
    `Region:    ${region}`,
    `Source IP: ${sourceIp}`,
    `User agent: ${userAgent}`,
    `Time:      ${when}`,
    `Event id:  ${eventId}`,
    `Severity:  ${severity}`,
    `Console:   ${link}`,
    ...(rules.length ? [`Rules:     ${rules.map((r) => r.id).join(', ')}`] : []),
    '',
    `Self-heal: ${heal}`,
  ].join('\n');
  return {
    subject: subjectText(
      `logwarden: ${d.api?.operation ?? 'tamper'} in ${doc.cloud.account.uid} ${doc.cloud.region}`,
    ),
    text,
    // Message attributes are for SNS subscription filter policies, which compare exact strings:
    // the values as they are (a quoted "123456789012" never equals 123456789012), cut, one line.
    attributes: {
      who: attribute(
        d.actor?.user?.uid ?? d.actor?.user?.uid_alt ?? d.actor?.user?.name ?? 'unknown principal',
      ),
      what: attribute(`${d.api?.service?.name ?? 'unknown service'} ${d.api?.operation ?? 'unknown call'}`),
      target: attribute(targetOf(doc)),
      account: attribute(doc.cloud.account.uid),
      region: attribute(doc.cloud.region),
      sourceIp: attribute(d.src_endpoint?.ip ?? d.src_endpoint?.domain ?? 'unknown'),
      time: when,
      eventId: attribute(doc.metadata.uid),
      execution: executionArn ?? 'none',
      kind: 'tamper',
      severity,
      console: attribute(link),
      ...(rules.length ? { rules: rules.map((r) => r.id).join(',') } : {}),
    },
  };
}

/**
 * The report that the heal of an alerted event could not start: its own message, after the
 * alert, with the event's account, region and id as attributes, so it pairs with the alert.
 */
export function describeHealNotStarted(doc: OcsfDocument, executionArn: string, reason: string): TamperAlert {
  const d = doc as OcsfDocument & ApiDoc;
  const operation = d.api?.operation ?? 'tamper';
  const text = [
    `logwarden could not start the self-heal for ${quote(operation, 100)} in ${quote(doc.cloud.account.uid, 20)} ${quote(doc.cloud.region, 30)}.`,
    'The alert for this event was sent before this message. The record is retried, and the',
    'retry starts the heal; the daily sweep is the backstop.',
    '',
    `Event id:  ${quote(doc.metadata.uid, 100)}`,
    `Execution: ${executionArn}`,
    `Reason:    ${quote(reason, 400)}`,
  ].join('\n');
  return {
    subject: subjectText(`logwarden: self-heal did not start for ${operation} in ${doc.cloud.account.uid}`),
    text,
    attributes: {
      account: attribute(doc.cloud.account.uid),
      region: attribute(doc.cloud.region),
      eventId: attribute(doc.metadata.uid),
      execution: executionArn,
      healNotStarted: attribute(reason),
    },
  };
}
