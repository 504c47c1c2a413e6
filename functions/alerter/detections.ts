/**
 * Evaluates the detection rules of contracts/detections.json on OCSF documents, and writes the
 * alert of a document they flag. Paths are read once per rule (compiled), so the alerter can run
 * every rule over every document of the stream.
 */
import {
  detectionRules,
  type Condition,
  type DetectionRule,
  type DetectionSettings,
} from '../../contracts/detections';
import { PLAIN_DOCUMENT_CLASSES, PLAIN_DOCUMENT_FIELDS } from '../shared/normalize';
import { requestDataOf } from '../shared/ocsf/cloudtrail';
import { severityNames, type OcsfDocument } from '../shared/ocsf/document';
import { quote } from './describe-tamper';

export interface DetectionContext {
  settings: DetectionSettings;
  /** Whether logwarden governs (heals) where the document's change was made. */
  governed: (doc: OcsfDocument) => boolean;
}

type Values = unknown[];
type Reader = (root: unknown) => Values;
type Test = (doc: OcsfDocument, root: unknown, ctx: DetectionContext) => boolean;

/** CloudTrail's request parameters wait in `unmapped.requestParameters` when a record has no request id. */
const REQUEST_DATA = ['api', 'request', 'data'];

/** Every value at a dotted path; an array on the way is read element by element. */
function reader(path: string): Reader {
  const parts = path.split('.');
  const walk = (value: unknown, i: number, out: Values): void => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) {
      for (const v of value) walk(v, i, out);
      return;
    }
    if (i === parts.length) {
      out.push(value);
      return;
    }
    if (typeof value === 'object') walk((value as Record<string, unknown>)[parts[i]], i + 1, out);
  };
  const fromRequest = REQUEST_DATA.every((p, i) => parts[i] === p);
  return (root) => {
    const out: Values = [];
    if (fromRequest && (root as OcsfDocument)?.class_uid !== undefined) {
      const rest = parts.slice(REQUEST_DATA.length);
      const request = requestDataOf(root as OcsfDocument);
      const nested = reader(rest.join('.'));
      return rest.length ? nested(request) : request ? [request] : [];
    }
    walk(root, 0, out);
    return out;
  };
}

const same = (a: unknown, b: unknown) => a === b || (typeof a !== 'object' && String(a) === String(b));
const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() ? Number(v) : NaN);

function compile(condition: Condition): Test {
  if ('all' in condition) {
    const tests = condition.all.map(compile);
    return (doc, root, ctx) => tests.every((t) => t(doc, root, ctx));
  }
  if ('any' in condition) {
    const tests = condition.any.map(compile);
    return (doc, root, ctx) => tests.some((t) => t(doc, root, ctx));
  }
  if ('not' in condition) {
    const test = compile(condition.not);
    return (doc, root, ctx) => !test(doc, root, ctx);
  }
  if ('governed' in condition) return (doc, _root, ctx) => ctx.governed(doc) === condition.governed;
  if ('some' in condition) {
    const items = reader(condition.some);
    const where = compile(condition.where);
    return (doc, root, ctx) => items(root).some((item) => where(doc, item, ctx));
  }
  if ('portRange' in condition) {
    const [from, to] = condition.portRange.map(reader);
    return (_doc, root) => {
      const low = num(from(root)[0]);
      const high = num(to(root)[0]);
      if (!Number.isFinite(low)) return false;
      const top = Number.isFinite(high) ? high : low;
      // EC2 writes -1 for "all ports" of a protocol with ports.
      if (low === -1 || top === -1) return true;
      return condition.includesAny.some((p) => p >= low && p <= top);
    };
  }
  const values = reader(condition.field);
  if ('equals' in condition) return (_d, root) => values(root).some((v) => same(v, condition.equals));
  if ('in' in condition) return (_d, root) => values(root).some((v) => condition.in.some((x) => same(v, x)));
  if ('exists' in condition) return (_d, root) => values(root).length > 0 === condition.exists;
  if ('endsWith' in condition)
    return (_d, root) => values(root).some((v) => typeof v === 'string' && v.endsWith(condition.endsWith));
  if ('differsFrom' in condition) {
    const other = reader(condition.differsFrom);
    return (_d, root) => {
      const theirs = other(root);
      return values(root).some((v) => !theirs.some((o) => same(v, o)));
    };
  }
  const { atLeast } = condition;
  return (_d, root, ctx) => {
    const floor = typeof atLeast === 'number' ? atLeast : ctx.settings[atLeast.setting];
    return values(root).some((v) => num(v) >= floor);
  };
}

/**
 * Fields whose value, in every document the normalizer makes, is absent or a JSON string copied
 * whole from the line (functions/shared/ocsf): CloudTrail's `eventName` (`Unknown` when it is no
 * string), `eventSource` and `userIdentity.type`. GuardDuty findings, application events, flow
 * records and parse errors have none of them at the top level.
 */
const copiedFromLine = new Map<string, { orElse?: string }>([
  ['api.operation', { orElse: 'Unknown' }],
  ['api.service.name', {}],
  ['actor.user.type', {}],
]);

/** A class only lines holding this text become: Detection Finding needs `"source":"aws.guardduty"`. */
const classMarkers = new Map<number, string>([[2004, 'aws.guardduty']]);

/**
 * Numeric fields whose value, in every document, is absent or the value of a JSON member of the
 * line by this name: `unmapped.severity` is a finding's `severity` when it is a number, and a
 * CloudTrail record's own top-level `severity` member if it has one.
 */
const numberMembers = new Map<string, string>([['unmapped.severity', 'severity']]);

/** A line test: false only if no document of the line (one without a `\u` escape) can satisfy the condition. */
type LineTest = (line: string, settings: DetectionSettings) => boolean;

/** Text JSON may write otherwise than as itself (besides `\u`): `"`, `\`, `/`, control characters. */
// eslint-disable-next-line no-control-regex -- U+0000–U+001F are the controls JSON must escape.
const escapable = /["\\/\u0000-\u001f]/;

function textTest(values: readonly (string | number | boolean)[]): LineTest | undefined {
  const texts = values.map(String);
  if (texts.some((t) => escapable.test(t))) return undefined;
  return (line) => texts.some((t) => line.includes(t));
}

/**
 * A member named `name` whose value is a JSON number, in JSON's own syntax: the value JSON.parse
 * reads is `Number` of the matched text. Any other value, or another spelling of the name, is no
 * match here, and the line then passes.
 */
function memberPattern(name: string): RegExp {
  return new RegExp(
    `"${name}"\\s*:\\s*(?:(-?(?:0|[1-9]\\d*)(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)(?![\\w.+-])|)`,
    'g',
  );
}

function atLeastTest(member: string, atLeast: number | { setting: keyof DetectionSettings }): LineTest {
  const pattern = memberPattern(member);
  return (line, settings) => {
    const floor = typeof atLeast === 'number' ? atLeast : settings[atLeast.setting];
    pattern.lastIndex = 0;
    for (let m = pattern.exec(line); m; m = pattern.exec(line)) {
      // Not a number here (a string, an array): read the line in full.
      if (m[1] === undefined) return true;
      if (Number(m[1]) >= floor) return true;
    }
    return false;
  };
}

/**
 * What a line must hold for a document of it to satisfy the condition, as a cheap test of the
 * raw text; undefined when nothing cheap is required (the line is then normalized). Only ever
 * false where the full evaluation is false: `all` needs every part, `any` one of its parts, and
 * `not`, `exists`, `governed` and the rest require no text.
 */
function lineTestOf(condition: Condition): LineTest | undefined {
  if ('all' in condition) {
    const tests = condition.all.map(lineTestOf).filter((t): t is LineTest => t !== undefined);
    if (!tests.length) return undefined;
    return (line, settings) => tests.every((t) => t(line, settings));
  }
  if ('any' in condition) {
    const tests = condition.any.map(lineTestOf);
    if (tests.some((t) => t === undefined)) return undefined;
    return (line, settings) => tests.some((t) => t!(line, settings));
  }
  if (!('field' in condition)) return undefined;
  const { field } = condition;
  const values = 'equals' in condition ? [condition.equals] : 'in' in condition ? condition.in : undefined;
  if (values && field === 'class_uid') {
    const markers = values.map((v) => classMarkers.get(Number(v)));
    return markers.every((m) => m !== undefined) ? textTest(markers as string[]) : undefined;
  }
  const copied = copiedFromLine.get(field);
  if (values && copied) {
    if (values.some((v) => String(v) === copied.orElse)) return undefined;
    return textTest(values);
  }
  const member = numberMembers.get(field);
  if ('atLeast' in condition && member) return atLeastTest(member, condition.atLeast);
  return undefined;
}

export interface CompiledRule {
  rule: DetectionRule;
  matches: (doc: OcsfDocument, ctx: DetectionContext) => boolean;
  /**
   * A look at a raw line, before normalizing it: false only if no document of the line can match
   * (for a line without a `\u` escape: see `mayHideText`). Undefined: every line may match.
   */
  mayMatchLine?: LineTest;
  /**
   * Whether the rule can flag a document of a payload trusted for neither CloudTrail nor
   * GuardDuty (flow records, application logs: `PLAIN_DOCUMENT_CLASSES` with only
   * `PLAIN_DOCUMENT_FIELDS`). When no rule can, the alerter normalizes nothing of such a payload.
   */
  mayMatchPlainDocuments: boolean;
}

/**
 * What a condition requires of every document it is true for: fields that must have a value
 * (any test but `exists: false` reads a value), and the classes `class_uid` may be. Conservative:
 * `not`, `governed` and `some`'s inner conditions require nothing.
 */
interface Requirement {
  fields: Set<string>;
  classes?: Set<number>;
}

function requirementOf(condition: Condition): Requirement {
  if ('all' in condition) {
    const out: Requirement = { fields: new Set() };
    for (const part of condition.all.map(requirementOf)) {
      for (const f of part.fields) out.fields.add(f);
      if (part.classes)
        out.classes = out.classes
          ? new Set([...out.classes].filter((c) => part.classes?.has(c)))
          : part.classes;
    }
    return out;
  }
  if ('any' in condition) {
    const parts = condition.any.map(requirementOf);
    const fields = new Set([...parts[0].fields].filter((f) => parts.every((p) => p.fields.has(f))));
    const classes = parts.every((p) => p.classes)
      ? new Set(parts.flatMap((p) => [...(p.classes as Set<number>)]))
      : undefined;
    return { fields, classes };
  }
  if ('not' in condition || 'governed' in condition || 'portRange' in condition) return { fields: new Set() };
  if ('some' in condition) return { fields: new Set([condition.some]) };
  if ('exists' in condition && !condition.exists) return { fields: new Set() };
  const fields = new Set([condition.field]);
  if (condition.field === 'class_uid') {
    if ('equals' in condition && typeof condition.equals === 'number')
      return { fields, classes: new Set([condition.equals]) };
    if ('in' in condition) return { fields, classes: new Set(condition.in.map(Number)) };
  }
  return { fields };
}

/** Whether a rule can be true of a document of a payload trusted for neither CloudTrail nor GuardDuty. */
export function mayMatchPlainDocuments(condition: Condition): boolean {
  const { fields, classes } = requirementOf(condition);
  if (classes && !PLAIN_DOCUMENT_CLASSES.some((c) => classes.has(c))) return false;
  return [...fields].every((f) => PLAIN_DOCUMENT_FIELDS.has(f.split('.')[0]));
}

export function compileRules(rules: readonly DetectionRule[] = detectionRules): CompiledRule[] {
  return rules.map((rule) => {
    const test = compile(rule.when);
    return {
      rule,
      matches: (doc, ctx) => test(doc, doc, ctx),
      mayMatchPlainDocuments: mayMatchPlainDocuments(rule.when),
      mayMatchLine: lineTestOf(rule.when),
    };
  });
}

/** The rules that flag a document, in file order. */
export function matchingRules(
  doc: OcsfDocument,
  rules: readonly CompiledRule[],
  ctx: DetectionContext,
): DetectionRule[] {
  const out: DetectionRule[] = [];
  for (const r of rules) if (r.matches(doc, ctx)) out.push(r.rule);
  return out;
}

/** The severity of an alert: the highest of the rules that flagged it (`of-finding`: the document's). */
export function severityOf(doc: OcsfDocument, rules: readonly DetectionRule[]): string {
  let best = 0;
  for (const r of rules) {
    const id = r.severity === 'of-finding' ? doc.severity_id : severityNames.indexOf(r.severity);
    if (id > best) best = id;
  }
  return severityNames[best] ?? 'Unknown';
}

/**
 * Where a person sees the event in the AWS console: the GuardDuty finding, or the CloudTrail
 * event in the event history of its account and region (Event history keeps 90 days of management
 * events).
 */
export function consoleLink(doc: OcsfDocument): string {
  const region = encodeURIComponent(doc.cloud.region);
  const host = `https://${region}.console.aws.amazon.com`;
  if (doc.class_uid === 2004) {
    const id = (doc.unmapped as { id?: unknown } | undefined)?.id;
    return `${host}/guardduty/home?region=${region}#/findings?fId=${encodeURIComponent(String(id ?? ''))}`;
  }
  return `${host}/cloudtrailv2/home?region=${region}#/events/${encodeURIComponent(doc.metadata.uid)}`;
}

interface Described {
  actor?: { user?: { uid?: string; name?: string; type?: string } };
  api?: { operation?: string; service?: { name?: string } };
  src_endpoint?: { ip?: string; svc_name?: string; name?: string };
  finding_info?: { title?: string; types?: string[] };
}

/** Who did it: the principal of a CloudTrail document, the resource a finding is about. */
export function actorOf(doc: OcsfDocument): string {
  const d = doc as OcsfDocument & Described;
  const user = d.actor?.user;
  if (user) return user.uid ?? user.name ?? 'unknown principal';
  const resources = doc.resources as { uid?: string; type?: string }[] | undefined;
  const resource = resources?.[0];
  return resource ? `${resource.type ?? 'resource'} ${resource.uid ?? ''}`.trim() : 'unknown';
}

export interface DetectionAlert {
  subject: string;
  text: string;
  attributes: Record<string, string>;
}

const attribute = (value: string) => value.replace(/\p{Cc}/gu, ' ').slice(0, 200);
const subjectText = (text: string) => text.replace(/[^\x20-\x7e]/g, '?').slice(0, 100);

/** What logwarden did about a detection: rules alert, they never change anything. */
export const DETECTION_RESPONSE = 'alerted only; detections start no automatic change';

/**
 * The alert of a document the rules flagged: severity, account, region, actor, a console link
 * and what logwarden did. Caller-controlled values are quoted as in tamper alerts.
 */
export function describeDetection(doc: OcsfDocument, rules: readonly DetectionRule[]): DetectionAlert {
  const d = doc as OcsfDocument & Described;
  const severity = severityOf(doc, rules);
  const what =
    doc.class_uid === 2004
      ? `GuardDuty ${d.finding_info?.types?.[0] ?? ''}: ${d.finding_info?.title ?? ''}`
      : `${d.api?.service?.name ?? 'unknown service'} ${d.api?.operation ?? 'unknown call'}`;
  const when = Number.isFinite(doc.time) ? new Date(doc.time).toISOString() : 'unknown';
  const link = consoleLink(doc);
  const source = d.src_endpoint?.ip ?? d.src_endpoint?.svc_name ?? d.src_endpoint?.name;
  const text = [
    `logwarden detection: ${rules.map((r) => r.title).join('; ')}.`,
    'Quoted values are as the event gives them, escaped and cut.',
    '',
    `Rules:     ${rules.map((r) => r.id).join(', ')}`,
    `Severity:  ${severity}`,
    `Actor:     ${quote(actorOf(doc))}`,
    `What:      ${quote(what, 300)}`,
    `Account:   ${quote(doc.cloud.account.uid, 20)}`,
    `Region:    ${quote(doc.cloud.region, 30)}`,
    ...(source ? [`Source:    ${quote(source, 100)}`] : []),
    `Time:      ${when}`,
    `Event id:  ${quote(doc.metadata.uid, 200)}`,
    `Console:   ${link}`,
    '',
    `logwarden: ${DETECTION_RESPONSE}`,
  ].join('\n');
  return {
    subject: subjectText(
      `logwarden [${severity}] ${rules[0].id} in ${doc.cloud.account.uid} ${doc.cloud.region}`,
    ),
    text,
    attributes: {
      kind: 'detection',
      rules: rules.map((r) => r.id).join(','),
      severity,
      actor: attribute(actorOf(doc)),
      account: attribute(doc.cloud.account.uid),
      region: attribute(doc.cloud.region),
      time: when,
      eventId: attribute(doc.metadata.uid),
      console: attribute(link),
    },
  };
}
