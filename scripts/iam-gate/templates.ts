import { UNKNOWN_ANY, UNKNOWN_NAME, UNKNOWN_SEGMENT } from './arn-pattern';
import type { Sar } from './sar';

/** One CloudFormation template, as synthesized. */
export interface Template {
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/** An Allow statement of an identity policy, with the principal it is attached to. */
export interface Grant {
  /** `<template>/<logical id of the policy or role>`: where the statement is written. */
  readonly where: string;
  /** The roles (logical ids, or role names when literal) that receive it. */
  readonly principals: readonly string[];
  readonly sid?: string;
  readonly actions: readonly string[];
  /** Rendered: deploy-time parts replaced by UNKNOWN_SEGMENT / UNKNOWN_ANY. */
  readonly resources: readonly string[];
}

/** Another Allow statement (trust, key, bucket, topic, destination policy): its actions are checked to exist. */
export interface OtherStatement {
  readonly where: string;
  readonly actions: readonly string[];
}

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * CloudFormation types whose ARN a policy reaches through Fn::GetAtt or Ref, with the SAR
 * resource type that ARN is. The log group's `Arn` attribute ends in `:*` (CloudFormation docs).
 */
const ARN_TYPES: Record<
  string,
  {
    service: string;
    type: string;
    suffix?: string;
    refIsArn?: boolean;
    /** The ARN template's variables that hold neither ":" nor "/" (the service's name pattern). */
    plainNames?: string[];
  }
> = {
  'AWS::DynamoDB::Table': { service: 'dynamodb', type: 'table' },
  'AWS::Events::EventBus': { service: 'events', type: 'event-bus' },
  'AWS::IAM::Role': { service: 'iam', type: 'role' },
  // "Pattern: [a-zA-Z0-9_.-]+" (Kinesis API Reference, StreamName).
  'AWS::Kinesis::Stream': { service: 'kinesis', type: 'stream', plainNames: ['StreamName'] },
  'AWS::Kinesis::StreamConsumer': { service: 'kinesis', type: 'consumer' },
  'AWS::KinesisFirehose::DeliveryStream': { service: 'firehose', type: 'deliverystream' },
  'AWS::KMS::Key': { service: 'kms', type: 'key' },
  'AWS::Lambda::Function': { service: 'lambda', type: 'function' },
  'AWS::Logs::Destination': { service: 'logs', type: 'destination' },
  'AWS::Logs::LogGroup': { service: 'logs', type: 'log-group', suffix: ':*' },
  'AWS::OpenSearchService::Domain': { service: 'es', type: 'domain' },
  'AWS::S3::Bucket': { service: 's3', type: 'bucket' },
  'AWS::SNS::Topic': { service: 'sns', type: 'topic', refIsArn: true },
  'AWS::SQS::Queue': { service: 'sqs', type: 'queue' },
  'AWS::StepFunctions::StateMachine': { service: 'states', type: 'statemachine', refIsArn: true },
};

export class TemplateReader {
  constructor(
    private readonly sar: Sar,
    private readonly name: string,
    private readonly template: Template,
  ) {}

  /** The ARN a resource of the template has, as a pattern: its name is unknown until deployed. */
  private arnOf(logicalId: string): string {
    const resource = this.template.Resources?.[logicalId];
    const known = resource && ARN_TYPES[resource.Type];
    if (!known) return UNKNOWN_ANY;
    const action = [...(this.sar.actionsOf(known.service)?.values() ?? [])]
      .flatMap((a) => a.resourceTypes)
      .find((t) => t.name.toLowerCase() === known.type);
    if (!action) return UNKNOWN_ANY;
    return (
      action.arn
        .replaceAll('${Partition}', 'aws')
        .replace(/\$\{(Region|Account)\}/g, UNKNOWN_SEGMENT)
        .replace(/\$\{([^}]+)\}/g, (_, v: string) =>
          known.plainNames?.includes(v) ? UNKNOWN_NAME : UNKNOWN_ANY,
        ) + (known.suffix ?? '')
    );
  }

  private ref(name: string): string {
    if (name === 'AWS::Partition') return 'aws';
    if (name === 'AWS::URLSuffix') return 'amazonaws.com';
    if (name === 'AWS::Region' || name === 'AWS::AccountId') return UNKNOWN_SEGMENT;
    const resource = this.template.Resources?.[name];
    if (resource && ARN_TYPES[resource.Type]?.refIsArn) return this.arnOf(name);
    return UNKNOWN_ANY;
  }

  /** A Resource value with its intrinsic functions resolved as far as the template allows. */
  render(value: unknown): string {
    if (typeof value === 'string') return value;
    if (!value || typeof value !== 'object') return UNKNOWN_ANY;
    const [fn, arg] = Object.entries(value as Record<string, unknown>)[0] ?? [];
    switch (fn) {
      case 'Ref':
        return this.ref(arg as string);
      case 'Fn::GetAtt': {
        const [id, attribute] = arg as [string, string];
        return /arn$/i.test(attribute) ? this.arnOf(id) : UNKNOWN_ANY;
      }
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, unknown[]];
        return parts.map((p) => this.render(p)).join(sep);
      }
      case 'Fn::Sub': {
        const [text, vars] = (Array.isArray(arg) ? arg : [arg, {}]) as [string, Record<string, unknown>];
        return text.replace(/\$\{([^}]+)\}/g, (_, v: string) => {
          if (v in vars) return this.render(vars[v]);
          const [id, attribute] = v.split('.');
          return attribute ? this.render({ 'Fn::GetAtt': [id, attribute] }) : this.ref(v);
        });
      }
      default:
        return UNKNOWN_ANY;
    }
  }

  /** Allow statements of the identity policies: inline role policies, AWS::IAM::Policy, managed policies. */
  grants(): Grant[] {
    const grants: Grant[] = [];
    const roleName = (ref: unknown) => {
      const id = (ref as { Ref?: string }).Ref;
      const name = id && this.template.Resources?.[id]?.Properties?.RoleName;
      return typeof name === 'string' ? name : (id ?? this.render(ref));
    };
    for (const [id, resource] of Object.entries(this.template.Resources ?? {})) {
      const p = resource.Properties ?? {};
      const documents: { doc: unknown; principals: string[] }[] = [];
      if (resource.Type === 'AWS::IAM::Role') {
        const self = typeof p.RoleName === 'string' ? p.RoleName : id;
        for (const inline of asList(p.Policies as { PolicyDocument: unknown }[]))
          documents.push({ doc: inline.PolicyDocument, principals: [self] });
      } else if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
        documents.push({
          doc: p.PolicyDocument,
          principals: [...asList(p.Roles), ...asList(p.Users), ...asList(p.Groups)].map(roleName),
        });
      }
      for (const { doc, principals } of documents) {
        for (const s of asList((doc as { Statement?: unknown }).Statement) as Record<string, unknown>[]) {
          if (s.Effect !== 'Allow' || s.Action === undefined || s.Resource === undefined) continue;
          grants.push({
            where: `${this.name}/${id}`,
            principals,
            sid: s.Sid as string | undefined,
            actions: asList(s.Action as string | string[]),
            resources: asList(s.Resource).map((r) => this.render(r)),
          });
        }
      }
    }
    return grants;
  }

  /** Every other Allow statement with an Action element, anywhere in the template. */
  otherStatements(): OtherStatement[] {
    const found: OtherStatement[] = [];
    for (const [id, resource] of Object.entries(this.template.Resources ?? {})) {
      if (['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].includes(resource.Type)) continue;
      const walk = (node: unknown, inIdentityPolicies: boolean): void => {
        if (Array.isArray(node)) node.forEach((n) => walk(n, inIdentityPolicies));
        else if (node && typeof node === 'object') {
          const o = node as Record<string, unknown>;
          if (!inIdentityPolicies && o.Effect === 'Allow' && o.Action !== undefined)
            found.push({ where: `${this.name}/${id}`, actions: asList(o.Action as string | string[]) });
          for (const [k, v] of Object.entries(o))
            walk(v, inIdentityPolicies || (resource.Type === 'AWS::IAM::Role' && k === 'Policies'));
        } else if (typeof node === 'string' && node.trimStart().startsWith('{"Version"')) {
          // A policy written as a JSON string (a CloudWatch Logs destination policy).
          walk(JSON.parse(node), inIdentityPolicies);
        }
      };
      walk(resource.Properties, false);
    }
    return found;
  }
}
