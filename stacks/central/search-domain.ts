import { CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import indexTemplate from '../../functions/shared/opensearch/ocsf-index-template.json';
import ismPolicy from '../../functions/shared/opensearch/ocsf-ism-policy.json';
import type { LogwardenConfig } from '../../contracts/config';
import { acknowledge, checkovSkip } from '../../workflows/acknowledge';
import { pipelineLogGroup } from '../../contracts/names';
import { NodeFunction } from '../node-function';
import { opensearchSetupEnv } from '../../functions/opensearch-setup/env';

export interface SearchDomainProps {
  readonly config: LogwardenConfig;
  readonly domainKey: kms.IKey;
  readonly logKey: kms.IKey;
}

/**
 * The OpenSearch domain, in isolated subnets of its own VPC: fine-grained access control with
 * an IAM master role, encryption at rest and in transit, HTTPS with TLS 1.2+, audit, slow and
 * error logs. A custom resource installs the OCSF index template, the ISM policy and the roles.
 */
export class SearchDomain extends Construct {
  readonly vpc: ec2.Vpc;
  readonly domain: opensearch.Domain;
  readonly clientSecurityGroup: ec2.SecurityGroup;
  private readonly setupRole: iam.Role;
  private readonly writers: iam.IRole[] = [];
  private readonly logKey: kms.IKey;

  constructor(scope: Construct, id: string, props: SearchDomainProps) {
    super(scope, id);
    const { openSearch } = props.config;
    this.logKey = props.logKey;
    const azCount = openSearch.zoneAwareness ? 2 : 1;

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: azCount,
      natGateways: 0,
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

    this.setupRole = new iam.Role(this, 'SetupRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'OpenSearch master user: installs the index template, ISM policy and roles',
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
        dataNodes: openSearch.instanceCount,
        dataNodeInstanceType: openSearch.instanceType,
        ...(openSearch.dedicatedMasterType
          ? { masterNodes: 3, masterNodeInstanceType: openSearch.dedicatedMasterType }
          : {}),
        multiAzWithStandbyEnabled: false,
      },
      ebs: { volumeSize: openSearch.volumeGiB, volumeType: ec2.EbsDeviceVolumeType.GP3 },
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
      fineGrainedAccessControl: { masterUserArn: this.setupRole.roleArn },
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
    // No anonymous access: only IAM principals of this account, then fine-grained roles decide.
    this.domain.addAccessPolicies(
      new iam.PolicyStatement({
        principals: [new iam.AccountPrincipal(Stack.of(this).account)],
        actions: ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpDelete'],
        resources: [`${this.domain.domainArn}/*`],
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
      'The master user installs the index template, ISM policy and security roles: several API paths of this one domain.',
      'AwsSolutions-IAM5[Resource::<SearchDomain62FD613E.Arn>/*]',
    );
  }

  /** Lets a function write OCSF documents: network path, IAM, and the writer role mapping. */
  grantWriter(fn: lambda.Function): void {
    this.domain.grantIndexReadWrite('logwarden-ocsf-*', fn);
    this.domain.grantPathReadWrite('_bulk', fn);
    if (fn.role) this.writers.push(fn.role);
    acknowledge(
      fn,
      'Documents go to daily indices named by event date (logwarden-ocsf-YYYY.MM.DD), created as events arrive.',
      'AwsSolutions-IAM5[Resource::<SearchDomain62FD613E.Arn>/logwarden-ocsf-*]',
      'AwsSolutions-IAM5[Resource::<SearchDomain62FD613E.Arn>/logwarden-ocsf-*/*]',
    );
  }

  /** The custom resource that installs template, ISM policy and role mappings. Call last. */
  addSetup(config: LogwardenConfig): void {
    const onEvent = new NodeFunction(this, 'SetupFunction', {
      name: 'opensearch-setup',
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
      'AwsSolutions-IAM5[Resource::<SearchSetupFunction40D05128.Arn>:*]',
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
        WriterRoleArns: this.writers.map((r) => r.roleArn),
        // A change to either JSON file re-runs the setup.
        Version: createHash('sha256')
          .update(JSON.stringify([indexTemplate, ismPolicy]))
          .digest('hex')
          .slice(0, 16),
      },
    });
    setup.node.addDependency(this.domain);
  }
}
