/**
 * What the local organization only emulates, listed by local/ (production code never knows):
 * each line names the AWS behaviour and how the run stands in for it.
 */
export const emulatedOnly = [
  'CloudTrail: the stand-in records every management write as CloudTrail records it and delivers it to the log groups of the trails that log it (local/standins/events.py); read-only calls and data events are not recorded, and the trail writes nothing to S3',
  "Events to the buses: what the stand-in emitted is put on the default bus of its account and region between the steps of the run (Organization.deliverEmitted), not continuously; between buses the stand-in decides whether the rule target's role may send (its trust, events:PutEvents, the bus policy), local/event-bus.ts routes the event",
  'EventBridge: the rules of the synthesized templates, where they are deployed, matched with events/match.ts (local/event-bus.ts); delivery is immediate and in order',
  "Organizations events: CreateAccountResult is built as AWS documents it (accounts are added by a stand-in fixture, not CreateAccount); Region Opt-In Status Change comes from the Account stand-in's EnableRegion",
  'StackSets: the member baseline template is deployed by local/deployment.ts, after CreateAccountResult, not by CloudFormation',
  'Step Functions: the dispatcher and the alerter start executions on moto (names and idempotency as AWS has them); the synthesized ASL of each runs in aws-local-stepfunctions, retry intervals on a clock 100 times faster',
  'CloudWatch Logs delivery to the destination: the stand-ins deliver what an account subscription policy selects (local/standins/logs.py); a log group no policy selects is read back by the run and put into the stream (local/scenario/pipeline.ts shipCorpus)',
  'Firehose: a stand-in honouring the transformation contract; buffering by record count and size, not time',
  "logwarden plan: the CLI invokes each control function by name (lambda:Invoke); the run calls the same handler in process, with the function's role and the stack's environment (local/scenario/adoption.ts)",
  'ISM (index-management plugin): not on the local node, retention is not enforced locally',
  'OpenSearch authentication: the security plugin enforces the roles the setup created, for the IAM principal that a local gateway verified the SigV4 signature of and passed on as proxy-authentication headers (local/opensearch-gateway.ts); the domain access policy and identity policies for es:ESHttp* are not evaluated',
] as const;

/**
 * Controls the stand-ins cannot run yet. Empty: the moto extension in local/standins serves the
 * GuardDuty organization APIs and CloudWatch Logs account policies, so every control runs and the
 * run and the tests expect 100 % of the account × region × control cells.
 */
export const notYetEmulatedControls: readonly string[] = [];
