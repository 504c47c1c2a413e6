import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { SearchClient, SearchResponse } from '../shared/opensearch/client';
import {
  indexPrefix,
  indexTemplateFor,
  indexTemplateName,
  ismPolicy,
  type IsmTiers,
  ismPolicyId,
} from '../shared/opensearch/index-model';
import { dashboardsIndex, savedObjects, storedDocument } from '../shared/opensearch/dashboards';

export interface SetupOptions {
  retentionDays: number;
  /** Hot, then UltraWarm, then cold storage (contracts/search-sizing.ts); absent: hot, then delete. */
  tiers?: IsmTiers;
  /** Primary shards of a daily index (contracts/search-sizing.ts); absent: the template file's 1. */
  primaryShards?: number;
  /** IAM roles that write documents; mapped to a least-privilege role under fine-grained access control. */
  writerRoleArns?: string[];
  /** IAM roles that read (dashboards, the CLI); mapped to a read-only role. */
  readerRoleArns?: string[];
  /** IAM roles of responders: read, save searches and their own dashboards. */
  responderRoleArns?: string[];
  /** IAM roles of day-to-day administrators: indices, templates, ISM, shared dashboards. */
  adminRoleArns?: string[];
  /** Backend roles a SAML assertion carries (IdP groups), per people's role. */
  samlGroups?: { reader?: string[]; responder?: string[]; admin?: string[] };
  /**
   * Under fine-grained access control the master user is the break-glass role, not this
   * function's role. The break-glass role maps this role once to `security_manager`
   * (bootstrapRequest); from then on the setup maps it to logwarden_setup itself, which grants
   * the template and ISM calls. Without it, no role of the security plugin is touched.
   */
  setupRoleArn?: string;
  /**
   * Whether the break-glass bootstrap is done. Until then a refused security call is reported as
   * pending (the deployment goes on; the stack output names the request); after, it is an error.
   */
  setupRoleMapped?: boolean;
}

export const writerRole = 'logwarden_writer';
export const readerRole = 'logwarden_reader';
export const setupRole = 'logwarden_setup';
export const responderRole = 'logwarden_responder';
export const adminRole = 'logwarden_admin';

/**
 * The one request the break-glass (master) role sends after the first deployment: it adds the
 * setup function's role to the security plugin's `security_manager` mapping (a JSON Patch, so
 * the master user's own mapping stays).
 */
export function bootstrapRequest(setupRoleArn: string): { method: string; path: string; body: unknown } {
  return {
    method: 'PATCH',
    path: '/_plugins/_security/api/rolesmapping/security_manager',
    body: [{ op: 'add', path: '/backend_roles/-', value: setupRoleArn }],
  };
}

/**
 * Audit logging of the security plugin (OpenSearch Service publishes it to the domain's audit
 * log group): searches are GRANTED_PRIVILEGES events of the transport layer, so that category
 * stays on; the writers' bulk requests are ignored, or the audit log would repeat the pipeline.
 */
export function auditConfig(ignoreUsers: string[]) {
  return {
    enabled: true,
    audit: {
      enable_rest: true,
      disabled_rest_categories: ['AUTHENTICATED'],
      enable_transport: true,
      disabled_transport_categories: ['AUTHENTICATED'],
      resolve_bulk_requests: false,
      log_request_body: false,
      resolve_indices: true,
      exclude_sensitive_headers: true,
      ignore_users: [...ignoreUsers].sort(),
      ignore_requests: [],
    },
    compliance: {
      enabled: true,
      internal_config: true,
      external_config: false,
      read_metadata_only: true,
      read_watched_fields: {},
      read_ignore_users: [],
      write_metadata_only: true,
      write_log_diffs: false,
      write_watched_indices: [],
      write_ignore_users: [],
    },
  };
}

/** Raised when the security plugin refuses the setup role before the break-glass bootstrap. */
export class BootstrapPendingError extends Error {
  override readonly name = 'BootstrapPendingError';
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * An index permission as the security plugin hands it back, without the fields it adds empty
 * (`fls: []`, `masked_fields: []`), so a role the setup wrote compares equal to what it wants.
 */
const withoutEmptyFields = (p: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(p).filter(([, v]) => !(Array.isArray(v) && v.length === 0)));

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
  if (options.setupRoleArn) {
    try {
      const own = await installOwnRole(search, { ...options, setupRoleArn: options.setupRoleArn });
      return own.actions.concat(await installContent(search, options, own.serviceRolesMapped));
    } catch (err) {
      if (!(err instanceof BootstrapPendingError) || options.setupRoleMapped) throw err;
      const req = bootstrapRequest(options.setupRoleArn);
      return [
        `pending: the break-glass role must first send ${req.method} ${req.path} ${JSON.stringify(req.body)} (${err.message})`,
      ];
    }
  }
  return installContent(search, options);
}

/**
 * What the role that writes the ISM policy needs for each action the policy runs. ISM runs a
 * managed index's steps as that role: the runner wraps each step in
 * `IndexManagementSecurityContext(…, managedIndexConfig.policy.user)`, which injects the roles
 * the user had when the policy was written (index-management, ManagedIndexRunner). And "users not
 * only need the correct index management permissions, but they also need permissions to execute
 * actions to involved indexes" (OpenSearch documentation, "Index management security"). So:
 * - `delete` deletes the index (`indices:admin/delete`, DeleteIndexRequest);
 * - `warm_migration`: "If the domain uses fine-grained access control, users must be mapped to
 *   the ultrawarm_manager role" (Developer Guide, "UltraWarm storage", Prerequisites);
 * - `cold_migration`, `cold_delete`: "non-admin users must be mapped to the cold_manager role …
 *   in order to manage cold indexes" (Developer Guide, "Cold storage", Prerequisites).
 * Nothing more: the setup role gets the delete and the tier roles only when its policy uses them.
 */
export const ismActionNeeds: Record<string, { indexActions?: string[]; serviceRole?: string }> = {
  delete: { indexActions: ['indices:admin/delete'] },
  warm_migration: { serviceRole: 'ultrawarm_manager' },
  cold_migration: { serviceRole: 'cold_manager' },
  cold_delete: { serviceRole: 'cold_manager' },
};

/** The action names of an ISM policy, in state order, each once. */
export function ismPolicyActions(policy: { policy: { states: { actions: object[] }[] } }): string[] {
  return [...new Set(policy.policy.states.flatMap((s) => s.actions.flatMap((a) => Object.keys(a))))];
}

/** What the setup role needs to run `policy`; an action not in `ismActionNeeds` is an error. */
export function ismNeeds(policy: { policy: { states: { actions: object[] }[] } }): {
  indexActions: string[];
  serviceRoles: string[];
} {
  const needs = ismPolicyActions(policy).map((action) => {
    const need = ismActionNeeds[action];
    if (!need) throw new Error(`ISM action ${action}: the setup role's permissions for it are not known`);
    return need;
  });
  return {
    indexActions: [...new Set(needs.flatMap((n) => n.indexActions ?? []))],
    serviceRoles: [...new Set(needs.flatMap((n) => (n.serviceRole ? [n.serviceRole] : [])))],
  };
}

/** The setup role: template and ISM calls, and what the ISM policy it writes runs as it. */
export function setupPermissions(options: Pick<SetupOptions, 'retentionDays' | 'tiers'>): RolePermissions {
  const { indexActions } = ismNeeds(ismPolicy(options.retentionDays, options.tiers));
  return {
    cluster_permissions: [
      'cluster_monitor',
      'indices:admin/index_template/*',
      'cluster:admin/opendistro/ism/*',
      // A document PUT into an index not yet created runs as a bulk request (auto-create).
      'indices:data/write/bulk',
    ],
    index_permissions: [
      {
        index_patterns: [`${indexPrefix}*`],
        allowed_actions: ['indices:admin/opensearch/ism/*', ...indexActions],
      },
      // The shipped saved objects (functions/shared/opensearch/dashboards.ts), shared tenant only.
      { index_patterns: [dashboardsIndex], allowed_actions: ['read', 'index', 'create_index'] },
    ],
    // `.kibana` without a tenant header is the global tenant: the security plugin also asks
    // for the tenant permission (a read is refused without it, on the local node).
    tenant_permissions: [{ tenant_patterns: ['global_tenant'], allowed_actions: ['kibana_all_write'] }],
  };
}

/**
 * The setup role's own permissions for template and ISM: needs the bootstrap's security_manager.
 * Returns the actions, and whether a service role (ultrawarm_manager, cold_manager) was mapped
 * now: ISM keeps the roles of the policy's writer, so the policy must then be written again.
 */
async function installOwnRole(
  search: SearchClient,
  options: SetupOptions & { setupRoleArn: string },
): Promise<{ actions: string[]; serviceRolesMapped: boolean }> {
  const { setupRoleArn } = options;
  const probe = await search.request('GET', `/_plugins/_security/api/roles/${setupRole}`);
  if (probe.status === 401 || probe.status === 403) {
    throw new BootstrapPendingError(`the security plugin answered ${probe.status} to ${setupRoleArn}`);
  }
  const actions = await ensureRole(search, setupRole, setupPermissions(options), [setupRoleArn], probe);
  let serviceRolesMapped = false;
  for (const role of ismNeeds(ismPolicy(options.retentionDays, options.tiers)).serviceRoles) {
    if (await ensureMappedTo(search, role, setupRoleArn)) {
      serviceRolesMapped = true;
      actions.push(`mapped the setup role to ${role} (its ISM policy migrates indices)`);
    }
  }
  return { actions, serviceRolesMapped };
}

/**
 * Adds `backendRole` to the mapping of a role OpenSearch Service defines, keeping whoever else is
 * mapped to it (a JSON Patch, as the bootstrap); a missing mapping is created. Returns whether it wrote.
 */
async function ensureMappedTo(search: SearchClient, role: string, backendRole: string): Promise<boolean> {
  const path = `/_plugins/_security/api/rolesmapping/${role}`;
  const current = await search.request('GET', path);
  if (current.status !== 404 && current.status >= 300)
    throw new Error(`GET ${path} answered ${current.status}: ${JSON.stringify(current.body).slice(0, 300)}`);
  const mapped = (current.body as Record<string, { backend_roles?: string[] }>)[role]?.backend_roles ?? [];
  if (current.status === 200 && mapped.includes(backendRole)) return false;
  const res =
    current.status === 404
      ? await search.request('PUT', path, JSON.stringify({ backend_roles: [backendRole] }))
      : await search.request(
          'PATCH',
          path,
          JSON.stringify([{ op: 'add', path: '/backend_roles/-', value: backendRole }]),
        );
  if (res.status >= 300)
    throw new Error(
      `mapping ${backendRole} to ${role} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)} (Developer Guide: the role "might not be defined on some preexisting" domains; create it as the guide shows)`,
    );
  return true;
}

async function installContent(
  search: SearchClient,
  options: SetupOptions,
  /** Write the ISM policy even when its states are the same (the setup role's roles changed). */
  rewritePolicy = false,
): Promise<string[]> {
  const actions: string[] = [];
  // OpenSearch hands a template back normalized (numbers as strings…), so the comparison is by
  // a content hash recorded in the template's own _meta.
  const indexTemplate = indexTemplateFor(options.primaryShards);
  const contentHash = createHash('sha256').update(JSON.stringify(indexTemplate)).digest('hex');
  const wanted = { ...indexTemplate, _meta: { ...indexTemplate._meta, content_sha256: contentHash } };
  const templateWritten = await ensure(search, `/_index_template/${indexTemplateName}`, wanted, (body) => {
    const installed = (
      body as { index_templates?: { index_template: { _meta?: { content_sha256?: string } } }[] }
    ).index_templates?.[0]?.index_template;
    return installed?._meta?.content_sha256 === contentHash;
  });
  if (templateWritten) actions.push(`installed index template ${indexTemplateName}`);

  const policy = ismPolicy(options.retentionDays, options.tiers);
  const ism = await search.request('GET', `/_plugins/_ism/policies/${ismPolicyId}`);
  if (ism.status === 400 && /no handler found/.test(JSON.stringify(ism.body))) {
    // A node without the index-management plugin (the local one): nothing enforces retention there.
    actions.push(`ISM not available on this node: policy ${ismPolicyId} not installed (not emulated)`);
    return actions.concat(
      await installRoles(search, options),
      await installAudit(search, options),
      await installSavedObjects(search),
    );
  }
  type IsmBody = { _seq_no: number; _primary_term: number; policy: { states: unknown } };
  const policyWritten = await ensure(
    search,
    `/_plugins/_ism/policies/${ismPolicyId}`,
    policy,
    (body) => !rewritePolicy && sameJson((body as IsmBody).policy?.states, policy.policy.states),
    (body) =>
      `/_plugins/_ism/policies/${ismPolicyId}?if_seq_no=${(body as IsmBody)._seq_no}&if_primary_term=${(body as IsmBody)._primary_term}`,
    ism,
  );
  if (policyWritten) actions.push(`installed ISM policy ${ismPolicyId} (${options.retentionDays} days)`);
  // A managed index runs the copy of the policy it was given: an update reaches the existing
  // indices only through the change policy API, which "updates the managed index policy to a new
  // policy (or to a new version of the policy). You can use an index pattern to update multiple
  // indexes at once" (OpenSearch documentation, ISM API, "Update managed index policy"). Not on
  // creation: the policy's ism_template then attaches it to the indices created from now on.
  if (policyWritten && ism.status !== 404) actions.push(await changeManagedPolicy(search));

  return actions.concat(
    await installRoles(search, options),
    await installAudit(search, options),
    await installSavedObjects(search),
  );
}

/**
 * The change policy request for every OCSF index (the transport action
 * `cluster:admin/opendistro/ism/managedindex/change`, ChangePolicyAction in index-management,
 * which the setup role's `cluster:admin/opendistro/ism/*` grants, with
 * `indices:admin/opensearch/ism/*` on the indices).
 */
export const changePolicyRequest = {
  method: 'POST',
  path: `/_plugins/_ism/change_policy/${indexPrefix}*`,
  body: { policy_id: ismPolicyId },
} as const;

/**
 * Moves the managed OCSF indices to the policy just written. An index the plugin refuses (one
 * not managed: its policy removed by hand) is named in the result, not an error: the others
 * still change, and the deployment does not hang on a person's choice for one index.
 */
async function changeManagedPolicy(search: SearchClient): Promise<string> {
  const { method, path, body } = changePolicyRequest;
  const res = await search.request(method, path, JSON.stringify(body));
  if (res.status >= 300)
    throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
  const answer = res.body as {
    updated_indices?: number;
    failed_indices?: { index_name: string; reason: string }[];
  };
  const failed = answer.failed_indices ?? [];
  return `changed the policy of ${answer.updated_indices ?? 0} managed ${indexPrefix}* indices to ${ismPolicyId}${
    failed.length ? `; not changed: ${failed.map((f) => `${f.index_name} (${f.reason})`).join(', ')}` : ''
  }`;
}

/**
 * The shipped Dashboards saved objects, written into the shared tenant's index as Dashboards
 * stores them (what its import API writes): each read first, written only when missing or
 * different, so an edit in the repository reaches the domain on the next deployment.
 */
async function installSavedObjects(search: SearchClient): Promise<string[]> {
  const written: string[] = [];
  for (const object of savedObjects) {
    const { id, source } = storedDocument(object);
    const path = `/${dashboardsIndex}/_doc/${encodeURIComponent(id)}`;
    const current = await search.request('GET', path);
    if (current.status !== 404 && current.status >= 300)
      throw new Error(
        `GET ${path} answered ${current.status}: ${JSON.stringify(current.body).slice(0, 300)}`,
      );
    if (current.status === 200 && isDeepStrictEqual((current.body as { _source?: unknown })._source, source))
      continue;
    await put(search, `${path}?refresh=true`, source);
    written.push(id);
  }
  return written.length
    ? [`installed ${written.length} of ${savedObjects.length} Dashboards saved objects in ${dashboardsIndex}`]
    : [];
}

/**
 * The security plugin's audit API reads at one path and writes at another (OpenSearch
 * documentation, Security APIs: "Get Audit Configuration" `GET /_plugins/_security/api/audit`,
 * "Update Audit Configuration" `PUT /_plugins/_security/api/audit/config`).
 */
export const auditPaths = {
  read: '/_plugins/_security/api/audit',
  write: '/_plugins/_security/api/audit/config',
} as const;

/** Whether `installed` holds every field of `wanted` with the same value (the plugin adds its own). */
function holds(installed: unknown, wanted: unknown): boolean {
  if (wanted === null || typeof wanted !== 'object' || Array.isArray(wanted))
    return sameJson(installed, wanted);
  if (installed === null || typeof installed !== 'object') return false;
  return Object.entries(wanted).every(([k, v]) => holds((installed as Record<string, unknown>)[k], v));
}

/** Audit logging, under fine-grained access control only (the setup role is known there). */
async function installAudit(search: SearchClient, options: SetupOptions): Promise<string[]> {
  if (!options.setupRoleArn) return [];
  const wanted = auditConfig(options.writerRoleArns ?? []);
  const current = await search.request('GET', auditPaths.read);
  if (current.status >= 300)
    throw new Error(
      `GET ${auditPaths.read} answered ${current.status}: ${JSON.stringify(current.body).slice(0, 300)}`,
    );
  if (holds((current.body as { config?: unknown }).config, wanted)) return [];
  await put(search, auditPaths.write, wanted);
  return ['configured audit logging (searches audited, writers ignored)'];
}

/** One security role and its mapping to IAM roles; describes first, writes what differs. */
async function ensureRole(
  search: SearchClient,
  name: string,
  role: RolePermissions,
  backendRoles: string[],
  read?: SearchResponse,
): Promise<string[]> {
  const rolePath = `/_plugins/_security/api/roles/${name}`;
  const roleWritten = await ensure(
    search,
    rolePath,
    role,
    (body) => {
      const r = (body as Record<string, Record<string, unknown>>)[name];
      return (
        !!r &&
        sameJson(r.cluster_permissions, role.cluster_permissions) &&
        isDeepStrictEqual(
          (r.index_permissions as Record<string, unknown>[] | undefined)?.map(withoutEmptyFields),
          role.index_permissions,
        ) &&
        isDeepStrictEqual(r.tenant_permissions ?? [], role.tenant_permissions ?? [])
      );
    },
    undefined,
    read,
  );
  const mappingPath = `/_plugins/_security/api/rolesmapping/${name}`;
  const mappingWritten = await ensure(search, mappingPath, { backend_roles: backendRoles }, (body) =>
    sameJson((body as Record<string, { backend_roles?: string[] }>)[name]?.backend_roles, backendRoles),
  );
  return roleWritten || mappingWritten
    ? [`configured role ${name} for ${backendRoles.length} backend role(s)`]
    : [];
}

type RolePermissions = {
  cluster_permissions: string[];
  index_permissions: object[];
  /** Dashboards tenants (`global_tenant`: the shared saved objects); absent: none. */
  tenant_permissions?: object[];
};

/**
 * The writer adds documents and nothing else: `_bulk` at the cluster level, and on the OCSF
 * indices the creation of an index and `indices:data/write/index` (the indexer's bulk action is
 * `create`; a repeat answers 409). No read, no delete, no update, no mapping change, no
 * cluster monitoring: what it writes, it cannot read back.
 */
export const writerPermissions: RolePermissions = {
  cluster_permissions: ['indices:data/write/bulk'],
  index_permissions: [
    {
      index_patterns: [`${indexPrefix}*`],
      allowed_actions: ['indices:admin/create', 'indices:data/write/index', 'indices:data/write/bulk*'],
    },
  ],
};

/**
 * The saved objects' indices of OpenSearch Dashboards: `.kibana` for the global (shared) tenant,
 * `.kibana_<hash>_<user>` for a user's private tenant (OpenSearch documentation, "OpenSearch
 * Dashboards multi-tenancy": "the Security plugin … stores the saved objects of each tenant in
 * its own index").
 */
export const dashboardsIndices = ['.kibana', '.kibana_*'];

/** The document writes a saved object needs (Dashboards saves with index, update, delete, bulk). */
const savedObjectWrites = [
  'indices:data/write/index',
  'indices:data/write/update',
  'indices:data/write/delete',
  'indices:data/write/bulk*',
];

/**
 * A reader searches and reads the OCSF indices and the shared dashboards (read: search, get,
 * field capabilities, which index patterns need), and writes nothing, not even a saved object.
 */
export const readerPermissions: RolePermissions = {
  cluster_permissions: ['cluster_composite_ops_ro'],
  index_permissions: [
    { index_patterns: [`${indexPrefix}*`], allowed_actions: ['read'] },
    { index_patterns: dashboardsIndices, allowed_actions: ['read'] },
  ],
  tenant_permissions: [{ tenant_patterns: ['global_tenant'], allowed_actions: ['kibana_all_read'] }],
};

/**
 * A responder reads as a reader does and saves searches, visualizations and dashboards in their
 * own (private) tenant; the shared tenant stays read-only; no index is created, changed or
 * deleted and no OCSF document written.
 */
export const responderPermissions: RolePermissions = {
  cluster_permissions: ['cluster_composite_ops_ro', 'indices:data/write/bulk'],
  index_permissions: [
    { index_patterns: [`${indexPrefix}*`], allowed_actions: ['read'] },
    { index_patterns: ['.kibana'], allowed_actions: ['read'] },
    { index_patterns: ['.kibana_*'], allowed_actions: ['read', ...savedObjectWrites] },
  ],
  tenant_permissions: [{ tenant_patterns: ['global_tenant'], allowed_actions: ['kibana_all_read'] }],
};

/**
 * The day-to-day administrator: everything a responder does, the shared dashboards, and the
 * indices' life (delete, refresh, settings, templates, ISM), the audit log read; never the
 * security configuration (that stays with the break-glass role) and no OCSF document written,
 * changed or deleted one by one (documents come from the pipeline only).
 */
export const adminPermissions: RolePermissions = {
  cluster_permissions: [
    'cluster_monitor',
    'cluster_composite_ops_ro',
    'indices:data/write/bulk',
    'indices:admin/index_template/*',
    'cluster:admin/opendistro/ism/*',
  ],
  index_permissions: [
    {
      index_patterns: [`${indexPrefix}*`],
      allowed_actions: [
        'read',
        'indices_monitor',
        'indices:admin/delete',
        'indices:admin/refresh*',
        'indices:admin/settings/update',
        'indices:admin/opensearch/ism/*',
      ],
    },
    { index_patterns: dashboardsIndices, allowed_actions: ['read', ...savedObjectWrites] },
    { index_patterns: ['security-auditlog-*'], allowed_actions: ['read'] },
  ],
  tenant_permissions: [{ tenant_patterns: ['global_tenant'], allowed_actions: ['kibana_all_write'] }],
};

/** A security role the setup maintains, and the IAM roles (backend roles) mapped to it. */
export interface SearchRole {
  name: string;
  permissions: RolePermissions;
  backendRoles: string[];
}

/** The security roles under fine-grained access control, each with the IAM roles the stack maps to it. */
export function searchRoles(options: SetupOptions): SearchRole[] {
  const saml = options.samlGroups ?? {};
  return [
    { name: writerRole, permissions: writerPermissions, backendRoles: options.writerRoleArns ?? [] },
    {
      name: readerRole,
      permissions: readerPermissions,
      backendRoles: [...(options.readerRoleArns ?? []), ...(saml.reader ?? [])],
    },
    {
      name: responderRole,
      permissions: responderPermissions,
      backendRoles: [...(options.responderRoleArns ?? []), ...(saml.responder ?? [])],
    },
    {
      name: adminRole,
      permissions: adminPermissions,
      backendRoles: [...(options.adminRoleArns ?? []), ...(saml.admin ?? [])],
    },
  ];
}

/** Under fine-grained access control: every role of `searchRoles` and its mapping. */
async function installRoles(search: SearchClient, options: SetupOptions): Promise<string[]> {
  const roles = searchRoles(options);
  if (!roles.some((r) => r.backendRoles.length)) return [];
  const actions: string[] = [];
  for (const role of roles)
    actions.push(...(await ensureRole(search, role.name, role.permissions, role.backendRoles)));
  return actions;
}
