/**
 * The GuardDuty content key's canonical JSON (`canonicalJson`, functions/shared/ocsf/guardduty.ts)
 * is the plain recursive definition: every object's keys sorted (the default sort, by UTF-16 code
 * units), every scalar as `JSON.stringify` writes it. The fast paths (strings quoted without
 * `JSON.stringify` when nothing needs escaping, keys already in order not sorted again) must not
 * change one byte of it, or every GuardDuty document's `metadata.uid` would change.
 */
import fc from 'fast-check';
import { canonicalJson } from '../../../functions/shared/ocsf/guardduty';

/** The definition, written as plainly as possible. */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${reference((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** Strings of any UTF-16 units: quotes, backslashes, controls, lone and paired surrogates, U+2028. */
const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({
    unit: fc.constantFrom('"', '\\', '\u0000', '\u001f', '\u007f', '\u2028', '\ud800', '\udc00', 'a'),
    maxLength: 8,
  }),
);

const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    anyString,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(anyString, tie('value'), { maxKeys: 6 }),
  ),
})).value;

describe('GuardDuty content key: canonical JSON', () => {
  it('is the plain definition for any JSON value, keys of any characters included', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the same text whatever order the keys were written in', () => {
    fc.assert(
      fc.property(fc.dictionary(anyString, json, { maxKeys: 8 }), (object) => {
        const reversed = Object.fromEntries(Object.entries(object).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(object));
      }),
    );
  });

  it('parses back to the same value (it is JSON)', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});
