import type { LogwardenConfig } from '../../contracts/config';
import { names } from '../../contracts/names';
import type { CwlPayload } from '../../functions/shared/cwl-payload';
import { corpusMessagesByGroup, cwlPayload } from '../../local/corpus';
import { exampleConfig, exampleConfigRaw } from '../stacks/example-app';

/** The member account whose flow logs and application logs the corpus stands for. */
export const corpusMember = '444444444444';

/**
 * The example config with an organization trail, whose group (in the security-tooling account,
 * which calls CreateTrail: contracts/names.ts trailLogGroup) feeds the pipeline.
 */
export function e2eConfig(): LogwardenConfig {
  const raw = exampleConfigRaw() as { trail: object };
  return exampleConfig({ trail: { ...raw.trail, mode: 'organization' } });
}

/**
 * CloudWatch Logs payloads of every kind of real corpus event, 50 events each, from where each
 * kind really comes from: CloudTrail from the organization trail's group in the security-tooling
 * account, GuardDuty findings from the administrator's findings group in security tooling, flow
 * logs and application logs from a member. Plus bad input: a CloudTrail line that is not JSON
 * and a 1 MB log event.
 */
export function corpusPayloads(region: string, config: LogwardenConfig = e2eConfig()): CwlPayload[] {
  // The organization trail's group, in the account that calls CreateTrail (contracts/names.ts).
  const trail = { name: names.trailLogGroup, account: config.accounts.securityTooling };
  const origin = (logGroup: string) =>
    logGroup === 'aws-cloudtrail-logs'
      ? { logGroup: trail.name, owner: trail.account }
      : logGroup === names.guardDutyFindingsLogGroup
        ? { logGroup, owner: config.accounts.securityTooling }
        : { logGroup, owner: corpusMember };
  const chunk = (messages: string[], corpusGroup: string) => {
    const out: CwlPayload[] = [];
    const { logGroup, owner } = origin(corpusGroup);
    for (let i = 0; i < messages.length; i += 50)
      out.push(
        cwlPayload(messages.slice(i, i + 50), { logGroup, logStream: `${logGroup}-${i}`, owner, region }),
      );
    return out;
  };
  return [
    ...corpusMessagesByGroup().flatMap(({ logGroup, messages }) => chunk(messages, logGroup)),
    // Bad input: a CloudTrail line that is not JSON, and a 1 MB log event.
    cwlPayload(
      ['{"eventVersion": "1.08", "eventSource": "cloudtrail.amazonaws.com", "eventName": "StopLogg'],
      { ...origin('aws-cloudtrail-logs'), region },
    ),
    cwlPayload(['x'.repeat(1024 * 1024)], { logGroup: '/aws/lambda/chatty', owner: corpusMember, region }),
  ];
}
