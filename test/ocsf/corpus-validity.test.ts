/**
 * Strict OCSF 1.1.0 validation of every document the transform's core makes: of the whole
 * corpus, and of property-generated inputs built around it. 0 invalid documents.
 */
import fc from 'fast-check';
import {
  FlowLogFormatRegistry,
  flowLogGroupFor,
  logwardenFormat,
} from '../../functions/shared/flow-log-formats';
import { normalizePayload, parseErrorOf } from '../../functions/shared/normalize';
import type { OcsfDocument } from '../../functions/shared/ocsf/document';
import { cwlPayload, guardDutyEvents, realCloudTrailEvents } from '../../local/corpus';
import { corpusDocuments } from './corpus-documents';
import { OcsfValidator } from './validator';
import { testTrust } from '../fixtures/trust';

const validator = OcsfValidator.load();
const registry = new FlowLogFormatRegistry();

/** The document as a consumer receives it: JSON text, parsed. */
const asSent = (doc: OcsfDocument): unknown => JSON.parse(JSON.stringify(doc));

function expectValid(doc: OcsfDocument, what: string): void {
  const { errors } = validator.validate(asSent(doc));
  if (errors.length) {
    throw new Error(`${what}: ${errors.map((e) => `${e.type} ${e.path}: ${e.message}`).join('; ')}`);
  }
}

const docsOf = (messages: string[], logGroup: string, formats = registry) =>
  normalizePayload(cwlPayload(messages, { logGroup }), formats, testTrust);

describe('every corpus document is valid OCSF 1.1.0 (strict)', () => {
  const docs = corpusDocuments();

  it(`0 invalid of ${docs.length} documents`, () => {
    expect(docs.length).toBeGreaterThan(800);
    const invalid = docs
      .map(({ source, doc }) => ({ source, errors: validator.validate(asSent(doc)).errors }))
      .filter((r) => r.errors.length > 0)
      .map((r) => `${r.source}: ${r.errors.map((e) => `${e.type} ${e.path}`).join(', ')}`);
    expect(invalid).toEqual([]);
  });

  it('every class the corpus yields is covered', () => {
    const classes = new Set(docs.map((d) => d.doc.class_uid));
    expect([...classes].sort((a, b) => a - b)).toEqual([0, 2004, 3001, 3002, 4001, 6003]);
  });

  it('no sibling warning either: every caption matches its enum value', () => {
    const warnings = docs.flatMap(({ doc }) =>
      validator.validate(asSent(doc), { strict: false }).warnings.filter((w) => w.type.includes('sibling')),
    );
    expect(warnings).toEqual([]);
  });

  // Named corpus samples that are themselves invalid, and what the document makes of them.
  it('aws.execution.ssm-send-command.json: sourceIPAddress "253.252.51.07" is anonymised beyond validity (a leading zero is no IPv4); the document names it, valid, without an ip', () => {
    const anonymised = docs.filter(({ doc }) => doc.raw_data.includes('"sourceIPAddress":"253.252.51.07"'));
    expect(anonymised.length).toBeGreaterThan(0);
    for (const { source, doc } of anonymised) {
      expect(source).toBe('aws.execution.ssm-send-command.json');
      expect(doc.src_endpoint).toEqual({ name: '253.252.51.07' });
      expectValid(doc, source);
    }
  });

  it('Panther fixtures trimmed of userIdentity or sourceIPAddress are kept as CloudTrail parse errors, valid', () => {
    const trimmed = docs.filter(({ doc }) => parseErrorOf(doc)?.startsWith('CloudTrail record without'));
    expect(trimmed.map((d) => d.source).sort()).toEqual([
      'AWS.Console.Sign-In: Test-94439c',
      'AWS.Modify.Cloud.Compute.Infrastructure: Terminate Instance from AssumedRole',
      'AWS.Software.Discovery: Non Discovery Event Names',
    ]);
  });
});

/** A token a flow-log line could carry in any field: real-looking values, '-' and junk. */
const flowToken = fc.oneof(
  fc.constant('-'),
  fc.constantFrom('ACCEPT', 'REJECT', 'OK', 'NODATA', 'SKIPDATA', 'ingress', 'egress', 'IPv4', 'IPv6', 'S3'),
  fc.ipV4(),
  fc.ipV6(),
  fc.nat({ max: 70000 }).map(String),
  fc.integer({ min: -5, max: 12 }).map(String),
  fc.stringMatching(/^[!-~]{1,12}$/),
);

const ctNames = fc.constantFrom(
  'ConsoleLogin',
  'AssumeRole',
  'CheckMfa',
  'CreateUser',
  'DeleteUser',
  'AttachRolePolicy',
  'ChangePassword',
  'DeleteAccountAlias',
  'StopLogging',
  'DescribeInstances',
  'Frobnicate',
);

describe('property: documents of generated inputs are valid OCSF 1.1.0 (strict)', () => {
  const ctSeeds = realCloudTrailEvents().map((e) => e.event);
  const gdSeeds = guardDutyEvents().map((e) => e.event);

  it('any text or JSON line in an application group', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.json({ maxDepth: 3 })), (message) => {
        for (const doc of docsOf([message], 'app/orders')) expectValid(doc, message);
      }),
      { numRuns: 300 },
    );
  });

  it('any flow-log line of logwarden format, and any 14-token line', () => {
    const lw = new FlowLogFormatRegistry();
    fc.assert(
      fc.property(
        fc.array(flowToken, {
          minLength: logwardenFormat.fields.length,
          maxLength: logwardenFormat.fields.length,
        }),
        fc.array(flowToken, { minLength: 14, maxLength: 14 }),
        (tokens, v2) => {
          const line = tokens.join(' ');
          for (const doc of docsOf([line], flowLogGroupFor(logwardenFormat), lw)) expectValid(doc, line);
          const v2line = ['2', ...v2.slice(1)].join(' ');
          for (const doc of docsOf([v2line], 'someone/else', lw)) expectValid(doc, v2line);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('real CloudTrail records with their fields replaced, removed or broken', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ctSeeds),
        fc.record(
          {
            eventName: ctNames,
            eventSource: fc.constantFrom(
              'iam.amazonaws.com',
              'signin.amazonaws.com',
              'sts.amazonaws.com',
              'ec2.amazonaws.com',
            ),
            sourceIPAddress: fc.oneof(
              fc.ipV4(),
              fc.ipV6(),
              fc.constant('AWS Internal'),
              fc.constant('ec2.amazonaws.com'),
              fc.string(),
            ),
            errorCode: fc.oneof(fc.constant(undefined), fc.constant('AccessDenied'), fc.string()),
            requestParameters: fc.oneof(fc.constant(null), fc.object({ maxDepth: 2 })),
            responseElements: fc.oneof(
              fc.constant(null),
              fc.json({ maxDepth: 2 }).map((j) => JSON.parse(j)),
            ),
            requestID: fc.oneof(fc.constant(undefined), fc.string()),
            resources: fc.oneof(fc.constant(undefined), fc.array(fc.object({ maxDepth: 1 }))),
            eventTime: fc.oneof(
              fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
              fc.string(),
            ),
            userIdentity: fc.oneof(
              fc.constant(undefined),
              fc.record({ type: fc.string(), invokedBy: fc.string() }, { requiredKeys: [] }),
              fc.object({ maxDepth: 2 }),
            ),
            vpcEndpointId: fc.string(),
          },
          { requiredKeys: [] },
        ),
        (seed, changes) => {
          const event = { ...seed, ...changes };
          for (const doc of docsOf([JSON.stringify(event)], 'aws-cloudtrail-logs'))
            expectValid(doc, JSON.stringify(changes));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('real GuardDuty findings with their severity, times, resource and action replaced', () => {
    const resource = fc.record(
      {
        resourceType: fc.constantFrom(
          'Instance',
          'AccessKey',
          'S3Bucket',
          'EKSCluster',
          'Lambda',
          'Container',
          'Other',
        ),
        instanceDetails: fc.record({ instanceId: fc.string() }, { requiredKeys: [] }),
        accessKeyDetails: fc.record(
          { accessKeyId: fc.string(), userName: fc.string() },
          { requiredKeys: [] },
        ),
        s3BucketDetails: fc.array(fc.record({ arn: fc.string(), name: fc.string() }, { requiredKeys: [] })),
      },
      { requiredKeys: [] },
    );
    const remote = fc.record(
      { ipAddressV4: fc.oneof(fc.ipV4(), fc.string()), country: fc.record({ countryName: fc.string() }) },
      { requiredKeys: [] },
    );
    const action = fc.record(
      {
        actionType: fc.string(),
        awsApiCallAction: fc.record(
          { api: fc.string(), serviceName: fc.string(), errorCode: fc.string(), remoteIpDetails: remote },
          { requiredKeys: [] },
        ),
        dnsRequestAction: fc.record(
          { domain: fc.oneof(fc.domain(), fc.string()), protocol: fc.string() },
          { requiredKeys: [] },
        ),
        networkConnectionAction: fc.record(
          {
            connectionDirection: fc.constantFrom('INBOUND', 'OUTBOUND', 'UNKNOWN'),
            protocol: fc.constantFrom('TCP', 'UDP', 'X'),
            remoteIpDetails: remote,
            remotePortDetails: fc.record({ port: fc.integer({ min: -1, max: 70000 }) }),
            localPortDetails: fc.record({ port: fc.integer({ min: -1, max: 70000 }) }),
          },
          { requiredKeys: [] },
        ),
        portProbeAction: fc.record(
          {
            portProbeDetails: fc.array(
              fc.record(
                { remoteIpDetails: remote, localPortDetails: fc.record({ port: fc.nat() }) },
                { requiredKeys: [] },
              ),
            ),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...gdSeeds),
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.date({ min: new Date('2000-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }),
        fc.nat({ max: 10 ** 9 }),
        resource,
        action,
        fc.boolean(),
        (seed, severity, created, later, res, act, archived) => {
          const detail = seed.detail as Record<string, unknown>;
          const service = detail.service as Record<string, unknown>;
          const event = {
            ...seed,
            detail: {
              ...detail,
              severity,
              createdAt: created.toISOString(),
              updatedAt: new Date(created.getTime() + later).toISOString(),
              resource: res,
              service: { ...service, action: act, archived },
            },
          };
          for (const doc of docsOf([JSON.stringify(event)], '/logwarden/guardduty-findings'))
            expectValid(doc, JSON.stringify(event.detail).slice(0, 300));
        },
      ),
      { numRuns: 300 },
    );
  });
});
