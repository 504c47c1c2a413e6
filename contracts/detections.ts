/**
 * The detection rules: one readable file, contracts/detections.json, read and validated here (a
 * rule that does not parse fails the import, naming the rule and the field). The alerter
 * evaluates them (functions/alerter/detections.ts); docs/analysts.md describes the language.
 */
import { z } from 'zod';
import rulesFile from './detections.json';

/** A setting of the configuration a rule may compare to (config `alerts`). */
export const detectionSettings = ['guardDutyMinSeverity'] as const;
export type DetectionSettings = Record<(typeof detectionSettings)[number], number>;

/** Severities as OCSF names them (severity_id 1–6), or `of-finding`: the finding's own. */
export const detectionSeverities = ['Informational', 'Low', 'Medium', 'High', 'Critical', 'Fatal'] as const;

const scalar = z.union([z.string(), z.number(), z.boolean()]);
/** A dotted OCSF path; through an array it reads every element. */
const fieldPath = z.string().regex(/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/, 'must be a dotted field path');

export type Condition =
  | { field: string; equals: string | number | boolean }
  | { field: string; in: (string | number)[] }
  | { field: string; exists: boolean }
  | { field: string; endsWith: string }
  | { field: string; atLeast: number | { setting: (typeof detectionSettings)[number] } }
  | { field: string; differsFrom: string }
  | { portRange: [string, string]; includesAny: number[] }
  | { some: string; where: Condition }
  | { governed: boolean }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ field: fieldPath, equals: scalar }),
    z.strictObject({ field: fieldPath, in: z.array(z.union([z.string(), z.number()])).min(1) }),
    z.strictObject({ field: fieldPath, exists: z.boolean() }),
    z.strictObject({ field: fieldPath, endsWith: z.string().min(1) }),
    z.strictObject({
      field: fieldPath,
      atLeast: z.union([z.number(), z.strictObject({ setting: z.enum(detectionSettings) })]),
    }),
    z.strictObject({ field: fieldPath, differsFrom: fieldPath }),
    z.strictObject({
      portRange: z.tuple([fieldPath, fieldPath]),
      includesAny: z.array(z.number().int().min(0).max(65535)).min(1),
    }),
    z.strictObject({ some: fieldPath, where: conditionSchema }),
    z.strictObject({ governed: z.boolean() }),
    z.strictObject({ all: z.array(conditionSchema).min(1) }),
    z.strictObject({ any: z.array(conditionSchema).min(1) }),
    z.strictObject({ not: conditionSchema }),
  ]),
);

export const detectionRuleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be lower-case words joined by -'),
  title: z.string().min(5),
  severity: z.enum([...detectionSeverities, 'of-finding']),
  description: z.string().min(10),
  when: conditionSchema,
  /** The corpus cases the rule must catch (Stratus Red Team techniques, Panther rule ids). */
  labels: z.strictObject({ stratus: z.array(z.string()), panther: z.array(z.string()) }),
  /** Panther fixtures labelled negative that the rule flags, each with why. */
  knownFalsePositives: z.array(z.strictObject({ case: z.string(), why: z.string().min(20) })),
});
export type DetectionRule = z.infer<typeof detectionRuleSchema>;

export const detectionsFileSchema = z
  .strictObject({
    $comment: z.string().optional(),
    rules: z.array(detectionRuleSchema).min(1),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.rules.forEach((rule, i) => {
      if (seen.has(rule.id))
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `${rule.id} is used twice` });
      seen.add(rule.id);
    });
  });

/** Parses a rules file, or throws naming the rule and the field that is wrong. */
export function parseDetections(file: unknown, source = 'contracts/detections.json'): DetectionRule[] {
  const parsed = detectionsFileSchema.safeParse(file);
  if (!parsed.success) {
    const rules = (file as { rules?: { id?: unknown }[] })?.rules;
    const problems = parsed.error.issues.map((issue) => {
      const index = issue.path[0] === 'rules' ? Number(issue.path[1]) : NaN;
      const rule = Number.isInteger(index) ? ` (rule ${String(rules?.[index]?.id ?? index)})` : '';
      return `${issue.path.join('.')}${rule}: ${issue.message}`;
    });
    throw new Error(`${source} is not a valid rules file:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data.rules;
}

/** logwarden's rules, from contracts/detections.json. */
export const detectionRules: readonly DetectionRule[] = parseDetections(rulesFile);

export const detectionRuleIds: readonly string[] = detectionRules.map((r) => r.id);
