import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { SearchClient, SearchResponse } from '../shared/opensearch/client';
import {
  indexPrefix,
  indexTemplate,
  indexTemplateName,
  ismPolicy,
  type IsmTiers,
  ismPolicyId,
} from '../shared/opensearch/index-model';

export interface SetupOptions {
  retentionDays: number;
  /** Hot, then UltraWarm, then cold storage (contracts/search-sizing.ts); absent: hot, then delete. */
  tiers?: IsmTiers;
  /** IAM roles that write documents; mapped to a least-privilege role under fine-grained access control. */
  writerRoleArns?: string[];
  /** IAM roles that read (dashboards, the CLI); mapped to a read-only role. */
  readerRoleArns?: string[];
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
      const own = await installOwnRole(search, options.setupRoleArn);
      return own.concat(await installContent(search, options));
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

/** The setup role's own permissions for template and ISM: needs the bootstrap's security_manager. */
async function installOwnRole(search: SearchClient, setupRoleArn: string): Promise<string[]> {
  const probe = await search.request('GET', `/_plugins/_security/api/roles/${setupRole}`);
  if (probe.status === 401 || probe.status === 403) {
    throw new BootstrapPendingError(`the security plugin answered ${probe.status} to ${setupRoleArn}`);
  }
  return ensureRole(
    search,
    setupRole,
    {
      cluster_permissions: [
        'cluster_monitor',
        'indices:admin/index_template/*',
        'cluster:admin/opendistro/ism/*',
      ],
      index_permissions: [
        { index_patterns: [`${indexPrefix}*`], allowed_actions: ['indices:admin/opensearch/ism/*'] },
      ],
    },
    [setupRoleArn],
    probe,
  );
}

async function installContent(search: SearchClient, options: SetupOptions): Promise<string[]> {
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

  const policy = ismPolicy(options.retentionDays, options.tiers);
  const ism = await search.request('GET', `/_plugins/_ism/policies/${ismPolicyId}`);
  if (ism.status === 400 && /no handler found/.test(JSON.stringify(ism.body))) {
    // A node without the index-management plugin (the local one): nothing enforces retention there.
    actions.push(`ISM not available on this node: policy ${ismPolicyId} not installed (not emulated)`);
    return actions.concat(await installRoles(search, options), await installAudit(search, options));
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

  return actions.concat(await installRoles(search, options), await installAudit(search, options));
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
        )
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
    ? [`configured role ${name} for ${backendRoles.length} IAM role(s)`]
    : [];
}

type RolePermissions = { cluster_permissions: string[]; index_permissions: object[] };

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

/** A reader searches and reads the OCSF indices, and writes nothing. */
export const readerPermissions: RolePermissions = {
  cluster_permissions: ['cluster_composite_ops_ro'],
  index_permissions: [{ index_patterns: [`${indexPrefix}*`], allowed_actions: ['read'] }],
};

/** A security role the setup maintains, and the IAM roles (backend roles) mapped to it. */
export interface SearchRole {
  name: string;
  permissions: RolePermissions;
  backendRoles: string[];
}

/** The security roles under fine-grained access control, each with the IAM roles the stack maps to it. */
export function searchRoles(options: SetupOptions): SearchRole[] {
  return [
    { name: writerRole, permissions: writerPermissions, backendRoles: options.writerRoleArns ?? [] },
    { name: readerRole, permissions: readerPermissions, backendRoles: options.readerRoleArns ?? [] },
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
