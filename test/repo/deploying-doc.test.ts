/**
 * docs/deploying.md's checklist and archive guard SCP are generated from contracts/ (the
 * prerequisites list, the SCP): the file must be what scripts/prerequisites-doc.ts writes.
 */
import { readFileSync } from 'node:fs';
import { deployingDoc, render } from '../../scripts/prerequisites-doc';
import { prerequisites } from '../../contracts/prerequisites';
import { exampleConfig } from '../stacks/example-app';

describe('docs/deploying.md', () => {
  it('holds the checklist and the SCP exactly as contracts/ generates them (npm run docs:prerequisites)', async () => {
    const doc = readFileSync(deployingDoc, 'utf8');
    expect(await render(doc)).toBe(doc);
  });

  it('names every kind of prerequisite, the Account delegated administrator included', () => {
    const doc = readFileSync(deployingDoc, 'utf8');
    const ids = new Set(
      prerequisites(exampleConfig()).map((p) => p.id.replace(/-(\d{12}-)?[a-z]{2}-[a-z]+-\d$/, '')),
    );
    for (const id of ids) expect(doc).toContain(`\`${id}`);
    expect(doc).toContain(
      'aws organizations register-delegated-administrator --account-id <securityTooling> --service-principal account.amazonaws.com',
    );
  });
});
