/**
 * Every line of the corpus (test/corpus/) through the transform, as Firehose hands it over, and
 * the NDJSON it answers: what corpus-output.test.ts pins byte for byte, so a change made for speed
 * cannot change a document unnoticed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { FlowLogFormatRegistry, parseFormatString } from '../../../functions/shared/flow-log-formats';
import type { CwlPayload } from '../../../functions/shared/cwl-payload';
import { transformFirehoseEvent } from '../../../functions/transform/transform';
import {
  corpusDir,
  cwlPayload,
  cwlPayloadSamples,
  encodeCwl,
  flowLogSamples,
  guardDutyEvents,
  pantherCloudTrailLogs,
  realCloudTrailEvents,
  realFirehoseEvent,
  realKinesisCwlEvent,
} from '../../../local/corpus';
import { testTrust } from '../../fixtures/trust';

export interface CorpusOutput {
  /** What the lines are and the group they arrive in. */
  name: string;
  /** The Ok records' data, decoded, in order: one document per line. */
  ndjson: string;
}

/** Every file of the corpus, text split into lines: the plain-text path on real, varied text. */
function corpusTextLines(): string[] {
  const lines: string[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir).sort()) {
      const p = path.join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else
        lines.push(
          ...readFileSync(p, 'utf8')
            .split('\n')
            .filter((l) => l.trim()),
        );
    }
  };
  walk(corpusDir);
  return lines;
}

/** Every JSON object of the corpus's JSON Lines files (Panther's fixtures' `log`s). */
function corpusJsonLines(): string[] {
  const dir = path.join(corpusDir, 'panther-analysis-tests');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) =>
      readFileSync(path.join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.stringify((JSON.parse(l) as { log: unknown }).log)),
    );
}

/**
 * Edge lines around what the normalizers read: integers past 2^53 inside and outside strings,
 * invalid JSON, leading whitespace, deep and long values, flow-record shapes in other groups.
 */
const edgeLines = [
  '{"n":12345678901234567890,"s":"a-12345678901234567890"}',
  '{"s":"id-1234567890123456789","t":[1,2,-98765432109876543210]}',
  '{ "n" :\t12345678901234567890 }',
  '  {"padded":true}',
  '{x" "12345678901234567890"}',
  '{"unterminated":"12345678901234567890',
  '{"a":1}trailing',
  '[1,2,3]',
  '"just a string"',
  `{"deep":${'['.repeat(40)}${']'.repeat(40)}}`,
  `{"long":"${'x'.repeat(9000)}","${'k'.repeat(9000)}":1}`,
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
  'émoji 😀 and \u0000 control \u2028 separators "quoted" \\ back',
  `${'y'.repeat(1500)}`,
  '{"source":"aws.guardduty","detail":{"id":"x","updatedAt":"2024-01-01T00:00:00.000Z","10":1,"9":2,"__proto__":{"a":1}}}',
  '{"eventVersion":"1.08","eventSource":"iam.amazonaws.com","eventName":"CreateUser","recipientAccountId":"999999999999"}',
];

const GROUPS = {
  cloudTrail: 'aws-cloudtrail-logs',
  guardDuty: '/logwarden/guardduty-findings',
  trustedApp: 'app/orders',
  untrustedApp: 'app/other',
};

/** The corpus's payloads, each with a name. */
function corpusPayloads(): { name: string; payload: CwlPayload; formats?: FlowLogFormatRegistry }[] {
  const json = (events: { event: unknown }[]) => events.map((e) => JSON.stringify(e.event));
  const out: { name: string; payload: CwlPayload; formats?: FlowLogFormatRegistry }[] = [
    {
      name: 'CloudTrail (Stratus Red Team, misc)',
      payload: cwlPayload(json(realCloudTrailEvents()), { logGroup: GROUPS.cloudTrail }),
    },
    {
      name: 'CloudTrail (Panther fixtures)',
      payload: cwlPayload(json(pantherCloudTrailLogs()), { logGroup: GROUPS.cloudTrail }),
    },
    {
      name: 'GuardDuty findings',
      payload: cwlPayload(json(guardDutyEvents()), { logGroup: GROUPS.guardDuty }),
    },
    {
      name: 'Panther JSON lines, trusted group',
      payload: cwlPayload(corpusJsonLines(), { logGroup: GROUPS.trustedApp }),
    },
    {
      name: 'Panther JSON lines, untrusted group',
      payload: cwlPayload(corpusJsonLines(), { logGroup: GROUPS.untrustedApp }),
    },
    { name: 'corpus text lines', payload: cwlPayload(corpusTextLines(), { logGroup: GROUPS.untrustedApp }) },
    { name: 'edge lines, trusted group', payload: cwlPayload(edgeLines, { logGroup: GROUPS.trustedApp }) },
    {
      name: 'edge lines, untrusted group',
      payload: cwlPayload(edgeLines, { logGroup: GROUPS.untrustedApp }),
    },
    ...cwlPayloadSamples().map(({ source, payload }) => ({ name: source, payload })),
  ];
  for (const sample of flowLogSamples()) {
    const formats = new FlowLogFormatRegistry().register(
      'flows',
      parseFormatString(sample.source, sample.format),
    );
    out.push({
      name: `flow records: ${sample.source}`,
      payload: cwlPayload(sample.records, { logGroup: 'flows' }),
      formats,
    });
  }
  // Log event ids of their own (cwlPayload numbers events across calls): a payload's documents
  // do not depend on what else was built before it.
  for (const { payload } of out)
    payload.logEvents.forEach(
      (e, i) => (e.id = String(36000000000000000000000000000000000000000000000000000000n + BigInt(i))),
    );
  return out;
}

const kinesis = new KinesisClient({ region: 'eu-west-1' });
const NOW = Date.UTC(2024, 0, 1);

async function ndjsonOf(
  records: { recordId: string; data: string }[],
  formats = new FlowLogFormatRegistry(),
) {
  const { records: out } = await transformFirehoseEvent(
    { records },
    { formats, trust: testTrust, kinesis, maxResponseBytes: Number.MAX_SAFE_INTEGER, now: () => NOW },
  );
  return out
    .map(
      (r) =>
        `${r.recordId} ${r.result} ${JSON.stringify(r.metadata ?? {})}\n${r.data ? Buffer.from(r.data, 'base64').toString('utf8') : ''}`,
    )
    .join('');
}

/** The transform's answer for every corpus payload, and for the corpus's real Firehose and Kinesis events. */
export async function corpusOutputs(): Promise<CorpusOutput[]> {
  const outputs: CorpusOutput[] = [];
  for (const { name, payload, formats } of corpusPayloads())
    outputs.push({ name, ndjson: await ndjsonOf([{ recordId: 'r', data: encodeCwl(payload) }], formats) });
  outputs.push({ name: 'real Firehose event', ndjson: await ndjsonOf(realFirehoseEvent().records) });
  outputs.push({
    name: 'real Kinesis event',
    ndjson: await ndjsonOf(
      realKinesisCwlEvent().Records.map((r, i) => ({ recordId: `k${i}`, data: r.kinesis.data })),
    ),
  });
  // Several flow-log examples share a section name: each output's name is made unique.
  const seen = new Map<string, number>();
  for (const o of outputs) {
    const n = (seen.get(o.name) ?? 0) + 1;
    seen.set(o.name, n);
    if (n > 1) o.name = `${o.name} (${n})`;
  }
  return outputs;
}
