/**
 * A validator of OCSF events on the compiled schema (test/ocsf/schema/ocsf-1.1.0.schema.json,
 * vendored with its licence and SOURCES.md), written
 * after the OCSF server's own event validator (ocsf/ocsf-server, lib/schema/validator2.ex):
 *
 * - the class comes from `class_uid`; the profiles from `metadata.profiles`, each of which must be
 *   defined; attributes a profile brings exist only when the event declares that profile;
 * - required attributes must be present (a JSON null counts as absent); keys the class or object
 *   does not define are errors, except inside an object type with no attributes (`object`, which
 *   `unmapped` uses);
 * - values are type-checked against the dictionary types and their super types: integer_t, long_t,
 *   float_t, boolean_t, string_t (max_len, regex, values), json_t (anything), arrays and objects;
 * - enum values must be defined, and a present sibling (e.g. `severity` for `severity_id`) must be
 *   the enum value's caption; `type_uid` must be `class_uid` * 100 + `activity_id`;
 * - class and object `constraints` (`at_least_one`, `just_one`) apply; `metadata.version` is
 *   compared with the schema's version; observable names must refer to class attributes.
 *
 * Like the server, a regex mismatch and a wrong sibling caption are warnings there. `strict` (the
 * default) makes both errors and adds one rule of logwarden's own: no empty objects.
 *
 * JSON numbers: the server decodes `5` as an integer and `5.5` as a float, and a float_t attribute
 * rejects an integer. A JavaScript number is written as an integer when it is integral, so a
 * float_t value must not be integral here either: that is what the server will see.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export const ocsfSchemaPath =
  process.env.LOGWARDEN_OCSF_SCHEMA ?? path.resolve(__dirname, 'schema', 'ocsf-1.1.0.schema.json');

interface EnumValue {
  caption: string;
  '@deprecated'?: unknown;
}

interface SchemaAttribute {
  type: string;
  object_type?: string;
  is_array?: boolean;
  requirement?: string;
  enum?: Record<string, EnumValue>;
  sibling?: string;
  profiles?: string[] | null;
  '@deprecated'?: unknown;
}

interface SchemaItem {
  name: string;
  uid?: number;
  attributes: Record<string, SchemaAttribute>;
  constraints?: Record<string, string[]>;
  '@deprecated'?: unknown;
}

interface DictionaryType {
  type?: string;
  max_len?: number;
  regex?: string;
  range?: [number, number];
  values?: unknown[];
}

export interface CompiledSchema {
  version: string;
  classes: Record<string, SchemaItem>;
  objects: Record<string, SchemaItem>;
  profiles: Record<string, unknown>;
  dictionary: { types: { attributes: Record<string, DictionaryType> } };
}

export interface Finding {
  type: string;
  path: string;
  message: string;
}

export interface ValidationResult {
  errors: Finding[];
  warnings: Finding[];
}

export interface ValidateOptions {
  /** Regex mismatches and wrong sibling captions are errors, and so are empty objects (default true). */
  strict?: boolean;
  /** Warn on missing recommended attributes, as the server does when asked (default false). */
  warnOnMissingRecommended?: boolean;
}

const MIN_INT = -(2n ** 63n);
const MAX_INT = 2n ** 63n - 1n;

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const inIntRange = (v: number) => BigInt(v) >= MIN_INT && BigInt(v) <= MAX_INT;
const join = (parent: string, name: string) => (parent ? `${parent}.${name}` : name);

/** Elixir's to_string of a JSON value, as the server uses it to look enum values up. */
function enumKey(value: unknown): string {
  if (typeof value === 'number' && !Number.isInteger(value)) return String(value);
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean')
    return String(value);
  return JSON.stringify(value);
}

export class OcsfValidator {
  private readonly classesByUid = new Map<number, SchemaItem>();
  private readonly regexes = new Map<string, RegExp>();

  constructor(readonly schema: CompiledSchema) {
    for (const c of Object.values(schema.classes)) if (c.uid !== undefined) this.classesByUid.set(c.uid, c);
  }

  static load(file = ocsfSchemaPath): OcsfValidator {
    return new OcsfValidator(JSON.parse(readFileSync(file, 'utf8')) as CompiledSchema);
  }

  /** The caption of an enum value of a class attribute, e.g. `type_uid` 600302 → "API Activity: Read". */
  caption(classUid: number, attribute: string, value: number): string | undefined {
    return this.classesByUid.get(classUid)?.attributes[attribute]?.enum?.[String(value)]?.caption;
  }

  validate(event: unknown, options: ValidateOptions = {}): ValidationResult {
    const run = new Run(this, options.strict ?? true, options.warnOnMissingRecommended ?? false);
    if (!isMap(event)) {
      run.error('event_not_object', '', 'the event is not a JSON object');
      return run.result();
    }
    const classUid = event.class_uid;
    if (classUid === undefined || classUid === null) {
      run.error('attribute_required_missing', 'class_uid', 'required attribute "class_uid" is missing');
      return run.result();
    }
    if (!isInteger(classUid) || !inIntRange(classUid)) {
      run.error('attribute_wrong_type', 'class_uid', '"class_uid" is not an integer_t');
      return run.result();
    }
    const cls = this.classesByUid.get(classUid);
    if (!cls) {
      run.error('class_uid_unknown', 'class_uid', `no class is defined for ${classUid}`);
      return run.result();
    }
    const profiles = this.profilesOf(event, run);
    run.attributes(event, '', cls, profiles);
    this.version(event, run);
    const { activity_id: activityId, type_uid: typeUid } = event;
    if (isInteger(activityId) && isInteger(typeUid) && typeUid !== classUid * 100 + activityId) {
      run.error(
        'type_uid_incorrect',
        'type_uid',
        `type_uid ${typeUid} is not class_uid ${classUid} * 100 + activity_id ${activityId}`,
      );
    }
    run.constraints(event, cls, '');
    this.observables(event, cls, profiles, run);
    return run.result();
  }

  private profilesOf(event: Record<string, unknown>, run: Run): Set<string> {
    const profiles = isMap(event.metadata) ? event.metadata.profiles : undefined;
    if (!Array.isArray(profiles)) return new Set();
    profiles.forEach((p, i) => {
      if (typeof p === 'string' && !(p in this.schema.profiles)) {
        run.error('profile_unknown', `metadata.profiles[${i}]`, `no profile is defined for "${p}"`);
      }
    });
    return new Set(profiles.filter((p): p is string => typeof p === 'string'));
  }

  private version(event: Record<string, unknown>, run: Run): void {
    const version = isMap(event.metadata) ? event.metadata.version : undefined;
    if (typeof version !== 'string' || version === this.schema.version) return;
    const parse = (v: string) => v.split(/[-+]/)[0].split('.').map(Number);
    const [a, b] = [parse(version), parse(this.schema.version)];
    const cmp = a.map((x, i) => x - (b[i] ?? 0)).find((d) => d !== 0) ?? 0;
    if (cmp > 0 || Number.isNaN(cmp)) {
      run.error('version_incompatible_later', 'metadata.version', `"${version}" is later than the schema`);
    } else if (a[0] === 0 || version.includes('-')) {
      run.error('version_incompatible', 'metadata.version', `"${version}" is incompatible with the schema`);
    } else {
      run.warning('version_earlier', 'metadata.version', `"${version}" is earlier than the schema`);
    }
  }

  private observables(
    event: Record<string, unknown>,
    cls: SchemaItem,
    profiles: Set<string>,
    run: Run,
  ): void {
    if (!Array.isArray(event.observables)) return;
    event.observables.forEach((o, i) => {
      if (!isMap(o) || typeof o.name !== 'string') return;
      if (!this.refersToAttribute(o.name.split(/\.(?![^[]*\])/), cls, profiles)) {
        run.error(
          'observable_name_invalid_reference',
          `observables[${i}].name`,
          `"${o.name}" does not refer to an attribute of class "${cls.name}"`,
        );
      }
    });
  }

  private refersToAttribute(keys: string[], item: SchemaItem, profiles: Set<string>): boolean {
    const [key, ...rest] = keys;
    const m = /^([^[]+)\[.*\]$/.exec(key);
    const base = m ? m[1] : key;
    const attribute = visible(item.attributes, profiles)[base];
    if (!attribute) return false;
    if (rest.length === 0) return true;
    if (m && attribute.is_array !== true) return false;
    if (attribute.type !== 'object_t' || !attribute.object_type) return false;
    const object = this.schema.objects[attribute.object_type];
    return object ? this.refersToAttribute(rest, object, profiles) : false;
  }

  /** @internal */
  object(name: string): SchemaItem | undefined {
    return this.schema.objects[name];
  }

  /** @internal */
  type(name: string): DictionaryType | undefined {
    return this.schema.dictionary.types.attributes[name];
  }

  /** @internal */
  regex(source: string): RegExp {
    let re = this.regexes.get(source);
    if (!re) this.regexes.set(source, (re = new RegExp(source)));
    return re;
  }
}

/** Attributes of a class or object that exist under the declared profiles. */
function visible(attributes: Record<string, SchemaAttribute>, profiles: Set<string>) {
  const out: Record<string, SchemaAttribute> = {};
  for (const [name, a] of Object.entries(attributes)) {
    if (!a.profiles || a.profiles.some((p) => profiles.has(p))) out[name] = a;
  }
  return out;
}

/** One validation: the findings so far. */
class Run {
  private readonly errors: Finding[] = [];
  private readonly warnings: Finding[] = [];

  constructor(
    private readonly v: OcsfValidator,
    private readonly strict: boolean,
    private readonly warnOnRecommended: boolean,
  ) {}

  error(type: string, path: string, message: string): void {
    this.errors.push({ type, path, message });
  }

  warning(type: string, path: string, message: string): void {
    this.warnings.push({ type, path, message });
  }

  /** A finding the server reports as a warning; strict mode makes it an error. */
  lenient(type: string, path: string, message: string): void {
    if (this.strict) this.error(type, path, message);
    else this.warning(type, path, message);
  }

  result(): ValidationResult {
    return { errors: this.errors, warnings: this.warnings };
  }

  attributes(item: Record<string, unknown>, parent: string, schemaItem: SchemaItem, profiles: Set<string>) {
    const attributes = visible(schemaItem.attributes, profiles);
    for (const [name, details] of Object.entries(attributes)) {
      this.attribute(item[name], join(parent, name), name, details, profiles);
    }
    // An object type without attributes (`object`) takes any keys.
    if (Object.keys(schemaItem.attributes).length > 0) {
      for (const key of Object.keys(item)) {
        if (!(key in attributes)) {
          const where =
            schemaItem.uid !== undefined
              ? `class "${schemaItem.name}" uid ${schemaItem.uid}`
              : `object "${schemaItem.name}"`;
          const brought = schemaItem.attributes[key]?.profiles;
          const hint = brought ? ` (profile ${brought.join(' or ')} is not declared)` : '';
          this.error('attribute_unknown', join(parent, key), `"${key}" is not defined in ${where}${hint}`);
        }
      }
    }
    for (const [name, details] of Object.entries(attributes)) {
      if (details.enum && name in item) this.enumValue(item, parent, name, details);
    }
  }

  private enumValue(item: Record<string, unknown>, parent: string, name: string, details: SchemaAttribute) {
    const values = details.is_array
      ? Array.isArray(item[name])
        ? (item[name] as unknown[])
        : []
      : [item[name]];
    values.forEach((value, index) => {
      const at = details.is_array ? `${join(parent, name)}[${index}]` : join(parent, name);
      const key = enumKey(value);
      const entry = details.enum![key];
      if (!entry) {
        this.error(
          'attribute_enum_value_unknown',
          at,
          `${JSON.stringify(value)} is not defined for enum "${name}"`,
        );
        return;
      }
      if (entry['@deprecated']) this.warning('attribute_enum_value_deprecated', at, `${key} is deprecated`);
      const sibling = details.sibling;
      if (!sibling || !(sibling in item)) return;
      const siblingValue = details.is_array
        ? (item[sibling] as unknown[] | undefined)?.[index]
        : item[sibling];
      const siblingPath = details.is_array ? `${join(parent, sibling)}[${index}]` : join(parent, sibling);
      if (value === 99) {
        if (siblingValue === entry.caption && !details.is_array) {
          this.warning(
            'attribute_enum_sibling_suspicious_other',
            siblingPath,
            `"${sibling}" is the caption of 99 (${entry.caption}); the source's own value belongs there`,
          );
        }
      } else if (siblingValue !== entry.caption) {
        this.lenient(
          'attribute_enum_sibling_incorrect',
          siblingPath,
          `"${sibling}" is ${JSON.stringify(siblingValue)}; the caption of ${name} ${key} is "${entry.caption}"`,
        );
      }
    });
  }

  private attribute(
    value: unknown,
    at: string,
    name: string,
    details: SchemaAttribute,
    profiles: Set<string>,
  ) {
    if (value === undefined || value === null) {
      if (details.requirement === 'required') {
        this.error('attribute_required_missing', at, `required attribute "${name}" is missing`);
      } else if (details.requirement === 'recommended' && this.warnOnRecommended) {
        this.warning('attribute_recommended_missing', at, `recommended attribute "${name}" is missing`);
      }
      return;
    }
    if (details['@deprecated']) this.warning('attribute_deprecated', at, `"${name}" is deprecated`);
    if (details.type !== 'object_t' && !this.v.type(details.type)) {
      this.error('schema_bug_type_missing', at, `type ${details.type} is not in the dictionary`);
      return;
    }
    if (details.is_array) {
      if (!Array.isArray(value)) {
        this.error('attribute_wrong_type', at, `expected an array of ${details.type}`);
        return;
      }
      value.forEach((v, i) => this.value(v, `${at}[${i}]`, details, profiles));
    } else {
      this.value(value, at, details, profiles);
    }
  }

  private value(value: unknown, at: string, details: SchemaAttribute, profiles: Set<string>) {
    if (details.type === 'object_t') {
      const object = this.v.object(details.object_type ?? '');
      if (!object) {
        this.error('schema_bug_object_missing', at, `object ${details.object_type} is not in the schema`);
      } else if (!isMap(value)) {
        this.error('attribute_wrong_type', at, `expected object ${details.object_type}`);
      } else {
        if (object['@deprecated'])
          this.warning('object_deprecated', at, `object ${object.name} is deprecated`);
        if (this.strict && Object.keys(value).length === 0) {
          this.error('object_empty', at, 'an empty object carries nothing; leave it out');
        }
        this.attributes(value, at, object, profiles);
        this.constraints(value, object, at);
      }
      return;
    }
    this.typed(value, at, details.type);
  }

  private typed(value: unknown, at: string, typeName: string) {
    const type = this.v.type(typeName)!;
    const primitive = type.type ?? typeName;
    const superType = type.type ? this.v.type(type.type) : undefined;
    const wrong = () =>
      this.error('attribute_wrong_type', at, `${JSON.stringify(value)?.slice(0, 60)} is not a ${typeName}`);
    switch (primitive) {
      case 'json_t':
        return;
      case 'boolean_t':
        if (typeof value !== 'boolean') return wrong();
        break;
      case 'float_t':
        if (typeof value !== 'number' || Number.isInteger(value) || !Number.isFinite(value)) return wrong();
        break;
      case 'integer_t':
        if (!isInteger(value) || !inIntRange(value)) return wrong();
        break;
      case 'long_t':
        if (!isInteger(value)) return wrong();
        break;
      case 'string_t': {
        if (typeof value !== 'string') return wrong();
        const maxLen = type.max_len ?? superType?.max_len;
        const length = [...value].length;
        if (maxLen !== undefined && length > maxLen) {
          this.error(
            'attribute_value_exceeds_max_len',
            at,
            `length ${length} exceeds ${typeName} max length ${maxLen}`,
          );
        }
        const regex = type.regex ?? superType?.regex;
        if (regex !== undefined && !this.v.regex(regex).test(value)) {
          this.lenient(
            'attribute_value_regex_not_matched',
            at,
            `${JSON.stringify(value)} does not match the regex of ${typeName}`,
          );
        }
        break;
      }
      default:
        this.error('schema_bug_primitive_type_unknown', at, `unknown primitive type ${primitive}`);
        return;
    }
    const range = type.range ?? superType?.range;
    if (range && typeof value === 'number' && (value < range[0] || value > range[1])) {
      this.error(
        'attribute_value_exceeds_range',
        at,
        `${value} is outside ${typeName} range ${range[0]}..${range[1]}`,
      );
    }
    const values = type.values ?? superType?.values;
    if (values && !values.some((v) => v === value)) {
      this.error(
        'attribute_value_not_in_type_values',
        at,
        `${JSON.stringify(value)} is not a value of ${typeName}`,
      );
    }
  }

  constraints(item: Record<string, unknown>, schemaItem: SchemaItem, at: string) {
    for (const [kind, keys] of Object.entries(schemaItem.constraints ?? {})) {
      const count = keys.filter((k) => k in item).length;
      const what = `${kind} of ${keys.join(', ')} (${at ? `object "${schemaItem.name}" at "${at}"` : `class "${schemaItem.name}"`})`;
      if (kind === 'at_least_one') {
        if (count === 0) this.error('constraint_failed', at, `constraint ${what}: got none`);
      } else if (kind === 'just_one') {
        if (count !== 1) this.error('constraint_failed', at, `constraint ${what}: got ${count}`);
      } else {
        this.error('constraint_unknown', at, `unknown constraint ${kind}`);
      }
    }
  }
}
