/**
 * The regression guard of issue 22: no operation logwarden or its tests call on the stand-ins
 * goes without a conformance test.
 *
 * - Every called operation (found from the SDK commands under functions/, cli/, local/ and
 *   test/local/ and the AWS CLI commands the local run sends, named as the counting proxy names
 *   calls) has a request its model accepts, which
 *   model.test.ts sends, and mutates into every refusal the model implies (the other half of the
 *   guard: a request the botocore model refuses must be refused).
 * - Every called operation whose moto handler logwarden's extension replaces or adds (the
 *   launcher's `--extended-operations`) has a conformance test (conformance.ts) that
 *   quotes the AWS text it rests on, with both sides (conformance.ts).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { conformanceOperations } from './conformance';
import { calledOperations, model, validRequests } from './operations';

const root = path.resolve(__dirname, '..', '..', '..');
const called = calledOperations();

function extendedOperations(): string[] {
  const out = execFileSync(
    path.join(root, '.venv', 'bin', 'python'),
    [path.join(root, 'local', 'standins', 'server.py'), '--extended-operations'],
    { encoding: 'utf8' },
  );
  return JSON.parse(out) as string[];
}

/** Operation → the test files with a conformance test for it. */
function conformanceTests(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of readdirSync(__dirname).filter((f) => f.endsWith('.test.ts')))
    for (const op of conformanceOperations(readFileSync(path.join(__dirname, file), 'utf8')))
      found.set(op, [...(found.get(op) ?? []), file]);
  return found;
}

describe('every stand-in operation logwarden calls has a conformance test', () => {
  it('finds the calls, as the counting proxy names them', () => {
    const keys = called.map((c) => c.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        'logs:PutAccountPolicy',
        'ec2:CreateFlowLogs',
        'cloudtrail:StartLogging',
        'guardduty:CreateMembers',
        'account:ListRegions',
        'states:StartExecution',
        'events:PutRule',
      ]),
    );
    const fromProduction = calledOperations(['functions'], []).map((c) => c.key);
    expect(fromProduction.length).toBeGreaterThan(30);
    expect(keys).toEqual(expect.arrayContaining(fromProduction));
  });

  it('each called operation has a request its model accepts, which the model test sends and mutates', () => {
    expect(called.filter((c) => !(c.key in validRequests)).map((c) => `${c.key} (${c.callers[0]})`)).toEqual(
      [],
    );
  });

  it("each called operation the extension handles has a conformance test quoting AWS's text", () => {
    const tests = conformanceTests();
    const extended = new Set(extendedOperations());
    expect(extended.size).toBeGreaterThan(20);
    const missing = called.filter((c) => extended.has(c.key) && !tests.has(c.key)).map((c) => c.key);
    expect(missing).toEqual([]);
  }, 60_000);

  it('each conformance test names an operation of its model', () => {
    const unknown = [...conformanceTests().keys()].filter((key) => {
      const [signing, operation] = key.split(':');
      const c = called.find((o) => o.key.startsWith(`${signing}:`));
      return !c || !(operation in model(c.service).operations);
    });
    expect(unknown).toEqual([]);
  });
});
