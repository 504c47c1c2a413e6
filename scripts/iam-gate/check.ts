import { display, grantTokens, intersects, templateTokens, UNKNOWN_ANY } from './arn-pattern';
import type { Sar, SarAction } from './sar';
import { TemplateReader, type Template } from './templates';

/**
 * The IAM gate: every Allow statement of every synthesized template, read against the Service
 * Authorization Reference. IAM evaluates each action against each resource of a statement, so a
 * pair that no request can ever match grants nothing; when the code needs that grant, the call is
 * denied in a real account however green the stand-ins are.
 */

/** A finding that fails the gate unless a suppression with a reason names it. */
export interface Violation {
  readonly kind: 'unknown-action' | 'no-resource-type' | 'wrong-resource-type' | 'star-with-resource-type';
  readonly where: string;
  readonly action: string;
  readonly resource?: string;
  readonly message: string;
}

/** A dependent action (SAR) of a granted action that the same principal is not granted. */
export interface MissingDependent {
  readonly where: string;
  readonly principal: string;
  readonly action: string;
  readonly dependent: string;
}

/** A known, harmless finding, kept out of the failures with the reason it is harmless. */
export interface Suppression {
  /** The action the violation or the dependent action is about, as the SAR spells it. */
  readonly action: string;
  /** For a violation: a regular expression the displayed resource must match. */
  readonly resource?: RegExp;
  /** For a missing dependent action: the dependent action not granted. */
  readonly dependent?: string;
  /** Limits it to templates/policies whose `where` matches. */
  readonly where?: RegExp;
  readonly reason: string;
}

export interface Report {
  readonly statements: number;
  readonly pairs: number;
  /** Pairs whose resource CloudFormation resolves only at deploy time, so no type can be read from it. */
  readonly unresolved: number;
  readonly violations: readonly Violation[];
  readonly suppressed: readonly { finding: Violation | MissingDependent; reason: string }[];
  readonly missingDependents: readonly MissingDependent[];
  readonly unusedSuppressions: readonly Suppression[];
}

const lower = (s: string) => s.toLowerCase();

/** The resource types of the action a resource can be, or undefined for `*` (every type). */
function typesMatched(action: SarAction, resource: string): string[] | undefined {
  if (resource === '*') return undefined;
  const tokens = grantTokens(resource);
  return action.resourceTypes.filter((t) => intersects(tokens, templateTokens(t.arn))).map((t) => t.name);
}

export function checkTemplates(
  sar: Sar,
  templates: Record<string, Template>,
  suppressions: readonly Suppression[],
): Report {
  const violations: Violation[] = [];
  const missingDependents: MissingDependent[] = [];
  let statements = 0;
  let pairs = 0;
  let unresolved = 0;

  for (const [name, template] of Object.entries(templates)) {
    const reader = new TemplateReader(sar, name, template);
    for (const other of reader.otherStatements()) {
      statements++;
      for (const a of other.actions) {
        if (a !== '*' && sar.expand(a).length === 0)
          violations.push({
            kind: 'unknown-action',
            where: other.where,
            action: a,
            message: `${a} is no action of the Service Authorization Reference`,
          });
      }
    }

    const grants = reader.grants();
    // Everything each principal of this template is granted, for the dependent-action check.
    const grantedTo = new Map<string, Set<string>>();
    for (const g of grants)
      for (const p of g.principals) {
        const set = grantedTo.get(p) ?? new Set<string>();
        for (const a of g.actions) for (const x of sar.expand(a)) set.add(lower(x.id));
        grantedTo.set(p, set);
      }

    for (const g of grants) {
      statements++;
      for (const pattern of g.actions) {
        const actions = sar.expand(pattern);
        if (actions.length === 0) {
          violations.push({
            kind: 'unknown-action',
            where: g.where,
            action: pattern,
            message: `${pattern} is no action of the Service Authorization Reference`,
          });
          continue;
        }
        // A wildcard (`kms:List*`) asks for whatever of its actions applies to the resource;
        // its members that cannot apply are not a defect. It fails only when none can.
        const isWildcard = /[*?]/.test(pattern);
        const reachedBy = new Map<SarAction, Set<string>>();
        for (const resource of g.resources) {
          pairs++;
          if (resource === UNKNOWN_ANY) unresolved++;
          const found: Violation[] = [];
          for (const action of actions) {
            const reached = reachedBy.get(action) ?? new Set<string>();
            reachedBy.set(action, reached);
            const matched = resource === UNKNOWN_ANY ? undefined : typesMatched(action, resource);
            const required = action.resourceTypes.filter((t) => t.required);
            // "*" where the action has a resource type of its own: the project's rule is that
            // Resource "*" is only for actions the SAR gives no resource type (docs/iam.md).
            if (resource === '*' && !isWildcard && required.length > 0)
              found.push({
                kind: 'star-with-resource-type',
                where: g.where,
                action: action.id,
                resource: '*',
                message: `${action.id} acts on ${required.map((t) => t.name).join(', ')}: name it instead of Resource "*"`,
              });
            if (matched === undefined) {
              action.resourceTypes.forEach((t) => reached.add(t.name));
              reached.add('*');
            } else if (action.resourceTypes.length === 0) {
              found.push({
                kind: 'no-resource-type',
                where: g.where,
                action: action.id,
                resource: display(resource),
                message: `${action.id} has no resource type: only Resource "*" grants it, never ${display(resource)}`,
              });
            } else if (matched.length === 0) {
              found.push({
                kind: 'wrong-resource-type',
                where: g.where,
                action: action.id,
                resource: display(resource),
                message: `${action.id} acts on ${action.resourceTypes.map((t) => t.name).join(', ')}; ${display(resource)} is none of them`,
              });
            } else {
              matched.forEach((t) => reached.add(t));
              reached.add('*');
            }
          }
          if (!isWildcard || found.length === actions.length) violations.push(...found);
        }
        for (const [action, reached] of reachedBy) {
          if (reached.size === 0) continue;
          for (const dependent of sar.dependentActions(action, [...reached])) {
            for (const principal of g.principals) {
              const has = grantedTo.get(principal);
              const granted =
                has?.has(lower(dependent)) || sar.expand(dependent).some((d) => has?.has(lower(d.id)));
              if (!granted)
                missingDependents.push({ where: g.where, principal, action: action.id, dependent });
            }
          }
        }
      }
    }
  }

  const used = new Set<Suppression>();
  const suppressed: Report['suppressed'][number][] = [];
  const suppressionFor = (f: Violation | MissingDependent) =>
    suppressions.find(
      (s) =>
        lower(s.action) === lower(f.action) &&
        (s.where ? s.where.test(f.where) : true) &&
        ('dependent' in f
          ? s.dependent !== undefined && lower(s.dependent) === lower(f.dependent)
          : s.dependent === undefined && (s.resource ? s.resource.test(f.resource ?? '') : true)),
    );
  const keep = <T extends Violation | MissingDependent>(findings: T[]): T[] =>
    findings.filter((f) => {
      const s = suppressionFor(f);
      if (!s) return true;
      used.add(s);
      suppressed.push({ finding: f, reason: s.reason });
      return false;
    });
  const dedupe = <T>(xs: T[]) => [...new Map(xs.map((x) => [JSON.stringify(x), x])).values()];

  return {
    statements,
    pairs,
    unresolved,
    violations: keep(dedupe(violations)),
    missingDependents: keep(dedupe(missingDependents)),
    suppressed,
    unusedSuppressions: suppressions.filter((s) => !used.has(s)),
  };
}
