/**
 * Flow records written as JSON text straight from their fields (`writeNetworkActivity`, used by
 * `forEachDocumentText`) give the very text the object path gives (`serializeDocument` of
 * `normalizeLogEvent`), for arbitrary lines of every format: the two registered ones (AWS's
 * default v2, logwarden's own) and any configured one. So the documents stay what they were:
 * valid OCSF 1.1.0 (checked here on the written text, parsed) and lossless (`raw_data` is the line).
 */
import fc from 'fast-check';
import { TrustTable } from '../../../contracts/trusted-sources';
import {
  defaultV2Format,
  FlowLogFormatRegistry,
  flowLogGroupFor,
  knownFlowLogFields,
  logFormatString,
  logwardenFormat,
  type FlowLogFormat,
} from '../../../functions/shared/flow-log-formats';
import {
  forEachDocumentText,
  normalizeLogEvent,
  serializeDocument,
  type WrittenDocument,
} from '../../../functions/shared/normalize';
import { splitFlowLogLine, writeNetworkActivity } from '../../../functions/shared/ocsf/flow-log';
import { cwlPayload } from '../../../local/corpus';
import { OcsfValidator } from '../../ocsf/validator';

const OWNER = '123456789012';
const validator = OcsfValidator.load();
const registry = new FlowLogFormatRegistry([logwardenFormat, defaultV2Format]);

/** Field values as flow logs write them, and values no flow log writes. */
const value = fc.oneof(
  fc.constant('-'),
  fc.ipV4(),
  fc.ipV6(),
  fc.constantFrom('ACCEPT', 'REJECT', 'OK', 'NODATA', 'SKIPDATA', 'ingress', 'egress', 'unknown', OWNER),
  fc.constantFrom('0', '1', '2', '3', '5', '6', '8', '9', '17', '58', '65535', '65536', '-1', '1.5', '1e3'),
  fc.nat().map(String),
  fc.constantFrom('1418530010', '99999999999999', '253402300800', '9007199254740993'),
  fc.constantFrom('eni-1235b8ca123456789', 'vpc-0a1b', 'subnet-1', 'i-01', 'use1-az1', 'eu-west-1', 'S3'),
  fc.constantFrom('__proto__', 'constructor', '"', '\\', '\u2028', '\ud800', 'é', '{}', '0x10'),
  fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/\s/.test(s)),
);

const lineOf = (format: FlowLogFormat) =>
  fc
    .array(value, { minLength: format.fields.length, maxLength: format.fields.length })
    .map((v) => v.join(' '));

/** The texts both paths give for a payload of these lines. */
function bothPaths(lines: string[], logGroup: string, trust: TrustTable) {
  const payload = cwlPayload(lines, { logGroup, owner: OWNER });
  const direct: string[] = [];
  const kinds: WrittenDocument['kind'][] = [];
  forEachDocumentText(payload, registry, trust, (w) => {
    direct.push(w.text);
    kinds.push(w.kind);
  });
  const viaObjects = payload.logEvents.map((e) =>
    serializeDocument(payload, e, normalizeLogEvent(payload, e, registry, trust)),
  );
  return { direct, viaObjects, kinds };
}

function expectSameAndLossless(lines: string[], logGroup: string, trust: TrustTable) {
  const { direct, viaObjects } = bothPaths(lines, logGroup, trust);
  expect(direct).toEqual(viaObjects);
  direct.forEach((text, i) => expect(JSON.parse(text).raw_data).toBe(lines[i]));
}

describe('flow records written straight from their fields', () => {
  const none = new TrustTable([]);

  it.each([logwardenFormat, defaultV2Format])(
    'registered format $id: the same text as the object path, the line kept whole',
    (format) => {
      // The registry's own groups: records about the owner's account (or no account).
      fc.assert(
        fc.property(fc.array(lineOf(format), { minLength: 1, maxLength: 8 }), (lines) =>
          expectSameAndLossless(lines, flowLogGroupFor(format), none),
        ),
        { numRuns: 400 },
      );
    },
  );

  it('any configured format (fields in any order, repeated too): the same text, lossless', () => {
    const formatArb = fc
      .array(fc.constantFrom(...knownFlowLogFields), { minLength: 1, maxLength: 40 })
      .map((fields) => ({ id: 'configured', fields }));
    fc.assert(
      fc.property(
        formatArb.chain((format) =>
          fc.tuple(fc.constant(format), fc.array(lineOf(format), { minLength: 1, maxLength: 4 })),
        ),
        ([format, lines]) => {
          const trust = new TrustTable([
            { kind: 'vpcflow', logGroup: 'vpc-flows', owner: OWNER, format: logFormatString(format) },
          ]);
          expectSameAndLossless(lines, 'vpc-flows', trust);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('written documents are valid OCSF 1.1.0 (strict)', () => {
    fc.assert(
      fc.property(fc.array(lineOf(logwardenFormat), { minLength: 1, maxLength: 4 }), (lines) => {
        const { direct } = bothPaths(lines, flowLogGroupFor(logwardenFormat), none);
        for (const text of direct) {
          const { errors } = validator.validate(JSON.parse(text));
          expect(errors.map((e) => `${e.type} ${e.path}: ${e.message}`)).toEqual([]);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a flow of traffic is written as text, not built as an object (what makes it fast)', () => {
    const line =
      '2 123456789012 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
    const payload = cwlPayload([line], { owner: OWNER });
    const into = { time: 0 };
    const text = writeNetworkActivity(
      { payload, event: payload.logEvents[0], region: 'eu-west-1' },
      defaultV2Format,
      splitFlowLogLine(line),
      into,
    );
    expect(text).toBeDefined();
    expect(into.time).toBe(1418530010000);
    expect(JSON.parse(text as string)).toMatchObject({ class_uid: 4001, activity_id: 6, raw_data: line });
  });
});
