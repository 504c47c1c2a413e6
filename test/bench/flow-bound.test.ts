/**
 * The bound of flow records (bench/flow-bound.ts) must write what it claims: valid OCSF 1.1.0
 * Network Activity documents that keep their line, else it would not bound a valid writer.
 */
import { boundFields, boundSearchFields, flowBoundWriter } from '../../bench/flow-bound';
import { benchSources } from '../../bench/sources';
import { OcsfValidator } from '../ocsf/validator';

const validator = OcsfValidator.load();
const flowSources = benchSources().filter((s) => s.flowFormat);

describe('the flow-record bound writes valid, lossless OCSF 1.1.0 documents', () => {
  it('has both flow formats of the benchmark', () => {
    expect(flowSources.map((s) => s.flowFormat!.id).sort()).toEqual(['aws-default-v2', 'lw-vpc-v8']);
  });

  for (const source of flowSources)
    for (const search of [false, true])
      it(`${source.name}${search ? ', with search fields' : ', required only'}: every complete line`, () => {
        const format = source.flowFormat!;
        const needed = [...boundFields, ...(search ? boundSearchFields : [])].map((f) =>
          format.fields.indexOf(f),
        );
        // A line with every field the document reads: the bound writes `-` as it is for the rest.
        const complete = source.messages.filter((m) => needed.every((i) => m.split(' ')[i] !== '-'));
        expect(complete.length).toBeGreaterThan(0);
        const write = flowBoundWriter(format, search);
        for (const [i, line] of complete.entries()) {
          const doc = JSON.parse(
            write(line, `3600000000000000000000000000000000000000000000000000000${i}`),
          ) as Record<string, unknown>;
          // The OCSF server's checks, strict: required attributes, types, enums, profiles, ip_t's regex.
          expect({ line, ...validator.validate(doc) }).toEqual({ line, errors: [], warnings: [] });
          expect(doc.raw_data).toBe(line);
          expect((doc.metadata as { profiles?: unknown }).profiles).toBeUndefined();
        }
      });
});
