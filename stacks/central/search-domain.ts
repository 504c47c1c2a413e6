import { Annotations, CfnOutput, CustomResource, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import indexTemplate from '../../functions/shared/opensearch/ocsf-index-template.json';
import ismPolicy from '../../functions/shared/opensearch/ocsf-ism-policy.json';
import {
  describeSearchDomain,
  pipelineSearchOf,
  searchZoneCount,
  type LogwardenConfig,
} from '../../contracts/config';
import { acknowledge, checkovSkip, logicalIdOf } from '../../workflows/acknowledge';
import { bootstrapRequest } from '../../functions/opensearch-setup/setup';
import { pipelineLogGroup } from '../../contracts/names';
import { perAccountName } from '../../contracts/pipelines';
import { NodeFunction } from '../node-function';
import { maxShardsPerDataNode } from '../../contracts/search-sizing';
import { opensearchSetupEnv } from '../../functions/opensearch-setup/env';

/** The SAML IdP's metadata XML named by `openSearch.login.idpMetadataFile`. */
function readIdpMetadata(file: string): string {
  let xml: string;
  try {
    xml = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`openSearch.login.idpMetadataFile: cannot read ${file} (${(err as Error).message})`);
  }
  if (!/<(\w+:)?EntityDescriptor[\s>]/.test(xml))
    throw new Error(`openSearch.login.idpMetadataFile: ${file} is not SAML metadata (no EntityDescriptor)`);
  return xml;
}

export interface SearchDomainProps {
  readonly config: LogwardenConfig;
  readonly domainKey: kms.IKey;
  readonly logKey: kms.IKey;
}

/** The setup function's fixed name: its role's policy names the function's ARN. */
export const setupFunctionName = 'logwarden-opensearch-setup';
/** The setup role's fixed name: the break-glass bootstrap request names it. */
export const setupRoleName = 'logwarden-search-setup';

/**
 * The OpenSearch domain, in isolated subnets of its own VPC: fine-grained access control whose
 * master user is the break-glass role, encryption at rest and in transit, HTTPS with TLS 1.2+,
 * audit, slow and error logs. A custom resource installs the OCSF index template, the ISM
 * policy, the writer and reader roles and the audit configuration, as the setup role that the
 * break-glass role maps once (functions/opensearch-setup/setup.ts, bootstrapRequest).
 */
export class SearchDomain extends Construct {
  readonly vpc: ec2.Vpc;
  readonly domain: opensearch.Domain;
  readonly clientSecurityGroup: ec2.SecurityGroup;
  /** The cluster's shard limit, for the shard alarm. */
  readonly maxShards: number;
  /** gp3 GiB per data node, for the free-storage alarm. */
  readonly volumeGiB: number;
  readonly dataNodes: number;
  /**
   * The security group of whatever carries analysts into the VPC (a Client VPN endpoint, a
   * bastion's Session Manager tunnel, a proxy): the domain admits HTTPS from it.
   */
  readonly analystSecurityGroup: ec2.SecurityGroup;
  private readonly cluster: ReturnType<typeof pipelineSearchOf>;
  private readonly setupRole: iam.Role;
  private readonly writers: iam.IRole[] = [];
  private readonly logKey: kms.IKey;

  constructor(scope: Construct, id: string, props: SearchDomainProps) {
    super(scope, id);
    const { openSearch } = props.config;
    const login = openSearch.login;
    this.logKey = props.logKey;
    const azCount = searchZoneCount(openSearch);
    // With pipeline.regional each pipeline's domain is sized for its own share (contracts/config.ts).
    const cluster = pipelineSearchOf(props.config, Stack.of(this).region);
    this.cluster = cluster;
    if (props.config.pipeline.regional)
      Annotations.of(this).addWarningV2(
        'logwarden:search-sizing',
        `the search domain of the pipeline in ${describeSearchDomain(props.config, Stack.of(this).region)} (docs/pipeline.md, "Residency")`,
      );
    // Past the cluster's total, creating an index, and so indexing into a new daily index, is
    // refused; OpenSearch 2.17 and above on the service: by heap (contracts/search-sizing.ts).
    this.maxShards = maxShardsPerDataNode(openSearch.instanceType) * cluster.dataNodes;
    this.volumeGiB = cluster.volumeGiB;
    this.dataNodes = cluster.dataNodes;

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: azCount,
      natGateways: 0,
      // Nothing uses the default security group; without its rules it cannot be used by mistake.
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [{ name: 'search', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
      flowLogs: {
        all: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(
            new logs.LogGroup(this, 'VpcFlowLogs', {
              logGroupName: pipelineLogGroup('search-vpc-flow-logs'),
              retention: logs.RetentionDays.ONE_YEAR,
              encryptionKey: props.logKey,
              removalPolicy: RemovalPolicy.RETAIN,
            }),
          ),
        },
      },
    });
    this.clientSecurityGroup = new ec2.SecurityGroup(this, 'ClientSg', {
      vpc: this.vpc,
      description: 'logwarden functions that call the OpenSearch domain',
      // The subnets are isolated (no NAT, no internet route): egress reaches only the domain and
      // the S3 gateway endpoint.
      allowAllOutbound: true,
    });
    const domainSg = new ec2.SecurityGroup(this, 'DomainSg', {
      vpc: this.vpc,
      description: 'logwarden OpenSearch domain: HTTPS from logwarden functions only',
      allowAllOutbound: false,
    });
    domainSg.addIngressRule(this.clientSecurityGroup, ec2.Port.tcp(443), 'HTTPS from logwarden functions');

    const stack = Stack.of(this);
    // IAM is global: the pipelines outside the home region name their setup role with their region.
    const setupRole = perAccountName(props.config, setupRoleName, stack.region);
    this.setupRole = new iam.Role(this, 'SetupRole', {
      roleName: setupRole,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'OpenSearch setup: installs the index template, ISM policy, roles and audit configuration',
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'),
      ],
    });
    acknowledge(
      this.setupRole,
      'The AWS-maintained minimum for a Lambda function in a VPC (ENI management and its own logs).',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
    );

    const logGroup = (name: string, groupName: string) =>
      new logs.LogGroup(this, name, {
        logGroupName: pipelineLogGroup(groupName),
        retention: logs.RetentionDays.ONE_YEAR,
        encryptionKey: props.logKey,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    this.domain = new opensearch.Domain(this, 'Domain', {
      domainName: 'logwarden',
      version: opensearch.EngineVersion.OPENSEARCH_2_19,
      capacity: {
        dataNodes: cluster.dataNodes,
        dataNodeInstanceType: openSearch.instanceType,
        // UltraWarm, then cold storage, as the sized cluster needs them (contracts/search-sizing.ts).
        ...(cluster.size?.warm
          ? { warmNodes: cluster.size.warm.nodes, warmInstanceType: cluster.size.warm.instanceType }
          : {}),
        ...(openSearch.dedicatedMasterType
          ? { masterNodes: 3, masterNodeInstanceType: openSearch.dedicatedMasterType }
          : {}),
        multiAzWithStandbyEnabled: false,
      },
      ebs: { volumeSize: cluster.volumeGiB, volumeType: ec2.EbsDeviceVolumeType.GP3 },
      ...(cluster.size?.cold ? { coldStorageEnabled: true } : {}),
      zoneAwareness: openSearch.zoneAwareness
        ? { enabled: true, availabilityZoneCount: azCount }
        : { enabled: false },
      vpc: this.vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      securityGroups: [domainSg],
      encryptionAtRest: { enabled: true, kmsKey: props.domainKey },
      nodeToNodeEncryption: true,
      enforceHttps: true,
      tlsSecurityPolicy: opensearch.TLSSecurityPolicy.TLS_1_2_PFS,
      // The master user is a person's break-glass role, not a Lambda role a developer could pass.
      fineGrainedAccessControl: {
        masterUserArn: props.config.breakGlassRoleArn,
        ...(login?.type === 'saml'
          ? {
              samlAuthenticationEnabled: true,
              samlAuthenticationOptions: {
                idpEntityId: login.idpEntityId,
                idpMetadataContent: readIdpMetadata(login.idpMetadataFile),
                rolesKey: login.rolesKey,
                ...(login.subjectKey ? { subjectKey: login.subjectKey } : {}),
                sessionTimeoutMinutes: login.sessionTimeoutMinutes,
              },
            }
          : {}),
      },
      ...(login?.type === 'cognito'
        ? {
            cognitoDashboardsAuth: {
              userPoolId: login.userPoolId,
              identityPoolId: login.identityPoolId,
              role: this.cognitoAccessRole(),
            },
          }
        : {}),
      logging: {
        auditLogEnabled: true,
        auditLogGroup: logGroup('AuditLogs', 'search-audit'),
        slowSearchLogEnabled: true,
        slowSearchLogGroup: logGroup('SlowSearchLogs', 'search-slow-search'),
        slowIndexLogEnabled: true,
        slowIndexLogGroup: logGroup('SlowIndexLogs', 'search-slow-index'),
        appLogEnabled: true,
        appLogGroup: logGroup('ErrorLogs', 'search-errors'),
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // IAM principals of this account, then fine-grained roles decide. With SAML, a browser's
    // requests to Dashboards are not signed: "For VPC access domains, use an open access policy
    // … and security groups to control access" (Developer Guide, "OpenSearch Dashboards",
    // Controlling access to Dashboards); fine-grained access control then admits only a SAML
    // session or a mapped IAM principal, and the security group only the analysts' network.
    this.domain.addAccessPolicies(
      new iam.PolicyStatement({
        principals: [
          login?.type === 'saml' ? new iam.AnyPrincipal() : new iam.AccountPrincipal(Stack.of(this).account),
        ],
        actions: ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpDelete'],
        resources: [`${this.domain.domainArn}/*`],
      }),
    );
    if (login?.type === 'saml')
      acknowledge(
        this.domain,
        'SAML sign-in to Dashboards: a browser session is not SigV4-signed, and AWS documents an open access policy with security groups for VPC domains; fine-grained access control still admits only SAML sessions and mapped IAM roles, and the domain is reachable only from the VPC security groups.',
        'AwsSolutions-OS5',
      );
    this.analystSecurityGroup = new ec2.SecurityGroup(this, 'AnalystSg', {
      vpc: this.vpc,
      description: 'analysts reaching OpenSearch Dashboards (docs/analysts.md, network path)',
      allowAllOutbound: true,
    });
    domainSg.addIngressRule(this.analystSecurityGroup, ec2.Port.tcp(443), 'HTTPS from the analysts path');
    // The setup role is security_manager in the domain: its credentials reach the domain only
    // from the setup function's own code. Passed to any other function (or used outside Lambda),
    // the role's calls to the domain are denied (lambda:SourceFunctionArn, an identity-policy key).
    this.setupRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DomainOnlyFromTheSetupFunction',
        effect: iam.Effect.DENY,
        actions: ['es:ESHttp*'],
        resources: ['*'],
        conditions: {
          ArnNotEquals: {
            'lambda:SourceFunctionArn': `arn:${stack.partition}:lambda:${stack.region}:${stack.account}:function:${setupFunctionName}`,
          },
        },
      }),
    );
    acknowledge(
      this.domain,
      'The domain lives in isolated subnets; its security group admits HTTPS only from logwarden functions. IP allowlists do not apply inside a VPC.',
      'AwsSolutions-OS3',
    );
    acknowledge(
      this.domain,
      'CloudWatch Logs resource policies (for the domain to write its audit, slow and error logs) support no resource-level permissions.',
      'AwsSolutions-IAM5[Resource::*]',
    );
    acknowledge(
      this.setupRole,
      'The setup installs the index template, ISM policy and security roles: several API paths of this one domain.',
      `AwsSolutions-IAM5[Resource::<${logicalIdOf(this.domain)}.Arn>/*]`,
    );
    acknowledge(
      this.setupRole,
      'A deny, not a grant: no call to any domain except from the setup function.',
      'AwsSolutions-IAM5[Action::es:ESHttp*]',
      'AwsSolutions-IAM5[Resource::*]',
    );
  }

  /**
   * The role OpenSearch Service takes to configure the user and identity pools for Dashboards
   * ("IAM role that has the AmazonOpenSearchServiceCognitoAccess policy attached").
   */
  private cognitoAccessRole(): iam.Role {
    const role = new iam.Role(this, 'CognitoAccessRole', {
      assumedBy: new iam.ServicePrincipal('opensearchservice.amazonaws.com'),
      description: 'OpenSearch Service configures the Cognito user and identity pools for Dashboards',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonOpenSearchServiceCognitoAccess')],
    });
    acknowledge(
      role,
      'The AWS-maintained policy the OpenSearch Service Developer Guide requires for Cognito authentication; it is kept current with the Cognito calls the service makes.',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonOpenSearchServiceCognitoAccess]',
    );
    return role;
  }

  /** Lets a function write OCSF documents: network path, IAM, and the writer role mapping. */
  grantWriter(fn: lambda.Function): void {
    this.domain.grantIndexReadWrite('logwarden-ocsf-*', fn);
    this.domain.grantPathReadWrite('_bulk', fn);
    if (fn.role) this.writers.push(fn.role);
    acknowledge(
      fn,
      'Documents go to daily indices named by event date (logwarden-ocsf-YYYY.MM.DD), created as events arrive.',
      `AwsSolutions-IAM5[Resource::<${logicalIdOf(this.domain)}.Arn>/logwarden-ocsf-*]`,
      `AwsSolutions-IAM5[Resource::<${logicalIdOf(this.domain)}.Arn>/logwarden-ocsf-*/*]`,
    );
  }

  /**
   * The custom resource that installs template, ISM policy, role mappings and audit logging.
   * Writers granted before or after this call are all mapped (a Lazy list).
   */
  addSetup(config: LogwardenConfig): void {
    const onEvent = new NodeFunction(this, 'SetupFunction', {
      name: 'opensearch-setup',
      functionName: setupFunctionName,
      description: 'Installs the OCSF index template, ISM policy and fine-grained roles',
      timeout: Duration.minutes(5),
      logKey: this.logKey,
      role: this.setupRole,
      vpc: this.vpc,
      securityGroups: [this.clientSecurityGroup],
      environment: opensearchSetupEnv.environment({
        opensearchEndpoint: `https://${this.domain.domainEndpoint}`,
      }),
    });
    this.domain.grantReadWrite(onEvent);
    const provider = new cr.Provider(this, 'SetupProvider', { onEventHandler: onEvent });
    acknowledge(
      provider,
      'The CDK custom-resource provider framework: it writes its own logs and invokes any version of the setup function.',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      `AwsSolutions-IAM5[Resource::<${logicalIdOf(onEvent)}.Arn>:*]`,
      'AwsSolutions-L1',
    );
    checkovSkip(
      provider,
      'The CDK provider framework function: it only relays CloudFormation events to the setup function, holds no data and no secrets.',
      'CKV_AWS_117',
      'CKV_AWS_173',
    );
    const setup = new CustomResource(this, 'Setup', {
      serviceToken: provider.serviceToken,
      properties: {
        RetentionDays: String(config.openSearch.retentionDays),
        // Tier days: hot → warm → cold → delete in the ISM policy (absent: hot, then delete).
        ...(this.cluster.size?.warm
          ? {
              HotDays: String(this.cluster.size.hotDays),
              WarmDays: String(this.cluster.size.warm.days),
            }
          : {}),
        // The sized primary shards of a daily index go into the index template the setup installs.
        ...(this.cluster.size ? { PrimaryShards: String(this.cluster.size.primaryShardsPerDailyIndex) } : {}),
        WriterRoleArns: Lazy.list({ produce: () => this.writers.map((r) => r.roleArn) }),
        ReaderRoleArns: config.openSearch.readerRoleArns,
        ResponderRoleArns: config.openSearch.responderRoleArns,
        AdminRoleArns: config.openSearch.adminRoleArns,
        ...(config.openSearch.login?.type === 'saml'
          ? {
              SamlReaderGroups: config.openSearch.login.readerGroups,
              SamlResponderGroups: config.openSearch.login.responderGroups,
              SamlAdminGroups: config.openSearch.login.adminGroups,
            }
          : {}),
        SetupRoleArn: this.setupRole.roleArn,
        SetupRoleMapped: String(config.openSearch.setupRoleMapped),
        // A change to either JSON file re-runs the setup.
        Version: createHash('sha256')
          .update(JSON.stringify([indexTemplate, ismPolicy]))
          .digest('hex')
          .slice(0, 16),
      },
    });
    setup.node.addDependency(this.domain);
    const bootstrap = bootstrapRequest(
      `arn:${Stack.of(this).partition}:iam::${Stack.of(this).account}:role/${perAccountName(config, setupRoleName, Stack.of(this).region)}`,
    );
    new CfnOutput(this, 'SearchBootstrapRequest', {
      description:
        'Sent once by the break-glass (master) role after the first deployment; then set openSearch.setupRoleMapped and deploy again.',
      value: `${bootstrap.method} https://${this.domain.domainEndpoint}${bootstrap.path} ${JSON.stringify(bootstrap.body)}`,
    });
    if (!config.openSearch.setupRoleMapped) {
      Annotations.of(this).addWarningV2(
        'logwarden:search-setup-pending',
        'openSearch.setupRoleMapped is false: the OpenSearch setup reports itself pending until the break-glass role sends the request in the stack output SearchBootstrapRequest (docs/deploying.md, the OpenSearch bootstrap).',
      );
    }
  }
}
