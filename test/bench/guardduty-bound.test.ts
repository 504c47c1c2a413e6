/**
 * The bound of GuardDuty findings (bench/guardduty-bound.ts) must write what it claims: valid
 * OCSF 1.1.0 Detection Findings that keep their line and carry the product's own content key as
 * `metadata.uid` (the decided guarantee, functions/shared/ocsf/guardduty.ts), else it would not
 * bound a writer of the product's documents. The product's uid is taken from the product's own
 * path for a log event (`normalizeLogEvent`, the benchmark's trust table), not recomputed here.
 */
import fc from 'fast-check';
import { guardDutyBoundWriter } from '../../bench/guardduty-bound';
import { benchTrust } from '../../bench/bench-trust';
import { benchSources } from '../../bench/sources';
import type { CwlLogEvent } from '../../functions/shared/cwl-payload';
import { FlowLogFormatRegistry } from '../../functions/shared/flow-log-formats';
import { normalizeLogEvent } from '../../functions/shared/normalize';
import { OcsfValidator } from '../ocsf/validator';

const validator = OcsfValidator.load();
const [guardDuty] = benchSources().filter((s) => s.guardDuty);
const formats = new FlowLogFormatRegistry();
const trust = benchTrust();
const eventId = (i: number) => `3800000000000000000000000000000000000000000000000000000${i}`;

/** The metadata.uid logwarden's transform gives this log event of the GuardDuty findings group. */
function productUid(event: CwlLogEvent): unknown {
  const payload = {
    messageType: 'DATA_MESSAGE' as const,
    owner: guardDuty.owner,
    logGroup: guardDuty.logGroup,
    logStream: 'findings',
    subscriptionFilters: ['logwarden'],
    logEvents: [event],
  };
  const doc = normalizeLogEvent(payload, event, formats, trust);
  expect(doc.class_uid).toBe(2004);
  return doc.metadata.uid;
}

interface BoundDocument extends Record<string, unknown> {
  metadata: Record<string, unknown>;
  finding_info: Record<string, unknown>;
}

describe('the GuardDuty bound writes valid, lossless OCSF 1.1.0 documents with the product key', () => {
  it('has the GuardDuty findings of the benchmark', () => {
    expect(guardDuty?.name).toBe('GuardDuty');
    expect(benchSources().filter((s) => s.guardDuty)).toHaveLength(1);
    expect(guardDuty.messages.length).toBeGreaterThan(0);
  });

  for (const search of [false, true])
    it(`${search ? 'with search fields' : 'required only'}: every corpus finding`, () => {
      const write = guardDutyBoundWriter(search);
      const uids = new Set<unknown>();
      for (const [i, line] of guardDuty.messages.entries()) {
        const event = { id: eventId(i), timestamp: 1732800000000 + i, message: line };
        const doc = JSON.parse(write(event)) as BoundDocument;
        // The OCSF server's checks, strict: required attributes, types, enums, profiles, constraints.
        expect({ line, ...validator.validate(doc) }).toEqual({ line, errors: [], warnings: [] });
        expect(doc.raw_data).toBe(line);
        expect(doc.metadata.uid).toBe(productUid(event));
        // The content key, not the log event's id: every corpus finding has an id.
        expect(doc.metadata.uid).not.toBe(event.id);
        uids.add(doc.metadata.uid);
        const finding = (JSON.parse(line) as { detail: Record<string, unknown> }).detail;
        if (!search) {
          expect(doc.metadata.profiles).toBeUndefined();
          expect(doc.cloud).toBeUndefined();
          continue;
        }
        expect(doc.finding_info).toEqual({ uid: finding.arn, title: finding.title });
        expect(doc.cloud).toEqual({ provider: 'AWS', account: { uid: finding.accountId } });
        expect(doc.metadata.profiles).toEqual(['cloud']);
      }
      // The corpus's six versions of one finding id and time that differ in content (issue 21 §28)
      // are told apart by the key, as the product's documents are.
      expect(uids.size).toBe(new Set(guardDuty.messages).size);
    });

  it('any finding with GuardDuty’s required fields and any other content: valid, kept, the product key', () => {
    // Numbers within the exact range: for an integer past 2^53 the product keeps its digits
    // (parseJsonLine), which the bound's plain JSON.parse does not (bench/guardduty-bound.ts).
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.string({ unit: 'binary', maxLength: 20 }),
        fc.integer(),
        fc.double({ min: -1e15, max: 1e15, noNaN: true }),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.string({ maxLength: 10 }), tie('value'), { maxKeys: 5 }),
      ),
    })).value;
    const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });
    const finding = fc
      .tuple(
        fc.dictionary(fc.string({ maxLength: 10 }), json, { maxKeys: 6 }),
        fc.record({
          id: text,
          updatedAt: text,
          arn: text,
          title: text,
          accountId: text,
          severity: fc.oneof(fc.integer({ min: 0, max: 10 }), fc.double({ min: 0, max: 10, noNaN: true })),
        }),
      )
      .map(([rest, required]) => ({ ...rest, ...required }));
    fc.assert(
      fc.property(finding, fc.boolean(), (detail, search) => {
        const line = JSON.stringify({
          version: '0',
          id: 'e5f2c2f6-0000-0000-0000-000000000000',
          'detail-type': 'GuardDuty Finding',
          source: 'aws.guardduty',
          account: guardDuty.owner,
          region: 'us-east-1',
          detail,
        });
        const event = { id: eventId(0), timestamp: 1732800000000, message: line };
        const doc = JSON.parse(guardDutyBoundWriter(search)(event)) as BoundDocument;
        expect(validator.validate(doc)).toEqual({ errors: [], warnings: [] });
        expect(doc.raw_data).toBe(line);
        expect(doc.metadata.uid).toBe(productUid(event));
        if (search) expect(doc.finding_info).toEqual({ uid: detail.arn, title: detail.title });
      }),
      { numRuns: 300 },
    );
  });
});
