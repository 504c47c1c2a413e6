import ismPolicyJson from './ocsf-ism-policy.json';
import indexTemplateJson from './ocsf-index-template.json';
import type { OcsfDocument } from '../ocsf/document';
import { filingDay } from '../ingestion-window';

/**
 * The OpenSearch side of the OCSF documents. The template and ISM policy are JSON files so the
 * stack's custom resource, the tests and the local run install the very same ones.
 */
export const indexTemplateName = 'logwarden-ocsf';
export const ismPolicyId = 'logwarden-ocsf-retention';
export const indexPrefix = 'logwarden-ocsf-';
/** Documents whose event time is outside the ingestion window, one index per arrival day. */
export const quarantinePrefix = `${indexPrefix}quarantine-`;
export const indexTemplate = indexTemplateJson;

/**
 * The template with the primary shards of a daily index the sizing gives
 * (contracts/search-sizing.ts, `primaryShardsPerDailyIndex`); without it, the JSON file's 1.
 */
export function indexTemplateFor(primaryShards?: number): typeof indexTemplateJson {
  const template = structuredClone(indexTemplateJson);
  if (primaryShards === undefined) return template;
  if (!Number.isInteger(primaryShards) || primaryShards < 1)
    throw new Error(`primary shards of a daily index: ${primaryShards} is not a positive integer`);
  template.template.settings.index.number_of_shards = primaryShards;
  return template;
}

interface Mapping {
  type?: string;
  properties?: Record<string, Mapping>;
}

/** Paths of the template's `flat_object` fields (free-form data), e.g. `api.request.data`. */
export const flatObjectPaths: readonly string[][] = (() => {
  const out: string[][] = [];
  const walk = (props: Record<string, Mapping>, path: string[]) => {
    for (const [key, m] of Object.entries(props)) {
      if (m.type === 'flat_object') out.push([...path, key]);
      if (m.properties) walk(m.properties, [...path, key]);
    }
  };
  walk(indexTemplateJson.template.mappings.properties as Record<string, Mapping>, []);
  return out;
})();

export interface IsmTiers {
  hotDays: number;
  warmDays: number;
}

interface IsmState {
  name: string;
  actions: Record<string, unknown>[];
  transitions: { state_name: string; conditions: { min_index_age: string } }[];
}

/**
 * The ISM policy with the configured retention. With tiers: hot → warm (`warm_migration`) →
 * cold (`cold_migration` on the documents' `time`) → deleted from cold storage (`cold_delete`),
 * the actions Amazon OpenSearch Service adds to ISM (Developer Guide, "Index State Management",
 * the UltraWarm and cold storage sections); an open-source node has none of them.
 */
export function ismPolicy(retentionDays: number, tiers?: IsmTiers): typeof ismPolicyJson {
  const policy = structuredClone(ismPolicyJson);
  const hot = policy.policy.states.find((s) => s.name === 'hot');
  if (!hot) throw new Error('ocsf-ism-policy.json has no hot state');
  hot.transitions[0].conditions.min_index_age = `${retentionDays}d`;
  if (!tiers) return policy;
  const warmAt = Math.min(tiers.hotDays, retentionDays);
  const coldAt = Math.min(warmAt + tiers.warmDays, retentionDays);
  const states: IsmState[] = [
    {
      name: 'hot',
      actions: [],
      transitions: [{ state_name: 'warm', conditions: { min_index_age: `${warmAt}d` } }],
    },
    {
      name: 'warm',
      actions: [{ warm_migration: {} }],
      transitions: [
        coldAt < retentionDays
          ? { state_name: 'cold', conditions: { min_index_age: `${coldAt}d` } }
          : { state_name: 'delete', conditions: { min_index_age: `${retentionDays}d` } },
      ],
    },
    ...(coldAt < retentionDays
      ? [
          {
            name: 'cold',
            actions: [{ cold_migration: { timestamp_field: 'time' } }],
            transitions: [{ state_name: 'cold-delete', conditions: { min_index_age: `${retentionDays}d` } }],
          },
          { name: 'cold-delete', actions: [{ cold_delete: {} }], transitions: [] },
        ]
      : []),
    { name: 'delete', actions: [{ delete: {} }], transitions: [] },
  ];
  policy.policy.description = `logwarden: OCSF daily indices hot ${warmAt} d, UltraWarm to day ${coldAt}, cold to day ${retentionDays}, then deleted`;
  (policy.policy as { states: IsmState[] }).states = states;
  return policy;
}

export interface IndexChoice {
  index: string;
  quarantined: boolean;
}

const dotted = (day: string) => day.replaceAll('-', '.');

/**
 * Daily indices by event date, not a rollover alias: a replayed event lands in the same index
 * as the first time, so `_id` makes it one document, however late the replay. The event date
 * counts only inside the ingestion window around the record's arrival in the stream (which is
 * also the same on a replay); anything else goes to the quarantine index of its arrival day. So
 * one day of arrivals opens at most 17 indices (14 days back, today, one hour ahead, quarantine)
 * whatever times the writers claim.
 */
export function indexFor(doc: Pick<OcsfDocument, 'time'>, arrivalMs: number): IndexChoice {
  const { day, clamped } = filingDay(doc.time, arrivalMs);
  return clamped
    ? { index: `${quarantinePrefix}${dotted(day)}`, quarantined: true }
    : { index: `${indexPrefix}${dotted(day)}`, quarantined: false };
}
