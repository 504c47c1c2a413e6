import type { CwlPayload } from '../../functions/shared/cwl-payload';
import { decodeCwlBase64 } from '../../functions/shared/cwl-payload';
import { names } from '../../stacks/names';
import {
  cwlPayload,
  flowLogSamples,
  guardDutyEvents,
  realCloudTrailEvents,
  realKinesisCwlEvent,
} from '../../local/corpus';

/**
 * CloudWatch Logs payloads of every kind of real corpus event, 50 events each, from a member
 * account, plus bad input: a CloudTrail line that is not JSON and a 1 MB log event.
 */
export function corpusPayloads(region: string): CwlPayload[] {
  const chunk = (messages: string[], logGroup: string) => {
    const out: CwlPayload[] = [];
    for (let i = 0; i < messages.length; i += 50)
      out.push(
        cwlPayload(messages.slice(i, i + 50), {
          logGroup,
          logStream: `${logGroup}-${i}`,
          owner: '444444444444',
          region,
        }),
      );
    return out;
  };
  const app: string[] = [];
  for (const r of realKinesisCwlEvent().Records) {
    const d = decodeCwlBase64(r.kinesis.data);
    if (d.ok) app.push(...d.payload.logEvents.map((e) => e.message));
  }
  return [
    ...chunk(
      realCloudTrailEvents().map((e) => JSON.stringify(e.event)),
      'aws-cloudtrail-logs',
    ),
    ...chunk(
      flowLogSamples()
        .filter((s) => s.format.split(/\s+/).length === 14)
        .flatMap((s) => s.records),
      'vpc-flow-logs',
    ),
    ...chunk(
      guardDutyEvents().map((e) => JSON.stringify(e.event)),
      names.guardDutyFindingsLogGroup,
    ),
    ...chunk(app, '/aws/lambda/orders'),
    // Bad input: a CloudTrail line that is not JSON, and a 1 MB log event.
    cwlPayload(
      ['{"eventVersion": "1.08", "eventSource": "cloudtrail.amazonaws.com", "eventName": "StopLogg'],
      { logGroup: 'aws-cloudtrail-logs', owner: '444444444444', region },
    ),
    cwlPayload(['x'.repeat(1024 * 1024)], { logGroup: '/aws/lambda/chatty', owner: '444444444444', region }),
  ];
}
