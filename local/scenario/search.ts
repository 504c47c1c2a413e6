/**
 * The OpenSearch domain of the central stack on the local node with its security plugin: created
 * as AWS creates it (the template's master user mapped to all_access and security_manager), then
 * the stack's custom resource run as CloudFormation runs it — the real setup handler, under its own
 * role, with the properties the template gives it — around the one break-glass step of
 * docs/deploying.md ("The OpenSearch bootstrap, once"). Every later request is signed by an IAM
 * principal and mapped by the roles the setup created (local/opensearch-gateway.ts).
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { IAMClient, CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { lakeNames } from '../../contracts/lake';
import { bootstrapRequest } from '../../functions/opensearch-setup/setup';
import { opensearchSetupEnv } from '../../functions/opensearch-setup/env';
import { variableOf } from '../../functions/shared/env';
import { signedSearchClient, type SearchClient } from '../../functions/shared/opensearch/client';
import { resolveValue, type CfnTemplate } from '../asl';
import { credentialsOf, credentialsWithMfa } from '../emulated-org';
import type { LocalSearch } from '../opensearch';
import { asRoot } from '../standins/prerequisites';
import { functionHandler, templateFunctions, type Credentials } from '../template-functions';
import type { Organization } from './organization';

const roleName = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);
const accountOf = (arn: string) => arn.split(':')[4];

function resourceOfType(template: CfnTemplate, type: string, has?: string) {
  const found = Object.entries(template.Resources).find(
    ([, r]) => r.Type === type && (!has || r.Properties?.[has] !== undefined),
  );
  if (!found) throw new Error(`the central template has no ${type}${has ? ` with ${has}` : ''}`);
  return found[1];
}

/** The domain's master user, as the template gives it to CloudFormation. */
export function masterUserArn(org: Organization): string {
  const domain = resourceOfType(org.central, 'AWS::OpenSearchService::Domain');
  const options = domain.Properties?.AdvancedSecurityOptions as {
    MasterUserOptions: { MasterUserARN: unknown };
  };
  return resolveValue(
    org.central,
    options.MasterUserOptions.MasterUserARN,
    org.config.homeRegion,
    org.logArchive,
  );
}

/**
 * The people's roles of the log-archive account that reach the domain, as a real organization
 * has them before deploying (docs/deploying.md, "The break-glass role and its SCP"; the
 * `openSearch.readerRoleArns`, `responderRoleArns`, `adminRoleArns`), with the domain's HTTP actions. The break-glass role is already
 * there, a prerequisite with its MFA trust (contracts/prerequisites.ts); the readers' roles are
 * created here, assumed by the organization's administrator.
 */
export async function createSearchPeople(org: Organization): Promise<void> {
  const { readerRoleArns, responderRoleArns, adminRoleArns } = org.config.openSearch;
  const arns = [org.config.breakGlassRoleArn, ...readerRoleArns, ...responderRoleArns, ...adminRoleArns];
  for (const arn of arns.filter((a) => accountOf(a) === org.logArchive)) {
    const iam = asRoot(IAMClient, org.endpoint, org.logArchive, 'us-east-1');
    await iam
      .send(
        new CreateRoleCommand({
          RoleName: roleName(arn),
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::${org.management}:root` },
                Action: 'sts:AssumeRole',
              },
            ],
          }),
        }),
      )
      .catch((err: Error) => {
        if (err.name !== 'EntityAlreadyExistsException') throw err;
      });
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName(arn),
        PolicyName: 'search-domain',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: [
                'es:ESHttpGet',
                'es:ESHttpHead',
                'es:ESHttpPost',
                'es:ESHttpPut',
                'es:ESHttpDelete',
                'es:ESHttpPatch',
              ],
              Resource: `arn:aws:es:${org.config.homeRegion}:${org.logArchive}:domain/logwarden/*`,
            },
          ],
        }),
      }),
    );
    // An analyst may also take the lake's reader role (its trust names the analysts: docs/lake.md).
    if (arn !== org.config.breakGlassRoleArn)
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: roleName(arn),
          PolicyName: 'lake',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: 'sts:AssumeRole',
                Resource: `arn:aws:iam::${org.logArchive}:role/${lakeNames.readerRole}`,
              },
            ],
          }),
        }),
      );
  }
}

/** A client of the domain signed by `credentials` (an IAM principal of the stand-in). */
export function searchAs(org: Organization, search: LocalSearch, credentials: Credentials): SearchClient {
  return signedSearchClient({
    endpoint: search.endpoint,
    region: org.config.homeRegion,
    credentials: async () => credentials,
  });
}

/**
 * A person acting as one of the log-archive account's roles: the break-glass role taken with MFA
 * by a person of that account, as its trust requires; a reader role by the organization's
 * administrator.
 */
export function personAs(org: Organization, search: LocalSearch, roleArn: string): Promise<SearchClient> {
  const credentials =
    roleArn === org.config.breakGlassRoleArn
      ? credentialsWithMfa(org.endpoint, roleArn)
      : credentialsOf(accountOf(roleArn), roleName(roleArn));
  return credentials.then((c) => searchAs(org, search, c));
}

/**
 * Makes everything indexed so far searchable now, as the break-glass role (the template refreshes
 * every 5 s; a reader may only read, not refresh).
 */
export async function refreshAsOperator(org: Organization, search: LocalSearch): Promise<void> {
  const operator = await personAs(org, search, org.config.breakGlassRoleArn);
  const res = await operator.request('POST', '/logwarden-ocsf-*/_refresh');
  if (res.status >= 300) throw new Error(`refresh answered ${res.status}: ${JSON.stringify(res.body)}`);
}

/**
 * A person reading the data: the first configured reader role of the log-archive account, else
 * the break-glass role.
 */
export function analyst(org: Organization, search: LocalSearch): Promise<SearchClient> {
  return personAs(org, search, analystRoleArn(org) ?? org.config.breakGlassRoleArn);
}

/** The first configured reader role of the log-archive account: the run's analyst. */
export function analystRoleArn(org: Organization): string | undefined {
  return org.config.openSearch.readerRoleArns.find((a) => accountOf(a) === org.logArchive);
}

/** The setup custom resource's properties, resolved as CloudFormation passes them. */
function setupProperties(org: Organization): Record<string, unknown> {
  const setup = resourceOfType(org.central, 'AWS::CloudFormation::CustomResource', 'SetupRoleArn');
  const resolve = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(resolve) : resolveValue(org.central, v, org.config.homeRegion, org.logArchive);
  return Object.fromEntries(
    Object.entries(setup.Properties ?? {})
      .filter(([k]) => k !== 'ServiceToken')
      .map(([k, v]) => [k, resolve(v)]),
  );
}

export interface SearchDeployment {
  /** What each run of the setup reported, in order (the first deployment's pending run included). */
  runs: string[];
  /** The setup function's properties as the template gives them. */
  properties: Record<string, unknown>;
  /** The setup run once more, as the next deployment runs it; returns what it reported. */
  again(): Promise<string>;
}

/**
 * Creates the domain on the local node and runs the stack's setup custom resource as a first
 * deployment does (reported pending until the bootstrap), then the break-glass role's bootstrap
 * request, then the setup again as the deployment with `openSearch.setupRoleMapped: true`
 * (its one changed property).
 */
export async function deploySearch(org: Organization, search: LocalSearch): Promise<SearchDeployment> {
  const region = org.config.homeRegion;
  await createSearchPeople(org);
  await search.createDomain({ iamEndpoint: org.endpoint, region, masterUserArn: masterUserArn(org) });
  const fn = templateFunctions(org.central, region, org.logArchive).find(
    (f) => f.name === 'opensearch-setup',
  );
  if (!fn) throw new Error('the central template has no opensearch-setup function');
  const setup = functionHandler(
    {
      ...fn,
      environment: {
        ...fn.environment,
        [variableOf(opensearchSetupEnv, 'opensearchEndpoint')]: search.endpoint,
      },
    },
    await org.roleCredentials(fn.roleArn),
  );
  const properties = setupProperties(org);
  const run = async (requestType: 'Create' | 'Update', props: Record<string, unknown>) => {
    const event = {
      RequestType: requestType,
      ServiceToken: 'local',
      ResponseURL: 'http://127.0.0.1/',
      StackId: `arn:aws:cloudformation:${region}:${org.logArchive}:stack/LogwardenCentral/local`,
      RequestId: `local-${requestType}`,
      LogicalResourceId: 'SearchSetup',
      ResourceType: 'AWS::CloudFormation::CustomResource',
      ResourceProperties: { ServiceToken: 'local', ...props },
      ...(requestType === 'Update'
        ? {
            PhysicalResourceId: 'logwarden-opensearch-setup',
            OldResourceProperties: { ServiceToken: 'local', ...properties },
          }
        : {}),
    } as CloudFormationCustomResourceEvent;
    return ((await setup(event)) as { Data: { actions: string } }).Data.actions;
  };
  const runs: string[] = [];
  const mapped = properties.SetupRoleMapped === 'true';
  if (!mapped) runs.push(await run('Create', properties));
  // The break-glass role's one request (the stack output SearchBootstrapRequest).
  const breakGlass = await personAs(org, search, org.config.breakGlassRoleArn);
  const req = bootstrapRequest(String(properties.SetupRoleArn));
  const sent = await breakGlass.request('PATCH', req.path, JSON.stringify(req.body));
  if (sent.status >= 300)
    throw new Error(`the break-glass bootstrap answered ${sent.status}: ${JSON.stringify(sent.body)}`);
  const deployed = { ...properties, SetupRoleMapped: 'true' };
  runs.push(await run(mapped ? 'Create' : 'Update', deployed));
  return { runs, properties, again: () => run('Update', deployed) };
}
