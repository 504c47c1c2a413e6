/**
 * The monthly cost of `pipeline.regional` (docs/pipeline.md, "Residency") against the one central
 * pipeline, from the central estimate (scale/cost.ts) and the prices it already cites
 * (scale/prices.ts). What a pipeline has once, each regional pipeline has again: its stream's
 * stream-hours and its search domain (instances and gp3 volumes, each domain sized as the config
 * says: one `openSearch` sizing for every pipeline). What scales with the data does not change:
 * the same bytes are ingested, streamed, archived and indexed, only in more places. Data transfer
 * between Regions is left only for the regions of a group whose pipeline is in another region.
 */
import { searchSizeOf, type LogwardenConfig } from '../contracts/config';
import { pipelineRegionOf, pipelinesOf } from '../contracts/pipelines';
import type { CostRow, estimateMonthlyCost } from './cost';
import { openSearchInstanceHour, prices } from './prices';

type Cost = ReturnType<typeof estimateMonthlyCost>;

/** The rows of the central estimate that every pipeline pays again, by the start of their item. */
export const perPipelineItems = ['Kinesis on-demand: stream-hours', 'OpenSearch '] as const;
/** Managed storage holds the data, which is split between the domains, not repeated. */
const dataProportionalItems = ['OpenSearch UltraWarm managed storage', 'OpenSearch cold storage'];
export const betweenRegionsItem = 'Data transfer between Regions';

const perPipeline = (r: CostRow) =>
  perPipelineItems.some((p) => r.item.startsWith(p)) &&
  !dataProportionalItems.some((p) => r.item.startsWith(p));

/** Governed regions whose logs are sent to a pipeline in another region. */
function sentAway(config: LogwardenConfig): number {
  return config.governedRegions.filter((r) => pipelineRegionOf(config, r) !== r).length;
}

export interface ResidencyCost {
  pipelines: number;
  rows: CostRow[];
  centralUsd: number;
  /** Every regional domain sized as the config says (for the whole organization): what is deployed. */
  regionalUsd: number;
  /**
   * Every regional domain sized (contracts/search-sizing.ts) for an even share of the ingest:
   * what the regional layout costs once each domain is sized for its region (not configurable
   * per pipeline yet). Undefined when the config gives the cluster by hand.
   */
  evenShare?: { dataNodes: number; nodes: string; unpriced: string[]; usd: number; regionalUsd: number };
}

const HOURS = 730;

/** The search domains of `pipelines` pipelines, each sized for 1/pipelines of the organization's ingest. */
export function evenShareSearch(config: LogwardenConfig, pipelines: number) {
  const whole = searchSizeOf(config);
  if (!whole) return undefined;
  const share = searchSizeOf({
    ...config,
    openSearch: { ...config.openSearch, dailyIngestGiB: whole.dailyIngestGiB / pipelines },
  })!;
  // A type without a known price is left out and named, as scale/cost.ts does.
  const unpriced: string[] = [];
  const hour = (type: string) => {
    const price = openSearchInstanceHour[type];
    if (!price) unpriced.push(type);
    return price?.usd ?? 0;
  };
  const master = config.openSearch.dedicatedMasterType;
  const perDomain =
    share.dataNodes * HOURS * hour(share.instanceType) +
    (master ? 3 * HOURS * hour(master) : 0) +
    share.dataNodes * share.volumeGiB * prices.openSearchGp3GbMonth.usd +
    (share.warm ? share.warm.nodes * HOURS * hour(share.warm.instanceType) : 0);
  const nodes = [
    `${share.dataNodes} × ${share.instanceType} (${share.volumeGiB} GiB gp3 each)`,
    ...(master ? [`3 × ${master} masters`] : []),
    ...(share.warm ? [`${share.warm.nodes} × ${share.warm.instanceType}`] : []),
  ];
  return { dataNodes: share.dataNodes, nodes: nodes.join(', '), unpriced, usd: perDomain * pipelines };
}

/**
 * The rows that differ between the central layout (`central`, estimated for `config`) and the
 * regional one (`regional`, the same config with `pipeline.regional` and any region groups).
 */
export function residencyCost(
  central: Cost,
  config: LogwardenConfig,
  regional: LogwardenConfig,
): ResidencyCost {
  if (config.pipeline.regional)
    throw new Error('residencyCost: the central estimate must be of the central layout');
  const pipelines = pipelinesOf(regional).length;
  const regions = config.governedRegions.length;
  const rows: CostRow[] = [];
  for (const r of central.rows) {
    if (perPipeline(r))
      rows.push({
        ...r,
        item: `${r.item} × ${pipelines} pipelines`,
        quantity: r.quantity * pipelines,
        usd: r.usd * pipelines,
      });
    else if (r.item.startsWith(betweenRegionsItem)) {
      // The central estimate sends (regions - 1) of `regions` regions' logs to the home region.
      const perRegion = regions > 1 ? r.quantity / (regions - 1) : 0;
      const away = sentAway(regional);
      rows.push({
        ...r,
        item: `${betweenRegionsItem} (${away} of ${regions} Regions to their group's pipeline)`,
        quantity: perRegion * away,
        usd: perRegion * away * r.price.usd,
      });
    }
  }
  const changed = central.rows.filter((r) => perPipeline(r) || r.item.startsWith(betweenRegionsItem));
  const before = changed.reduce((a, r) => a + r.usd, 0);
  const after = rows.reduce((a, r) => a + r.usd, 0);
  const regionalUsd = central.totalUsd - before + after;
  const even = evenShareSearch(config, pipelines);
  const searchRows = rows.filter((r) => r.item.startsWith('OpenSearch ')).reduce((a, r) => a + r.usd, 0);
  return {
    pipelines,
    rows,
    centralUsd: central.totalUsd,
    regionalUsd,
    ...(even ? { evenShare: { ...even, regionalUsd: regionalUsd - searchRows + even.usd } } : {}),
  };
}

export function formatResidency(cost: ResidencyCost): string {
  const usd = (x: number) =>
    `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  const q = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: x < 100 ? 1 : 0 });
  return [
    `pipeline.regional (docs/pipeline.md, "Residency"): ${cost.pipelines} pipelines instead of one; the rows that change:`,
    ...cost.rows.map(
      (r) =>
        `  ${r.item.padEnd(58)} ${q(r.quantity).padStart(16)} ${r.price.unit.padEnd(44).slice(0, 44)} ${usd(r.usd).padStart(12)}`,
    ),
    `  total: central ${usd(cost.centralUsd)}, regional ${usd(cost.regionalUsd)} a month (${cost.regionalUsd >= cost.centralUsd ? '+' : ''}${usd(cost.regionalUsd - cost.centralUsd)}), every regional search domain sized as openSearch says (for the whole organization)`,
    ...(cost.evenShare
      ? [
          `  with each domain sized for an even share of the ingest (${cost.evenShare.nodes} per domain; contracts/search-sizing.ts${cost.evenShare.unpriced.length ? `; no price known for ${cost.evenShare.unpriced.join(', ')}: left out` : ''}): search ${usd(cost.evenShare.usd)}, regional ${usd(cost.evenShare.regionalUsd)} a month (${usd(cost.evenShare.regionalUsd - cost.centralUsd)} more than central); openSearch sizes every pipeline alike, so size it for the largest region`,
        ]
      : []),
    '  the other rows carry the same bytes in more places: ingestion, streaming, archive and Lambda do not change',
  ].join('\n');
}
