/**
 * `logwarden preflight` on the strict stand-ins, as preflight.e2e, for the prerequisites each
 * account and Region needs of itself (GuardDuty's administrator and detectors, the silent-accounts
 * policy, the break-glass role, CDK bootstrap): with one left out, exactly that one is reported
 * missing, with its fix, together with the steps AWS refuses without it (`requires`).
 */
import { prerequisites } from '../../contracts/prerequisites';
import { e2eConfig } from '../../local/emulated-org';
import { startMoto, type Moto } from '../../local/moto';
import { expectGivenByItsGiver, expectOnlyItMissing, leftOutAlone, ofAccounts } from './preflight-world';

let moto: Moto;

beforeAll(async () => {
  moto = await startMoto();
}, 60_000);

afterAll(() => moto?.stop());

describe('logwarden preflight on the stand-ins: what each account and Region needs', () => {
  it.each(
    prerequisites(e2eConfig)
      .map((p) => p.id)
      .filter(ofAccounts)
      .filter(leftOutAlone),
  )(
    'with %s left out, exactly it (and what AWS refuses without it) is missing',
    (id) => expectOnlyItMissing(moto, id),
    120_000,
  );

  // The designation "enables GuardDuty for the delegated GuardDuty administrator account ... in
  // the current Region" (GuardDuty User Guide, "Permissions required to designate a delegated
  // GuardDuty administrator account"): its detector needs no step of its own.
  it.each(
    prerequisites(e2eConfig)
      .map((p) => p.id)
      .filter((id) => !leftOutAlone(id)),
  )(
    'with %s left out, the step that gives it still does: every prerequisite is met',
    (id) => expectGivenByItsGiver(moto, id),
    120_000,
  );
});
