/**
 * The alerter skips a payload trusted for neither CloudTrail nor GuardDuty when no detection rule
 * can flag one of its documents (CompiledRule.mayMatchPlainDocuments, issue 26). That rests on
 * what such documents can hold: PLAIN_DOCUMENT_CLASSES and PLAIN_DOCUMENT_FIELDS, checked here on
 * every corpus line, flow records of every sample format included.
 */
import type { SourceTrust, TrustTable } from '../../../contracts/trusted-sources';
import { detectionRules } from '../../../contracts/detections';
import { compileRules, mayMatchPlainDocuments } from '../../../functions/alerter/detections';
import { FlowLogFormatRegistry } from '../../../functions/shared/flow-log-formats';
import {
  normalizePayload,
  PLAIN_DOCUMENT_CLASSES,
  PLAIN_DOCUMENT_FIELDS,
} from '../../../functions/shared/normalize';
import { corpusMessagesByGroup, cwlPayload, flowLogSamples, guardDutyEvents } from '../../../local/corpus';
import type { OcsfDocument } from '../../../functions/shared/ocsf/document';

const registry = new FlowLogFormatRegistry();
const trustOnly = (source: SourceTrust): TrustTable => ({ of: () => source }) as unknown as TrustTable;
const untrusted = trustOnly({ kinds: new Set(), ownAccountOnly: false });

const expectPlain = (doc: OcsfDocument) => {
  expect(PLAIN_DOCUMENT_CLASSES).toContain(doc.class_uid);
  for (const key of Object.keys(doc)) expect([key, PLAIN_DOCUMENT_FIELDS.has(key)]).toEqual([key, true]);
};

describe('documents of a payload trusted for neither CloudTrail nor GuardDuty', () => {
  it('every corpus line from an untrusted group: Base Events with only the plain fields', () => {
    const messages = [
      ...corpusMessagesByGroup().flatMap((g) => g.messages),
      ...guardDutyEvents().map((e) => JSON.stringify(e.event)),
      'plain text',
      '{"not":"closed"',
    ];
    for (const doc of normalizePayload(cwlPayload(messages), registry, untrusted)) expectPlain(doc);
  });

  it('flow records of every sample format, from a group trusted for them', () => {
    let flows = 0;
    for (const sample of flowLogSamples()) {
      const trust = trustOnly({
        kinds: new Set(['vpcflow']),
        ownAccountOnly: false,
        flowFormat: sample.format,
      });
      for (const doc of normalizePayload(cwlPayload(sample.records), registry, trust)) {
        expectPlain(doc);
        if (doc.class_uid === 4001) flows++;
      }
    }
    expect(flows).toBeGreaterThan(20);
  });
});

describe('mayMatchPlainDocuments', () => {
  it("is false for every rule of contracts/detections.json: each needs CloudTrail's or GuardDuty's fields", () => {
    expect(compileRules(detectionRules).filter((r) => r.mayMatchPlainDocuments)).toEqual([]);
  });

  it('is true for a rule on a flow record or an application log, false for one that needs another class', () => {
    expect(mayMatchPlainDocuments({ field: 'dst_endpoint.port', equals: 22 })).toBe(true);
    expect(mayMatchPlainDocuments({ field: 'unmapped.log.level', equals: 'ERROR' })).toBe(true);
    expect(mayMatchPlainDocuments({ not: { field: 'api.operation', equals: 'x' } })).toBe(true);
    expect(
      mayMatchPlainDocuments({
        any: [
          { field: 'class_uid', equals: 2004 },
          { field: 'class_uid', equals: 4001 },
        ],
      }),
    ).toBe(true);
    expect(
      mayMatchPlainDocuments({
        all: [
          { field: 'class_uid', in: [2004, 6003] },
          { field: 'message', exists: true },
        ],
      }),
    ).toBe(false);
    expect(mayMatchPlainDocuments({ field: 'actor.user.type', equals: 'Root' })).toBe(false);
    expect(
      mayMatchPlainDocuments({
        any: [
          { field: 'api.operation', equals: 'x' },
          { field: 'actor.user.name', exists: true },
        ],
      }),
    ).toBe(true);
  });
});
