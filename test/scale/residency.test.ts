import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig, pipelineSearchOf, searchSizeOf } from '../../contracts/config';
import type { CfnTemplate } from '../../local/asl';
import { estimateMonthlyCost } from '../../scale/cost';
import { prices } from '../../scale/prices';
import {
  betweenRegionsItem,
  domainRows,
  evenShareSearch,
  formatResidency,
  perPipelineItems,
  residencyCost,
} from '../../scale/residency';
import { simulateSweep } from '../../scale/simulate';
import { buildExample, exampleConfigRaw } from '../stacks/example-app';

describe('the cost of pipeline.regional against the one central pipeline (issue 23 §6)', () => {
  const regions = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2'];
  const config = parseConfig({ ...exampleConfigRaw(), governedRegions: regions });
  const built = buildExample(config);
  const controlPlane = Template.fromStack(built.controlPlane).toJSON() as CfnTemplate;
  const central = Template.fromStack(built.central).toJSON() as CfnTemplate;
  const estimate = async () => {
    const report = await simulateSweep({
      template: controlPlane,
      homeRegion: config.homeRegion,
      securityToolingAccount: config.accounts.securityTooling,
      managementAccount: config.accounts.management,
      accounts: 4,
      regions,
    });
    return estimateMonthlyCost({ report, controlPlane, central, config, accounts: 4 });
  };

  it('every pipeline pays its stream-hours and search domain again; transfer between Regions is left only inside groups', async () => {
    const cost = await estimate();
    for (const item of [...perPipelineItems, betweenRegionsItem])
      expect(cost.rows.some((r) => r.item.startsWith(item))).toBe(true);
    const rowOf = (rows: typeof cost.rows, prefix: string) => rows.find((r) => r.item.startsWith(prefix))!;

    // A pipeline in each of the 4 regions: 4 streams, 4 domains, nothing sent to another Region.
    const own = residencyCost(cost, config, parseConfig({ ...config, pipeline: { regional: true } }));
    expect(own.pipelines).toBe(4);
    const streamHours = rowOf(cost.rows, 'Kinesis on-demand: stream-hours');
    expect(rowOf(own.rows, 'Kinesis on-demand: stream-hours').usd).toBeCloseTo(
      4 * 730 * prices.kinesisOnDemandStreamHour.usd,
    );
    expect(streamHours.usd).toBeCloseTo(730 * prices.kinesisOnDemandStreamHour.usd);
    const dataNodes = rowOf(cost.rows, 'OpenSearch 2 × r7g.large.search');
    expect(rowOf(own.rows, 'OpenSearch 2 × r7g.large.search').usd).toBeCloseTo(4 * dataNodes.usd);
    expect(rowOf(own.rows, betweenRegionsItem).usd).toBe(0);
    const transfer = rowOf(cost.rows, betweenRegionsItem).usd;
    expect(transfer).toBeGreaterThan(0);
    const repeated = cost.rows
      .filter((r) => perPipelineItems.some((p) => r.item.startsWith(p)))
      .reduce((a, r) => a + r.usd, 0);
    expect(own.regionalUsd).toBeCloseTo(cost.totalUsd + 3 * repeated - transfer);

    // Group `us` (us-east-1, us-west-2): 3 pipelines; us-west-2 still sends to us-east-1.
    const grouped = residencyCost(
      cost,
      config,
      parseConfig({
        ...config,
        pipeline: { regional: true, regionGroups: { us: ['us-east-1', 'us-west-2'] } },
      }),
    );
    expect(grouped.pipelines).toBe(3);
    expect(rowOf(grouped.rows, betweenRegionsItem).usd).toBeCloseTo(transfer / 3);
    expect(formatResidency(grouped)).toContain('3 pipelines instead of one');
    // The example config gives the cluster by hand: no sizing to share out.
    expect(own.evenShare).toBeUndefined();
  });

  it("sized from the ingest, each regional domain is priced as deployed, for its pipeline's share; sized alike, as deployed and an even share agree", async () => {
    const cost = await estimate();
    const openSearch: Record<string, unknown> = { ...config.openSearch, expectedAccounts: 1000 };
    delete openSearch.instanceCount;
    delete openSearch.volumeGiB;
    const sized = parseConfig({ ...config, openSearch });
    const regional = parseConfig({ ...sized, pipeline: { regional: true } });
    const r = residencyCost(cost, sized, regional);

    // As deployed: each pipeline's domain as pipelineSearchOf sizes it, for its share of the ingest.
    const searchUsd = (rows: typeof r.rows) =>
      rows.filter((x) => x.item.startsWith('OpenSearch ')).reduce((a, x) => a + x.usd, 0);
    const domains = regions.map((region) => pipelineSearchOf(regional, region));
    expect(searchUsd(r.rows)).toBeCloseTo(
      domains.reduce((a, d) => a + domainRows(regional, d).rows.reduce((b, x) => b + x.usd, 0), 0),
    );
    expect(r.domains).toHaveLength(4);
    expect(r.domains[0]).toMatch(/^eu-west-1: .*, sized for .* GiB a day, .* % of the organization's/);
    // Every domain sized for the whole organization, as before per-pipeline sizing, costs more.
    const whole = searchSizeOf(sized)!;
    const wholeUsd =
      4 *
      domainRows(sized, { dataNodes: whole.dataNodes, volumeGiB: whole.volumeGiB, size: whole }).rows.reduce(
        (a, x) => a + x.usd,
        0,
      );
    expect(searchUsd(r.rows)).toBeLessThan(wholeUsd);

    // Even shares for comparison: four domains of a quarter's size each.
    const share = searchSizeOf({
      ...sized,
      openSearch: { ...sized.openSearch, dailyIngestGiB: whole.dailyIngestGiB / 4 },
    })!;
    expect(r.evenShare!.dataNodes).toBe(share.dataNodes);
    expect(share.dataNodes).toBeLessThanOrEqual(whole.dataNodes);
    const one = evenShareSearch(sized, 1)!.usd;
    expect(r.evenShare!.usd).toBe(evenShareSearch(sized, 4)!.usd);
    expect(r.evenShare!.usd).toBeGreaterThan(one);
    expect(r.evenShare!.usd).toBeLessThanOrEqual(4 * one);
    expect(formatResidency(r)).toContain('for comparison, each domain sized for an even 1/4 of the ingest');

    // pipeline.openSearch giving each pipeline a quarter: as deployed is the even share.
    const quarter = Object.fromEntries(
      regions.map((region) => [region, { dailyIngestGiB: whole.dailyIngestGiB / 4 }]),
    );
    const even = residencyCost(
      cost,
      sized,
      parseConfig({ ...sized, pipeline: { regional: true, openSearch: quarter } }),
    );
    expect(even.regionalUsd).toBeCloseTo(r.evenShare!.regionalUsd);
    expect(even.domains[1]).toContain(`for pipeline.openSearch.eu-central-1.dailyIngestGiB`);
  });
});
