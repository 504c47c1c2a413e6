/**
 * The monthly cost of `pipeline.regional` (docs/pipeline.md, "Residency") against the one central
 * pipeline, from the central estimate (scale/cost.ts) and the prices it already cites
 * (scale/prices.ts). What a pipeline has once, each regional pipeline has again: its stream's
 * stream-hours and its search domain (instances and gp3 volumes, each domain as the config sizes
 * it: contracts/config.ts pipelineSearchOf). What scales with the data does not change:
 * the same bytes are ingested, streamed, archived and indexed, only in more places. Data transfer
 * between Regions is left only for the regions of a group whose pipeline is in another region.
 */
import {
  pipelineSearchOf,
  searchSizeOf,
  type LogwardenConfig,
  type PipelineSearch,
} from '../contracts/config';
import { pipelineRegionOf, pipelinesOf } from '../contracts/pipelines';
import { searchDomainRows, type CostRow, type estimateMonthlyCost } from './cost';

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
  /** Every regional domain as the config sizes it (pipelineSearchOf): what is deployed. */
  regionalUsd: number;
  /** Each pipeline's domain and how it is sized. */
  domains: string[];
  /**
   * Every regional domain sized (contracts/search-sizing.ts) for an even share of the ingest, for
   * comparison. Undefined when the config gives no ingest figure.
   */
  evenShare?: { dataNodes: number; nodes: string; unpriced: string[]; usd: number; regionalUsd: number };
}

/**
 * The monthly rows of one search domain as SearchDomain builds it (stacks/central/search-domain.ts):
 * its data nodes and volumes, three dedicated masters when the config names a type, its UltraWarm
 * nodes; priced by scale/cost.ts searchDomainRows, as the central domain is.
 */
export function domainRows(
  config: LogwardenConfig,
  domain: Pick<PipelineSearch, 'dataNodes' | 'volumeGiB' | 'size'>,
): { rows: CostRow[]; unpriced: string[] } {
  const { instanceType, dedicatedMasterType } = config.openSearch;
  const warm = domain.size?.warm;
  return searchDomainRows({
    instanceType,
    dataNodes: domain.dataNodes,
    volumeGiB: domain.volumeGiB,
    masters: dedicatedMasterType ? { type: dedicatedMasterType, count: 3 } : undefined,
    warm: warm ? { type: warm.instanceType, count: warm.nodes } : undefined,
  });
}

/** One domain's nodes in a few words. */
function domainNodes(
  config: LogwardenConfig,
  domain: Pick<PipelineSearch, 'dataNodes' | 'volumeGiB' | 'size'>,
) {
  const master = config.openSearch.dedicatedMasterType;
  const warm = domain.size?.warm;
  return [
    `${domain.dataNodes} × ${config.openSearch.instanceType} (${domain.volumeGiB} GiB gp3 each)`,
    ...(master ? [`3 × ${master} masters`] : []),
    ...(warm ? [`${warm.nodes} × ${warm.instanceType}`] : []),
  ].join(', ');
}

/** The search domains of `pipelines` pipelines, each sized for 1/pipelines of the organization's ingest. */
export function evenShareSearch(config: LogwardenConfig, pipelines: number) {
  const whole = searchSizeOf(config);
  if (!whole) return undefined;
  const share = searchSizeOf({
    ...config,
    openSearch: { ...config.openSearch, dailyIngestGiB: whole.dailyIngestGiB / pipelines },
  })!;
  const domain = { dataNodes: share.dataNodes, volumeGiB: share.volumeGiB, size: share };
  const { rows, unpriced } = domainRows(config, domain);
  return {
    dataNodes: share.dataNodes,
    nodes: domainNodes(config, domain),
    unpriced,
    usd: rows.reduce((a, r) => a + r.usd, 0) * pipelines,
  };
}

/**
 * The search domains `regional` deploys, each pipeline's as contracts/config.ts
 * pipelineSearchOf sizes it: the rows of equal items summed over the pipelines.
 */
export function deployedSearch(regional: LogwardenConfig) {
  const byItem = new Map<string, CostRow & { pipelines: number }>();
  const unpriced = new Set<string>();
  const domains: string[] = [];
  for (const p of pipelinesOf(regional)) {
    const domain = pipelineSearchOf(regional, p.region);
    domains.push(`${p.region}: ${domainNodes(regional, domain)}, sized ${domain.sizedBy}`);
    const own = domainRows(regional, domain);
    own.unpriced.forEach((t) => unpriced.add(t));
    for (const r of own.rows) {
      const sum = byItem.get(r.item);
      byItem.set(
        r.item,
        sum
          ? {
              ...sum,
              quantity: sum.quantity + r.quantity,
              usd: sum.usd + r.usd,
              pipelines: sum.pipelines + 1,
            }
          : { ...r, pipelines: 1 },
      );
    }
  }
  const rows = [...byItem.values()].map(({ pipelines, ...r }) => ({
    ...r,
    item: `${r.item} × ${pipelines} pipeline${pipelines > 1 ? 's' : ''}`,
  }));
  if (unpriced.size) domains.push(`no price known for ${[...unpriced].join(', ')}: left out`);
  return { rows, domains, usd: rows.reduce((a, r) => a + r.usd, 0) };
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
    if (perPipeline(r) && !r.item.startsWith('OpenSearch '))
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
  // Each pipeline's domain as deployed, in place of the central domain.
  const deployed = deployedSearch(regional);
  rows.push(...deployed.rows);
  const changed = central.rows.filter((r) => perPipeline(r) || r.item.startsWith(betweenRegionsItem));
  const before = changed.reduce((a, r) => a + r.usd, 0);
  const after = rows.reduce((a, r) => a + r.usd, 0);
  const regionalUsd = central.totalUsd - before + after;
  const even = evenShareSearch(config, pipelines);
  return {
    pipelines,
    rows,
    centralUsd: central.totalUsd,
    regionalUsd,
    domains: deployed.domains,
    ...(even ? { evenShare: { ...even, regionalUsd: regionalUsd - deployed.usd + even.usd } } : {}),
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
    '  the search domains as deployed (contracts/config.ts pipelineSearchOf):',
    ...cost.domains.map((d) => `    ${d}`),
    `  total: central ${usd(cost.centralUsd)}, regional ${usd(cost.regionalUsd)} a month as deployed (${cost.regionalUsd >= cost.centralUsd ? '+' : ''}${usd(cost.regionalUsd - cost.centralUsd)})`,
    ...(cost.evenShare
      ? [
          `  for comparison, each domain sized for an even 1/${cost.pipelines} of the ingest (${cost.evenShare.nodes} per domain; contracts/search-sizing.ts${cost.evenShare.unpriced.length ? `; no price known for ${cost.evenShare.unpriced.join(', ')}: left out` : ''}): regional ${usd(cost.evenShare.regionalUsd)} a month`,
        ]
      : []),
    '  the other rows carry the same bytes in more places: ingestion, streaming, archive and Lambda do not change',
  ].join('\n');
}
