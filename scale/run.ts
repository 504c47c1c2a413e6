/**
 * `npm run scale -- [--accounts N] [--regions M]`: synthesizes the app for M governed regions
 * and simulates the daily sweep over N accounts in simulated time, then prints the report.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../contracts/config';
import { synthesizeToCdkOut } from '../local/emulated-org';
import { formatReport } from './report';
import { simulateSweep } from './simulate';

/** 17 commercial regions that are enabled by default (no opt-in), home region first. */
export const seventeenRegions = [
  'eu-west-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'eu-central-1',
  'eu-west-2',
  'eu-west-3',
  'eu-north-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'sa-east-1',
];

function option(flag: string, fallback: number): number {
  const i = process.argv.indexOf(flag);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer`);
  return n;
}

async function main() {
  const accounts = option('--accounts', 1000);
  const regionCount = option('--regions', 17);
  if (regionCount > seventeenRegions.length) throw new Error(`--regions: at most ${seventeenRegions.length}`);
  const raw = JSON.parse(readFileSync(path.join(__dirname, '..', 'logwarden.config.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const regions = seventeenRegions.slice(0, regionCount);
  const config = parseConfig({ ...raw, homeRegion: regions[0], governedRegions: regions });
  const started = Date.now();
  const { controlPlane } = synthesizeToCdkOut(config);
  const report = await simulateSweep({
    template: controlPlane,
    homeRegion: config.homeRegion,
    securityToolingAccount: config.accounts.securityTooling,
    managementAccount: config.accounts.management,
    accounts,
    regions,
  });
  console.log(formatReport(report));
  console.log(
    `(simulated in ${((Date.now() - started) / 1000).toFixed(0)} s of wall time, synthesis included)`,
  );
}

main().catch((err) => {
  console.error(`scale: ${(err as Error).message}`);
  process.exitCode = 1;
});
