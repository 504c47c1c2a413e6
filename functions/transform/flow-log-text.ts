import { createHash } from 'node:crypto';
import { subscriptionPolicyName } from '../../contracts/names';
import { base64Bytes, type CwlLogEvent, type CwlPayload, type DecodeResult } from '../shared/cwl-payload';
import { flowLogGroupFor, logwardenFormat } from '../shared/flow-log-formats';
import { splitFlowLogLine } from '../shared/ocsf/flow-log';

/**
 * What a record of the direct path holds: "When publishing to Amazon Data Firehose, flow log data
 * is published to a Amazon Data Firehose delivery stream, in plain text format" (VPC User Guide,
 * "Publish flow logs to Amazon Data Firehose"): flow-log lines in logwarden's format (the control
 * creates no other flow log to the stream), newline-separated when a record holds more than one.
 */
export const directFlowLogGroup = flowLogGroupFor(logwardenFormat);

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const accountAt = logwardenFormat.fields.indexOf('account-id');

/**
 * A record's lines as the payload the stream path would have carried them in, so that both paths
 * write the same documents with the same normalizer: the owner is the lines' `account-id` (the
 * account whose flow log it is; "-" or "unknown" for an interface an AWS service created, VPC
 * User Guide, "Flow log records"), the group logwarden's flow-log group, and the region the
 * stream's (flow logs deliver only to a stream of their own region), named the way the
 * subscription policy names it. Each line's id hashes the record's arrival, the line's place
 * and its text: the same on every retry of the record, so re-delivery writes the same ids.
 */
export function decodeFlowLogText(data: string, region: string, arrivalMs: number): DecodeResult {
  const bytes = base64Bytes(data);
  if (!bytes) return { ok: false, error: 'data is not base64' };
  const lines: { message: string; invalidUtf8Base64?: string }[] = [];
  let start = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    const line = bytes.subarray(start, end);
    start = end + 1;
    if (line.length === 0 || line.toString('latin1').trim() === '') continue;
    try {
      lines.push({ message: strictUtf8.decode(line) });
    } catch {
      // Kept as bytes, as the stream path keeps a line that is not valid UTF-8.
      lines.push({ message: line.toString('utf8'), invalidUtf8Base64: line.toString('base64') });
    }
  }
  const owner =
    lines
      .map((l) => splitFlowLogLine(l.message)[accountAt])
      .find((a) => a !== undefined && /^\d{12}$/.test(a)) ?? 'unknown';
  const payload = directFlowPayload(
    owner,
    region,
    lines.map((line, i) => ({
      id: createHash('sha256').update(`${arrivalMs}\n${i}\n${line.message}`).digest('hex').slice(0, 56),
      timestamp: arrivalMs,
      ...line,
    })),
  );
  return { ok: true, payload };
}

/** The payload the stream path would have carried a direct-path line in (owner, group, Region). */
export function directFlowPayload(owner: string, region: string, logEvents: CwlLogEvent[]): CwlPayload {
  return {
    messageType: 'DATA_MESSAGE',
    owner,
    logGroup: directFlowLogGroup,
    logStream: 'firehose',
    subscriptionFilters: [subscriptionPolicyName(region)],
    logEvents,
  };
}
