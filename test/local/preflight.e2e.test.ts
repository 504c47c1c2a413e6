/**
 * `logwarden preflight` against the strict stand-ins (moto with logwarden's extension, IAM
 * enforced), with the organization's prerequisites taken by their own fix commands
 * (contracts/prerequisites.ts, local/scenario/prerequisites.ts): before any is taken every one is
 * missing, after all of them every one is met, and with one left out exactly that one is reported
 * missing, with its fix, together with the steps AWS refuses without it (`requires`).
 */
import { environmentChecks, prerequisites } from '../../contracts/prerequisites';
import { parseConfig, type LogwardenConfig } from '../../contracts/config';
import {
  actAsAdministrator,
  credentialsOf,
  e2eConfig,
  organizationAccessRole,
} from '../../local/emulated-org';
import { startMoto, type Moto } from '../../local/moto';
import { preflightFindings } from '../../local/scenario/preflight';
import { createOrganization, establishPrerequisites, skippedWith } from '../../local/scenario/prerequisites';

let moto: Moto;

beforeAll(async () => {
  moto = await startMoto();
}, 60_000);

afterAll(() => moto?.stop());

/** A fresh organization on the stand-ins, consolidated billing only, with the three accounts. */
async function freshOrganization(): Promise<{
  config: LogwardenConfig;
  take: (skip?: string[]) => Promise<void>;
}> {
  const reset = await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
  expect(reset.ok).toBe(true);
  const { management, logArchive, securityTooling } = e2eConfig.accounts;
  const administrator = await actAsAdministrator(moto.endpoint, e2eConfig);
  const admin = async (account: string) =>
    account === management ? administrator : credentialsOf(account, organizationAccessRole);
  const organizationId = await createOrganization({ management, admin }, moto.endpoint, [
    logArchive,
    securityTooling,
  ]);
  const config = parseConfig({ ...JSON.parse(JSON.stringify(e2eConfig)), organizationId });
  const people = { config, management, logArchive, securityTooling, regions: config.governedRegions, admin };
  return { config, take: async (skip = []) => void (await establishPrerequisites(people, skip)) };
}

const byStatus = (findings: { id: string; status: string }[], status: string) =>
  findings.filter((f) => f.status === status).map((f) => f.id);

describe('logwarden preflight on the stand-ins', () => {
  it('before the prerequisites every one is missing, with its fix; after them every one is met', async () => {
    const { config, take } = await freshOrganization();
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

  it.each(prerequisites(e2eConfig).map((p) => p.id))(
    'with %s left out, exactly it (and what AWS refuses without it) is missing',
    async (id) => {
      const { config, take } = await freshOrganization();
      await take([id]);
      const { code, findings } = await preflightFindings(config);
      const expected = [...skippedWith(prerequisites(config), [id])];
      expect(byStatus(findings, 'missing')).toEqual(
        prerequisites(config)
          .map((p) => p.id)
          .filter((p) => expected.includes(p)),
      );
      expect(byStatus(findings, 'unknown')).toEqual([]);
      expect(findings.find((f) => f.id === id)?.fix).toEqual(
        prerequisites(config).find((p) => p.id === id)?.fix,
      );
      expect(code).toBe(1);
    },
    120_000,
  );
});
