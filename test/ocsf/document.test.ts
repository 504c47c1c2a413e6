import fc from 'fast-check';
import { isoTime } from '../../functions/shared/ocsf/document';
import { splitFlowLogLine } from '../../functions/shared/ocsf/flow-log';

const YEAR_0 = -62167219200000; // 0000-01-01T00:00:00.000Z
const YEAR_9999_END = 253402300799999; // 9999-12-31T23:59:59.999Z

describe('isoTime (time_dt)', () => {
  it('writes exactly what Date.prototype.toISOString writes, over years 0000-9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: YEAR_0, max: YEAR_9999_END }), (ms) => {
        expect(isoTime(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it('stays right when consecutive times share a day (the cached day text)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4102444800000 }),
        fc.array(fc.integer({ min: -90_000_000, max: 90_000_000 }), { maxLength: 20 }),
        (base, offsets) => {
          for (const ms of [base, ...offsets.map((o) => base + o)]) {
            if (ms >= YEAR_0) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
          }
        },
      ),
    );
    for (const ms of [0, -1, 951782400000, 951868799999, 1709164800000, YEAR_0, YEAR_9999_END]) {
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('has no RFC 3339 form outside years 0000-9999, nor for what is not a time', () => {
    expect(isoTime(YEAR_0 - 1)).toBeUndefined();
    expect(isoTime(YEAR_9999_END + 1)).toBeUndefined();
    expect(isoTime(Number.NaN)).toBeUndefined();
    expect(isoTime(undefined)).toBeUndefined();
    expect(isoTime(1.5)).toBe(new Date(1.5).toISOString());
  });
});

describe('splitFlowLogLine', () => {
  it('splits as trim().split(/\\s+/) does, with or without runs of whitespace', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[!-~]{1,8}$/), { minLength: 1, maxLength: 20 }),
        fc.array(fc.constantFrom(' ', '  ', '\t', ' \u00a0', '\u2003'), { minLength: 20, maxLength: 20 }),
        (tokens, gaps) => {
          const line = ` ${tokens.map((t, i) => `${t}${gaps[i]}`).join('')}`;
          expect(splitFlowLogLine(line)).toEqual(line.trim().split(/\s+/));
        },
      ),
    );
  });
});
