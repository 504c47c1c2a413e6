import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { memberControls, names } from '../../contracts/names';
import { buildExample, exampleConfig, templateOf } from './example-app';

/**
 * Every AWS call a control-plane function sends has an IAM grant: the IAM gate proves each grant
 * can match, this proves none is missing. The calls are read from the code (the `*Command`
 * classes each function, and the shared modules it imports, sends); the grants from the
 * synthesized templates: the function's own role, plus the member execution role for the
 * controls that act in member accounts.
 */
const functionsDir = path.join(__dirname, '..', '..', 'functions');

/** IAM service prefix of each SDK client package. */
const PREFIX: Record<string, string> = {
  '@aws-sdk/client-account': 'account',
  '@aws-sdk/client-cloudtrail': 'cloudtrail',
  '@aws-sdk/client-cloudwatch-logs': 'logs',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-eventbridge': 'events',
  '@aws-sdk/client-guardduty': 'guardduty',
  '@aws-sdk/client-organizations': 'organizations',
  '@aws-sdk/client-sfn': 'states',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-sts': 'sts',
};

/** The IAM actions a function's code sends, following its relative imports inside functions/. */
function actionsSentBy(folder: string): Set<string> {
  const actions = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || !existsSync(file)) return;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    const clientOf = new Map<string, string>();
    for (const m of code.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'([^']+)'/g)) {
      const [, imported, from] = m;
      if (from.startsWith('.')) {
        const target = path.resolve(path.dirname(file), from);
        if (target.startsWith(functionsDir)) visit(`${target}.ts`);
      } else if (PREFIX[from]) {
        for (const name of imported.split(',').map((n) => n.trim()))
          if (name.endsWith('Command')) clientOf.set(name, PREFIX[from]);
      }
    }
    for (const [, command] of code.matchAll(/new\s+(\w+Command)\s*\(/g)) {
      const prefix = clientOf.get(command);
      if (!prefix) throw new Error(`${file}: ${command} comes from no known SDK client (add it to PREFIX)`);
      actions.add(`${prefix}:${command.replace(/Command$/, '')}`);
    }
  };
  for (const f of readdirSync(path.join(functionsDir, folder)).filter((f) => f.endsWith('.ts')))
    visit(path.join(functionsDir, folder, f));
  return actions;
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** Every action pattern an Allow statement gives the role with this logical id. */
function patternsGrantedTo(resources: Resources, roleId: string): string[] {
  const docs: unknown[] = [];
  const role = resources[roleId];
  for (const p of (role.Properties.Policies as { PolicyDocument: unknown }[] | undefined) ?? [])
    docs.push(p.PolicyDocument);
  for (const r of Object.values(resources))
    if (
      r.Type === 'AWS::IAM::Policy' &&
      (r.Properties.Roles as { Ref?: string }[]).some((x) => x.Ref === roleId)
    )
      docs.push(r.Properties.PolicyDocument);
  return docs.flatMap((d) =>
    ((d as { Statement: { Effect: string; Action: string | string[] }[] }).Statement ?? [])
      .filter((s) => s.Effect === 'Allow')
      .flatMap((s) => ([] as string[]).concat(s.Action)),
  );
}

const grants = (patterns: string[], action: string) =>
  patterns.some((p) =>
    new RegExp(
      `^${p
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replaceAll('*', '.*')
        .replaceAll('?', '.')}$`,
      'i',
    ).test(action),
  );

describe('every AWS call of a control-plane function is granted', () => {
  const built = buildExample(exampleConfig());
  const control = templateOf(built.controlPlane).toJSON().Resources as Resources;
  const member = templateOf(built.memberBaseline).toJSON().Resources as Resources;
  const memberRoleId = Object.keys(member).find(
    (id) => member[id].Properties?.RoleName === names.memberExecutionRole,
  )!;
  const memberPatterns = patternsGrantedTo(member, memberRoleId);

  /** The functions of the control plane, by their folder (POWERTOOLS_SERVICE_NAME is `logwarden-<folder>`). */
  const functions = Object.values(control)
    .filter((r) => r.Type === 'AWS::Lambda::Function')
    .map((r) => {
      const env = (r.Properties.Environment as { Variables: Record<string, string> }).Variables;
      const folder = env.POWERTOOLS_SERVICE_NAME.replace(/^logwarden-/, '');
      const roleId = (r.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      return { folder, roleId };
    })
    .filter((f) => existsSync(path.join(functionsDir, f.folder)));

  it('finds the control functions', () => {
    expect(functions.map((f) => f.folder)).toEqual(
      expect.arrayContaining([...memberControls, 'ensure-guardduty', 'write-ledger']),
    );
  });

  it('would catch a missing grant: the flow-log control without the member role cannot create flow logs', () => {
    const { roleId } = functions.find((f) => f.folder === 'ensure-flow-logs')!;
    const own = patternsGrantedTo(control, roleId);
    const sent = actionsSentBy('ensure-flow-logs');
    expect(sent).toContain('ec2:CreateFlowLogs');
    expect([...sent].filter((a) => !grants(own, a))).toContain('ec2:CreateFlowLogs');
  });

  it.each(functions.map((f) => [f.folder, f.roleId]))('%s', (folder, roleId) => {
    const own = patternsGrantedTo(control, roleId);
    const actsInMembers = (memberControls as readonly string[]).includes(folder);
    const sent = [...actionsSentBy(folder)];
    expect(sent.length).toBeGreaterThan(0);
    const missing = sent.filter((a) => !grants(own, a) && !(actsInMembers && grants(memberPatterns, a)));
    expect(missing).toEqual([]);
  });

  /**
   * Granted without a `*Command` of their own: each is a dependent action (SAR) of a call the
   * control makes, or the credential step, with the reason.
   */
  const grantedForACall: Record<string, string> = {
    'sts:AssumeRole': 'the member clients assume the member execution role (credential provider)',
    'ec2:CreateTags': 'CreateFlowLogs with TagSpecifications',
    'logs:TagResource': 'CreateLogGroup with tags',
    'cloudtrail:AddTags': 'CreateTrail with TagsList (SAR dependent action)',
    'iam:PassRole':
      'CreateFlowLogs passes the delivery role; CreateTrail/UpdateTrail the CloudWatch Logs role',
    'iam:GetRole': "CreateTrail/UpdateTrail depend on CloudTrail's service-linked role (SAR)",
    'iam:CreateServiceLinkedRole': "CreateTrail/UpdateTrail depend on CloudTrail's service-linked role (SAR)",
    'organizations:ListAWSServiceAccessForOrganization': 'CreateTrail/UpdateTrail dependent action (SAR)',
    'ecs:ListClusters': 'CreateFlowLogs with the ECS fields of lw-vpc-v8 (SAR dependent action)',
    'ecs:ListContainerInstances': 'CreateFlowLogs with the ECS fields of lw-vpc-v8 (SAR dependent action)',
    'ecs:ListServices': 'CreateFlowLogs with the ECS fields of lw-vpc-v8 (SAR dependent action)',
    'ecs:ListTaskDefinitions': 'CreateFlowLogs with the ECS fields of lw-vpc-v8 (SAR dependent action)',
    'ecs:ListTasks': 'CreateFlowLogs with the ECS fields of lw-vpc-v8 (SAR dependent action)',
    'kms:Decrypt':
      "ensure-subscription's GetItem on the ledger, a table under a customer managed key (KMS Developer Guide, How Amazon DynamoDB uses AWS KMS)",
  };

  it('grants nothing the controls do not call (least privilege, the member role and each control’s own)', () => {
    const sentBy = (fns: readonly string[]) =>
      new Set(fns.flatMap((fn) => [...actionsSentBy(fn)].map((a) => a.toLowerCase())));
    const unused = (patterns: string[], sent: Set<string>) =>
      [...new Set(patterns)].filter(
        (p) => !p.includes('*') && !sent.has(p.toLowerCase()) && !(p in grantedForACall),
      );
    // The member role: only what the controls that act in members send (ensure-guardduty acts
    // only as the delegated administrator, with its own role).
    expect(unused(memberPatterns, sentBy(memberControls))).toEqual([]);
    expect(memberPatterns.filter((p) => p.startsWith('guardduty:'))).toEqual([]);
    for (const fn of [...memberControls, 'ensure-guardduty']) {
      const { roleId } = functions.find((f) => f.folder === fn)!;
      const own = patternsGrantedTo(control, roleId).filter((p) => !p.startsWith('xray:'));
      expect([fn, unused(own, sentBy([fn]))]).toEqual([fn, []]);
    }
  });
});
