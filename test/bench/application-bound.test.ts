/**
 * The bound of application lines (bench/application-bound.ts) must write what it claims: valid
 * OCSF 1.1.0 Base Events that keep their line (and, with search, its searchable text or fields,
 * and where it came from), else it would not bound a valid writer.
 */
import fc from 'fast-check';
import { applicationBoundWriter } from '../../bench/application-bound';
import { benchSources } from '../../bench/sources';
import { OcsfValidator } from '../ocsf/validator';

const validator = OcsfValidator.load();
const applicationSources = benchSources().filter((s) => s.application);
const id = (i: number) => `3700000000000000000000000000000000000000000000000000000${i}`;

describe('the application-line bound writes valid, lossless OCSF 1.1.0 documents', () => {
  it('has both application shapes of the benchmark', () => {
    expect(applicationSources.map((s) => s.name).sort()).toEqual(['application JSON', 'plain text']);
  });

  for (const source of applicationSources)
    for (const search of [false, true])
      it(`${source.name}${search ? ', with search fields' : ', required only'}: every corpus line`, () => {
        expect(source.messages.length).toBeGreaterThan(0);
        const write = applicationBoundWriter(search);
        for (const [i, line] of source.messages.entries()) {
          const doc = JSON.parse(
            write({ id: id(i), timestamp: 1732800000000 + i, message: line }, source),
          ) as Record<string, unknown> & { metadata: Record<string, unknown> };
          // The OCSF server's checks, strict: required attributes, types, enums, profiles.
          expect({ line, ...validator.validate(doc) }).toEqual({ line, errors: [], warnings: [] });
          expect(doc.raw_data).toBe(line);
          expect(doc.metadata.uid).toBe(id(i));
          if (!search) {
            expect(doc.metadata.profiles).toBeUndefined();
            continue;
          }
          expect(doc.metadata.log_name).toBe(source.logGroup);
          expect(doc.cloud).toEqual({ provider: 'AWS', account: { uid: source.owner } });
          // Searchable: a JSON object line by its fields, a text line by its text.
          if (source.name === 'application JSON') {
            expect(doc.unmapped).toEqual(JSON.parse(line));
            expect(doc.message).toBeUndefined();
          } else expect(doc.message).toBe(line);
        }
      });

  it('any line, text or JSON, with any characters: valid and kept', () => {
    const line = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.dictionary(fc.string(), fc.jsonValue()).map((o) => JSON.stringify(o)),
    );
    fc.assert(
      fc.property(line, fc.boolean(), (message, search) => {
        const doc = JSON.parse(
          applicationBoundWriter(search)(
            { id: id(0), timestamp: 1732800000000, message },
            { owner: '123456789012', logGroup: '/aws/lambda/orders' },
          ),
        ) as Record<string, unknown>;
        expect(validator.validate(doc)).toEqual({ errors: [], warnings: [] });
        expect(doc.raw_data).toBe(message);
        if (search) expect(doc.message ?? doc.unmapped).toBeDefined();
      }),
      { numRuns: 500 },
    );
  });
});
