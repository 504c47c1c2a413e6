import { createHash } from 'node:crypto';
import type { SearchClient, SearchResponse } from '../shared/opensearch/client';
import {
  indexPrefix,
  indexTemplate,
  indexTemplateName,
  ismPolicy,
  ismPolicyId,
} from '../shared/opensearch/index-model';

export interface SetupOptions {
  retentionDays: number;
  /** IAM roles that write documents; mapped to a least-privilege role under fine-grained access control. */
  writerRoleArns?: string[];
  /** IAM roles that read (dashboards, the CLI); mapped to a read-only role. */
  readerRoleArns?: string[];
}

export const writerRole = 'logwarden_writer';
export const readerRole = 'logwarden_reader';

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

async function put(search: SearchClient, path: string, body: unknown): Promise<void> {
  const res = await search.request('PUT', path, JSON.stringify(body));
  if (res.status >= 300)
    throw new Error(`PUT ${path} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
}

/**
 * Reads what is installed at `path`; writes `wanted` only when `installedPart` of the answer
 * differs from `wantedPart`. Returns whether it wrote.
 */
async function ensure(
  search: SearchClient,
  path: string,
  wanted: unknown,
  compare: (body: unknown) => boolean,
  writePath: (body: unknown) => string = () => path,
  /** What a caller already read at `path`, so it is not read twice. */
  read?: SearchResponse,
): Promise<boolean> {
  const current = read ?? (await search.request('GET', path));
  if (current.status !== 404 && current.status >= 300) {
    throw new Error(`GET ${path} answered ${current.status}: ${JSON.stringify(current.body).slice(0, 300)}`);
  }
  if (current.status !== 404 && compare(current.body)) return false;
  await put(search, current.status === 404 ? path : writePath(current.body), wanted);
  return true;
}

/**
 * Installs what the OCSF indices need: the composable index template, the ISM retention policy
 * and, under fine-grained access control, a writer and a reader role. Describes first and
 * writes only what differs, so it runs on every deployment and in the local run.
 */
export async function installSearchSetup(search: SearchClient, options: SetupOptions): Promise<string[]> {
  const actions: string[] = [];
  // OpenSearch hands a template back normalized (numbers as strings…), so the comparison is by
  // a content hash recorded in the template's own _meta.
  const contentHash = createHash('sha256').update(JSON.stringify(indexTemplate)).digest('hex');
  const wanted = { ...indexTemplate, _meta: { ...indexTemplate._meta, content_sha256: contentHash } };
  const templateWritten = await ensure(search, `/_index_template/${indexTemplateName}`, wanted, (body) => {
    const installed = (
      body as { index_templates?: { index_template: { _meta?: { content_sha256?: string } } }[] }
    ).index_templates?.[0]?.index_template;
    return installed?._meta?.content_sha256 === contentHash;
  });
  if (templateWritten) actions.push(`installed index template ${indexTemplateName}`);

  const policy = ismPolicy(options.retentionDays);
  const ism = await search.request('GET', `/_plugins/_ism/policies/${ismPolicyId}`);
  if (ism.status === 400 && /no handler found/.test(JSON.stringify(ism.body))) {
    // A node without the index-management plugin (the local one): nothing enforces retention there.
    actions.push(`ISM not available on this node: policy ${ismPolicyId} not installed (not emulated)`);
    return actions.concat(await installRoles(search, options));
  }
  type IsmBody = { _seq_no: number; _primary_term: number; policy: { states: unknown } };
  const policyWritten = await ensure(
    search,
    `/_plugins/_ism/policies/${ismPolicyId}`,
    policy,
    (body) => sameJson((body as IsmBody).policy?.states, policy.policy.states),
    (body) =>
      `/_plugins/_ism/policies/${ismPolicyId}?if_seq_no=${(body as IsmBody)._seq_no}&if_primary_term=${(body as IsmBody)._primary_term}`,
    ism,
  );
  if (policyWritten) actions.push(`installed ISM policy ${ismPolicyId} (${options.retentionDays} days)`);

  return actions.concat(await installRoles(search, options));
}

/** Under fine-grained access control: a writer and a reader role, mapped to IAM roles. */
async function installRoles(search: SearchClient, options: SetupOptions): Promise<string[]> {
  const actions: string[] = [];
  if (!options.writerRoleArns?.length && !options.readerRoleArns?.length) return actions;
  const pattern = `${indexPrefix}*`;
  const roles: [string, object, string[]][] = [
    [
      writerRole,
      {
        cluster_permissions: ['cluster_monitor', 'indices:data/write/bulk'],
        index_permissions: [{ index_patterns: [pattern], allowed_actions: ['crud', 'create_index'] }],
      },
      options.writerRoleArns ?? [],
    ],
    [
      readerRole,
      {
        cluster_permissions: ['cluster_composite_ops_ro'],
        index_permissions: [{ index_patterns: [pattern], allowed_actions: ['read'] }],
      },
      options.readerRoleArns ?? [],
    ],
  ];
  for (const [name, role, backendRoles] of roles) {
    const rolePath = `/_plugins/_security/api/roles/${name}`;
    const roleWritten = await ensure(search, rolePath, role, (body) => {
      const r = (body as Record<string, Record<string, unknown>>)[name];
      return !!r && sameJson(r.cluster_permissions, (role as Record<string, unknown>).cluster_permissions);
    });
    const mappingPath = `/_plugins/_security/api/rolesmapping/${name}`;
    const mappingWritten = await ensure(search, mappingPath, { backend_roles: backendRoles }, (body) =>
      sameJson((body as Record<string, { backend_roles?: string[] }>)[name]?.backend_roles, backendRoles),
    );
    if (roleWritten || mappingWritten)
      actions.push(`configured role ${name} for ${backendRoles.length} IAM role(s)`);
  }
  return actions;
}
