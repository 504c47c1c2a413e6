/**
 * Application events written as JSON text (`baseEventWriter`, used by `forEachDocumentText`)
 * give the very text the object path gives (`serializeDocument` of `normalizeLogEvent`), for
 * arbitrary text and JSON lines, in trusted and untrusted groups; the documents stay valid OCSF
 * 1.1.0 and keep the line whole in `raw_data`. And `parseJsonLine`, which now parses first and
 * scans for integers past 2^53 only when the parse holds a number past it, keeps its results.
 */
import fc from 'fast-check';
import { TrustTable } from '../../../contracts/trusted-sources';
import { FlowLogFormatRegistry } from '../../../functions/shared/flow-log-formats';
import {
  forEachDocumentText,
  normalizeLogEvent,
  parseJsonLine,
  serializeDocument,
  type WrittenDocument,
} from '../../../functions/shared/normalize';
import { baseEventWriter, toBaseEvent } from '../../../functions/shared/ocsf/base-event';
import type { CwlPayload } from '../../../functions/shared/cwl-payload';
import { cwlPayload } from '../../../local/corpus';
import { OcsfValidator } from '../../ocsf/validator';
import { testTrust } from '../../fixtures/trust';

const validator = OcsfValidator.load();
const registry = new FlowLogFormatRegistry();

/** Lines applications write: text of any characters and length, JSON objects, and near-misses. */
const textLine = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', minLength: 1000, maxLength: 1100 }),
  fc.constantFrom(
    'START RequestId: 06e46194-f277-454e-88d3-1dd7e3860eaa Version: $LATEST\n',
    '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
    '2 not a flow record',
    '   {"indented":"json"}',
    '{"broken":',
    '{"n":12345678901234567890}',
    '[1,2]',
  ),
);
const jsonLine = fc.oneof(
  fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 })).map((o) => JSON.stringify(o)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ source: 'aws.guardduty', detail: v })),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ eventVersion: '1.08', eventSource: 'x', v })),
);
const lines = fc.array(fc.oneof(textLine, jsonLine), { minLength: 1, maxLength: 8 });

function bothPaths(payload: CwlPayload, trust: TrustTable) {
  const direct: string[] = [];
  const meta: Pick<WrittenDocument, 'kind' | 'time' | 'parseErrorProduct'>[] = [];
  forEachDocumentText(payload, registry, trust, (w) => {
    direct.push(w.text);
    meta.push({ kind: w.kind, time: w.time, parseErrorProduct: w.parseErrorProduct });
  });
  const docs = payload.logEvents.map((e) => normalizeLogEvent(payload, e, registry, trust));
  const viaObjects = docs.map((d, i) => serializeDocument(payload, payload.logEvents[i], d));
  return { direct, viaObjects, meta, docs };
}

describe('application events written as text', () => {
  it.each([
    ['a group trusted for CloudTrail and GuardDuty', 'app/orders'],
    ['an untrusted group', 'app/other'],
  ])('%s: the same text, kind and time as the object path, the line kept whole', (_, logGroup) => {
    fc.assert(
      fc.property(
        lines,
        fc.constantFrom('123456789012', '999999999999'),
        fc.constantFrom('eu-west-1', 'us-east-1', undefined),
        fc.integer({ min: -1e15, max: 3e14 }),
        (messages, owner, region, timestamp) => {
          const payload = cwlPayload(messages, { logGroup, owner, region, timestamp });
          if (region === undefined) payload.subscriptionFilters = ['not-logwardens'];
          const { direct, viaObjects, meta, docs } = bothPaths(payload, testTrust);
          expect(direct).toEqual(viaObjects);
          docs.forEach((d, i) => {
            expect(meta[i].time).toBe(d.time);
            expect(JSON.parse(direct[i]).raw_data).toBe(messages[i]);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the writer is JSON.stringify of toBaseEvent, for text and for parsed JSON', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 1500 }),
        fc.option(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), { nil: undefined }),
        fc.option(fc.constantFrom('eu-west-1', 'ap-southeast-3'), { nil: undefined }),
        fc.oneof(fc.integer(), fc.double()),
        (message, json, region, timestamp) => {
          const payload = cwlPayload([message], { logGroup: 'g"\\é', timestamp: 0 });
          const event = { ...payload.logEvents[0], timestamp };
          expect(baseEventWriter(payload, region)(event, json)).toBe(
            JSON.stringify(toBaseEvent({ payload, event, region }, json)),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('written documents are valid OCSF 1.1.0 (strict)', () => {
    fc.assert(
      fc.property(lines, (messages) => {
        const { direct } = bothPaths(cwlPayload(messages, { logGroup: 'app/other' }), new TrustTable([]));
        for (const text of direct) {
          const { errors } = validator.validate(JSON.parse(text));
          expect(errors.map((e) => `${e.type} ${e.path}: ${e.message}`)).toEqual([]);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('parseJsonLine: sixteen digits inside a string take JSON.parse alone, numbers keep their digits', () => {
  const big = fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n });
  it('property: strings with long digit runs beside big integers, with JSON whitespace', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            big.map((b) => ({ text: b.toString(), value: b })),
            big.map((b) => ({ text: JSON.stringify(`id-${b}`), value: `id-${b}` })),
            fc.integer().map((n) => ({ text: String(n), value: n })),
          ),
          { maxLength: 12 },
        ),
        fc.constantFrom('', ' ', '\n\t', '\r\n  '),
        (values, ws) => {
          const line = `{${ws}"v"${ws}:${ws}[${values.map((v) => `${ws}${v.text}`).join(',')}]${ws}}`;
          const expected = values.map(({ text, value }) =>
            typeof value === 'bigint' ? (Number.isSafeInteger(Number(text)) ? Number(text) : text) : value,
          );
          expect(parseJsonLine(line)).toEqual({ v: expected });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a top-level big integer, and invalid JSON with long digit runs, as before', () => {
    expect(parseJsonLine(' 12345678901234567890')).toBe('12345678901234567890');
    expect(() => parseJsonLine('{"a":"1234567890123456"')).toThrow(SyntaxError);
    expect(() => parseJsonLine('{x" "12345678901234567890"}')).toThrow(SyntaxError);
  });
});
