import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import type {
  Context,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
} from 'aws-lambda';
import { ByteBudget } from '../shared/byte-budget';
import { assumedRoleCredentials, createClient } from '../shared/clients';
import { base64Bytes, declaredSize, MAX_PAYLOAD_BYTES } from '../shared/cwl-payload';
import { alertOnStreamRecord, type AlerterDeps } from './alerter';
import { alerterEnv } from './env';
import { SDK_CALL_MAX_MS } from '../../contracts/function-runtime';
import { detectionRules } from '../../contracts/detections';
import { compileRules } from './detections';

/**
 * Bytes of decoded payload the records of one batch may hold at the same time: two payloads of
 * the largest size (MAX_PAYLOAD_BYTES), inside the alerter's 512 MB.
 */
export const DECODE_BUDGET_BYTES = 2 * MAX_PAYLOAD_BYTES;

/**
 * What an attempt keeps of its remaining time when it waits out another attempt's claim: room
 * for the alert's own calls (publish, mark, start the heal: well under a second each, at most
 * SDK_CALL_MAX_MS). An attempt that still runs out of time leaves its own claim, which the next
 * retry waits out the same way.
 */
export const ALERT_AFTER_WAIT_MS = SDK_CALL_MAX_MS;

export interface AlerterHandlerDeps extends AlerterDeps {
  logger: Logger;
  metrics: Metrics;
}

export function depsFromEnv(env: Readonly<Record<string, string | undefined>>): AlerterHandlerDeps {
  const settings = alerterEnv.parse(env);
  return {
    sns: createClient(SNSClient),
    ddb: createClient(DynamoDBClient),
    // The workflow lives in the security-tooling account: start it through the role it trusts.
    sfn: createClient(SFNClient, {
      region: settings.healStateMachineArn.split(':')[3],
      credentials: assumedRoleCredentials({
        RoleArn: settings.healStarterRoleArn,
        RoleSessionName: 'logwarden-alerter',
      }),
    }),
    topicArn: settings.alertTopicArn,
    stateMachineArn: settings.healStateMachineArn,
    dedupeTable: settings.dedupeTable,
    dedupeHours: settings.streamRetentionHours,
    formats: settings.flowLogFormats,
    trust: settings.trustedSources,
    governedRegions: settings.governedRegions,
    managementAccount: settings.managementAccount,
    excludedAccounts: settings.scopeExcludeAccounts,
    organizationTrail: settings.trailMode !== 'account',
    detections: compileRules(detectionRules.filter((r) => !settings.disabledDetections.includes(r.id))),
    detectionSettings: { guardDutyMinSeverity: settings.guardDutyMinSeverity },
    // Claims in flight in this container: one batch holding an event twice alerts once.
    inFlight: new Map(),
    logger: new Logger(),
    metrics: new Metrics(),
  };
}

/** Kinesis (enhanced fan-out) → tamper and detection alerts on SNS, self-heal executions. */
export function makeHandler(deps: AlerterHandlerDeps) {
  const { logger, metrics } = deps;
  const processor = new BatchProcessor(EventType.KinesisDataStreams);
  const budget = new ByteBudget(DECODE_BUDGET_BYTES);
  // The invocation's own deps: how long its records may wait for another attempt's claim.
  let invocationDeps: AlerterDeps = deps;
  const recordHandler = async (record: KinesisStreamRecord): Promise<void> => {
    const { sequenceNumber, data } = record.kinesis;
    let outcome;
    try {
      // The record's payload is read only once its declared size fits the batch's budget.
      const bytes = base64Bytes(data);
      outcome = await budget.with(bytes ? declaredSize(bytes) : 0, () =>
        alertOnStreamRecord(data, invocationDeps),
      );
    } catch (err) {
      // Every failed record is visible: its sequence number, the reason, and a metric.
      const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      logger.error('record failed', { sequenceNumber, reason });
      metrics.addMetric('FailedRecords', MetricUnit.Count, 1);
      throw err;
    }
    if (outcome.unreadable !== undefined) {
      logger.warn('record not readable, kept by the archive and the indexer', {
        sequenceNumber,
        reason: outcome.unreadable,
      });
      metrics.addMetric('UnreadableRecords', MetricUnit.Count, 1);
    }
    if (outcome.alerted.length) logger.info('tamper alerts sent', { alertKeys: outcome.alerted });
    if (outcome.notGoverned.length)
      logger.info('tamper alerts sent, no heal: not governed by logwarden', {
        alertKeys: outcome.notGoverned,
      });
    if (outcome.duplicates.length)
      logger.info('duplicate deliveries, no alert', { alertKeys: outcome.duplicates });
    if (outcome.detected.length) logger.info('detection alerts sent', { alertKeys: outcome.detected });
    metrics.addMetric('TamperAlerts', MetricUnit.Count, outcome.alerted.length + outcome.notGoverned.length);
    metrics.addMetric('DetectionAlerts', MetricUnit.Count, outcome.detected.length);
    metrics.addMetric('DuplicateTamperDeliveries', MetricUnit.Count, outcome.duplicates.length);
  };
  return async (event: KinesisStreamEvent, context?: Context): Promise<KinesisStreamBatchResponse> => {
    if (context) logger.addContext(context);
    invocationDeps = context
      ? { ...deps, leaseWaitBudgetMs: () => context.getRemainingTimeInMillis() - ALERT_AFTER_WAIT_MS }
      : deps;
    try {
      return await processPartialResponse(event, recordHandler, processor, {
        throwOnFullBatchFailure: false,
      });
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
