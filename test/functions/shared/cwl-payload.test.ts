import { gzipSync } from 'node:zlib';
import {
  decodeCwlBase64,
  decodeCwlBytes,
  declaredSize,
  isControlMessage,
  MAX_PAYLOAD_BYTES,
} from '../../../functions/shared/cwl-payload';
import { cwlPayload, encodeCwl, realFirehoseEvent } from '../../../local/corpus';
import { gzipBomb } from '../../fixtures/gzip-bomb';

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

describe('the whole payload shape is checked once, at decoding (issue 21 §13, §15)', () => {
  const good = cwlPayload(['hello']);
  it.each([
    ['subscriptionFilters is a number', { subscriptionFilters: 5 }, 'subscriptionFilters'],
    [
      'subscriptionFilters is a string',
      { subscriptionFilters: 'logwarden-central-eu-west-1' },
      'subscriptionFilters',
    ],
    ['subscriptionFilters holds a number', { subscriptionFilters: [1] }, 'subscriptionFilters'],
    ['subscriptionFilters is missing', { subscriptionFilters: undefined }, 'subscriptionFilters'],
    ['owner is not an account id', { owner: 'me' }, 'owner is not an account id'],
    ['logGroup is a number', { logGroup: 7 }, 'logGroup'],
    ['logStream is too long', { logStream: 's'.repeat(513) }, 'logStream'],
    ['a forged negative hop counter', { logwardenHops: -1000 }, 'logwardenHops'],
    ['a hop counter that is text', { logwardenHops: 'x' }, 'logwardenHops'],
    ['a fractional hop counter', { logwardenHops: 1.5 }, 'logwardenHops'],
    ['a hop counter past any hop limit', { logwardenHops: 1_000_000 }, 'logwardenHops'],
    ['an event that is a list', { logEvents: [[]] }, 'logEvents[0] is not an object'],
    [
      'an infinite timestamp',
      { logEvents: [{ id: '1', timestamp: Infinity, message: 'm' }] },
      'logEvents[0].timestamp',
    ],
    [
      'an event id past 256 characters',
      { logEvents: [{ id: '9'.repeat(257), timestamp: 1, message: 'm' }] },
      'id',
    ],
  ])('%s: a clear error, never a payload', (_name, change, expected) => {
    // JSON.stringify writes 1e400 as null: put it in the text itself.
    const text = JSON.stringify({ ...good, ...change }).replace('"timestamp":null', '"timestamp":1e400');
    const d = decodeCwlBytes(gzipSync(text));
    expect(d.ok).toBe(false);
    expect(d.ok ? '' : d.error).toContain(expected);
  });

  it('a hop counter logwarden writes, and a control message’s owner, are accepted', () => {
    expect(decodeCwlBytes(gzipSync(JSON.stringify({ ...good, logwardenHops: 3 }))).ok).toBe(true);
    const control = {
      ...cwlPayload(['CWL CONTROL MESSAGE']),
      messageType: 'CONTROL_MESSAGE',
      owner: 'CloudwatchLogs',
    };
    expect(decodeCwlBytes(gzipSync(JSON.stringify(control))).ok).toBe(true);
  });
});

describe('decompression is bounded by output size (issue 21 §14)', () => {
  /** A valid payload whose one message is `mib` MiB of "a", as gzip (about 1 KB per MiB). */
  const bombOf = (mib: number) => {
    const [head, tail] = JSON.stringify(cwlPayload(['@'])).split('@');
    return gzipBomb(head, mib * 1024 * 1024, tail);
  };

  it('1 MB of gzip that expands to 1 GiB is refused at the bound, without holding its output', () => {
    const bomb = bombOf(1024);
    expect(bomb.length).toBeLessThan(1.1 * 1024 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    const d = decodeCwlBytes(bomb);
    expect(d.ok ? '' : d.error).toContain(
      `declares ${bomb.readUInt32LE(bomb.length - 4)} bytes, over the ${MAX_PAYLOAD_BYTES}-byte limit`,
    );
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(MAX_PAYLOAD_BYTES);
  });

  it('a gzip whose trailer lies about its size stops inflating at the size it declared', () => {
    const bomb = bombOf(64);
    bomb.writeUInt32LE(1000, bomb.length - 4); // claims 1,000 bytes
    const d = decodeCwlBytes(bomb);
    expect(d.ok ? '' : d.error).toContain('inflates past the 1000 bytes its gzip trailer declares');
  });

  it('the bound applies to plain JSON too, and a payload at the bound decodes', () => {
    const atBound = bombOf(MAX_PAYLOAD_BYTES / 1024 / 1024 - 1);
    expect(declaredSize(atBound)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    expect(decodeCwlBytes(atBound).ok).toBe(true);
    expect(decodeCwlBytes(bombOf(MAX_PAYLOAD_BYTES / 1024 / 1024)).ok).toBe(false);
    const plain = Buffer.from(JSON.stringify(cwlPayload(['x'.repeat(100)])));
    expect(decodeCwlBytes(plain, { maxBytes: plain.length }).ok).toBe(true);
    const refused = decodeCwlBytes(plain, { maxBytes: plain.length - 1 });
    expect(refused.ok ? '' : refused.error).toContain('payload too large');
  });
});
