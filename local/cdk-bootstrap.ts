/**
 * The CDK bootstrap template that ships with the aws-cdk CLI (what `cdk bootstrap` deploys), read
 * and resolved for one account and region with its parameters' defaults, the way CloudFormation
 * resolves it: Ref, Fn::Sub, Fn::If, Fn::Join, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Conditions
 * and AWS::NoValue. The local run emulates `cdk bootstrap` with the two resources that `cdk
 * deploy` and `logwarden preflight` read (the version parameter, the deploy role and its trust);
 * the archive guard SCP test checks the SCP against all of its resources.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

export const bootstrapTemplatePath = path.join(
  path.dirname(require.resolve('aws-cdk/package.json')),
  'lib',
  'api',
  'bootstrap',
  'bootstrap-template.yaml',
);

export interface CfnResource {
  Type: string;
  Condition?: string;
  Properties?: Record<string, unknown>;
}

export interface CfnDocument {
  Parameters?: Record<string, { Type?: string; Default?: unknown }>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, CfnResource>;
}

export function bootstrapTemplate(): CfnDocument {
  return parse(readFileSync(bootstrapTemplatePath, 'utf8')) as CfnDocument;
}

const noValue = Symbol('AWS::NoValue');

/**
 * The template's resources (those whose Condition holds), each property resolved for an
 * account and region; parameters take their defaults unless given.
 */
export function resolveTemplate(
  template: CfnDocument,
  env: { account: string; region: string },
  parameters: Record<string, string> = {},
): Record<string, CfnResource> {
  const params: Record<string, unknown> = {
    'AWS::AccountId': env.account,
    'AWS::Region': env.region,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': 'CDKToolkit',
    'AWS::NoValue': noValue,
  };
  for (const [name, p] of Object.entries(template.Parameters ?? {})) {
    const value = String(parameters[name] ?? p.Default ?? '');
    params[name] = p.Type === 'CommaDelimitedList' ? (value === '' ? [] : value.split(',')) : value;
  }
  const conditions = new Map<string, boolean>();
  const condition = (name: string): boolean => {
    if (!conditions.has(name)) conditions.set(name, Boolean(resolve(template.Conditions?.[name])));
    return conditions.get(name) as boolean;
  };
  const ref = (name: string): unknown => {
    if (name in params) return params[name];
    // A reference to a resource: its logical id stands for its physical id.
    return name;
  };
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve).filter((v) => v !== noValue);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [fn, arg] = entries[0];
      switch (fn) {
        case 'Ref':
          return ref(arg as string);
        case 'Condition':
          return condition(arg as string);
        case 'Fn::If': {
          const [name, yes, no] = arg as [string, unknown, unknown];
          return resolve(condition(name) ? yes : no);
        }
        case 'Fn::Equals': {
          const [a, b] = (arg as unknown[]).map(resolve);
          return JSON.stringify(a) === JSON.stringify(b);
        }
        case 'Fn::Not':
          return !resolve((arg as unknown[])[0]);
        case 'Fn::And':
          return (arg as unknown[]).every((c) => resolve(c));
        case 'Fn::Or':
          return (arg as unknown[]).some((c) => resolve(c));
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, unknown];
          return (resolve(parts) as unknown[]).join(sep);
        }
        case 'Fn::Sub': {
          const [text, vars] = Array.isArray(arg)
            ? (arg as [string, Record<string, unknown>])
            : [arg as string, {}];
          return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
            if (name in vars) return String(resolve(vars[name]));
            const [target, attribute] = name.split('.');
            return attribute ? `${target}.${attribute}` : String(ref(target));
          });
        }
        case 'Fn::GetAtt':
          return Array.isArray(arg) ? arg.join('.') : arg;
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const r = resolve(v);
      if (r !== noValue) out[k] = r;
    }
    return out;
  };
  const resources: Record<string, CfnResource> = {};
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Condition && !condition(r.Condition)) continue;
    resources[id] = { ...r, Properties: resolve(r.Properties ?? {}) as Record<string, unknown> };
  }
  return resources;
}
