/**
 * What both preflight end-to-end suites share (preflight.e2e: the organization's trusted access
 * and delegated administrators; preflight-accounts.e2e: what each account and Region needs). They
 * are two files so that jest's two workers run them side by side: each case builds a fresh
 * organization and takes every prerequisite but one, about half a minute each.
 */
import { prerequisites } from '../../contracts/prerequisites';
import { parseConfig, type LogwardenConfig } from '../../contracts/config';
import {
  actAsAdministrator,
  credentialsOf,
  e2eConfig,
  organizationAccessRole,
} from '../../local/emulated-org';
import type { Moto } from '../../local/moto';
import { preflightFindings } from '../../local/scenario/preflight';
import { createOrganization, establishPrerequisites, skippedWith } from '../../local/scenario/prerequisites';

/** A fresh organization on the stand-ins, consolidated billing only, with the three accounts. */
export async function freshOrganization(moto: Moto): Promise<{
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

export const byStatus = (findings: { id: string; status: string }[], status: string) =>
  findings.filter((f) => f.status === status).map((f) => f.id);

/** The prerequisites each account or Region needs of itself, rather than the organization of it. */
export const ofAccounts = (id: string) =>
  /^(guardduty-|silent-accounts-|break-glass-|cdk-bootstrap-)/.test(id);

/**
 * Steps an earlier step gives (`givenBy`: GuardDuty's designation creates the administrator's
 * detector) cannot be left out alone: left out, they are met all the same (givenByItsGiver).
 */
export const leftOutAlone = (id: string) => !prerequisites(e2eConfig).find((p) => p.id === id)?.givenBy;

/** With a `givenBy` step left out, its giver still gives it: every prerequisite is met. */
export async function expectGivenByItsGiver(moto: Moto, id: string) {
  const { config, take } = await freshOrganization(moto);
  await take([id]);
  const { code, findings } = await preflightFindings(config);
  expect(findings.filter((f) => f.status !== 'met')).toEqual([]);
  expect(findings.find((f) => f.id === id)?.status).toBe('met');
  expect(code).toBe(0);
}

/** With `id` left out, exactly it (and what AWS refuses without it) is missing, with its fix. */
export async function expectOnlyItMissing(moto: Moto, id: string) {
  const { config, take } = await freshOrganization(moto);
  await take([id]);
  const { code, findings } = await preflightFindings(config);
  const expected = [...skippedWith(prerequisites(config), [id])];
  expect(byStatus(findings, 'missing')).toEqual(
    prerequisites(config)
      .map((p) => p.id)
      .filter((p) => expected.includes(p)),
  );
  expect(byStatus(findings, 'unknown')).toEqual([]);
  expect(findings.find((f) => f.id === id)?.fix).toEqual(prerequisites(config).find((p) => p.id === id)?.fix);
  expect(code).toBe(1);
}
