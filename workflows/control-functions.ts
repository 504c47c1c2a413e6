import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';

/** The functions the workflows are made of. */
export interface ControlFunctions {
  ensureFlowLogs: lambda.IFunction;
  ensureTrail: lambda.IFunction;
  ensureGuardDuty: lambda.IFunction;
  ensureSubscription: lambda.IFunction;
  writeLedger: lambda.IFunction;
  listRegions: lambda.IFunction;
  listAccounts: lambda.IFunction;
  /** Encrypts the workflows' execution logs. */
  logKey: kms.IKey;
}
