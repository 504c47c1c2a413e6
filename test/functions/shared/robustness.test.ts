import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { decodeCwlBase64, decodeCwlBytes } from '../../../functions/shared/cwl-payload';
import { FlowLogFormatRegistry } from '../../../functions/shared/flow-log-formats';
import {
  labels,
  MAX_JSON_DEPTH,
  MAX_UNMAPPED_STRING,
  normalizePayload,
  parseErrorOf,
  parseJsonLine,
  serializeDocument,
} from '../../../functions/shared/normalize';
import { requestDataOf } from '../../../functions/shared/ocsf/cloudtrail';
import type { OcsfDocument } from '../../../functions/shared/ocsf/document';
import { cwlPayload, realCloudTrailEvents } from '../../../local/corpus';
import { testTrust } from '../../fixtures/trust';

const formats = new FlowLogFormatRegistry();
const normalize = (messages: string[], logGroup = 'aws-cloudtrail-logs') =>
  normalizePayload(cwlPayload(messages, { logGroup }), formats, testTrust);
const stop = realCloudTrailEvents().find((e) => e.event.eventName === 'StopLogging')!.event;

/** `{"a":{"a":…}}` nested n levels, as text (building it as an object would itself overflow). */
const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
const deepArray = (n: number) => `{"log":${'['.repeat(n)}${']'.repeat(n)}}`;

/** Every string in the free-form fields, keys included. */
function freeFormStrings(doc: OcsfDocument): string[] {
  const out: string[] = [];
  const api = doc.api as { request?: { data?: unknown }; response?: { data?: unknown } } | undefined;
  const stack: unknown[] = [doc.unmapped, api?.request?.data, api?.response?.data];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) stack.push(...v);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        out.push(k);
        stack.push(x);
      }
  }
  return out;
}

describe('no input can throw (issue 11)', () => {
  it('JSON nested past the cap is a parse error that keeps the raw line; its neighbour is untouched', () => {
    for (const deep of [deepObject(5000), deepArray(100_000), deepObject(MAX_JSON_DEPTH + 1)]) {
      const [kept, neighbour] = normalize([deep, JSON.stringify(stop)]);
      expect(parseErrorOf(kept)).toBe(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
      expect(kept.raw_data).toBe(deep);
      expect(() => JSON.stringify(kept)).not.toThrow();
      expect(neighbour.class_uid).toBe(6003);
    }
  });

  it('JSON at the cap is kept whole under unmapped', () => {
    const [doc] = normalize([deepObject(MAX_JSON_DEPTH)], 'app/json');
    expect(parseErrorOf(doc)).toBeUndefined();
    expect(JSON.stringify(doc.unmapped?.log)).toBe(deepObject(MAX_JSON_DEPTH));
  });

  it('property: deep and wide JSON always gives one serializable document with the raw line', () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'medium', withCrossShrink: true },
        fc.string(),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 30 }),
        fc.dictionary(fc.string({ maxLength: 10 }), tie('value'), { maxKeys: 30 }),
      ),
    })).value;
    const line = fc.oneof(
      fc.dictionary(fc.string({ maxLength: 10 }), json, { maxKeys: 50 }).map((o) => JSON.stringify(o)),
      fc.integer({ min: 1, max: 6000 }).map(deepObject),
      fc.integer({ min: 1, max: 6000 }).map(deepArray),
      fc
        .record({ eventVersion: fc.constant('1.09'), eventSource: fc.string(), requestParameters: json })
        .map((o) => JSON.stringify(o)),
    );
    fc.assert(
      fc.property(line, (message) => {
        const payload = cwlPayload([message], { logGroup: 'aws-cloudtrail-logs' });
        const docs = normalizePayload(payload, formats, testTrust);
        expect(docs).toHaveLength(1);
        expect(docs[0].raw_data).toBe(message);
        const text = serializeDocument(payload, payload.logEvents[0], docs[0]);
        expect(JSON.parse(text).raw_data).toBe(message);
      }),
      { numRuns: 200 },
    );
  });

  it('a document that cannot be serialized falls back to a parse error with the raw line', () => {
    const payload = cwlPayload(['{"a":1}'], { logGroup: 'app/json' });
    const [doc] = normalizePayload(payload, formats, testTrust);
    doc.unmapped = { bad: BigInt(1) };
    const line = JSON.parse(serializeDocument(payload, payload.logEvents[0], doc));
    expect(line.unmapped.parse_error).toMatch(/^document cannot be serialized: /);
    expect(line.raw_data).toBe('{"a":1}');
  });
});

describe('oversized values (issue 11)', () => {
  it('a value over the term limit is cut and marked in the free-form fields; raw_data keeps the line whole', () => {
    const big = 'x'.repeat(40_000);
    const event = { ...stop, requestParameters: { name: big, nested: [{ policy: big }] } };
    const [doc] = normalize([JSON.stringify(event)]);
    expect(doc.class_uid).toBe(6003);
    expect(doc.metadata.labels).toEqual([labels.truncated]);
    for (const s of freeFormStrings(doc)) expect(s.length).toBeLessThan(MAX_UNMAPPED_STRING + 64);
    const name = (requestDataOf(doc) as { name: string }).name;
    expect(name.endsWith('…[truncated: 40000 characters]')).toBe(true);
    expect(doc.raw_data).toBe(JSON.stringify(event));
  });

  it('an application line with a long key is cut too; short lines carry no label', () => {
    const [long, short] = normalize([JSON.stringify({ ['k'.repeat(9000)]: 1 }), '{"a":"b"}'], 'app/json');
    expect(long.metadata.labels).toEqual([labels.truncated]);
    expect(Object.keys(long.unmapped?.log as object)[0]).toMatch(/…\[truncated: 9000 characters\]$/);
    expect(short.metadata.labels).toBeUndefined();
  });
});

describe('encoding (issue 11): fatal UTF-8 decoding', () => {
  const payloadBytes = (messages: Buffer[]) => {
    // Build the JSON with raw (not \u-escaped) bytes inside each message, as CloudWatch Logs would.
    const marker = (i: number) => `@@${i}@@`;
    const json = JSON.stringify(
      cwlPayload(
        messages.map((_, i) => marker(i)),
        { logGroup: 'app/bytes' },
      ),
    );
    const parts = json.split(/@@(\d+)@@/);
    return Buffer.concat(parts.map((p, i) => (i % 2 ? messages[Number(p)] : Buffer.from(p, 'utf8'))));
  };

  it('a line with invalid UTF-8 keeps its original bytes (base64 in raw_data) and is flagged; valid lines are not', () => {
    const bad = Buffer.from([0x6f, 0x6b, 0x20, 0xff, 0xfe, 0x20, 0xc3, 0x28]);
    const good = Buffer.from('naïve café ✓', 'utf8');
    const decoded = decodeCwlBytes(gzipSync(payloadBytes([bad, good])));
    if (!decoded.ok) throw new Error(decoded.error);
    expect(decoded.payload.logEvents[0].invalidUtf8Base64).toBe(bad.toString('base64'));
    expect(decoded.payload.logEvents[1].invalidUtf8Base64).toBeUndefined();
    expect(decoded.payload.logEvents[1].message).toBe('naïve café ✓');
    const [flagged, clean] = normalizePayload(decoded.payload, formats, testTrust);
    expect(flagged.raw_data).toBe(bad.toString('base64'));
    expect(flagged.metadata.labels).toEqual([labels.invalidUtf8]);
    expect(flagged.message).toContain('\uFFFD');
    expect(clean.raw_data).toBe('naïve café ✓');
    expect(clean.metadata.labels).toBeUndefined();
  });

  it('valid payloads take the fast path unchanged', () => {
    const payload = cwlPayload(['plain', 'ünïcödé'], { logGroup: 'app/x' });
    const decoded = decodeCwlBase64(gzipSync(JSON.stringify(payload)).toString('base64'));
    expect(decoded).toEqual({ ok: true, payload });
  });
});

describe('free-form fields stay under OpenSearch’s keyword limit, key path and value together (issue 21 §17)', () => {
  /** Every leaf of the flat_object fields as OpenSearch indexes it: `<field>.<path>=<value>`. */
  function valueAndPaths(doc: OcsfDocument): string[] {
    const out: string[] = [];
    const api = doc.api as { request?: { data?: unknown }; response?: { data?: unknown } } | undefined;
    const walk = (v: unknown, path: string) => {
      if (v === undefined) return;
      if (Array.isArray(v)) v.forEach((x) => walk(x, path));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
      else out.push(`${path}=${String(v)}`);
    };
    walk(doc.unmapped, 'unmapped');
    walk(api?.request?.data, 'api.request.data');
    walk(api?.response?.data, 'api.response.data');
    return out;
  }
  const LUCENE_MAX_TERM_BYTES = 32_766;
  const long = (c: string, n: number) => c.repeat(n);
  const nested = (keys: string[], value: unknown): unknown =>
    keys.reduceRight<unknown>((inner, k) => ({ [k]: inner }), value);

  it.each([
    [
      'four 8,000-character keys over an 8,000-character value',
      [1, 2, 3, 4].map((i) => long(`${i}`, 8000)),
      long('v', 8000),
    ],
    [
      'thirty-one 2,000-character keys (€, three bytes each) over a short value',
      Array.from({ length: 31 }, (_, i) => long(i % 2 ? '€' : 'k', 2000)),
      'x',
    ],
    ['a short path to a value of 8,192 three-byte characters', ['a', 'b'], long('€', 9000)],
  ])(
    '%s: each leaf within 32,766 bytes, marked truncated, the line whole in raw_data',
    (_name, keys, value) => {
      const app = JSON.stringify(nested(keys, value));
      const trail = JSON.stringify({ ...stop, requestParameters: nested(keys, value) });
      for (const doc of normalize([app, trail])) {
        const leaves = valueAndPaths(doc);
        expect(leaves.length).toBeGreaterThan(0);
        for (const leaf of leaves) expect(Buffer.byteLength(leaf)).toBeLessThanOrEqual(LUCENE_MAX_TERM_BYTES);
        expect(doc.metadata.labels).toContain(labels.truncated);
      }
      expect(normalize([app])[0].raw_data).toBe(app);
    },
  );

  it('a line short enough that no leaf can pass the limit is left as it is', () => {
    const keys = [long('k', 3000), long('j', 3000)];
    const [doc] = normalize([JSON.stringify(nested(keys, long('v', 2000)))], 'app/json');
    expect(doc.metadata.labels).toBeUndefined();
    expect(valueAndPaths(doc)).toEqual([`unmapped.log.${keys[0]}.${keys[1]}=${long('v', 2000)}`]);
  });
});

describe('integers beyond 2^53 keep their digits in the searchable copy (issue 21 §23)', () => {
  it('are kept as strings; safe integers, decimals and strings are untouched; the line itself is unchanged', () => {
    const line =
      '{"big": 12345678901234567890, "neg": -9007199254740993, "safe": 9007199254740991, "ok": 42, "dec": 1.5e3, "s": "12345678901234567890 \\" 99999999999999999999", "list": [18446744073709551615, 1]}';
    const [doc] = normalize([line], 'app/json');
    expect(doc.unmapped?.log).toEqual({
      big: '12345678901234567890',
      neg: '-9007199254740993',
      safe: 9007199254740991,
      ok: 42,
      dec: 1500,
      s: '12345678901234567890 " 99999999999999999999',
      list: ['18446744073709551615', 1],
    });
    expect(doc.raw_data).toBe(line);
  });

  it('in a CloudTrail record’s request parameters too', () => {
    const line = JSON.stringify({ ...stop, requestParameters: { size: '@' } }).replace(
      '"@"',
      '98765432109876543210',
    );
    const [doc] = normalize([line]);
    expect((doc.api as { request: { data: unknown } }).request.data).toEqual({
      size: '98765432109876543210',
    });
  });

  it('property: any JSON with big integers parses to what JSON.parse gives, with those integers as their digits', () => {
    const big = fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n });
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(big, fc.integer(), fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true })),
          { maxLength: 20 },
        ),
        (values) => {
          const texts = values.map((v) => (typeof v === 'bigint' ? v.toString() : JSON.stringify(v)));
          const line = `{"v":[${texts.join(',')}]}`;
          // An integer written without fraction or exponent, outside ±(2^53 − 1), stays its digits.
          const expected = texts.map((t) =>
            /^-?\d+$/.test(t) && !Number.isSafeInteger(Number(t)) ? t : JSON.parse(t),
          );
          expect(parseJsonLine(line)).toEqual({ v: expected });
        },
      ),
      { numRuns: 300 },
    );
  });
});
