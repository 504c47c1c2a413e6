import { gzipSync } from 'node:zlib';
import { decodeCwlBase64, decodeCwlBytes, isControlMessage } from '../../../functions/shared/cwl-payload';
import { cwlPayload, encodeCwl, realFirehoseEvent } from '../../../local/corpus';

describe('decodeCwl', () => {
  it('decodes the real Firehose event: a CONTROL_MESSAGE recognised by messageType, then DATA_MESSAGEs', () => {
    const decoded = realFirehoseEvent().records.map((r) => decodeCwlBase64(r.data));
    expect(decoded.every((d) => d.ok)).toBe(true);
    const payloads = decoded.map((d) => (d.ok ? d.payload : undefined)!);
    expect(payloads.map(isControlMessage)).toEqual([true, false, false, false]);
    // The real control message carries exactly one event, like the data messages may.
    expect(payloads[0].logEvents).toHaveLength(1);
  });

  it('accepts plain (not gzipped) JSON', () => {
    const payload = cwlPayload(['hello']);
    const d = decodeCwlBytes(Buffer.from(JSON.stringify(payload)));
    expect(d).toEqual({ ok: true, payload });
  });

  it.each([
    ['corrupt base64', '!!!not base64!!!', 'corrupt base64'],
    [
      'corrupt gzip',
      Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.from('garbage')]).toString('base64'),
      'corrupt gzip',
    ],
    ['gzip of non-JSON', gzipSync('hello world').toString('base64'), 'not JSON'],
    [
      'JSON that is not a payload',
      encodeCwl({ hello: 'world' }),
      'not a CloudWatch Logs payload: messageType',
    ],
    [
      'an event without a message',
      encodeCwl({ ...cwlPayload([]), logEvents: [{ id: '1', timestamp: 1 }] }),
      'logEvents[0].message',
    ],
  ])('names the problem: %s', (_name, data, expected) => {
    const d = decodeCwlBase64(data);
    expect(d.ok).toBe(false);
    expect(d.ok ? '' : d.error).toContain(expected);
  });
});
