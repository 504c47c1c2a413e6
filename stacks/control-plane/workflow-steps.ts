import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { listAccountsEnv } from '../../functions/list-accounts/env';
import { listRegionsEnv } from '../../functions/list-regions/env';
import { writeLedgerEnv } from '../../functions/write-ledger/env';
import { acknowledge } from '../../workflows/acknowledge';
import { NodeFunction } from '../node-function';
import { controlFunctionProps, type ControlProps } from './controls/control';

export interface LedgerWriterProps extends ControlProps {
  readonly ledger: dynamodb.ITable;
  readonly summaryTopic: sns.ITopic;
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
        }),
        props.logKey,
      ),
    );
    props.ledger.grant(this, 'dynamodb:PutItem');
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
        }),
        props.logKey,
      ),
    );
    // account:ListRegions has no resource type (SAR).
    this.addToRolePolicy(new iam.PolicyStatement({ actions: ['account:ListRegions'], resources: ['*'] }));
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
        listAccountsEnv.environment({ managementAccount: props.config.accounts.management }),
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
