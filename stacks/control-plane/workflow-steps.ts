import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';
import { listAccountsEnv } from '../../functions/list-accounts/env';
import { listRegionsEnv } from '../../functions/list-regions/env';
import { writeLedgerEnv } from '../../functions/write-ledger/env';
import { scopeEnvironment } from '../../functions/shared/scope';
import { managementRegionListerRoleArn } from '../../contracts/names';
import { scheduleIntervalMs } from '../../contracts/schedule';
import { acknowledge } from '../../workflows/acknowledge';
import { NodeFunction } from '../node-function';
import { controlFunctionProps, type ControlProps } from './controls/control';

export interface LedgerWriterProps extends ControlProps {
  readonly ledger: dynamodb.ITable;
  readonly summaryTopic: sns.ITopic;
}

/**
 * Lets `fn` read an account's OU path (organizations:ListParents), for the scope's OU rules, on
 * this organization's accounts and OUs only: the children ListParents takes (the Service
 * Authorization Reference lists account and organizationalunit as its resource types).
 */
export function grantListParents(
  fn: iam.IGrantable & { role?: iam.IRole },
  config: { organizationId: string; accounts: { management: string } },
): void {
  const org = `arn:aws:organizations::${config.accounts.management}`;
  const resources = [`${org}:account/${config.organizationId}/*`, `${org}:ou/${config.organizationId}/*`];
  fn.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['organizations:ListParents'], resources }),
  );
  acknowledge(
    fn.role ?? (fn as unknown as IConstruct),
    'organizations:ListParents on any account or OU of this organization (the ids are not known at synth time), and nothing else.',
    ...resources.map((r) => `AwsSolutions-IAM5[Resource::${r}]`),
  );
}

/** The last step of every workflow: the ledger rows, and one summary when something failed. */
export class LedgerWriter extends NodeFunction {
  constructor(scope: Construct, id: string, props: LedgerWriterProps) {
    super(
      scope,
      id,
      controlFunctionProps(
        'write-ledger',
        'Writes the coverage ledger and sends one summary when something failed',
        writeLedgerEnv.environment({
          ledgerTable: props.ledger.tableName,
          summaryTopicArn: props.summaryTopic.topicArn,
          governedRegions: props.config.governedRegions.join(','),
          coverageStaleAfterSeconds: String(
            Math.round((2 * scheduleIntervalMs(props.config.sweep.scheduleExpression)) / 1000),
          ),
        }),
        props.logKey,
      ),
    );
    // Scan: the sweep's last step, and a heal's, read the whole ledger for the coverage metric.
    props.ledger.grant(this, 'dynamodb:PutItem', 'dynamodb:Scan');
    props.summaryTopic.grantPublish(this);
  }
}

/** cover-account's first step: the account's enabled regions (Account API) that are governed. */
export class RegionLister extends NodeFunction {
  constructor(scope: Construct, id: string, props: ControlProps) {
    super(
      scope,
      id,
      controlFunctionProps(
        'list-regions',
        'Lists an account’s enabled regions that are governed (Account API)',
        listRegionsEnv.environment({
          governedRegions: props.config.governedRegions.join(','),
          controlAccount: Stack.of(scope).account,
          ...scopeEnvironment(props.config),
        }),
        props.logKey,
      ),
    );
    // account:ListRegions has no resource type (SAR).
    this.addToRolePolicy(new iam.PolicyStatement({ actions: ['account:ListRegions'], resources: ['*'] }));
    // scope.coverManagementAccount: the management account's regions through its own role, in
    // its standalone context (functions/list-regions/handler.ts, the member baseline).
    if (props.config.scope.coverManagementAccount)
      this.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['sts:AssumeRole'],
          resources: [managementRegionListerRoleArn(props.config.accounts.management)],
        }),
      );
    // The account's OU path, for the scope's OU rules (functions/shared/scope.ts).
    grantListParents(this, props.config);
    acknowledge(
      this.role!,
      'account:ListRegions takes no resource-level permission (SAR).',
      'AwsSolutions-IAM5[Resource::*]',
    );
  }
}

/** The sweep's first step: the organization's active accounts. */
export class AccountLister extends NodeFunction {
  constructor(scope: Construct, id: string, props: ControlProps) {
    super(
      scope,
      id,
      controlFunctionProps(
        'list-accounts',
        'Lists the active accounts of the organization for the sweep',
        listAccountsEnv.environment({
          managementAccount: props.config.accounts.management,
          coverManagementAccount: String(props.config.scope.coverManagementAccount),
        }),
        props.logKey,
      ),
    );
    // organizations:ListAccounts has no resource type (SAR).
    this.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['organizations:ListAccounts'], resources: ['*'] }),
    );
    acknowledge(
      this.role!,
      'organizations:ListAccounts takes no resource-level permission (SAR).',
      'AwsSolutions-IAM5[Resource::*]',
    );
  }
}
