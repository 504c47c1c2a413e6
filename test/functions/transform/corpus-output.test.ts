/**
 * The transform's answer for the whole corpus is byte for byte what it was when
 * corpus-output.sha256.json was written (2026-12-06, before the speed work of issue 26 on
 * GuardDuty, JSON and text lines, which changed no byte): a change made for speed cannot change a
 * document unnoticed. A change meant to change documents updates the file with the digests this
 * test prints, after reading the documents' diff (corpus-validity.test.ts keeps them valid).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { corpusOutputs } from './corpus-output';

const pinned = JSON.parse(readFileSync(path.join(__dirname, 'corpus-output.sha256.json'), 'utf8')) as Record<
  string,
  string
>;

describe('the transform on the whole corpus', () => {
  it('answers the same bytes for every corpus payload and event', async () => {
    const outputs = await corpusOutputs();
    expect(outputs.reduce((n, o) => n + o.ndjson.split('\n').length, 0)).toBeGreaterThan(17000);
    const digests = Object.fromEntries(
      outputs.map((o) => [o.name, createHash('sha256').update(o.ndjson).digest('hex')]),
    );
    const changed = Object.keys({ ...pinned, ...digests }).filter((name) => pinned[name] !== digests[name]);
    if (changed.length) console.log(`corpus outputs now:\n${JSON.stringify(digests, null, 2)}`);
    expect(changed).toEqual([]);
  });
});
