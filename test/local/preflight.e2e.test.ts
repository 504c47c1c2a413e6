/**
 * `logwarden preflight` against the strict stand-ins (moto with logwarden's extension, IAM
 * enforced), with the organization's prerequisites taken by their own fix commands
 * (contracts/prerequisites.ts, local/scenario/prerequisites.ts): before any is taken every one is
 * missing, after all of them every one is met, and with one left out exactly that one is reported
 * missing, with its fix, together with the steps AWS refuses without it (`requires`).
 */
import { environmentChecks, prerequisites } from '../../contracts/prerequisites';
import { e2eConfig } from '../../local/emulated-org';
import { startMoto, type Moto } from '../../local/moto';
import { preflightFindings } from '../../local/scenario/preflight';
import { byStatus, expectOnlyItMissing, freshOrganization, ofAccounts } from './preflight-world';

let moto: Moto;

beforeAll(async () => {
  moto = await startMoto();
}, 60_000);

afterAll(() => moto?.stop());

describe('logwarden preflight on the stand-ins', () => {
  it('before the prerequisites every one is missing, with its fix; after them every one is met', async () => {
    const { config, take } = await freshOrganization(moto);
    const ids = prerequisites(config).map((p) => p.id);

    // What no step gives an account (the home region's zones) is met on the stand-in throughout.
    const environment = environmentChecks(config).map((p) => p.id);
    const before = await preflightFindings(config);
    expect(byStatus(before.findings, 'missing')).toEqual(ids);
    expect(byStatus(before.findings, 'met')).toEqual(environment);
    expect(before.code).toBe(1);
    for (const f of before.findings.filter((f) => f.status === 'missing'))
      expect(f.fix.length).toBeGreaterThan(0);

    await take();
    const after = await preflightFindings(config);
    expect(after.findings.filter((f) => f.status !== 'met')).toEqual([]);
    expect(byStatus(after.findings, 'met')).toEqual([...ids, ...environment]);
    expect(after.code).toBe(0);
  }, 120_000);

  it.each(
    prerequisites(e2eConfig)
      .map((p) => p.id)
      .filter((id) => !ofAccounts(id)),
  )(
    'with %s left out, exactly it (and what AWS refuses without it) is missing',
    (id) => expectOnlyItMissing(moto, id),
    120_000,
  );
});
