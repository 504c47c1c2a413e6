import fc from 'fast-check';
import { epochMs, isoTime } from '../../functions/shared/ocsf/document';
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

describe('epochMs', () => {
  const dateParse = (s: string): number | undefined => {
    const ms = Date.parse(s);
    return Number.isFinite(ms) ? ms : undefined;
  };
  const pad = (n: number, width: number) => String(n).padStart(width, '0');

  it('reads what Date.parse reads, in and around the digit-by-digit forms (out-of-range fields, days past the month end)', () => {
    fc.assert(
      fc.property(
        fc.tuple(
          fc.integer({ min: 0, max: 9999 }),
          fc.integer({ min: 0, max: 14 }),
          fc.integer({ min: 0, max: 33 }),
          fc.integer({ min: 0, max: 25 }),
          fc.integer({ min: 0, max: 61 }),
          fc.integer({ min: 0, max: 61 }),
          fc.integer({ min: 0, max: 999 }),
        ),
        fc.constantFrom('', '.', '.5', '.12', '.1234', 'z', ' '),
        ([y, mo, d, h, mi, sec, ms], variant) => {
          const base = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(sec, 2)}`;
          for (const text of [
            `${base}Z`,
            `${base}.${pad(ms, 3)}Z`,
            `${base}${variant}Z`,
            `${base}${variant}`,
          ]) {
            expect(epochMs(text)).toBe(dateParse(text));
          }
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('reads the other forms Date.parse reads, and nothing that is no time', () => {
    for (const text of [
      '2017-04-31T00:00:00Z',
      '0000-01-01T00:00:00Z',
      '2017-01-01T24:00:00Z',
      '2017-01-01t00:00:00Z',
      '+002017-01-01T00:00:00Z',
      '2017-01-01T00:00:00+02:00',
      '2017-01-01',
      'Tue, 31 Oct 2017 23:16:23 GMT',
      '2017-1a-01T00:00:00Z',
      '',
      'not a time',
    ])
      expect(epochMs(text)).toBe(dateParse(text));
    expect(epochMs(1509491783824)).toBeUndefined();
    expect(epochMs(undefined)).toBeUndefined();
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
