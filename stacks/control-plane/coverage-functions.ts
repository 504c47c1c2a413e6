import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { ControlFunctions } from '../../workflows/control-functions';
import type { LogwardenConfig } from '../../contracts/config';
import { FlowLogsControl } from './controls/flow-logs';
import { GuardDutyControl } from './controls/guardduty';
import { SubscriptionControl } from './controls/subscription';
import { TrailControl } from './controls/trail';
import { AccountLister, LedgerWriter, RegionLister } from './workflow-steps';

export interface CoverageFunctionsProps {
  readonly config: LogwardenConfig;
  readonly ledger: dynamodb.ITable;
  readonly summaryTopic: sns.ITopic;
  readonly logKey: kms.IKey;
}

/**
 * The functions the workflows are made of: one construct per control (its function, environment
 * and IAM statements, in `controls/`) and the workflow steps around them. Construct ids are the
 * function folders, so logical ids (and the fixed-name roles and log groups) stay put.
 */
export class CoverageFunctions extends Construct implements ControlFunctions {
  readonly ensureFlowLogs: FlowLogsControl;
  readonly ensureTrail: TrailControl;
  readonly ensureGuardDuty: GuardDutyControl;
  readonly ensureSubscription: SubscriptionControl;
  readonly writeLedger: LedgerWriter;
  readonly listRegions: RegionLister;
  readonly listAccounts: AccountLister;
  readonly logKey: kms.IKey;

  constructor(scope: Construct, id: string, props: CoverageFunctionsProps) {
    super(scope, id);
    const common = { config: props.config, logKey: props.logKey };
    this.logKey = props.logKey;
    this.ensureFlowLogs = new FlowLogsControl(this, 'ensure-flow-logs', common);
    this.ensureSubscription = new SubscriptionControl(this, 'ensure-subscription', {
      ...common,
      ledger: props.ledger,
    });
    this.ensureTrail = new TrailControl(this, 'ensure-trail', common);
    this.ensureGuardDuty = new GuardDutyControl(this, 'ensure-guardduty', common);
    this.writeLedger = new LedgerWriter(this, 'write-ledger', {
      ...common,
      ledger: props.ledger,
      summaryTopic: props.summaryTopic,
    });
    this.listRegions = new RegionLister(this, 'list-regions', common);
    this.listAccounts = new AccountLister(this, 'list-accounts', common);
  }
}
