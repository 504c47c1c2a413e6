/**
 * No loops (issue 21 §4): every log group logwarden creates in the log-archive and security-tooling
 * accounts is excluded from the account subscription policy, read from the synthesized templates
 * and from the selection criteria the subscription control puts.
 *
 * The CloudWatch Logs User Guide's "Log recursion prevention" warns of a subscription whose
 * consumers' own logs are subscribed again; the account-level policy excludes groups by name
 * (`selectionCriteria`: `LogGroupName NOT IN [...]`), so every such group needs a fixed name.
 */
import { Stack } from 'aws-cdk-lib';
import { buildExample, exampleConfig } from './example-app';
import { names } from '../../contracts/names';
import { subscriptionSettings } from '../../functions/ensure-subscription/handler';
import { selectionCriteria } from '../../functions/ensure-subscription/ensure-subscription';

interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
}

const config = exampleConfig();
const built = buildExample(config);
const assembly = built.app.synth();
const pipelineAccounts = [config.accounts.logArchive, config.accounts.securityTooling];
const stacks = built.app.node.children
  .filter((c): c is Stack => c instanceof Stack)
  .filter((s) => pipelineAccounts.includes(s.account));

/**
 * Log groups logwarden creates there that carry the organization's data, not its own: the
 * organization trail's group (in security tooling, CloudTrail's calling account) is subscribed on
 * purpose, it is the trail's way into the pipeline.
 */
const dataGroups = new Set<string>([names.trailLogGroup]);

/** The log groups a template makes: named groups, and where each function writes its logs. */
function logGroupsOf(stack: Stack): { named: Map<string, string>; unnamed: string[] } {
  const resources = (
    assembly.getStackByName(stack.stackName).template as { Resources: Record<string, Resource> }
  ).Resources;
  const named = new Map<string, string>();
  const unnamed: string[] = [];
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::Logs::LogGroup') continue;
    const name = r.Properties?.LogGroupName;
    if (typeof name === 'string') named.set(id, name);
    else unnamed.push(`${stack.stackName}/${id} (a log group without a fixed name)`);
  }
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    // "By default, CloudWatch automatically creates a log group named /aws/lambda/<function name>
    // for your function when it's first invoked" (Lambda Developer Guide, "Configuring CloudWatch
    // log groups"): a group no template names, and so one no selection criteria can exclude.
    const ref = (r.Properties?.LoggingConfig as { LogGroup?: { Ref?: string } } | undefined)?.LogGroup?.Ref;
    if (!ref || !named.has(ref))
      unnamed.push(`${stack.stackName}/${id} (Lambda's default /aws/lambda/ group)`);
  }
  return { named, unnamed };
}

/** The names a `LogGroupName NOT IN [...]` selection criteria excludes. */
function excludedBy(criteria: string): string[] {
  const list = /^LogGroupName NOT IN (\[.*\])$/s.exec(criteria);
  if (!list) throw new Error(`not a NOT IN selection criteria: ${criteria}`);
  return JSON.parse(list[1]) as string[];
}

describe('the pipeline’s own log groups never feed the pipeline', () => {
  const excluded = new Set(
    pipelineAccounts.flatMap((account) =>
      excludedBy(
        selectionCriteria(
          subscriptionSettings(account, config.homeRegion, { logArchiveAccount: config.accounts.logArchive })
            .excludedLogGroups,
        ),
      ),
    ),
  );

  it('the templates of both accounts are read', () => {
    expect(stacks.map((s) => s.account).sort()).toEqual(expect.arrayContaining(pipelineAccounts.sort()));
  });

  it.each(stacks.map((s) => [s.stackName, s] as const))(
    '%s: every log group it creates is named and excluded, or is data',
    (_name, stack) => {
      const { named, unnamed } = logGroupsOf(stack);
      expect(unnamed).toEqual([]);
      const subscribed = [...named.values()].filter((g) => !excluded.has(g) && !dataGroups.has(g));
      expect(subscribed).toEqual([]);
    },
  );

  it('the search VPC has its own flow log, to an excluded group', () => {
    const central = assembly.getStackByName(built.central.stackName).template as {
      Resources: Record<string, Resource>;
    };
    const groups = new Map(
      Object.entries(central.Resources)
        .filter(([, r]) => r.Type === 'AWS::Logs::LogGroup')
        .map(([id, r]) => [id, r.Properties?.LogGroupName as string]),
    );
    const flowLogs = Object.values(central.Resources).filter((r) => r.Type === 'AWS::EC2::FlowLog');
    expect(flowLogs).toHaveLength(1);
    const group = groups.get((flowLogs[0].Properties?.LogGroupName as { Ref: string }).Ref);
    expect(excluded.has(group as string)).toBe(true);
  });
});
