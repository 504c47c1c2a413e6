import { isIP } from 'node:net';
import type { OcsfDocument } from '../../../functions/shared/ocsf/document';
import { indexFor, indexTemplate, ismPolicy } from '../../../functions/shared/opensearch/index-model';
import { corpusDocuments as corpusDocumentsWithSources } from '../../ocsf/corpus-documents';

interface Mapping {
  type?: string;
  format?: string;
  properties?: Record<string, Mapping>;
}

/** Every document the core makes of the whole corpus. */
function corpusDocuments(): OcsfDocument[] {
  return corpusDocumentsWithSources().map((d) => d.doc);
}

function fits(mapping: Mapping, value: unknown): boolean {
  switch (mapping.type) {
    case 'keyword':
    case 'text':
      return typeof value === 'string';
    case 'integer':
    case 'long':
      return Number.isInteger(value);
    case 'float':
      return typeof value === 'number';
    case 'date':
      return mapping.format === 'strict_date_optional_time'
        ? typeof value === 'string' && !Number.isNaN(Date.parse(value))
        : Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'ip':
      return typeof value === 'string' && isIP(value) !== 0;
    default:
      return false;
  }
}

/** Problems with one document: fields without a mapping, or values its mapped type would reject. */
function unmappedFields(value: unknown, mapping: Mapping, path: string, problems: Set<string>): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((v) => unmappedFields(v, mapping, path, problems));
    return;
  }
  if (mapping.type === 'flat_object') return;
  if (mapping.properties) {
    if (typeof value !== 'object') {
      problems.add(`${path}: object mapping, got ${typeof value}`);
      return;
    }
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const child = mapping.properties[k];
      if (!child) {
        if (v !== undefined) problems.add(`${path ? `${path}.` : ''}${k}: not mapped`);
        continue;
      }
      unmappedFields(v, child, path ? `${path}.${k}` : k, problems);
    }
    return;
  }
  if (!fits(mapping, value))
    problems.add(`${path}: ${mapping.type} cannot hold ${JSON.stringify(value).slice(0, 40)}`);
}

describe('the OCSF index template (functions/shared/opensearch/ocsf-index-template.json)', () => {
  const docs = corpusDocuments();
  const mappings = indexTemplate.template.mappings as unknown as Mapping & { dynamic: string };

  it(`maps every field of all ${docs.length} corpus documents, or holds it in a flat_object`, () => {
    expect(docs.length).toBeGreaterThan(800);
    const problems = new Set<string>();
    for (const doc of docs) unmappedFields(JSON.parse(JSON.stringify(doc)), mappings, '', problems);
    expect([...problems]).toEqual([]);
  });

  it('is strict, so a field the core starts emitting without a mapping is caught here, not in production', () => {
    expect(mappings.dynamic).toBe('strict');
    expect(mappings.properties?.unmapped).toEqual({ type: 'flat_object' });
    expect(indexTemplate.index_patterns).toEqual(['logwarden-ocsf-*']);
  });

  it('the test itself notices an unmapped field', () => {
    const problems = new Set<string>();
    unmappedFields({ ...docs[0], surprise: 1, src_endpoint: { ip: 'not an ip' } }, mappings, '', problems);
    expect([...problems].sort()).toEqual([
      'src_endpoint.ip: ip cannot hold "not an ip"',
      'surprise: not mapped',
    ]);
  });

  it('daily indices by event time, and an ISM policy with the configured retention', () => {
    const arrived = Date.UTC(2024, 6, 31, 14);
    expect(indexFor({ time: Date.UTC(2024, 6, 31, 13) }, arrived).index).toBe('logwarden-ocsf-2024.07.31');
    const policy = ismPolicy(30);
    expect(policy.policy.states[0].transitions[0].conditions.min_index_age).toBe('30d');
    expect(policy.policy.ism_template[0].index_patterns).toEqual(indexTemplate.index_patterns);
  });
});
