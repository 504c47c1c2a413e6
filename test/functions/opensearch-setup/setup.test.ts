import {
  auditConfig,
  auditPaths,
  bootstrapRequest,
  adminPermissions,
  adminRole,
  installSearchSetup,
  readerPermissions,
  readerRole,
  ismActionNeeds,
  ismPolicyActions,
  responderPermissions,
  setupRole,
  setupPermissions,
  changePolicyRequest,
  responderRole,
  writerRole,
} from '../../../functions/opensearch-setup/setup';
import type { SearchClient } from '../../../functions/shared/opensearch/client';
import { indexPrefix, ismPolicy, type IsmTiers } from '../../../functions/shared/opensearch/index-model';

/**
 * A tiny in-memory OpenSearch for the setup's describe-then-write logic. The audit API is served
 * as the security plugin serves it (test/local/search.e2e on the real node): read at
 * `/_plugins/_security/api/audit` (`{ _readonly, config }`), written at `.../audit/config`,
 * which answers 405 to GET; a role is read back with the fields the plugin adds.
 */
function memorySearch(): SearchClient & {
  writes: string[];
  changes: { path: string; body: unknown }[];
} {
  const store = new Map<string, unknown>();
  const writes: string[] = [];
  const changes: { path: string; body: unknown }[] = [];
  return {
    writes,
    changes,
    async request(method, path, body) {
      const key = path.split('?')[0];
      if (key === auditPaths.write && method === 'GET')
        return { status: 405, body: { error: 'Incorrect HTTP method', status: 405 } };
      if (key === auditPaths.read)
        return {
          status: 200,
          body: { _readonly: [], config: store.get(auditPaths.write) ?? { enabled: false } },
        };
      // The security plugin's JSON Patch of a mapping: only the `add` to backend_roles the setup sends.
      if (method === 'PATCH') {
        if (!store.has(key)) return { status: 404, body: { status: 'NOT_FOUND' } };
        writes.push(key);
        const ops = JSON.parse(body ?? '[]') as { op: string; path: string; value: string }[];
        const saved = store.get(key) as { backend_roles: string[] };
        for (const op of ops) {
          if (op.op !== 'add' || op.path !== '/backend_roles/-') return { status: 400, body: { op } };
          saved.backend_roles = [...saved.backend_roles, op.value];
        }
        return { status: 200, body: { status: 'OK' } };
      }
      // Change policy: the managed indices the stub holds (`managed`), all of them changed.
      if (method === 'POST' && key.startsWith('/_plugins/_ism/change_policy/')) {
        writes.push(key);
        changes.push({ path: key, body: JSON.parse(body ?? '{}') });
        return { status: 200, body: { updated_indices: 3, failures: false, failed_indices: [] } };
      }
      if (method === 'PUT') {
        writes.push(key);
        store.set(key, JSON.parse(body ?? '{}'));
        return { status: 200, body: { acknowledged: true } };
      }
      if (!store.has(key)) return { status: 404, body: { error: 'not found' } };
      const saved = store.get(key) as Record<string, unknown>;
      if (key.startsWith('/_index_template/'))
        return { status: 200, body: { index_templates: [{ name: key, index_template: saved }] } };
      if (key.startsWith('/.kibana/_doc/'))
        return { status: 200, body: { _index: '.kibana', _id: key, found: true, _source: saved } };
      if (key.startsWith('/_plugins/_ism/'))
        return { status: 200, body: { _seq_no: 3, _primary_term: 1, ...saved } };
      // A role comes back as the security plugin hands it back: with its flags and the empty
      // field-level security fields it adds to every index permission.
      if (key.startsWith('/_plugins/_security/api/roles/')) {
        const role = saved as {
          index_permissions: Record<string, unknown>[];
          tenant_permissions?: unknown[];
        };
        return {
          status: 200,
          body: {
            [key.split('/').pop() as string]: {
              reserved: false,
              hidden: false,
              ...role,
              index_permissions: role.index_permissions.map(({ index_patterns, ...rest }) => ({
                index_patterns,
                fls: [],
                masked_fields: [],
                ...rest,
              })),
              tenant_permissions: role.tenant_permissions ?? [],
              static: false,
            },
          },
        };
      }
      return { status: 200, body: { [key.split('/').pop() as string]: saved } };
    },
  };
}

describe('installSearchSetup', () => {
  it('installs template, ISM policy and roles once; a second run writes nothing', async () => {
    const search = memorySearch();
    const first = await installSearchSetup(search, {
      retentionDays: 90,
      writerRoleArns: ['arn:aws:iam::222222222222:role/indexer'],
    });
    expect(first).toEqual([
      'installed index template logwarden-ocsf',
      'installed ISM policy logwarden-ocsf-retention (90 days)',
      'configured role logwarden_writer for 1 backend role(s)',
      'configured role logwarden_reader for 0 backend role(s)',
      'configured role logwarden_responder for 0 backend role(s)',
      'configured role logwarden_admin for 0 backend role(s)',
      'installed 15 of 15 Dashboards saved objects in .kibana',
    ]);
    const writes = search.writes.length;
    expect(
      await installSearchSetup(search, {
        retentionDays: 90,
        writerRoleArns: ['arn:aws:iam::222222222222:role/indexer'],
      }),
    ).toEqual([]);
    expect(search.writes).toHaveLength(writes);
  });

  /**
   * "Updates the managed index policy to a new policy (or to a new version of the policy). You can
   * use an index pattern to update multiple indexes at once." (OpenSearch documentation, ISM API,
   * "Update managed index policy"): a managed index keeps running the policy version it was
   * given until then.
   */
  it('a changed retention updates the ISM policy and moves the existing indices to it', async () => {
    const search = memorySearch();
    await installSearchSetup(search, { retentionDays: 90 });
    // Created, not updated: no index is managed by an older version.
    expect(search.changes).toEqual([]);
    search.writes.length = 0;
    expect(await installSearchSetup(search, { retentionDays: 30 })).toEqual([
      'installed ISM policy logwarden-ocsf-retention (30 days)',
      'changed the policy of 3 managed logwarden-ocsf-* indices to logwarden-ocsf-retention',
    ]);
    expect(search.writes).toEqual([
      '/_plugins/_ism/policies/logwarden-ocsf-retention',
      '/_plugins/_ism/change_policy/logwarden-ocsf-*',
    ]);
    expect(search.changes).toEqual([
      {
        path: '/_plugins/_ism/change_policy/logwarden-ocsf-*',
        body: { policy_id: 'logwarden-ocsf-retention' },
      },
    ]);
    // Unchanged: nothing written, nothing changed.
    search.changes.length = 0;
    expect(await installSearchSetup(search, { retentionDays: 30 })).toEqual([]);
    expect(search.changes).toEqual([]);
  });

  it('the setup role may send the change policy request (ChangePolicyAction: cluster:admin/opendistro/ism/managedindex/change)', () => {
    // index-management, ChangePolicyAction.NAME = "cluster:admin/opendistro/ism/managedindex/change";
    // "with the exceptions of Create Policy, Get Policy, and Delete Policy, users also need the
    // indices:admin/opensearch/ism/managedindex permission to execute ISM APIs" (OpenSearch
    // documentation, "Index management security").
    const role = setupPermissions({ retentionDays: 90 });
    const granted = (perm: string, list: string[]) =>
      list.some((p) => p === perm || (p.endsWith('*') && perm.startsWith(p.slice(0, -1))));
    expect(granted('cluster:admin/opendistro/ism/managedindex/change', role.cluster_permissions)).toBe(true);
    const onOcsf = (role.index_permissions as { index_patterns: string[]; allowed_actions: string[] }[])
      .filter((p) => p.index_patterns.includes('logwarden-ocsf-*'))
      .flatMap((p) => p.allowed_actions);
    expect(granted('indices:admin/opensearch/ism/managedindex', onOcsf)).toBe(true);
    expect(changePolicyRequest.path).toBe('/_plugins/_ism/change_policy/logwarden-ocsf-*');
  });

  it('the installed index template gives a daily index the sized primary shards, and a new count is written again', async () => {
    const search = memorySearch();
    const shardsInstalled = async () =>
      (
        (await search.request('GET', '/_index_template/logwarden-ocsf')).body as {
          index_templates: {
            index_template: { template: { settings: { index: { number_of_shards: number } } } };
          }[];
        }
      ).index_templates[0].index_template.template.settings.index.number_of_shards;
    await installSearchSetup(search, { retentionDays: 90 });
    expect(await shardsInstalled()).toBe(1);
    search.writes.length = 0;
    expect(await installSearchSetup(search, { retentionDays: 90, primaryShards: 5 })).toEqual([
      'installed index template logwarden-ocsf',
    ]);
    expect(await shardsInstalled()).toBe(5);
    expect(search.writes).toEqual(['/_index_template/logwarden-ocsf']);
  });

  it('without fine-grained access control it touches no security API', async () => {
    const search = memorySearch();
    await installSearchSetup(search, { retentionDays: 90 });
    expect(search.writes.some((w) => w.includes('_security'))).toBe(false);
  });

  const setupRoleArn = 'arn:aws:iam::222222222222:role/logwarden-search-setup';
  const writerRoleArns = ['arn:aws:iam::222222222222:role/indexer'];
  const readerRoleArns = ['arn:aws:iam::222222222222:role/security-analyst'];

  it('under fine-grained access control: its own role, template, ISM, writer, reader and audit logging; a second run writes nothing', async () => {
    const search = memorySearch();
    const options = {
      retentionDays: 90,
      writerRoleArns,
      readerRoleArns,
      setupRoleArn,
      setupRoleMapped: true,
    };
    expect(await installSearchSetup(search, options)).toEqual([
      'configured role logwarden_setup for 1 backend role(s)',
      'installed index template logwarden-ocsf',
      'installed ISM policy logwarden-ocsf-retention (90 days)',
      'configured role logwarden_writer for 1 backend role(s)',
      'configured role logwarden_reader for 1 backend role(s)',
      'configured role logwarden_responder for 0 backend role(s)',
      'configured role logwarden_admin for 0 backend role(s)',
      'configured audit logging (searches audited, writers ignored)',
      'installed 15 of 15 Dashboards saved objects in .kibana',
    ]);
    const writes = search.writes.length;
    expect(await installSearchSetup(search, options)).toEqual([]);
    expect(search.writes).toHaveLength(writes);
  });

  it('the writer can only add documents: no delete, no update, no crud, no read, no mapping change, no monitoring', async () => {
    const search = memorySearch();
    await installSearchSetup(search, { retentionDays: 90, writerRoleArns });
    const role = (await search.request('GET', `/_plugins/_security/api/roles/${writerRole}`)).body as Record<
      string,
      { cluster_permissions: string[]; index_permissions: { allowed_actions: string[] }[] }
    >;
    const allowed = role[writerRole].index_permissions.flatMap((p) => p.allowed_actions);
    expect(allowed).toEqual(['indices:admin/create', 'indices:data/write/index', 'indices:data/write/bulk*']);
    expect(allowed.join(' ')).not.toMatch(/crud|delete|update|write\/\*|read|mapping|create_index/);
    expect(role[writerRole].cluster_permissions).toEqual(['indices:data/write/bulk']);
  });

  it('people: reader, responder and admin mapped to their IAM roles and SAML groups; a changed tenant permission is written again', async () => {
    const search = memorySearch();
    const options = {
      retentionDays: 90,
      readerRoleArns,
      responderRoleArns: ['arn:aws:iam::222222222222:role/security-responder'],
      adminRoleArns: ['arn:aws:iam::222222222222:role/search-admin'],
      samlGroups: { reader: ['secops-readers'], responder: ['secops-responders'], admin: [] },
    };
    await installSearchSetup(search, options);
    const mapping = async (role: string) =>
      (
        (await search.request('GET', `/_plugins/_security/api/rolesmapping/${role}`)).body as Record<
          string,
          { backend_roles: string[] }
        >
      )[role].backend_roles;
    expect(await mapping(readerRole)).toEqual([...readerRoleArns, 'secops-readers']);
    expect(await mapping(responderRole)).toEqual([
      'arn:aws:iam::222222222222:role/security-responder',
      'secops-responders',
    ]);
    expect(await mapping(adminRole)).toEqual(['arn:aws:iam::222222222222:role/search-admin']);
    // A tenant permission changed by hand (the shared tenant made writable for readers) is put back.
    const readerPath = `/_plugins/_security/api/roles/${readerRole}`;
    await search.request(
      'PUT',
      readerPath,
      JSON.stringify({
        ...readerPermissions,
        tenant_permissions: [{ tenant_patterns: ['global_tenant'], allowed_actions: ['kibana_all_write'] }],
      }),
    );
    search.writes.length = 0;
    expect(await installSearchSetup(search, options)).toEqual([
      'configured role logwarden_reader for 2 backend role(s)',
    ]);
    expect(search.writes).toEqual([readerPath]);
  });

  it('the people’s roles: no one but the admin deletes an index; no one writes an OCSF document; only the admin writes the shared tenant', () => {
    const actionsOn = (role: typeof readerPermissions, pattern: string) =>
      (role.index_permissions as { index_patterns: string[]; allowed_actions: string[] }[])
        .filter((p) => p.index_patterns.includes(pattern))
        .flatMap((p) => p.allowed_actions);
    for (const role of [readerPermissions, responderPermissions])
      expect(actionsOn(role, 'logwarden-ocsf-*')).toEqual(['read']);
    expect(actionsOn(adminPermissions, 'logwarden-ocsf-*')).toContain('indices:admin/delete');
    for (const role of [readerPermissions, responderPermissions, adminPermissions])
      expect(actionsOn(role, 'logwarden-ocsf-*').join(' ')).not.toMatch(
        /data\/write|crud|indices_all|manage/,
      );
    expect(actionsOn(readerPermissions, '.kibana_*')).toEqual(['read']);
    expect(actionsOn(responderPermissions, '.kibana')).toEqual(['read']);
    expect(actionsOn(responderPermissions, '.kibana_*')).toContain('indices:data/write/index');
    const tenants = (role: typeof readerPermissions) =>
      (role.tenant_permissions as { allowed_actions: string[] }[]).flatMap((t) => t.allowed_actions);
    expect([readerPermissions, responderPermissions, adminPermissions].map(tenants)).toEqual([
      ['kibana_all_read'],
      ['kibana_all_read'],
      ['kibana_all_write'],
    ]);
  });

  it('audit logging keeps searches (GRANTED_PRIVILEGES) and ignores the writers', () => {
    const config = auditConfig(writerRoleArns);
    expect(config.enabled).toBe(true);
    expect(config.audit.disabled_transport_categories).not.toContain('GRANTED_PRIVILEGES');
    expect(config.audit.disabled_rest_categories).not.toContain('GRANTED_PRIVILEGES');
    expect(config.audit.ignore_users).toEqual(writerRoleArns);
  });

  /**
   * ISM runs a managed index's steps as the policy's writer: ManagedIndexRunner executes each step
   * within `IndexManagementSecurityContext(managedIndexConfig.id, settings, threadContext,
   * managedIndexConfig.policy.user)`, which injects `user.roles` (opensearch-project/index-management).
   * "With security enabled, users not only need the correct index management permissions, but
   * they also need permissions to execute actions to involved indexes" (OpenSearch documentation,
   * "Index management security").
   */
  const documentedNeeds: Record<string, { indexAction?: string; serviceRole?: string }> = {
    // AttemptDeleteStep deletes the index: the transport action indices:admin/delete.
    delete: { indexAction: 'indices:admin/delete' },
    // "If the domain uses fine-grained access control, users must be mapped to the
    // ultrawarm_manager role in OpenSearch Dashboards to make UltraWarm API calls." (Developer
    // Guide, "UltraWarm storage", Prerequisites)
    warm_migration: { serviceRole: 'ultrawarm_manager' },
    // "If the domain uses fine-grained access control, non-admin users must be mapped to the
    // cold_manager role in OpenSearch Dashboards in order to manage cold indexes." (Developer
    // Guide, "Cold storage", Prerequisites)
    cold_migration: { serviceRole: 'cold_manager' },
    cold_delete: { serviceRole: 'cold_manager' },
  };
  const tierConfigs: { name: string; retentionDays: number; tiers?: IsmTiers }[] = [
    { name: 'hot, then delete', retentionDays: 90 },
    { name: 'hot, warm, then delete', retentionDays: 90, tiers: { hotDays: 7, warmDays: 83 } },
    { name: 'hot, warm, cold, then delete', retentionDays: 365, tiers: { hotDays: 7, warmDays: 30 } },
  ];

  it.each(tierConfigs)(
    'the setup role can run every action of its own ISM policy ($name)',
    async ({ retentionDays, tiers }) => {
      const search = memorySearch();
      await installSearchSetup(search, { retentionDays, tiers, setupRoleArn, setupRoleMapped: true });
      const installed = (
        (await search.request('GET', `/_plugins/_ism/policies/logwarden-ocsf-retention`)).body as {
          policy: Parameters<typeof ismPolicyActions>[0]['policy'];
        }
      ).policy;
      const actions = ismPolicyActions({ policy: installed });
      expect(actions).toEqual(ismPolicyActions(ismPolicy(retentionDays, tiers)));
      expect(actions.length).toBeGreaterThan(0);
      const role = (
        (await search.request('GET', `/_plugins/_security/api/roles/${setupRole}`)).body as Record<
          string,
          { index_permissions: { index_patterns: string[]; allowed_actions: string[] }[] }
        >
      )[setupRole];
      const onOcsf = role.index_permissions
        .filter((p) => p.index_patterns.includes(`${indexPrefix}*`))
        .flatMap((p) => p.allowed_actions);
      for (const action of actions) {
        const need = documentedNeeds[action];
        expect([action, need]).toEqual([action, expect.anything()]);
        if (need.indexAction) expect(onOcsf).toContain(need.indexAction);
        if (need.serviceRole) {
          const mapping = (
            (await search.request('GET', `/_plugins/_security/api/rolesmapping/${need.serviceRole}`))
              .body as Record<string, { backend_roles: string[] }>
          )[need.serviceRole];
          expect(mapping.backend_roles).toContain(setupRoleArn);
        }
      }
      // Least privilege: no tier role the policy does not use, no delete without a delete step.
      const usedRoles = new Set(actions.map((a) => documentedNeeds[a].serviceRole).filter(Boolean));
      for (const serviceRole of ['ultrawarm_manager', 'cold_manager'].filter((r) => !usedRoles.has(r)))
        expect(
          (await search.request('GET', `/_plugins/_security/api/rolesmapping/${serviceRole}`)).status,
        ).toBe(404);
      expect(onOcsf.includes('indices:admin/delete')).toBe(actions.includes('delete'));
      expect(Object.keys(ismActionNeeds).sort()).toEqual(Object.keys(documentedNeeds).sort());
    },
  );

  it('mapping the setup role to ultrawarm_manager keeps who is mapped there, and writes the ISM policy again (ISM keeps its writer’s roles)', async () => {
    const search = memorySearch();
    const tiers = { hotDays: 7, warmDays: 83 };
    await installSearchSetup(search, { retentionDays: 90, tiers, setupRoleArn, setupRoleMapped: true });
    // Someone else's mapping, and the setup role's one removed, as on a domain set up before.
    await search.request(
      'PUT',
      '/_plugins/_security/api/rolesmapping/ultrawarm_manager',
      JSON.stringify({ backend_roles: ['arn:aws:iam::222222222222:role/ops'] }),
    );
    search.writes.length = 0;
    expect(
      await installSearchSetup(search, { retentionDays: 90, tiers, setupRoleArn, setupRoleMapped: true }),
    ).toEqual([
      'mapped the setup role to ultrawarm_manager (its ISM policy migrates indices)',
      'installed ISM policy logwarden-ocsf-retention (90 days)',
      'changed the policy of 3 managed logwarden-ocsf-* indices to logwarden-ocsf-retention',
    ]);
    const mapping = (
      (await search.request('GET', '/_plugins/_security/api/rolesmapping/ultrawarm_manager')).body as Record<
        string,
        { backend_roles: string[] }
      >
    ).ultrawarm_manager;
    expect(mapping.backend_roles).toEqual(['arn:aws:iam::222222222222:role/ops', setupRoleArn]);
  });

  it('before the break-glass bootstrap the setup reports the one request to send and writes nothing; after it, a refusal is an error', async () => {
    const writes: string[] = [];
    const refusing = {
      async request(method: string, path: string) {
        if (method !== 'GET') writes.push(path);
        return { status: 403, body: { error: 'no permissions' } };
      },
    };
    const [pending] = await installSearchSetup(refusing, { retentionDays: 90, writerRoleArns, setupRoleArn });
    const req = bootstrapRequest(setupRoleArn);
    expect(pending).toContain(`pending: the break-glass role must first send PATCH ${req.path}`);
    expect(pending).toContain(setupRoleArn);
    expect(writes).toEqual([]);
    await expect(
      installSearchSetup(refusing, {
        retentionDays: 90,
        writerRoleArns,
        setupRoleArn,
        setupRoleMapped: true,
      }),
    ).rejects.toThrow(/answered 403/);
  });
});
