/**
 * cover-account's state stays under Step Functions' 256 KiB when every region fails many cells:
 * "Maximum input or output size for a task, state, or execution: 256 KiB of data as a UTF-8
 * encoded string" (Step Functions Developer Guide, "Step Functions service quotas"); past it the
 * execution fails with States.DataLimitExceeded, which "can't be caught by the States.ALL error
 * type" ("Handling errors in Step Functions workflows"). Executed with aws-local-stepfunctions.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { aslFromTemplate, runLocally } from '../../local/asl';
import { FAILED_CELLS_PER_REGION } from '../../workflows/cover-account';
import { buildExample, exampleConfig } from '../stacks/example-app';

const LIMIT = 256 * 1024;
const config = exampleConfig();
const definition = aslFromTemplate(
  Template.fromStack(buildExample(config).controlPlane).toJSON() as never,
  'logwarden-cover-account',
  config.homeRegion,
  config.accounts.securityTooling,
);
const regions = Array.from({ length: 17 }, (_, i) => `xx-region-${i + 1}`);
/** What a region's summary carries at most: 20 failed cells, each with a 1,000-character reason. */
const failedCells = (region: string) =>
  Array.from({ length: 20 }, (_, i) => ({
    control: 'flow-logs',
    account: '444444444444',
    region,
    status: 'failed',
    reason: `vpc-${i} `.padEnd(1_000, 'x'),
  }));

it('17 regions of 20 failed cells each: the run succeeds, each region carries its first cells, the summary is under 256 KiB', async () => {
  let summaryBytes = 0;
  let carried: { failed: unknown[] }[] = [];
  const run = await runLocally(
    definition,
    { account: '444444444444', trigger: 'test' },
    {
      ListRegions: () => ({ account: '444444444444', regions }),
      CoverRegion: (params: unknown) => {
        const region = (params as { Input: { region: string } }).Input.region;
        return { Output: { counts: { failed: 20, covered: 0 }, failed: failedCells(region) } };
      },
      Summarize: (input: unknown) => {
        summaryBytes = Buffer.byteLength(JSON.stringify(input));
        carried = (input as { results: { failed: unknown[] }[] }).results;
        return { counts: {}, failed: [] };
      },
    },
    { executionName: 'many-failed' },
  );
  expect(run.output).toBeDefined();
  expect(carried).toHaveLength(17);
  for (const r of carried) expect(r.failed).toHaveLength(FAILED_CELLS_PER_REGION);
  expect(summaryBytes).toBeGreaterThan(0);
  expect(summaryBytes).toBeLessThanOrEqual(LIMIT);
  // All of them would not have fitted: 17 × 20 cells of about 1 KB.
  expect(Buffer.byteLength(JSON.stringify(regions.map(failedCells)))).toBeGreaterThan(LIMIT);
});
