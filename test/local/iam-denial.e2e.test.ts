/**
 * A grant missing from a template fails locally as it would in AWS: the member baseline is
 * deployed with its flow-log statement narrowed (no `ec2:CreateFlowLogs`), every function runs
 * under its own role on the stand-ins with IAM enforced, and cover-account-region reports the
 * flow-log control failed with EC2's own error (`UnauthorizedOperation`), in its output and in
 * the ledger, while the other controls are covered as usual.
 */
import { member, ledgerStatuses, memberFlowLogs } from '../../local/emulated-org';
import { resourcesOf, type DeployedStack } from '../../local/deployment';
import { startMoto, type Moto } from '../../local/moto';
import { existingAccount } from '../../local/scenario/onboard';
import { emulateOrganization, type Organization } from '../../local/scenario/organization';

interface Statement {
  Sid?: string;
  Action: string | string[];
}

/** The member execution role of the baseline, without ec2:CreateFlowLogs. */
function withoutCreateFlowLogs(stack: DeployedStack): DeployedStack['template'] {
  const template = JSON.parse(JSON.stringify(stack.template)) as DeployedStack['template'];
  if (!stack.stackName.startsWith('StackSet-')) return template;
  const copy = { ...stack, template };
  for (const [, r] of resourcesOf(copy)) {
    if (r.Type !== 'AWS::IAM::Role' || r.Properties?.RoleName !== 'logwarden-member-execution') continue;
    for (const policy of r.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[])
      for (const statement of policy.PolicyDocument.Statement) {
        const actions = ([] as string[]).concat(statement.Action);
        if (actions.includes('ec2:CreateFlowLogs'))
          statement.Action = actions.filter((a) => a !== 'ec2:CreateFlowLogs');
      }
  }
  return template;
}

let moto: Moto;
let org: Organization;
const region = 'eu-west-1';

beforeAll(async () => {
  moto = await startMoto();
  org = await emulateOrganization(moto.endpoint, { members: [member], amendTemplate: withoutCreateFlowLogs });
  await existingAccount(org, member);
}, 180_000);

afterAll(async () => {
  await moto?.stop();
});

describe('a missing grant, end to end with IAM enforced', () => {
  it('the flow-log control fails as UnauthorizedOperation, recorded failed; the other controls are covered', async () => {
    const before = (await org.denials()).length;
    const { run } = await org.plane.start('cover-account-region', 'narrowed', { account: member, region });
    const output = run!.output as {
      counts: Record<string, number>;
      failed: { account: string; region: string; control: string; reason: string }[];
    };
    expect(output.failed).toEqual([
      {
        account: member,
        region,
        control: 'flow-logs',
        reason: expect.stringMatching(
          /^UnauthorizedOperation: .*assumed-role\/logwarden-member-execution\/.* is not authorized to perform: ec2:CreateFlowLogs/,
        ),
      },
    ]);
    const statuses = await ledgerStatuses();
    expect(statuses[`${region}#flow-logs`]).toBe('failed');
    for (const control of ['trail', 'guardduty', 'subscription'])
      expect(statuses[`${region}#${control}`]).toMatch(/^(covered|healed)$/);
    // Nothing was created in its place, and the only calls refused were CreateFlowLogs.
    const flowLogs = await memberFlowLogs(region);
    expect(flowLogs.count).toBe(0);
    const refused = (await org.denials()).slice(before);
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused.map((d) => `${d.action} ${d.code}`))).toEqual(
      new Set(['ec2:CreateFlowLogs UnauthorizedOperation']),
    );
  }, 120_000);
});
