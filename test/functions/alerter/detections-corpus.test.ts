import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { detectionRules, parseDetections } from '../../../contracts/detections';
import {
  corpusCases,
  repositoryConfig,
  scoreRules,
  scorecardLines,
  type RuleScore,
} from '../../../local/detection-scorecard';

const config = repositoryConfig(
  JSON.parse(readFileSync(path.resolve(__dirname, '../../../logwarden.config.json'), 'utf8')),
);
const cases = corpusCases();
const scores = scoreRules(config, cases);
const scoreOf = (id: string): RuleScore => scores.find((s) => s.rule.id === id)!;

describe('every detection rule over the labelled corpus (issue 24 §3)', () => {
  it('reads the whole corpus: 310 Stratus events, Panther fixtures with their outcome, findings', () => {
    expect(cases.filter((c) => c.kind === 'stratus')).toHaveLength(310);
    expect(cases.filter((c) => c.kind === 'panther' && c.expected === false).length).toBeGreaterThan(200);
    expect(cases.filter((c) => c.doc.class_uid === 2004).length).toBe(11);
  });

  it.each(detectionRules.map((r) => [r.id]))(
    '%s catches every detonation and fixture it is labelled for',
    (id) => {
      const score = scoreOf(id);
      expect(score.detonationsMissed).toEqual([]);
      expect(score.fixturesMissed).toEqual([]);
      expect(score.detonationsCaught.length + score.fixturesCaught.length).toBeGreaterThan(0);
    },
  );

  it.each(detectionRules.map((r) => [r.id]))(
    '%s flags no fixture labelled negative beyond its documented false positives',
    (id) => {
      const score = scoreOf(id);
      expect(score.falsePositives.sort()).toEqual(score.rule.knownFalsePositives.map((f) => f.case).sort());
    },
  );

  it('reports true and false positives per rule, one line each', () => {
    const lines = scorecardLines(scores);
    expect(lines).toHaveLength(detectionRules.length);
    for (const [i, line] of lines.entries()) {
      const s = scores[i];
      expect(line).toContain(
        `caught ${s.detonationsCaught.length + s.fixturesCaught.length}/${s.detonationsCaught.length + s.fixturesCaught.length} detonations`,
      );
      expect(line).toContain(`${s.falsePositives.length} flagged by mistake`);
    }
  });

  it('GuardDuty: findings at or above the configured severity fire, sample findings do not', () => {
    const high = scoreOf('guardduty-finding');
    expect(high.fixturesCaught.sort()).toEqual([
      'AWS.GuardDuty.CriticalSeverityFinding: Critical Sev Finding',
      'AWS.GuardDuty.HighSeverityFinding: High Sev Finding',
    ]);
    // A lower floor takes the Medium finding in too (the aws-samples findings are 5.0 as well).
    const [medium] = scoreRules(
      { ...config, alerts: { ...config.alerts, guardDutyMinSeverity: 4 } },
      cases,
      detectionRules.filter((r) => r.id === 'guardduty-finding'),
    );
    expect(medium.otherFlagged).toContain('AWS.GuardDuty.MediumSeverityFinding: Medium Sev Finding');
    expect(medium.otherFlagged).not.toContain('AWS.GuardDuty.LowSeverityFinding: Low Sev Finding');
    expect(medium.otherFlagged.filter((n) => n.includes('As Sample Data'))).toEqual([]);
  });

  it('trail or detector disabled: only where logwarden does not govern', () => {
    const governedEverywhere = scoreRules(
      {
        ...config,
        governedRegions: [...new Set(cases.map((c) => c.doc.cloud.region))].filter((r) =>
          /^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(r),
        ),
      },
      cases.filter((c) => c.label === 'AWS.CloudTrail.Stopped'),
      detectionRules.filter((r) => r.id === 'logging-disabled-outside-governance'),
    )[0];
    // us-west-2 governed: the Panther StopLogging is healed there, not alerted by this rule.
    expect(governedEverywhere.fixturesMissed).toEqual(['AWS.CloudTrail.Stopped: CloudTrail Was Stopped']);
  });
});

describe('the rules file is validated (issue 24 §3)', () => {
  const file = JSON.parse(
    readFileSync(path.resolve(__dirname, '../../../contracts/detections.json'), 'utf8'),
  );
  it('refuses an unknown operator, naming the rule and the field', () => {
    const broken = structuredClone(file);
    broken.rules[1].when = { field: 'actor.user.type', matches: 'Root' };
    expect(() => parseDetections(broken)).toThrow(/rules\.1\.when \(rule root-activity\)/);
  });
  it('refuses a setting that does not exist', () => {
    const broken = structuredClone(file);
    broken.rules[0].when = { field: 'unmapped.severity', atLeast: { setting: 'nope' } };
    expect(() => parseDetections(broken)).toThrow(/rules\.0\.when \(rule guardduty-finding\)/);
  });
  it('refuses a rule id used twice', () => {
    const broken = structuredClone(file);
    broken.rules[2].id = broken.rules[3].id;
    expect(() => parseDetections(broken)).toThrow(
      /rules\.3\.id \(rule access-key-created-for-user\): access-key-created-for-user is used twice/,
    );
  });
});
