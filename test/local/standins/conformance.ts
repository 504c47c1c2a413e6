/**
 * Conformance tests (issue 22): each behaviour the stand-ins emulate beyond moto, with the AWS
 * text it rests on and both of its sides, what AWS refuses (or does not do) and what it accepts
 * (or does). `conformance-guard.test.ts` finds them by their operation (`logs:PutAccountPolicy`,
 * named as the counting proxy names calls) and fails when an operation logwarden calls, whose
 * handling the extension changes, has none.
 *
 * Where AWS documents nothing, the source says so ("AWS documents nothing: ...") and the test
 * holds the stricter answer.
 */

export interface ConformanceCase {
  /** The behaviour, in a few words. */
  behaviour: string;
  /**
   * The sentence or model field it rests on: a guide page and heading, an API Reference
   * operation, or `Shape.member` of the botocore model, quoted.
   */
  source: string;
  /** What AWS refuses (or does not do), and the check that the stand-in refuses it too. */
  refuses: [string, () => Promise<void>];
  /** What AWS accepts (or does), and the check that the stand-in does it too. */
  accepts: [string, () => Promise<void>];
}

const operationName = /^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/;

/**
 * Two tests, run in order: the refusal, then the acceptance (which may build on the state the
 * refusal left). The operation is written as a string literal in the call, so the guard can read
 * it from the source.
 */
export function conformance(operation: string, c: ConformanceCase): void {
  if (!operationName.test(operation)) throw new Error(`conformance: ${operation} is not service:Operation`);
  if (c.source.trim().length < 20)
    throw new Error(`conformance ${operation}: quote the AWS text it rests on`);
  describe(`${operation}: ${c.behaviour}`, () => {
    it(`refuses ${c.refuses[0]} (${c.source})`, c.refuses[1]);
    it(`accepts ${c.accepts[0]}`, c.accepts[1]);
  });
}

/** The operations of every `conformance('...')` in a test file's text. */
export function conformanceOperations(text: string): string[] {
  return [...text.matchAll(/conformance\(\s*'([a-z0-9-]+:[A-Za-z0-9]+)'/g)].map((m) => m[1]);
}
