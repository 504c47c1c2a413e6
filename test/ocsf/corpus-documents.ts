import { FlowLogFormatRegistry, parseFormatString } from '../../functions/shared/flow-log-formats';
import { normalizePayload } from '../../functions/shared/normalize';
import type { OcsfDocument } from '../../functions/shared/ocsf/document';
import {
  cwlPayload,
  cwlPayloadSamples,
  flowLogSamples,
  guardDutyEvents,
  pantherCloudTrailLogs,
  realCloudTrailEvents,
  realKinesisCwlEvent,
} from '../../local/corpus';
import { decodeCwlBase64 } from '../../functions/shared/cwl-payload';
import { testTrust } from '../fixtures/trust';

export interface CorpusDocument {
  /** Corpus file (and record) the document was made of. */
  source: string;
  doc: OcsfDocument;
}

/** Every document the core makes of the whole corpus, each with where it came from. */
export function corpusDocuments(): CorpusDocument[] {
  const out: CorpusDocument[] = [];
  const plain = new FlowLogFormatRegistry();
  const add = (sources: string[], docs: OcsfDocument[]) =>
    docs.forEach((doc, i) => out.push({ source: sources[i], doc }));
  for (const [events, group] of [
    [realCloudTrailEvents(), 'aws-cloudtrail-logs'],
    [pantherCloudTrailLogs(), 'aws-cloudtrail-logs'],
    [guardDutyEvents(), '/logwarden/guardduty-findings'],
  ] as const) {
    add(
      events.map((e) => e.source),
      normalizePayload(
        cwlPayload(
          events.map((e) => JSON.stringify(e.event)),
          { logGroup: group },
        ),
        plain,
        testTrust,
      ),
    );
  }
  for (const sample of flowLogSamples()) {
    const formats = new FlowLogFormatRegistry().register(
      'flows',
      parseFormatString(sample.source, sample.format),
    );
    add(
      sample.records.map(() => sample.source),
      normalizePayload(cwlPayload(sample.records, { logGroup: 'flows' }), formats, testTrust),
    );
  }
  for (const { source, payload } of cwlPayloadSamples()) {
    add(
      payload.logEvents.map(() => source),
      normalizePayload(payload, plain, testTrust),
    );
  }
  for (const r of realKinesisCwlEvent().Records) {
    const d = decodeCwlBase64(r.kinesis.data);
    if (!d.ok) throw new Error(d.error);
    add(
      d.payload.logEvents.map(() => 'powertools kinesis CloudWatch Logs event'),
      normalizePayload(d.payload, plain, testTrust),
    );
  }
  return out;
}
