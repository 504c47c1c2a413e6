import ismPolicyJson from './ocsf-ism-policy.json';
import indexTemplateJson from './ocsf-index-template.json';
import type { OcsfDocument } from '../ocsf/document';

/**
 * The OpenSearch side of the OCSF documents. The template and ISM policy are JSON files so the
 * stack's custom resource, the tests and the local run install the very same ones.
 */
export const indexTemplateName = 'logwarden-ocsf';
export const ismPolicyId = 'logwarden-ocsf-retention';
export const indexPrefix = 'logwarden-ocsf-';
export const indexTemplate = indexTemplateJson;

/** The ISM policy with the configured retention. */
export function ismPolicy(retentionDays: number): typeof ismPolicyJson {
  const policy = structuredClone(ismPolicyJson);
  const hot = policy.policy.states.find((s) => s.name === 'hot');
  if (!hot) throw new Error('ocsf-ism-policy.json has no hot state');
  hot.transitions[0].conditions.min_index_age = `${retentionDays}d`;
  return policy;
}

/**
 * Daily indices by event date, not a rollover alias: a replayed event lands in the same index
 * as the first time, so `_id = metadata.uid` makes it one document, however late the replay.
 */
export function indexFor(doc: Pick<OcsfDocument, 'time'>): string {
  const d = new Date(Number.isFinite(doc.time) ? doc.time : 0);
  const day = Number.isNaN(d.getTime()) ? new Date(0) : d;
  return `${indexPrefix}${day.toISOString().slice(0, 10).replaceAll('-', '.')}`;
}
