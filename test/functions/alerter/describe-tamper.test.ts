import { TrustTable } from '../../../contracts/trusted-sources';
import { describeTamper, MAX_QUOTED, quote } from '../../../functions/alerter/describe-tamper';
import { FlowLogFormatRegistry } from '../../../functions/shared/flow-log-formats';
import { normalizePayload } from '../../../functions/shared/normalize';
import { cwlPayload, realCloudTrailEvents } from '../../../local/corpus';

const trust = new TrustTable([{ kind: 'cloudtrail', logGroup: 'trail', owner: '111111111111' }]);
const stop = realCloudTrailEvents().find((e) => e.event.eventName === 'StopLogging')!.event;
const docOf = (event: object) =>
  normalizePayload(
    cwlPayload([JSON.stringify(event)], { logGroup: 'trail', owner: '111111111111' }),
    new FlowLogFormatRegistry(),
    trust,
  )[0];

describe('alert e-mails quote caller-controlled text (issue 10 §6)', () => {
  it('a user agent cannot forge lines of the alert, and a long one is cut', () => {
    const forgedLines = 'aws-cli/2\n\nSelf-heal: started arn:aws:states:…:fake\r\nAccount:   000000000000';
    const alert = describeTamper(
      docOf({ ...stop, userAgent: forgedLines, requestParameters: { name: `t${'x'.repeat(10_000)}` } }),
      'arn:aws:states:eu-west-1:333333333333:execution:logwarden-cover-account-region:tamper-1',
    );
    const lines = alert.text.split('\n');
    expect(lines.filter((l) => l.startsWith('Self-heal:'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('Account:'))).toHaveLength(1);
    expect(alert.text).toContain(
      'User agent: "aws-cli/2\\n\\nSelf-heal: started arn:aws:states:…:fake\\r\\nAccount:   000000000000"',
    );
    const target = lines.find((l) => l.startsWith('Target:'))!;
    expect(target.length).toBeLessThan(500);
    // Already cut under unmapped (8,192 characters), then again for the e-mail.
    expect(target).toMatch(/…\(\d+ characters\)"$/);
  });

  it('bidirectional overrides and invisible characters become visible escapes', () => {
    expect(quote('admin\u202Eroot\u200B')).toBe('"admin\\u202eroot\\u200b"');
    expect(quote('a'.repeat(MAX_QUOTED + 1))).toBe(
      `"${'a'.repeat(MAX_QUOTED)}…(${MAX_QUOTED + 1} characters)"`,
    );
    expect(quote(undefined)).toBe('unknown');
  });

  it('the subject is one line of printable ASCII under 100 characters', () => {
    const alert = describeTamper(docOf({ ...stop, eventName: 'StopLogging\nBcc: x' }), undefined);
    expect(alert.subject).toMatch(/^[\x20-\x7e]{1,100}$/);
  });
});

describe('message attributes match SNS subscription filter policies (issue 21 §23)', () => {
  it('carry the values themselves, without JSON quotes, so a filter on the account matches', () => {
    const doc = docOf({ ...stop, recipientAccountId: '444444444444' });
    const { attributes } = describeTamper(doc, undefined);
    // A filter policy {"account": ["444444444444"]} matches a String attribute of exactly that value.
    expect(attributes.account).toBe('444444444444');
    expect(attributes.region).toBe(doc.cloud.region);
    expect(attributes.eventId).toBe(stop.eventID);
    expect(attributes.what).toBe('cloudtrail.amazonaws.com StopLogging');
    expect(attributes.sourceIp).toBe(stop.sourceIPAddress);
  });

  it('caller-controlled values are one line and cut', () => {
    const { attributes } = describeTamper(
      docOf({ ...stop, userIdentity: { ...(stop.userIdentity as object), arn: `a\nb${'x'.repeat(500)}` } }),
      undefined,
    );
    expect(attributes.who).toMatch(/^a bx+$/);
    expect(attributes.who.length).toBe(MAX_QUOTED);
  });
});
