/**
 * The shipped Dashboards saved objects parse as the Dashboards 2.19 import API expects them
 * (issue 24 §2): one object per ndjson line with `id`, `type`, `attributes` and `references`;
 * the JSON the import keeps as strings (`visState`, `panelsJSON`, `searchSourceJSON`) parses;
 * every reference names an object of the file, and every `indexRefName` / `panelRefName` names
 * a reference (the import resolves them so, and refuses missing ones as missing_references).
 */
import { readFileSync } from 'node:fs';
import {
  savedObjects,
  savedObjectsNdjson,
  storedDocument,
  type SavedObject,
} from '../../../functions/shared/opensearch/dashboards';
import { indexPrefix } from '../../../functions/shared/opensearch/index-model';
import indexTemplate from '../../../functions/shared/opensearch/ocsf-index-template.json';
import { visualizationSearch } from '../../../local/dashboards-query';
import { dashboardsNdjsonPath } from '../../../scripts/dashboards-ndjson';

const lines = readFileSync(dashboardsNdjsonPath, 'utf8').trimEnd().split('\n');
const parsed = lines.map((l) => JSON.parse(l) as SavedObject);

/** Every field path the OCSF index template maps. */
function mappedFields(): Set<string> {
  const out = new Set<string>();
  const walk = (props: Record<string, { properties?: object; type?: string }>, prefix: string) => {
    for (const [k, v] of Object.entries(props))
      if (v.properties) walk(v.properties as typeof props, `${prefix}${k}.`);
      else out.add(`${prefix}${k}`);
  };
  walk(indexTemplate.template.mappings.properties as never, '');
  return out;
}

describe('the Dashboards saved objects', () => {
  it('docs/dashboards/logwarden.ndjson is what the code ships (npm run docs:dashboards)', () => {
    expect(readFileSync(dashboardsNdjsonPath, 'utf8')).toBe(savedObjectsNdjson());
  });

  it('each line is an importable object: id, type, title, references; unique type and id', () => {
    const types = new Set(['index-pattern', 'search', 'visualization', 'dashboard']);
    for (const o of parsed) {
      expect(Object.keys(o).sort()).toEqual(['attributes', 'id', 'migrationVersion', 'references', 'type']);
      expect(types.has(o.type)).toBe(true);
      expect(o.id).toMatch(/^[a-z0-9-]+$/);
      expect(typeof o.attributes.title).toBe('string');
    }
    expect(new Set(parsed.map((o) => `${o.type}:${o.id}`)).size).toBe(parsed.length);
    expect(parsed.filter((o) => o.type === 'dashboard').map((o) => o.attributes.title)).toEqual([
      'logwarden: CloudTrail activity',
      'logwarden: network',
      'logwarden: GuardDuty findings',
      'logwarden: coverage over time',
    ]);
  });

  it('the index pattern covers the OCSF daily indices by their time field', () => {
    const pattern = parsed.find((o) => o.type === 'index-pattern')!;
    expect(pattern.attributes).toEqual({ title: `${indexPrefix}*`, timeFieldName: 'time' });
  });

  it('the inner JSON parses, and every reference resolves in the file', () => {
    const known = new Set(parsed.map((o) => `${o.type}:${o.id}`));
    for (const o of parsed) {
      const refs = new Set(o.references.map((r) => r.name));
      for (const r of o.references) expect(known.has(`${r.type}:${r.id}`)).toBe(true);
      const meta = o.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string } | undefined;
      if (meta) {
        const source = JSON.parse(meta.searchSourceJSON) as { indexRefName?: string; query: object };
        expect(source.query).toBeDefined();
        if (source.indexRefName) expect(refs.has(source.indexRefName)).toBe(true);
      }
      if (o.type === 'visualization') {
        const vis = JSON.parse(o.attributes.visState as string) as {
          title: string;
          type: string;
          aggs: object[];
        };
        expect(vis.title).toBe(o.attributes.title);
        expect(['table', 'pie', 'line']).toContain(vis.type);
        expect(vis.aggs.length).toBeGreaterThan(1);
      }
      if (o.type === 'dashboard') {
        const panels = JSON.parse(o.attributes.panelsJSON as string) as { panelRefName: string }[];
        expect(panels.length).toBeGreaterThan(0);
        for (const p of panels) expect(refs.has(p.panelRefName)).toBe(true);
      }
    }
  });

  it('every field a visualization aggregates is mapped by the OCSF index template (aggregatable)', () => {
    const fields = mappedFields();
    for (const vis of savedObjects.filter((o) => o.type === 'visualization').map(visualizationSearch))
      for (const agg of vis.aggs)
        if ('field' in agg.params)
          expect({ vis: vis.title, field: agg.params.field, mapped: fields.has(agg.params.field) }).toEqual({
            vis: vis.title,
            field: agg.params.field,
            mapped: true,
          });
  });

  it('stored as Dashboards stores them: document <type>:<id>, the attributes under the type', () => {
    const { id, source } = storedDocument(savedObjects[1]);
    expect(id).toBe(`visualization:${savedObjects[1].id}`);
    expect(source).toMatchObject({ type: 'visualization', visualization: savedObjects[1].attributes });
  });
});
