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

/** The ISM policy with the configured retention. */
export function ismPolicy(retentionDays: number): typeof ismPolicyJson {
  const policy = structuredClone(ismPolicyJson);
  const hot = policy.policy.states.find((s) => s.name === 'hot');
  if (!hot) throw new Error('ocsf-ism-policy.json has no hot state');
  hot.transitions[0].conditions.min_index_age = `${retentionDays}d`;
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
