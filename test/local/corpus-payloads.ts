import type { CwlPayload } from '../../functions/shared/cwl-payload';
import { corpusMessagesByGroup, cwlPayload } from '../../local/corpus';

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
  return [
    ...corpusMessagesByGroup().flatMap(({ logGroup, messages }) => chunk(messages, logGroup)),
    // Bad input: a CloudTrail line that is not JSON, and a 1 MB log event.
    cwlPayload(
      ['{"eventVersion": "1.08", "eventSource": "cloudtrail.amazonaws.com", "eventName": "StopLogg'],
      { logGroup: 'aws-cloudtrail-logs', owner: '444444444444', region },
    ),
    cwlPayload(['x'.repeat(1024 * 1024)], { logGroup: '/aws/lambda/chatty', owner: '444444444444', region }),
  ];
}
