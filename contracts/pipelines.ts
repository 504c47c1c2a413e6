/**
 * Where each governed region's logs are processed and kept (`pipeline.regional`,
 * docs/pipeline.md "Residency"). By default one central pipeline in the home region serves every
 * governed region. With `pipeline.regional` each governed region has a pipeline of its own, in
 * that region, or shares one with the other regions of its group (`pipeline.regionGroups`), in
 * the region the group lists first. Every layer asks these functions, never the config directly,
 * so the stacks, the control plane, the CLI, the SCP and the scale model agree.
 */
import type { LogwardenConfig } from './config';

type PipelineFields = Pick<LogwardenConfig, 'homeRegion' | 'governedRegions' | 'pipeline'>;

/** One central pipeline: the region it runs in and the governed regions whose logs it takes. */
export interface Pipeline {
  readonly region: string;
  readonly serves: readonly string[];
}

/** Every pipeline, the home region's first, then in the order of governedRegions. */
export function pipelinesOf(config: PipelineFields): Pipeline[] {
  if (!config.pipeline.regional) return [{ region: config.homeRegion, serves: [...config.governedRegions] }];
  const groups = Object.values(config.pipeline.regionGroups ?? {});
  const byRegion = new Map<string, string[]>();
  for (const region of config.governedRegions) {
    const group = groups.find((g) => g.includes(region));
    const at = group ? group[0] : region;
    byRegion.set(at, [...(byRegion.get(at) ?? []), region]);
  }
  const home = pipelineRegionOf(config, config.homeRegion);
  return [...byRegion]
    .map(([region, serves]) => ({ region, serves }))
    .sort((a, b) => Number(b.region === home) - Number(a.region === home));
}

/** The region of the pipeline that takes a governed region's logs. */
export function pipelineRegionOf(config: PipelineFields, governedRegion: string): string {
  if (!config.pipeline.regional) return config.homeRegion;
  const group = Object.values(config.pipeline.regionGroups ?? {}).find((g) => g.includes(governedRegion));
  return group ? group[0] : governedRegion;
}

/** The pipeline regions: where a LogwardenCentral stack is deployed. */
export function pipelineRegions(config: PipelineFields): string[] {
  return pipelinesOf(config).map((p) => p.region);
}

/**
 * The stack id of a region's pipeline. The home region's keeps `LogwardenCentral`, so turning
 * `pipeline.regional` on adds stacks and replaces nothing that is deployed.
 */
export function centralStackId(config: Pick<LogwardenConfig, 'homeRegion'>, region: string): string {
  return region === config.homeRegion ? 'LogwardenCentral' : `LogwardenCentral-${region}`;
}

/**
 * A name that is unique per account, not per region (an IAM role, a CloudWatch dashboard: "All
 * dashboards in your account are global, not region-specific", CloudFormation Template
 * Reference, AWS::CloudWatch::Dashboard), of the pipeline in `region`: the home region's keeps
 * the name it always had, the others carry their region.
 */
export function perAccountName(
  config: Pick<LogwardenConfig, 'homeRegion'>,
  base: string,
  region: string,
): string {
  return region === config.homeRegion ? base : `${base}-${region}`;
}

/**
 * The pipeline the trail's CloudWatch Logs group feeds. A multi-Region trail "delivers log files
 * to the same S3 bucket and CloudWatch Logs log group" for every Region (CloudTrail User Guide,
 * "Receiving CloudTrail log files from multiple Regions"): logwarden's group is in the home region
 * (contracts/names.ts trailLogGroupArn); an external trail's is wherever its owner put it.
 */
export function trailPipelineRegion(config: PipelineFields & Pick<LogwardenConfig, 'trail'>): string {
  const group = config.trail.mode === 'external' ? config.trail.cloudWatchLogsGroupArn : undefined;
  const groupRegion = group?.split(':')[3];
  return pipelineRegionOf(
    config,
    groupRegion && config.governedRegions.includes(groupRegion) ? groupRegion : config.homeRegion,
  );
}
