import { requestDataOf } from '../shared/ocsf/cloudtrail';
import type { OcsfDocument } from '../shared/ocsf/document';

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

function targetOf(doc: OcsfDocument): string {
  const parts = findTargets(requestDataOf(doc));
  return parts.length ? parts.join(' ') : '(not named in the request)';
}

/** A readable alert for one tamper event, with the same facts as message attributes. */
export function describeTamper(doc: OcsfDocument, executionArn: string | undefined): TamperAlert {
  const d = doc as OcsfDocument & ApiDoc;
  const operation = d.api?.operation ?? 'unknown call';
  const service = d.api?.service?.name ?? 'unknown service';
  const who = d.actor?.user?.uid ?? d.actor?.user?.uid_alt ?? d.actor?.user?.name ?? 'unknown principal';
  const whoType = d.actor?.user?.type ?? 'unknown';
  const sourceIp = d.src_endpoint?.ip ?? d.src_endpoint?.domain ?? 'unknown';
  const when = new Date(doc.time).toISOString();
  const account = doc.cloud.account.uid;
  const region = doc.cloud.region;
  const target = targetOf(doc);
  const heal = executionArn ? `started ${executionArn}` : 'NOT started (see the alerter logs)';
  const text = [
    `logwarden detected a change that switches logging coverage off: ${operation}.`,
    '',
    `Who:       ${who} (${whoType})`,
    `What:      ${service} ${operation}`,
    `Target:    ${target}`,
    `Account:   ${account}`,
    `Region:    ${region}`,
    `Source IP: ${sourceIp}`,
    `User agent: ${d.http_request?.user_agent ?? 'unknown'}`,
    `Time:      ${when}`,
    `Event id:  ${doc.metadata.uid}`,
    '',
    `Self-heal: ${heal}`,
  ].join('\n');
  return {
    subject: `logwarden: ${operation} in ${account} ${region}`.slice(0, 100),
    text,
    attributes: {
      who,
      what: `${service} ${operation}`,
      target,
      account,
      region,
      sourceIp,
      time: when,
      eventId: doc.metadata.uid,
      execution: executionArn ?? 'none',
    },
  };
}
