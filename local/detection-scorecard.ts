/**
 * Every detection rule run over the labelled corpus: the Stratus Red Team detonations (each file
 * one technique), Panther's rule-test fixtures with their expected outcome, and the GuardDuty
 * findings. Each record goes through the real normalizer (as the alerter reads it from a trusted
 * group), then through the rules as the alerter compiles them.
 */
import { configSchema, type LogwardenConfig } from '../contracts/config';
import { detectionRules, type DetectionRule } from '../contracts/detections';
import { TrustTable } from '../contracts/trusted-sources';
import { healTargetOf } from '../functions/alerter/alerter';
import { compileRules, type DetectionContext } from '../functions/alerter/detections';
import { FlowLogFormatRegistry } from '../functions/shared/flow-log-formats';
import { normalizePayload } from '../functions/shared/normalize';
import type { OcsfDocument } from '../functions/shared/ocsf/document';
import { healStateMachineArn } from '../contracts/names';
import {
  cwlPayload,
  guardDutyEvents,
  pantherCloudTrailFixtures,
  pantherGuardDutyFixtures,
  realCloudTrailEvents,
} from './corpus';

export interface CorpusCase {
  /** `stratus`: a detonation's event; `panther`: a fixture; `sample`: unlabelled public sample. */
  kind: 'stratus' | 'panther' | 'sample';
  /** The Stratus technique or the Panther rule id. */
  label: string;
  /** Panther's test name, the Stratus file's event name. */
  name: string;
  /** Panther's expected outcome for its rule; Stratus events are all part of the attack. */
  expected?: boolean;
  doc: OcsfDocument;
}

const TRAIL_GROUP = 'corpus-trail';
const FINDINGS_GROUP = 'corpus-findings';
const OWNER = '111111111111';
const trust = new TrustTable([
  { kind: 'cloudtrail', logGroup: TRAIL_GROUP, owner: OWNER },
  { kind: 'guardduty', logGroup: FINDINGS_GROUP, owner: OWNER },
]);

function normalizeOne(record: object, logGroup: string): OcsfDocument {
  return normalizePayload(
    cwlPayload([JSON.stringify(record)], { logGroup, owner: OWNER }),
    new FlowLogFormatRegistry(),
    trust,
  )[0];
}

/** The labelled corpus as OCSF documents. */
export function corpusCases(): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const { source, event } of realCloudTrailEvents()) {
    const stratus = source.startsWith('aws.');
    cases.push({
      kind: stratus ? 'stratus' : 'sample',
      label: source.replace(/\.json$/, ''),
      name: String(event.eventName),
      doc: normalizeOne(event, TRAIL_GROUP),
    });
  }
  for (const fixture of pantherCloudTrailFixtures())
    cases.push({
      kind: 'panther',
      label: fixture.ruleId,
      name: fixture.testName,
      expected: fixture.expected,
      doc: normalizeOne(fixture.event, TRAIL_GROUP),
    });
  for (const fixture of pantherGuardDutyFixtures())
    cases.push({
      kind: 'panther',
      label: fixture.ruleId,
      name: fixture.testName,
      expected: fixture.expected,
      doc: normalizeOne(fixture.event, FINDINGS_GROUP),
    });
  for (const { source, event } of guardDutyEvents().filter((e) => e.source.startsWith('aws-samples')))
    cases.push({ kind: 'sample', label: source, name: source, doc: normalizeOne(event, FINDINGS_GROUP) });
  return cases;
}

/** The alerter's context for a configuration: its settings and where it heals. */
export function detectionContext(config: LogwardenConfig): DetectionContext {
  const where = {
    governedRegions: config.governedRegions,
    excludedAccounts: config.scope.excludeAccounts,
    managementAccount: config.accounts.management,
    organizationTrail: config.trail.mode !== 'account',
    stateMachineArn: healStateMachineArn(config.homeRegion, config.accounts.securityTooling),
  };
  return {
    settings: { guardDutyMinSeverity: config.alerts.guardDutyMinSeverity },
    governed: (doc) => !('notStarted' in healTargetOf(where, doc)),
  };
}

export interface RuleScore {
  rule: DetectionRule;
  /** Stratus techniques of the rule's labels with at least one event flagged, and those missed. */
  detonationsCaught: string[];
  detonationsMissed: string[];
  /** Panther fixtures of the rule's labels expected to fire: caught and missed (`rule: test`). */
  fixturesCaught: string[];
  fixturesMissed: string[];
  /** Fixtures of the rule's labels expected NOT to fire that it flagged (`rule: test`). */
  falsePositives: string[];
  /** Other corpus events it flagged, outside its labels (neither right nor wrong by the labels). */
  otherFlagged: string[];
}

/** Each rule over every case of the corpus. */
export function scoreRules(
  config: LogwardenConfig,
  cases: CorpusCase[] = corpusCases(),
  rules: readonly DetectionRule[] = detectionRules,
): RuleScore[] {
  const ctx = detectionContext(config);
  return compileRules(rules).map(({ rule, matches }) => {
    const score: RuleScore = {
      rule,
      detonationsCaught: [],
      detonationsMissed: [],
      fixturesCaught: [],
      fixturesMissed: [],
      falsePositives: [],
      otherFlagged: [],
    };
    const caught = new Set<string>();
    for (const c of cases) {
      const hit = matches(c.doc, ctx);
      const labelled =
        (c.kind === 'stratus' && rule.labels.stratus.includes(c.label)) ||
        (c.kind === 'panther' && rule.labels.panther.includes(c.label));
      const name = `${c.label}: ${c.name}`;
      if (c.kind === 'stratus' && labelled) {
        if (hit) caught.add(c.label);
      } else if (c.kind === 'panther' && labelled) {
        if (c.expected && hit) score.fixturesCaught.push(name);
        else if (c.expected) score.fixturesMissed.push(name);
        else if (hit) score.falsePositives.push(name);
      } else if (hit) score.otherFlagged.push(name);
    }
    for (const technique of rule.labels.stratus)
      (caught.has(technique) ? score.detonationsCaught : score.detonationsMissed).push(technique);
    return score;
  });
}

/** The repository's configuration, as `config check` reads it. */
export function repositoryConfig(json: unknown): LogwardenConfig {
  return configSchema.parse(json);
}

/** One line per rule: what it caught and what it flagged by mistake. */
export function scorecardLines(scores: RuleScore[]): string[] {
  return scores.map((s) => {
    const detonations = s.detonationsCaught.length + s.fixturesCaught.length;
    const labelled = detonations + s.detonationsMissed.length + s.fixturesMissed.length;
    return `${s.rule.id.padEnd(36)} caught ${detonations}/${labelled} detonations (${s.detonationsCaught.length} Stratus, ${s.fixturesCaught.length} Panther) · ${s.falsePositives.length} flagged by mistake · ${s.otherFlagged.length} other events flagged`;
  });
}
