/**
 * scope.coverManagementAccount: the management account's regions are listed in its own
 * standalone context ("The specified account ID must be a member account in the same
 * organization", Account API Reference, AccountId; "The management account can only be managed
 * using the standalone context from the management account", AWS's AccessDeniedException as
 * quoted in aws-samples/data-perimeter-helper#8), through a role of the member baseline that
 * exists only where the baseline is deployed in the management account, trusted by list-regions
 * alone and allowed account:ListRegions alone.
 */
import { controlRoleArn, managementRegionListerRoleArn, names } from '../../contracts/names';
import { buildExample, exampleConfig, exampleConfigRaw, templateOf } from './example-app';

const covering = exampleConfig({
  scope: { ...(exampleConfigRaw().scope as object), coverManagementAccount: true },
});

type Resource = { Type: string; Condition?: string; Properties: Record<string, unknown> };

function listerRole(resources: Record<string, Resource>): Resource | undefined {
  return Object.values(resources).find(
    (r) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName === names.managementRegionListerRole,
  );
}

/** The statements of list-regions' own policy in the control plane. */
function listRegionsStatements(
  resources: Record<string, Resource>,
): { Action: unknown; Resource: unknown }[] {
  return Object.values(resources)
    .filter(
      (r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes('listregions'),
    )
    .flatMap(
      (r) =>
        (r.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement,
    );
}

describe('the management account region lister (scope.coverManagementAccount)', () => {
  it('with the option: a role only in the management account, trusted by list-regions, allowed account:ListRegions; list-regions may assume exactly it', () => {
    const stacks = buildExample(covering);
    const baseline = templateOf(stacks.memberBaseline).toJSON() as {
      Resources: Record<string, Resource>;
      Conditions: Record<string, unknown>;
    };
    const role = listerRole(baseline.Resources)!;
    expect(role).toBeDefined();
    expect(JSON.stringify(baseline.Conditions[role.Condition!])).toContain(covering.accounts.management);
    const trust = role.Properties.AssumeRolePolicyDocument as {
      Statement: { Principal: { AWS: unknown }; Condition: unknown }[];
    };
    expect(trust.Statement.map((s) => s.Principal.AWS)).toEqual([
      controlRoleArn('list-regions', covering.accounts.securityTooling),
    ]);
    expect(trust.Statement[0].Condition).toEqual({
      StringEquals: { 'aws:PrincipalOrgID': covering.organizationId },
    });
    const policies = role.Properties.Policies as { PolicyDocument: { Statement: { Action: unknown }[] } }[];
    expect(policies.flatMap((p) => p.PolicyDocument.Statement.map((s) => s.Action))).toEqual([
      'account:ListRegions',
    ]);

    const control = templateOf(stacks.controlPlane).toJSON() as { Resources: Record<string, Resource> };
    expect(listRegionsStatements(control.Resources)).toContainEqual(
      expect.objectContaining({
        Action: 'sts:AssumeRole',
        Resource: managementRegionListerRoleArn(covering.accounts.management),
      }),
    );
  });

  it('without it (the default): no such role, and list-regions assumes nothing', () => {
    const stacks = buildExample(exampleConfig());
    const baseline = templateOf(stacks.memberBaseline).toJSON() as { Resources: Record<string, Resource> };
    expect(listerRole(baseline.Resources)).toBeUndefined();
    const control = templateOf(stacks.controlPlane).toJSON() as { Resources: Record<string, Resource> };
    const statements = listRegionsStatements(control.Resources);
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.map((s) => s.Action)).not.toContain('sts:AssumeRole');
  });
});
