/**
 * Every Lambda event source mapping on a source encrypted with a customer managed key can read it:
 * Lambda reads the stream or the queue with the function's execution role, so that role needs
 * kms:Decrypt on the source's key (Kinesis Data Streams Developer Guide, "Permissions to use
 * user-generated KMS keys": "Your Kinesis stream consumers must have the kms:Decrypt permission.
 * [...] AWS Lambda use[s] roles to consume Kinesis streams. Make sure to add the kms:Decrypt
 * permission to the roles that these consumers use"; SQS Developer Guide, "Configure KMS
 * permissions for consumers": "the consumer must have the kms:Decrypt permission for any KMS key
 * that is used to encrypt the messages in the specified queue"), and the key policy must let IAM
 * policies of the account grant it (KMS Developer Guide, "Key policies in AWS KMS": "Unless the
 * key policy explicitly allows it, you cannot use IAM policies to allow access to a KMS key").
 *
 * The local run reads the stream with the indexer's role only, for every consumer
 * (local/pipeline-worker.ts), and each queue with its function's role; this checks every mapping
 * of the synthesized templates, mapping → source → key and → function → role.
 */
import { buildExample, exampleConfig, exampleConfigRaw, templateOf } from './example-app';

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties?: Json;
}
interface Statement {
  Effect: string;
  Principal?: { AWS?: string | string[] } | string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: unknown;
}

const raw = exampleConfigRaw();
const configs = {
  default: exampleConfig(),
  'flowLogs.delivery firehose': exampleConfig({
    flowLogs: { ...(raw.flowLogs as Record<string, unknown>), delivery: 'firehose' },
  }),
};

const getAtt = (value: unknown): [string, string] | undefined =>
  (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
const glob = (pattern: string, text: string) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(text);

/** The key that encrypts the source a mapping reads (a stream, a stream's consumer, a queue). */
function sourceKey(resources: Record<string, Resource>, source: unknown): string | undefined {
  const [id] = getAtt(source) ?? [];
  const r = id ? resources[id] : undefined;
  if (r?.Type === 'AWS::Kinesis::StreamConsumer') return sourceKey(resources, r.Properties?.StreamARN);
  if (r?.Type === 'AWS::Kinesis::Stream')
    return getAtt((r.Properties?.StreamEncryption as Json | undefined)?.KeyId)?.[0];
  if (r?.Type === 'AWS::SQS::Queue') return getAtt(r.Properties?.KmsMasterKeyId)?.[0];
  throw new Error(`event source ${JSON.stringify(source)} is not read by this test`);
}

describe('Lambda event source mappings can decrypt what they read', () => {
  const cases = Object.entries(configs).flatMap(([config, c]) => {
    const built = buildExample(c);
    return [built.central, built.controlPlane, ...built.destinations].flatMap((stack) => {
      const resources = templateOf(stack).toJSON().Resources as Record<string, Resource>;
      return Object.entries(resources)
        .filter(([, r]) => r.Type === 'AWS::Lambda::EventSourceMapping')
        .map(([mappingId, m]) => ({ config, stack, resources, mappingId, mapping: m }));
    });
  });

  it('finds the mappings, on the stream and on a queue (not vacuous)', () => {
    const kinds = new Set(
      cases.map(({ resources, mapping }) => resources[getAtt(mapping.Properties?.EventSourceArn)![0]].Type),
    );
    expect([...kinds].sort()).toEqual(['AWS::Kinesis::StreamConsumer', 'AWS::SQS::Queue']);
  });

  it("each mapping's execution role may kms:Decrypt the source's customer managed key, which the key policy lets IAM grant", () => {
    const refused = cases.filter(({ stack, resources, mapping }) => {
      const keyId = sourceKey(resources, mapping.Properties?.EventSourceArn);
      if (!keyId) return false; // not encrypted with a customer managed key
      const fnId = (mapping.Properties?.FunctionName as { Ref: string }).Ref;
      const roleId = getAtt(resources[fnId].Properties?.Role)![0];
      const identity = Object.values(resources)
        .filter(
          (r) =>
            r.Type === 'AWS::IAM::Policy' &&
            ((r.Properties?.Roles as Json[] | undefined) ?? []).some((role) => role.Ref === roleId),
        )
        .flatMap((p) => (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
      const grantsDecrypt = identity.some(
        (s) =>
          s.Effect === 'Allow' &&
          [s.Action].flat().some((a) => glob(a, 'kms:Decrypt')) &&
          [s.Resource].flat().some((r) => r === '*' || getAtt(r)?.[0] === keyId) &&
          // Conditions would need the request's context: none is expected on these grants.
          s.Condition === undefined,
      );
      const keyPolicy = (resources[keyId].Properties?.KeyPolicy as { Statement: Statement[] }).Statement;
      const root = `arn:aws:iam::${stack.account}:root`;
      const delegates = keyPolicy.some(
        (s) =>
          s.Effect === 'Allow' &&
          typeof s.Principal === 'object' &&
          [s.Principal.AWS].flat().includes(root) &&
          [s.Action].flat().some((a) => glob(a, 'kms:Decrypt')) &&
          s.Condition === undefined,
      );
      return !(grantsDecrypt && delegates);
    });
    expect(refused.map((c) => `${c.config}: ${c.stack.stackName}/${c.mappingId}`)).toEqual([]);
  });
});
